"""Inline suppressions (lint/findings/suppress.py): comment detection per format, covered ranges, and `apply`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint.findings.finding import Finding, Severity, Suppression
from lint.findings.suppress import Directive, apply, scan
from lint.rules import SUPPRESSION_DISALLOWED, SUPPRESSION_INVALID, SUPPRESSION_UNUSED, builtin_check
from lint.span import Span
from tests.lintkit import builtin_policies, write_tree

Row = tuple[int, tuple[str, ...], str, int, int]


def rows(path: str, text: str) -> list[Row]:
    """(comment line, ids, reason, first covered line, last covered line) of every well-formed directive."""
    found = scan(path, text)
    assert [d.problem for d in found] == [None] * len(found)
    return [(d.span.line, d.rules, d.reason, d.first_line, d.last_line) for d in found]


# --- SQL --------------------------------------------------------------------------------------------------

MIGRATION = """\
CREATE TABLE lists (id uuid PRIMARY KEY, note text DEFAULT '-- replint: ignore[x] not a comment');

-- replint: ignore[sql-cdc-role-superuser] break-glass role, removed in V7

ALTER ROLE ops_admin
  SUPERUSER;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- replint: ignore[x] inside a dollar-quoted body: function text, not a comment
  RAISE NOTICE 'a;b';
  RETURN NEW;
END;
$fn$;
SELECT E'it\\'s -- replint: ignore[x] still a string'; -- replint:ignore[a, b]   two ids
SELECT "odd -- replint: ignore[x] identifier" FROM lists; /* -- replint: ignore[x] block */
/* outer /* nested */ -- replint: ignore[x] still inside the outer comment */
GRANT ops_admin
  TO powersync_role; -- replint: ignore[sql-cdc-role-excess-privileges] trailing covers its statement
"""


def test_sql_ranges_follow_postgres_lexical_rules() -> None:
    assert rows("migrations/V1__roles.sql", MIGRATION) == [
        (3, ("sql-cdc-role-superuser",), "break-glass role, removed in V7", 5, 6),
        (14, ("a", "b"), "two ids", 14, 14),
        (18, ("sql-cdc-role-excess-privileges",), "trailing covers its statement", 17, 18),
    ]


def test_sql_own_line_covers_the_whole_next_statement_with_dollar_quotes() -> None:
    text = """\
CREATE ROLE powersync_role LOGIN;
-- replint: ignore[sql-storage-role-scope] vendor-managed function
-- (second comment line is skipped)
CREATE FUNCTION f() RETURNS void AS $$
  UPDATE t SET a = 1;  -- this ; is function text
$$ LANGUAGE sql;
SELECT 1;
"""
    assert rows("db/002.sql", text) == [(2, ("sql-storage-role-scope",), "vendor-managed function", 4, 6)]


def test_sql_trailing_after_a_multiline_statement_and_unterminated_tail() -> None:
    text = "SELECT 1; ALTER ROLE a\n  SUPERUSER -- replint: ignore[r] t\n  NOLOGIN"
    # the statement began after `SELECT 1;` on line 1 and never ends: it runs to the last code line
    assert rows("a.sql", text) == [(2, ("r",), "t", 1, 3)]


def test_sql_directive_span_is_marker_to_end_of_line() -> None:
    (d,) = scan("a.sql", "SELECT 1;\n  -- replint: ignore[r] why   \r\nSELECT 2;\n")
    assert d.span == Span("a.sql", 2, 6, 2, 27)
    assert (d.first_line, d.last_line) == (3, 3)


# --- YAML -------------------------------------------------------------------------------------------------

POWERSYNC = """\
replication:
  connections:
    # replint: ignore[cfg-sslmode-weak] local development database only
    - type: postgresql
      uri: "postgresql://powersync_role@db.internal/app # replint: ignore[x] inside quotes"

      sslmode: disable   # replint: ignore[cfg-sslmode-weak] trailing: this key only
      tags: ['a # replint: ignore[x] quoted']
    - type: mongodb
