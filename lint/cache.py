"""The cache: per-file facts by content hash, and whole-run results by the hash of everything a run reads.

A run on unchanged files (pre-commit after an unrelated edit, CI re-runs) returns the stored result; a run
after a few files changed re-reads only those, taking every other file's facts from the cache.

Safety:
- Keys hash the content, the file's project-relative path, replint's own code (every module's bytes), the
  Python version and the parser library's version, so an upgrade or a local edit of replint never reuses stale
  facts. Nothing is keyed by modification time.
- One SQLite file in the user's cache directory (`$REPLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/replint`, else
  `~/.cache/replint`), written in transactions: a crash cannot leave a half-written entry, and two replint
  processes may run at once.
- Entries are plain data (`lint.plain`: JSON decoded against the type the reader expects), never pickles: reading
  an entry cannot run code, and one that was tampered with, truncated or written by another build is a miss.
  Still, the cache is only used where nobody else can write: the directory must belong to this user and not be
  writable by group or others, and the database must be a regular file of this user (never a symlink) that
  nobody else can write (it is created 0600, and made 0600 when others may read it). A corrupt database is
  rebuilt, never an error.
- No file text is stored: per-file facts hold what the model needs (secret literals are recorded as spans, not
  values), and a whole-run result keeps only the source lines its findings show, already masked.
- The cache is an accelerator only: with `--no-cache`, when the directory is read-only (a `--read-only`
  container), or on any SQLite error, replint does the full work and gives the same findings.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from lint import plain

FORMAT = 2  # 1 held pickles and whole file texts: its database is deleted on sight
MAX_FACT_BYTES = 256 * 1024 * 1024  # beyond this, the least recently used facts are dropped
KEEP_RESULTS = 16  # whole-run results kept (one per project and option set, typically)

T = TypeVar("T")


def cache_dir() -> Path:
    explicit = os.environ.get("REPLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "replint"


@cache
def code_key() -> str:
    """Identity of the code that produces facts: replint's modules, Python, and the SQL parser's version."""
    from importlib.util import find_spec

    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}".encode())
    # The SQL parser decides the facts too; its files' names and sizes identify the installed build without
    # importing it (importlib.metadata alone costs more than the rest of a cached run).
    spec = find_spec("pglast")
    for location in (spec.submodule_search_locations or []) if spec else []:
        for entry in sorted(Path(location).iterdir()):
            if entry.is_file():
                digest.update(f"{entry.name}:{entry.stat().st_size}".encode())
    from lint.resources import policies_dir, schema_path

    package = Path(__file__).resolve().parent
    # The code, and the data shipped with it: built-in policies, schemas and presets.
    files = [
        *sorted(package.rglob("*.py")),
        *sorted(package.glob("presets/*.yaml")),
        *sorted(policies_dir().glob("*.yaml")),
        *sorted(schema_path("").parent.glob("*.json")),
    ]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256(code_key().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))  # length-prefixed: no two part lists collide
        digest.update(data)
    return digest.hexdigest()


class Cache:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    # -- per-file facts ----------------------------------------------------------------------------------------

    def facts(self, keys: Iterable[str], expected: type[T]) -> dict[str, T]:
        """Stored facts for the keys that have them (entries that are not an `expected` are left out: re-read)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, T] = {}
        for i in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._query(f"SELECT key, data FROM facts WHERE key IN ({marks})", chunk)
            for k, data in rows:
                value = _load(data, expected)
                if value is not None:
                    found[k] = value
        if found:
            now = int(time.time())
            self._write("UPDATE facts SET used = ? WHERE key = ?", [(now, k) for k in found])
        return found

    def store_facts(self, items: dict[str, bytes]) -> None:
        """Store `lint.plain.dumps` bytes by key."""
        now = int(time.time())
        rows = [(k, data, now, len(data)) for k, data in items.items()]
        self._write("INSERT OR REPLACE INTO facts (key, data, used, size) VALUES (?, ?, ?, ?)", rows)
        self._trim()

    # -- whole-run results ---------------------------------------------------------------------------------------

    def result(self, run_key: str, expected: type[T]) -> T | None:
        rows = self._query("SELECT data FROM results WHERE key = ?", [run_key])
        return _load(rows[0][0], expected) if rows else None

    def store_result(self, run_key: str, value: object) -> None:
        try:
            data = plain.dumps(value)
        except plain.PlainError:
            return  # not storable: the next run does the work again
        now = time.time()
        self._write("INSERT OR REPLACE INTO results (key, data, used) VALUES (?, ?, ?)", [(run_key, data, now)])
        self._write(
            "DELETE FROM results WHERE key NOT IN (SELECT key FROM results ORDER BY used DESC LIMIT ?)",
            [(KEEP_RESULTS,)],
        )

    # -- plumbing ----------------------------------------------------------------------------------------------

    def _query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error:
            return []

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        try:
            with self._conn:
                self._conn.executemany(sql, rows)
        except sqlite3.Error:
            pass  # read-only, locked or full: the cache only ever speeds things up

    def _trim(self) -> None:
        rows = self._query("SELECT COALESCE(SUM(size), 0) FROM facts", [])
        if rows and rows[0][0] > MAX_FACT_BYTES:
            self._write(
                "DELETE FROM facts WHERE key IN (SELECT key FROM facts ORDER BY used ASC LIMIT "
                "(SELECT COUNT(*) / 2 FROM facts))",
                [()],
            )

    def close(self) -> None:
        self._conn.close()


def open_cache() -> Cache | None:
    """The cache, or None when it cannot be used safely (see the module docstring)."""
    directory = cache_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(directory):
            return None
        _drop_old(directory)
        path = directory / f"cache-v{FORMAT}.sqlite"
        if not _own_file(path):
            return None
        return Cache(_connect(path))
    except (OSError, sqlite3.Error):
        return None


def _own_file(path: Path) -> bool:
    """The database is a regular file of this user that only this user can read and write, created 0600 if
    missing. A symlink there (to another user's file) or a file others can write makes the cache unused."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        info = os.lstat(path)
        owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if not stat.S_ISREG(info.st_mode) or not owned or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return False  # a link, someone else's file, or one others could have written: never read
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            os.chmod(path, 0o600)  # an older replint let SQLite create it with the umask: make it private
        return True
    os.close(fd)
    return True


def _drop_old(directory: Path) -> None:
    """Format 1 stored pickles and every file's text: delete its database (only a regular file of this user)."""
    for version in range(1, FORMAT):
        old = directory / f"cache-v{version}.sqlite"
        try:
            info = os.lstat(old)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == os.getuid()):
            old.unlink(missing_ok=True)


def _private(directory: Path) -> bool:
    info = directory.stat()
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owned and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _connect(path: Path) -> sqlite3.Connection:
    for attempt in range(2):
        conn = sqlite3.connect(path, timeout=2.0)
        try:
            conn.executescript(
                "CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, data BLOB, used INTEGER, size INTEGER);"
                "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, data BLOB, used REAL);"
            )
            return conn
        except sqlite3.DatabaseError:
            conn.close()
            if attempt:
                raise
            path.unlink(missing_ok=True)  # not a database (corrupt, truncated): start over
    raise sqlite3.DatabaseError("unreachable")


def _load(data: object, expected: type[T]) -> T | None:
    if not isinstance(data, bytes):
        return None
    try:
        return plain.loads(data, expected)
    except plain.PlainError:
        return None  # tampered, truncated or written by another build: a miss
