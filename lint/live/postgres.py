"""Read-only PostgreSQL probes (RULES.md §7): what the real server says about the login, publication, tables,
settings, slots and its own identity.

Safety (DESIGN.md §8): the session is opened with `default_transaction_read_only=on`, a statement and lock
timeout and `application_name=replint`; psycopg's transaction is additionally marked read-only and rolled back
at the end. Only SELECT statements from the catalog are sent — nothing is created, not even a temporary slot.
psycopg is imported inside `probe`, so a static `replint check` never loads it.

Time: `--live-timeout` bounds the whole target, on the client. The server's `statement_timeout` only binds a
real, honest PostgreSQL, and libpq's `connect_timeout` applies per host, so the probe runs in a worker thread
that the caller stops waiting for at the deadline: it then shuts the session's socket down (the worker's read
fails and the worker ends), and reports the checks that had not finished as timed out. TCP keepalives and
`tcp_user_timeout` drop a connection whose peer has vanished.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import socket
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lint import conninfo
from lint.redact import secret_ranges

SETTINGS = (
    "wal_level",
    "max_replication_slots",
    "max_wal_senders",
    "max_slot_wal_keep_size",
    "wal_keep_size",
    "idle_replication_slot_timeout",
    "ssl",
    "password_encryption",
    "server_version_num",
)

ROLE_SQL = """
SELECT rolname, rolsuper, rolreplication, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb,
       coalesce(rolconfig, '{}'::text[]) AS rolconfig, current_setting('row_security') AS row_security,
       current_database() AS database
FROM pg_roles WHERE rolname = current_user
"""
MEMBERSHIP_SQL = """
SELECT r.rolname, r.rolsuper, r.rolreplication, r.rolbypassrls,
       pg_has_role(current_user, r.oid, 'USAGE') AS inherits
FROM pg_roles r
WHERE r.rolname <> current_user AND pg_has_role(current_user, r.oid, 'MEMBER')
ORDER BY 1
"""
SETTINGS_SQL = "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)"
IDENTITY_SQL = """
SELECT pg_postmaster_start_time()::text AS started, current_setting('server_version_num') AS version,
       current_setting('port') AS port
"""
SYSTEM_ID_SQL = "SELECT system_identifier::text FROM pg_control_system()"
PUBLICATIONS_SQL = """
SELECT p.pubname, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot,
       coalesce(array_agg(pt.schemaname || '.' || pt.tablename ORDER BY 1)
                FILTER (WHERE pt.tablename IS NOT NULL), '{}') AS tables
FROM pg_publication p LEFT JOIN pg_publication_tables pt ON pt.pubname = p.pubname
GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1
"""
TABLES_SQL = """
SELECT n.nspname, c.relname,
       has_schema_privilege(current_user, n.oid, 'USAGE') AS schema_usage,
       has_table_privilege(current_user, c.oid, 'SELECT') AS can_select,
       c.relrowsecurity, c.relforcerowsecurity,
       pg_has_role(current_user, c.relowner, 'USAGE') AS owner_or_member,
       c.relreplident::text,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname || '.' || c.relname = ANY(%s)
ORDER BY 1, 2
"""
SLOTS_SQL = """
SELECT slot_name, plugin, slot_type, database, active, wal_status,
       CASE WHEN pg_is_in_recovery() OR restart_lsn IS NULL THEN NULL
            ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END AS retained_bytes