storage:
  # replint: ignore[cfg-storage-shares-source-server] compact sequence below
  hosts:
  - mongo-1
  - mongo-2
  type: mongodb
sync_config:
  content: |
    bucket_definitions:
      # replint: ignore[sync-rules-invalid] embedded sync rules are YAML too
      global:
        data:
          - SELECT * FROM lists WHERE note = 'x # y'
  other: 1
note: it's plain # replint: ignore[cfg-unknown-key] after a plain apostrophe
"""


def test_yaml_key_blocks_lists_and_comments_outside_quotes() -> None:
    assert rows("powersync/config.yaml", POWERSYNC) == [
        (3, ("cfg-sslmode-weak",), "local development database only", 4, 8),
        (7, ("cfg-sslmode-weak",), "trailing: this key only", 7, 7),
        (11, ("cfg-storage-shares-source-server",), "compact sequence below", 12, 14),
        (19, ("sync-rules-invalid",), "embedded sync rules are YAML too", 20, 22),
        (24, ("cfg-unknown-key",), "after a plain apostrophe", 24, 24),
    ]


def test_yaml_hash_needs_whitespace_and_multiline_quotes_hide_comments() -> None:
    text = """\
a: b#replint: ignore[x] not a comment
msg: "first line
  # replint: ignore[x] still inside the quoted scalar"
# replint: ignore[k] covers the flow list and its closing bracket
list: [
  1, 2
]
after: 1
"""
    assert rows("c.yml", text) == [(4, ("k",), "covers the flow list and its closing bracket", 5, 7)]


def test_header_directive_also_covers_file_level_findings_at_line_one() -> None:
    # Findings about a missing key point at 1:1; a directive before any code is the only place for them.
    text = "# replint: ignore[cfg-telemetry-sharing] metrics are off at the proxy\nreplication:\n  a: 1\nb: 2\n"
    assert rows("config.yaml", text) == [(1, ("cfg-telemetry-sharing",), "metrics are off at the proxy", 1, 3)]


# --- JavaScript (mongosh) ---------------------------------------------------------------------------------

MONGOSH = """\
const admin = db.getSiblingDB("admin");
// replint: ignore[mongo-superuser-role] bootstrap user, dropped by 002-rotate.js
admin.createUser({
  user: "powersync",
  pwd: passwordPrompt(),

  // a comment inside the call
  roles: [
    { role: "root", db: "admin" },
  ],
});
const url = "mongodb://h // replint: ignore[x] in a string";
const re = /a\\/\\/ replint: ignore[x]/; // replint: ignore[mongo-write-overgrant] trailing, this line
admin.grantRolesToUser("powersync", [`readWrite // replint: ignore[x]`]);
"""


def test_js_call_with_its_closing_line_and_strings_regexes_skipped() -> None:
    assert rows("mongo/init.js", MONGOSH) == [
        (2, ("mongo-superuser-role",), "bootstrap user, dropped by 002-rotate.js", 3, 11),
        (13, ("mongo-write-overgrant",), "trailing, this line", 13, 13),
    ]


def test_js_trailing_on_opening_line_covers_the_call() -> None:
    text = 'db.createUser({ // replint: ignore[mongo-superuser-role] lab\n  user: "u",\n  roles: ["root"]\n})\nx()\n'
    assert rows("setup.mjs", text) == [(1, ("mongo-superuser-role",), "lab", 1, 4)]


# --- line-oriented files ----------------------------------------------------------------------------------


def test_postgresql_conf_quotes_and_trailing() -> None:
    text = """\
