# Histo: the server with the web app built in. `build` compiles both with `make build`, as on a
# developer's machine (scripts/build-web.sh installs the wasm target, wasm-bindgen-cli and the npm
# packages itself); the runtime image holds only the binary and libpq.
# tests/deploy/test_dockerfile.py checks these stages against the Makefile and the build scripts.

# Node.js 20 or later, as frontend/package-lock.json requires (Debian bookworm's own is 18).
FROM node:20-bookworm-slim AS node

FROM rust:1.95-bookworm AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && apt-get update && apt-get install -y --no-install-recommends libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make build

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/histo histo
COPY --from=build /src/target/release/histo /usr/local/bin/histo
USER histo
# Without HISTO_DATABASE_URL, Histo keeps a SQLite file here: mount a volume to keep it.
WORKDIR /var/lib/histo
EXPOSE 8080
ENV HISTO_BIND=0.0.0.0:8080
# SIGTERM: Histo answers the requests in flight and commits what it holds, then exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["histo", "serve"]
