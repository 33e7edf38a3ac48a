"""Run every benchmark (vs Squawk, start-up, memory, second run) and write bench/RESULTS.md.

Each figure is printed next to the issue's acceptance bar, with pass/fail computed from the measurement; the exit
code is 1 when a bar fails. Nothing is written when a measurement fails (a tool error, unreadable output): a results
file only ever holds complete runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import memory
import second_run
import startup
import vs_squawk
from benchlib import (
    REPO,
    Stats,
    bench_env,
    enter_repo,
    first_line,
    interpreter_of,
    main_guard,
    parser,
    positive,
    secs,
    table,
)
from corpus import Corpus, ensure_corpus

DEFAULT_OUTPUT = Path("bench/RESULTS.md")
# The "done when" bars; `verdicts` compares each measurement with its bar.
BAR_SQUAWK = 1.0
BAR_VERSION = 5.0
BAR_CHECK = 25.0
BAR_MEMORY_MB = 200.0
BAR_SECOND = 0.25


@dataclass(frozen=True)
class Verdict:
    criterion: str
    figure: str
    bar: str
    ok: bool

    @property
    def cells(self) -> list[str]:
        return [self.criterion, self.figure, self.bar, "pass" if self.ok else "**FAIL**"]


@dataclass(frozen=True)
class Results:
    corpus: Corpus
    rounds: dict[str, int]
    squawk: vs_squawk.SquawkResult
    startup: startup.StartupResult
    memory: memory.MemoryResult
    second: second_run.SecondRunResult


def verdicts(r: Results) -> list[Verdict]:
    identical = r.squawk.identical
    problems = [f"{c.target}: {c.problem}" for c in identical if c.problem]
    return [
        Verdict("replint / Squawk wall time", f"{r.squawk.ratio:.2f}", f"≤ {BAR_SQUAWK}", r.squawk.ratio <= BAR_SQUAWK),
        Verdict(
            "identical findings: --jobs 1 / 2, no / cold / warm cache",
            "; ".join(problems) or ", ".join(f"{c.target}: {c.counts[0]} each" for c in identical),
            "identical",
            bool(identical) and not problems,
        ),
        _ratio("`replint --version` / bare Python", r.startup.ratio(startup.VERSION), BAR_VERSION),
        _ratio("`replint check examples` / bare Python", r.startup.ratio(startup.CHECK), BAR_CHECK),
        Verdict(
            "peak memory on the corpus (largest figure)",
            memory.mb(r.memory.worst_mb()),
            f"≤ {BAR_MEMORY_MB:.0f} MB",
            r.memory.worst_mb() <= BAR_MEMORY_MB,
        ),
        Verdict(
            "second run (unchanged) / first run",
            f"{r.second.ratio(second_run.SECOND):.2f}",
            f"≤ {BAR_SECOND}",
            r.second.ratio(second_run.SECOND) <= BAR_SECOND,
        ),
    ]


def _ratio(criterion: str, value: float, bar: float) -> Verdict:
    return Verdict(criterion, f"{value:.2f}x", f"≤ {bar:g}x", value <= bar)


def machine(replint: str) -> list[tuple[str, str]]:
    env = bench_env(Path(tempfile.gettempdir()))
    python = interpreter_of(replint)
    return [
        ("date (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
        ("nproc", str(len(os.sched_getaffinity(0)))),
        ("CPU", cpu_model()),
        ("kernel", f"{platform.system()} {platform.release()}"),
        ("Python (replint's)", f"{first_line([python, '--version'], env)} ({python})"),
        ("replint", f"{first_line([replint, '--version'], env)} (commit {commit()})"),
        ("Squawk", first_line([vs_squawk.SQUAWK, "--version"], env)),
    ]


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return "unknown"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown")


def commit() -> str:
    # Read-only: which code was measured (`-dirty`: with uncommitted changes).
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def measure(args: argparse.Namespace) -> Results:
    rounds = {
        "vs_squawk": args.rounds or 7,
        "startup": args.rounds or 20,
        "memory": args.rounds or 3,
        "second_run": args.rounds or 5,
    }
    corpus = ensure_corpus(args.files, args.statements, verbose=False)
    print(f"\n== replint vs Squawk ({rounds['vs_squawk']} rounds)")
    squawk = vs_squawk.measure(corpus, rounds["vs_squawk"], args.replint)
    print(vs_squawk.report(squawk))
    print(f"\n== start-up ({rounds['startup']} rounds)")
    started = startup.measure(rounds["startup"], args.replint)
    print(startup.report(started))
    print(f"\n== memory ({rounds['memory']} rounds)")
    mem = memory.measure(corpus, rounds["memory"], args.replint)
    print(memory.report(mem))
    print(f"\n== second run ({rounds['second_run']} rounds)")
    second = second_run.measure(corpus, rounds["second_run"], args.replint)
    print(second_run.report(second))
    return Results(corpus, rounds, squawk, started, mem, second)


def markdown(r: Results, facts: Sequence[tuple[str, str]], rerun: str) -> str:
    checks = verdicts(r)
    passed = sum(v.ok for v in checks)
    out = [
        "# replint benchmark results",
        "",
        f"Generated by `{rerun}`; do not edit by hand. Times are wall-clock medians of alternated rounds in one "
        "run on one machine, with min / max; timed runs wrote their stdout to /dev/null. "
        "Each replint run had its own REPLINT_CACHE_DIR in a temporary folder.",
        "",
        table(["machine", ""], [list(f) for f in facts]),
        "",
        f"## Acceptance ({passed} of {len(checks)} pass)",
        "",
        table(["criterion", "measured", "bar", "result"], [v.cells for v in checks]),
        "",
        *_squawk_section(r),
        *_startup_section(r),
        *_memory_section(r),
        *_second_section(r),
    ]
    return "\n".join(out).rstrip() + "\n"


def _commands(*commands: str) -> list[str]:
    return ["```sh", *commands, "```", ""]


def _squawk_section(r: Results) -> list[str]:
    s = r.squawk
    rows = [
        ["replint", *_cells(s.replint), secs(s.replint_cpu.median), f"{s.ratio:.2f}"],
        ["Squawk", *_cells(s.squawk), secs(s.squawk_cpu.median), "1.00"],
    ]
    lines = [
        f"## replint vs Squawk ({r.rounds['vs_squawk']} rounds each, alternated, one untimed warm-up each)",
        "",
        f"Corpus: `{r.corpus.command}` ({len(r.corpus.files)} files x {r.corpus.statements} statements). "
        "Squawk gets the corpus's `*.sql` files sorted, as a shell expands the glob.",
        "",
        *_commands(s.replint_cmd, s.squawk_cmd),
        table(["tool", "median wall", "min / max", "median CPU (user+sys)", "ratio to Squawk"], rows),
        "",
    ]
    for c in s.identical:
        verdict = f"identical, {c.counts[0]} findings each" if c.ok else f"NOT identical: {c.problem}"
        lines += [f"Findings on `{c.target}` ({verdict}) from:", "", *_commands(*c.commands)]
    return lines


def _startup_section(r: Results) -> list[str]:
    s = r.startup
    rows = [[f"`{s.commands[n]}`", *_cells(s.walls[n]), f"{s.ratio(n):.2f}x"] for n in s.commands]
    return [
        f"## Start-up ({r.rounds['startup']} rounds each, rotated; `check examples` with a warm cache)",
        "",
        table(["command", "median wall", "min / max", "ratio to bare Python"], rows),
        "",
    ]


def _memory_section(r: Results) -> list[str]:
    m = r.memory
    rows = [
        [
            f"`--jobs {jobs}`",
            str(m.processes[jobs]),
            *(f"{memory.mb(s.median)} (max {memory.mb(s.high)})" for s in f.values()),
        ]
        for jobs, f in m.figures.items()
    ]
    return [
        f"## Peak memory ({r.rounds['memory']} rounds per setting, alternated; sampled every "
        f"{memory.INTERVAL * 1000:.0f} ms; MB = 2^20 bytes; median (max))",
        "",
        *_commands(*m.commands.values()),
        table(["setting", "processes", *memory.FIGURES], rows),
        "",
        "All sampled from /proc: peak RSS is each process's VmHWM; tree PSS sums smaps_rollup over replint and its "
        "workers, counting shared pages once.",
        "",
    ]


def _second_section(r: Results) -> list[str]:
    s = r.second
    rows = [[name, *_cells(st), f"{s.ratio(name):.2f}"] for name, st in s.walls.items()]
    return [
        f"## Second run ({r.rounds['second_run']} rounds; each round a new, empty REPLINT_CACHE_DIR)",
        "",
        f"On a temporary copy of the corpus; the change appends a comment line to {s.changed_file.split()[0]}.",
        "",
        *_commands(s.command),
        table(["run", "median wall", "min / max", "ratio to first"], rows),
        "",
    ]


def _cells(s: Stats) -> list[str]:
    return [secs(s.median), f"{secs(s.low)} / {secs(s.high)}"]


def rerun_command(args: argparse.Namespace) -> str:
    words = [".venv/bin/python", "bench/run_all.py"]
    if args.rounds:
        words += ["--rounds", str(args.rounds)]
    if (args.files, args.statements) != (2000, 50):
        words += ["--files", str(args.files), "--statements", str(args.statements)]
    if args.output.resolve() != (REPO / DEFAULT_OUTPUT).resolve():
        words += ["--output", str(args.output)]
    return " ".join(words)


def write(path: Path, text: str) -> None:
    # Atomic, so an interrupted run never leaves half a results file.
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(path)


def main() -> None:
    p = parser(__doc__.splitlines()[0], rounds=None)
    p.add_argument(
        "--rounds",
        type=positive,
        default=None,
        help="rounds for every benchmark (default: each one's own: 7 vs Squawk, 20 start-up, 3 memory, 5 second run)",
    )
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"results file (default: {DEFAULT_OUTPUT})")
    args = p.parse_args()
    rerun = rerun_command(args)
    output = args.output.resolve()  # relative to where the caller stood, before moving to the repository root
    enter_repo()
    ensure_corpus(args.files, args.statements)
    print(vs_squawk.ensure_squawk())
    facts = machine(args.replint)  # before measuring: the date is when the run started
    results = measure(args)
    write(output, markdown(results, facts, rerun))
    failed = [v.criterion for v in verdicts(results) if not v.ok]
    print(f"\nwrote {output}: {len(failed)} bar(s) failed" + (f": {', '.join(failed)}" if failed else ""))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main_guard(main)
