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
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lint import cache
from lint.files import ReadError, Skipped, iter_files, read_bytes
from lint.rules import RuleDoc
from lint.run import Result  # a stored Memo is decoded against these annotations (lint.plain)

if TYPE_CHECKING:
    from lint.findings.filter import Inline

# Timestamps on some file systems are this coarse: a file whose status changed this close to the start of the
# key is hashed again after the run rather than trusted by its status.
_CLOCK_SLACK_NS = 2_000_000_000


@dataclass(frozen=True)
class Memo:
    result: Result
    rules: tuple[RuleDoc, ...]  # every rule the run knew (SARIF lists them), so a hit needs no policy loading

    @staticmethod
    def of(result: Result, rules: Sequence[RuleDoc]) -> Memo:
        """What is stored: the result with only the source lines its findings show (masked already), not files."""
        return Memo(replace(result, sources=_shown_lines(result)), tuple(rules))


def _shown_lines(result: Result) -> dict[str, str]:
    wanted: dict[str, set[int]] = {}
    for f in result.findings.findings:
        wanted.setdefault(f.span.path, set()).add(f.span.line)
    kept: dict[str, str] = {}
    for path, text in result.sources.items():  # every path stays: which files were read is part of the result
        lines = text.split("\n") if path in wanted else []  # split as the text renderer splits them
        kept[path] = "\n".join(line if i + 1 in wanted[path] else "" for i, line in enumerate(lines))
    return kept


@dataclass(frozen=True)
class RunKey:
    value: str
    started_ns: int
    # Each file's status and content hash when the key was made, so that checking the key again after the run
    # re-reads only files whose status changed (or changed too recently for the status to tell).
    seen: dict[Path, tuple[tuple[int, ...], bytes]] = field(default_factory=dict)
    # Made with `before`: some file's status differs from then, so it may have been written during the run
    # (even if written back since): the run's result must not be stored under either key.
    touched: bool = False


def run_key(
    root: Path,
    targets: Sequence[Path],
    *,
    config: Path | None,
    policy_dirs: Iterable[Path],
    inline: Inline,
    before: RunKey | None = None,
) -> RunKey:
    """The key of a run on these inputs. With `before` (the key made before the run), the same key computed
    again, trusting the earlier hash of every file whose status shows it unchanged since well before then, and
    noting (`touched`) any file whose status changed in between."""
    started = time.time_ns()
    hasher = _Hasher(before)
    parts: list[str | bytes] = ["run", str(root.resolve()), *(str(t.resolve()) for t in targets)]
    parts += [repr(sorted(inline.unsuppressible)), str(inline.allow)]
    if config is not None:
        parts += [str(config.resolve()), hasher.content(config)]
    for directory in policy_dirs:
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            parts += [str(path.resolve()), hasher.content(path)]
    files = hashlib.sha256()
    skipped: list[Skipped] = []
    for path in iter_files(root, list(targets), skipped):
        files.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        files.update(hasher.content(path))
    for entry in skipped:  # a new link out of the project, or a FIFO, is a finding: the key must see it
        files.update(f"skipped:{entry.path}:{entry.reason}".encode("utf-8", "surrogateescape") + b"\0")
    parts.append(files.digest())
    return RunKey(cache.key(*parts), started, hasher.seen, hasher.touched)


class _Hasher:
    def __init__(self, before: RunKey | None) -> None:
        self._before = before
        self.seen: dict[Path, tuple[tuple[int, ...], bytes]] = {}
        self.touched = False

    def content(self, path: Path) -> bytes:
        status = _status(path)
        earlier = self._before.seen.get(path) if self._before is not None else None
        if earlier is not None and earlier[0] != status:
            self.touched = True
        if (
            earlier is not None
            and self._before is not None
            and status is not None
            and earlier[0] == status
            and status[-1] < self._before.started_ns - _CLOCK_SLACK_NS
        ):
            digest = earlier[1]
        else:
            digest = _content(path)
        if status is not None:
            self.seen[path] = (status, digest)
        return digest


def _status(path: Path) -> tuple[int, ...] | None:
    """What changes whenever the file is written or replaced; the status-change time last."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mode, info.st_mtime_ns, info.st_ctime_ns)


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
