"""The pre-commit hook for real: pre-commit installs replint from this checkout and runs it on a project.

The checkout is first snapshotted (tracked and untracked files, minus what .gitignore excludes) into a
throw-away git repository, once per session: try-repo on a dirty working tree would leave untracked files out
and make a new shadow commit per call. Each `pre-commit try-repo` installs the hook into a store of its own
(pre-commit's try-repo always uses a temporary store, whatever PRE_COMMIT_HOME says), ~12 s each; the run
through a `.pre-commit-config.yaml`, the form users write, uses the session's PRE_COMMIT_HOME. Installing
pip-installs replint and its dependencies from PyPI.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GIT = ["git", "-c", "user.name=replint tests", "-c", "user.email=tests@replint.invalid", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return proc.stdout


def commit_all(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's working tree as one commit."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    if not (ROOT / ".git").exists():
        pytest.fail(f"{ROOT} is not a git checkout: pre-commit installs hooks from git repositories")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target = snapshot / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # lint/data/{policies,schemas} are symlinks: keep them links, as a clone would.
        shutil.copy2(source, target, follow_symlinks=False)
    commit_all(snapshot)
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def project(tmp_path: Path, files: dict[str, Path | str]) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    for rel, content in files.items():
        target = repo / rel
        if isinstance(content, Path):
            shutil.copytree(content, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    commit_all(repo)
    return repo


def pre_commit_env(home: Path) -> dict[str, str]:
    """This environment (PyPI settings included), with pre-commit's state kept under the test's temp dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    return env | {"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}


def try_repo(repo: Path, hook_repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "replint", "--all-files",
         "--ref", git(hook_repo, "rev-parse", "HEAD").strip()],
        cwd=repo, env=pre_commit_env(home), capture_output=True, text=True, timeout=600, check=False,
    )


def test_the_hook_fails_on_the_bad_example_and_prints_the_findings(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    repo = project(tmp_path, {".": EXAMPLES / "powersync-supabase-bad"})
    proc = try_repo(repo, hook_repo, pre_commit_home)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert re.search(r"^replint \(replication / CDC setup\)\.+Failed$", out, re.M), out
    assert "- exit code: 1" in out
    assert (
        "supabase/migrations/20240301120000_fixes.sql:2:1: error: role ps_storage has the SUPERUSER attribute; "
        "it is the PowerSync storage login [sql-cdc-role-superuser]"
    ) in out
    assert "5 errors, 6 warnings, 2 infos in 6 files" in out


def test_the_hook_passes_on_the_good_example(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    repo = project(tmp_path, {".": EXAMPLES / "powersync-supabase-good"})
    proc = try_repo(repo, hook_repo, pre_commit_home)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"^replint \(replication / CDC setup\)\.+Passed$", out, re.M), out


def test_from_a_config_file_the_hook_is_skipped_when_no_file_replint_reads_changed(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    config = f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: replint\n"
    repo = project(tmp_path, {".pre-commit-config.yaml": config, "README.md": "# notes\n", "app/main.py": "print()\n"})
    proc = subprocess.run(
        # What a commit touching only these files runs (--all-files would also see the .yaml config itself).
        [sys.executable, "-m", "pre_commit", "run", "--files", "README.md", "app/main.py"],
        cwd=repo, env=pre_commit_env(pre_commit_home), capture_output=True, text=True, timeout=600, check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"^replint \(replication / CDC setup\)\.+\(no files to check\)Skipped$", out, re.M), out


def hook() -> dict[str, object]:
    (only,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(only, dict)
    return only


def test_the_hook_pattern_is_the_files_replint_reads() -> None:
    """Derived from lint/sources/kinds.py, the one declaration discovery and suppressions use too."""
    from lint.sources.kinds import hook_files_pattern

    assert hook()["files"] == hook_files_pattern(), "update files: in .pre-commit-hooks.yaml"


def test_the_manifest_judges_the_whole_project_serially() -> None:
    h = hook()
    assert h["id"] == "replint"
    assert h["entry"] == "replint check"
    assert h["pass_filenames"] is False
    assert h["require_serial"] is True


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("supabase/migrations/20240101000000_init.sql", True),
        ("db/V2__Grants.SQL", True),
        ("powersync/config.yaml", True),
        ("powersync/sync-config.yml", True),
        (".replint.yaml", True),
        ("connect/inventory-connector.json", True),
        ("connect/pg.properties", True),
        ("postgres/postgresql.conf", True),
        ("postgres/conf.d/10-replication.conf", True),
        ("postgres/pg_hba", True),
        ("mongo/setup.js", True),
        ("mongo/setup.mjs", True),
        ("mongo/roles.mongodb", True),
        (".env", True),
        (".env.example", True),
        ("deploy/prod.env", True),
        ("README.md", False),
        ("app/main.py", False),
        ("docs/environment.md", False),
        ("Dockerfile", False),
    ],
)
def test_files_pattern_matches_what_replint_reads(path: str, runs: bool) -> None:
    pattern = str(hook()["files"])
    # pre-commit matches `files` with re.search on the repository-relative path.
    assert bool(re.search(pattern, path)) is runs