max_wal_senders = 10
# replint: ignore[conf-wal-level-logical] this replica is built by the platform team
wal_level = replica
cluster_name = 'a # replint: ignore[x] quoted'   # replint: ignore[conf-replication-capacity] trailing
log_line_prefix = 'it''s # not'  # replint:  ignore[y]  spaces around
"""
    assert rows("pg/postgresql.conf", text) == [
        (2, ("conf-wal-level-logical",), "this replica is built by the platform team", 3, 3),
        (4, ("conf-replication-capacity",), "trailing", 4, 4),
        (5, ("y",), "spaces around", 5, 5),
    ]


def test_pg_hba_continuation_lines() -> None:
    text = """\
local all postgres peer
# replint: ignore[hba-weak-auth-method] legacy reporting app, migrated in Q3
host    all         reporting \\
        10.0.0.0/8  md5
host "db#1" all 10.1.0.0/16 \\
     scram-sha-256  # replint: ignore[hba-ssl-not-enforced] internal network only
# a comment ending in a backslash swallows the next line (PostgreSQL 16) \\
# replint: ignore[x] part of the comment above
"""
    assert rows("pg/pg_hba.conf", text) == [
        (2, ("hba-weak-auth-method",), "legacy reporting app, migrated in Q3", 3, 4),
        (6, ("hba-ssl-not-enforced",), "internal network only", 5, 6),
    ]


def test_conf_named_file_sniffed_as_hba() -> None:
    text = (
        "host all all 0.0.0.0/0 md5 # replint: ignore[hba-weak-auth-method] t \\\n   more\nhost all all ::1/128 trust\n"
    )
    assert rows("etc/access.conf", text) == [(1, ("hba-weak-auth-method",), "t", 1, 2)]


def test_debezium_properties_comments_only_at_line_start() -> None:
    text = """\
name=inventory-connector
# replint: ignore[dbz-plugin-name-managed] self-hosted, decoderbufs is installed
plugin.name=decoder\\
    bufs
