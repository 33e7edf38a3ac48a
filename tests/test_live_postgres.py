"""`replint check --live` against real PostgreSQL servers started by the suite (tests/pgcluster.py).

Two clusters: `logical` (wal_level=logical) and `replica` (wal_level=replica), each with the same schema, an
RLS-protected table and a matrix of logins. The tests run the real CLI in-process and prove from the servers'
statement logs that replint sent nothing but read-only statements.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lint.cli import main
from lint.model import LIVE_COLLECTIONS
from lint.policy import load_policies
from lint.run import run
from tests import pgcluster
from tests.lintkit import builtin_policies, write_tree

BINDIR = pgcluster.find_bindir()
pytestmark = pgcluster.REQUIRED

PASSWORDS = {
    "ps_good": "good-Secret-1x",
    "ps_norls": "norls-Secret-2x",
    "ps_super": "super-Secret-3x",
    "ps_storage": "storage-Secret-4x",
}

SETUP_APP = """
CREATE TABLE public.lists (id int PRIMARY KEY, owner text);
CREATE TABLE public.todos (id int PRIMARY KEY, list_id int, owner text);
ALTER TABLE public.todos ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_todos ON public.todos USING (owner = current_user);
INSERT INTO public.lists VALUES (1, 'a');
INSERT INTO public.todos VALUES (1, 1, 'a');
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ps_good, ps_norls;
CREATE TABLE public.audit (at timestamptz, what text);
CREATE PUBLICATION powersync FOR TABLE public.lists, public.todos;
CREATE PUBLICATION audit_pub FOR TABLE public.audit;
"""
SETUP_ROLES = f"""
CREATE ROLE ps_good LOGIN REPLICATION BYPASSRLS PASSWORD '{PASSWORDS["ps_good"]}';
CREATE ROLE ps_norls LOGIN REPLICATION PASSWORD '{PASSWORDS["ps_norls"]}';
CREATE ROLE ps_super LOGIN SUPERUSER PASSWORD '{PASSWORDS["ps_super"]}';
CREATE ROLE ps_storage LOGIN PASSWORD '{PASSWORDS["ps_storage"]}';
CREATE DATABASE app;
CREATE DATABASE powersync_storage OWNER ps_storage;
"""

CONFIG = """\
replication:
  connections:
    - type: postgresql
      uri: !env PS_DATA_SOURCE_URI
      sslmode: disable
storage:
  type: postgresql
  uri: !env PS_STORAGE_URI
  sslmode: disable
sync_config:
  content: |
    bucket_definitions:
      global:
        data:
          - SELECT * FROM lists
          - SELECT * FROM todos
