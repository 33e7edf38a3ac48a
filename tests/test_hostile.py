"""Hostile input (issue 7): resource limits, files that are not what their names say, links out of the
project, unsafe YAML, and runtime errors in a user's policy. Each case ends in a finding or a usage error with
a place, never an exception, a hang or a read outside the project."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lint.cli import main
from lint.files import MAX_FILE_BYTES
from tests.lintkit import ROOT, lines, lint_tree, write_tree

GOOD = ROOT / "examples" / "powersync-supabase-good"
POWERSYNC_HEAD = """\
replication:
  connections:
    - type: postgresql
      uri: !env PS_DATA_SOURCE_URI
storage:
  type: mongodb
  uri: !env PS_STORAGE_URI
"""


def parse_errors(tmp_path: Path, files: dict[str, str]) -> list[str]:
    return lines(lint_tree(tmp_path, files), "parse-error")


def _alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": each anchor repeats the previous one nine times, 9**9 nodes once expanded."""
    rows = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        rows.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(rows) + "\n"


# --- YAML: alias expansion and nesting --------------------------------------------------------------------


def test_alias_bomb_in_a_powersync_config_is_a_finding_not_a_billion_nodes(tmp_path: Path) -> None:
    errors = parse_errors(tmp_path, {"config.yaml": POWERSYNC_HEAD + _alias_bomb()})
    assert errors == [
        "config.yaml:8:10: error: document expands to more than 200000 nodes (alias expansion or deep nesting); "
        "the rest of the file was not read [parse-error]"
    ]


def test_deep_flow_nesting_is_a_finding(tmp_path: Path) -> None:
    deep = "replication: " + "[" * 50_000 + "]" * 50_000 + "\n"
    assert parse_errors(tmp_path, {"config.yaml": deep}) == [
        "config.yaml:1:1: error: YAML nesting is too deep to read [parse-error]"
    ]


def test_nesting_beyond_the_depth_bound_is_a_finding(tmp_path: Path) -> None:
    nested = "".join("  " * i + f"k{i}:\n" for i in range(150))
    indented = "".join("  " + row for row in nested.splitlines(True))
    errors = parse_errors(tmp_path, {"config.yaml": POWERSYNC_HEAD + "api:\n" + indented})
    assert len(errors) == 1 and "more than 100 levels of nesting" in errors[0]


def test_alias_bomb_in_replint_configuration_and_policy_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / ".replint.yaml"
    cfg.write_text("fail_on: warning\n" + _alias_bomb())
    assert main(["check", "--no-cache", "--config", str(cfg), str(GOOD)]) == 2
    assert "document expands to more than 200000 nodes" in capsys.readouterr().err
    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": "id: my-rule\n" + _alias_bomb()})
    assert main(["check", "--no-cache", "--policies", str(pol), str(GOOD)]) == 2
    assert f"{pol / 'my-rule.yaml'}:2:31: document expands to more than 200000 nodes" in capsys.readouterr().err


# --- sizes: files, lines, statements ----------------------------------------------------------------------


def test_file_over_the_size_limit_is_reported_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "db" / "big.sql"
    big.parent.mkdir()
    with big.open("wb") as fh:  # sparse: the limit is checked before a byte is read
        fh.truncate(MAX_FILE_BYTES + 1)
    assert parse_errors(tmp_path, {}) == [
        "db/big.sql:1:1: error: file is larger than 5 MiB and was not read [parse-error]"
    ]


def test_a_statement_with_a_three_megabyte_literal_is_read(tmp_path: Path) -> None:
    sql = "CREATE ROLE r LOGIN PASSWORD '" + "x" * 3_000_000 + "';\n"
    found = lines(lint_tree(tmp_path, {"db/1.sql": sql}))
    assert [f.split(": ")[0] + " " + f.rsplit("[", 1)[1] for f in found] == ["db/1.sql:1:30 cfg-plaintext-secret]"]


