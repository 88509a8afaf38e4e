"""The Dockerfile's stages fit together and fit the build: the runtime image copies the binary from
where `make build` leaves it in the build stage, the build stage has the Node.js that the web app's
packages require, and the runtime stage serves on the port that its health check asks."""

import json
import os
import pathlib
import re
import subprocess

import pytest
from dockerfile_parse import DockerfileParser

REPO = pathlib.Path(__file__).resolve().parents[2]


class Stage:
    def __init__(self, index, image, name):
        self.index, self.image, self.name = index, image, name
        self.instructions = []  # (instruction, value)

    def values(self, instruction):
        return [v for i, v in self.instructions if i == instruction]

    def workdir(self):
        return self.values("WORKDIR")[-1]

    def env(self):
        pairs = {}
        for value in self.values("ENV"):
            pairs.update(dict(re.findall(r"(\w+)=(\S+)", value)))
        return pairs

    def copies_from(self):
        """(stage, source, destination) of each `COPY --from=stage source destination`."""
        copies = []
        for value in self.values("COPY"):
            match = re.fullmatch(r"--from=(\S+)\s+(\S+)\s+(\S+)", value)
            if match:
                copies.append(match.groups())
        return copies


@pytest.fixture(scope="module")
def stages():
    parsed = DockerfileParser(path=str(REPO / "Dockerfile"))
    stages = []
    for item in parsed.structure:
        if item["instruction"] == "COMMENT":
            continue
        if item["instruction"] == "FROM":
            image, _, name = item["value"].partition(" AS ")
            stages.append(Stage(len(stages), image.strip(), name.strip() or None))
        else:
            stages[-1].instructions.append((item["instruction"], item["value"]))
    return stages


def stage_named(stages, name):
    [stage] = [s for s in stages if s.name == name or str(s.index) == name]
    return stage


def makefile_variable(name):
    """A variable of the Makefile as `make` computes it in a clean environment, from the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("CARGO_TARGET_DIR", "MAKEFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", REPO, "--eval", "print-%: ; @echo $($*)", f"print-{name}"],
        env=env, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


def runtime(stages):
    return stages[-1]


def test_every_copy_from_names_an_earlier_stage(stages):
    names = [s.name for s in stages if s.name]
    assert len(names) == len(set(names)), "stage names are unique"
    for stage in stages:
        for source_stage, _, _ in stage.copies_from():
            assert stage_named(stages, source_stage).index < stage.index


def test_the_runtime_copies_the_binary_from_where_make_build_leaves_it(stages):
    [(source_stage, source, destination)] = [c for c in runtime(stages).copies_from() if c[1].endswith("/histo")]
    build = stage_named(stages, source_stage)
    assert "make build" in build.values("RUN")
    # `make build` runs in the stage's working directory: the Makefile's $(CURDIR) there.
    release_bin = makefile_variable("RELEASE_BIN")
    target_dir = build.env().get("CARGO_TARGET_DIR")
    expected = (
        f"{target_dir}/release/histo"
        if target_dir
        else release_bin.replace(str(REPO), build.workdir(), 1)
    )
    assert source == expected
    assert any(line.startswith("COPY . ") for line in (f"COPY {v}" for v in build.values("COPY")))
    # The binary lands on the PATH, and the image runs the server.
    assert destination == "/usr/local/bin/histo"
    assert json.loads(runtime(stages).values("CMD")[-1]) == ["histo", "serve"]


def test_the_build_stage_has_what_the_web_build_needs(stages):
    build = stage_named(stages, [c for c in runtime(stages).copies_from() if c[1].endswith("/histo")][0][0])
    # scripts/setup-web.sh adds the wasm target with rustup and installs wasm-bindgen-cli with cargo.
    assert build.image.startswith("rust:")
    setup = (REPO / "scripts/setup-web.sh").read_text()
    assert "rustup target add wasm32-unknown-unknown" in setup and "cargo install wasm-bindgen-cli" in setup
    # npm ci needs the Node.js that every locked package accepts.
    node_from = [s for s, src, _ in build.copies_from() if src == "/usr/local/bin/node"]
    node_image = stage_named(stages, node_from[0]).image if node_from else build.image
    match = re.fullmatch(r"node:(\d+)[-.\w]*", node_image)
    assert match, f"the build stage's node comes from a node image, not {node_image}"
    node_major = int(match.group(1))
    lock = json.loads((REPO / "frontend/package-lock.json").read_text())
    for package, meta in lock["packages"].items():
        wanted = meta.get("engines", {}).get("node", "")
        minimum = re.match(r">=\s*(\d+)", wanted)
        if minimum:
            assert node_major >= int(minimum.group(1)), f"{package} needs node {wanted}"
    assert any("npm-cli.js" in run and "/usr/local/bin/npm" in run for run in build.values("RUN"))


def test_the_runtime_serves_on_the_port_it_checks(stages):
    stage = runtime(stages)
    port = stage.env()["HISTO_BIND"].rsplit(":", 1)[1]
    assert stage.values("EXPOSE") == [port]
    [check] = stage.values("HEALTHCHECK")
    assert f"http://127.0.0.1:{port}/healthz" in check
    assert any("libpq5" in run and "curl" in run for run in stage.values("RUN")), "libpq for PostgreSQL, curl for the check"
    assert stage.values("USER") == ["histo"]


def test_the_build_context_leaves_out_local_outputs():
    ignored = (REPO / ".dockerignore").read_text().split()
    for path in ("target", "frontend/node_modules", "frontend/dist", ".git"):
        assert path in ignored
