"""SARIF 2.1.0 for code scanning (DESIGN §6 `sarif`), valid against `shared/data/sarif-schema-2.1.0.json`.

Choices that consumers (GitHub code scanning first) depend on:

- `tool.driver.rules` lists every enabled rule, not only those that fired, so that a scanner can tell "ran and
  found nothing" (close the alert) from "did not run".
- `partialFingerprints` carry the semantic fingerprint (rule + object identity, no line number), so an alert
  survives lines inserted above it.
- Paths are relative references against `%SRCROOT%`, which is deliberately given no absolute `uri`: the
  runner's file system layout must not leak into an uploaded report.
- Suppressed findings are listed with `suppressions`, so dashboards show them as closed rather than missing.
- No `region.snippet` and no file content at all: snippets could carry secrets (DESIGN §8). Every message goes
  through `lint.redact.mask_line`.

Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os.html
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lint.output import View

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from lint import DOCS_URL, HOMEPAGE
from lint.findings.finding import Finding, FindingSet, Related, Severity
from lint.output.text import clean_controls
from lint.redact import mask_line
from lint.rules import RuleDoc
from lint.span import Span

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
# Versioned, so that a future change to how fingerprints are computed can use a new key instead of silently
# re-opening every alert.
FINGERPRINT_KEY = "replintFingerprint/v1"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SUPPRESSION_KINDS = frozenset({"inSource", "external"})


def render_sarif(fs: FindingSet, rules: Sequence[RuleDoc], version: str, *, path_prefix: str = "") -> str:
    """One SARIF run: every rule in `rules` (in order), then every finding, suppressed ones included."""
    descriptors, index = _descriptors(fs, rules)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "replint",
                "version": version,
                "semanticVersion": version,
                "informationUri": HOMEPAGE,
                "rules": descriptors,
            }
        },
        "invocations": [_invocation(fs)],
        # Spans count characters (lint.span.LineIndex), not UTF-16 code units.
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the repository that replint checked."}},
        },
        "results": [_result(f, index[f.rule], path_prefix) for f in fs.findings],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --- rules -------------------------------------------------------------------------------------------------


def _descriptors(fs: FindingSet, rules: Sequence[RuleDoc]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Rule descriptors and each id's position (`ruleIndex`). Ids are kept once: the schema wants the array's
    items unique, and a second descriptor with the same id would make `ruleIndex` ambiguous."""
    out: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for doc in rules:
        if doc.id not in index:
            index[doc.id] = len(out)
            out.append(_rule(doc))
    for f in fs.findings:
        if f.rule not in index:  # defensive: a finding from a rule the caller did not list
            index[f.rule] = len(out)
            out.append(_minimal_rule(f.rule, f.severity))
    return out, index


def _rule(doc: RuleDoc) -> dict[str, Any]:
    tags = ["replint", "builtin-check"] if doc.builtin_check else ["replint"]
    return {
        "id": doc.id,
        "name": pascal_case(doc.id),
        "shortDescription": {"text": doc.title.strip()},
        "fullDescription": {"text": doc.rationale.strip()},
        "help": {"text": _help_text(doc), "markdown": _help_markdown(doc)},
        "helpUri": doc.help_uri,
        "defaultConfiguration": {"level": _LEVEL[doc.severity]},
        "properties": {"tags": tags},
    }


def _minimal_rule(rule_id: str, severity: Severity) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": pascal_case(rule_id),
        "shortDescription": {"text": rule_id},
        "helpUri": f"{DOCS_URL}#{quote(rule_id, safe='')}",
        "defaultConfiguration": {"level": _LEVEL[severity]},
        "properties": {"tags": ["replint"]},
    }


