# Histo: the server with the web app built in. Stage 1 builds both; stage 2 is the small runtime.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/histo histo
COPY --from=build /src/target/release/histo /usr/local/bin/histo
USER histo
WORKDIR /var/lib/histo
EXPOSE 8080
ENV HISTO_BIND=0.0.0.0:8080
HEALTHCHECK CMD curl -fsS http://localhost:8080/healthz || exit 1
CMD ["histo", "serve"]