FROM pg_replication_slots ORDER BY 1
"""
SSL_SQL = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


@dataclass(frozen=True)
class PgObserved:
    target: str  # "source" | "storage"
    display: str  # the connection without its password
    reachable: bool
    error: str | None = None
    database: str | None = None
    user: str | None = None
    role: dict[str, Any] | None = None
    # None where the check did not run (refused, timed out): not observed is not "none there".
    memberships: tuple[dict[str, Any], ...] | None = None
    settings: dict[str, str] | None = None
    version_num: int | None = None
    system_identifier: str | None = None
    fingerprint: str | None = None  # postmaster start time + port: equal only for sessions on one server
    publications: dict[str, dict[str, Any]] | None = None
    tables: tuple[dict[str, Any], ...] | None = None
    slots: tuple[dict[str, Any], ...] | None = None
    ssl_in_use: bool | None = None
    skipped: tuple[tuple[str, str], ...] = ()


def redact(uri: str) -> str:
    """The connection as it may be shown: scheme, user, hosts and database — never a password or options."""
    info = conninfo.parse(_without_password(uri))
    hosts = ",".join(f"{h}:{p or conninfo.PG_DEFAULT_PORT}" for h, p in info.hosts) or "localhost"
    user = f"{info.user}@" if info.user else ""
    # A malformed string can still put a password where a user, host or database is expected (an unbalanced
    # quote in `user='u password=x`): then nothing of it is shown. Whole secrets only: a user `ps_good` with
    # the password `good-Secret` is no leak.
    shown = " ".join((info.user or "", hosts, info.database or ""))
    if _PASSWORD_KEY.search(shown) or any(s in shown for s in secret_parts(uri) if len(s) >= 4):
        return "postgresql://(connection string not shown)"
    return f"postgresql://{user}{hosts}/{info.database or ''}"


_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.\-]*://")
_PASSWORD_KEY = re.compile(r"password\s*=", re.IGNORECASE)


def _without_password(uri: str) -> str:
    """A URI without the password of its user info, which ends at the *last* '@': one written without
    percent-encoding may contain '/', '?', '#' or '@', and a parser splitting at those would take part of it
    for the host or database (libpq, and `conninfo.parse`)."""
    m = _SCHEME.match(uri)
    if m is None:
        return uri
    userinfo, at, rest = uri[m.end() :].rpartition("@")
    if not at:
        return uri
    return f"{uri[: m.end()]}{userinfo.partition(':')[0]}@{rest}"


def secret_parts(uri: str) -> tuple[str, ...]:
    """Every piece of a connection string that may be a password, generously: the user info after its first
    ':' up to the last '@' (malformed URIs included), and whatever `lint.redact` masks (`password=` in a query
    or keyword/value string, to the end when a quote is unbalanced); each raw and percent-decoded."""
    parts: set[str] = {uri[start:end] for start, end in secret_ranges(uri)}
    m = _SCHEME.match(uri)
    if m is not None:
        userinfo, at, _ = uri[m.end() :].rpartition("@")
        if at and ":" in userinfo:
            parts.add(userinfo.partition(":")[2])
    return tuple(sorted({form for part in parts if part for form in (part, unquote(part))}))


_QUOTED = re.compile(r'"([^"]*)"')
# A short lower-case word, such as an option name (`invalid URI query parameter: "foo"`), can be shown.
_OPTION_WORD = re.compile(r"[a-z_]{1,20}")


def _harmless(quoted: str, source: str) -> bool:
    return quoted not in source or _OPTION_WORD.fullmatch(quoted) is not None


def _reveals(text: str, secrets: Sequence[str]) -> bool:
    """Whether `text` holds a secret or any 4-character run of one (driver messages quote fragments)."""
    for secret in secrets:
        if len(secret) < 4:
            if secret in text:
                return True
        elif any(secret[i : i + 4] in text for i in range(len(secret) - 3)):
            return True
    return False


def _error_text(exc: BaseException, display: str, secrets: Sequence[str] = (), source: str = "") -> str:
    """One line naming the target. libpq's message is added only when it cannot carry the password: libpq
    quotes the whole connection string in some URI errors (`...in IPv6 host address in URI: "postgresql://u:
    pw@[::1/db"`) and fragments of it in others (`invalid percent-encoded token: "pw%zz"`). Anything it quotes
    from the string itself is left out: a "URI" that is really a bare token (`--source-uri ghp_...`) is all
    secret, and libpq names it as an "invalid connection option"."""
    message = " ".join(str(exc).split())
    if source:
        message = _QUOTED.sub(lambda m: m.group(0) if _harmless(m.group(1), source) else '"…"', message)
    lower = message.lower()
    detail = "" if _reveals(message, secrets) else f": {message[:200]}"
    if "password authentication failed" in lower or "authentication failed" in lower:
        return f"authentication failed for {display}"
    if "no pg_hba.conf entry" in lower:
        return f"{display}: the server's pg_hba.conf has no entry for this client, user and database"
    if type(exc).__name__ == "ProgrammingError" or lower.startswith("connection is bad"):
        # psycopg's errors before any connection attempt: libpq rejected the connection string itself
        return f"invalid connection string for {display}{detail}"
    if "connection refused" in lower:
        return f"connection refused by {display}"
    if "timeout" in lower or "timed out" in lower:
        return f"timed out connecting to {display}"
    if "ssl" in lower or "certificate" in lower:
        return f"TLS failed for {display}{detail}"
    if "does not exist" in lower:
        return f"{display}{detail}" if detail else f"{display}: database or role missing"
    return f"cannot connect to {display} ({type(exc).__name__}){detail}"


def _tls(uri: str, cacert: str | None, scratch: Path) -> dict[str, str]:
    """TLS as configured: a PowerSync `cacert` (PEM text) becomes a root-certificate file; verify modes without
    one trust the system's CAs, as PowerSync trusts its bundled ones."""
    if cacert:
        path = scratch / "root.crt"
        path.write_text(cacert, encoding="utf-8")
        return {"sslrootcert": str(path)}
    params = conninfo.parse(uri).params
    if "sslrootcert" in params:
        return {}  # the connection string names its own CA (a --source-uri with sslrootcert=): keep it
    if _verified(uri):
        return {"sslrootcert": "system"}
    return {}