def test_deeply_parenthesised_statement_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    sql = "SELECT " + "(" * 100_000 + "1" + ")" * 100_000 + ";\nCREATE PUBLICATION p FOR ALL TABLES;\n"
    sql_check = "CREATE TABLE t (a int CHECK (" + "(" * 50_000 + "a > 0" + ")" * 50_000 + "));\n"
    result = lint_tree(tmp_path, {"db/1.sql": sql, "db/2.sql": sql_check})
    assert sorted(f.rule for f in result.findings.findings) == ["parse-error", "sql-publication-all-tables"]
    assert lines(result, "parse-error")[0].startswith("db/2.sql:1:")


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        (
            "postgresql.conf",
            "wal_level = '" + "a" * 200_000 + "'\n",
            "postgresql.conf:1:1: error: line longer than 100000 characters was not read; the server will refuse "
            "to start with this file [parse-error]",
        ),
        (
            "pg_hba.conf",
            "host all all " + "1" * 200_000 + " trust\n",
            "pg_hba.conf:1:1: error: line longer than 100000 characters was not read; PostgreSQL will not load "
            "this file (start-up fails; a reload keeps the previous rules) [parse-error]",
        ),
    ],
)
def test_overlong_server_config_lines_are_findings(tmp_path: Path, rel: str, text: str, expected: str) -> None:
    assert expected in parse_errors(tmp_path, {rel: text})


def test_overlong_sync_rules_query_is_a_finding(tmp_path: Path) -> None:
    where = " OR ".join(f"c{i} = 1" for i in range(100_000))
    files = {
        "config.yaml": POWERSYNC_HEAD + "sync_config:\n  path: sync.yaml\n",
        "sync.yaml": f"bucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t WHERE {where}\n",
    }
    errors = parse_errors(tmp_path, files)
    assert len(errors) == 1 and errors[0].startswith("sync.yaml:4:9: error: sync rules: bucket_definitions.b.data[0]")
    assert "query is too long" in errors[0]


# --- bytes that are not text ------------------------------------------------------------------------------

NAMES = ["db/1.sql", "postgresql.conf", "pg_hba.conf", "powersync/config.yaml", ".env"]


@pytest.mark.parametrize("rel", NAMES)
def test_binary_file_under_a_name_replint_reads_is_reported(tmp_path: Path, rel: str) -> None:
    target = tmp_path / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    assert parse_errors(tmp_path, {}) == [
        f"{rel}:1:1: error: file looks binary (NUL bytes) and was not read [parse-error]"
    ]


@pytest.mark.parametrize("rel", NAMES)
def test_non_utf8_file_is_reported_at_the_first_bad_line(tmp_path: Path, rel: str) -> None:
    target = tmp_path / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"# replication\n# storage\nx = 'caf\xe9'\n")
    assert parse_errors(tmp_path, {}) == [
        f"{rel}:3:1: error: file is not valid UTF-8 and was not read; save it as UTF-8 [parse-error]"
    ]


def test_unreadable_file_that_looks_like_a_mongo_script_is_reported(tmp_path: Path) -> None:
    target = tmp_path / "mongo" / "init.js"
    target.parent.mkdir()
    target.write_bytes(b"db.createUser({user: 'u', pwd: passwordPrompt(), roles: ['read']}); // caf\xe9\n")
    assert parse_errors(tmp_path, {}) == [
        "mongo/init.js:1:1: error: file is not valid UTF-8 and was not read; save it as UTF-8 [parse-error]"
    ]


def test_unrelated_binary_scripts_are_not_reported(tmp_path: Path) -> None:
    target = tmp_path / "static" / "bundle.js"
    target.parent.mkdir()
    target.write_bytes(b"\x00\x01 not ours")
    assert lines(lint_tree(tmp_path, {})) == []


def test_latin1_properties_are_read_as_java_reads_them(tmp_path: Path) -> None:
    """Kafka Connect loads .properties with Properties.load(InputStream): ISO-8859-1, not UTF-8."""
    target = tmp_path / "connect" / "pg.properties"
    target.parent.mkdir()
    target.write_bytes(
        b"name=caf\xe9-connector\nconnector.class=io.debezium.connector.postgresql.PostgresConnector\n"
        b"database.password=s3cr\xe9t\n"
    )
    found = lines(lint_tree(tmp_path, {}), "cfg-plaintext-secret")
    assert found and found[0].startswith("connect/pg.properties:3:19: error: Debezium connector caf\u00e9-connector")


# --- links and special files -------------------------------------------------------------------------------


