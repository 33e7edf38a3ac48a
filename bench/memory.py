"""Peak memory of `replint check --no-cache` on the corpus, with --jobs 1 and --jobs 2.

Three figures per run, from /proc sampled every ~5 ms: the main process's peak RSS (VmHWM), the largest peak RSS of
any one process in the tree, and the peak of the whole tree's total PSS, which counts pages shared between the main
process and its workers once (smaps_rollup of replint and every descendant, children from task/*/children).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    REPLINT_OK,
    BenchError,
    Stats,
    bench_env,
    enter_repo,
    main_guard,
    parser,
    rotations,
    show,
    table,
)
from corpus import Corpus, ensure_corpus

INTERVAL = 0.005  # seconds between samples
MAIN_RSS = "main process peak RSS"
ANY_RSS = "largest process peak RSS"
TREE_PSS = "process tree peak PSS"
FIGURES = (MAIN_RSS, ANY_RSS, TREE_PSS)
JOBS = ("1", "2")


@dataclass(frozen=True)
class Peak:
    main_rss_kb: int
    any_rss_kb: int
    tree_pss_kb: int
    processes: int  # the most processes seen at once
    rc: int


@dataclass(frozen=True)
class MemoryResult:
    commands: dict[str, str]  # jobs -> command line
    figures: dict[str, dict[str, Stats]]  # jobs -> figure -> MB over rounds
    processes: dict[str, int]  # jobs -> most processes seen at once

    def worst_mb(self) -> float:
        """The largest figure of any kind, jobs setting and round: what the memory bar is judged on."""
        return max(s.high for per_jobs in self.figures.values() for s in per_jobs.values())


def _field_kb(path: Path, key: str) -> int:
    # A process can exit between listing and reading: it then contributes nothing to this sample.
    try:
        text = path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def descendants(pid: int) -> Iterator[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        for child in map(int, children):
            yield child
            yield from descendants(child)


def watch(cmd: Sequence[str], env: Mapping[str, str]) -> Peak:
    """Run `cmd` (stdin and stdout on /dev/null) and sample its memory until it exits; fail if it failed."""
    with tempfile.TemporaryFile() as err:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        try:
            pid = os.posix_spawn(cmd[0], list(cmd), dict(env), file_actions=actions)
        except OSError as exc:
            raise BenchError(f"cannot start {cmd[0]}: {exc.strerror}") from None
        peak = _sample_until_exit(pid)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if peak.rc not in REPLINT_OK:
        tail = "\n".join(stderr.strip().splitlines()[-8:]) or "(no stderr)"
        raise BenchError(f"`{show(cmd)}` exited {peak.rc}; expected {sorted(REPLINT_OK)}:\n{tail}")
    return peak


def _sample_until_exit(pid: int) -> Peak:
    # VmHWM is each process's own peak RSS since its exec, so the last value seen per process is its peak up to
    # that sample; what a process adds in its final few milliseconds can be missed. (wait4's ru_maxrss would be
    # exact but also counts the pre-exec memory of this benchmark process, see benchlib.)
    hwm: dict[int, int] = {}
    tree_pss = processes = 0
    while True:
        done, status, _ = os.wait4(pid, os.WNOHANG)
        if done:
            break
        tree = [pid, *descendants(pid)]
        for p in tree:
            hwm[p] = max(hwm.get(p, 0), _field_kb(Path(f"/proc/{p}/status"), "VmHWM"))
        tree_pss = max(tree_pss, sum(_field_kb(Path(f"/proc/{p}/smaps_rollup"), "Pss") for p in tree))
        processes = max(processes, len(tree))
        time.sleep(INTERVAL)
    return Peak(hwm.get(pid, 0), max(hwm.values(), default=0), tree_pss, processes, os.waitstatus_to_exitcode(status))


def measure(corpus: Corpus, rounds: int, replint: str) -> MemoryResult:
    commands = {jobs: [replint, "check", "--no-cache", "--jobs", jobs, str(corpus.folder)] for jobs in JOBS}
    peaks: dict[str, list[Peak]] = {jobs: [] for jobs in JOBS}
    with tempfile.TemporaryDirectory(prefix="replint-bench-") as tmp:
        env = bench_env(Path(tmp))
        for order in rotations(list(JOBS), rounds):
            for jobs in order:
                peaks[jobs].append(watch(commands[jobs], env))
    return MemoryResult(
        {jobs: show(cmd) for jobs, cmd in commands.items()},
        {jobs: _figures(ps) for jobs, ps in peaks.items()},
        {jobs: max(p.processes for p in ps) for jobs, ps in peaks.items()},
    )


def _figures(peaks: list[Peak]) -> dict[str, Stats]:
    return {
        MAIN_RSS: Stats.of([p.main_rss_kb / 1024 for p in peaks]),
        ANY_RSS: Stats.of([p.any_rss_kb / 1024 for p in peaks]),
        TREE_PSS: Stats.of([p.tree_pss_kb / 1024 for p in peaks]),
    }


def mb(value: float) -> str:
    return f"{value:.1f} MB"


def report(result: MemoryResult) -> str:
    rows = [
        [f"--jobs {jobs}", str(result.processes[jobs]), *(f"{mb(s.median)} (max {mb(s.high)})" for s in figs.values())]
        for jobs, figs in result.figures.items()
    ]
    lines = [f"  {cmd}" for cmd in result.commands.values()]
    return "\n".join(
        [*lines, "", table(["jobs", "processes", *FIGURES], rows), "(median over rounds, MB = 2^20 bytes)"]
    )


def main() -> None:
    args = parser(__doc__.splitlines()[0], rounds=3).parse_args()
    enter_repo()
    corpus = ensure_corpus(args.files, args.statements)
    result = measure(corpus, args.rounds, args.replint)
    print(f"{args.rounds} rounds per setting, alternated; sampled every {INTERVAL * 1000:.0f} ms")
    print(report(result))


if __name__ == "__main__":
    main_guard(main)
