"""The shared migration corpus (`../shared/bench/gen_migrations.py`), generated once and reused.

Each size lives in its own folder, bench/.corpus/<files>x<statements>/ (git-ignored), so a quick
`--files 50` trial never overwrites the 2,000-file reference corpus. A folder is reused when it holds exactly the
files the generator writes; the generator is deterministic (seeded), so same names and size mean same content.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchlib import BenchError, bench_env, display, enter_repo, expect_rc, main_guard, parser, run, show

GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_migrations.py"
ROOT = Path("bench/.corpus")


@dataclass(frozen=True)
class Corpus:
    folder: Path  # relative to the repository root
    files: tuple[Path, ...]  # sorted, as a shell glob would list them
    statements: int
    command: str  # how it was generated

    @property
    def glob(self) -> str:
        return f"{self.folder}/*.sql"


def expected_names(files: int) -> list[str]:
    # The generator's naming scheme; checked so a half-written or foreign folder is never mistaken for the corpus.
    return [f"V{i:05d}__migration.sql" for i in range(files)]


def generator_command(files: int, statements: int, folder: Path) -> list[str]:
    return [display(Path(sys.executable)), os.path.relpath(GENERATOR), str(files), str(statements), str(folder)]


def ensure_corpus(files: int, statements: int, *, verbose: bool = True) -> Corpus:
    folder = ROOT / f"{files}x{statements}"
    names = expected_names(files)
    command = generator_command(files, statements, folder)
    if not (folder.is_dir() and sorted(p.name for p in folder.iterdir()) == names):
        if not GENERATOR.is_file():
            raise BenchError(f"corpus generator not found: {GENERATOR}")
        generate(command, folder)
        if verbose:
            print(f"generated the corpus: {show(command)}")
    elif verbose:
        print(f"reusing the corpus in {folder} ({files} files)")
    return Corpus(folder, tuple(folder / n for n in names), statements, show(command))


def generate(command: list[str], folder: Path) -> None:
    # Written to a temporary sibling and renamed into place, so an interrupted run leaves no partial corpus behind.
    ROOT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".tmp-", dir=ROOT))
    try:
        target = scratch / "corpus"
        expect_rc(run([*command[:-1], str(target)], bench_env(scratch)), command, frozenset({0}))
        if folder.exists():
            shutil.rmtree(folder)
        target.rename(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    args = parser(
        "Generate (or reuse) the shared migration corpus and print where it is.", rounds=None, replint=False
    ).parse_args()
    enter_repo()
    corpus = ensure_corpus(args.files, args.statements)
    print(f"{corpus.folder}: {len(corpus.files)} files x {corpus.statements} statements")


if __name__ == "__main__":
    main_guard(main)
