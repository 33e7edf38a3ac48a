"""The kinds of file replint reads, declared once: discovery (`lint.project`), the comment syntax of inline
suppressions (`lint.findings.suppress`) and the pre-commit hook's `files:` pattern (.pre-commit-hooks.yaml, checked by a
test) all come from `KINDS`.

A kind is decided by the file's name; which reader then takes a generic name (a `.yaml` that may be a PowerSync
config, sync rules, a Drasi source or a Neosync connection; a `.conf` that may be pg_hba.conf) is decided by its
content, in `lint.project`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    name: str
    suffixes: tuple[str, ...]  # lower-case name endings
    names: tuple[str, ...]  # lower-case whole names
    comment: str | None  # the line-comment marker a `replint: ignore[...]` directive uses; None: no comments
    reads: str  # what replint reads in such files, for messages and docs


KINDS: tuple[FileKind, ...] = (
    # Before `conf`: flyway.conf is Flyway's, not PostgreSQL's.
    FileKind("flyway", (), ("flyway.conf", "flyway.toml"), "#", "Flyway configs: the schemas migrations run in"),
    FileKind("sql", (".sql",), (), "--", "PostgreSQL migrations and setup scripts"),
    FileKind("conf", (".conf",), ("pg_hba", "postgresql.auto.conf"), "#", "postgresql.conf and pg_hba.conf"),
    FileKind("yaml", (".yaml", ".yml"), (), "#", "PowerSync configs and sync rules, Debezium, Drasi and Neosync"),
    FileKind("json", (".json",), (), None, "PowerSync configs, Debezium connector configs"),
    FileKind("properties", (".properties",), (), "#", "Debezium Server and Kafka Connect properties"),
    FileKind("js", (".js", ".mjs", ".cjs", ".mongodb"), (), "//", "MongoDB setup scripts (mongosh)"),
    FileKind("env", (".env",), (".env",), "#", ".env files: the values of !env references"),
)
_ENV = next(k for k in KINDS if k.name == "env")


def kind_of(name: str) -> FileKind | None:
    """The kind of a file by its name (the last path component), or None: replint does not read it."""
    lower = name.lower()
    for kind in KINDS:
        if kind is not _ENV and (lower in kind.names or lower.endswith(kind.suffixes)):
            return kind
    if name.startswith(".env.") or name.endswith(".env") or name == ".env":  # dotenv names are case-sensitive
        return _ENV
    return None


def suffixes(*kinds: str) -> tuple[str, ...]:
    return tuple(s for k in KINDS if k.name in kinds for s in k.suffixes)


def hook_files_pattern() -> str:
    """The pre-commit hook's `files:` regex: a commit touching none of these files skips the hook."""
    ends = sorted({s[1:] for k in KINDS for s in k.suffixes}, key=lambda s: (len(s), s))
    names = sorted({n for k in KINDS for n in k.names if not n.endswith(tuple(s for k2 in KINDS for s in k2.suffixes))})
    parts = [r"\.(" + "|".join(re.escape(e) for e in ends) + ")", r"(^|/)\.env(\.[^/]*)?"]
    parts += [rf"(^|/){re.escape(n)}" for n in names if n != ".env"]
    return "(?i)(" + "|".join(parts) + ")$"
