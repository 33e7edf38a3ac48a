"""Messages say what is true of the case at hand: no empty or placeholder names, no network for a local socket."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint.conninfo import host_class
from lint.model.builder import _distinct_names
from tests.lintkit import lines, lint_tree


@pytest.mark.parametrize("host", ["${PG_DATABASE_HOSTNAME}", "{{ .Values.host }}", "$PGHOST"])
def test_a_template_placeholder_is_no_host_class(host: str) -> None:
    assert host_class(host) == "unknown"


def test_holders_of_one_name_are_told_apart_by_file() -> None:
    a = {"name": "connector application", "slot_name_origin": {"path": "a/application.properties", "line": 3}}
    b = {"name": "connector application", "slot_name_origin": {"path": "b/application.properties", "line": 5}}
    names = _distinct_names(a, b)
    assert names == {
        "first": "connector application in a/application.properties",
        "second": "connector application in b/application.properties",
    }
    same_file = _distinct_names(a, {**a, "slot_name_origin": {"path": "a/application.properties", "line": 9}})
    assert same_file["first"] != same_file["second"]


def test_disable_on_the_default_socket_names_it_and_does_not_cross_a_network(tmp_path: Path) -> None:
    config = (
        "replication:\n  connections:\n    - type: postgresql\n      uri: postgresql://powersync_role@/app\n"
        "      password: !env PS_PG_PASSWORD\n      sslmode: disable\n"
        "storage:\n  type: mongodb\n  uri: !env PS_MONGO_URI\n"
    )
    found = lines(lint_tree(tmp_path, {"config.yaml": config}), "cfg-sslmode-weak")
    assert len(found) == 1
    assert "the default Unix socket" in found[0] and "()" not in found[0] and "cross the network" not in found[0]


def test_unused_tables_of_for_all_tables_are_that_publications_finding(tmp_path: Path) -> None:
    files = {
        "migrations/V1__app.sql": (
            "CREATE TABLE public.todos (id uuid PRIMARY KEY);\nCREATE TABLE public.sessions (id uuid PRIMARY KEY);\n"
            "CREATE PUBLICATION powersync FOR ALL TABLES;\n"
        ),
        "powersync/config.yaml": (
            "replication:\n  connections:\n    - type: postgresql\n      uri: !env PS_DATA_SOURCE_URI\n"
            "storage:\n  type: mongodb\n  uri: !env PS_MONGO_URI\nsync_config:\n  content: |\n"
            "    bucket_definitions:\n      global:\n        data:\n          - SELECT * FROM todos\n"
        ),
    }
    result = lint_tree(tmp_path, files)
    assert lines(result, "xf-publication-covers-sync-tables") == []
    assert [line for line in lines(result, "sql-publication-all-tables") if "SET TABLE public.todos [" in line]


def test_a_drasi_value_is_not_said_to_be_rejected_by_powersync(tmp_path: Path) -> None:
    source = (
        "apiVersion: v1\nkind: Source\nname: retail\nspec:\n  kind: PostgreSQL\n  properties:\n"
        "    host: retail.example.com\n    port: 5432\n    user: 1001\n    database: retail\n"
        "    tables: [public.orders]\n"
    )
    found = lines(lint_tree(tmp_path, {"drasi/source.yaml": source}), "cfg-invalid-value")
    assert found and all("PowerSync" not in line and "the consumer that reads this file" in line for line in found)
