"""Fuzzing every reader, the policy loader, the configuration and the baseline (issue 7).

replint reads files from pull requests by strangers. Whatever bytes a file holds, a run must end in findings
(or, for replint's own configuration, policy and baseline files, a usage error with file:line) — never an
exception. Each example mutates one file of a real project tree from the corpus (tests/fuzz_corpus.py):
random bytes, byte- and token-level mutations, truncation; the whole tree is then read, modelled, judged by
every built-in policy and rendered in every format.

`REPLINT_FUZZ_EXAMPLES` sets the examples per reader (default 60, a few seconds each on two cores);
`REPLINT_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py` is a deep run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint import config, model, project
from lint.findings import baseline
from lint.findings.finding import FindingSet
from lint.output.github import render_github
from lint.output.json_out import render_json
from lint.output.markdown import render_markdown
from lint.output.sarif import render_sarif
from lint.output.text import render_text
from lint.policy import Policy, PolicyError, load_policy_file
from lint.policy.engine import evaluate
from lint.rules import rule_docs
from lint.run import Result, run
from tests.fuzz_corpus import ROOT, Seed, all_trees, reader_modules, seeds_by_kind
from tests.lintkit import builtin_policies, write_tree

EXAMPLES = int(os.environ.get("REPLINT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # CI runs from a clean clone; a local database would make runs differ from CI's
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Fragments that have broken parsers before, or that mean something to one of the formats replint reads.
TOKENS = [
    b"",
    b"'",
    b'"',
    b"`",
    b"$$",
    b"$x$",
    b"\\",
    b"--",
    b"/*",
    b"*/",
    b"#",
    b"//",
    b";",
    b":",
    b"- ",
    b"? ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b",",
    b"=",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"!env ",
    b"!env X::number",
    b"!!python/object/apply:os.system ['false']",
    b"!!binary aGk=",
    b"!!set",
    b"%YAML 1.1\n---\n",
    b"\n---\n",
    b"\t",
    b"\r",
    b"\r\n",
    b"\n",
    b"\xe2\x80\xa8",  # U+2028, a line break to some readers and not others
    b"\xef\xbb\xbf",  # a BOM in the middle
    "é".encode(),
    "\U0001f600".encode(),
    b"\xff\xfe",
    b"\x00",
    b"\x1b[31m",
    b"0",
    b"-1",
    b"1e309",
    b"99999999999999999999999999",
    b"null",
    b"true",
    b".nan",
    b"include ",
    b"include_dir ",
    b"@",
    b"%",
    b"${",
    b"${file:/x:y}",
    b"{{",
    b"::error::",
    b"replint: ignore[",
    b"-- replint: ignore[sql-plaintext-password] r",
    b"\\\\",
    b"E'",
    b"U&'",
    b"postgresql://u:p@h:99999999/db?sslmode=",
    b"mongodb+srv://",
    b"SUPERUSER",
    b"REPLICATION",
    b"ALL TABLES",
    b"sslmode=disable",
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """A few edits to a real file: what a typo, a bad merge or a hostile author produces."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "token", "replace", "duplicate", "lines", "flip"]))
        at = draw(st.integers(0, len(data)))
        if op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "replace" and data:
            at = min(at, len(data) - 1)
            data[at] = draw(st.integers(0, 255))
        elif op == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = data[at:end] * draw(st.integers(1, 5))
        elif op == "lines":
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
        elif op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@st.composite
def hostile(draw: st.DrawFn, seed: bytes) -> bytes:
    how = draw(st.sampled_from(["mutate", "mutate", "mutate", "truncate", "bytes", "text"]))
    if how == "truncate":
        return seed[: draw(st.integers(0, max(len(seed) - 1, 0)))]
    if how == "bytes":
        return draw(st.binary(max_size=2048))
    if how == "text":
        return draw(st.text(max_size=600)).encode("utf-8", "surrogatepass")
    return draw(mutated(seed))


def _write(base: Path, seed: Seed, content: bytes) -> None:
    for rel, text in seed.files:
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if rel == seed.target else text.encode("utf-8"))


def _line_counts(result: Result) -> dict[str, int]:
    return {path: text.count("\n") + 1 for path, text in result.sources.items()}


def check_result(result: Result, files: set[str]) -> None:
    """Every finding points into a file of the tree (or a policy file), and every format renders it."""
    lines = _line_counts(result)
    for finding in result.findings.findings:
        for span in (finding.span, *(r.span for r in finding.related)):
            assert span.line >= 1 and span.col >= 1, finding
            assert span.path in files or span.path.startswith("policies/"), finding
            if span.path in lines:
                assert span.line <= lines[span.path], finding
    _render_all(result.findings, result)


def _render_all(fs: FindingSet, result: Result) -> None:
    render_text(fs, result.sources, oneline=False, color=True)
    render_text(fs, result.sources, oneline=True, color=False)
    json.loads(render_json(fs, "0"))
    json.loads(render_sarif(fs, rule_docs(list(builtin_policies())), "0"))
    render_github(fs)
    render_markdown(fs, "0")


def _policies() -> list[Policy]:
    return list(builtin_policies())