def test_links_out_of_the_project_are_not_followed_and_are_reported(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"roles.sql": "CREATE ROLE leaked SUPERUSER LOGIN REPLICATION;\n"})
    project = tmp_path / "project"
    write_tree(project, {"db/1.sql": "CREATE ROLE r LOGIN;\n"})
    (project / "db" / "linked.sql").symlink_to(outside / "roles.sql")
    (project / "shared").symlink_to(outside, target_is_directory=True)
    (project / "notes.txt").symlink_to(outside / "roles.sql")  # not a name replint reads: nothing to report
    result = lint_tree(project, {})
    assert lines(result) == [
        "db/linked.sql:1:1: warning: a link to a file outside the project: replint does not open it, so nothing "
        "in it is checked; if it belongs to this setup, lint its target directly [parse-error]",
        "shared:1:1: warning: a link to a folder outside the project: replint does not open it, so nothing in it "
        "is checked; if it belongs to this setup, lint its target directly [parse-error]",
    ]
    assert "roles.sql" not in str(sorted(result.sources))


def test_link_loops_and_broken_links_end(tmp_path: Path) -> None:
    write_tree(tmp_path, {"db/1.sql": "CREATE ROLE r LOGIN;\n"})
    (tmp_path / "db" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "db" / "self.sql").symlink_to("self.sql")
    (tmp_path / "db" / "gone.sql").symlink_to("missing.sql")
    result = lint_tree(tmp_path, {})
    assert lines(result) == [
        f"db/{name}:1:1: warning: a broken or looping link: replint does not open it, so nothing in it is checked; "
        "if it belongs to this setup, lint its target directly [parse-error]"
        for name in ("gone.sql", "self.sql")
    ]
    assert sorted(result.sources) == ["db/1.sql"]


