"""Meta-tests over every policy, and the per-policy cases in tests/policies/<id>.yaml.

A case file lists small file trees and the exact one-line findings *of that policy* they must produce
(message included), SQLFluff-style. Every policy needs at least one case that fires and one that does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lint.model import LIVE_COLLECTIONS
from lint.policy.docs import policy_reference
from tests.lintkit import ROOT, builtin_policies, lines, lint_tree

CASES_DIR = ROOT / "tests" / "policies"
POLICIES = builtin_policies()
IDS = [p.id for p in POLICIES]
# Policies over observed facts run only with --live; their cases are in tests/test_live_postgres.py (real servers).
STATIC_IDS = [p.id for p in POLICIES if p.for_each not in LIVE_COLLECTIONS]


def _cases(policy_id: str) -> list[dict[str, Any]]:
    path = CASES_DIR / f"{policy_id}.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases


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
def test_policy_case(policy_id: str, case: dict[str, Any], tmp_path: Path) -> None:
    result = lint_tree(tmp_path, case["files"])
    assert lines(result, policy_id) == case["expect"]
    # No case may make a policy crash.
    assert lines(result, "policy-error") == []


@pytest.mark.parametrize("policy_id", IDS)
def test_documented_examples_behave(policy_id: str, tmp_path: Path) -> None:
    policy = next(p for p in POLICIES if p.id == policy_id)
    bad = lint_tree(tmp_path / "bad", policy.examples["bad"]["files"])
    good = lint_tree(tmp_path / "good", policy.examples["good"]["files"])
    if policy_id in STATIC_IDS:  # a live policy's bad example describes a server, not files
        assert lines(bad, policy_id), f"{policy_id}: the documented bad example does not trigger it"
    assert not lines(good, policy_id), f"{policy_id}: the documented good example triggers it"


def test_policy_reference_is_current() -> None:
    current = (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    assert current == policy_reference(POLICIES), (
        "policies/README.md is stale: run `replint list-policies --format markdown > policies/README.md`"
    )
