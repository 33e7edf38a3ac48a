"""Meta-tests over every policy, and the per-policy cases in tests/policies/<id>.yaml.

A case file lists small file trees and the exact one-line findings *of that policy* they must produce
(message included), SQLFluff-style. Every policy needs at least one case that fires and one that does not.
"""

from __future__ import annotations

from typing import Any

import pytest

from lint import verify
from lint.model import LIVE_COLLECTIONS
from lint.policy.docs import policy_reference
from tests.lintkit import ROOT, builtin_policies

CASES_DIR = ROOT / "tests" / "policies"
POLICIES = builtin_policies()
IDS = [p.id for p in POLICIES]
# Policies over observed facts run only with --live; their cases are in tests/test_live_postgres.py (real servers).
STATIC_IDS = [p.id for p in POLICIES if p.for_each not in LIVE_COLLECTIONS]


def _cases(policy_id: str) -> list[dict[str, Any]]:
    path = CASES_DIR / f"{policy_id}.yaml"
    return verify.read_cases(path) if path.exists() else []


ALL_CASES = [(pid, case) for pid in IDS for case in _cases(pid)]


def test_every_policy_has_a_case_file_with_failing_and_passing_cases() -> None:
    missing = [pid for pid in STATIC_IDS if not (CASES_DIR / f"{pid}.yaml").exists()]
    assert not missing, f"policies without tests/policies/<id>.yaml: {missing}"
    for pid in STATIC_IDS:
        cases = _cases(pid)
        assert any(c["expect"] for c in cases), f"{pid}: no failing case"
        assert any(not c["expect"] for c in cases), f"{pid}: no passing case"


def test_case_files_name_existing_policies() -> None:
    stray = sorted(p.stem for p in CASES_DIR.glob("*.yaml") if p.stem not in IDS)
    assert not stray, f"case files for unknown policies: {stray}"


@pytest.mark.parametrize(("policy_id", "case"), ALL_CASES, ids=[f"{pid}:{c['name']}" for pid, c in ALL_CASES])
def test_policy_case(policy_id: str, case: dict[str, Any]) -> None:
    """The machinery `replint test` runs on a user's case files (lint/verify.py); no case may make any policy
    fail to evaluate."""
    outcome = verify.case_outcome(policy_id, case, f"tests/policies/{policy_id}.yaml", list(POLICIES))
    assert outcome.passed, "\n".join(outcome.failures)


@pytest.mark.parametrize("policy_id", IDS)
def test_documented_examples_behave(policy_id: str) -> None:
    """`replint test`'s example checks: a live policy's bad example describes a server, not files."""
    policy = next(p for p in POLICIES if p.id == policy_id)
    outcomes = verify.example_outcomes(policy, list(POLICIES), live=policy_id not in STATIC_IDS)
    assert [o.failures for o in outcomes] == [(), ()]


def test_policy_reference_is_current() -> None:
    current = (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    assert current == policy_reference(POLICIES), (
        "policies/README.md is stale: run `replint list-policies --format markdown > policies/README.md`"
    )