def test_a_fifo_named_like_a_migration_is_reported_and_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer appears; a subprocess with a timeout turns a regression
    into a failure instead of a hung suite."""
    write_tree(tmp_path, {"db/1.sql": "CREATE ROLE r LOGIN;\n"})
    os.mkfifo(tmp_path / "db" / "2.sql")
    done = subprocess.run(
        [sys.executable, "-m", "lint", "check", "--no-cache", "--oneline", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "db/2.sql:1:1: warning: not a regular file (a FIFO, socket or device): replint does not open it, so "
        "nothing in it is checked; commit a file [parse-error]"
    )


@pytest.mark.parametrize("own", ["config", "policy", "baseline"])
def test_replint_own_files_that_are_devices_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], own: str
) -> None:
    """A link to /dev/zero would otherwise be read until memory runs out."""
    if own == "config":
        (tmp_path / ".replint.yaml").symlink_to("/dev/zero")
        args = ["--config", str(tmp_path / ".replint.yaml")]
    elif own == "policy":
        (tmp_path / "pols").mkdir()
        (tmp_path / "pols" / "my-rule.yaml").symlink_to("/dev/zero")
        args = ["--policies", str(tmp_path / "pols")]
    else:
        (tmp_path / "baseline.json").symlink_to("/dev/zero")
        args = ["--baseline", str(tmp_path / "baseline.json")]
    assert main(["check", "--no-cache", *args, str(GOOD)]) == 2
    assert "not a regular file (a FIFO, socket or device)" in capsys.readouterr().err


# --- confinement of includes and sync_config.path ----------------------------------------------------------


def test_includes_and_sync_config_path_stay_inside_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(
        outside,
        {
            "extra.conf": "wal_level = minimal\n",
            "users": "leaked_user\n",
            "sync.yaml": "bucket_definitions:\n  b:\n    data: [SELECT * FROM leaked_table]\n",
        },
    )
    project = tmp_path / "project"
    write_tree(
        project,
        {
            "postgres/postgresql.conf": "wal_level = logical\ninclude '../../outside/extra.conf'\n",
            "postgres/pg_hba.conf": "hostssl app @../../outside/users 10.0.0.0/8 scram-sha-256\n",
            "powersync/config.yaml": POWERSYNC_HEAD + "sync_config:\n  path: ../../outside/sync.yaml\n",
        },
    )
    (project / "postgres" / "linked.conf").symlink_to(outside / "extra.conf")
    (project / "postgres" / "postgresql.conf").write_text(
        "wal_level = logical\ninclude '../../outside/extra.conf'\ninclude 'linked.conf'\n"
    )
    result = lint_tree(project, {})
    out = "\n".join(lines(result))
    assert "include '../../outside/extra.conf' points outside the project" in out
    assert "powersync/config.yaml:9:9: error: sync_config.path leaves the project root" in out
    assert "leaked" not in out and "minimal" not in out
    assert not any("outside" in path for path in result.sources)


# --- unsafe constructs -------------------------------------------------------------------------------------

PWNED = "replint-fuzz-pwned"


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
        "!!python/module:os",
        "tag:yaml.org,2002:python/object/apply:subprocess.call",
    ],
)
def test_python_tags_are_findings_and_never_run(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / PWNED
    tag_text = tag if tag.startswith("!!") else f"!<{tag}>"
    config = POWERSYNC_HEAD + f"api:\n  tokens:\n    - {tag_text} [\"touch {marker}\"]\n"
    errors = parse_errors(tmp_path / "p", {"config.yaml": config})
    assert len(errors) == 1 and errors[0].startswith("config.yaml:10:7: error: tag tag:yaml.org,2002:python/")
    assert "is not allowed (it would construct a Python object)" in errors[0]
    assert not marker.exists()


def test_python_tags_in_replint_configuration_and_policies_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / PWNED
    cfg = tmp_path / ".replint.yaml"
    cfg.write_text(f"fail_on: !!python/object/apply:os.system ['touch {marker}']\n")
    assert main(["check", "--no-cache", "--config", str(cfg), str(GOOD)]) == 2
    assert f"{cfg}:1:10: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed" in capsys.readouterr().err
    source = (ROOT / "policies" / "cfg-debug-api.yaml").read_text(encoding="utf-8")
    pol = tmp_path / "pols"
    tagged = source.replace("id: cfg-debug-api", f"id: !!python/object/apply:os.system ['touch {marker}']")
    write_tree(pol, {"my-rule.yaml": tagged})
    assert main(["check", "--no-cache", "--policies", str(pol), str(GOOD)]) == 2
    assert "is not allowed (it would construct a Python object)" in capsys.readouterr().err
    assert not marker.exists()


def _user_policy(condition: str, message: str = '"x"') -> str:
    source = (ROOT / "policies" / "cfg-debug-api.yaml").read_text(encoding="utf-8")
    _, _, tail = source.partition("rationale:")
    return (
        "id: my-rule\ntitle: A user policy that fails at run time\nseverity: error\nfor_each: roles\n"
        f"condition: '{condition}'\nmessage: '{message}'\nrationale:" + tail
    )


@pytest.mark.parametrize(
    ("condition", "message", "line"),
    [
        ('int(role.name) == 2', '"x"', 5),  # "a" is no int: only running it can tell
        ("role.superuser", 'role.name + string(int(role.name))', 6),  # the error is in the message: its line
    ],
)
def test_cel_runtime_errors_are_reported_at_the_policy_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], condition: str, message: str, line: int
) -> None:
    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy(condition, message)})
    project = tmp_path / "p"
    write_tree(project, {"db/1.sql": "CREATE ROLE a SUPERUSER LOGIN;\nCREATE ROLE b SUPERUSER LOGIN;\n"})
    assert main(["check", "--no-cache", "--oneline", "--policies", str(pol), str(project)]) == 1
    out = capsys.readouterr().out.splitlines()
    errors = [row for row in out if row.endswith("[policy-error]")]
    assert len(errors) == 1, out  # once per expression and error, not once per role
    assert errors[0].startswith(f"{pol / 'my-rule.yaml'}:{line}:")
    assert "policy my-rule could not be evaluated: " in errors[0]


@pytest.mark.parametrize(
    ("condition", "message", "where", "expected"),
    [
        ("role.superuserr", '"x"', "5:18", "RoleItem has no field 'superuserr'; did you mean 'superuser'?"),
        ("role.superuser + 1 == 2", '"x"', "5:28", "'+' adds role.superuser (bool) and an int (1)"),
        ("role.superuser", "role.name + 1", "6:21", "'+' adds role.name (string) and an int (1)"),
        ("role.name == 3", '"x"', "5:23", "compares role.name (string) with an int (3): the result is always false"),
        ("has(role.fix)", '"x"', "5:22", "RoleItem has no field 'fix'"),
    ],
)
def test_policy_type_errors_are_usage_errors_at_the_expression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *, condition: str, message: str, where: str, expected: str
) -> None:
    """Caught when the policy loads, even on a project with no roles at all (so no item would ever run it)."""
    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy(condition, message)})
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["check", "--no-cache", "--policies", str(pol), str(empty)]) == 2
    err = capsys.readouterr().err
    assert f"{pol / 'my-rule.yaml'}:{where}: " in err, err
    assert expected in err, err


def test_policy_files_are_data_cel_cannot_reach_python(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CEL has no import and no access to Python objects: a call to a function it does not define fails when
    evaluated, as a policy-error finding, and nothing runs."""
    marker = tmp_path / PWNED
    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy(f'__import__("os").system("touch {marker}")')})
    project = tmp_path / "p"
    write_tree(project, {"db/1.sql": "CREATE ROLE a LOGIN;\n"})
    assert main(["check", "--no-cache", "--oneline", "--policies", str(pol), str(project)]) == 1
    out = capsys.readouterr().out
    assert f"{pol / 'my-rule.yaml'}:5:12: error: policy my-rule could not be evaluated" in out
    assert not marker.exists()


