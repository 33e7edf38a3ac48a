"""`lint.plain`, the cache's data format: what it writes comes back equal, and nothing else comes back at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint import plain
from lint.findings.finding import Finding, FindingSet, Severity
from lint.memo import Memo
from lint.sources.sql import Event, RoleCreate, SqlFile, read_sql
from lint.span import Span
from tests.lintkit import ROOT

SQL = sorted(p for base in ("tests", "examples") for p in (ROOT / base).rglob("*.sql"))


@pytest.mark.parametrize("path", SQL, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sql_fixture_round_trips(path: Path) -> None:
    facts = read_sql(path.name, path.read_text(encoding="utf-8", errors="surrogateescape"))
    assert plain.loads(plain.dumps(facts), SqlFile) == facts


def test_a_whole_run_round_trips() -> None:
    from lint.policy.load import load_policies
    from lint.rules import rule_docs
    from lint.run import run

    policies = load_policies()
    result = run([ROOT / "examples"], policies)
    assert result.findings.findings
    memo = Memo(result, tuple(rule_docs(policies)))
    assert plain.loads(plain.dumps(memo), Memo) == memo


def test_undecodable_file_names_round_trip() -> None:
    span = Span("db/caf\udce9.sql", 1, 1, 1, 2)
    assert plain.loads(plain.dumps(span), Span) == span


WRONG = {
    "not JSON": b"\x80\x03",
    "a pickle": b"\x80\x04\x95",
    "a bare number": b"1",
    "an unknown class": b'["Popen", "db/a.sql", 1, 1, 1, 1]',
    "a class the type does not reach": b'["Finding", "r", 3, "m", ["Span", "a", 1, 1, 1, 1], [], "", null, null]',
    "too few fields": b'["Span", "a", 1, 1, 1]',
    "a string for a number": b'["Span", "a", "1", 1, 1, 1]',
    "a boolean for a number": b'["Span", "a", true, 1, 1, 1]',
    "a 5,000-digit number": b'["Span", "a", ' + b"9" * 5000 + b", 1, 1, 1]",
}


@pytest.mark.parametrize("data", WRONG.values(), ids=WRONG.keys())
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(plain.PlainError):
        plain.loads(data, Span)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(plain.PlainError):
        plain.loads(b"[" * 100_000 + b"]" * 100_000, SqlFile)


def test_a_subclass_is_taken_only_where_its_base_is_declared() -> None:
    event = RoleCreate(Span.point("a.sql", 1), "cdc", (("login", True),), None, None, (), (), ())
    data = plain.dumps(event)
    assert plain.loads(data, Event) == event
    with pytest.raises(plain.PlainError):
        plain.loads(data, Span)


def test_enums_and_defaults() -> None:
    finding = Finding("sql-x", Severity.WARNING, "m", Span.point("a.sql", 2), key="role:cdc")
    fs = FindingSet((finding,), 3, ("a note",))
    assert plain.loads(plain.dumps(fs), FindingSet) == fs
    raw = json.loads(plain.dumps(finding))
    assert raw[2] == Severity.WARNING.value
    raw[2] = 9  # no such severity
    with pytest.raises(plain.PlainError):
        plain.loads(json.dumps(raw).encode(), Finding)


def test_only_plain_values_can_be_stored() -> None:
    with pytest.raises(plain.PlainError):
        plain.dumps(object())