def _verified(uri: str) -> bool:
    """Whether the server's certificate is checked (sslmode verify-ca / verify-full; the last one counts)."""
    mode = conninfo.parse(uri).params.get("sslmode", "")
    last = uri.rsplit("sslmode", 1)[-1].lstrip("= '")
    return mode.startswith("verify") or last.startswith("verify")


def probe(
    uri: str, *, target: str, tables: Sequence[str], timeout_s: float = 5.0, cacert: str | None = None
) -> PgObserved:
    """Connect read-only and read the facts RULES.md §7 needs, within `timeout_s` in all; a check that failed or
    did not finish in time is `skipped`, never guessed."""
    display = redact(uri)
    session = _Session()
    worker = threading.Thread(
        target=_probe_into, args=(session, uri, tables, timeout_s, cacert), name="replint-live", daemon=True
    )
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        session.expire()  # a worker inside a query sees its socket closed and ends; one still connecting is left
        worker.join(0.5)
    return session.observed(target, display, uri, timeout_s)


class _Session:
    """What the worker has found so far. Shared with the caller, so it is the one mutable, locked object here."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.expired = False
        self.connected = False
        self.failure: BaseException | None = None
        self.socket: int | None = None  # the open session's file descriptor, while it is open
        self.facts: dict[str, Any] = {}
        self.skipped: list[tuple[str, str]] = []
        self.finished: set[str] = set()

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            if self.socket is not None:
                # A duplicate of the descriptor, shut down: the connection itself stops, so the worker's blocked
                # read returns. Under the lock, so the worker cannot have closed (and the OS reused) the descriptor.
                with socket.socket(fileno=os.dup(self.socket)) as dup, contextlib.suppress(OSError):
                    dup.shutdown(socket.SHUT_RDWR)

    def observed(self, target: str, display: str, uri: str, timeout_s: float) -> PgObserved:
        with self.lock:
            facts = dict(self.facts)
            skipped = list(self.skipped)
            late = [name for name, _ in _STEPS if name not in self.finished]
            connected, failure, expired = self.connected, self.failure, self.expired
        if not connected:
            if failure is not None:
                error = _error_text(failure, display, secret_parts(uri), uri)
            else:
                error = f"timed out after {timeout_s:g} s connecting to {display} (--live-timeout)"
            return PgObserved(target, display, reachable=False, error=error)
        if failure is not None:  # after connecting, only a bug of replint's raises (server errors are skips)
            raise failure
        if expired and len(late) == len(_STEPS):  # connected, then silence: as good as unreachable
            error = f"{display} accepted the connection but answered no check within {timeout_s:g} s (--live-timeout)"
            return PgObserved(target, display, reachable=False, error=error)
        if expired:
            skipped += [(name, f"timed out after {timeout_s:g} s (--live-timeout)") for name in late]
        return PgObserved(
            target,
            display,
            reachable=True,
            database=facts.get("database"),
            user=(facts.get("role") or {}).get("rolname"),
            role=facts.get("role"),
            memberships=_tuple(facts.get("memberships")),
            settings=facts.get("settings"),
            version_num=_version(facts.get("settings") or {}),
            system_identifier=facts.get("system_identifier"),
            fingerprint=facts.get("fingerprint"),
            publications=facts.get("publications"),
            tables=_tuple(facts.get("tables")),
            slots=_tuple(facts.get("slots")),
            ssl_in_use=facts.get("ssl"),
            skipped=tuple(skipped),
        )


def _probe_into(session: _Session, uri: str, tables: Sequence[str], timeout_s: float, cacert: str | None) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="replint-") as scratch:
            _run(session, uri, tables, timeout_s, _tls(uri, cacert, Path(scratch)))
    except BaseException as exc:  # the worker's failure is the caller's finding, never a crash
        with session.lock:
            session.failure = session.failure or exc


def _run(session: _Session, uri: str, tables: Sequence[str], timeout_s: float, tls: dict[str, str]) -> None:
    import psycopg

    ms = max(1, int(timeout_s * 1000))
    options = f"-c default_transaction_read_only=on -c statement_timeout={ms} -c lock_timeout=1000"
    try:
        conn = psycopg.connect(
            uri,
            connect_timeout=max(2, math.ceil(timeout_s)),  # per host; the caller's deadline bounds them all
            application_name="replint",
            options=options,
            autocommit=False,
            sslrootcert=tls.get("sslrootcert"),  # None is left out of the connection string
            # A server that is not verified could be anyone's: it must not be able to ask for the password in
            # clear text (libpq 16+ `require_auth`; SCRAM and md5 never send it).
            require_auth=None if _verified(uri) else "!password",
            keepalives=1,
            keepalives_idle=max(1, math.ceil(timeout_s)),
            keepalives_interval=1,
            keepalives_count=3,
            tcp_user_timeout=ms,
        )
    except Exception as exc:  # psycopg raises OperationalError, but a bad URI raises ProgrammingError
        with session.lock:
            session.failure = exc
        return
    try:
        with session.lock:
            session.connected = True
            session.socket = None if session.expired else conn.pgconn.socket
        conn.read_only = True
        with conn.cursor() as cur:
            for name, step in _STEPS:
                found: dict[str, Any] = dict(session.facts)
                with session.lock:
                    if session.expired:
                        return
                try:
                    step(cur, found, tables)
                    conn.commit()  # ends the read-only transaction so a failed step cannot poison the next
                except psycopg.Error as exc:
                    with session.lock:
                        if session.expired:
                            return  # the socket was shut at the deadline: "timed out", not this error
                        session.skipped.append((name, " ".join(str(exc).split())[:200]))
                        session.finished.add(name)
                    conn.rollback()
                    continue
                with session.lock:
                    session.facts.update(found)
                    session.finished.add(name)
    finally:
        with session.lock:
            session.socket = None
        conn.close()


def _tuple(rows: list[dict[str, Any]] | None) -> tuple[dict[str, Any], ...] | None:
    return None if rows is None else tuple(rows)


def _version(settings: dict[str, str]) -> int | None:
    text = settings.get("server_version_num")
    return int(text) if text and text.isdigit() else None


def _rows(cur: Any) -> list[dict[str, Any]]:
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _role(cur: Any, facts: dict[str, Any], _: Sequence[str]) -> None:
    cur.execute(ROLE_SQL)
    rows = _rows(cur)
    if rows:
        facts["role"] = rows[0]
        facts["database"] = rows[0]["database"]
    cur.execute(MEMBERSHIP_SQL)
    facts["memberships"] = _rows(cur)


def _settings(cur: Any, facts: dict[str, Any], _: Sequence[str]) -> None:
    cur.execute(SETTINGS_SQL, (list(SETTINGS),))
    facts["settings"] = {r["name"]: _with_unit(r["setting"], r["unit"]) for r in _rows(cur)}


def _with_unit(setting: str, unit: str | None) -> str:
    """pg_settings gives a number in the setting's unit ('8kB', 'MB', 's'); written back the way a conf file would."""
    if unit is None or setting in ("-1", "0"):
        return setting
    if unit == "8kB" and setting.lstrip("-").isdigit():
        return f"{int(setting) * 8}kB"
    return f"{setting}{unit}"