# --- line breaks: findings count lines by LF, as editors, git and GitHub do ---------------------------------


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"])
def test_yaml_line_breaks_other_than_lf_do_not_shift_finding_lines(tmp_path: Path, brk: str) -> None:
    """YAML breaks lines at CR, NEL, U+2028 and U+2029 too; a finding's line must still be the LF line."""
    config = POWERSYNC_HEAD.replace("replication:\n", f"replication:{brk}#{brk}\n") + "debug: [unclosed\n"
    errors = parse_errors(tmp_path, {"config.yaml": config})
    assert errors == [
        "config.yaml:9:1: error: YAML syntax error: while parsing a flow sequence expected ',' or ']', but got "
        "'<stream end>' [parse-error]"
    ]
    rules = "bucket_definitions:\n  b:\n    data:\n" + f"      - SELECT * FROM{brk} t\n" + "    bad: [\n"
    files = {"config.yaml": POWERSYNC_HEAD + "sync_config:\n  path: s.yaml\n", "s.yaml": rules}
    found = lines(lint_tree(tmp_path / "rules", files))
    assert found and all(int(f.split(":")[1]) <= 5 for f in found if f.startswith("s.yaml")), found


def test_statements_nested_deeper_than_python_recursion_are_findings(tmp_path: Path) -> None:
    """libpg_query accepts them, but their parse tree is too deep for json.loads: each is reported at its start,
    the statements around it are still read (the fast path and the thorough psql path alike)."""
    n = 2400
    sql = (
        "CREATE TABLE t (a int CHECK (" + "a + (" * n + "1" + ")" * n + " > 0));\n"
        "CREATE POLICY p ON t USING (" + "a = 1 AND (" * n + "true" + ")" * n + ");\n"
        "CREATE ROLE x LOGIN REPLICATION SUPERUSER;\n"
    )
    for rel, text in (("db/1.sql", sql), ("db/2.sql", "\\set pw 'x'\n" + sql.replace(" x ", " y "))):
        found = lines(lint_tree(tmp_path / rel.replace("/", "_"), {rel: text}))
        first = 2 if rel == "db/2.sql" else 1
        assert [f.split(" [")[0].split(": ")[0] for f in found] == [
            f"{rel}:{first}:1",
            f"{rel}:{first + 1}:1",
            f"{rel}:{first + 2}:1",
        ], found
        assert found[0].endswith(
            "error: SQL statement nested too deeply to read; this statement was skipped, the rest of the file was "
            "read [parse-error]"
        )
        assert found[2].endswith("[sql-cdc-role-superuser]")


# --- names the system refuses (over 255 bytes) and symlink loops ---------------------------------------------

LONG = "a" * 300


