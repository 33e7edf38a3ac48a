"""replint vs Squawk (squawk-cli==2.70.0) on the shared migration corpus, alternated round by round.

Both get the corpus as a user would give it: Squawk the sorted `*.sql` file list (a shell glob), replint the folder,
cold (`--no-cache`) so every round does all the work. With --check-identical (default), replint's findings must be
the same with 1 or 2 processes and without, with a cold and with a warm cache.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import (
    REPLINT_OK,
    VENV_BIN,
    BenchError,
    Run,
    Stats,
    bench_env,
    enter_repo,
    expect_rc,
    first_line,
    main_guard,
    parser,
    rotations,
    run,
    secs,
    show,
    stats_cells,
    table,
)
from corpus import Corpus, ensure_corpus

SQUAWK_PIN = "squawk-cli==2.70.0"
SQUAWK_VERSION = "squawk 2.70.0"
SQUAWK = str(VENV_BIN / "squawk")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Identical:
    target: str
    counts: tuple[int, ...]  # findings per command
    commands: tuple[str, ...]
    problem: str | None  # None: every command gave the same findings

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class SquawkResult:
    replint_cmd: str
    squawk_cmd: str
    replint: Stats
    squawk: Stats
    replint_cpu: Stats
    squawk_cpu: Stats
    identical: tuple[Identical, ...]

    @property
    def ratio(self) -> float:
        return self.replint.median / self.squawk.median


def ensure_squawk() -> str:
    """Squawk at exactly the pinned version in .venv, installed with pip when missing or different."""
    env = bench_env(Path(tempfile.gettempdir()))
    if Path(SQUAWK).is_file() and first_line([SQUAWK, "--version"], env) == SQUAWK_VERSION:
        return SQUAWK_VERSION
    cmd = [str(VENV_BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", SQUAWK_PIN]
    print(f"installing Squawk: {show(cmd)}")
    expect_rc(run(cmd, env), cmd, frozenset({0}))
    found = first_line([SQUAWK, "--version"], env)
    if found != SQUAWK_VERSION:
        raise BenchError(f"{SQUAWK} --version says {found!r} after installing {SQUAWK_PIN}")
    return found


def squawk_ok(result: Run, cmd: Sequence[str]) -> Run:
    """Exit 1 means Squawk reported violations (its job); anything on stderr is an error about its invocation."""
    expect_rc(result, cmd, frozenset({0, 1}))
    if result.stderr.strip():
        raise BenchError(f"squawk wrote to stderr:\n{result.stderr.strip()}")
    return result


def squawk_checked(result: Run, cmd: Sequence[str]) -> int:
    """The number of files Squawk says it checked."""
    squawk_ok(result, cmd)
    text = _ANSI.sub("", result.stdout.decode("utf-8", "replace"))
    found = re.search(r"checked (\d+) source files?", text) or re.search(r"Found \d+ issues? in (\d+) files?", text)
    if not found:
        raise BenchError("cannot find Squawk's summary line ('Found N issues in M files') in its output")
    return int(found.group(1))


def measure(corpus: Corpus, rounds: int, replint: str, *, check_identical: bool = True) -> SquawkResult:
    squawk_cmd = [SQUAWK, *map(str, corpus.files)]
    replint_cmd = [replint, "check", "--no-cache", str(corpus.folder)]
    with tempfile.TemporaryDirectory(prefix="replint-bench-") as tmp:
        env = bench_env(Path(tmp))
        # Warm-up, untimed: fills the page cache for both and proves each did the whole corpus.
        # Its report on the corpus is tens of MB; only the summary line at the end is needed.
        checked = squawk_checked(run(squawk_cmd, env, capture_stdout=True, tail=4096), squawk_cmd)
        if checked != len(corpus.files):
            raise BenchError(f"squawk checked {checked} files, the corpus has {len(corpus.files)}")
        expect_rc(run(replint_cmd, env), replint_cmd, REPLINT_OK)
        runs: dict[str, list[Run]] = {"replint": [], "squawk": []}
        commands = {"replint": replint_cmd, "squawk": squawk_cmd}
        for order in rotations(list(runs), rounds):
            for name in order:
                result = run(commands[name], env)
                if name == "squawk":
                    squawk_ok(result, squawk_cmd)
                else:
                    expect_rc(result, replint_cmd, REPLINT_OK)
                runs[name].append(result)
    # The corpus is the bar; `examples` adds a target that has findings, so the comparison is not of
    # empty lists only.
    targets = (str(corpus.folder), "examples") if check_identical else ()
    identical = tuple(identical_findings(replint, t) for t in targets)
    return SquawkResult(
        replint_cmd=show(replint_cmd),
        squawk_cmd=f"{show([SQUAWK])} {corpus.glob}",
        replint=Stats.of([r.wall for r in runs["replint"]]),
        squawk=Stats.of([r.wall for r in runs["squawk"]]),
        replint_cpu=Stats.of([r.cpu for r in runs["replint"]]),
        squawk_cpu=Stats.of([r.cpu for r in runs["squawk"]]),
        identical=identical,
    )


def identical_findings(replint: str, target: str) -> Identical:
    """replint's JSON findings with 1 and 2 processes without the cache, then with a cold and a warm cache."""
    variants = [
        (["--no-cache", "--jobs", "1"], ""),
        (["--no-cache", "--jobs", "2"], ""),
        ([], "  # cold cache: a new, empty REPLINT_CACHE_DIR"),
        ([], "  # warm cache: the same REPLINT_CACHE_DIR again"),
    ]
    plain: list[str] = []
    labels: list[str] = []
    outputs: list[list[Any]] = []
    problem: str | None = None
    with tempfile.TemporaryDirectory(prefix="replint-bench-cache-") as tmp:
        env = bench_env(Path(tmp))
        for extra, label in variants:
            cmd = [replint, "check", "--format", "json", *extra, target]
            result = expect_rc(run(cmd, env, capture_stdout=True), cmd, REPLINT_OK)
            plain.append(show(cmd))
            labels.append(label)
            outputs.append(findings_of(result, cmd))
            if not extra and problem is None and not any(Path(tmp).iterdir()):
                # Without this the cold/warm comparison would pass vacuously.
                problem = f"`{show(cmd)}` left REPLINT_CACHE_DIR empty: it did not use the cache"
    for cmd_text, label, findings in zip(plain[1:], labels[1:], outputs[1:], strict=True):
        if problem is None and findings != outputs[0]:
            problem = (
                f"`{plain[0]}` gave {len(outputs[0])} findings, `{cmd_text}`{label} gave {len(findings)}"
                f"{first_difference(outputs[0], findings)}"
            )
    shown = tuple(c + label for c, label in zip(plain, labels, strict=True))
    return Identical(target, tuple(len(f) for f in outputs), shown, problem)


