"""The fast SQL path (split with libpg_query's scanner, parse only the statements the model reads) must give
exactly the facts of parsing every statement: same events, spans, problems and secret spans."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.sources.sql import needed, read_sql
from tests.lintkit import ROOT


def _sql_corpus() -> list[tuple[str, str]]:
    """Every SQL text in the repository: examples, test data, policy cases and documented policy examples."""
    found: list[tuple[str, str]] = []
    for path in sorted(ROOT.glob("examples/**/*.sql")) + sorted(ROOT.glob("tests/data/**/*.sql")):
        found.append((path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")))
    docs = [*sorted((ROOT / "tests" / "policies").glob("*.yaml")), *sorted((ROOT / "policies").glob("*.yaml"))]
    for doc_path in docs:
        doc = yaml.safe_load(doc_path.read_text(encoding="utf-8"))
        trees = [case.get("files", {}) for case in doc.get("cases", [])]
        trees += [ex.get("files", {}) for ex in doc.get("examples", {}).values()]
        for tree in trees:
            found += [(f"{doc_path.name}:{name}", text) for name, text in tree.items() if name.endswith(".sql")]
    return found


CORPUS = _sql_corpus()


def _facts(path: str, text: str, *, every: bool) -> tuple[object, ...]:
    f = read_sql(path, text, every_statement=every)
    return f.events, f.problems, f.secret_spans


def test_the_corpus_is_substantial() -> None:
    assert len(CORPUS) > 150
    assert sum(text.count(";") for _, text in CORPUS) > 500


@pytest.mark.parametrize(("path", "text"), CORPUS, ids=[p for p, _ in CORPUS])
def test_fast_path_reads_the_same_facts(path: str, text: str) -> None:
    assert _facts(path, text, every=False) == _facts(path, text, every=True)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("CREATE ROLE x LOGIN", True),
        ("  -- a comment\n/* block */ create   user x", True),
        ("CREATE UNLOGGED TABLE t (id int)", True),
        ("CREATE INDEX i ON t (a)", False),
        ("CREATE OR REPLACE VIEW v AS SELECT 1", False),
        ("ALTER TABLE t ADD COLUMN c int", False),
        ("ALTER TABLE t ADD COLUMN owner_id int", True),  # conservative: a word containing OWNER costs a parse
        ("ALTER TABLE t REPLICA IDENTITY FULL", True),
        ("ALTER TABLE t ENABLE ROW LEVEL SECURITY", True),
        ("alter table t drop\n constraint t_pkey", True),
        ("ALTER TABLE t ADD PRIMARY KEY (id)", True),
        ("ALTER TABLE t RENAME TO u", True),
        ("ALTER SCHEMA s RENAME TO u", True),
        ("ALTER PUBLICATION p ADD TABLE t", True),
        ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO r", True),
        ("GRANT SELECT ON t TO r", True),
        ("SET ROLE admin", True),
        ("DO $$ BEGIN CREATE ROLE r; END $$", True),
        ("UPDATE t SET a = 1", False),
        ("COMMENT ON TABLE t IS 'CREATE ROLE x'", False),
        ("-- only a comment", False),
        ("", False),
    ],
)
def test_needed(statement: str, expected: bool) -> None:
    assert needed(statement) is expected


# Statements of every kind the model reads and many it does not, with traps for a splitter (quotes, dollar
# bodies, comments holding `;`), combined at random.
POOL = [
    "CREATE TABLE app.t (id bigint PRIMARY KEY, note text DEFAULT 'a;b')",
    "CREATE TABLE IF NOT EXISTS public.u (id int)",
    "ALTER TABLE app.t REPLICA IDENTITY FULL",
    "ALTER TABLE app.t ADD COLUMN c int",
    "ALTER TABLE app.t ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE app.t OWNER TO app_owner",
    "CREATE ROLE powersync_role WITH REPLICATION LOGIN PASSWORD 'hunter2hunter2'",
    "ALTER ROLE powersync_role BYPASSRLS",
    "GRANT SELECT ON ALL TABLES IN SCHEMA app TO powersync_role",
    "REVOKE INSERT ON app.t FROM public",
    "CREATE PUBLICATION powersync FOR TABLE app.t",
    "ALTER PUBLICATION powersync ADD TABLE public.u",
    "CREATE INDEX CONCURRENTLY i ON app.t (id)",
    "UPDATE app.t SET note = 'x;y' WHERE id = 1",
    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$",
    "DO $$ BEGIN EXECUTE 'x'; CREATE ROLE inside_do; END $$",
    "COMMENT ON TABLE app.t IS 'GRANT ALL; really'",
    "CREATE POLICY p ON app.t USING (true)",
    "DROP TABLE IF EXISTS public.u",
    "SET ROLE app_owner",
    "ALTER TABLE app.t RENAME TO t2",
    "CREATE SUBSCRIPTION s CONNECTION 'host=a dbname=b' PUBLICATION powersync",
    "ALTER SYSTEM SET wal_level = logical",
    "SELECT 1 /* ; */",
    "CREATE TABLE broken (",
]
SEPARATORS = [";\n", ";\n\n-- note; with a semicolon\n", "; ", ";\n/* block ; */\n"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=12),
    st.lists(st.sampled_from(SEPARATORS), min_size=12, max_size=12),
    st.booleans(),
)
def test_fast_path_matches_on_random_migrations(statements: list[str], seps: list[str], unicode: bool) -> None:
    text = "".join(s + sep for s, sep in zip(statements, seps, strict=False))
    if unicode:
        text = "-- Migration für Tabellen ✓\n" + text
    assert _facts("m.sql", text, every=False) == _facts("m.sql", text, every=True)


def test_syntax_errors_in_needed_statements_are_still_reported(tmp_path: Path) -> None:
    f = read_sql("m.sql", "CREATE TABLE ok (id int PRIMARY KEY);\nCREATE ROLE;\nGRANT SELECT ON ok TO r;\n")
    assert [(p.kind, p.span.line) for p in f.problems] == [("parse", 2)]
    assert len(f.events) == 2


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_a_comment_ends_at_a_carriage_return_as_in_postgresql(eol: str) -> None:
    """PostgreSQL's and psql's scanners end `--` comments at CR or LF (`non_newline [^\\n\\r]`): in a file saved
    with CR-only line endings the statement after a comment is read, not swallowed (a false all-clear)."""
    text = eol.join(["CREATE ROLE cdc REPLICATION LOGIN;", "-- grant it", "ALTER ROLE cdc SUPERUSER;", ""])
    events = read_sql("db/1.sql", text).events
    assert [type(e).__name__ for e in events] == ["RoleCreate", "RoleAlter"]
    assert getattr(events[1], "attrs", None) == (("superuser", True),)
