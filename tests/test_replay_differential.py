"""The replayed model agrees with PostgreSQL (issue 16): every SQL history the repository holds, and the
hand-written ones of `tests/replay_histories.py`, applied to a real cluster and replayed by replint, give the
same facts (`tests/replaydiff.py` says which). PostgreSQL is right wherever they differ.

Disagreements replint does not resolve yet are listed in `OPEN`, each with its reason, as strict expected
failures: fixing one makes its test pass, and pytest then says to take it off the list.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import pgcluster, replaydiff
from tests.lintkit import ROOT, lines, lint_tree
from tests.replay_histories import HISTORIES

BINDIR = pgcluster.find_bindir()
pytestmark = pgcluster.REQUIRED

OPEN = {
    "partitions-published": "PostgreSQL publishes the leaf partitions unless publish_via_partition_root",
    "do-block-dead-branch": "DO-block branches are replayed whether or not they can run",
}


def _policy_examples() -> Iterator[tuple[str, str]]:
    """The SQL files of every policy's examples and cases: the project's own fixtures."""
    folders = [ROOT / "policies", ROOT / "tests" / "policies"]
    for path in sorted(p for folder in folders for p in folder.rglob("*.yaml")):
        yield from _sql_in(yaml.safe_load(path.read_text(encoding="utf-8")), str(path.relative_to(ROOT)))


def _sql_in(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.endswith(".sql") and isinstance(value, str):
                yield f"{where}:{key}", value
            else:
                yield from _sql_in(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _sql_in(value, f"{where}/{i}")


def _fixtures() -> list[tuple[str, str]]:
    files = sorted(p for base in ("tests", "examples") for p in (ROOT / base).rglob("*.sql"))
    found = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8", errors="replace")) for p in files]
    return found + list(_policy_examples())


FIXTURES = _fixtures()


@pytest.fixture(scope="module")
def cluster() -> Iterator[pgcluster.Cluster]:
    assert BINDIR is not None
    base = pgcluster.make_base()
    started = pgcluster.start("replay", BINDIR, base, {"wal_level": "logical"})
    try:
        yield started
    finally:
        started.stop()
        shutil.rmtree(base, ignore_errors=True)


def _found(tmp_path: Path, files: dict[str, str], rule: str) -> list[str]:
    """The findings of one rule on these files, end to end (migrations in, findings out)."""
    return lines(lint_tree(tmp_path, files), rule)


def _agree(outcome: replaydiff.Outcome) -> None:
    assert not outcome.missing and not outcome.extra, (
        f"true on PostgreSQL, not in the replay: {sorted(map(str, outcome.missing))}; "
        f"replayed, false on PostgreSQL: {sorted(map(str, outcome.extra))}"
    )


def test_the_fixtures_agree_with_postgresql(cluster: pgcluster.Cluster) -> None:
    """All of them in one test: a few hundred histories, each in a fresh database."""
    assert len(FIXTURES) > 200
    disagreeing = {}
    facts = 0
    for name, sql in FIXTURES:
        outcome = replaydiff.run(cluster, sql)
        facts += len(outcome.server)
        if outcome.missing or outcome.extra:
            disagreeing[name] = (sorted(map(str, outcome.missing)), sorted(map(str, outcome.extra)))
    assert facts > 500  # the histories do reach the server
    assert not disagreeing


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=OPEN[n])) if n in OPEN else n
        for n in HISTORIES
    ],
)
def test_a_hand_written_history_agrees_with_postgresql(cluster: pgcluster.Cluster, name: str) -> None:
    outcome = replaydiff.run(cluster, HISTORIES[name])
    assert replaydiff.statements(outcome.accepted) == replaydiff.statements(HISTORIES[name])  # PostgreSQL took all
    _agree(outcome)


# Seeded random histories (tests/randomhistory.py): a sample here, the full set in bench/replay_agreement.py.
RANDOM_SAMPLE = range(60)
RANDOM_OPEN = {
    28: "an owner's privileges are ACL entries like any other: REVOKE ALL FROM the owner, then a new OWNER TO, "
    "leaves the new owner without SELECT; replint takes owning for SELECT",
}


def test_random_histories_agree_with_postgresql(cluster: pgcluster.Cluster) -> None:
    from tests import randomhistory

    disagreeing = {}
    for seed in RANDOM_SAMPLE:
        outcome = replaydiff.run(cluster, randomhistory.history(seed))
        if outcome.missing or outcome.extra:
            disagreeing[seed] = (sorted(map(str, outcome.missing)), sorted(map(str, outcome.extra)))
    assert set(disagreeing) == set(RANDOM_OPEN) & set(RANDOM_SAMPLE), disagreeing


def test_every_open_disagreement_names_a_history() -> None:
    assert set(OPEN) <= set(HISTORIES)


def test_the_harness_sees_a_disagreement(cluster: pgcluster.Cluster) -> None:
    """The comparison can fail: a replay that drops a fact PostgreSQL has is caught."""
    outcome = replaydiff.run(cluster, "CREATE ROLE cdc LOGIN REPLICATION;\n")
    assert ("role", "cdc", "replication", True) in outcome.server
    fact = ("role", "cdc", "replication", True)
    broken = replaydiff.Outcome(outcome.accepted, outcome.server, outcome.replayed - {fact})
    assert broken.missing == {fact}


# --- end to end: migrations -> findings, for each class fixed ----------------------------------------------

CDC_CONFIG = """\
replication:
  connections:
    - type: postgresql
      uri: postgresql://cdc@db.internal:5432/app
      sslmode: verify-full
