"""The fuzz corpus: every real input the repository holds, sorted by the reader that reads it.

Seeds are whole project trees (a policy test case, a policy's documented example, a bundled example project,
a reader test's fixture) with one file marked as the target to mutate, so a mutated file is read in the
company it is written for (a sync config next to its PowerSync config, an include next to its postgresql.conf).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import lint.sources
from lint import project
from lint.sources import compose, debezium, drasi, hba, kinds, mongo, neosync, powersync, syncrules
from lint.yamlsrc import load_all_located

ROOT = Path(__file__).resolve().parent.parent

# `clients` holds the connection shape Drasi and Neosync share; it has no entry point of its own and is read
# through those two. `dialect` is asked by the SQL reader, and fuzzed through it. Every other module under
# lint/sources is a reader and must have seeds.
SHARED_MODULES = frozenset({"clients", "dialect", "kinds", "sqlfacts"})
# Read by lint.project itself rather than a module under lint/sources.
PROJECT_READERS = frozenset({"env"})


@dataclass(frozen=True)
class Seed:
    origin: str  # where the tree comes from, for failure messages
    files: tuple[tuple[str, str], ...]  # the whole tree: (relative path, text)
    target: str  # the file a fuzz example mutates


def reader_modules() -> frozenset[str]:
    """Every reader module under lint/sources, discovered, so a new reader without seeds fails the suite."""
    names = {m.name for m in pkgutil.iter_modules(lint.sources.__path__)}
    for name in names:
        importlib.import_module(f"lint.sources.{name}")
    return frozenset(names - SHARED_MODULES) | PROJECT_READERS


def kind_of(rel: str, text: str) -> str | None:
    """Which reader lint.project hands this file to (by name, then by content, as discovery does)."""
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    by_name = kinds.kind_of(name)
    if by_name is not None and by_name.name == "flyway":
        return "flyway"
    if lower.endswith(".sql"):
        return "sql"
    if lower.endswith(".conf") or lower in ("pg_hba", "postgresql.auto.conf"):
        if "hba" in lower or hba.looks_like_hba(text):
            return "hba"
        return "pgconf"
    if lower.endswith(".properties"):
        return "debezium" if debezium.looks_like_debezium_properties(text) else None
    if lower.endswith(project.JS_EXT):
        return "mongo" if mongo.looks_like_mongo_js(text) else None
    if lower.endswith(project.YAML_EXT):
        if compose.is_compose_name(name) and any(
            compose.looks_like_compose(d.data) for d in load_all_located(rel, text, env_tag=False)
        ):
            return "compose"
        return _yaml_kind(rel, text)
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return "env"
    return None


def _yaml_kind(rel: str, text: str) -> str | None:
    for doc in load_all_located(rel, text):
        data = doc.data
        if powersync.looks_like_config(data):
            return "powersync"
        if syncrules.looks_like_sync_rules(data):
            return "syncrules"
        if debezium.looks_like_debezium_doc(data):
            return "debezium"
        if drasi.looks_like_drasi_source(data):
            return "drasi"
        if neosync.looks_like_neosync_connection(data):
            return "neosync"
        if mongo.looks_like_mongo_doc(data):
            return "mongo"
    return None


def _trees() -> Iterator[tuple[str, dict[str, str]]]:
    for path in sorted((ROOT / "tests" / "policies").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data.get("cases", []):
            yield f"tests/policies/{path.name}: {case.get('name', '?')}", dict(case.get("files") or {})
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for which, example in (data.get("examples") or {}).items():
            yield f"policies/{path.name}: {which} example", dict(example.get("files") or {})
    for example in sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir()):
        files = {
            f.relative_to(example).as_posix(): f.read_text(encoding="utf-8")
            for f in sorted(example.rglob("*"))
            if f.is_file() and f.name != "README.md"
        }
        yield f"examples/{example.name}", files
    yield from _reader_fixtures()


def _reader_fixtures() -> Iterator[tuple[str, dict[str, str]]]:
    """The hand-written fixtures of the reader tests: shapes the policy cases do not all use."""
    from tests import (
        test_clients_reader,
        test_debezium_reader,
        test_hba,
        test_mongo_reader,
        test_pgconf,
        test_syncrules,
    )

    fixtures: list[tuple[str, str, Any]] = [
        ("test_clients_reader.DRASI", "drasi/source.yaml", test_clients_reader.DRASI),
        ("test_clients_reader.NEOSYNC_HOST", "neosync/connection.yaml", test_clients_reader.NEOSYNC_HOST),
        ("test_clients_reader.NEOSYNC_URL", "neosync/connection.yaml", test_clients_reader.NEOSYNC_URL),
        ("test_debezium_reader.REGISTER_POSTGRES", "connect/register.json", test_debezium_reader.REGISTER_POSTGRES),
        ("test_debezium_reader.STRIMZI", "k8s/connector.yaml", test_debezium_reader.STRIMZI),
        ("test_debezium_reader.SERVER", "connect/server.properties", test_debezium_reader.SERVER),
        ("test_debezium_reader.STANDALONE", "connect/pg.properties", test_debezium_reader.STANDALONE),
        ("test_mongo_reader.FIXED", test_mongo_reader.PATH, test_mongo_reader.FIXED),
        ("test_mongo_reader.DOCKER_INIT", test_mongo_reader.PATH, test_mongo_reader.DOCKER_INIT),
        ("test_hba.DEBIAN", test_hba.PATH, test_hba.DEBIAN),
        ("test_pgconf.DOCKER_CONF", test_pgconf.TOP, test_pgconf.DOCKER_CONF),
        ("test_syncrules.LEGACY", test_syncrules.PATH, test_syncrules.LEGACY),
        ("test_syncrules.STREAMS", test_syncrules.PATH, test_syncrules.STREAMS),
        ("test_syncrules.CTES", test_syncrules.PATH, test_syncrules.CTES),
        ("test_syncrules.BROKEN_SQL", test_syncrules.PATH, test_syncrules.BROKEN_SQL),
    ]
    for origin, rel, text in fixtures:
        yield f"tests/{origin}", {rel: text}
    yield "tests/test_pgconf.PROJECT", dict(test_pgconf.PROJECT)


@cache
def seeds_by_kind() -> dict[str, tuple[Seed, ...]]:
    """Every (tree, file) pair of the corpus, grouped by the reader of the file."""
    out: dict[str, list[Seed]] = {}
    for origin, files in _trees():
        frozen = tuple(sorted(files.items()))
        for rel, text in frozen:
            kind = kind_of(rel, text)
            if kind is not None:
                out.setdefault(kind, []).append(Seed(origin, frozen, rel))
    return {kind: tuple(seeds) for kind, seeds in sorted(out.items())}


def all_trees() -> list[tuple[str, dict[str, str]]]:
    return list(_trees())
