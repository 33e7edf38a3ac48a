"""Flyway configuration (`flyway.conf`, `flyway.toml`): the schemas its migrations run in.

Flyway runs every migration with the configured default schema first on the search_path (`defaultSchema`, else
the first of `schemas`), and creates the listed schemas before the first migration unless `createSchemas` is
false. So an unqualified `CREATE TABLE claim` in such a project makes `claims.claim`, not `public.claim`. Only
these keys are read; the URL, user and password are not (a password in it is Flyway's business, and no value
of this file is ever shown).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from lint.span import Span


@dataclass(frozen=True)
class FlywaySettings:
    path: str
    schemas: tuple[str, ...]  # the default schema first
    creates_schemas: bool
    span: Span  # where the schema setting is written


def read_flyway(path: str, text: str) -> FlywaySettings | None:
    """The schema settings of one Flyway config; None when it sets no schema (PostgreSQL's default applies)."""
    if path.endswith(".toml"):
        return _toml(path, text)
    values: dict[str, tuple[str, int]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "!")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = (value.strip(), number)
    return _settings(
        path,
        values.get("flyway.defaultSchema"),
        values.get("flyway.schemas"),
        values.get("flyway.createSchemas", ("true", 0))[0],
    )


def _toml(path: str, text: str) -> FlywaySettings | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    section = data.get("flyway")
    if not isinstance(section, dict):
        return None
    line = next((n for n, raw in enumerate(text.splitlines(), start=1) if "schema" in raw.lower()), 1)
    default = section.get("defaultSchema")
    schemas = section.get("schemas")
    listed = ",".join(s for s in schemas if isinstance(s, str)) if isinstance(schemas, list) else None
    creates = section.get("createSchemas", True)
    return _settings(
        path,
        (default, line) if isinstance(default, str) else None,
        (listed, line) if listed else None,
        "true" if creates is not False else "false",
    )


def _settings(
    path: str, default: tuple[str, int] | None, schemas: tuple[str, int] | None, creates: str
) -> FlywaySettings | None:
    listed = [s.strip().strip('"') for s in (schemas[0].split(",") if schemas else []) if s.strip()]
    first = default[0].strip().strip('"') if default and default[0].strip() else None
    ordered = tuple(dict.fromkeys([*([first] if first else []), *listed]))
    if not ordered:
        return None
    line = (default or schemas or ("", 1))[1]
    return FlywaySettings(path, ordered, creates.strip().lower() != "false", Span.point(path, max(line, 1)))
