"""Test helpers: lint a small virtual file tree and get findings as one-line strings."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lint import verify
from lint.findings.finding import Finding
from lint.policy import Policy, load_policies
from lint.run import Result, run

ROOT = Path(__file__).resolve().parent.parent


@cache
def builtin_policies() -> tuple[Policy, ...]:
    return tuple(load_policies())


def write_tree(base: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def lint_tree(base: Path, files: dict[str, str]) -> Result:
    write_tree(base, files)
    return run([base], list(builtin_policies()))


def oneline(f: Finding) -> str:
    return verify.oneline(f)


def lines(result: Result, rule: str | None = None) -> list[str]:
    return [oneline(f) for f in result.findings.findings if rule is None or f.rule == rule]