database.hostname=db.internal # replint: ignore[x] value text, properties have no trailing comments
! replint: ignore[dbz-publication-autocreate] bang comments work too
publication.autocreate.mode=all_tables
database.dbname=app\\
# replint: ignore[x] a continuation line is value text
"""
    assert rows("debezium/inventory.properties", text) == [
        (2, ("dbz-plugin-name-managed",), "self-hosted, decoderbufs is installed", 3, 4),
        (6, ("dbz-publication-autocreate",), "bang comments work too", 7, 7),
    ]


def test_env_file() -> None:
    text = (
        'PS_PG_URI="postgresql://u@h/db # replint: ignore[x] quoted"\n'
        "# replint: ignore[cfg-env-var-prefix] t\n"
        "\n"
        "PGHOST=h # replint: ignore[y] tr\n"
    )
    assert rows(".env.local", text) == [
        (2, ("cfg-env-var-prefix",), "t", 4, 4),
        (4, ("y",), "tr", 4, 4),
    ]


def test_json_has_no_comments_and_files_without_marker_are_skipped() -> None:
    assert scan("config.json", '{"a": "# replint: ignore[x] y"}') == []
    assert scan("a.sql", "-- Replint: ignore[x] y\n-- replint : ignore[x] y\nSELECT 1;\n") == []


# --- malformed directives ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "rules", "reason", "problem"),
    [
        ("-- replint: ignore", (), "", "no rule ids in brackets after `ignore`"),
        (
            "-- replint: ignore sql-publication-all-tables why",
            (),
            "sql-publication-all-tables why",
            "no rule ids in brackets after `ignore`",
        ),
        ("-- replint: ignore[]  why", (), "why", "the rule id list is empty"),
        ("-- replint: ignore[ , ] why", (), "why", "the rule id list is empty"),
        ("-- replint: ignore[a]", ("a",), "", "no reason after the rule ids (say why the finding is acceptable)"),
        ("-- replint: ignore[a] :  ", ("a",), "", "no reason after the rule ids (say why the finding is acceptable)"),
        ("-- replint: ignore[a why", (), "", "the rule id list `[` is not closed"),
        ("-- replint: disable[a] why", (), "", "unknown directive 'disable[a]' (only `ignore` exists)"),
        ("-- replint: ignored[a] why", (), "", "unknown directive 'ignored[a]' (only `ignore` exists)"),
        ("-- replint:", (), "", "nothing after `replint:`"),
    ],
)
def test_malformed(comment: str, rules: tuple[str, ...], reason: str, problem: str) -> None:
    (d,) = scan("m.sql", f"{comment}\nSELECT 1;\n")
    assert (d.rules, d.reason, d.problem) == (rules, reason, problem)


def test_reason_separators_are_not_part_of_the_reason() -> None:
    found = scan("m.sql", "SELECT 1; -- replint: ignore [a]: why\nSELECT 2; -- replint: ignore[b] -- why not\n")
    assert [(d.rules, d.reason) for d in found] == [(("a",), "why"), (("b",), "why not")]


# --- apply ------------------------------------------------------------------------------------------------

SQL = """\
CREATE ROLE ops_admin SUPERUSER NOLOGIN;
-- replint: ignore[sql-cdc-role-superuser] break-glass role
ALTER ROLE powersync_role SUPERUSER;
"""
CANONICAL = {
    "sql-cdc-role-superuser": "sql-cdc-role-superuser",
    "superuser": "sql-cdc-role-superuser",  # an alias
    "sql-publication-all-tables": "sql-publication-all-tables",
}


def finding(line: int, rule: str = "sql-cdc-role-superuser", path: str = "m/V1.sql") -> Finding:
    return Finding(rule, Severity.ERROR, f"finding on {line}", Span(path, line, 1, line, 30), key=f"k{line}")


def run_apply(
    findings: list[Finding], text: str = SQL, path: str = "m/V1.sql", **kw: object
) -> tuple[list[Finding], list[Finding]]:
    """(the input findings as returned, the new suppression-* findings)."""
    out = apply(findings, {path: text}, resolve=CANONICAL.get, known=sorted(CANONICAL), **kw)  # type: ignore[arg-type]
    return out[: len(findings)], out[len(findings) :]


def test_apply_suppresses_only_the_covered_finding() -> None:
    kept, new = run_apply([finding(1), finding(3)])
    assert kept == [finding(1), replace(finding(3), suppressed=Suppression("inSource", "break-glass role"))]
    assert new == []


def test_apply_alias_and_finding_elsewhere_or_other_rule_does_not_match() -> None:
    text = SQL.replace("ignore[sql-cdc-role-superuser]", "ignore[superuser]")
    kept, new = run_apply([finding(3), finding(3, path="m/V2.sql"), finding(3, "sql-publication-all-tables")], text)
    assert [f.suppressed for f in kept] == [Suppression("inSource", "break-glass role"), None, None]
    assert new == []


def test_apply_unused_one_per_id() -> None:
    text = SQL.replace("ignore[sql-cdc-role-superuser]", "ignore[sql-cdc-role-superuser, sql-publication-all-tables]")
    kept, new = run_apply([finding(3)], text)
    assert kept[0].suppressed == Suppression("inSource", "break-glass role")
    (unused,) = new
    doc = builtin_check(SUPPRESSION_UNUSED)
    assert doc is not None
    assert (unused.rule, unused.severity, unused.span, unused.message) == (
        SUPPRESSION_UNUSED,
        doc.severity,
        Span("m/V1.sql", 2, 4, 2, 87),
        "suppression of 'sql-publication-all-tables' silences nothing: no such finding on line 3",
    )
    assert "\n" not in unused.key and "2" not in unused.key.replace("V1", "")  # semantic: no line numbers


def test_apply_unknown_id_with_suggestion_suppresses_nothing() -> None:
    text = SQL.replace("ignore[sql-cdc-role-superuser]", "ignore[sql-cdc-role-superuse]")
    kept, new = run_apply([finding(3)], text)
    assert kept == [finding(3)]
    assert [(f.rule, f.message, f.fix) for f in new] == [
        (
            SUPPRESSION_INVALID,
            "suppression names unknown rule 'sql-cdc-role-superuse'; did you mean 'sql-cdc-role-superuser'?",
            "-- replint: ignore[sql-cdc-role-superuser] break-glass role",
        )
    ]
    text = SQL.replace("ignore[sql-cdc-role-superuser]", "ignore[zzz]")
    assert [f.message for f in run_apply([finding(3)], text)[1]] == [
        "suppression names unknown rule 'zzz' (see `replint list-policies`)"
    ]


def test_apply_malformed_reports_syntax_for_the_file_kind() -> None:
    kept, new = run_apply([finding(3)], SQL.replace(" break-glass role", ""))
    assert kept == [finding(3)]
    assert [(f.rule, f.message) for f in new] == [
        (
            SUPPRESSION_INVALID,
            "malformed suppression: no reason after the rule ids (say why the finding is acceptable); "
            "write `-- replint: ignore[rule-id] reason`",
        )
    ]
    yaml_text = "# replint: ignore[]\nkey: 1\n"
    (f,) = apply([], {"c.yaml": yaml_text}, resolve=CANONICAL.get)
    assert f.message.endswith("write `# replint: ignore[rule-id] reason`")


def test_apply_disallowed_by_project_config() -> None:
    kept, new = run_apply([finding(3)], allow_inline=False)
    assert kept == [finding(3)]
    doc = builtin_check(SUPPRESSION_DISALLOWED)
    assert doc is not None
    assert [(f.rule, f.severity, f.message) for f in new] == [
        (
            SUPPRESSION_DISALLOWED,
            doc.severity,
            "inline suppressions are turned off for this project (`inline_suppressions: false` in .replint.yaml); "
            "the finding stays active",
        )
    ]


def test_apply_disallowed_by_policy_through_alias() -> None:
    text = SQL.replace("ignore[sql-cdc-role-superuser]", "ignore[superuser]")
    kept, new = run_apply([finding(3)], text, unsuppressible=frozenset({"sql-cdc-role-superuser"}))
    assert kept == [finding(3)]
    assert [(f.rule, f.message) for f in new] == [
        (
            SUPPRESSION_DISALLOWED,
            "policy 'sql-cdc-role-superuser' may not be suppressed inline (`suppressible: false`); its finding "
            "stays active",
        )
    ]


def test_apply_suppression_checks_cannot_be_suppressed() -> None:
    text = "-- replint: ignore[suppression-unused] hush\nSELECT 1;\n"
    own = finding(2, SUPPRESSION_UNUSED)
    kept, new = run_apply([own], text, path="m/V1.sql")
    assert kept == [own]
    assert [f.message for f in new] == ["'suppression-unused' reports suppressions and cannot be suppressed inline"]


def test_apply_keeps_an_external_suppression_but_counts_the_match() -> None:
    external = replace(finding(3), suppressed=Suppression("external", "baseline"))
    kept, new = run_apply([external])
    assert (kept, new) == ([external], [])


def test_apply_masks_secrets_in_reasons() -> None:
    text = "-- replint: ignore[zzz] was postgresql://ops:hunter2@db/app\nSELECT 1;\n"
    _, new = run_apply([], text)
    (f,) = new
    assert "hunter2" not in f.message + (f.fix or "") + f.key
    text = SQL.replace("break-glass role", "see postgresql://ops:hunter2@db/app")
    kept, _ = run_apply([finding(3)], text)
    assert kept[0].suppressed is not None
    assert "hunter2" not in kept[0].suppressed.justification


def test_new_finding_keys_survive_line_shifts() -> None:
    text = SQL.replace("ignore[sql-cdc-role-superuser]", "ignore[zzz]")
    _, before = run_apply([], text)
    _, after = run_apply([], "\n\n" + text)
    assert [f.span.line for f in before] == [2] and [f.span.line for f in after] == [4]
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]


# --- end to end -------------------------------------------------------------------------------------------

PROJECT = {
    "migrations/V1__roles.sql": """\
