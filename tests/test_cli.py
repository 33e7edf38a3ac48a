"""The command line as a user meets it: exit codes, formats, errors with file:line, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from lint import __version__
from lint.cli import main
from tests.lintkit import ROOT, write_tree

BAD = ROOT / "examples" / "powersync-supabase-bad"
GOOD = ROOT / "examples" / "powersync-supabase-good"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"replint {__version__}"


def test_bad_example_exits_1_and_good_example_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BAD)]) == 1
    assert main(["check", str(GOOD)]) == 0
    assert main(["check", "--exit-zero", str(BAD)]) == 0


def test_fail_on_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(
        tmp_path,
        {
            "config.yaml": "replication:\n  connections:\n    - type: mongodb\n"
            "      uri: !env PS_URI\nstorage:\n  type: mongodb\n"
            "  uri: !env PS_STORAGE\n"
        },
    )
    assert main(["check", str(tmp_path)]) == 0  # only a warning
    assert main(["check", "--fail-on", "warning", str(tmp_path)]) == 1


def test_json_output_matches_the_documented_schema(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--format", "json", str(BAD)])
    doc = json.loads(capsys.readouterr().out)
    schema = json.loads((ROOT / "schemas" / "findings-v1.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["version"] == 1 and doc["summary"]["errors"] >= 2
    rules = {f["rule"] for f in doc["findings"]}
    assert {
        "sql-cdc-role-superuser",
        "cfg-storage-shares-source-server",
        "cfg-mongo-post-images-mode",
        "xf-rls-requires-bypass-or-failclosed",
    } <= rules


def test_no_secret_in_any_format(capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("text", "json"):
        main(["check", "--format", fmt, str(BAD)])
        out = capsys.readouterr()
        assert "ps-local-dev-2024" not in out.out + out.err


def test_explain_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "sql-cdc-role-superuser"]) == 0
    out = capsys.readouterr().out
    assert "Why" in out and "How to fix" in out and "GRANT ops_admin TO powersync_role" in out
    assert main(["explain", "sql-cdc-role-superusr"]) == 2
    assert "Did you mean: sql-cdc-role-superuser" in capsys.readouterr().err
    assert main(["list-policies"]) == 0
    assert "cfg-storage-shares-source-server" in capsys.readouterr().out


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "path does not exist" in capsys.readouterr().err
    assert main(["check", "--format", "xml", "."]) == 2
    assert main([]) == 2


def test_bad_policy_file_is_exit_2_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pol = tmp_path / "pols"
    write_tree(
        pol,
        {
            "my-rule.yaml": "id: my-rule\ntitle: A title here\nseverity: error\nfor_each: roles\n"
            "condition: role.superuser &&\nmessage: '\"x\"'\n"
            "rationale: twenty characters at least\nremediation: do the right things\n"
            "examples: {bad: {files: {a.sql: x}}, good: {files: {a.sql: x}}}\n"
        },
    )
    assert main(["check", "--policies", str(pol), str(GOOD)]) == 2
    err = capsys.readouterr().err
    assert f"{pol / 'my-rule.yaml'}:5:12: condition: CEL does not compile" in err


def test_duplicate_policy_id_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pol = tmp_path / "pols"
    pol.mkdir()
    source = (ROOT / "policies" / "parse-error.yaml").read_text()
    (pol / "parse-error.yaml").write_text(source)
    assert main(["check", "--policies", str(pol), str(GOOD)]) == 2
    assert "duplicate policy id 'parse-error'" in capsys.readouterr().err


def test_unknown_config_key_is_exit_2_with_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / ".replint.yaml"
    cfg.write_text("fail_on: warning\nrule:\n  x: {}\n")
    assert main(["check", "--config", str(cfg), str(GOOD)]) == 2
    err = capsys.readouterr().err
    assert f"{cfg}:2:1: unknown key 'rule'" in err and "rules" in err


def test_config_rules_apply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / ".replint.yaml"
    cfg.write_text(
        "rules:\n  sql-cdc-role-superuser: {enabled: false}\n  cfg-storage-shares-source-server: {severity: info}\n"
    )
    main(["check", "--config", str(cfg), "--format", "json", str(BAD)])
    doc = json.loads(capsys.readouterr().out)
    assert not any(f["rule"] == "sql-cdc-role-superuser" for f in doc["findings"])
    assert {f["severity"] for f in doc["findings"] if f["rule"] == "cfg-storage-shares-source-server"} == {"info"}


def test_console_script_never_prints_a_traceback(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.sql": "\x7f\x80 garbage ;;; CREATE ROLE",
            "b.yaml": "replication: !!python/object:os.system x",
            "c.json": '{"replication": {"connections": [{"type": 5}]}}',
        },
    )
    proc = subprocess.run(
        [sys.executable, "-m", "lint", "check", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout


def test_heavy_libraries_are_imported_only_when_needed() -> None:
    # pre-commit runs replint on every commit: loading the CLI and the run machinery must stay cheap.
    code = (
        "import sys, lint.cli, lint.run; "
        "print(sorted(m for m in ('sqlglot', 'pglast', 'cel', 'jsonschema', 'psycopg', 'pymongo') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


# --- standard output that cannot be written (issue: untrusted pull requests, 5) -------------------------------

REPLINT = [sys.executable, "-c", "from lint.cli import main_entry; main_entry()"]
BAD = ROOT / "examples" / "powersync-supabase-bad"


def test_a_closed_pipe_ends_replint_quietly() -> None:
    """`replint check | head -1`: the reader went away. Like other tools: no message, the SIGPIPE status."""
    import os

    read, write = os.pipe()
    os.close(read)  # closed before replint writes a byte: the first write fails with EPIPE
    try:
        proc = subprocess.run([*REPLINT, "check", "--no-cache", str(BAD)], stdout=write, stderr=subprocess.PIPE,
                              timeout=120, check=False)
    finally:
        os.close(write)
    assert proc.returncode == 141
    assert proc.stderr == b""


def test_a_full_disk_is_reported_not_called_a_bug() -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        proc = subprocess.run([*REPLINT, "check", "--no-cache", str(BAD)], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "replint: error: cannot write the output: No space left on device"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "0.0001", "0", "-1", "soon"])
def test_live_timeout_outside_a_millisecond_to_a_day_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--live", f"--live-timeout={value}", str(GOOD)]) == 2
    assert "argument --live-timeout:" in capsys.readouterr().err


# --- papercuts a new user meets ------------------------------------------------------------------------------


def test_a_folder_with_nothing_replint_reads_says_so_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"README.md": "# notes\n", "app/main.py": "print()\n"})
    assert main(["check", "--no-cache", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "nothing under" in err and "is a file replint reads (.sql, .conf" in err and "pg_hba" in err


def test_explain_suggests_policies_that_contain_the_word(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "superuser"]) == 2
    assert "sql-cdc-role-superuser" in capsys.readouterr().err


def test_list_policies_columns_line_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-policies"]) == 0
    rows = capsys.readouterr().out.splitlines()
    starts = {row.index(row.split()[1], len(row.split()[0])) for row in rows}
    assert len(starts) == 1, "the severity column starts at one position on every row"


def test_an_empty_changed_since_and_a_capital_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", "--changed-since", "", str(GOOD)]) == 2
    assert "--changed-since needs a git reference" in capsys.readouterr().err
    assert main(["check", "--no-cache", "--fail-on", "Error", str(GOOD)]) == 0


def test_term_dumb_gets_no_colour() -> None:
    import os
    import pty

    leader, follower = pty.openpty()  # a terminal, so only TERM can turn the colour off
    env = {**os.environ, "TERM": "dumb"}
    env.pop("NO_COLOR", None)
    try:
        proc = subprocess.run([*REPLINT, "check", "--no-cache", str(BAD)], stdout=follower, stderr=subprocess.PIPE,
                              env=env, timeout=120, check=False)
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 1
    assert b"error" in out and b"\x1b[" not in out


def test_no_config_ignores_a_configuration_found_above(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shared" / "p"
    write_tree(tmp_path / "shared", {".replint.yaml": "rules:\n  sql-cdc-role-superuser: {enabled: false}\n"})
    write_tree(project, {"db/1.sql": "CREATE ROLE cdc REPLICATION LOGIN SUPERUSER;\n"})
    assert main(["check", "--no-cache", "--oneline", str(project)]) == 0  # the parent's config disables it
    capsys.readouterr()
    assert main(["check", "--no-cache", "--oneline", "--no-config", str(project)]) == 1
    assert "[sql-cdc-role-superuser]" in capsys.readouterr().out
    assert main(["check", "--no-config", "--config", str(tmp_path / "shared" / ".replint.yaml"), str(project)]) == 2


def test_a_configuration_another_user_owns_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    write_tree(tmp_path, {".replint.yaml": "fail_on: warning\n", "p/db/1.sql": "SELECT 1;\n"})
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)  # as if another user ran replint
    main(["check", "--no-cache", str(tmp_path / "p")])
    assert "which another user owns; pass --no-config" in capsys.readouterr().err