@pytest.mark.parametrize(
    ("args", "what"),
    [
        ([LONG], "cannot inspect path"),
        (["--config", LONG, "."], "cannot inspect configuration file"),
        (["--baseline", LONG, "."], "cannot inspect baseline"),
        (["--policies", LONG, "."], "cannot inspect policy directory"),
    ],
    ids=["path", "config", "baseline", "policies"],
)
def test_a_name_too_long_for_the_system_is_a_usage_error(
    args: list[str], what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-cache", *args]) == 2
    err = capsys.readouterr().err
    assert what in err and "File name too long" in err and "(300 characters)" in err


@pytest.mark.parametrize("target", [LONG + ".yaml", "loop1"], ids=["too long", "symlink loop"])
def test_a_sync_config_path_replint_cannot_inspect_is_a_finding(target: str, tmp_path: Path) -> None:
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    config = (
        "replication:\n  connections:\n    - type: postgresql\n      uri: !env PS_URI\n"
        f"storage:\n  type: mongodb\n  uri: !env PS_S\nsync_config:\n  path: {target}\n"
    )
    result = lint_tree(tmp_path, {"config.yaml": config})
    found = [line for line in lines(result) if "[cfg-sync-config-path]" in line]
    assert len(found) == 1 and "replint cannot inspect the sync config file" in found[0], lines(result)


# --- policies are untrusted input: bounded before the native runtime sees them -------------------------------


def test_a_policy_too_deep_for_the_runtime_is_a_usage_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A chain of 20,000 `+` segfaulted the CEL runtime (exit 139, no output); 3,000 raised RecursionError."""
    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy("role.superuser && " + " + ".join(["1"] * 20_000) + " > 0")})
    assert main(["check", "--no-cache", "--policies", str(pol), str(GOOD)]) == 2
    err = capsys.readouterr().err
    assert "levels deep; replint evaluates at most 200" in err or "longer than 20000 characters" in err
    write_tree(pol, {"my-rule.yaml": _user_policy("role.superuser && " + " + ".join(["1"] * 3_000) + " > 0")})
    assert main(["check", "--no-cache", "--policies", str(pol), str(GOOD)]) == 2
    assert "levels deep; replint evaluates at most 200" in capsys.readouterr().err


def test_extension_libraries_are_rejected_at_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy("math.greatest(1, 2) > 1 && lists.range(2).size() > 0")})
    assert main(["check", "--no-cache", "--policies", str(pol), str(GOOD)]) == 2
    err = capsys.readouterr().err
    assert "CEL's 'math' extension library is not available in replint" in err
    assert "CEL's 'lists' extension library is not available in replint" in err


def test_a_policy_that_runs_out_of_time_is_a_policy_error_naming_it(tmp_path: Path) -> None:
    from lint import model, project
    from lint.policy import load_policies
    from lint.policy.engine import evaluate

    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy("role.superuser")})
    write_tree(tmp_path / "p", {"db/1.sql": "".join(f"CREATE ROLE r{i} SUPERUSER;\n" for i in range(50))})
    mine = [p for p in load_policies([pol]) if p.id == "my-rule"]
    built = model.build(project.load(tmp_path / "p", [tmp_path / "p"]).inputs)
    found = evaluate(mine, built, budget_s=0.0)  # every item is over a budget of nothing
    assert [f.rule for f in found] == ["policy-error"]
    assert "policy my-rule ran out of its time budget (0 s) after 0 of 50 items" in found[0].message


def test_a_native_panic_in_the_runtime_is_a_policy_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyo3 panics derive from BaseException: `except Exception` let them through as a traceback with exit 1.
    No known expression panics the runtime today, so the panic is injected where the runtime is called."""
    from lint import model, project
    from lint.policy import engine, load_policies

    class PanicException(BaseException):  # the shape of pyo3_runtime.PanicException
        pass

    def panic(self: object, program: object, item: object) -> object:
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(engine._Eval, "_run", panic)
    write_tree(tmp_path / "p", {"db/1.sql": "CREATE ROLE cdc SUPERUSER REPLICATION LOGIN;\n"})
    built = model.build(project.load(tmp_path / "p", [tmp_path / "p"]).inputs)
    found = engine.evaluate([p for p in load_policies() if p.for_each == "roles"][:1], built)
    assert [f.rule for f in found] == ["policy-error"]
    assert "called `Option::unwrap()`" in found[0].message


def _slow_condition(size: int = 1500) -> str:
    """Three nested macros over literal lists: one evaluation is a single native call that runs for hours."""
    literal = "[" + ",".join(str(i) for i in range(size)) + "]"
    return f"{literal}.all(a, {literal}.all(b, {literal}.exists(c, c < 0) || true))"


def _built(tmp_path: Path, sql: str) -> Any:
    from lint import model, project

    write_tree(tmp_path / "p", {"db/1.sql": sql})
    return model.build(project.load(tmp_path / "p", [tmp_path / "p"]).inputs)


def test_one_endless_evaluation_is_stopped_and_named(tmp_path: Path) -> None:
    """Between-items budgets cannot stop one native call; the isolated child is killed at the deadline, the policy
    is a policy-error, and the policies after it still judge."""
    from lint.policy import load_policies
    from lint.policy.isolate import evaluate

    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy(_slow_condition())})
    loaded = load_policies([pol])
    mine = [p for p in loaded if p.id == "my-rule"]
    superuser = [p for p in loaded if p.id == "sql-cdc-role-superuser"]
    built = _built(tmp_path, "CREATE ROLE cdc LOGIN REPLICATION SUPERUSER;\n")
    found = evaluate([*mine, *superuser], built, budget_s=0.5)
    assert sorted(f.rule for f in found) == ["policy-error", "sql-cdc-role-superuser"]
    error = next(f for f in found if f.rule == "policy-error")
    assert "policy my-rule took longer than 0.5 s on a single item and was stopped" in error.message
    assert error.span.path.endswith("my-rule.yaml") and error.span.line == 5


