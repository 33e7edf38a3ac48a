"""Hostile inputs scale linearly: each shape at n and 4n, the time ratio of the two (4.0 is linear, 16 quadratic).

A linter that is quadratic somewhere can be stalled by one pull request; the unit tests prove each shape gives the
right findings, this measures that the cost grows with the input and no faster. Each shape is one file written
into a temporary project; every run is `replint check --no-cache`, and the two sizes alternate within a round.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchlib import REPLINT_OK, Stats, bench_env, enter_repo, expect_rc, main_guard, parser, rotations, run, table

POWERSYNC = "replication:\n  connections:\n    - type: postgresql\n      uri: postgresql://u:pw@db/app\n"


def _bad_credentials(n: int) -> str:  # credential statements that do not parse: every literal masked
    return "CREATE ROLE r PASSWORD 'a' garbage;\n" * n


def _passwords(n: int) -> str:  # one plaintext-password finding and one secret span per line
    return "".join(f"CREATE ROLE r{i} LOGIN PASSWORD 'secret-{i}';\n" for i in range(n))


def _grants(n: int) -> str:  # a long replayed history
    return "CREATE ROLE r LOGIN REPLICATION;\nCREATE TABLE t (id int);\n" + "GRANT SELECT ON t TO r;\n" * n


def _yaml_tokens(n: int) -> str:  # many secrets in one YAML file
    return POWERSYNC + "api:\n  tokens:\n" + "".join(f"    - short{i}\n" for i in range(n))


def _hba_lines(n: int) -> str:
    return "".join(f"host app u{i} 10.0.{i % 250}.0/24 scram-sha-256\n" for i in range(n))


def _long_line(n: int) -> str:  # one statement with a literal of n * 50 characters
    return "CREATE ROLE r LOGIN PASSWORD '" + "x" * (50 * n) + "';\n"


def _in_roles(n: int) -> str:  # one role in n groups: the role graph walked for every role
    return "CREATE ROLE x LOGIN REPLICATION IN ROLE " + ", ".join(f"r{i}" for i in range(n)) + ";\n"


@dataclass(frozen=True)
class Shape:
    name: str
    file: str
    make: Callable[[int], str]
    n: int


SHAPES = (
    Shape("credential statements that do not parse", "db/1.sql", _bad_credentials, 10_000),
    Shape("plaintext role passwords (one finding each)", "db/1.sql", _passwords, 5_000),
    Shape("GRANTs replayed", "db/1.sql", _grants, 20_000),
    Shape("api.tokens entries (one finding each)", "powersync/config.yaml", _yaml_tokens, 5_000),
    Shape("pg_hba.conf records", "pg_hba.conf", _hba_lines, 10_000),
    Shape("one line, n * 50 characters", "db/1.sql", _long_line, 10_000),
    Shape("CREATE ROLE x IN ROLE r0, ..., rn", "db/1.sql", _in_roles, 5_000),
)


def measure(shape: Shape, rounds: int, replint: str) -> tuple[Stats, Stats]:
    with tempfile.TemporaryDirectory(prefix="replint-bench-") as tmp:
        sizes = {"n": shape.n, "4n": 4 * shape.n}
        cmds: dict[str, list[str]] = {}
        for label, n in sizes.items():
            target = Path(tmp) / label / shape.file
            target.parent.mkdir(parents=True)
            target.write_text(shape.make(n), encoding="utf-8")
            cmds[label] = [replint, "check", "--no-cache", str(Path(tmp) / label)]
        env = bench_env(Path(tmp) / "cache")
        walls: dict[str, list[float]] = {label: [] for label in sizes}
        for order in rotations(list(sizes), rounds):
            for label in order:
                walls[label].append(expect_rc(run(cmds[label], env), cmds[label], REPLINT_OK).wall)
        return Stats.of(walls["n"]), Stats.of(walls["4n"])


def main() -> None:
    args = parser(__doc__.splitlines()[0], rounds=3, corpus=False).parse_args()
    enter_repo()
    rows = []
    for shape in SHAPES:
        small, large = measure(shape, args.rounds, args.replint)
        rows.append([shape.name, f"{shape.n:,}", f"{small.median:.2f} s", f"{large.median:.2f} s",
                     f"{large.median / small.median:.1f}"])
    print(f"{args.rounds} rounds, `replint check --no-cache`, sizes alternating; ratio 4.0 is linear, 16 quadratic")
    print(table(["shape", "n", "median at n", "median at 4n", "ratio 4n / n"], rows))


if __name__ == "__main__":
    main_guard(main)
