"""Evaluate policies over the model. Pure: model + policies in, findings out.

A CEL error while judging an item (a user policy reading a key that does not exist, a type mismatch) is
reported as a `policy-error` finding at the policy file's line, so it is seen, and never stops the run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from lint.findings.finding import Finding, Related, Severity
from lint.model import Project
from lint.policy.cel_ast import Comprehension, Expr, Ident, Select, children
from lint.policy.load import Policy, Program
from lint.rules import POLICY_ERROR
from lint.span import Span, span_from_dict


def _functions() -> dict[str, Any]:
    from lint.policy.celrt import stdlib_functions

    return stdlib_functions()




@dataclass(frozen=True)
class _Plan:
    """How to run one expression cheaply. Handing an item to CEL converts every value in it, so an expression
    that reads `table.owned_by_cdc` and `table.replicated` gets just those two fields — on a large migration
    history this is most of the evaluation time. `fields` is None when the expression uses the item whole."""

    fields: frozenset[str] | None
    context: bool  # needs the extended standard library (functions CEL's core lacks)


def _fields(tree: Expr, var: str) -> frozenset[str] | None:
    """The fields of `var` an expression reads (`var.field`), from its parse tree; None when it uses the item
    whole (passes it on, indexes it, or a macro rebinds the name)."""
    found: set[str] = set()
    stack: list[Expr] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Select) and isinstance(node.operand, Ident) and node.operand.name == var:
            found.add(node.field)
            continue
        if (isinstance(node, Ident) and node.name == var) or (isinstance(node, Comprehension) and node.var == var):
            return None
        stack.extend(children(node))
    return frozenset(found)


def _plan(program: Program, var: str, stdlib: frozenset[str]) -> _Plan:
    fields = _fields(program.tree, var) if program.tree is not None else None
    try:
        called = set(program.compiled.functions())
    except Exception:
        called = set(stdlib)
    return _Plan(fields, bool(called & stdlib))


class _ProgramError(Exception):
    """A CEL expression raised while judging an item: carries the expression, so the report points at it."""

    def __init__(self, program: Program, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.program = program
        self.cause = cause


class _Eval:
    def __init__(self, policy: Policy, project: Project, functions: dict[str, Any]) -> None:
        self.policy = policy
        self.project = project
        self.functions = functions
        self._plans: dict[int, _Plan] = {}
        self._stdlib = frozenset(functions)

    def run(self, program: Program, item: dict[str, Any]) -> Any:
        try:
            return self._run(program, item)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # the runtime's native panics derive from BaseException, not Exception
            raise _ProgramError(program, exc) from exc

    def _run(self, program: Program, item: dict[str, Any]) -> Any:
        plan = self._plans.get(id(program))
        if plan is None:
            plan = self._plans[id(program)] = _plan(program, self.policy.var, self._stdlib)
        view = item if plan.fields is None else {k: item[k] for k in plan.fields if k in item}
        variables: dict[str, Any] = {self.policy.var: view}
        if program.uses_project:
            variables["project"] = dict(self.project.project)
        if plan.context:
            from lint.policy.celrt import cel

            return program.compiled.execute(cel().Context(variables, functions=self.functions))
        return program.compiled.execute(variables)


# Evaluation time a policy may spend on one project. A policy is data from a pull request: nested macros over
# big lists can run for minutes, and one native call cannot be interrupted, so the budget is checked between
# items. Built-in policies take milliseconds on real projects.
POLICY_BUDGET_S = 10.0


def evaluate(policies: list[Policy], project: Project, *, budget_s: float = POLICY_BUDGET_S) -> list[Finding]:
    functions = _functions()
    findings: list[Finding] = []
    for policy in policies:
        ev = _Eval(policy, project, functions)
        failed: set[str] = set()
        items = project.items(policy.for_each)
        started = time.monotonic()
        for index, item in enumerate(items):
            if time.monotonic() - started > budget_s:
                findings.append(_out_of_budget(policy, index, len(items), budget_s))
                break
            try:
                finding = _judge(ev, policy, item)
            except _ProgramError as exc:
                error = _policy_error(policy, exc.program, exc.cause)
                if error.key not in failed:  # one report per expression and error, not one per item
                    failed.add(error.key)
                    findings.append(error)
                continue
            if finding is not None:
                findings.append(finding)
    return findings


def _out_of_budget(policy: Policy, done: int, total: int, budget_s: float) -> Finding:
    return policy_stopped(
        policy,
        f"ran out of its time budget ({budget_s:g} s) after {done} of {total} items and judged no more of them; "
        "simplify its expressions (nested macros over long lists)",
        "budget",
    )


def policy_stopped(policy: Policy, what: str, cause: str) -> Finding:
    """A policy that could not judge everything (time, a crash): a policy-error at its condition, naming it."""
    return Finding(
        rule=POLICY_ERROR,
        severity=Severity.ERROR,
        message=f"policy {policy.id} {what}",
        span=policy.condition.span,
        key=f"policy-error:{policy.id}:{cause}",
    )


def _policy_error(policy: Policy, program: Program, cause: BaseException) -> Finding:
    """A runtime error in a policy, reported at the expression that raised it (the policy file's line)."""
    text = str(cause)
    detail = text.splitlines()[0][:200] if text.strip() else type(cause).__name__
    return Finding(
        rule=POLICY_ERROR,
        severity=Severity.ERROR,
        message=f"policy {policy.id} could not be evaluated: {detail}; fix the expression or the policy",
        span=program.span,
        key=f"policy-error:{policy.id}:{program.span.line}:{detail}",
    )


def _judge(ev: _Eval, policy: Policy, item: dict[str, Any]) -> Finding | None:
    if ev.run(policy.condition, item) is not True:
        return None
    message = str(ev.run(policy.message, item))
    severity = policy.severity
    for when, level in policy.severity_when:
        if ev.run(when, item) is True:
            severity = level
            break
    span = _span(ev.run(policy.location, item) if policy.location else item.get("origin"))
    if span is None:
        span = Span.point(
            str(item.get("origin", {}).get("path", "")) if isinstance(item.get("origin"), dict) else "", 1
        )
    related: list[Related] = []
    if policy.related is not None:
        for entry in ev.run(policy.related, item) or []:
            if not isinstance(entry, dict):
                continue
            at = _span(entry.get("at"))
            if at is not None and at.path and at != span:
                related.append(Related(at, str(entry.get("message", ""))))
    key = str(ev.run(policy.fingerprint, item)) if policy.fingerprint else str(item.get("key", ""))
    fix = str(ev.run(policy.fix, item)) if policy.fix else None
    fix = fix or None  # an empty hint is no hint
    return Finding(policy.id, severity, message, span, tuple(related), key, fix)


def _span(value: Any) -> Span | None:
    span = span_from_dict(value)
    if span is None or not span.path:
        return None
    return span
