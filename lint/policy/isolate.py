"""Policies from the user (policy folders, which may come with a pull request) are judged in a child process the
parent can stop: a hard bound on what a policy can cost.

A policy comes with a pull request, and one evaluation of one CEL expression is a single native call: nested
macros over long lists (three `all()` over 1,500-element literals run for hours), or a crash in the CEL runtime,
cannot be interrupted from Python. So the engine runs in a forked child that reports each policy's findings as
they are made (plain data, `lint.plain`); the parent waits for each policy at most its budget. A child that
overruns is killed and one that dies (a signal, an out-of-memory kill) is noted; either way that policy becomes a
`policy-error` finding naming it, and a fresh child goes on with the next policy. Once the run's budget is spent,
the policies left are reported as not evaluated rather than run.

Where there is no `fork` (Windows), policies run in this process, bounded only between items (`engine`).
"""

from __future__ import annotations

import faulthandler
import os
import select
import signal
import struct
import time
import warnings
from dataclasses import dataclass

from lint import plain
from lint.findings.finding import Finding
from lint.model import Project
from lint.policy import engine
from lint.policy.load import Policy

POLICY_BUDGET_S = engine.POLICY_BUDGET_S
RUN_BUDGET_S = 60.0  # all policies together; built-in ones take well under a second on real projects
# The engine's own check between items reports an overrun more precisely ("after k of n items"): let it.
_GRACE_S = 2.0

_START, _FINDINGS, _BUG = b"S", b"F", b"X"
_HEADER = struct.Struct("!cI")


@dataclass(frozen=True)
class _Batch:
    findings: tuple[Finding, ...]


def evaluate(
    policies: list[Policy],
    project: Project,
    *,
    budget_s: float = POLICY_BUDGET_S,
    run_budget_s: float = RUN_BUDGET_S,
) -> list[Finding]:
    # Built-in policies ship with replint and are tested with it: they are judged here, without the fork's cost.
    shipped = [p for p in policies if p.builtin]
    findings = engine.evaluate(shipped, project, budget_s=budget_s)
    policies = [p for p in policies if not p.builtin]
    if not hasattr(os, "fork") or not policies:
        return findings + engine.evaluate(policies, project, budget_s=budget_s)
    started = time.monotonic()
    next_policy = 0
    while next_policy < len(policies):
        left = run_budget_s - (time.monotonic() - started)
        if left <= 0:
            findings += [_not_run(p, run_budget_s) for p in policies[next_policy:]]
            break
        found, stopped_at, why = _child(policies, project, next_policy, _Limits(budget_s, left, run_budget_s))
        findings += found
        if stopped_at is None:
            break
        findings.append(_lost(policies[stopped_at], why))
        next_policy = stopped_at + 1
    return findings


@dataclass(frozen=True)
class _Limits:
    policy_s: float  # one policy
    left_s: float  # what is left of the run's budget
    run_s: float  # the run's whole budget, for the message


def _child(
    policies: list[Policy], project: Project, first: int, limits: _Limits
) -> tuple[list[Finding], int | None, str]:
    """Judge `policies[first:]` in a child. Returns the findings it sent and, when it stopped early, the index
    of the policy it was judging and why."""
    try:
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns when forking with other threads alive (an abandoned --live probe): the child only
            # evaluates CEL over data it already has and takes none of their locks.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:  # no process or descriptor to spare: judged here, bounded between items as without fork
        return engine.evaluate(policies[first:], project, budget_s=limits.policy_s), None, ""
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers or flushes its buffers
        os.close(read_end)
        _judge_all(policies[first:], project, limits.policy_s, write_end, first)
    os.close(write_end)
    try:
        return _collect(_Frames(read_end), pid, len(policies), first, limits)
    finally:
        os.close(read_end)


def _judge_all(policies: list[Policy], project: Project, budget_s: float, out: int, first: int) -> None:
    # A crash here is the parent's to report, as a finding: no fault handler's traceback on the shared stderr.
    faulthandler.disable()
    code = 0
    try:
        for index, policy in enumerate(policies, start=first):
            _send(out, _START, str(index).encode())
            found = engine.evaluate([policy], project, budget_s=budget_s)
            _send(out, _FINDINGS, plain.dumps(_Batch(tuple(found))))
    except BaseException as exc:  # a bug in replint, not in a policy: the parent raises it
        _send(out, _BUG, f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")[:2000])
        code = 70
    finally:
        os._exit(code)


def _send(fd: int, kind: bytes, payload: bytes) -> None:
    data = _HEADER.pack(kind, len(payload)) + payload
    while data:
        data = data[os.write(fd, data) :]


def _collect(
    frames: _Frames, pid: int, total: int, current: int, limits: _Limits
) -> tuple[list[Finding], int | None, str]:
    findings: list[Finding] = []
    run_deadline = time.monotonic() + limits.left_s
    deadline = min(run_deadline, time.monotonic() + limits.policy_s + _GRACE_S)
    while True:
        try:
            frame = frames.next(deadline)
        except TimeoutError:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            if deadline < run_deadline:
                return findings, current, f"took longer than {limits.policy_s:g} s on a single item and was stopped"
            return findings, current, f"was stopped when the policies of this run had used up their {limits.run_s:g} s"
        if frame is None:  # the child ended: done, or died while judging `current`
            status = os.waitpid(pid, 0)[1]
            if current >= total:
                return findings, None, ""
            return findings, current, f"stopped replint's policy process ({_how(status)})"
        kind, payload = frame
        if kind == _START:
            current = int(payload)
            deadline = min(run_deadline, time.monotonic() + limits.policy_s + _GRACE_S)
        elif kind == _FINDINGS:
            findings += plain.loads(payload, _Batch).findings
            current += 1
        else:
            os.waitpid(pid, 0)
            raise RuntimeError(f"policy evaluation failed: {payload.decode('utf-8', 'replace')}")


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"it was killed by {name}" + (", out of memory?" if number == signal.SIGKILL else "")
    return f"it exited with status {os.WEXITSTATUS(status)}"


class _Frames:
    """Length-prefixed frames from the child, read against a deadline."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""

    def next(self, deadline: float) -> tuple[bytes, bytes] | None:
        """A frame, or None at end of stream; TimeoutError at the deadline."""
        while True:
            if len(self._buffer) >= _HEADER.size:
                kind, size = _HEADER.unpack_from(self._buffer)
                if len(self._buffer) >= _HEADER.size + size:
                    payload = self._buffer[_HEADER.size : _HEADER.size + size]
                    self._buffer = self._buffer[_HEADER.size + size :]
                    return kind, payload
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self._fd], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk


def _lost(policy: Policy, why: str) -> Finding:
    what = f"{why}, so none of its findings are reported; simplify its expressions (nested macros over long lists)"
    return engine.policy_stopped(policy, what, "stopped")


def _not_run(policy: Policy, run_budget_s: float) -> Finding:
    return engine.policy_stopped(
        policy, f"was not evaluated: the policies of this run used up their {run_budget_s:g} s", "run-budget"
    )