"""


@pytest.fixture(scope="module")
def clusters() -> Iterator[dict[str, pgcluster.Cluster]]:
    assert BINDIR is not None
    base = pgcluster.make_base()
    started: dict[str, pgcluster.Cluster] = {}
    try:
        for name, wal_level in (("logical", "logical"), ("replica", "replica")):
            cluster = pgcluster.start(name, BINDIR, base, {"wal_level": wal_level})
            started[name] = cluster
            for statement in SETUP_ROLES.strip().split(";\n"):
                cluster.psql(statement)
            cluster.psql(SETUP_APP, database="app")
        yield started
    finally:
        for cluster in started.values():
            cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def uri(cluster: pgcluster.Cluster, user: str, database: str = "app") -> str:
    return cluster.uri(user, PASSWORDS[user], database)


def live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, storage: str, files: dict[str, str] | None = None
) -> str:
    """A project whose PowerSync config reads both connections from !env, set here as the service would."""
    write_tree(tmp_path, {"powersync/config.yaml": CONFIG, **(files or {})})
    monkeypatch.setenv("PS_DATA_SOURCE_URI", source)
    monkeypatch.setenv("PS_STORAGE_URI", storage)
    return str(tmp_path)


def check(capsys: pytest.CaptureFixture[str], path: str, *extra: str) -> tuple[int, str]:
    code = main(["check", "--live", "--oneline", "--color", "never", *extra, path])
    return code, capsys.readouterr().out


def test_misconfigured_server_is_reported_with_exit_1(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    replica = clusters["replica"]
    # Storage on the same server as the source, hidden behind !env (nothing static can resolve it).
    path = live(tmp_path, monkeypatch, uri(replica, "ps_norls"), uri(replica, "ps_storage", "powersync_storage"))
    code, out = check(capsys, path)
    assert code == 1, out
    found = out.splitlines()
    assert any("[conf-wal-level-logical]" in f and "wal_level = replica on the live source server" in f for f in found)
    assert any(
        "[xf-rls-requires-bypass-or-failclosed]" in f
        and "public.todos" in f
        and "ps_norls" in f
        and "observed on the live server" in f
        for f in found
    ), out
    same = [f for f in found if "[cfg-storage-shares-source-server]" in f]
    assert same and ": error: " in same[0] and "both live servers report the same system identifier" in same[0], out
    for password in PASSWORDS.values():
        assert password not in out


def test_correct_servers_exit_0(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = live(
        tmp_path,
        monkeypatch,
        uri(clusters["logical"], "ps_good"),
        uri(clusters["replica"], "ps_storage", "powersync_storage"),
    )
    code, out = check(capsys, path)
    assert code == 0, out
    assert "[conf-wal-level-logical]" not in out
    assert "[xf-rls-requires-bypass-or-failclosed]" not in out
    assert "[cfg-storage-shares-source-server]" not in out
    assert "[live-unavailable]" not in out
    assert "[live-pg-table-readiness]" not in out


def test_unreadable_table_without_replica_identity(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = CONFIG.replace(
        "          - SELECT * FROM todos\n", "          - SELECT * FROM todos\n          - SELECT * FROM audit\n"
    )
    write_tree(tmp_path, {"powersync/config.yaml": config})
    monkeypatch.setenv("PS_DATA_SOURCE_URI", uri(clusters["logical"], "ps_good"))
    monkeypatch.setenv("PS_STORAGE_URI", uri(clusters["replica"], "ps_storage", "powersync_storage"))
    code, out = check(capsys, str(tmp_path))
    assert code == 1
    table = [f for f in out.splitlines() if "[live-pg-table-readiness]" in f]
    assert len(table) == 1 and "public.audit" in table[0] and "cannot SELECT it" in table[0], out


def test_superuser_login_and_drift_from_the_migrations(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = live(
        tmp_path,
        monkeypatch,
        uri(clusters["logical"], "ps_super"),
        uri(clusters["replica"], "ps_storage", "powersync_storage"),
        {"migrations/V1__roles.sql": "CREATE ROLE ps_super WITH REPLICATION BYPASSRLS LOGIN;\n"},
    )
    code, out = check(capsys, path)
    assert code == 1
    assert any("[live-pg-cdc-role]" in f and "ps_super" in f and "is a superuser" in f for f in out.splitlines())
    drift = [f for f in out.splitlines() if "[live-drift]" in f]
    assert any("role ps_super without SUPERUSER" in f and "has it" in f for f in drift), out
    assert any("role ps_super with BYPASSRLS" in f and "does not have it" in f for f in drift), out


def test_unreachable_server_and_unset_variable_are_findings_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = pgcluster._free_port()  # nothing listens there
    write_tree(tmp_path, {"powersync/config.yaml": CONFIG})
    monkeypatch.setenv("PS_DATA_SOURCE_URI", f"postgresql://ps_good:Leak-Me-9@127.0.0.1:{closed}/app?sslmode=disable")
    monkeypatch.delenv("PS_STORAGE_URI", raising=False)
    code, out = check(capsys, str(tmp_path), "--live-timeout", "2")
    assert code == 1
    unavailable = [f for f in out.splitlines() if "[live-unavailable]" in f]
    assert len(unavailable) == 2, out
    assert any(f"connection refused by postgresql://ps_good@127.0.0.1:{closed}/app" in f for f in unavailable), out
    assert any("PS_STORAGE_URI is not set" in f for f in unavailable), out
    assert "Leak-Me-9" not in out


def test_overrides_and_no_config(
    clusters: dict[str, pgcluster.Cluster], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.sql").write_text("SELECT 1;\n", encoding="utf-8")
    code, out = check(capsys, str(tmp_path), "--source-uri", uri(clusters["replica"], "ps_good"))
    assert code == 1
    assert "[conf-wal-level-logical]" in out
    assert PASSWORDS["ps_good"] not in out


def test_missing_publication_and_abandoned_slot(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = clusters["logical"]
    cluster.psql("SELECT pg_create_logical_replication_slot('abandoned_slot', 'pgoutput')", database="app")
    for _ in range(5):  # retain a few WAL segments behind the inactive slot
        cluster.psql("UPDATE public.lists SET owner = owner; SELECT pg_switch_wal();", database="app")
    try:
        # The postgres database has neither the tables nor a powersync publication.
        path = live(
            tmp_path,
            monkeypatch,
            uri(cluster, "ps_good", "postgres"),
            uri(clusters["replica"], "ps_storage", "powersync_storage"),
        )
        code, out = check(capsys, path)
    finally:
        cluster.psql("SELECT pg_drop_replication_slot('abandoned_slot')")
    assert code == 1, out
    found = out.splitlines()
    assert any("[live-pg-publication]" in f and "no publication named powersync" in f for f in found), out
    slot = [f for f in found if "[live-pg-slot-health]" in f]
    assert slot and "abandoned_slot" in slot[0] and "is inactive and holds" in slot[0], out


def test_replint_sent_only_read_only_statements(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster = clusters["logical"]
    before = cluster.psql(
        "SELECT (SELECT count(*) FROM pg_replication_slots), (SELECT count(*) FROM pg_publication), "
        "(SELECT count(*) FROM pg_roles), (SELECT count(*) FROM pg_database)"
    )
    write_tree(tmp_path, {"powersync/config.yaml": CONFIG})
    monkeypatch.setenv("PS_DATA_SOURCE_URI", uri(cluster, "ps_super"))
    monkeypatch.setenv("PS_STORAGE_URI", uri(cluster, "ps_storage", "powersync_storage"))
    from lint.live.observe import LiveOptions

    run([tmp_path], list(builtin_policies()), live=LiveOptions())
    after = cluster.psql(
        "SELECT (SELECT count(*) FROM pg_replication_slots), (SELECT count(*) FROM pg_publication), "
        "(SELECT count(*) FROM pg_roles), (SELECT count(*) FROM pg_database)"
    )
    assert before == after
    sent = replint_statements(cluster.log_lines())
    assert sent, "the statement log shows no replint session"
    allowed = re.compile(r"^(SELECT|BEGIN READ ONLY|BEGIN|COMMIT|ROLLBACK|SET|SHOW)\b", re.IGNORECASE)
    assert [s for s in sent if not allowed.match(s.lstrip())] == []


def replint_statements(log: list[str]) -> list[str]:
    """The statements sessions named `replint` sent; a statement's text may start on the next log line."""
    out: list[str] = []
    for i, line in enumerate(log):
        m = re.search(r"(?:statement|execute [^:]*): (.*)$", line) if "app=replint " in line else None
        if m is None:
            continue
        text = m.group(1).strip()
        j = i + 1
        while not text and j < len(log):
            text = log[j].strip()
            j += 1
        out.append(text)
    return out


