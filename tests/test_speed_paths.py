"""The fast paths give the same findings as the plain one: parallel parsing, the per-file facts cache and the
whole-run result cache; and the cache is safe (corruption, other users' directories, read-only places)."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from lint import cache
from lint.cli import main
from lint.sources.sqlfacts import PARALLEL_MIN_FILES
from tests.lintkit import ROOT

BAD = ROOT / "examples" / "powersync-supabase-bad"


def _history(dest: Path, files: int) -> Path:
    """The bad example plus a long migration history, enough to take the parallel path."""
    project = dest / "p"
    shutil.copytree(BAD, project)
    folder = project / "supabase" / "migrations"
    for i in range(files):
        statements = [
            f"CREATE TABLE IF NOT EXISTS app.t_{i} (id bigint PRIMARY KEY, note text DEFAULT 'a;b')",
            f"ALTER TABLE app.t_{i} ADD COLUMN c_{i} int",
            f"GRANT SELECT ON app.t_{i} TO powersync_role",
            f"UPDATE app.t_{i} SET note = 'x' WHERE id = {i}",
            f"ALTER TABLE app.t_{i} REPLICA IDENTITY FULL" if i % 3 else f"ALTER TABLE app.t_{i} OWNER TO ps_owner",
            f"ALTER PUBLICATION powersync ADD TABLE app.t_{i}",
        ]
        (folder / f"20250101{i:06d}_gen.sql").write_text(";\n\n".join(statements) + ";\n")
    return project


def _findings(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    main(["check", "--format", "json", *argv])
    doc = json.loads(capsys.readouterr().out)
    findings: list[dict[str, Any]] = doc["findings"]
    return findings


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("REPLINT_CACHE_DIR", str(directory))
    return directory


def test_same_findings_with_one_or_two_processes_and_cold_or_warm_cache(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _history(tmp_path, PARALLEL_MIN_FILES + 20)
    plain = _findings(capsys, "--no-cache", "--jobs", "1", str(project))
    assert len(plain) > 10
    assert any(f["path"].endswith("_gen.sql") for f in plain)  # findings from the generated history too
    assert _findings(capsys, "--no-cache", "--jobs", "2", str(project)) == plain
    assert not cache_dir.exists()  # --no-cache neither reads nor writes
    assert _findings(capsys, "--jobs", "2", str(project)) == plain  # cold: fills the cache
    assert _findings(capsys, "--jobs", "1", str(project)) == plain  # warm: the stored result
    # One file changed: the whole-run result is stale, the other files' facts come from the cache.
    changed = project / "supabase" / "migrations" / "20250101000001_gen.sql"
    changed.write_text(changed.read_text() + "ALTER ROLE powersync_role SUPERUSER;\n")
    after = _findings(capsys, str(project))
    assert after == _findings(capsys, "--no-cache", str(project))
    assert after != plain


def test_a_changed_file_is_never_answered_from_the_cache(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p"
    shutil.copytree(BAD, project)
    before = {f["rule"] for f in _findings(capsys, str(project))}
    assert "sql-cdc-role-superuser" in before
    (project / "supabase" / "migrations" / "20240301120000_fixes.sql").write_text("SELECT 1;\n")
    assert "sql-cdc-role-superuser" not in {f["rule"] for f in _findings(capsys, str(project))}
    (project / "supabase" / "migrations" / "20240301120000_fixes.sql").unlink()
    assert "sql-cdc-role-superuser" not in {f["rule"] for f in _findings(capsys, str(project))}


def test_a_new_link_out_of_the_project_is_never_answered_from_the_cache(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Links out of the project are not read, but reported: adding one must change the cached result."""
    project = tmp_path / "p"
    shutil.copytree(BAD, project)
    (tmp_path / "elsewhere.sql").write_text("CREATE ROLE r;\n")
    before = _findings(capsys, str(project))
    (project / "supabase" / "migrations" / "linked.sql").symlink_to(tmp_path / "elsewhere.sql")
    after = _findings(capsys, str(project))
    assert [f["path"] for f in after if f not in before] == ["supabase/migrations/linked.sql"]


