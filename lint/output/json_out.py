"""Machine-readable output, format version 1 (DESIGN §6), documented by `schemas/findings-v1.schema.json`.

Other tools parse this: a member is never renamed or removed within version 1, only optional members are
added. Suppressed findings are listed (with their `suppression` justification) so that dashboards can show
them, but the summary's severity counts cover active findings only, like the exit code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lint.output import View

import json
from typing import Any

from lint.findings.finding import Finding, FindingSet, Related, Severity
from lint.redact import mask_line
from lint.span import display_path

FORMAT_VERSION = 1


def render_json(fs: FindingSet, version: str) -> str:
    doc = {
        "version": FORMAT_VERSION,
        "tool": {"name": "replint", "version": version},
        "findings": [_finding(f) for f in fs.findings],
        **({"notes": [mask_line(n) for n in fs.notes]} if fs.notes else {}),
        "summary": {
            "files": fs.files,
            "errors": fs.count(Severity.ERROR),
            "warnings": fs.count(Severity.WARNING),
            "infos": fs.count(Severity.INFO),
            "suppressed": len(fs.findings) - len(fs.active),
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _finding(f: Finding) -> dict[str, Any]:
    # Messages are built without secret values; masking them again is the defence in depth of DESIGN §8.
    out: dict[str, Any] = {
        "rule": f.rule,
        "severity": f.severity.label,
        "message": mask_line(f.message),
        "path": display_path(f.span.path),
        "line": f.span.line,
        "column": f.span.col,
        "end_line": f.span.end_line,
        "end_column": f.span.end_col,
        "related": [_related(r) for r in f.related],
        "fingerprint": f.fingerprint,
        "fix": None if f.fix is None else mask_line(f.fix),
    }
    if f.suppressed is not None:
        out["suppression"] = mask_line(f.suppressed.justification)
    return out


def _related(r: Related) -> dict[str, Any]:
    span = r.span
    return {"path": display_path(span.path), "line": span.line, "column": span.col, "message": mask_line(r.message)}


def render(view: View) -> str:
    return render_json(view.fs, view.version)
