"""Replication slot names are unique per server, not per database — checked on a real server — and replint
reports two connectors of two databases of one server that take the same slot."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests import pgcluster
from tests.lintkit import lines, lint_tree

pytestmark = pgcluster.REQUIRED


def test_postgresql_refuses_a_slot_name_taken_in_another_database() -> None:
    bindir = pgcluster.find_bindir()
    assert bindir is not None
    base = pgcluster.make_base()
    cluster = pgcluster.start("slots", bindir, base, {"wal_level": "logical"})
    try:
        cluster.psql("CREATE DATABASE a")
        cluster.psql("CREATE DATABASE b")
        cluster.psql("SELECT pg_create_logical_replication_slot('debezium', 'pgoutput')", "a")
        try:
            cluster.psql("SELECT pg_create_logical_replication_slot('debezium', 'pgoutput')", "b")
        except RuntimeError as exc:
            assert 'replication slot "debezium" already exists' in str(exc)
        else:
            raise AssertionError("the second slot of the same name was created")
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_connectors_of_two_databases_of_one_server_collide_on_a_slot(tmp_path: Path) -> None:
    def connector(name: str, database: str) -> str:
        return (
            f'{{"name": "{name}", "config": {{"connector.class": "io.debezium.connector.postgresql.PostgresConnector",'
            f' "database.hostname": "db.internal", "database.user": "dbz", "database.dbname": "{database}"}}}}'
        )

    files = {"crm.json": connector("crm-cdc", "crm"), "hr.json": connector("hr-cdc", "hr")}
    found = lines(lint_tree(tmp_path, files), "xf-slot-publication-name-collisions")
    assert len(found) == 1 and "replication slot debezium" in found[0], found
