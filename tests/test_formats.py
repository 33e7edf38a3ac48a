"""SARIF, GitHub workflow command and Markdown renderers (lint/output/{sarif,github,markdown}.py), DESIGN §6."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema.validators
import pytest
from markdown_it import MarkdownIt

from lint import DOCS_URL, HOMEPAGE
from lint.cli import main
from lint.findings.finding import Finding, FindingSet, Related, Severity, Suppression
from lint.output.github import render_github
from lint.output.markdown import escape_cell, render_markdown
from lint.output.sarif import render_sarif
from lint.output.text import summary_line
from lint.policy import load_policies
from lint.rules import BUILTIN_CHECKS, SUPPRESSION_UNUSED, RuleDoc, rule_docs
from lint.run import run
from lint.span import Span
from tests.lintkit import ROOT
from tests.test_output import URI_FINDING

# CI checks out ../shared beside the clone: a missing schema must fail, not skip.
SARIF_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "sarif-schema-2.1.0.json"
SARIF_SCHEMA: dict[str, Any] = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
# The schema names its own draft (draft-04); use that validator rather than assuming one.
SARIF_VALIDATOR = jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA)
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())

SECRET = "hunter2"

# The text and json renderers' finding with a related location and a fix: the same finding in every format.
RELATED_FIX = URI_FINDING
UNICODE_PATH = Finding(
    "sql-cdc-role-superuser",
    Severity.WARNING,
    "role ps has SUPERUSER",
    Span("db migrations/Ünïcödé #1 100%.sql", 2, 1, 3, 5),
    key="role:ps",
)
IN_SOURCE = Finding(
    "cfg-debug-api",
    Severity.INFO,
    "debug_api is enabled",
    Span("config.yaml", 3, 4, 3, 7),
    key="flag:debug",
    suppressed=Suppression("inSource", "staging only"),
)
EXTERNAL = Finding(
    "hba-weak-auth-method",
    Severity.WARNING,
    "md5 for replication",
    Span("pg_hba.conf", 7, 1, 7, 40),
    key="hba:7",
    suppressed=Suppression("external", f"baseline: accepted postgresql://u:{SECRET}@h/db"),
)
LEAKY = Finding(
    "live-unavailable",
    Severity.ERROR,
    f"cannot connect to postgresql://admin:{SECRET}@db.example.com:5432/app",
    Span("config.yaml", 9, 3, 9, 10),
    fix=f"check postgresql://admin:{SECRET}@db.example.com/app",
)
HOSTILE = Finding(
    "cfg-unknown-key",
    Severity.ERROR,
    "x\n::add-mask::y\r\n::error::z %0A::error::w\u2028::warning::v",
    Span("a,b:c.yaml", 1, 1, 1, 2),
    related=(Related(Span("r.yaml", 2, 3, 2, 3), "see\n::stop-commands::t"),),
    fix="f\r::set-output name=a::b",
)

DOCS = [
    RuleDoc(
        "cfg-plaintext-secret",
        "A secret written in clear text",
        Severity.ERROR,
        "Anyone who can read the repository has it.\n",
        "Use `!env`.\n",
        references=("https://docs.example.com/env", "POWERSYNC.md a.2"),
    ),
    RuleDoc("cfg-debug-api", "debug_api is on", Severity.WARNING, "It runs SQL.", "Delete it."),
    RuleDoc("hba-weak-auth-method", "Weak auth", Severity.INFO, "md5 is weak.", "Use scram."),
    *BUILTIN_CHECKS,
]


def _fs(*findings: Finding, files: int = 2, notes: tuple[str, ...] = ()) -> FindingSet:
    return FindingSet(FindingSet.of(findings, files).findings, files, notes)


def _sarif(fs: FindingSet, docs: list[RuleDoc] | None = None, prefix: str = "") -> dict[str, Any]:
    out = render_sarif(fs, DOCS if docs is None else docs, "1.2.3", path_prefix=prefix)
    doc: dict[str, Any] = json.loads(out)
    errors = sorted(SARIF_VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return doc


def _by_rule(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in doc["runs"][0]["results"]}


# --- SARIF -------------------------------------------------------------------------------------------------


def test_sarif_schema_file_is_draft04_and_validator_follows_it() -> None:
    # Guard against a silently wrong validator: the schema's own $schema decides.
    assert SARIF_SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert type(SARIF_VALIDATOR).__name__ == "Draft4Validator"
    with pytest.raises(jsonschema.exceptions.ValidationError):
        SARIF_VALIDATOR.validate({"version": "2.1.0", "runs": [{"tool": {}}]})


def test_sarif_log_run_and_driver() -> None:
    doc = _sarif(_fs(RELATED_FIX))
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json")
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run_ = doc["runs"][0]
    driver = run_["tool"]["driver"]
    assert {k: driver[k] for k in ("name", "version", "semanticVersion", "informationUri")} == {
        "name": "replint",
        "version": "1.2.3",
        "semanticVersion": "1.2.3",
        "informationUri": HOMEPAGE,
    }
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["invocations"] == [{"executionSuccessful": True}]
    # %SRCROOT% is declared but never resolved to the runner's file system.
    assert set(run_["originalUriBaseIds"]) == {"%SRCROOT%"}
    assert "uri" not in run_["originalUriBaseIds"]["%SRCROOT%"]


def test_sarif_rules_every_given_doc_in_order_with_descriptions() -> None:
    rules = _sarif(_fs())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [d.id for d in DOCS]
    assert rules[0] == {
        "id": "cfg-plaintext-secret",
        "name": "CfgPlaintextSecret",
        "shortDescription": {"text": "A secret written in clear text"},
        "fullDescription": {"text": "Anyone who can read the repository has it."},
        "help": {
            "text": "Use `!env`.\n\nReferences:\n- https://docs.example.com/env\n- POWERSYNC.md a.2",
            "markdown": "Use `!env`.\n\n**References**\n\n- <https://docs.example.com/env>\n- POWERSYNC.md a.2\n\n"
            f"[Documentation]({DOCS_URL}#cfg-plaintext-secret)",
        },
        "helpUri": f"{DOCS_URL}#cfg-plaintext-secret",
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["replint"]},
    }
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert (levels["cfg-debug-api"], levels["hba-weak-auth-method"]) == ("warning", "note")
    unused = next(r for r in rules if r["id"] == SUPPRESSION_UNUSED)
    assert unused["name"] == "SuppressionUnused"
    assert unused["properties"]["tags"] == ["replint", "builtin-check"]
    assert all(r["helpUri"].startswith(DOCS_URL + "#") and r["fullDescription"]["text"] for r in rules)


def test_sarif_result_with_related_location_and_fix() -> None:
    doc = _sarif(_fs(RELATED_FIX))
    assert doc["runs"][0]["results"] == [
        {
            "ruleId": "cfg-plaintext-secret",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": "connection uri carries a literal password Fix: use `uri: !env PS_DATA_SOURCE_URI`"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "config.yaml", "uriBaseId": "%SRCROOT%"},
                        # endColumn is exclusive in SARIF: inclusive 67 + 1
                        "region": {"startLine": 4, "startColumn": 9, "endLine": 4, "endColumn": 68},
                    }
                }
            ],
            "relatedLocations": [
                {
                    "id": 1,
                    "physicalLocation": {
                        "artifactLocation": {"uri": "migrations/V1__roles.sql", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 1, "startColumn": 13, "endLine": 1, "endColumn": 27},
                    },
                    "message": {"text": "role created here"},
                }
            ],
            "partialFingerprints": {"replintFingerprint/v1": RELATED_FIX.fingerprint},
            "properties": {"fix": "use `uri: !env PS_DATA_SOURCE_URI`"},
        }
    ]


def test_sarif_suppressed_results_are_listed_with_their_kind_and_justification() -> None:
    results = _by_rule(_sarif(_fs(RELATED_FIX, IN_SOURCE, EXTERNAL)))
    assert len(results) == 3
    assert "suppressions" not in results["cfg-plaintext-secret"]
    assert results["cfg-debug-api"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "staging only"}
    ]
    assert results["hba-weak-auth-method"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "baseline: accepted postgresql://u:****@h/db"}
    ]
    assert results["hba-weak-auth-method"]["level"] == "warning"  # the finding's level, not the rule default


def test_sarif_masks_secrets_everywhere_and_has_no_snippets() -> None:
    out = render_sarif(_fs(LEAKY, EXTERNAL), DOCS, "1.2.3")
    assert SECRET not in out
    assert "snippet" not in out
    result = _by_rule(json.loads(out))["live-unavailable"]
    assert result["message"]["text"] == (
        "cannot connect to postgresql://admin:****@db.example.com:5432/app"
        " Fix: check postgresql://admin:****@db.example.com/app"
    )


def test_sarif_uri_is_percent_encoded_and_prefixed() -> None:
    doc = _sarif(_fs(UNICODE_PATH), prefix="examples/my app")
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    uri = loc["artifactLocation"]["uri"]
    assert uri == "examples/my%20app/db%20migrations/%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%231%20100%25.sql"
    assert unquote(uri) == "examples/my app/db migrations/Ünïcödé #1 100%.sql"
    assert loc["region"] == {"startLine": 2, "startColumn": 1, "endLine": 3, "endColumn": 6}


def test_sarif_prefix_resolves_parent_segments_and_absolute_paths_get_file_uris() -> None:
    up = Finding("cfg-debug-api", Severity.WARNING, "m", Span("../shared/x.yaml", 1, 1, 1, 1))
    absolute = Finding("policy-error", Severity.ERROR, "m", Span("/opt/policies", 1, 1, 1, 1))
    results = _by_rule(_sarif(_fs(up, absolute), prefix="examples/app"))
    up_loc = results["cfg-debug-api"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert up_loc == {"uri": "examples/shared/x.yaml", "uriBaseId": "%SRCROOT%"}
    abs_loc = results["policy-error"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert abs_loc == {"uri": "file:///opt/policies"}


def test_sarif_unknown_rule_gets_a_minimal_descriptor_and_valid_index() -> None:
    stray = Finding("made-up-rule", Severity.WARNING, "m", Span("f.yaml", 1, 1, 1, 1))
    doc = _sarif(_fs(stray, RELATED_FIX), docs=DOCS[:1])
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["cfg-plaintext-secret", "made-up-rule"]
    assert rules[1]["defaultConfiguration"] == {"level": "warning"}
    assert rules[1]["name"] == "MadeUpRule"
    for result in doc["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_duplicate_docs_are_listed_once() -> None:
    doc = _sarif(_fs(RELATED_FIX), docs=[DOCS[0], DOCS[0], DOCS[1]])
    assert [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]] == ["cfg-plaintext-secret", "cfg-debug-api"]


def test_sarif_notes_become_tool_execution_notifications() -> None:
    note = f"live check skipped: cannot reach postgresql://u:{SECRET}@h/db"
    doc = _sarif(_fs(notes=(note,)))
    assert doc["runs"][0]["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"message": {"text": "live check skipped: cannot reach postgresql://u:****@h/db"}, "level": "note"}
            ],
        }
    ]


def test_sarif_hostile_message_keeps_lines_but_neutralises_controls() -> None:
    evil = Finding("cfg-unknown-key", Severity.ERROR, "a\x1b[2J\u202eb\nc", Span("f.yaml", 1, 1, 1, 1))
    text = _sarif(_fs(evil))["runs"][0]["results"][0]["message"]["text"]
    assert text == "a\ufffd[2J\ufffdb\nc"


def test_sarif_is_deterministic() -> None:
    fs = _fs(RELATED_FIX, UNICODE_PATH, IN_SOURCE, EXTERNAL, LEAKY)
    assert render_sarif(fs, DOCS, "1.2.3") == render_sarif(fs, DOCS, "1.2.3")


def test_sarif_no_findings() -> None:
    doc = _sarif(_fs())
    assert doc["runs"][0]["results"] == []
    assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == len(DOCS)


# --- GitHub workflow commands ------------------------------------------------------------------------------


def test_github_annotations_golden() -> None:
    out = render_github(_fs(RELATED_FIX, UNICODE_PATH, IN_SOURCE, EXTERNAL), path_prefix="examples/app")
    assert out == (
        "::error file=examples/app/config.yaml,line=4,col=9,endLine=4,endColumn=67,title=cfg-plaintext-secret"
        "::connection uri carries a literal password"
        "%0Anote: examples/app/migrations/V1__roles.sql:1:13: role created here"
        "%0Afix: use `uri: !env PS_DATA_SOURCE_URI`\n"
        # a multi-line span: GitHub accepts columns only when start and end lines are equal
        "::warning file=examples/app/db migrations/Ünïcödé #1 100%25.sql,line=2,endLine=3,"
        "title=sql-cdc-role-superuser::role ps has SUPERUSER\n"
        "1 error, 1 warning, 0 infos in 2 files, 2 suppressed\n"
    )


def test_github_info_is_a_notice_and_notes_are_notices() -> None:
    info = Finding("cfg-telemetry-sharing", Severity.INFO, "telemetry on", Span("c.yaml", 1, 1, 1, 1))
    out = render_github(_fs(info, notes=("live check skipped: no --live-source",)))
    assert out.splitlines() == [
        "::notice file=c.yaml,line=1,col=1,endLine=1,endColumn=1,title=cfg-telemetry-sharing::telemetry on",
        "::notice title=replint::live check skipped: no --live-source",
        "0 errors, 0 warnings, 1 info in 2 files",
    ]


def test_github_masks_secrets() -> None:
    out = render_github(_fs(LEAKY, EXTERNAL))
    assert SECRET not in out
    assert "cannot connect to postgresql://admin:****@db.example.com:5432/app" in out


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def test_github_hostile_content_cannot_start_a_command() -> None:
    out = render_github(_fs(HOSTILE))
    lines = out.split("\n")
    # one annotation, the summary, and the final newline: nothing from the message reached a line start
    assert lines == [lines[0], summary_line(_fs(HOSTILE)), ""]
    assert lines[0].startswith("::error file=a%2Cb%3Ac.yaml,line=1,col=1,endLine=1,endColumn=2,title=cfg-unknown-key::")
    assert "\r" not in out
    data = lines[0].split("::", 2)[2]
    # What the runner shows after unescaping: our own note/fix line breaks only, the message's flattened,
    # and the literal "%0A" in the message stays literal text (its % was escaped).
    assert _unescape_data(data).split("\n") == [
        "x ::add-mask::y ::error::z %0A::error::w ::warning::v",
        "note: r.yaml:2:3: see ::stop-commands::t",
        "fix: f ::set-output name=a::b",
    ]


def test_github_property_and_data_escaping() -> None:
    f = Finding("r", Severity.WARNING, "100% done, 50%0A", Span("dir:1/a,b%.yaml", 1, 1, 1, 1))
    out = render_github(_fs(f)).splitlines()[0]
    head = "::warning file=dir%3A1/a%2Cb%25.yaml,line=1,col=1,endLine=1,endColumn=1,title=r"
    assert out == f"{head}::100%25 done, 50%250A"


def test_github_suppressed_only_prints_the_summary() -> None:
    assert render_github(_fs(IN_SOURCE, EXTERNAL)) == "no findings in 2 files, 2 suppressed\n"


# --- Markdown ----------------------------------------------------------------------------------------------


def test_markdown_no_findings_is_heading_and_summary() -> None:
    assert render_markdown(_fs(IN_SOURCE), "0.1.0") == "### replint 0\\.1\\.0\n\nno findings in 2 files, 1 suppressed\n"


def test_markdown_table_golden() -> None:
    out = render_markdown(_fs(RELATED_FIX, UNICODE_PATH, IN_SOURCE), "0.1.0", path_prefix="examples/app")
    assert out == (
        "### replint 0\\.1\\.0\n"
        "\n"
        "1 error, 1 warning, 0 infos in 2 files, 1 suppressed\n"
        "\n"
        "| Severity | Rule | Location | Message |\n"
        "| --- | --- | --- | --- |\n"
        f"| error | [cfg\\-plaintext\\-secret]({DOCS_URL}#cfg-plaintext-secret) | examples\\/app\\/config\\.yaml\\:4 "
        "| connection uri carries a literal password |\n"
        f"| warning | [sql\\-cdc\\-role\\-superuser]({DOCS_URL}#sql-cdc-role-superuser) "
        "| examples\\/app\\/db migrations\\/Ünïcödé \\#1 100\\%\\.sql\\:2 | role ps has SUPERUSER |\n"
    )


def test_markdown_truncates_after_max_rows_keeping_the_most_severe() -> None:
    infos = [Finding("cfg-telemetry-sharing", Severity.INFO, f"i{n}", Span("a.yaml", n, 1, n, 1)) for n in (1, 2)]
    error = Finding("cfg-plaintext-secret", Severity.ERROR, "e", Span("z.yaml", 9, 1, 9, 1))
    out = render_markdown(_fs(*infos, error), "0.1.0", max_rows=2)
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [r.split(" | ")[0] for r in rows] == ["| error", "| info"]
    assert out.endswith("\n\n… and 1 more finding not shown.\n")
    out = render_markdown(_fs(*infos, error), "0.1.0", max_rows=0)
    assert "| Severity" not in out
    assert out.endswith("\n\n… and 3 more findings not shown.\n")


def test_markdown_masks_secrets() -> None:
    out = render_markdown(_fs(LEAKY, notes=(f"skipped postgresql://u:{SECRET}@h",)), "0.1.0")
    assert SECRET not in out
    assert "postgresql\\:\\/\\/admin\\:\\*\\*\\*\\*\\@db\\.example\\.com" in out


HOSTILE_CELLS = [
    "a | b || c",
    "<script>alert(1)</script> <img src=x onerror=y>",
    "[click](https://evil.example) ![i](https://evil.example/x.png) <https://evil.example>",
    "`code` **bold** _it_ ~~gone~~ &lt;b&gt; &#60;i&#62;",
    "line1\nline2\r\n| forged | row | cells | here |",
    "https://evil.example www.evil.example mail@evil.example",
    "\\| escaped already \\",
]


@pytest.mark.parametrize("text", HOSTILE_CELLS)
def test_markdown_cells_cannot_inject_markup(text: str) -> None:
    f = Finding("cfg-unknown-key", Severity.ERROR, text, Span(f"p|<b>{text[:5]}.yaml", 1, 1, 1, 1))
    out = render_markdown(_fs(f), "0.1.0")
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = md.parse(out)
    inline_types = {child.type for t in tokens if t.type == "inline" for child in t.children or []}
    # only the rule link we make ourselves; no HTML, image, code, emphasis or other link
    assert inline_types <= {"text", "link_open", "link_close", "softbreak"}
    links = [c for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "link_open"]
    assert [c.attrs["href"] for c in links] == [f"{DOCS_URL}#cfg-unknown-key"]
    assert [t.type for t in tokens].count("tr_open") == 2  # the header row and the one finding
    assert [t.type for t in tokens].count("td_open") == 4
    # the rendered message cell shows the text itself, flattened onto one line
    cells = [t.content for t in tokens if t.type == "inline"]
    rendered = md.renderInline(cells[-1])
    expected = " ".join(re.split(r"\r\n|\n", text))
    assert rendered == expected.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # GFM autolinks need an unescaped "://", "www." or "@", which the escaping removes
    assert not re.search(r"(?<!\\)(://|www\.|@)", cells[-1])


def test_escape_cell_escapes_every_ascii_punctuation_and_flattens() -> None:
    assert escape_cell("a|b<c>`d*_[]\\\n\u202ez") == "a\\|b\\<c\\>\\`d\\*\\_\\[\\]\\\\ \ufffdz"


# --- end to end on the examples -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def policies() -> list[Any]:
    return load_policies([])


# A finding about what a file lacks (e.g. no `telemetry:` key) points at the file's first character; blank lines
# inserted above everything do not move that point.
FILE_START = {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2}


def _results_by_fingerprint(doc: dict[str, Any]) -> dict[str, list[tuple[str, int, bool]]]:
    """fingerprint -> sorted (path, startLine, anchored at the file start) of its results."""
    out: dict[str, list[tuple[str, int, bool]]] = {}
    for r in doc["runs"][0]["results"]:
        loc = r["locations"][0]["physicalLocation"]
        path = unquote(loc["artifactLocation"]["uri"])
        entry = (path, loc["region"]["startLine"], loc["region"] == FILE_START)
        out.setdefault(r["partialFingerprints"]["replintFingerprint/v1"], []).append(entry)
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_sarif_validates_and_indexes_rules(example: Path, policies: list[Any]) -> None:
    res = run([example], policies)
    docs = rule_docs(policies)
    doc = _sarif(res.findings, docs=docs)
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][: len(docs)] == [d.id for d in docs]
    assert len(run_["results"]) == len(res.findings.findings)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert Counter(r["ruleId"] for r in run_["results"]) == Counter(f.rule for f in res.findings.findings)
    if example.name.endswith("-bad"):
        assert run_["results"], "a bad example must produce findings"


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.name.endswith("-bad")], ids=lambda p: p.name)
def test_examples_fingerprints_survive_inserted_lines(example: Path, policies: list[Any], tmp_path: Path) -> None:
    copy = tmp_path / example.name
    shutil.copytree(example, copy)
    docs = rule_docs(policies)
    before = _results_by_fingerprint(_sarif(run([copy], policies).findings, docs=docs))
    shifted = {
        path
        for locations in before.values()
        for path, _, _ in locations
        if path.endswith((".sql", ".yaml")) and (copy / path).is_file()
    }
    assert shifted, "the example must have findings in SQL or YAML files"
    for path in shifted:
        target = copy / path
        target.write_text("\n\n\n" + target.read_text(encoding="utf-8"), encoding="utf-8")
    after = _results_by_fingerprint(_sarif(run([copy], policies).findings, docs=docs))
    assert set(after) == set(before)
    expected = {
        fp: sorted(
            (path, line + 3 if path in shifted and not start else line, start) for path, line, start in locations
        )
        for fp, locations in before.items()
    }
    assert after == expected
    moved = [line for locations in after.values() for path, line, start in locations if path in shifted and not start]
    assert moved, "some finding must have moved with its file"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_a_file_name_that_is_not_utf8_is_escaped_in_every_format(
    fmt: str, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """`db/caf\\xe9.sql` (Latin-1 on disk): valid UTF-8 out, `\\xe9` in text, `%E9` in SARIF URIs; a report file and
    a baseline are written, and the baseline still matches the finding."""
    import os

    os.makedirs(os.fsencode(tmp_path / "db"), exist_ok=True)
    with open(os.fsencode(tmp_path) + b"/db/caf\xe9.sql", "w", encoding="utf-8") as fh:
        fh.write("CREATE ROLE cdc REPLICATION LOGIN SUPERUSER;\n")
    report, baseline = tmp_path / "report.out", tmp_path / "baseline.json"
    args = ["check", "--no-cache", str(tmp_path)]
    assert main([*args, "--format", fmt, "--report", f"{fmt}={report}"]) == 1
    out = capsysbinary.readouterr().out.decode("utf-8")  # strict: raises on invalid UTF-8
    report.read_text(encoding="utf-8")
    assert ("caf%E9.sql" if fmt == "sarif" else "xe9") in out  # markdown escapes the backslash and the dot
    assert main([*args, "--write-baseline", str(baseline)]) == 0
    assert "caf\\\\xe9.sql" in baseline.read_text(encoding="utf-8")
    assert main([*args, "--baseline", str(baseline)]) == 0
