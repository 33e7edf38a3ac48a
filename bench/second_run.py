"""The second run: `replint check` on the corpus with an empty cache, again unchanged, and after one file changed.

Runs on a copy of the corpus in a temporary folder (the change is appending a comment line to one file, undone after
each round, so the shared corpus is never touched). Each round starts from a new, empty REPLINT_CACHE_DIR, so its
"first" is a real first run. Ratios are to the first run's median.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    REPLINT_OK,
    Stats,
    bench_env,
    enter_repo,
    expect_rc,
    main_guard,
    parser,
    run,
    show,
    stats_cells,
    table,
)
from corpus import Corpus, ensure_corpus

FIRST = "first (empty cache)"
SECOND = "second (unchanged)"
CHANGED = "one file changed"
CHANGE = "-- replint bench: one changed file\n"


@dataclass(frozen=True)
class SecondRunResult:
    command: str
    changed_file: str
    walls: dict[str, Stats]

    def ratio(self, name: str) -> float:
        return self.walls[name].median / self.walls[FIRST].median


def measure(corpus: Corpus, rounds: int, replint: str) -> SecondRunResult:
    with tempfile.TemporaryDirectory(prefix="replint-bench-") as tmp:
        copy = Path(tmp) / "corpus"
        shutil.copytree(corpus.folder, copy)
        # A file in the middle: neither the first nor the last one read.
        victim = copy / corpus.files[len(corpus.files) // 2].name
        original = victim.read_bytes()
        cmd = [replint, "check", str(copy)]
        walls: dict[str, list[float]] = {FIRST: [], SECOND: [], CHANGED: []}
        expect_rc(run(cmd, bench_env(Path(tmp) / "cache-warm-up")), cmd, REPLINT_OK)  # untimed: page cache
        for i in range(rounds):
            env = bench_env(Path(tmp) / f"cache-{i}")  # new and empty: replint creates it
            for name in (FIRST, SECOND, CHANGED):
                if name == CHANGED:
                    victim.write_bytes(original + CHANGE.encode())
                walls[name].append(expect_rc(run(cmd, env), cmd, REPLINT_OK).wall)
            victim.write_bytes(original)
        return SecondRunResult(
            show(cmd), f"{victim.name} (+1 comment line)", {n: Stats.of(w) for n, w in walls.items()}
        )


def report(result: SecondRunResult) -> str:
    rows = [[name, *stats_cells(s), f"{result.ratio(name):.2f}"] for name, s in result.walls.items()]
    return "\n".join(
        [
            f"  {result.command}  # a copy of the corpus; changed file: {result.changed_file}",
            "",
            table(["run", "median wall", "min / max", "ratio to first"], rows),
        ]
    )


def main() -> None:
    args = parser(__doc__.splitlines()[0], rounds=5).parse_args()
    enter_repo()
    corpus = ensure_corpus(args.files, args.statements)
    result = measure(corpus, args.rounds, args.replint)
    print(f"{args.rounds} rounds of first, second, changed (each round a new REPLINT_CACHE_DIR); stdout to /dev/null")
    print(report(result))


if __name__ == "__main__":
    main_guard(main)
