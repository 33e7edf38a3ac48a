"""One lint run: discover and read files, build the model, evaluate the policies."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lint import model, project
from lint.engine import evaluate
from lint.finding import FindingSet
from lint.policy import Policy
from lint.span import Span

if TYPE_CHECKING:
    from lint.live.observe import LiveOptions


@dataclass(frozen=True)
class Result:
    findings: FindingSet
    sources: dict[str, str]  # path -> text with known secret spans blanked, for snippets
    project: model.Project


def run(
    targets: list[Path],
    policies: list[Policy],
    *,
    root: Path | None = None,
    live: LiveOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Result:
    base = root or project.project_root(targets)
    loaded = project.load(base, targets)
    inputs = loaded.inputs
    if live is not None:
        from lint.live.observe import observe

        inputs = replace(inputs, live=observe(inputs, os.environ, live, progress))
    built = model.build(inputs)
    findings = evaluate(policies, built)
    return Result(FindingSet.of(findings, built.files), _masked(loaded.sources, built.secret_spans), built)


def _masked(sources: dict[str, str], spans: tuple[Span, ...]) -> dict[str, str]:
    from lint.redact import mask_spans

    by_path: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_path[span.path].append(span)
    return {path: mask_spans(text, by_path[path]) if path in by_path else text for path, text in sources.items()}
