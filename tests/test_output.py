"""Text and JSON renderers (lint/output/text.py, lint/output/json_out.py) against DESIGN §6."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from lint.findings.finding import Finding, FindingSet, Related, Severity, Suppression
from lint.output.json_out import render_json
from lint.output.text import render_text, summary_line
from lint.span import Span

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "findings-v1.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

CONFIG = (
    "replication:\n"
    "  connections:\n"
    "\t- type: postgresql\n"
    "\t  uri: postgresql://powersync_role:hunter2@db.example.com:5432/app\n"
)
SQL = "CREATE ROLE powersync_role\n  WITH REPLICATION LOGIN PASSWORD 'hunter2';\n"
SOURCES = {"config.yaml": CONFIG, "migrations/V1__roles.sql": SQL}

URI_FINDING = Finding(
    "cfg-plaintext-secret",
    Severity.ERROR,
    "connection uri carries a literal password",
    Span("config.yaml", 4, 9, 4, 67),
    related=(Related(Span("migrations/V1__roles.sql", 1, 13, 1, 26), "role created here"),),
    key="connection:default",
    fix="use `uri: !env PS_DATA_SOURCE_URI`",
)
MULTILINE_FINDING = Finding(
    "sql-role-password-literal",
    Severity.WARNING,
    "role powersync_role has a literal password",
    Span("migrations/V1__roles.sql", 1, 13, 2, 44),
    key="role:powersync_role",
)
SUPPRESSED_FINDING = Finding(
    "cfg-debug-api",
    Severity.INFO,
    "debug_api is enabled",
    Span("config.yaml", 3, 4, 3, 7),
    suppressed=Suppression("inSource", "staging only"),
)


def _fs(*findings: Finding, files: int = 2) -> FindingSet:
    return FindingSet.of(findings, files=files)


# --- text ------------------------------------------------------------------------------------------------


def test_text_golden_with_tabs_secret_related_fix_and_multiline_span() -> None:
    out = render_text(_fs(URI_FINDING, MULTILINE_FINDING, SUPPRESSED_FINDING), SOURCES)
    assert out == (
        "config.yaml:4:9: error: connection uri carries a literal password [cfg-plaintext-secret]\n"
        " 4 |           uri: postgresql://powersync_role:****@db.example.com:5432/app\n"
        "   |                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "  note: migrations/V1__roles.sql:1:13: role created here\n"
        "  fix: use `uri: !env PS_DATA_SOURCE_URI`\n"
        "migrations/V1__roles.sql:1:13: warning: role powersync_role has a literal password"
        " [sql-role-password-literal]\n"
        " 1 | CREATE ROLE powersync_role\n"
        "   |             ^\n"
        "1 error, 1 warning, 0 infos in 2 files, 1 suppressed\n"
    )
    assert "hunter2" not in out


def test_text_oneline() -> None:
    out = render_text(_fs(URI_FINDING, MULTILINE_FINDING), SOURCES, oneline=True)
    assert out == (
        "config.yaml:4:9: error: connection uri carries a literal password [cfg-plaintext-secret]\n"
        "migrations/V1__roles.sql:1:13: warning: role powersync_role has a literal password"
        " [sql-role-password-literal]\n"
        "1 error, 1 warning, 0 infos in 2 files\n"
    )


@pytest.mark.parametrize(
    ("line", "col", "end_col", "expected"),
    [
        # a tab before the span: the caret follows the 8-column tab stop
        ("key:\tvalue", 6, 10, [" 1 | key:    value", "   |         ^~~~~"]),
        # a tab inside the span widens the caret by the tab's display width
        ("a\tb", 1, 3, [" 1 | a       b", "   | ^~~~~~~~~"]),
        # wide characters take two columns
        ("名前: x", 5, 5, [" 1 | 名前: x", "   |       ^"]),
        # a point just past the end of the line (e.g. a missing value)
        ("key:", 5, 5, [" 1 | key:", "   |     ^"]),
        # a span running past the end of the line is clamped to it
        ("ab", 1, 40, [" 1 | ab", "   | ^~"]),
    ],
)
def test_text_caret_alignment(line: str, col: int, end_col: int, expected: list[str]) -> None:
    f = Finding("r", Severity.INFO, "m", Span("f.yaml", 1, col, 1, end_col))
    out = render_text(_fs(f, files=1), {"f.yaml": line + "\n"}).splitlines()
    assert out[1:3] == expected


def test_text_caret_over_masked_secret_has_mask_length() -> None:
    line = "password: a-very-long-password-indeed # rotate"
    f = Finding("r", Severity.ERROR, "m", Span("f.yaml", 1, 11, 1, 37))
    out = render_text(_fs(f, files=1), {"f.yaml": line}).splitlines()
    assert out[1:3] == [" 1 | password: **** # rotate", "   |           ^~~~"]


def test_text_secret_spans_from_readers() -> None:
    text = "api:\n  tokens:\n    - use_a_better_token_in_production\n"
    span = Span("c.yaml", 3, 7, 3, 39)
    f = Finding("cfg-plaintext-secret", Severity.ERROR, "api token is a literal", span)
    out = render_text(_fs(f, files=1), {"c.yaml": text}, secrets=[span])
    assert "use_a_better" not in out
    assert out.splitlines()[1:3] == [" 3 |     - ****", "   |       ^~~~"]


def test_text_missing_source_or_line_omits_snippet() -> None:
    past_end = Finding("r", Severity.ERROR, "past the end", Span("f.yaml", 9, 1, 9, 1))
    no_source = Finding("r", Severity.ERROR, "no source", Span("gone.yaml", 1, 1, 1, 1))
    out = render_text(_fs(past_end, no_source), {"f.yaml": "a: 1\n"})
    assert out == (
        "f.yaml:9:1: error: past the end [r]\n"
        "gone.yaml:1:1: error: no source [r]\n"
        "2 errors, 0 warnings, 0 infos in 2 files\n"
    )


def test_text_crlf_and_control_characters_are_neutralised() -> None:
    text = "a: 1\r\nb: \x1b[2J\u202eevil\r\n"
    f = Finding("r", Severity.WARNING, "bad \x1b]0;title\x07 message", Span("f.yaml", 2, 4, 2, 5))
    out = render_text(_fs(f, files=1), {"f.yaml": text})
    assert "\x1b" not in out and "\u202e" not in out and "\r" not in out and "\x07" not in out
    assert out.splitlines()[1:3] == [" 2 | b: \ufffd[2J\ufffdevil", "   |    ^~"]


def test_text_colour_only_when_asked() -> None:
    fs = _fs(URI_FINDING, MULTILINE_FINDING, Finding("i", Severity.INFO, "note", Span("config.yaml", 1, 1, 1, 1)))
    plain = render_text(fs, SOURCES)
    coloured = render_text(fs, SOURCES, color=True)
    assert "\x1b" not in plain
    assert "\x1b[1mconfig.yaml:4:9:\x1b[0m \x1b[31merror\x1b[0m: connection uri" in coloured
    assert "\x1b[33mwarning\x1b[0m" in coloured
    assert "\x1b[34minfo\x1b[0m" in coloured
    # stripping the escapes gives the plain rendering back
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_text_notes_are_printed_before_the_summary() -> None:
    fs = FindingSet((), files=3, notes=("live checks skipped: no --live",))
    assert render_text(fs, {}) == "note: live checks skipped: no --live\nno findings in 3 files\n"


@pytest.mark.parametrize(
    ("findings", "files", "expected"),
    [
        ((), 7, "no findings in 7 files"),
        ((), 1, "no findings in 1 file"),
        ((SUPPRESSED_FINDING,), 2, "no findings in 2 files, 1 suppressed"),
        ((URI_FINDING,), 1, "1 error, 0 warnings, 0 infos in 1 file"),
        (
            (
                URI_FINDING,
                MULTILINE_FINDING,
                Finding("x", Severity.ERROR, "m", Span("a", 1, 1, 1, 1)),
                Finding("y", Severity.ERROR, "m", Span("b", 1, 1, 1, 1)),
                Finding("z", Severity.INFO, "m", Span("c", 1, 1, 1, 1), suppressed=Suppression("inSource", "")),
                Finding("z", Severity.INFO, "m", Span("d", 1, 1, 1, 1), suppressed=Suppression("external", "why")),
            ),
            7,
            "3 errors, 1 warning, 0 infos in 7 files, 2 suppressed",
        ),
    ],
)
def test_summary_line(findings: tuple[Finding, ...], files: int, expected: str) -> None:
    fs = _fs(*findings, files=files)
    assert summary_line(fs) == expected
    assert render_text(fs, SOURCES).splitlines()[-1] == expected


# --- json ------------------------------------------------------------------------------------------------


def test_schema_is_valid_and_documented() -> None:
    Draft202012Validator.check_schema(SCHEMA)

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert "description" in sub, f"{where}.{name} has no description"
            if node.get("type") == "object":
                assert node.get("additionalProperties") is False, f"{where} is not closed"
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")

    walk(SCHEMA, "$")


def test_json_empty() -> None:
    out = render_json(FindingSet((), files=0), "0.1.0")
    assert out.endswith("}\n")
    doc = json.loads(out)
    VALIDATOR.validate(doc)
    assert doc == {
        "version": 1,
        "tool": {"name": "replint", "version": "0.1.0"},
        "findings": [],
        "summary": {"files": 0, "errors": 0, "warnings": 0, "infos": 0, "suppressed": 0},
    }


def test_json_with_related_fix_and_suppressed() -> None:
    fs = _fs(URI_FINDING, MULTILINE_FINDING, SUPPRESSED_FINDING, files=5)
    out = render_json(fs, "0.1.0")
    doc = json.loads(out)
    VALIDATOR.validate(doc)
    assert out == render_json(fs, "0.1.0")  # deterministic
    assert out.startswith('{\n  "version": 1,\n  "tool": {')  # indent=2, members in contract order
    assert [f["rule"] for f in doc["findings"]] == [
        "cfg-debug-api",
        "cfg-plaintext-secret",
        "sql-role-password-literal",
    ]
    suppressed, uri, multi = doc["findings"]
    assert uri == {
        "rule": "cfg-plaintext-secret",
        "severity": "error",
        "message": "connection uri carries a literal password",
        "path": "config.yaml",
        "line": 4,
        "column": 9,
        "end_line": 4,
        "end_column": 67,
        "related": [{"path": "migrations/V1__roles.sql", "line": 1, "column": 13, "message": "role created here"}],
        "fingerprint": URI_FINDING.fingerprint,
        "fix": "use `uri: !env PS_DATA_SOURCE_URI`",
    }
    assert list(uri) == [
        "rule",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "related",
        "fingerprint",
        "fix",
    ]
    assert multi["fix"] is None and multi["related"] == [] and "suppression" not in multi
    assert suppressed["suppression"] == "staging only"
    assert doc["summary"] == {"files": 5, "errors": 1, "warnings": 1, "infos": 0, "suppressed": 1}


def test_json_keeps_non_ascii_and_masks_careless_messages() -> None:
    f = Finding(
        "r",
        Severity.WARNING,
        "rôle «powersync» uses postgresql://u:hunter2@h/db",
        Span("ü.yaml", 1, 1, 1, 1),
        fix="password: hunter2",
    )
    out = render_json(_fs(f, files=1), "0.1.0")
    VALIDATOR.validate(json.loads(out))
    assert "rôle «powersync»" in out and "ü.yaml" in out
    assert "hunter2" not in out


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["findings"][0].update(extra=1),
        lambda d: d["findings"][0].update(severity="fatal"),
        lambda d: d["findings"][0].update(line=0),
        lambda d: d["findings"][0]["related"][0].update(end_line=1),
        lambda d: d["findings"][0].pop("fix"),
        lambda d: d["summary"].update(notes=[]),
        lambda d: d.update(version=2),
        lambda d: d["tool"].update(name="other"),
        lambda d: d["findings"][0].update(suppression=None),
    ],
)
def test_schema_rejects_deviations(mutate: Any) -> None:
    doc = json.loads(render_json(_fs(URI_FINDING), "0.1.0"))
    mutate(doc)
    with pytest.raises(ValidationError):
        VALIDATOR.validate(doc)
