"""The behaviours the core is built on: replay order, final state, server identity, RLS remedy per client,
parse errors isolated, secrets never in output."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint import conninfo
from lint.model.replay import migration_key
from lint.sources.sql import read_sql
from tests.lintkit import lines, lint_tree

ROLE = "CREATE ROLE powersync_role WITH REPLICATION LOGIN PASSWORD :'pw';\n"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["V10__b.sql", "V2__a.sql", "V1__x.sql"], ["V1__x.sql", "V2__a.sql", "V10__b.sql"]),
        (["20240301120000_b.sql", "20231231235959_a.sql"], ["20231231235959_a.sql", "20240301120000_b.sql"]),
        (["010_c.sql", "9_b.sql", "1_a.sql"], ["1_a.sql", "9_b.sql", "010_c.sql"]),
        (["V1_10__x.sql", "V1_9__y.sql"], ["V1_9__y.sql", "V1_10__x.sql"]),
        (["init.sql", "V1__a.sql"], ["V1__a.sql", "init.sql"]),
        (["part10.sql", "part9.sql"], ["part9.sql", "part10.sql"]),
    ],
)
def test_migrations_order_by_version_not_text(names: list[str], expected: list[str]) -> None:
    assert sorted(names, key=lambda n: migration_key(f"db/{n}")) == expected


def test_replay_in_version_order_then_judge_the_final_state(tmp_path: Path) -> None:
    # Lexicographically V10 sorts before V2; replayed by version, the NOSUPERUSER in V10 is the last word.
    result = lint_tree(
        tmp_path,
        {
            "db/V1__roles.sql": ROLE,
            "db/V2__oops.sql": "ALTER ROLE powersync_role SUPERUSER;\n",
            "db/V10__fix.sql": "ALTER ROLE powersync_role NOSUPERUSER;\n",
        },
    )
    assert lines(result, "sql-cdc-role-superuser") == []


def test_final_state_keeps_a_later_grant(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "db/V1__roles.sql": ROLE,
            "db/V2__fix.sql": "ALTER ROLE powersync_role NOSUPERUSER;\n",
            "db/V10__oops.sql": "ALTER ROLE powersync_role SUPERUSER;\n",
        },
    )
    assert [ln.split(": error")[0] for ln in lines(result, "sql-cdc-role-superuser")] == ["db/V10__oops.sql:1:1"]


def test_revoke_clears_a_superuser_membership(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "db/V1__roles.sql": ROLE + "CREATE ROLE admin_grp SUPERUSER NOLOGIN;\n",
            "db/V2__grant.sql": "GRANT admin_grp TO powersync_role;\n",
            "db/V3__revoke.sql": "REVOKE admin_grp FROM powersync_role;\n",
        },
    )
    assert [ln for ln in lines(result, "sql-cdc-role-superuser") if "powersync_role" in ln] == []


def test_transitive_membership_and_provider_admin_are_superuser_power(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "db/V1.sql": ROLE + "CREATE ROLE middle NOLOGIN;\nGRANT rds_superuser TO middle;\n"
            "GRANT middle TO powersync_role;\n",
        },
    )
    found = lines(result, "sql-cdc-role-superuser")
    assert any("powersync_role -> middle -> rds_superuser" in ln and ":4:1:" in ln for ln in found), found


def test_set_false_blocks_the_set_role_path(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "db/V1.sql": ROLE + "CREATE ROLE admin_grp SUPERUSER NOLOGIN;\n"
            "GRANT admin_grp TO powersync_role WITH SET FALSE, INHERIT FALSE;\n",
        },
    )
    assert [ln for ln in lines(result, "sql-cdc-role-superuser") if "powersync_role" in ln] == []


def test_identifier_folding_follows_postgresql() -> None:
    f = read_sql("m.sql", 'CREATE ROLE PowerSync_Role LOGIN;\nCREATE ROLE "MixedCase" LOGIN;\n')
    assert [getattr(e, "name", None) for e in f.events] == ["powersync_role", "MixedCase"]


def test_psql_variables_and_meta_commands_do_not_break_parsing() -> None:
    f = read_sql("m.sql", "\\set pw 'x'\nCREATE ROLE r LOGIN PASSWORD :'pw';\nSELECT 1::int;\n")
    assert f.problems == ()
    assert getattr(f.events[0], "password", None) == "variable"


def test_sql_in_do_blocks_is_read_at_its_line() -> None:
    f = read_sql("m.sql", "DO $$\nBEGIN\n  CREATE ROLE x SUPERUSER;\n  EXECUTE 'GRANT y TO x';\nEND\n$$;\n")
    assert [(type(e).__name__, e.span.line) for e in f.events] == [("RoleCreate", 3), ("RoleGrant", 4)]


def test_parse_error_is_isolated_to_its_statement(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "db/V1.sql": "CREATE ROLE a SUPERUSER;\nGRANT SELECT ON t TO;\nCREATE ROLE b SUPERUSER;\n",
            "db/V2.sql": "CREATE ROLE c SUPERUSER;\n",
        },
    )
    assert [ln.split(": ")[0] for ln in lines(result, "parse-error")] == ["db/V1.sql:2:21"]
    # The statements around the bad one, and the other file, are still judged.
    assert len(lines(result, "sql-cdc-role-superuser")) == 3


def test_unreadable_files_become_findings(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "bin.sql").write_bytes(b"CREATE ROLE a;\x00\x01")
    (tmp_path / "db" / "latin1.sql").write_bytes("-- caf\xe9\nCREATE ROLE a;".encode("latin-1"))
    result = lint_tree(tmp_path, {"config.yaml": "replication: [unclosed\n"})
    found = lines(result, "parse-error")
    assert any(ln.startswith("db/bin.sql:1:1") and "binary" in ln for ln in found), found
    assert any(ln.startswith("db/latin1.sql:1:1") and "UTF-8" in ln for ln in found), found
    assert any(ln.startswith("config.yaml:") and "YAML" in ln for ln in found), found


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("postgresql://u@localhost:5432/a", "postgresql://v@127.0.0.1/b", True),
        ("postgresql://u@[::1]:5432/a", "postgresql://v@localhost/b", True),
        ("postgresql:///a", "postgresql://v@127.0.0.1:5432/b", True),
        ("postgresql://u@db.example.com/a", "postgresql://v@DB.EXAMPLE.COM.:5432/b", True),
        ("postgresql://u@localhost:5432/a", "postgresql://v@localhost:5433/b", False),
        ("postgresql://u@db1.example.com/a", "postgresql://v@db2.example.com/b", False),
        (
            "postgresql://u@ep-cool-1-pooler.eu-central-1.aws.neon.tech/a",
            "postgresql://v@ep-cool-1.eu-central-1.aws.neon.tech/b",
            True,
        ),
        (
            "postgresql://u@db.abcd.supabase.co/a",
            "postgresql://postgres.abcd@aws-0-eu-west-1.pooler.supabase.com:6543/b",
            True,
        ),
    ],
)
def test_server_identity(a: str, b: str, same: bool) -> None:
    ea = conninfo.server_endpoints(conninfo.parse(a), 5432)
    eb = conninfo.server_endpoints(conninfo.parse(b), 5432)
    assert bool(ea & eb) is same


def _ps_config(source: str, storage: str) -> str:
    return (
        f"replication:\n  connections:\n    - type: postgresql\n      uri: {source}\n"
        f"storage:\n  type: postgresql\n  uri: {storage}\n"
    )


def test_storage_on_loopback_alias_is_the_same_server(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path, {"config.yaml": _ps_config("postgresql://a@localhost/app", "postgresql://b@[::1]:5432/st")}
    )
    assert [ln.split(": ")[1] for ln in lines(result, "cfg-storage-shares-source-server")] == ["error"]


def test_storage_behind_env_is_resolved_from_dotenv(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "config.yaml": _ps_config("!env PS_SOURCE", "!env PS_STORAGE"),
            ".env": "PS_SOURCE=postgresql://a:secret1@localhost:5432/app\nPS_STORAGE=postgresql://b@127.0.0.1/st\n",
        },
    )
    found = lines(result, "cfg-storage-shares-source-server")
    assert len(found) == 1 and ": error: " in found[0] and ".env" in found[0]
    assert "secret1" not in found[0]


def test_same_env_variable_is_the_same_server(tmp_path: Path) -> None:
    result = lint_tree(tmp_path, {"config.yaml": _ps_config("!env PS_DB", "!env PS_DB")})
    assert ": error: " in lines(result, "cfg-storage-shares-source-server")[0]


def test_unresolvable_env_is_reported_as_unknown_not_guessed(tmp_path: Path) -> None:
    result = lint_tree(tmp_path, {"config.yaml": _ps_config("!env PS_A", "!env PS_B")})
    assert ": info: " in lines(result, "cfg-storage-shares-source-server")[0]


RLS_SQL = (
    "CREATE TABLE public.todos (id uuid PRIMARY KEY);\n"
    "ALTER TABLE public.todos ENABLE ROW LEVEL SECURITY;\n"
    "CREATE ROLE cdc WITH REPLICATION LOGIN PASSWORD :'pw';\n"
    "GRANT SELECT ON public.todos TO cdc;\n"
    "CREATE PUBLICATION powersync FOR TABLE public.todos;\n"
)
SYNC = "sync_config:\n  content: |\n    streams:\n      t:\n        query: SELECT * FROM todos\n"


def test_rls_remedy_for_powersync_is_bypassrls_even_with_uri_options(tmp_path: Path) -> None:
    cfg = (
        "replication:\n  connections:\n    - type: postgresql\n"
        "      uri: postgresql://cdc@db.internal/app?options=-c%20row_security%3Doff\n"
        "storage:\n  type: mongodb\n  uri: !env PS_ST\n" + SYNC
    )
    found = lines(
        lint_tree(tmp_path, {"config.yaml": cfg, "db/V1.sql": RLS_SQL}),
        "xf-rls-requires-bypass-or-failclosed",
    )
    assert len(found) == 1
    assert "BYPASSRLS" in found[0] and "has no effect" in found[0] and found[0].startswith("db/V1.sql:2:1:")


def test_rls_role_setting_row_security_off_satisfies_powersync(tmp_path: Path) -> None:
    cfg = (
        "replication:\n  connections:\n    - type: postgresql\n      uri: postgresql://cdc@db.internal/app\n"
        "storage:\n  type: mongodb\n  uri: !env PS_ST\n" + SYNC
    )
    sql = RLS_SQL + "ALTER ROLE cdc SET row_security = off;\n"
    assert (
        lines(
            lint_tree(tmp_path, {"config.yaml": cfg, "db/V1.sql": sql}),
            "xf-rls-requires-bypass-or-failclosed",
        )
        == []
    )


@pytest.mark.parametrize(
    ("conn", "verdict"),
    [
        ("host=pub user=cdc dbname=app", "warning"),
        ("host=pub user=cdc dbname=app options=-crow_security=off", None),
        ("host=pub user=cdc dbname=app options='-c row_security=off'", None),
        ("postgresql://cdc@pub/app?options=-c%20row_security%3Doff", None),
        ("postgresql://cdc@pub/app?options=-crow_security=off", "error"),
    ],
)
def test_rls_remedy_for_subscriptions_is_the_options_parameter(tmp_path: Path, conn: str, verdict: str | None) -> None:
    sql = RLS_SQL.replace("powersync", "pub1") + (
        f"CREATE SUBSCRIPTION sub1 CONNECTION '{conn.replace(chr(39), chr(39) * 2)}' PUBLICATION pub1;\n"
    )
    found = lines(lint_tree(tmp_path, {"db/V1.sql": sql}), "xf-rls-requires-bypass-or-failclosed")
    if verdict is None:
        assert found == []
    else:
        assert len(found) == 1 and f": {verdict}: " in found[0], found
        assert "options=" in found[0]


@pytest.mark.parametrize("indent", [4, 6, 8])
def test_inline_sync_rules_point_at_the_exact_table(tmp_path: Path, indent: int) -> None:
    pad = " " * indent
    cfg = (
        "replication:\n  connections:\n    - type: postgresql\n      uri: postgresql://cdc@db.internal/app\n"
        "storage:\n  type: mongodb\n  uri: !env PS_ST\n"
        f"sync_config:\n  content: |\n{pad}streams:\n{pad}  t:\n{pad}    query: SELECT * FROM todos\n"
    )
    sql = "CREATE TABLE public.todos (id uuid PRIMARY KEY);\nCREATE PUBLICATION powersync FOR TABLE public.x;\n"
    found = lines(lint_tree(tmp_path, {"config.yaml": cfg, "db/V1.sql": sql}), "xf-publication-covers-sync-tables")
    col = indent + len("    query: SELECT * FROM ") + 1
    assert [ln.split(": ")[0] for ln in found if ln.startswith("config")] == [f"config.yaml:12:{col}"]


def test_inline_sync_rules_in_a_quoted_scalar(tmp_path: Path) -> None:
    cfg = (
        "replication:\n  connections:\n    - type: postgresql\n      uri: postgresql://cdc@db.internal/app\n"
        "storage:\n  type: mongodb\n  uri: !env PS_ST\n"
        'sync_config:\n  content: "bucket_definitions: {b: {data: [SELECT * FROM todos]}}"\n'
    )
    sql = "CREATE TABLE public.todos (id uuid PRIMARY KEY);\nCREATE PUBLICATION powersync FOR TABLE public.x;\n"
    found = lines(lint_tree(tmp_path, {"config.yaml": cfg, "db/V1.sql": sql}), "xf-publication-covers-sync-tables")
    text_col = cfg.split("\n")[8].index("todos") + 1
    assert [ln.split(": ")[0] for ln in found if ln.startswith("config")] == [f"config.yaml:9:{text_col}"]
