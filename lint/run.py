"""One lint run: discover and read files, build the model, evaluate the policies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lint import model, project
from lint.engine import evaluate
from lint.finding import FindingSet
from lint.policy import Policy
from lint.span import Span


@dataclass(frozen=True)
class Result:
    findings: FindingSet
    sources: dict[str, str]  # path -> text with known secret spans blanked, for snippets
    project: model.Project


def run(targets: list[Path], policies: list[Policy], *, root: Path | None = None) -> Result:
    base = root or project.project_root(targets)
    loaded = project.load(base, targets)
    built = model.build(loaded.inputs)
    findings = evaluate(policies, built)
    return Result(FindingSet.of(findings, built.files), _masked(loaded.sources, built.secret_spans), built)


def _masked(sources: dict[str, str], spans: tuple[Span, ...]) -> dict[str, str]:
    from lint.redact import mask_spans

    by_path: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_path[span.path].append(span)
    return {path: mask_spans(text, by_path[path]) if path in by_path else text for path, text in sources.items()}
