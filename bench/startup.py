"""Start-up: a bare `python -c pass` (replint's own interpreter) vs `replint --version` vs `replint check examples`.

`check examples` runs with a warm cache (one untimed run first), as in pre-commit on an unchanged project. The
three are rotated round by round; ratios are to the bare Python median.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    REPLINT_OK,
    Run,
    Stats,
    bench_env,
    enter_repo,
    expect_rc,
    interpreter_of,
    main_guard,
    parser,
    rotations,
    run,
    secs,
    show,
    stats_cells,
    table,
)

PYTHON = "python -c pass"
VERSION = "replint --version"
CHECK = "replint check examples"


@dataclass(frozen=True)
class StartupResult:
    commands: dict[str, str]  # contender -> exact command line
    walls: dict[str, Stats]

    def ratio(self, name: str) -> float:
        return self.walls[name].median / self.walls[PYTHON].median


def measure(rounds: int, replint: str) -> StartupResult:
    commands = {
        PYTHON: [interpreter_of(replint), "-c", "pass"],
        VERSION: [replint, "--version"],
        CHECK: [replint, "check", "examples"],
    }
    ok = {PYTHON: frozenset({0}), VERSION: frozenset({0}), CHECK: REPLINT_OK}
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="replint-bench-") as tmp:
        env = bench_env(Path(tmp))
        for name, cmd in commands.items():
            expect_rc(run(cmd, env), cmd, ok[name])  # untimed: warms the cache and the page cache
        for order in rotations(list(commands), rounds):
            for name in order:
                runs[name].append(expect_rc(run(commands[name], env), commands[name], ok[name]))
    return StartupResult(
        {name: show(cmd) for name, cmd in commands.items()},
        {name: Stats.of([r.wall for r in rs]) for name, rs in runs.items()},
    )


def report(result: StartupResult) -> str:
    rows = [[result.commands[n], *stats_cells(result.walls[n]), f"{result.ratio(n):.2f}"] for n in result.commands]
    return table(["command", "median wall", "min / max", "ratio to bare python"], rows)


def main() -> None:
    args = parser(__doc__.splitlines()[0], rounds=20, corpus=False).parse_args()
    enter_repo()
    result = measure(args.rounds, args.replint)
    print(f"{args.rounds} rounds each, rotated, after one untimed run each (warm cache); stdout to /dev/null")
    print(report(result))
    print(f"bare python median: {secs(result.walls[PYTHON].median)}")


if __name__ == "__main__":
    main_guard(main)