CREATE ROLE break_glass LOGIN;
CREATE ROLE intruder LOGIN;
-- replint: ignore[sql-cdc-role-superuser] break-glass role
ALTER ROLE break_glass SUPERUSER;
ALTER ROLE intruder SUPERUSER;
""",
}


def superuser_findings(findings: list[Finding]) -> list[tuple[int, Suppression | None]]:
    return [(f.span.line, f.suppressed) for f in findings if f.rule == "sql-cdc-role-superuser"]


def test_end_to_end_pipeline(tmp_path: Path) -> None:
    from lint.run import run

    write_tree(tmp_path, PROJECT)
    policies = list(builtin_policies())
    result = run([tmp_path], policies)
    expected = [(4, Suppression("inSource", "break-glass role")), (5, None)]
    assert superuser_findings(list(result.findings.findings)) == expected
    assert [f.rule for f in result.findings.findings if f.rule.startswith("suppression-")] == []

    # `apply` on its own, on the pipeline's findings before suppression and the raw files (result.sources is
    # masked for display), gives the same answer.
    raw = [replace(f, suppressed=None) for f in result.findings.findings]
    sources = {rel: (tmp_path / rel).read_text(encoding="utf-8") for rel in PROJECT}
    canonical = {name: p.id for p in policies for name in (p.id, *p.aliases)}
    out = apply(raw, sources, resolve=canonical.get, known=canonical)
    assert superuser_findings(out) == expected
    assert len(out) == len(raw)


# --- properties -------------------------------------------------------------------------------------------

PATHS = ["a.sql", "c.yaml", "m.js", "pg/postgresql.conf", "pg/pg_hba.conf", "d.properties", ".env", "x.txt"]
PIECES = st.sampled_from(
    [
        "-- replint: ignore[a] r",
        "# replint: ignore[b, c] r",
        "// replint:ignore[d] r",
        "replint:",
        "ignore[",
        "\n",
        "\n",
        " ",
        "  ",
        "'",
        '"',
        "`",
        "$$",
        "$t$",
        "E'",
        "\\",
        ";",
        "/*",
        "*/",
        "/",
        "#",
        "--",
        "//",
        "key:",
        "- ",
        "|",
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "x",
        "SELECT 1",
        "\r\n",
        "\t",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), parts=st.lists(PIECES | st.text(max_size=4), max_size=40))
def test_scan_never_raises_and_ranges_are_sane(path: str, parts: list[str]) -> None:
    text = "".join(parts)
    n = text.count("\n") + 1
    for d in scan(path, text):
        assert isinstance(d, Directive)
        assert 1 <= d.first_line <= d.last_line <= n
        assert 1 <= d.span.line <= n and 1 <= d.span.col <= d.span.end_col
        assert (d.problem is None) == bool(d.rules and d.reason)
        if d.span.line >= d.first_line:  # a trailing or header directive covers its own line
            assert d.span.line <= d.last_line


def _resolve_any(rule: str) -> str | None:
    return rule if rule in {"a", "b"} else None


@settings(max_examples=100)
@given(parts=st.lists(PIECES, max_size=30), lines=st.lists(st.integers(1, 12), max_size=5))
def test_apply_returns_every_input_finding(parts: list[str], lines: list[int]) -> None:
    text = "".join(parts)
    findings = [finding(line, "a", "a.sql") for line in lines]
    resolve: Callable[[str], str | None] = _resolve_any
    out = apply(findings, {"a.sql": text}, resolve=resolve)
    assert [replace(f, suppressed=None) for f in out[: len(findings)]] == findings
    assert all(f.rule.startswith("suppression-") for f in out[len(findings) :])
