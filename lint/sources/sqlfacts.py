"""Reading many migrations: facts from the cache where the content is unchanged, the rest parsed — in several
processes when there are enough of them to pay for starting the processes.

The result is the same list, in the same order, whatever the cache holds and however many processes parse:
`tests/test_speed_paths.py` checks it, `bench/vs_squawk.py` checks it on the shared corpus.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lint import plain
from lint.sources.sql import SqlFile, read_sql

if TYPE_CHECKING:
    from lint.cache import Cache

# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 200
_CHUNK = 64


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def read_all(items: Sequence[tuple[str, str]], *, jobs: int, store: Cache | None) -> list[SqlFile]:
    """Facts of each (project-relative path, text), in order."""
    from lint import cache as cache_mod

    keys = [cache_mod.key("sql", rel, text) for rel, text in items] if store is not None else []
    found = store.facts(keys, SqlFile) if store is not None else {}
    results: list[SqlFile | None] = [None] * len(items)
    todo: list[int] = []
    for i in range(len(items)):
        hit = found.get(keys[i]) if keys else None
        if hit is not None and hit.path == items[i][0]:
            results[i] = hit
        else:
            todo.append(i)
    parsed = _parse([items[i] for i in todo], jobs)
    fresh: dict[str, bytes] = {}
    for i, data in zip(todo, parsed, strict=True):
        facts = plain.loads(data, SqlFile) if isinstance(data, bytes) else data
        results[i] = facts
        if keys:
            fresh[keys[i]] = data if isinstance(data, bytes) else plain.dumps(facts)
    if store is not None and fresh:
        store.store_facts(fresh)
    return [r for r in results if r is not None]


def _parse(items: list[tuple[str, str]], jobs: int) -> list[SqlFile | bytes]:
    if jobs <= 1 or len(items) < PARALLEL_MIN_FILES:
        return [read_sql(rel, text) for rel, text in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork starts workers in milliseconds with replint already imported; macOS and Windows lack a safe fork.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
        return [data for chunk in pool.map(_parse_chunk, chunks) for data in chunk]


def _parse_chunk(items: list[tuple[str, str]]) -> list[bytes]:
    # Encoded here, once, in parallel: the parent both decodes and caches these bytes.
    return [plain.dumps(read_sql(rel, text)) for rel, text in items]
