"""Golden output for the example projects (actionlint-style): the exact findings a user sees.

Regenerate after an intended change with `REPLINT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`
and review the diff like code.
"""

from __future__ import annotations

import os

import pytest

from lint.output.text import render_text
from lint.run import run
from tests.lintkit import ROOT, builtin_policies

EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir())
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_golden_output(name: str) -> None:
    result = run([ROOT / "examples" / name], list(builtin_policies()))
    actual = render_text(result.findings, result.sources, oneline=False, color=False)
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("REPLINT_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with REPLINT_UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8")


def test_good_example_has_no_error_or_warning() -> None:
    result = run([ROOT / "examples" / "powersync-supabase-good"], list(builtin_policies()))
    assert [f for f in result.findings.findings if f.severity.label != "info"] == []


def test_bad_example_shows_the_four_asked_for_checks_at_their_lines() -> None:
    result = run([ROOT / "examples" / "powersync-supabase-bad"], list(builtin_policies()))
    where = {(f.rule, f.span.path, f.span.line) for f in result.findings.findings}
    assert ("sql-cdc-role-superuser", "supabase/migrations/20240301120000_fixes.sql", 2) in where
    assert ("cfg-storage-shares-source-server", "powersync/config.yaml", 13) in where
    assert ("cfg-mongo-post-images-mode", "services/events-sync/powersync.yaml", 4) in where
    assert (
        "xf-rls-requires-bypass-or-failclosed",
        "supabase/migrations/20240101000000_init.sql",
        23,
    ) in where


def test_golden_files_have_no_stale_entries() -> None:
    stale = sorted(p.stem for p in GOLDEN.glob("*.txt") if p.stem not in EXAMPLES)
    assert not stale, f"golden files without an example: {stale}"


def _where(name: str) -> set[tuple[str, str, int]]:
    result = run([ROOT / "examples" / name], list(builtin_policies()))
    return {(f.rule, f.span.path, f.span.line) for f in result.findings.findings}


def test_debezium_example_shows_what_its_readme_promises() -> None:
    where = _where("debezium-postgres-bad")
    for expected in [
        ("conf-wal-level-logical", "postgres/postgresql.conf", 7),
        ("conf-replication-capacity", "postgres/postgresql.conf", 9),
        ("conf-slot-wal-retention", "postgres/postgresql.conf", 1),
        ("hba-weak-auth-method", "postgres/pg_hba.conf", 4),
        ("hba-physical-replication-entry", "postgres/pg_hba.conf", 6),
        ("hba-ssl-not-enforced", "postgres/pg_hba.conf", 6),
        ("xf-slot-publication-name-collisions", "connect/orders-connector.json", 1),
        ("cfg-plaintext-secret", "connect/orders-connector.json", 9),
        ("cfg-plaintext-secret", "db/migrations/V2__debezium.sql", 2),
        ("cfg-sslmode-weak", "connect/customers-connector.properties", 9),
        ("dbz-heartbeat-disabled", "connect/orders-connector.json", 1),
        ("dbz-publication-coverage", "connect/customers-connector.properties", 12),
        ("sql-published-table-replica-identity", "db/migrations/V1__schema.sql", 13),
    ]:
        assert expected in where, expected


def test_mongodb_example_shows_what_its_readme_promises() -> None:
    where = _where("powersync-mongodb-bad")
    for expected in [
        ("xf-mongo-post-images-vs-privileges", "powersync/sync-config.yaml", 6),
        ("mongo-change-stream-privileges", "mongo/02-powersync-user.js", 18),
        ("mongo-write-overgrant", "mongo/02-powersync-user.js", 23),
        ("cfg-plaintext-secret", "mongo/02-powersync-user.js", 20),
    ]:
        assert expected in where, expected
