"""`--changed-since REF`: only findings in files a change touches fail.

replint still reads and models the whole project — a migration can only be judged together with the config and
the other migrations — but on a pull request the author is answerable for the files they changed. A finding
stays in scope when its primary location or any related location is in such a file: a new sync rule that reads
an unpublished table is in scope through the sync-rules file even though the finding points at the publication.

"Changed since REF" is what `git diff` shows between the merge base of REF and HEAD and the working tree, plus
untracked files: on a PR branch `--changed-since origin/main` is the PR's own changes (not what landed on main
meanwhile), and in a pre-commit hook `--changed-since HEAD` is what is about to be committed. git is run locally
only (no fetch), with a timeout.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from lint.findings.finding import Finding, Suppression

_TIMEOUT = 60.0


class ChangedError(Exception):
    """git cannot answer (not a repository, unknown ref): a usage error, exit 2."""


def changed_files(ref: str, root: Path) -> frozenset[Path]:
    """Absolute, resolved paths of files changed since `ref` in the repository that contains `root`."""
    if ref.startswith("-"):
        raise ChangedError(f"--changed-since {ref!r}: a git ref cannot start with '-'")
    top = Path(_git(root, "rev-parse", "--show-toplevel", fails=f"{root} is not inside a git repository").strip())
    _git(
        top,
        "rev-parse",
        "--verify",
        "--quiet",
        f"{ref}^{{commit}}",
        fails=f"unknown git ref {ref!r} (in CI, check out the full history, e.g. actions/checkout with "
        "fetch-depth: 0, or fetch the base branch)",
    )
    base = _git(top, "merge-base", ref, "HEAD", fails=f"{ref!r} and HEAD share no history").strip()
    names = _git(top, "diff", "--name-only", "--no-renames", "-z", base, "--", fails="git diff failed")
    names += _git(top, "ls-files", "--others", "--exclude-standard", "-z", fails="git ls-files failed")
    return frozenset((top / n).resolve() for n in names.split("\0") if n)


def _git(cwd: Path, *args: str, fails: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ChangedError("--changed-since needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise ChangedError(f"--changed-since: 'git {args[0]}' did not answer within {_TIMEOUT:.0f} s") from None
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        detail = f" (git: {lines[-1]})" if lines else ""
        raise ChangedError(f"--changed-since: {fails}{detail}")
    return proc.stdout


def scope(findings: Iterable[Finding], changed: frozenset[Path], root: Path, ref: str) -> list[Finding]:
    """Mark findings with no location in a changed file as suppressed (external), so they neither fail nor
    annotate the change; they stay in SARIF and JSON, with the reason."""
    base = root.resolve()
    why = Suppression("external", f"not in a file changed since {ref}")
    out: list[Finding] = []
    for f in findings:
        paths = (f.span.path, *(r.span.path for r in f.related))
        touched = any((base / p).resolve() in changed for p in paths if p)
        out.append(f if touched or f.suppressed is not None else replace(f, suppressed=why))
    return out
