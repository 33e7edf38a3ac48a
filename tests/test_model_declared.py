"""The model is declared once (lint/model/items.py): what is generated from it, `replint model`, `replint test`,
and the layout's import directions.

Every project the suite builds in-process is also checked against the declarations (tests/conftest.py).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema
import pytest

from lint.cli import main
from lint.model import COLLECTIONS, DECLARED
from lint.model.schema import model_schema_text, policy_schema_text
from lint.policy.docs import collections_reference
from tests.lintkit import ROOT, builtin_policies, write_tree

EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())


def test_generated_files_are_current() -> None:
    stale = "stale: run `python -m lint.model.schema` and `replint list-policies --collections --format markdown"
    assert (ROOT / "schemas" / "model.schema.json").read_text(encoding="utf-8") == model_schema_text(), stale
    policy_schema = (ROOT / "schemas" / "policy.schema.json").read_text(encoding="utf-8")
    assert policy_schema == policy_schema_text(policy_schema), stale
    current = (ROOT / "policies" / "MODEL.md").read_text(encoding="utf-8")
    assert current == collections_reference(builtin_policies()), stale + " > policies/MODEL.md`"


def test_every_field_has_a_meaning_and_every_collection_a_variable() -> None:
    for rec in DECLARED.records.values():
        for f in rec.fields:
            assert f.meaning.strip() and f.meaning != "TODO" and len(f.meaning) <= 120, (rec.name, f.name)
    assert len(set(COLLECTIONS)) == len(DECLARED.collections)
    assert json.loads((ROOT / "schemas" / "policy.schema.json").read_text())["properties"]["for_each"]["enum"] == list(
        COLLECTIONS
    )


def test_the_reference_names_the_policies_that_read_a_field() -> None:
    page = collections_reference(builtin_policies()).split("\n## GrantItem\n", 1)[1]
    row = next(line for line in page.splitlines() if line.startswith("| `is_cdc` | `bool` |"))
    assert "[`sql-cdc-role-superuser`](README.md#sql-cdc-role-superuser)" in row


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_replint_model_prints_every_declared_field_and_no_secret(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", str(example)]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    schema = json.loads((ROOT / "schemas" / "model.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)  # required: every field; no others
    assert set(doc["collections"]) == set(COLLECTIONS)
    assert "ps-local-dev-2024" not in out  # the example's committed role password


def test_replint_model_shows_the_replayed_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(
        tmp_path,
        {
            "db/1.sql": "CREATE ROLE cdc REPLICATION LOGIN PASSWORD 'Sup3r-S3cret';\n"
            "CREATE ROLE readers NOLOGIN;\nGRANT readers TO cdc WITH INHERIT FALSE;\n"
            "CREATE TABLE t (id int PRIMARY KEY);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
            "GRANT SELECT ON t TO readers;\nCREATE PUBLICATION powersync FOR TABLE t;\n"
            "ALTER SYSTEM SET primary_conninfo = 'host=h password=Sup3r-S3cret';\n",
        },
    )
    assert main(["model", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Sup3r-S3cret" not in out
    db = json.loads(out)["databases"][0]
    cdc = next(r for r in db["roles"] if r["name"] == "cdc")
    assert (cdc["replication"], cdc["login"], cdc["superuser"], cdc["password"]) == (True, True, False, "literal")
    assert [(m["role"], m["member"], m["inherit"]) for m in db["memberships"]] == [("readers", "cdc", False)]
    assert [(p["grantee"], p["object"], p["privilege"]) for p in db["privileges"]] == [
        ("readers", "public.t", "SELECT")
    ]
    assert [(t["name"], t["has_pk"], t["rls"]) for t in db["tables"]] == [("public.t", True, True)]
    assert [(p["name"], p["tables"]) for p in db["publications"]] == [("powersync", ["public.t"])]
    assert db["settings"][0]["origin"]["line"] == 8


def test_replint_model_one_collection_and_a_misspelt_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"db/1.sql": "CREATE ROLE cdc REPLICATION LOGIN;\n"})
    assert main(["model", str(tmp_path), "--collection", "roles"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["cdc"]
    assert main(["model", str(tmp_path), "--collection", "role"]) == 2
    assert "no collection 'role'; did you mean 'roles'?" in capsys.readouterr().err
    assert main(["model", str(tmp_path / "missing")]) == 2


def _policy(pid: str, condition: str, bad: str, good: str) -> str:
    return (
        f"id: {pid}\ntitle: A login role is a superuser\nseverity: error\nfor_each: roles\n"
        f"condition: {condition}\nmessage: '\"role \" + role.name + \" is a superuser login\"'\n"
        "rationale: A superuser login can do anything on the server, so it must not exist.\n"
        "remediation: Use a role with only the privileges it needs.\n"
        f"examples:\n  bad: {{files: {{db/1.sql: '{bad}'}}}}\n  good: {{files: {{db/1.sql: '{good}'}}}}\n"
    )


def test_replint_test_reports_passing_and_failing_policies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pols = tmp_path / "pols"
    write_tree(
        pols,
        {
            "good-one.yaml": _policy("good-one", "role.superuser && role.login", "CREATE ROLE a SUPERUSER LOGIN;",
                                     "CREATE ROLE a LOGIN;"),
            # its good example is a superuser too, so it fires where it must not
            "bad-one.yaml": _policy("bad-one", "role.superuser", *["CREATE ROLE a SUPERUSER;"] * 2),
            "tests/good-one.yaml": "cases:\n- name: fires\n  files: {db/1.sql: 'CREATE ROLE b SUPERUSER LOGIN;'}\n"
            "  expect: ['db/1.sql:1:1: error: role b is a superuser login [good-one]']\n"
            "- name: wrong expectation\n  files: {db/1.sql: 'CREATE ROLE c LOGIN;'}\n"
            "  expect: ['db/1.sql:1:1: error: role c is a superuser login [good-one]']\n",
        },
    )
    assert main(["test", str(pols)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  bad-one: example good" in out
    assert "the good example makes the policy fire: db/1.sql:1:1: error: role a is a superuser login [bad-one]" in out
    assert "FAIL  good-one: wrong expectation" in out
    assert "missing: db/1.sql:1:1: error: role c is a superuser login [good-one]" in out
    assert "PASS" not in out
    assert out.splitlines()[-1] == "2 policies, 6 checks: 4 passed, 2 failed"
    assert main(["test", "-v", str(pols)]) == 1
    assert "PASS  good-one: fires" in capsys.readouterr().out


def test_replint_test_all_passing_and_unusable_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pols = tmp_path / "pols"
    write_tree(pols, {"good-one.yaml": _policy("good-one", "role.superuser", "CREATE ROLE a SUPERUSER;",
                                               "CREATE ROLE a;")})
    assert main(["test", str(pols)]) == 0
    assert capsys.readouterr().out == "1 policy, 2 checks: 2 passed, 0 failed\n"
    write_tree(pols, {"tests/other.yaml": "cases: []\n"})
    assert main(["test", str(pols)]) == 2
    assert "a case file for policy 'other', which is not in these folders" in capsys.readouterr().err
    assert main(["test", str(tmp_path / "nowhere")]) == 2
    assert main(["test"]) == 0  # the built-in policies' examples
    assert "0 failed" in capsys.readouterr().out


# --- layout -------------------------------------------------------------------------------------------------

# package -> packages it must never import. Data flows sources -> model -> policy -> findings -> output; a stage
# reads what earlier stages declared, never a later stage (live probes feed the model and know nothing of it).
FORBIDDEN = {
    "findings": ("lint.model", "lint.policy", "lint.live", "lint.output", "lint.run", "lint.cli"),
    "sources": ("lint.model", "lint.policy", "lint.live", "lint.output", "lint.run", "lint.cli"),
    "model": ("lint.policy", "lint.output", "lint.run", "lint.cli"),
    "live": ("lint.model", "lint.policy", "lint.output", "lint.run", "lint.cli"),
    "policy": ("lint.output", "lint.sources", "lint.live", "lint.run", "lint.cli"),
    "output": ("lint.model", "lint.policy", "lint.sources", "lint.live", "lint.run", "lint.cli"),
}


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_stages_never_import_a_later_stage(package: str) -> None:
    """Every import counts, TYPE_CHECKING and function-local ones too."""
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "lint" / package).glob("*.py"))
        for name in sorted(_imports(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])
    ]
    assert not wrong


def test_the_readme_policy_and_its_case_file_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    files = {
        m.group(1): m.group(2)
        for m in re.finditer(r"```yaml\n# ci/replint-policies/(\S+)\n(.*?)```", readme, re.S)
    }
    assert set(files) == {"no-public-schema-writes.yaml", "tests/no-public-schema-writes.yaml"}
    write_tree(tmp_path, files)
    assert main(["test", str(tmp_path)]) == 0, capsys.readouterr().out
