"""Test policies the way `conftest verify` / `opa test` do: `replint test`, and the project's own suite.

Two kinds of check, both run on small file trees written to a temporary folder and linted with every loaded
policy (so a policy is tested among the others, as in a real run):

- a policy's `examples`: `bad` must make it fire (unless it judges `--live` facts, whose bad example describes
  a server), `good` must not;
- case files, `tests/<policy-id>.yaml` next to the policy files (the built-in policies' are tests/policies/ of
  the source tree): `cases: [{name, files: {path: content}, expect: [one-line findings of that policy]}]`,
  each finding as `path:line:col: severity: message [policy-id]`, compared exactly.

No case may make any policy fail to evaluate (a `policy-error` finding).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lint.findings.finding import Finding
from lint.policy.load import Policy

CASES_FOLDER = "tests"


@dataclass(frozen=True)
class Outcome:
    policy: str
    name: str  # "example bad", "example good", or the case's name
    where: str  # the file that defines it
    failures: tuple[str, ...]  # empty: passed

    @property
    def passed(self) -> bool:
        return not self.failures


def oneline(f: Finding) -> str:
    return f"{f.span.path}:{f.span.line}:{f.span.col}: {f.severity.label}: {f.message} [{f.rule}]"


def findings_of(files: dict[str, str], policies: list[Policy], rule: str | None = None) -> list[str]:
    """Lint one file tree and return the findings (of `rule`, or all) as one-line strings."""
    from lint.run import run

    with tempfile.TemporaryDirectory(prefix="replint-test-") as tmp:
        base = Path(tmp)
        for rel, content in files.items():
            target = base / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(str(content), encoding="utf-8")
        result = run([base], policies)
    return [oneline(f) for f in result.findings.findings if rule is None or f.rule == rule]


def _errors(found: list[str]) -> list[str]:
    return [f"a policy could not be evaluated: {line}" for line in found if line.endswith("[policy-error]")]


def example_outcomes(policy: Policy, policies: list[Policy], *, live: bool) -> list[Outcome]:
    out: list[Outcome] = []
    for kind in ("bad", "good"):
        files = policy.examples.get(kind, {}).get("files", {})
        found = findings_of(files, policies)
        mine = [line for line in found if line.endswith(f"[{policy.id}]")]
        failures = _errors(found)
        if kind == "bad" and not live and not mine:
            failures.append("the bad example does not make the policy fire")
        if kind == "good" and mine:
            failures += [f"the good example makes the policy fire: {line}" for line in mine]
        out.append(Outcome(policy.id, f"example {kind}", policy.path, tuple(failures)))
    return out


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of one case file; raises ValueError with what is wrong."""
    from lint.yamlsrc import load_located

    doc = load_located(str(path), path.read_text(encoding="utf-8"), env_tag=False)
    if doc.problems:
        raise ValueError(f"{doc.problems[0].span.line}: {doc.problems[0].message}")
    data = doc.data
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        raise ValueError("a case file is a mapping with a non-empty list under 'cases'")
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("files"), dict) or not isinstance(
            case.get("expect"), list
        ):
            raise ValueError(f"cases[{i}] needs 'files' (a mapping of path to content) and 'expect' (a list)")
    return cases


def case_outcome(policy_id: str, case: dict[str, Any], where: str, policies: list[Policy]) -> Outcome:
    found = findings_of({str(k): str(v) for k, v in case["files"].items()}, policies)
    mine = [line for line in found if line.endswith(f"[{policy_id}]")]
    expected = [str(e) for e in case["expect"]]
    failures = _errors(found)
    if mine != expected:
        failures += [f"missing: {e}" for e in expected if e not in mine]
        failures += [f"unexpected: {m}" for m in mine if m not in expected]
        if not failures:
            failures.append("the findings are right but in another order")
    return Outcome(policy_id, str(case.get("name", "")), where, tuple(failures))


def case_files(policy_dirs: Iterable[Path]) -> list[Path]:
    return sorted(p for d in policy_dirs for p in (d / CASES_FOLDER).glob("*.yaml"))


__all__ = ["Outcome", "case_files", "case_outcome", "example_outcomes", "findings_of", "oneline", "read_cases"]
