"""Every rule a finding can carry: the policies (from their files) and the few checks replint makes in code.

The checks in code judge replint's own inputs rather than the model — a policy that cannot be evaluated, an
inline suppression that is malformed, unused or not allowed, a baseline entry whose finding is gone — so they
cannot be CEL policies. They are documented here, once, and every consumer (SARIF `tool.driver.rules`,
`replint explain`, `list-policies`, the configuration's id check) reads this module, so they never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lint import DOCS_URL
from lint.findings.finding import Severity

if TYPE_CHECKING:  # not at run time: loading policies pulls in the whole model, which a cached run never needs
    from lint.policy import Policy

POLICY_ERROR = "policy-error"
SUPPRESSION_INVALID = "suppression-invalid"
SUPPRESSION_UNUSED = "suppression-unused"
SUPPRESSION_DISALLOWED = "suppression-disallowed"
BASELINE_STALE = "baseline-stale"


@dataclass(frozen=True)
class RuleDoc:
    id: str
    title: str
    severity: Severity
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()
    builtin_check: bool = False  # made in code, not by a policy file

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.id}"


BUILTIN_CHECKS: tuple[RuleDoc, ...] = (
    RuleDoc(
        POLICY_ERROR,
        "A policy could not be evaluated",
        Severity.ERROR,
        "A policy's CEL expression failed at run time on some item (a missing key, a type mismatch). The policy "
        "judged nothing for that item, so a clean result would be a false all-clear; the error is reported at the "
        "policy file's line instead.",
        "Fix the policy's condition (guard optional keys with `has(...)`), or report a bug if it is a built-in "
        "policy.",
        builtin_check=True,
    ),
    RuleDoc(
        SUPPRESSION_INVALID,
        "An inline suppression is malformed or names an unknown rule",
        Severity.WARNING,
        "`replint: ignore[rule-id] reason` silences one finding on the next statement, key or line. A comment "
        "without a rule id, with an id no policy has (often a typo) or without a reason silences nothing, and a "
        "reader would wrongly believe the finding was reviewed.",
        "Write `-- replint: ignore[rule-id] why this is acceptable` (SQL) or `# replint: ignore[rule-id] why` "
        "(YAML, conf, properties, .env; `//` in JavaScript) with ids from `replint list-policies`.",
        builtin_check=True,
    ),
    RuleDoc(
        SUPPRESSION_UNUSED,
        "An inline suppression silences nothing",
        Severity.WARNING,
        "The finding it was written for is gone (fixed, or moved away from the line under the comment). A stale "
        "suppression would silently hide the next, different problem at that place.",
        "Delete the comment, or move it directly above the statement, key or line the finding points at.",
        builtin_check=True,
    ),
    RuleDoc(
        SUPPRESSION_DISALLOWED,
        "An inline suppression is not allowed here",
        Severity.WARNING,
        "The project configuration (`inline_suppressions: false`) or the policy itself (`suppressible: false`) "
        "does not accept inline suppressions, so the finding stays active: policy owners decide exceptions, "
        "not the author of the change.",
        "Fix the finding, or ask the policy owners for an exception in `.replint.yaml` (`rules: {id: {ignore: "
        "[glob]}}`) or in the baseline.",
        builtin_check=True,
    ),
    RuleDoc(
        BASELINE_STALE,
        "A baseline entry no longer matches any finding",
        Severity.INFO,
        "The finding the baseline accepted is gone — fixed, most likely. Keeping the entry would silently accept "
        "the same problem if it came back.",
        "Rewrite the baseline with `replint check --write-baseline FILE` to drop the entry.",
        builtin_check=True,
    ),
)


def policy_doc(p: Policy) -> RuleDoc:
    return RuleDoc(p.id, p.title, p.severity, p.rationale, p.remediation, p.references)


def rule_docs(policies: Iterable[Policy]) -> list[RuleDoc]:
    """The policies, then the built-in checks, each id once, in a stable order (SARIF `ruleIndex` uses it)."""
    docs = sorted((policy_doc(p) for p in policies), key=lambda d: d.id)
    seen = {d.id for d in docs}
    return docs + [d for d in BUILTIN_CHECKS if d.id not in seen]


def builtin_check(rule_id: str) -> RuleDoc | None:
    return next((d for d in BUILTIN_CHECKS if d.id == rule_id), None)