storage:
  type: mongodb
  uri: mongodb://storage.internal/powersync
"""


@pytest.mark.parametrize(
    ("body", "superuser"),
    [
        ("BEGIN;\nALTER ROLE cdc SUPERUSER;\nROLLBACK;\n", False),
        ("BEGIN;\nALTER ROLE cdc SUPERUSER;\nCOMMIT;\n", True),
        ("BEGIN;\nSAVEPOINT s;\nALTER ROLE cdc SUPERUSER;\nROLLBACK TO SAVEPOINT s;\nCOMMIT;\n", False),
        ("BEGIN;\nSAVEPOINT s;\nALTER ROLE cdc SUPERUSER;\nRELEASE SAVEPOINT s;\nEND;\n", True),
        ("BEGIN;\nALTER ROLE cdc SUPERUSER;\n", True),  # left open: the migration tool's commit keeps it
        ("ALTER ROLE cdc SUPERUSER;\nROLLBACK;\n", True),  # no transaction to roll back (a warning in PostgreSQL)
    ],
)
def test_a_rolled_back_transaction_leaves_no_finding(tmp_path: Path, body: str, superuser: bool) -> None:
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1_role.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\n",
        "db/2_change.sql": body,
    }
    found = _found(tmp_path, files, "sql-cdc-role-superuser")
    assert bool(found) is superuser, found


def test_a_password_in_a_rolled_back_transaction_is_still_reported(tmp_path: Path) -> None:
    """PostgreSQL keeps nothing of it, but the file still holds the password."""
    body = "BEGIN;\nCREATE ROLE cdc LOGIN REPLICATION PASSWORD 'Sup3r-Secret-1';\nROLLBACK;\n"
    result = lint_tree(tmp_path, {"db/1.sql": body})
    assert any("[cfg-plaintext-secret]" in line and "role cdc" in line for line in lines(result)), lines(result)


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        ("ALTER TABLE public.todos DROP COLUMN id;\n", True),  # the key goes with its column
        ("ALTER TABLE public.todos DROP CONSTRAINT todos_key;\n", True),  # dropped by its own name
        ("ALTER TABLE public.todos DROP COLUMN note;\n", False),
        ("ALTER TABLE public.todos DROP CONSTRAINT todos_pkey;\n", False),  # not the key's name here
    ],
)
def test_a_primary_key_dropped_with_its_column_or_constraint_is_reported(
    tmp_path: Path, change: str, reported: bool
) -> None:
    files = {
        "db/1.sql": "CREATE TABLE public.todos (id int, note text, CONSTRAINT todos_key PRIMARY KEY (id));\n"
        "CREATE PUBLICATION powersync FOR TABLE public.todos;\n",
        "db/2.sql": change,
    }
    found = _found(tmp_path, files, "sql-published-table-replica-identity")
    assert bool(found) is reported, found


def test_a_key_added_with_its_column_counts(tmp_path: Path) -> None:
    files = {
        "db/1.sql": "CREATE TABLE public.todos (note text);\nCREATE PUBLICATION powersync FOR TABLE public.todos;\n",
        "db/2.sql": "ALTER TABLE public.todos ADD COLUMN id bigserial PRIMARY KEY;\n",
    }
    assert _found(tmp_path, files, "sql-published-table-replica-identity") == []


def test_an_idempotent_create_role_keeps_the_existing_role(tmp_path: Path) -> None:
    """PostgreSQL refuses CREATE ROLE for an existing role; the DO block swallows that, so REPLICATION stays."""
    guarded = "DO $$ BEGIN CREATE ROLE cdc LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1_role.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\n",
        "db/2_again.sql": guarded,
    }
    assert _found(tmp_path, files, "sql-cdc-role-replication-login") == []


def test_a_create_policy_alone_filters_no_snapshot(tmp_path: Path) -> None:
    """PostgreSQL applies no policy until RLS is enabled: no filtered-snapshot warning, the missing ENABLE instead."""
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1.sql": "CREATE ROLE cdc LOGIN REPLICATION;\n"
        "CREATE TABLE public.todos (id int PRIMARY KEY, owner text);\n"
        "GRANT SELECT ON public.todos TO cdc;\n"
        "CREATE POLICY own ON public.todos USING (owner = current_user);\n"
        "CREATE PUBLICATION powersync FOR TABLE public.todos;\n",
    }
    result = lint_tree(tmp_path, files)
    assert lines(result, "xf-rls-requires-bypass-or-failclosed") == []
    assert len(lines(result, "sql-row-policies-without-rls")) == 1


@pytest.mark.parametrize(
    ("migration", "reported"),
    [
        # a column grant is not SELECT on the table: the snapshot's SELECT * is refused
        ("GRANT SELECT (id) ON public.todos TO cdc;\n", True),
        # REVOKE GRANT OPTION FOR keeps the privilege itself
        ("GRANT SELECT ON public.todos TO cdc WITH GRANT OPTION;\n"
         "REVOKE GRANT OPTION FOR SELECT ON public.todos FROM cdc;\n", False),
        # without USAGE on schema public the snapshot fails: "permission denied for schema public"
        ("GRANT SELECT ON public.todos TO cdc;\nREVOKE ALL ON SCHEMA public FROM PUBLIC;\n", True),
        ("GRANT SELECT ON public.todos TO cdc;\nREVOKE ALL ON SCHEMA public FROM PUBLIC;\n"
         "GRANT USAGE ON SCHEMA public TO cdc;\n", False),
    ],
)
def test_table_and_schema_privileges_as_postgresql_grants_them(
    tmp_path: Path, migration: str, reported: bool
) -> None:
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\n"
        "CREATE TABLE public.todos (id int PRIMARY KEY, owner text);\n"
        "CREATE PUBLICATION powersync FOR TABLE public.todos;\n",
        "db/2.sql": migration,
    }
    found = _found(tmp_path, files, "sql-cdc-role-select-coverage")
    assert bool(found) is reported, found


def test_a_schema_created_for_the_login_needs_no_usage_grant(tmp_path: Path) -> None:
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\nCREATE SCHEMA app AUTHORIZATION cdc;\n"
        "CREATE TABLE app.todos (id int PRIMARY KEY);\nGRANT SELECT ON app.todos TO cdc;\n"
        "CREATE PUBLICATION powersync FOR TABLE app.todos;\n",
    }
    assert _found(tmp_path, files, "sql-cdc-role-select-coverage") == []


def test_owning_a_table_is_not_usage_on_its_schema(tmp_path: Path) -> None:
    """As PostgreSQL: the owner of app.todos without USAGE on schema app cannot read it."""
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\nCREATE SCHEMA app;\n"
        "CREATE TABLE app.todos (id int PRIMARY KEY);\nALTER TABLE app.todos OWNER TO cdc;\n"
        "CREATE PUBLICATION powersync FOR TABLE app.todos;\n",
    }
    assert len(_found(tmp_path, files, "sql-cdc-role-select-coverage")) == 1
