"""Whole-run results for unchanged inputs: the second run on the same files answers from the cache.

The key covers everything a result depends on: replint's code and built-in data (`lint.cache.code_key`), the
configuration file, extra policy files, the inline-suppression settings, the project root and targets, and the
path and content of every file under the targets — whether or not replint ended up reading it, since a file's
content decides whether it is read. A run that read a file outside its targets (a postgresql.conf `include`,
a `sync_config.path` in a sibling folder) is not stored: its key could not see that file change.
Live runs are never stored: the servers' state is not in the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lint import cache
from lint.files import ReadError, Skipped, iter_files, read_bytes

if TYPE_CHECKING:
    from lint.findings.filter import Inline
    from lint.rules import RuleDoc
    from lint.run import Result


@dataclass(frozen=True)
class Memo:
    result: Result
    rules: tuple[RuleDoc, ...]  # every rule the run knew (SARIF lists them), so a hit needs no policy loading


def run_key(
    root: Path,
    targets: Sequence[Path],
    *,
    config: Path | None,
    policy_dirs: Iterable[Path],
    inline: Inline,
) -> str:
    parts: list[str | bytes] = ["run", str(root.resolve()), *(str(t.resolve()) for t in targets)]
    parts += [repr(sorted(inline.unsuppressible)), str(inline.allow)]
    if config is not None:
        parts += [str(config.resolve()), _content(config)]
    for directory in policy_dirs:
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            parts += [str(path.resolve()), _content(path)]
    files = hashlib.sha256()
    skipped: list[Skipped] = []
    for path in iter_files(root, list(targets), skipped):
        files.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        files.update(_content(path))
    for entry in skipped:  # a new link out of the project, or a FIFO, is a finding: the key must see it
        files.update(f"skipped:{entry.path}:{entry.reason}".encode("utf-8", "surrogateescape") + b"\0")
    parts.append(files.digest())
    return cache.key(*parts)


def _content(path: Path) -> bytes:
    """A file's content hash; for a file that is not read (too large, not regular) its size and modification time,
    so that replacing it still changes the key."""
    try:
        return hashlib.sha256(read_bytes(path)).digest()
    except ReadError:
        try:
            info = path.stat()
        except OSError as exc:
            return f"unreadable:{exc.errno}".encode()
        return f"unread:{info.st_size}:{info.st_mtime_ns}:{info.st_mode}".encode()


def storable(result: Result, targets: Sequence[Path]) -> bool:
    """Whether every file the run read lies under its targets (so `run_key` saw them all)."""
    bases = [t.resolve() for t in targets]
    for rel in result.sources:
        path = (result.root / rel).resolve()
        if not any(path == b or b in path.parents for b in bases):
            return False
    return True