def test_every_reader_has_seeds() -> None:
    """A reader added under lint/sources without real inputs in the corpus would go unfuzzed: fail instead."""
    missing = sorted(reader_modules() - set(seeds_by_kind()))
    assert not missing, f"readers without fuzz seeds (add a policy case or reader fixture): {missing}"


def test_the_unmutated_corpus_reads_cleanly() -> None:
    """Every seed tree as written: no exception anywhere, and every finding renders."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    for seeds in seeds_by_kind().values():
        for seed in seeds:
            if seed.files in seen:
                continue
            seen.add(seed.files)
            with tempfile.TemporaryDirectory() as tmp:
                _write(Path(tmp), seed, dict(seed.files)[seed.target].encode("utf-8"))
                check_result(run([Path(tmp)], _policies()), {rel for rel, _ in seed.files})


CHUNKS = 4  # trees side by side multiply connections by pg_hba records; four projects keep that product small


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_whole_corpus_through_the_console_entry_point(tmp_path: Path, chunk: int) -> None:
    """The corpus's trees side by side in a few projects, through the console entry point, every format at once:
    exit 0 or 1, never 3 (internal error), and nothing that looks like a traceback."""
    for i, (_, files) in enumerate(all_trees()):
        if i % CHUNKS == chunk:
            write_tree(tmp_path / "corpus" / f"t{i:03d}", files)
    reports = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "sarif", "github", "markdown")}
    done = subprocess.run(
        [sys.executable, "-m", "lint", "check", "--no-cache", str(tmp_path / "corpus")]
        + [arg for fmt, path in reports.items() for arg in ("--report", f"{fmt}={path}")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # every quarter of the corpus holds failing cases
    assert "Traceback" not in done.stdout + done.stderr and "internal error" not in done.stderr
    assert json.loads(reports["json"].read_text())["findings"]
    assert json.loads(reports["sarif"].read_text())["runs"][0]["results"]
    assert reports["github"].read_text().startswith("::error ")


@pytest.mark.parametrize("kind", sorted(seeds_by_kind()))
@FUZZ
@given(data=st.data())
def test_reader_survives_hostile_input(kind: str, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(seeds_by_kind()[kind]), label="seed")
    content = data.draw(hostile(dict(seed.files)[seed.target].encode("utf-8")), label="content")
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), seed, content)
        result = run([Path(tmp)], _policies())
        check_result(result, {rel for rel, _ in seed.files})
        check_problems_are_findings(Path(tmp))


def check_problems_are_findings(root: Path) -> None:
    """What a reader could not read is a finding at that place: a problem no policy reports would be a silent gap."""
    loaded = project.load(root.resolve(), [root])
    findings = evaluate(_policies(), model.build(loaded.inputs))
    places = {(f.span.path, f.span.line) for f in findings}
    for problem in loaded.inputs.problems:
        assert (problem.span.path, problem.span.line) in places, problem


# --- replint's own files: a usage error with a place, never an exception ---------------------------------

POLICY_SEEDS = sorted((ROOT / "policies").glob("*.yaml"))


@FUZZ
@given(data=st.data())
def test_policy_loader_survives_hostile_policy_files(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(POLICY_SEEDS), label="policy")
    content = data.draw(hostile(path.read_bytes()), label="content")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / path.name
        target.write_bytes(content)
        try:
            load_policy_file(target, path.name, builtin=False)
        except PolicyError as exc:
            assert exc.errors
            for span, message in exc.errors:
                assert span.line >= 1 and message


CONFIG_SEEDS = sorted((ROOT / "lint" / "presets").glob("*.yaml"))
CONFIG_TEXT = b"""\
# yaml-language-server: $schema=schemas/config.schema.json
extends: recommended
paths: [powersync, supabase/migrations]
policies: [ci/replint-policies]
fail_on: warning
inline_suppressions: true
rules:
  cfg-telemetry-sharing: {enabled: false}
  sql-publication-all-tables: {severity: error}
  cfg-sslmode-weak: {ignore: ["dev/**"]}
  sql-cdc-role-superuser: {suppressible: false}
"""


@FUZZ
@given(data=st.data())
def test_config_loader_survives_hostile_configuration(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from([CONFIG_TEXT, *(p.read_bytes() for p in CONFIG_SEEDS)]), label="seed")
    content = data.draw(hostile(seed), label="content")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / ".replint.yaml"
        target.write_bytes(content)
        try:
            config.load_config(target)
        except config.ConfigError as exc:
            assert exc.span.line >= 1 and str(exc)


BASELINE_TEXT = b"""\
{
  "version": 1,
  "tool": "replint 0.1.0",
  "findings": [
    {"rule": "hba-weak-auth-method", "fingerprint": "0123abcd", "path": "pg_hba.conf", "message": "x"},
    {"rule": "sql-plaintext-password", "fingerprint": "4567ef01", "path": "db/1.sql", "message": "y"}
  ]
}
"""


@FUZZ
@given(data=st.data())
def test_baseline_loader_survives_hostile_baselines(data: st.DataObject) -> None:
    content = data.draw(hostile(BASELINE_TEXT), label="content")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "baseline.json"
        target.write_bytes(content)
        try:
            baseline.load(target, "baseline.json")
        except baseline.BaselineError as exc:
            assert str(exc)
