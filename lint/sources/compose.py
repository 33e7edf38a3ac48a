"""docker-compose files: the services, their images and environment, and the bind mounts that map repository
files into containers, resolved as `docker compose config` would (issue 17, first part).

Only what the model uses is read: a service's `image`, `environment` (list or map form) and `volumes` (short
`./src:/dst[:mode]` and long `{type: bind, source, target}` forms). Values are interpolated with Compose's rules
from the `.env` file of the compose file's folder — never from replint's own environment, which in CI holds
secrets and differs from the deployment's. A value that names a variable the `.env` does not set is unknown:
a mount whose source is unknown maps nothing, rather than a guessed path.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from lint.span import Span
from lint.yamlsrc import Located

# The file names `docker compose` looks for, and the `-f` names projects commonly use beside them.
_NAME = re.compile(r"^(?:docker-)?compose(?:[._-][\w.-]+)?\.ya?ml$", re.IGNORECASE)


def is_compose_name(name: str) -> bool:
    return _NAME.match(name) is not None


def looks_like_compose(data: object) -> bool:
    """A mapping with a `services` mapping whose entries are mappings (what Compose requires)."""
    if not isinstance(data, dict):
        return False
    services = data.get("services")
    return isinstance(services, dict) and bool(services) and all(isinstance(s, dict) for s in services.values())


@dataclass(frozen=True)
class Mount:
    """A bind mount: `source` is the repository path it maps (normalised, relative to the project root), or None
    when it leaves the project or depends on a variable the `.env` does not set."""

    source: str | None
    target: str  # the absolute path inside the container
    span: Span


@dataclass(frozen=True)
class Service:
    name: str
    image: str | None
    mounts: tuple[Mount, ...]
    span: Span


@dataclass(frozen=True)
class ComposeFile:
    path: str
    services: tuple[Service, ...]


# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, $VAR, $$
_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


UNKNOWN = "\0"  # stands for an unknown variable's value in `interpolate(..., keep_unknown=True)`


def interpolate(value: str, env: dict[str, str], *, keep_unknown: bool = False) -> str | None:
    """`value` with its variables substituted as Compose does; None when it depends on one that is unset and has
    no default (or whose `:?`/`?` form would stop Compose) — or, with `keep_unknown`, UNKNOWN in its place."""
    unknown = False

    def one(m: re.Match[str]) -> str:
        nonlocal unknown
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3) or ""
        present = name in env
        empty_or_unset = not env.get(name)
        if op in (":-", "-"):
            use_default = empty_or_unset if op == ":-" else not present
            return arg if use_default else env[name]
        if op in (":+", "+"):
            use_alt = not empty_or_unset if op == ":+" else present
            return arg if use_alt else ""
        if op in (":?", "?") and (empty_or_unset if op == ":?" else not present):
            unknown = True
            return UNKNOWN
        if not present:
            unknown = True  # Compose substitutes an empty string and warns; the deployment's value is not known
            return UNKNOWN
        return env[name]

    out = _VAR.sub(one, value)
    return out if keep_unknown or not unknown else None


def read_compose(doc: Located, env: dict[str, str]) -> ComposeFile:
    folder = posixpath.dirname(doc.path)
    services: list[Service] = []
    for name, body in (doc.data.get("services") or {}).items():
        if not isinstance(body, dict):
            continue
        image = body.get("image")
        image_text = interpolate(image, env) if isinstance(image, str) else None
        mounts = tuple(_mounts(doc, folder, str(name), body.get("volumes"), env))
        services.append(Service(str(name), image_text, mounts, doc.key_at(("services", name))))
    return ComposeFile(doc.path, tuple(services))


def _mounts(doc: Located, folder: str, service: str, volumes: Any, env: dict[str, str]) -> list[Mount]:
    out: list[Mount] = []
    for index, entry in enumerate(volumes if isinstance(volumes, list) else []):
        span = doc.at(("services", service, "volumes", index))
        if isinstance(entry, str):
            text = interpolate(entry, env, keep_unknown=True)
            assert text is not None
            parts = text.split(":")
            if len(parts) < 2 or not parts[1].startswith("/") or UNKNOWN in parts[1]:
                continue  # an anonymous volume (`/data`), a Windows path, or a target not known
            source, target = parts[0], parts[1]
            if UNKNOWN in source:
                out.append(Mount(None, posixpath.normpath(target), span))
                continue
            if not source.startswith((".", "/", "~")):
                continue  # a named volume
        elif isinstance(entry, dict) and entry.get("type", "bind") == "bind":
            raw_source, raw_target = entry.get("source"), entry.get("target")
            if not isinstance(raw_source, str) or not isinstance(raw_target, str):
                continue
            source_text, target_text = interpolate(raw_source, env), interpolate(raw_target, env)
            if target_text is None or not target_text.startswith("/"):
                continue
            if source_text is None:
                out.append(Mount(None, posixpath.normpath(target_text), span))
                continue
            source, target = source_text, target_text
        else:
            continue
        out.append(Mount(_inside(folder, source), posixpath.normpath(target), span))
    return out


def _inside(folder: str, source: str) -> str | None:
    """The repository path a relative bind source names; None for one outside the project (absolute, `~`, `..`)."""
    if source.startswith(("/", "~")):
        return None
    joined = posixpath.normpath(posixpath.join(folder, source))
    return None if joined == ".." or joined.startswith("../") else ("" if joined == "." else joined)


def container_to_repository(
    files: tuple[ComposeFile, ...], path: str, image_word: str
) -> tuple[str | None, Mount] | None:
    """The repository path a container path comes from, through the most specific bind mount that covers it —
    in the services whose image names `image_word` if any of them covers it, else in any service; (None, mount)
    when that mount's source is not in the project or not known; None when no mount covers it."""
    services = [s for f in files for s in f.services]
    preferred = [s for s in services if s.image and image_word in s.image.lower()]
    return _covering(preferred, path) or _covering(services, path)


def _covering(services: list[Service], path: str) -> tuple[str | None, Mount] | None:
    best: tuple[str | None, Mount] | None = None
    wanted = posixpath.normpath(path)
    for service in services:
        for mount in service.mounts:
            if wanted != mount.target and not wanted.startswith(mount.target.rstrip("/") + "/"):
                continue
            if best is not None and len(best[1].target) >= len(mount.target):
                continue
            rest = posixpath.relpath(wanted, mount.target)
            mapped = None
            if mount.source is not None:
                mapped = mount.source if rest == "." else posixpath.normpath(posixpath.join(mount.source, rest))
            best = (mapped, mount)
    return best
