"""Which files a run reads, and how: shared by the readers' driver (`lint.project`) and the result cache, which
must see exactly the same files without importing any reader."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lint.span import Span
from lint.yamlsrc import Problem

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
    "dist",
    "build",
    ".idea",
    ".vscode",
}
MAX_FILE_BYTES = 5 * 1024 * 1024


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").exists()


@dataclass(frozen=True)
class Skipped:
    """A directory entry that was deliberately not read, and why (the caller decides whether to report it)."""

    path: Path
    reason: str
    folder: bool = False


def _leaves(root: Path, path: Path) -> bool:
    """Whether a link resolves outside the project root (or cannot be resolved at all: a loop)."""
    try:
        path.resolve(strict=False).relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return True
    return False


def _walk_dir(root: Path, target: Path, skipped: list[Skipped] | None) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
        base = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d in SKIP_DIRS or _is_venv(base / d):
                continue
            if (base / d).is_symlink():
                # os.walk does not descend into it: a link inside the project only repeats files reached by their
                # real path; one that leaves the project is reported, since what it holds goes unchecked.
                if skipped is not None and _leaves(root, base / d):
                    skipped.append(Skipped(base / d, "a link to a folder outside the project", folder=True))
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            yield base / name


def iter_files(root: Path, targets: list[Path], skipped: list[Skipped] | None = None) -> Iterator[Path]:
    """Every regular file under the targets, skipping VCS, dependency and virtualenv folders.

    Links are not followed out of the project (nor into loops), and FIFOs, sockets and devices are never opened
    (reading a FIFO blocks forever). Entries left out for those reasons go to `skipped` when it is given.
    """
    seen: set[Path] = set()
    for target in targets:
        candidates = None if target.is_dir() else [target]  # a named file is read even through a link
        for p in candidates or _walk_dir(root, target, skipped):
            reason = _refusal(root, p, explicit=candidates is not None)
            if reason is not None:
                if skipped is not None:
                    skipped.append(Skipped(p, reason))
                continue
            resolved = p.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield p


def _refusal(root: Path, path: Path, *, explicit: bool) -> str | None:
    """Why a file found under the targets is not read, or None when it is an ordinary file."""
    if path.is_symlink():
        if not path.exists():
            return "a broken or looping link"
        if not explicit and _leaves(root, path):
            return "a link to a file outside the project"
    try:
        mode = path.stat().st_mode
    except OSError:
        return "a file that cannot be inspected"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device)"
    return None


def relpath(root: Path, path: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(os.path.relpath(path.resolve(), root.resolve()))
    return rel.as_posix()


class ReadError(Exception):
    """A file that is not read: too large, not a regular file, or an I/O error. The message names no content."""


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, at most `limit`. Opened non-blocking and checked after opening, so a FIFO or device put
    in place of a file (or a link to /dev/zero) can neither hang replint nor fill its memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or 'I/O error'}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("file is not a regular file (a FIFO, socket or device) and was not read")
        if info.st_size > limit:
            raise ReadError(f"file is larger than {_size(limit)} and was not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or 'I/O error'}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # grew after the size check
        raise ReadError(f"file is larger than {_size(limit)} and was not read")
    return data


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def decode(data: bytes, rel: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text (a BOM is dropped), or the problem: binary content, or the first line that is not UTF-8."""
    if b"\x00" in data[:8192]:
        return None, Problem("read", "file looks binary (NUL bytes) and was not read", Span.point(rel, 1))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem(
            "read", "file is not valid UTF-8 and was not read; save it as UTF-8", Span.point(rel, line)
        )


def read_text(path: Path, rel: str) -> tuple[str | None, Problem | None]:
    try:
        data = read_bytes(path)
    except ReadError as exc:
        return None, Problem("read", str(exc), Span.point(rel, 1))
    return decode(data, rel)


def project_root(targets: list[Path]) -> Path:
    """The common directory of the inputs (a file's parent for a single file)."""
    dirs = [t.resolve() if t.is_dir() else t.resolve().parent for t in targets]
    common = Path(os.path.commonpath([str(d) for d in dirs])) if dirs else Path.cwd()
    return common


def peek(path: Path, size: int = 65536) -> str:
    """The start of a file as text (undecodable bytes replaced), to tell whether an unreadable file is one of ours;
    "" for anything that is not a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        return os.read(fd, size).decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        os.close(fd)


@dataclass(frozen=True)
class PathState:
    """What is at a path, or why replint cannot tell: a name longer than the system allows, a symlink loop, no
    permission. `Path.exists()`/`is_file()`/`resolve()` raise on those (or, for exists(), quietly say False),
    and a command-line name, a `--config`, a `sync_config.path` inside a config can be any of them."""

    kind: Literal["file", "dir", "missing", "other", "unknown"]
    problem: str = ""  # kind "unknown": what stopped replint, without the path

    @property
    def exists(self) -> bool:
        return self.kind in ("file", "dir", "other")


def inspect(path: Path) -> PathState:
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return PathState("missing")
    except OSError as exc:  # ENAMETOOLONG, ELOOP, EACCES, ...
        return PathState("unknown", exc.strerror or type(exc).__name__)
    except (RuntimeError, ValueError) as exc:  # a loop Python detects itself; an embedded NUL
        return PathState("unknown", str(exc) or type(exc).__name__)
    if stat.S_ISDIR(mode):
        return PathState("dir")
    return PathState("file" if stat.S_ISREG(mode) else "other")


def shown(path: Path | str, limit: int = 80) -> str:
    """A path for a message: long names (hundreds of bytes from a hostile pull request) are shortened."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]} ({len(text)} characters)"


def resolved_inside(path: Path, root: Path) -> bool | None:
    """Whether `path` resolves inside `root`; None when that cannot be told (loop, name too long)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    except (OSError, RuntimeError):
        return None
    return True
