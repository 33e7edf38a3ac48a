"""The issue-3 readers inside a whole project: discovery, includes, broken files, secrets in every format."""

from __future__ import annotations

import json
from pathlib import Path

from lint import __version__
from lint.output.json_out import render_json
from lint.output.text import render_text
from lint.run import run
from tests.lintkit import builtin_policies, lines, lint_tree, write_tree

CONFIG = """\
replication:
  connections:
    - type: postgresql
      uri: postgresql://powersync_role@db.internal:5432/app
storage:
  type: mongodb
  uri: !env PS_STORAGE_URI
"""


def test_broken_files_of_every_new_format_become_parse_errors_and_the_run_goes_on(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "config.yaml": CONFIG,
            "pg/postgresql.conf": "wal_level = = logical\nmax_slot_wal_keep_size = 10GB\nwal_level = replica\n",
            "pg/pg_hba.conf": "hostssl app powersync_role 10.0.0.0/33 scram-sha-256\nhost all all 0.0.0.0/0 trust\n",
            "mongo/init.js": 'db.createUser({user: "powersync", pwd: "x\n',
            "connect/a.properties": (
                "connector.class=io.debezium.connector.postgresql.PostgresConnector\n"
                "database.hostname=db.internal\ndatabase.user=dbz\ndatabase.dbname=app\nslot.name=\\u00zz\n"
            ),
        },
    )
    errors = lines(result, "parse-error")
    assert [line.split(":")[0] for line in errors] == [
        "connect/a.properties",
        "mongo/init.js",
        "pg/pg_hba.conf",
        "pg/postgresql.conf",
    ]
    assert any(line.startswith("pg/postgresql.conf:1:") for line in errors)
    assert any(line.startswith("pg/pg_hba.conf:1:") for line in errors)
    # The readable rest of each file is still judged.
    assert lines(result, "conf-wal-level-logical")[0].startswith("pg/postgresql.conf:3:1: error: wal_level = replica")
    assert lines(result, "hba-weak-auth-method")[0].startswith("pg/pg_hba.conf:2:")


def test_includes_are_followed_inside_the_project_only(tmp_path: Path) -> None:
    (tmp_path / "outside.conf").write_text("wal_level = logical\n", encoding="utf-8")
    project = tmp_path / "project"
    write_tree(
        project,
        {
            "postgresql.conf": (
                "include_dir 'conf.d'\n"
                "include '../outside.conf'\n"
                "include '/etc/postgresql/16/main/extra.conf'\n"
                "include_if_exists 'missing.conf'\n"
            ),
            "conf.d/10-replication.conf": "wal_level = replica\nmax_slot_wal_keep_size = 20GB\n",
        },
    )
    (project / "conf.d" / "20-link.conf").symlink_to(tmp_path / "outside.conf")
    result = run([project], list(builtin_policies()))
    found = lines(result)
    # The included file is judged once, as part of postgresql.conf, and its setting is located in it.
    assert [x for x in found if "[conf-wal-level-logical]" in x] == [
        "conf.d/10-replication.conf:1:1: error: wal_level = replica in conf.d/10-replication.conf: replication "
        "slots cannot be created ('logical decoding requires wal_level >= logical'), so no logical replication "
        "consumer can start; set wal_level = logical and restart the server (it only takes effect at start-up) "
        "[conf-wal-level-logical]"
    ]
    warnings = [x for x in found if "[parse-error]" in x]
    assert len(warnings) == 3, warnings
    assert all(": warning: " in x for x in warnings)
    assert any("postgresql.conf:2:" in x for x in warnings)
    assert any("postgresql.conf:3:" in x for x in warnings)
    assert any("conf.d/20-link.conf" in x or "postgresql.conf:1:" in x for x in warnings)
    assert result.findings.files == 1


def test_hba_group_files_and_multi_document_drasi_sources(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "pg_hba.conf": "host app @cdc_users 0.0.0.0/0 trust\n",
            "cdc_users": "drasi\n",
            "drasi/sources.yaml": (
                "apiVersion: v1\nkind: ContinuousQuery\nname: q\nspec: {}\n---\n"
                "apiVersion: v1\nkind: Source\nname: retail-ops\nspec:\n  kind: PostgreSQL\n  properties:\n"
                "    host: db.example.com\n    port: 5432\n    user: drasi\n"
                "    password: {kind: Secret, name: pg, key: pw}\n"
                "    database: app\n    ssl: true\n    tables: [public.orders]\n"
            ),
        },
    )
    assert lines(result, "hba-weak-auth-method") == [
        "pg_hba.conf:1:31: error: host line for drasi uses trust: anyone who can reach the server from 0.0.0.0/0 "
        "logs in as that user without a password and reads every table it can; use scram-sha-256 (on a hostssl "
        "line) [hba-weak-auth-method]"
    ]
    assert lines(result, "cfg-sslmode-weak")[0].startswith("drasi/sources.yaml:")


PLANTED = ("Zq8-debezium-secret", "Zq8-drasi-secret", "Zq8-neosync-secret", "Zq8-mongo-secret", "Zq8-props-secret")


def test_planted_passwords_never_appear_in_text_or_json(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "connect/a.json": (
                '{"name": "a", "config": {"connector.class": "io.debezium.connector.postgresql.PostgresConnector",'
                ' "database.hostname": "db.example.com", "database.user": "dbz", "database.dbname": "app",'
                f' "database.password": "{PLANTED[0]}"}}}}'
            ),
            "connect/b.properties": (
                "connector.class=io.debezium.connector.postgresql.PostgresConnector\n"
                f"database.hostname=db.example.com\ndatabase.user=dbz\ndatabase.password={PLANTED[4]}\n"
            ),
            "drasi/source.yaml": (
                "apiVersion: v1\nkind: Source\nname: retail\nspec:\n  kind: PostgreSQL\n  properties:\n"
                f"    host: db.example.com\n    port: 5432\n    user: drasi\n    password: {PLANTED[1]}\n"
                "    database: app\n    ssl: true\n    tables: [public.orders]\n"
            ),
            "neosync/prod.json": (
                '{"name": "prod-db", "connectionConfig": {"pgConfig": {"url": '
                f'"postgres://neosync:{PLANTED[2]}@db.example.com:5432/app"}}}}}}'
            ),
            "mongo/init.js": f'db.createUser({{user: "powersync", pwd: "{PLANTED[3]}", roles: ["root"]}})\n',
        },
    )
    result = run([tmp_path], list(builtin_policies()))
    assert len(lines(result, "cfg-plaintext-secret")) == 5
    text = render_text(result.findings, result.sources, oneline=False, color=False)
    as_json = render_json(result.findings, __version__)
    assert json.loads(as_json)["findings"]
    for secret in PLANTED:
        assert secret not in text
        assert secret not in as_json
