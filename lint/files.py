"""Which files a run reads, and how: shared by the readers' driver (`lint.project`) and the result cache, which
must see exactly the same files without importing any reader."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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


def iter_files(root: Path, targets: list[Path]) -> Iterator[Path]:
    """Every regular file under the targets, skipping VCS, dependency and virtualenv folders.

    Symlinked directories are not followed (loops, and links out of the project).
    """
    seen: set[Path] = set()
    for target in targets:
        if target.is_file():
            resolved = target.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield target
            continue
        for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
            base = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not _is_venv(base / d))
            for name in sorted(filenames):
                p = base / name
                if p.is_symlink():
                    try:
                        p.resolve().relative_to(root.resolve())
                    except (ValueError, OSError):
                        continue  # a link out of the project is not followed
                resolved = p.resolve()
                if resolved not in seen:
                    seen.add(resolved)
                    yield p


def relpath(root: Path, path: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(os.path.relpath(path.resolve(), root.resolve()))
    return rel.as_posix()


def read_text(path: Path, rel: str) -> tuple[str | None, Problem | None]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(
                "read",
                f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB and was not read",
                Span.point(rel, 1),
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem("read", f"cannot read file: {exc.strerror or 'I/O error'}", Span.point(rel, 1))
    if b"\x00" in data[:8192]:
        return None, Problem("read", "file looks binary (NUL bytes) and was not read", Span.point(rel, 1))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem("read", "file is not valid UTF-8 and was not read", Span.point(rel, line))
    return text, None


def project_root(targets: list[Path]) -> Path:
    """The common directory of the inputs (a file's parent for a single file)."""
    dirs = [t.resolve() if t.is_dir() else t.resolve().parent for t in targets]
    common = Path(os.path.commonpath([str(d) for d in dirs])) if dirs else Path.cwd()
    return common