def test_a_policy_that_kills_its_process_is_a_policy_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash of the native runtime (a segfault took replint down with exit 139, no output) ends only the child.
    No known expression crashes the runtime today, so the crash is injected where the engine judges."""
    import signal

    from lint.policy import engine, load_policies
    from lint.policy.isolate import evaluate

    real = engine.evaluate
    policies = [p for p in load_policies() if p.id in ("sql-cdc-role-superuser", "sql-cdc-role-excess-privileges")]

    def crashing(chosen: list[Any], project: Any, *, budget_s: float) -> list[Any]:
        if chosen and chosen[0].id == "sql-cdc-role-excess-privileges":
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(chosen, project, budget_s=budget_s)

    monkeypatch.setattr(engine, "evaluate", crashing)
    policies = [replace(p, builtin=False) for p in policies]  # as if from a policy folder: only those are isolated
    built = _built(tmp_path, "CREATE ROLE cdc LOGIN REPLICATION SUPERUSER CREATEROLE;\n")
    found = evaluate(sorted(policies, key=lambda p: p.id, reverse=True), built)
    assert [f.rule for f in found] == ["sql-cdc-role-superuser", "policy-error"]
    assert "stopped replint's policy process (it was killed by SIGSEGV)" in found[1].message


def test_the_run_budget_bounds_all_policies_together(tmp_path: Path) -> None:
    from lint.policy import load_policies
    from lint.policy.isolate import evaluate

    pols = tmp_path / "pols"
    slow_policy = _user_policy(_slow_condition())
    write_tree(pols, {f"slow-{i}.yaml": slow_policy.replace("my-rule", f"slow-{i}") for i in range(3)})
    slow = sorted((p for p in load_policies([pols]) if p.id.startswith("slow-")), key=lambda p: p.id)
    built = _built(tmp_path, "CREATE ROLE cdc LOGIN;\n")
    found = evaluate(slow, built, budget_s=5, run_budget_s=0.5)
    assert [f.rule for f in found] == ["policy-error"] * 3
    assert "was stopped when the policies of this run had used up their 0.5 s" in found[0].message
    assert all("was not evaluated: the policies of this run used up their 0.5 s" in f.message for f in found[1:])


def test_the_readme_states_the_policy_limits_the_code_enforces() -> None:
    from lint.policy import cel_ast, isolate, load

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    stated = (
        f"an expression of at most {load.MAX_EXPRESSION_CHARS:,} characters, nested at most {cel_ast.MAX_DEPTH} deep, "
        f"its tree at most {cel_ast.MAX_HEIGHT} levels high"
    )
    assert stated in text
    assert f"when one policy has taken {isolate.POLICY_BUDGET_S:g} s or all of them {isolate.RUN_BUDGET_S:g} s" in text


def test_without_a_process_to_spare_policies_are_judged_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lint.policy import load_policies
    from lint.policy.isolate import evaluate

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    pol = tmp_path / "pols"
    write_tree(pol, {"my-rule.yaml": _user_policy("role.superuser")})
    mine = [p for p in load_policies([pol]) if p.id == "my-rule"]
    found = evaluate(mine, _built(tmp_path, "CREATE ROLE cdc SUPERUSER;\n"))
    assert [f.rule for f in found] == ["my-rule"]
