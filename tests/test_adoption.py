"""Adopting replint on an existing project: `.replint.yaml` presets and discovery, baselines that survive line
shifts, `--changed-since`, and writing several formats in one run — driven through the CLI as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from lint.cli import main
from tests.lintkit import ROOT, write_tree

BAD = ROOT / "examples" / "powersync-supabase-bad"
GOOD = ROOT / "examples" / "powersync-supabase-good"
SUPERUSER_FIX = "supabase/migrations/20240301120000_fixes.sql"


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--format", "json", *argv])
    return code, json.loads(capsys.readouterr().out)


def _active(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if "suppression" not in f]


def _copy(example: Path, dest: Path) -> Path:
    shutil.copytree(example, dest)
    return dest


# --- .replint.yaml -----------------------------------------------------------------------------------------------


def test_config_is_found_by_walking_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _copy(BAD, tmp_path / "p")
    (project / ".replint.yaml").write_text("rules:\n  sql-cdc-role-superuser: {enabled: false}\n")
    monkeypatch.chdir(project / "supabase" / "migrations")
    code, doc = _json(capsys, str(project))
    assert code == 1
    assert "sql-cdc-role-superuser" not in {f["rule"] for f in _active(doc)}


def test_extends_strict_fails_on_warnings_and_raises_security_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path
    write_tree(
        tmp_path,
        {
            "db/V1__pub.sql": "CREATE TABLE t (id int PRIMARY KEY);\nCREATE PUBLICATION powersync FOR ALL TABLES;\n",
        },
    )
    assert main(["check", str(project)]) == 0  # FOR ALL TABLES is a warning: recommended does not fail
    capsys.readouterr()
    (project / ".replint.yaml").write_text("extends: strict\n")
    code, doc = _json(capsys, "--config", str(project / ".replint.yaml"))
    assert code == 1
    assert {(f["rule"], f["severity"]) for f in _active(doc)} >= {("sql-publication-all-tables", "error")}


def test_own_settings_override_the_preset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path
    write_tree(
        tmp_path,
        {
            "db/V1__pub.sql": "CREATE TABLE t (id int PRIMARY KEY);\nCREATE PUBLICATION powersync FOR ALL TABLES;\n",
            ".replint.yaml": "extends: strict\nfail_on: error\n"
            "rules:\n  sql-publication-all-tables: {severity: info}\n",
        },
    )
    code, doc = _json(capsys, "--config", str(project / ".replint.yaml"))
    assert code == 0
    assert {f["severity"] for f in _active(doc) if f["rule"] == "sql-publication-all-tables"} == {"info"}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("extends: strictest\n", ".replint.yaml:1:10: extends must be one of recommended, strict"),
        ("fail-on: warning\n", ".replint.yaml:1:1: unknown key 'fail-on' — did you mean 'fail_on'?"),
        ("rules:\n  sql-cdc-role-superuser: {enable: false}\n", "unknown key 'enable' — did you mean 'enabled'?"),
        (
            "rules:\n  sql-cdc-role-superusr: {enabled: false}\n",
            ".replint.yaml:2:3: rules.sql-cdc-role-superusr: no policy has this id; "
            "did you mean 'sql-cdc-role-superuser'?",
        ),
        ("inline_suppressions: no\n", "inline_suppressions must be boolean, not a string"),
    ],
)
def test_config_mistakes_are_exit_2_with_location_and_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, expected: str
) -> None:
    (tmp_path / ".replint.yaml").write_text(config)
    assert main(["check", "--config", str(tmp_path / ".replint.yaml"), str(GOOD)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_every_preset_is_valid_and_names_only_real_policies() -> None:
    from lint.config import load_config
    from lint.policy import load_policies
    from lint.rules import rule_docs

    known = {d.id for d in rule_docs(load_policies([]))}
    for preset in sorted((ROOT / "lint" / "presets").glob("*.yaml")):
        cfg = load_config(preset)
        named = {rule for rule, _ in cfg.rule_ids()}
        assert named <= known, (preset.name, named - known)
    schema = json.loads((ROOT / "schemas" / "config.schema.json").read_text())
    assert schema["properties"]["extends"]["enum"] == sorted(p.stem for p in (ROOT / "lint" / "presets").glob("*.yaml"))


# --- baseline ----------------------------------------------------------------------------------------------------


def _shift(project: Path, lines: int) -> None:
    """Insert blank lines and a comment at the top of every SQL and YAML file, as a reformat would."""
    for path in project.rglob("*"):
        if path.suffix in (".sql", ".yaml", ".yml"):
            marker = "-- moved\n" if path.suffix == ".sql" else "# moved\n"
            path.write_text(marker * lines + path.read_text())


def test_baseline_survives_inserted_lines_and_only_new_findings_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _copy(BAD, tmp_path / "p")
    baseline = tmp_path / "replint-baseline.json"
    assert main(["check", "--write-baseline", str(baseline), str(project)]) == 0
    assert f"findings to {baseline}" in capsys.readouterr().err
    recorded = json.loads(baseline.read_text())["findings"]
    _, before = _json(capsys, str(project))
    assert len(recorded) == len(_active(before)) > 5

    _shift(project, 7)
    code, doc = _json(capsys, "--baseline", str(baseline), str(project))
    assert code == 0, _active(doc)
    assert _active(doc) == []
    lines_then = {f["fingerprint"]: f["line"] for f in before["findings"]}
    for f in doc["findings"]:
        assert f["suppression"] == f"accepted in baseline {baseline}"
        # Findings about something a file lacks point at its line 1 and stay there; the rest move down by 7.
        if f["path"].endswith((".sql", ".yaml")) and lines_then.get(f["fingerprint"], 1) > 1:
            assert f["line"] == lines_then[f["fingerprint"]] + 7

    (project / "supabase" / "migrations" / "20240401000000_more.sql").write_text(
        "CREATE ROLE ps_reporting LOGIN PASSWORD 'correct-horse-battery';\n"
    )
    code, doc = _json(capsys, "--baseline", str(baseline), str(project))
    assert code == 1
    assert {(f["rule"], f["path"]) for f in _active(doc)} == {
        ("cfg-plaintext-secret", "supabase/migrations/20240401000000_more.sql")
    }
    assert "correct-horse-battery" not in baseline.read_text() + json.dumps(doc)


def test_a_baseline_entry_whose_finding_is_gone_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy(BAD, tmp_path / "p")
    baseline = project / "replint-baseline.json"
    main(["check", "--write-baseline", str(baseline), str(project)])
    capsys.readouterr()
    (project / SUPERUSER_FIX).unlink()
    code, doc = _json(capsys, "--baseline", str(baseline), str(project))
    stale = [f for f in _active(doc) if f["rule"] == "baseline-stale"]
    assert code == 0  # info: reported, does not fail by default
    # The deleted migration made two findings: the superuser role and the second publication.
    entry_lines = [n for n, text in enumerate(baseline.read_text().splitlines(), 1) if SUPERUSER_FIX in text]
    assert [(f["path"], f["line"]) for f in stale] == [("replint-baseline.json", n) for n in entry_lines]
    assert len(stale) == 2 and "sql-cdc-role-superuser" in stale[0]["message"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline file not found"),
        ("{not json", "not valid JSON"),
        ('{"version": 9, "findings": []}', "not a replint baseline"),
    ],
)
def test_unusable_baseline_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    baseline = tmp_path / "b.json"
    if content is not None:
        baseline.write_text(content)
    assert main(["check", "--baseline", str(baseline), str(GOOD)]) == 2
    assert expected in capsys.readouterr().err


def test_baseline_and_write_baseline_together_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--baseline", "a", "--write-baseline", "b", str(GOOD)]) == 2
    assert "not both" in capsys.readouterr().err


# --- --changed-since ---------------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_changed_since_fails_only_on_findings_in_changed_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _copy(BAD, tmp_path / "repo")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "base")
    _git(project, "checkout", "-qb", "feature")
    added = "supabase/migrations/20240401000000_more.sql"
    (project / added).write_text("ALTER ROLE powersync_role SUPERUSER;\n")
    _git(project, "add", added)
    _git(project, "commit", "-qm", "change")

    code, doc = _json(capsys, "--changed-since", "main", str(project))
    assert code == 1
    assert {f["path"] for f in _active(doc)} == {added}
    out_of_scope = [f for f in doc["findings"] if "suppression" in f]
    assert out_of_scope and {f["suppression"] for f in out_of_scope} == {"not in a file changed since main"}

    _git(project, "checkout", "-q", "main")  # nothing changed relative to itself: nothing fails
    assert main(["check", "--changed-since", "HEAD", str(project)]) == 0
    capsys.readouterr()
    (project / "powersync" / "new.yaml").write_text("# untracked files count as changed\n")
    assert main(["check", "--changed-since", "HEAD", str(project)]) == 0  # changed, but without findings


def test_changed_since_keeps_findings_whose_related_location_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _copy(BAD, tmp_path / "repo")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "base")
    _, full = _json(capsys, str(project))
    target = next(f for f in _active(full) if f["rule"] == "xf-publication-covers-sync-tables")
    related_path = target["related"][0]["path"]
    assert related_path != target["path"]
    (project / related_path).write_text((project / related_path).read_text() + "\n")
    _, doc = _json(capsys, "--changed-since", "HEAD", str(project))
    assert target["fingerprint"] in {f["fingerprint"] for f in _active(doc)}


@pytest.mark.parametrize(
    ("ref", "expected"), [("no-such-branch", "unknown git ref 'no-such-branch'"), ("-x", "cannot start")]
)
def test_changed_since_errors_are_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str, expected: str
) -> None:
    project = _copy(GOOD, tmp_path / "repo")
    _git(project, "init", "-q")
    _git(project, "commit", "-q", "--allow-empty", "-m", "x")
    assert main(["check", f"--changed-since={ref}", str(project)]) == 2
    assert expected in capsys.readouterr().err


def test_changed_since_outside_a_repository_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _copy(GOOD, tmp_path / "plain")
    assert main(["check", "--changed-since", "main", str(project)]) == 2
    assert "not inside a git repository" in capsys.readouterr().err


# --- several formats from one run --------------------------------------------------------------------------------


def test_reports_write_every_format_from_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "sarif", "github", "markdown", "text")}
    argv = ["check", "--format", "github", *(f"--report={fmt}={path}" for fmt, path in files.items()), str(BAD)]
    assert main(argv) == 1
    stdout = capsys.readouterr().out
    assert stdout == files["github"].read_text()
    doc = json.loads(files["json"].read_text())
    assert json.loads(files["sarif"].read_text())["runs"][0]["results"]
    assert len(json.loads(files["sarif"].read_text())["runs"][0]["results"]) == len(doc["findings"])
    assert "| Severity |" in files["markdown"].read_text()
    assert "\x1b[" not in files["text"].read_text()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("sarif", "expected FORMAT=FILE"), ("xml=a.xml", "unknown format 'xml'"), ("json=", "expected FORMAT=FILE")],
)
def test_bad_report_spec_is_exit_2(capsys: pytest.CaptureFixture[str], spec: str, expected: str) -> None:
    assert main(["check", "--report", spec, str(GOOD)]) == 2
    assert expected in capsys.readouterr().err


def test_unwritable_report_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--report", f"json={tmp_path / 'missing' / 'x.json'}", str(GOOD)]) == 2
    assert "cannot write report" in capsys.readouterr().err


# --- inline suppressions, end to end -----------------------------------------------------------------------------

DIRECTIVE = "-- replint: ignore[sql-cdc-role-superuser] break-glass storage login, removed in Q3\n"


def _with_directive(tmp_path: Path, directive: str = DIRECTIVE) -> Path:
    project = _copy(BAD, tmp_path / "p")
    target = project / SUPERUSER_FIX
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join([lines[0], directive, *lines[1:]]))  # the ALTER ROLE ... SUPERUSER is line 2
    return project


def test_inline_suppression_silences_one_finding_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _with_directive(tmp_path)
    code, doc = _json(capsys, str(project))
    assert code == 1  # the example's other errors remain
    suppressed = [f for f in doc["findings"] if "suppression" in f]
    assert [(f["rule"], f["line"], f["suppression"]) for f in suppressed] == [
        ("sql-cdc-role-superuser", 3, "break-glass storage login, removed in Q3")
    ]
    assert doc["summary"]["suppressed"] == 1
    assert not [f for f in _active(doc) if f["rule"].startswith("suppression-")]
    main(["check", "--format", "sarif", str(project)])
    sarif = json.loads(capsys.readouterr().out)
    marked = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["kind"]) for r in marked] == [("sql-cdc-role-superuser", "inSource")]


@pytest.mark.parametrize(
    ("config", "directive", "expected"),
    [
        ("inline_suppressions: false\n", DIRECTIVE, "suppression-disallowed"),
        ("rules:\n  sql-cdc-role-superuser: {suppressible: false}\n", DIRECTIVE, "suppression-disallowed"),
        ("", "-- replint: ignore[sql-cdc-role-superusr] typo\n", "suppression-invalid"),
        ("", "-- replint: ignore[sql-cdc-role-superuser]\n", "suppression-invalid"),
        ("", "-- replint: ignore[cfg-debug-api] wrong place\n", "suppression-unused"),
    ],
)
def test_suppressions_that_do_not_apply_are_reported_and_silence_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, directive: str, expected: str
) -> None:
    project = _with_directive(tmp_path, directive)
    (project / ".replint.yaml").write_text(config or "{}\n")
    code, doc = _json(capsys, "--config", str(project / ".replint.yaml"))
    assert code == 1
    meta = [(f["rule"], f["path"], f["line"]) for f in _active(doc) if f["rule"].startswith("suppression-")]
    assert meta == [(expected, SUPERUSER_FIX, 2)]
    assert "sql-cdc-role-superuser" in {f["rule"] for f in _active(doc)}


def test_a_policy_file_can_forbid_inline_suppressions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _with_directive(tmp_path)
    policies = tmp_path / "pols"
    policies.mkdir()
    source = (ROOT / "policies" / "sql-cdc-role-superuser.yaml").read_text()
    (policies / "no-superusers.yaml").write_text(
        source.replace("id: sql-cdc-role-superuser", "id: no-superusers\nsuppressible: false")
    )
    directive = "-- replint: ignore[no-superusers] break-glass\n"
    target = project / SUPERUSER_FIX
    target.write_text(target.read_text().replace(DIRECTIVE, directive))
    code, doc = _json(capsys, "--policies", str(policies), str(project))
    assert code == 1
    assert ("suppression-disallowed", 2) in {(f["rule"], f["line"]) for f in _active(doc)}
    assert "no-superusers" in {f["rule"] for f in _active(doc)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply to be a replint baseline"),
        ('{"version": 1, "findings": [{"fingerprint": "a", "line": ' + "9" * 5000 + "}]}", "Exceeds the limit"),
        ('{"version": 1, "findings": [{"fingerprint": "\\udc80", "rule": "x"}]}', "not valid Unicode"),
    ],
    ids=["deeply nested", "5000-digit integer", "lone surrogate"],
)
def test_a_hand_edited_baseline_is_a_usage_error(
    text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(text, encoding="utf-8")
    good = ROOT / "examples" / "powersync-supabase-good"
    assert main(["check", "--no-cache", "--baseline", str(baseline), str(good)]) == 2
    err = capsys.readouterr().err
    assert f"{baseline}: " in err and expected in err and "rewrite it with --write-baseline" in err


# --- ignore globs ------------------------------------------------------------------------------------------------

GLOB_FILES = ["db/a.sql", "db/sub/b.sql", "dev/c.sql", "dev/keep.sql", "app/dev/d.sql", "app/e.sql"]


def _superusers(tmp_path: Path, globs: list[str]) -> Path:
    files = {
        path: f"CREATE ROLE cdc_{i} LOGIN REPLICATION SUPERUSER PASSWORD 'x';\n" for i, path in enumerate(GLOB_FILES)
    }
    config = "rules:\n  sql-cdc-role-superuser:\n    ignore:\n" + "".join(f"      - {json.dumps(g)}\n" for g in globs)
    write_tree(tmp_path, {**files, ".replint.yaml": config})
    return tmp_path


@pytest.mark.parametrize(
    ("globs", "reported"),
    [
        # gitignore: `*` does not cross `/` (fnmatch's did: db/sub/b.sql was hidden too)
        (["db/*.sql"], ["app/dev/d.sql", "app/e.sql", "db/sub/b.sql", "dev/c.sql", "dev/keep.sql"]),
        # a name without `/` matches at any depth, a folder covers what is in it
        (["dev"], ["app/e.sql", "db/a.sql", "db/sub/b.sql"]),
        # a leading `/` anchors at the project root
        (["/dev/"], ["app/dev/d.sql", "app/e.sql", "db/a.sql", "db/sub/b.sql"]),
        (["**/dev/*.sql"], ["app/e.sql", "db/a.sql", "db/sub/b.sql"]),
        # `!` re-includes
        (["dev/**", "!dev/keep.sql"], ["app/dev/d.sql", "app/e.sql", "db/a.sql", "db/sub/b.sql", "dev/keep.sql"]),
    ],
)
def test_ignore_globs_follow_gitignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], globs: list[str], reported: list[str]
) -> None:
    _, doc = _json(capsys, "--no-cache", str(_superusers(tmp_path, globs)))
    assert sorted(f["path"] for f in doc["findings"] if f["rule"] == "sql-cdc-role-superuser") == reported
    assert "notes" not in doc


def test_an_ignore_glob_that_matches_nothing_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _superusers(tmp_path, ["dev/**", "migrations/**"])  # the second names a folder that does not exist
    for cached in (False, True):  # the second run answers from the cache and says the same
        _, doc = _json(capsys, str(project))
        assert doc.get("notes") == [
            f"{project / '.replint.yaml'}:5: the ignore glob 'migrations/**' of sql-cdc-role-superuser matches none "
            f"of the {len(GLOB_FILES)} files replint read (globs are gitignore-style, relative to the project root)"
        ], cached
    main(["check", "--oneline", str(project)])
    assert "note: " in capsys.readouterr().out