def _identity(cur: Any, facts: dict[str, Any], _: Sequence[str]) -> None:
    cur.execute(IDENTITY_SQL)
    row = _rows(cur)[0]
    facts["fingerprint"] = f"{row['started']}|{row['port']}|{row['version']}"


def _system_identifier(cur: Any, facts: dict[str, Any], _: Sequence[str]) -> None:
    # pg_control_system() is not granted to ordinary logins by default; the fingerprint above stands in for it.
    cur.execute(SYSTEM_ID_SQL)
    facts["system_identifier"] = _rows(cur)[0]["system_identifier"]


def _publications(cur: Any, facts: dict[str, Any], _: Sequence[str]) -> None:
    cur.execute(PUBLICATIONS_SQL)
    facts["publications"] = {r["pubname"]: r for r in _rows(cur)}


def _tables(cur: Any, facts: dict[str, Any], tables: Sequence[str]) -> None:
    wanted = sorted(set(tables) | {t for p in facts.get("publications", {}).values() for t in p["tables"]})
    cur.execute(TABLES_SQL, (wanted,))
    facts["tables"] = _rows(cur)


def _slots(cur: Any, facts: dict[str, Any], _: Sequence[str]) -> None:
    cur.execute(SLOTS_SQL)
    facts["slots"] = _rows(cur)


def _ssl(cur: Any, facts: dict[str, Any], _: Sequence[str]) -> None:
    cur.execute(SSL_SQL)
    rows = _rows(cur)
    facts["ssl"] = bool(rows[0]["ssl"]) if rows else None


_STEPS = (
    ("role", _role),
    ("settings", _settings),
    ("server identity", _identity),
    ("system identifier", _system_identifier),
    ("publications", _publications),
    ("tables", _tables),
    ("replication slots", _slots),
    ("TLS", _ssl),
)

__all__ = ["PgObserved", "probe", "redact"]