def pascal_case(rule_id: str) -> str:
    """`cfg-plaintext-secret` -> `CfgPlaintextSecret` (SARIF's `name` is meant to be an identifier)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


def _help_text(doc: RuleDoc) -> str:
    parts = [doc.remediation.strip()]
    if doc.references:
        parts.append("References:\n" + "\n".join(f"- {r}" for r in doc.references))
    return "\n\n".join(parts)


def _help_markdown(doc: RuleDoc) -> str:
    # Policy documentation is Markdown already (backticks around keys); only references need shaping.
    parts = [doc.remediation.strip()]
    if doc.references:
        refs = "\n".join(f"- <{r}>" if _is_url(r) else f"- {r}" for r in doc.references)
        parts.append(f"**References**\n\n{refs}")
    parts.append(f"[Documentation]({doc.help_uri})")
    return "\n\n".join(parts)


def _is_url(ref: str) -> bool:
    return re.fullmatch(r"https?://\S+", ref) is not None


# --- results -----------------------------------------------------------------------------------------------


def _invocation(fs: FindingSet) -> dict[str, Any]:
    inv: dict[str, Any] = {"executionSuccessful": True}
    if fs.notes:
        # Notes say which checks were skipped and why (DESIGN §8: no silent all-clear).
        inv["toolExecutionNotifications"] = [{"message": {"text": _safe(n)}, "level": "note"} for n in fs.notes]
    return inv


def _result(f: Finding, rule_index: int, prefix: str) -> dict[str, Any]:
    message = _safe(f.message)
    props: dict[str, Any] = {}
    if f.fix:
        fix = _safe(f.fix)
        message = f"{message} Fix: {fix}"
        props["fix"] = fix
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(f.span, prefix)}],
    }
    if f.related:
        out["relatedLocations"] = [_related(i, r, prefix) for i, r in enumerate(f.related, start=1)]
    out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    if f.suppressed is not None:
        kind = f.suppressed.kind if f.suppressed.kind in _SUPPRESSION_KINDS else "external"
        out["suppressions"] = [{"kind": kind, "status": "accepted", "justification": _safe(f.suppressed.justification)}]
    if props:
        out["properties"] = props
    return out


def _related(ident: int, r: Related, prefix: str) -> dict[str, Any]:
    return {"id": ident, "physicalLocation": _physical(r.span, prefix), "message": {"text": _safe(r.message)}}


def _physical(span: Span, prefix: str) -> dict[str, Any]:
    return {"artifactLocation": artifact_location(span.path, prefix), "region": region(span)}


def artifact_location(path: str, prefix: str = "") -> dict[str, str]:
    """A relative reference against `%SRCROOT%`, percent-encoded (spaces, `#`, `%`, `:` and non-ASCII).

    An absolute path (a finding about a file outside the project, e.g. a missing policy directory) cannot be
    resolved against a base id, so it becomes a `file:` URI without one.
    """
    # A name that is not UTF-8 is percent-encoded byte for byte, as RFC 3986 allows (its escapes are the bytes).
    if path.startswith("/"):
        return {"uri": "file://" + quote(path.encode("utf-8", "surrogateescape"), safe="/")}
    relative = posixpath.normpath(f"{prefix}/{path}") if prefix else path
    return {"uri": quote(relative.encode("utf-8", "surrogateescape"), safe="/"), "uriBaseId": SRCROOT}


def region(span: Span) -> dict[str, int]:
    """SARIF's `endColumn` is the column *after* the region; our spans are inclusive, hence `+ 1`.

    Values are clamped so that a degenerate span (a reader bug) still yields a valid, non-inverted region.
    """
    start_line = max(1, span.line)
    start_col = max(1, span.col)
    end_line = max(start_line, span.end_line)
    end_col = max(1, span.end_col) + 1
    if end_line == start_line:
        end_col = max(end_col, start_col)
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}


def _safe(text: str) -> str:
    """Mask secrets line by line (`mask_line` works on one line) and neutralise control/bidi characters;
    newlines stay, SARIF messages may span lines."""
    return "\n".join(clean_controls(mask_line(line)) for line in text.replace("\r\n", "\n").split("\n"))


def render(view: View) -> str:
    return render_sarif(view.fs, view.rules, view.version, path_prefix=view.path_prefix)