def findings_of(result: Run, cmd: Sequence[str]) -> list[Any]:
    try:
        document = json.loads(result.stdout)
        findings = document["findings"]
    except (ValueError, KeyError, TypeError):
        raise BenchError(f"`{show(cmd)}` did not print a JSON document with `findings`") from None
    if not isinstance(findings, list):
        raise BenchError(f"`{show(cmd)}`: `findings` is not a list")
    return findings


def first_difference(a: list[Any], b: list[Any]) -> str:
    for x, y in zip(a, b, strict=False):
        if x != y:
            return f"; first difference:\n  {json.dumps(x, sort_keys=True)}\n  {json.dumps(y, sort_keys=True)}"
    return ""


def report(result: SquawkResult) -> str:
    rows = [
        ["replint", *stats_cells(result.replint), secs(result.replint_cpu.median), f"{result.ratio:.2f}"],
        ["squawk", *stats_cells(result.squawk), secs(result.squawk_cpu.median), "1.00"],
    ]
    lines = [
        f"  {result.replint_cmd}",
        f"  {result.squawk_cmd}",
        "",
        table(["tool", "median wall", "min / max", "median CPU", "ratio to squawk"], rows),
    ]
    for check in result.identical:
        verdict = f"identical: {check.counts[0]} findings each" if check.ok else f"NOT IDENTICAL: {check.problem}"
        lines += ["", f"findings on {check.target} ({verdict}) from", *(f"  {c}" for c in check.commands)]
    return "\n".join(lines)


def main() -> None:
    p = parser(__doc__.splitlines()[0], rounds=7)
    p.add_argument(
        "--check-identical",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also check replint's findings are the same with --jobs 1/2 and a cold/warm cache (default: on)",
    )
    args = p.parse_args()
    enter_repo()
    corpus = ensure_corpus(args.files, args.statements)
    print(ensure_squawk())
    result = measure(corpus, args.rounds, args.replint, check_identical=args.check_identical)
    print(f"{args.rounds} rounds each, alternated, after one untimed warm-up each; stdout to /dev/null")
    print(report(result))
    if not all(check.ok for check in result.identical):
        raise SystemExit(1)


if __name__ == "__main__":
    main_guard(main)
