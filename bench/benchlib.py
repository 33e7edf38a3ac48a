"""Shared plumbing for the benchmark scripts: running a command, timing it, summarising rounds.

Only the standard library: `os.posix_spawn` + `os.wait4` give each run's wall time, CPU time (that one child and its
reaped descendants) and exit status, with no shell in between. Not its peak RSS: ru_maxrss also counts the memory of
the process that exec'd (here: this one, through posix_spawn's shared-memory clone), so memory.py samples /proc.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(".venv/bin")
DEFAULT_REPLINT = str(VENV_BIN / "replint")
CACHE_ENV = "REPLINT_CACHE_DIR"


class BenchError(Exception):
    """A measurement cannot be trusted (a tool failed, outputs differ, ...): reported in one line, exit 2."""


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child and its reaped descendants
    rc: int  # exit code; negative: killed by that signal
    stdout: bytes  # empty unless captured
    stderr: str


@dataclass(frozen=True)
class Stats:
    median: float
    low: float
    high: float
    n: int

    @staticmethod
    def of(values: Sequence[float]) -> Stats:
        if not values:
            raise BenchError("no measurements (rounds must be at least 1)")
        return Stats(statistics.median(values), min(values), max(values), len(values))


def enter_repo() -> None:
    # Every command line is printed relative to the repository root, so run from there whatever the caller's cwd.
    os.chdir(REPO)


def show(cmd: Sequence[str]) -> str:
    return shlex.join(cmd)


def bench_env(cache_dir: Path) -> dict[str, str]:
    """The caller's environment with replint's cache pointed at `cache_dir`, so runs never share a cache by accident."""
    env = dict(os.environ)
    env[CACHE_ENV] = str(cache_dir)
    return env


def run(cmd: Sequence[str], env: Mapping[str, str], *, capture_stdout: bool = False, tail: int | None = None) -> Run:
    """Run `cmd` (stdin and, unless captured, stdout on /dev/null; stderr kept) and measure it.

    `tail`: keep only the last bytes of stdout, for a tool whose output is large and whose summary comes last.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        actions: list[tuple[int, int, int] | tuple[int, int, str, int, int]] = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1)
            if capture_stdout
            else (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        start = time.perf_counter()
        try:
            pid = os.posix_spawn(cmd[0], list(cmd), dict(env), file_actions=actions)
        except OSError as exc:
            raise BenchError(f"cannot start {cmd[0]}: {exc.strerror}") from None
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        out.seek(0 if tail is None else max(0, out.seek(0, os.SEEK_END) - tail))
        err.seek(0)
        return Run(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            rc=os.waitstatus_to_exitcode(status),
            stdout=out.read() if capture_stdout else b"",
            stderr=err.read().decode("utf-8", "replace"),
        )


def expect_rc(result: Run, cmd: Sequence[str], ok: frozenset[int]) -> Run:
    """Fail loudly when a contender did not do its job: a timing of a usage error is worthless."""
    if result.rc not in ok:
        tail = "\n".join(result.stderr.strip().splitlines()[-8:]) or "(no stderr)"
        raise BenchError(f"`{show(cmd)}` exited {result.rc}; expected {sorted(ok)}:\n{tail}")
    return result


REPLINT_OK = frozenset({0, 1})  # 1 means "findings", which is a successful run


def rotations(names: Sequence[str], rounds: int) -> Iterator[list[str]]:
    """Round i runs the contenders rotated by i, so none always goes first on a noisy machine."""
    for i in range(rounds):
        k = i % len(names)
        yield [*names[k:], *names[:k]]


def first_line(cmd: Sequence[str], env: Mapping[str, str]) -> str:
    result = expect_rc(run(cmd, env, capture_stdout=True), cmd, frozenset({0}))
    lines = result.stdout.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else ""


def interpreter_of(program: str) -> str:
    """The Python that runs a console script (its shebang), so "bare Python" is exactly replint's interpreter."""
    try:
        with open(program, "rb") as fh:
            head = fh.readline(4096)
    except OSError as exc:
        raise BenchError(f"cannot read {program}: {exc.strerror}") from None
    if not head.startswith(b"#!"):
        return str(VENV_BIN / "python")
    words = head[2:].decode("utf-8", "replace").split()
    if not words:
        raise BenchError(f"{program} has an empty #! line")
    if not Path(words[0]).name.startswith("python"):
        raise BenchError(f"{program} is not a Python console script (#!{words[0]}); pass one with --replint")
    return display(Path(words[0]))


def display(path: Path) -> str:
    """A path as a command line shows it: relative to the repository root when inside it, like the others."""
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def secs(value: float) -> str:
    return f"{value:.3f} s" if value >= 1 else f"{value * 1000:.1f} ms"


def stats_cells(s: Stats, unit: Callable[[float], str] = secs) -> list[str]:
    return [unit(s.median), f"{unit(s.low)} / {unit(s.high)}"]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table: readable as is in a terminal and rendered in RESULTS.md."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def parser(
    description: str, *, rounds: int | None, corpus: bool = True, replint: bool = True
) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    if rounds is not None:
        p.add_argument("--rounds", type=positive, default=rounds, help=f"timed rounds (default: {rounds})")
    if corpus:
        p.add_argument("--files", type=positive, default=2000, help="corpus files (default: 2000, the shared corpus)")
        p.add_argument("--statements", type=positive, default=50, help="statements per corpus file (default: 50)")
    if replint:
        p.add_argument("--replint", default=DEFAULT_REPLINT, help=f"replint executable (default: {DEFAULT_REPLINT})")
    return p


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main_guard(body: Callable[[], None]) -> None:
    """Run a script's body; a BenchError is one line on stderr and exit 2, never a traceback."""
    try:
        body()
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
