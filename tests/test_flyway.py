"""Flyway projects (lint/sources/flyway.py): migrations run with Flyway's default schema first on the
search_path, in schemas Flyway creates, so unqualified names land where they do on the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint.cli import main
from lint.sources.flyway import read_flyway
from tests.lintkit import write_tree

MIGRATION = "CREATE TABLE claim (id int PRIMARY KEY);\nCREATE TABLE public.audit (id int PRIMARY KEY);\n"


@pytest.mark.parametrize(
    ("name", "text", "schemas", "creates"),
    [
        ("flyway.conf", "flyway.url=jdbc:postgresql://db/app\nflyway.schemas=claims,x\n", ("claims", "x"), True),
        ("flyway.conf", "flyway.defaultSchema=c\nflyway.schemas=a\nflyway.createSchemas=false\n", ("c", "a"), False),
        ("flyway.toml", '[flyway]\nschemas = ["claims"]\n', ("claims",), True),
        ("flyway.toml", '[flyway]\ndefaultSchema = "claims"\ncreateSchemas = false\n', ("claims",), False),
    ],
)
def test_the_schema_settings_are_read(name: str, text: str, schemas: tuple[str, ...], creates: bool) -> None:
    settings = read_flyway(f"db/{name}", text)
    assert settings is not None and settings.schemas == schemas and settings.creates_schemas is creates


def test_a_config_without_schemas_changes_nothing() -> None:
    assert read_flyway("flyway.conf", "flyway.url=jdbc:postgresql://db/app\n") is None
    assert read_flyway("flyway.toml", "not toml [") is None


@pytest.mark.parametrize(
    ("name", "text"),
    [("flyway.conf", "flyway.schemas=claims\nflyway.locations=filesystem:sql\n"),
     ("flyway.toml", '[flyway]\nschemas = ["claims"]\nlocations = ["filesystem:sql"]\n')],
)
def test_unqualified_tables_of_a_flyway_project_are_in_its_default_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    write_tree(
        tmp_path,
        {
            f"service/{name}": text,
            "service/sql/V1__claims.sql": MIGRATION,
            "other/V1__app.sql": "CREATE TABLE todo (id int PRIMARY KEY);\n",
        },
    )
    main(["model", str(tmp_path), "--no-config"])
    db = json.loads(capsys.readouterr().out)["databases"][0]
    assert sorted(t["name"] for t in db["tables"]) == ["claims.claim", "public.audit", "public.todo"]
    assert "claims" in [s["name"] for s in db["schemas"]]  # Flyway creates it before the first migration
