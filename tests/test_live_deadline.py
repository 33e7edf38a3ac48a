"""`--live-timeout` bounds a whole target on the client: a host that stalls before authenticating, after it, or
on the first query cannot hang `replint check --live`, and several stalling hosts cost one timeout, not one each.

The stalling hosts are stand-ins (tests/stallserver.py): a real PostgreSQL cannot be made to stall like this.
Each run is a subprocess with its own time limit, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.stallserver import stalling

TIMEOUT_S = 1
# Far above the bound (the timeout plus process start-up), far below what the old per-host timeouts added up to.
LIMIT_S = 30


def _run(tmp_path: Path, ports: list[int]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "db").mkdir(exist_ok=True)
    (tmp_path / "db" / "1.sql").write_text("SELECT 1;\n", encoding="utf-8")
    hosts = ",".join("127.0.0.1" for _ in ports)
    uri = f"postgresql://cdc:pw@/app?host={hosts}&port={','.join(map(str, ports))}&sslmode=disable"
    argv = [sys.executable, "-m", "lint", "check", "--no-cache", "--oneline", "--live", "--source-uri", uri]
    return subprocess.run(
        [*argv, "--live-timeout", str(TIMEOUT_S), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=LIMIT_S,
        check=False,
    )


@pytest.mark.parametrize("mode", ["silent", "after-auth", "ready"])
def test_a_stalling_host_is_one_error_within_the_timeout(tmp_path: Path, mode: str) -> None:
    with stalling(mode) as port:
        done = _run(tmp_path, [port])
    assert done.returncode == 1, done.stderr
    unavailable = [line for line in done.stdout.splitlines() if "[live-unavailable]" in line]
    assert len(unavailable) == 1, done.stdout
    assert ": error: " in unavailable[0]
    assert "timed out" in unavailable[0] or "answered no check within 1 s" in unavailable[0]
    # Nothing was read, so nothing is reported as missing or unset on the server.
    assert "[live-pg-publication]" not in done.stdout and "[conf-wal-level-logical]" not in done.stdout
    assert "pw@" not in done.stdout + done.stderr


def test_four_stalling_hosts_cost_one_timeout(tmp_path: Path) -> None:
    with ExitStack() as stack:
        ports = [stack.enter_context(stalling("after-auth")) for _ in range(4)]
        done = _run(tmp_path, ports)
    assert done.returncode == 1, done.stderr
    # The client-side deadline's message, for all four hosts at once: psycopg's own per-host timeout (at least
    # 2 s a host, 8 s for four) says "timed out connecting to" and names no limit.
    assert "timed out after 1 s connecting to postgresql://cdc@" in done.stdout, done.stdout
    assert all(f"127.0.0.1:{port}" in done.stdout for port in ports)