def test_every_live_policy_has_failing_coverage_here() -> None:
    """Live policies cannot run their documented examples statically; this file is their case file."""
    live_ids = {p.id for p in load_policies() if p.for_each in LIVE_COLLECTIONS}
    here = Path(__file__).read_text(encoding="utf-8")
    mongo = (Path(__file__).parent / "test_live_mongo_model.py").read_text(encoding="utf-8")
    covered = set(re.findall(r"\[(live-[a-z-]+)\]", here)) | set(re.findall(r"(live-[a-z-]+): error", mongo))
    assert live_ids - covered == set()


def test_tls_as_configured_powersyncs_default_verify_full_is_used(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without an sslmode key PowerSync uses verify-full, so the probe does too (and these servers have no TLS)."""
    write_tree(tmp_path, {"powersync/config.yaml": CONFIG.replace("      sslmode: disable\n", "", 1)})
    monkeypatch.setenv("PS_DATA_SOURCE_URI", uri(clusters["logical"], "ps_good").replace("?sslmode=disable", ""))
    monkeypatch.setenv("PS_STORAGE_URI", uri(clusters["replica"], "ps_storage", "powersync_storage"))
    code, out = check(capsys, str(tmp_path))
    assert code == 1
    tls = [f for f in out.splitlines() if "[live-unavailable]" in f]
    assert len(tls) == 1 and "TLS failed for postgresql://ps_good@127.0.0.1:" in tls[0], out
    assert PASSWORDS["ps_good"] not in out


# --- trust: secrets from the environment go only to hosts the person running replint chose -------------------

LITERAL_HOST_CONFIG = """\
replication:
  connections:
    - type: postgresql
      hostname: {host}
      port: {port}
      database: app
      username: ps_good
      password: !env PS_PASSWORD
      sslmode: disable
storage:
  type: mongodb
  uri: !env PS_STORAGE_URI
"""


def test_a_host_the_config_names_itself_is_not_contacted_unless_allowed(
    clusters: dict[str, pgcluster.Cluster], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A config in a pull request could name the author's server with `password: !env ANY_VARIABLE`: replint
    must not hand the variable's value to it. The host is contacted only once the runner allows it."""
    cluster = clusters["logical"]
    config = LITERAL_HOST_CONFIG.format(host="127.0.0.1", port=cluster.port)
    write_tree(tmp_path, {"powersync/config.yaml": config})
    monkeypatch.setenv("PS_PASSWORD", PASSWORDS["ps_good"])
    monkeypatch.delenv("REPLINT_LIVE_HOSTS", raising=False)
    before = len(cluster.log_lines())
    _, out = check(capsys, str(tmp_path))
    assert "the config names the host 127.0.0.1 itself" in out and "--live-host 127.0.0.1" in out, out
    assert not [line for line in cluster.log_lines()[before:] if "app=replint" in line]  # never connected
    _, out = check(capsys, str(tmp_path), "--live-host", "127.0.0.1")
    assert "the config names the host" not in out, out
    assert [line for line in cluster.log_lines()[before:] if "app=replint" in line]  # now it did
    monkeypatch.setenv("REPLINT_LIVE_HOSTS", "db.internal, 127.0.0.1")
    _, out = check(capsys, str(tmp_path))
    assert "the config names the host" not in out, out


def test_a_server_that_is_not_verified_cannot_ask_for_the_password_in_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pg_hba `password` makes the server ask for the password itself; without a verified certificate that server
    could be an impostor, so replint refuses (libpq require_auth=!password) and the password never leaves."""
    assert BINDIR is not None
    base = pgcluster.make_base()
    cluster = pgcluster.start("cleartext", BINDIR, base, {"wal_level": "logical"})
    try:
        cluster.psql(f"CREATE ROLE ps_good LOGIN REPLICATION PASSWORD '{PASSWORDS['ps_good']}'")
        hba = cluster.datadir / "pg_hba.conf"
        hba.write_text("local all all trust\nhost all all 127.0.0.1/32 password\n", encoding="utf-8")
        subprocess.run(pgcluster._as_postgres([str(BINDIR / "pg_ctl"), "-D", str(cluster.datadir), "reload"]),
                       capture_output=True, check=True)
        time.sleep(0.5)
        source = cluster.uri("ps_good", PASSWORDS["ps_good"], "postgres")
        project = live(tmp_path, monkeypatch, source, "mongodb://127.0.0.1:1/x")
        _, out = check(capsys, project, "--live-timeout", "3")
        assert 'authentication method requirement "!password" failed: server requested a cleartext password' in out
        assert PASSWORDS["ps_good"] not in out
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_a_refused_check_is_reported_and_judges_nothing(
    clusters: dict[str, pgcluster.Cluster],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The publications query refused (a catalog this login may not read): a warning that it could not run, and
    no "there is no publication named powersync", which nothing observed."""
    logical = clusters["logical"]
    logical.psql("CREATE DATABASE refused")
    logical.psql(
        "REVOKE SELECT ON pg_catalog.pg_publication FROM PUBLIC; CREATE PUBLICATION powersync FOR ALL TABLES;",
        database="refused",
    )
    try:
        path = live(
            tmp_path, monkeypatch, uri(logical, "ps_good", "refused"), uri(logical, "ps_storage", "powersync_storage")
        )
        _, out = check(capsys, path)
    finally:
        logical.psql("DROP DATABASE refused")
    skipped = [f for f in out.splitlines() if "[live-unavailable]" in f and "'publications'" in f]
    assert skipped and ": warning: " in skipped[0] and "permission denied" in skipped[0], out
    assert "[live-pg-publication]" not in out, out
    assert "[live-drift]" not in out, out