def test_a_corrupt_cache_is_rebuilt_not_an_error(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _history(tmp_path, 5)
    expected = _findings(capsys, str(project))
    database = next(cache_dir.glob("*.sqlite"))
    database.write_bytes(b"this is not a database" * 100)
    assert _findings(capsys, str(project)) == expected
    assert _findings(capsys, str(project)) == expected


def test_corrupt_entries_are_misses(tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    project = _history(tmp_path, 5)
    expected = _findings(capsys, str(project))
    database = next(cache_dir.glob("*.sqlite"))
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE facts SET data = X'00FF00'")
        conn.execute("UPDATE results SET data = X'8003'")
    assert _findings(capsys, str(project)) == expected


def test_a_cache_directory_others_can_write_is_not_used(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(0o777)  # anyone could plant entries here: never read from it
    project = _history(tmp_path, 3)
    expected = _findings(capsys, "--no-cache", str(project))
    assert _findings(capsys, str(project)) == expected
    assert list(cache_dir.iterdir()) == []
    assert cache.open_cache() is None


def test_an_unwritable_cache_location_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would be")
    monkeypatch.setenv("REPLINT_CACHE_DIR", str(blocker / "cache"))
    project = _history(tmp_path, 3)
    assert cache.open_cache() is None
    assert _findings(capsys, str(project)) == _findings(capsys, "--no-cache", str(project))


def test_the_cache_directory_is_private(tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _findings(capsys, str(_history(tmp_path, 2)))
    mode = stat.S_IMODE(cache_dir.stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0


def test_keys_depend_on_path_content_and_code(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache.key("sql", "a.sql", "x") != cache.key("sql", "b.sql", "x")
    assert cache.key("sql", "a.sql", "x") != cache.key("sql", "a.sql", "y")
    assert cache.key("ab", "c") != cache.key("a", "bc")  # parts are length-prefixed
    before = cache.key("sql", "a.sql", "x")
    monkeypatch.setattr(cache, "code_key", lambda: "another build of replint")
    assert cache.key("sql", "a.sql", "x") != before


def test_jobs_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--jobs", "0", str(BAD)]) == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_a_symlinked_or_shared_cache_database_is_not_used(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to another user's file, or a file others may write, is never opened as the cache database."""
    cache_dir.mkdir(mode=0o700)
    planted = tmp_path / "planted.sqlite"
    planted.write_bytes(b"")
    database = cache_dir / f"cache-v{cache.FORMAT}.sqlite"
    database.symlink_to(planted)
    project = _history(tmp_path, 2)
    assert cache.open_cache() is None
    assert _findings(capsys, str(project)) == _findings(capsys, "--no-cache", str(project))
    assert planted.read_bytes() == b""  # never written through the link
    database.unlink()
    database.write_bytes(b"")
    database.chmod(0o666)  # others could have written it
    assert cache.open_cache() is None
    database.chmod(0o644)  # as older versions left it: used, and made private
    assert cache.open_cache() is not None
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    database.unlink()
    assert cache.open_cache() is not None
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_a_file_edited_during_a_run_leaves_no_stale_result(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The result is stored under the key of the bytes the run read; an edit during the run, reverted later, must
    not make the reverted files answer with the edited files' findings."""
    import lint.run

    project = tmp_path / "p"
    migration = project / "db" / "1.sql"
    migration.parent.mkdir(parents=True)
    original = "CREATE ROLE cdc REPLICATION LOGIN SUPERUSER;\n"
    migration.write_text(original, encoding="utf-8")
    real_run = lint.run.run

    def edited_while_running(*args: Any, **kwargs: Any) -> Any:
        migration.write_text("CREATE ROLE cdc REPLICATION LOGIN;\n", encoding="utf-8")  # saved mid-run
        return real_run(*args, **kwargs)

    monkeypatch.setattr(lint.run, "run", edited_while_running)
    assert [f["rule"] for f in _findings(capsys, str(project))] == []
    monkeypatch.setattr(lint.run, "run", real_run)
    migration.write_text(original, encoding="utf-8")  # reverted
    assert _findings(capsys, str(project)) == _findings(capsys, "--no-cache", str(project))
    assert "sql-cdc-role-superuser" in [f["rule"] for f in _findings(capsys, str(project))]


class _Planted:
    """A pickle that would create `marker` when unpickled: what a tampered pickle cache ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.write_text, (self.marker, "ran"))


def test_a_tampered_entry_runs_no_code_and_is_a_miss(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pickle
    import sqlite3

    project = _history(tmp_path, 5)
    expected = _findings(capsys, str(project))
    marker = tmp_path / "marker"
    database = next(cache_dir.glob("*.sqlite"))
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE facts SET data = ?", [pickle.dumps(_Planted(marker))])
        conn.execute("UPDATE results SET data = ?", [pickle.dumps(_Planted(marker))])
    assert _findings(capsys, str(project)) == expected
    assert not marker.exists()
    # Well-formed plain data of the wrong shape: a Memo whose fields are not what they are declared to be.
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE results SET data = ?", [b'["Memo", ["Result", 1, 2, 3], []]'])
        conn.execute("UPDATE facts SET data = ?", [b'["SqlFile", "db/x.sql", [["Finding"]], [], 1, [], null]'])
    assert _findings(capsys, str(project)) == expected


def test_the_cache_holds_no_file_text(tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only the lines findings show are kept (masked, as shown); every other line of every file stays out."""
    project = tmp_path / "p"
    (project / "db").mkdir(parents=True)
    (project / "db" / "1.sql").write_text(
        "-- a note that names WALRUS-7781, which is no one's business\n"
        "CREATE ROLE cdc REPLICATION LOGIN SUPERUSER PASSWORD 'Hunter2-secret';\n",
        encoding="utf-8",
    )
    main(["check", str(project)])
    cold = capsys.readouterr().out
    assert "CREATE ROLE cdc" in cold  # the snippet
    stored = b"".join(p.read_bytes() for p in cache_dir.iterdir())
    assert b"WALRUS-7781" not in stored and b"Hunter2-secret" not in stored
    assert b"CREATE ROLE cdc" in stored  # the finding's own line, masked, for the snippet of a cached run
    main(["check", str(project)])
    assert capsys.readouterr().out == cold


def test_a_format_1_database_is_deleted(tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Format 1 held pickles and every file's text: it goes, as soon as the new cache is opened."""
    cache_dir.mkdir(mode=0o700)
    old = cache_dir / "cache-v1.sqlite"
    old.write_bytes(b"pickles and plaintext")
    _findings(capsys, str(_history(tmp_path, 1)))
    assert not old.exists()
    assert (cache_dir / f"cache-v{cache.FORMAT}.sqlite").is_file()


def test_a_file_only_touched_during_a_run_is_not_stored_then_is(
    tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A status change during the run (written back with the same bytes) means the run may have read other bytes:
    no result is stored. Checking after the run re-reads only the files whose status changed."""
    import os
    import sqlite3

    import lint.memo
    import lint.run

    project = _history(tmp_path, 3)
    target = next((project / "supabase" / "migrations").glob("*_gen.sql"))
    real_run = lint.run.run

    def touched_while_running(*args: Any, **kwargs: Any) -> Any:
        os.utime(target)  # same bytes, new times
        return real_run(*args, **kwargs)

    monkeypatch.setattr(lint.run, "run", touched_while_running)
    _findings(capsys, str(project))
    database = next(cache_dir.glob("*.sqlite"))
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM results").fetchone() == (0,)
    monkeypatch.setattr(lint.run, "run", real_run)
    reads: list[Path] = []
    real_content = lint.memo._content

    def counted(path: Path) -> bytes:
        reads.append(path)
        return real_content(path)

    monkeypatch.setattr(lint.memo, "_content", counted)
    monkeypatch.setattr(lint.memo, "_CLOCK_SLACK_NS", 0)  # this test's files were all written a moment ago
    _findings(capsys, str(project))
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM results").fetchone() == (1,)
    files = len([p for p in project.rglob("*") if p.is_file()])
    assert len(reads) == files  # the key before the run read each file once; the check after it, none
