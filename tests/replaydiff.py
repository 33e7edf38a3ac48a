"""Differential replay: the same SQL history applied to a real PostgreSQL and replayed by replint, compared fact
by fact (issue 16). PostgreSQL is right wherever the two disagree.

A history runs in a fresh database of a cluster the suite started, statement by statement, as the bootstrap
superuser (what a migration tool usually is); statements PostgreSQL refuses are dropped, so replint replays
exactly the accepted history. Roles are global to the cluster: every role a history creates is dropped after it.

Facts compared (each a tuple whose first member names its kind):
- ("role", name, attribute, value): SUPERUSER, REPLICATION, BYPASSRLS, LOGIN, CREATEROLE, CREATEDB, INHERIT of
  every role the history creates;
- ("member", group, member, admin, inherit, set): direct memberships between those roles with their options as
  the server's major has them (before 16: the member's INHERIT attribute, and SET ROLE always allowed);
- ("table", schema.name, property, value): RLS enabled, RLS forced, primary key, replica identity;
- ("publication", name, "all_tables", value) and ("published", publication, schema.name): what each publication
  carries as pg_publication_tables lists it;
- ("select", role, schema.name, value) and ("usage", role, schema.name, value): SELECT on each table and USAGE on
  its schema, for every role the history creates, as has_table_privilege / has_schema_privilege answer.

Approximation, by name: privileges are compared for roles that are not superusers. A superuser passes every
check; replint's `can_select` answers what grants give, and the policies judge SUPERUSER on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lint.model.builder import can_select
from lint.model.replay import DbState, replay
from lint.sources.sql import preprocess, read_sql
from tests import pgcluster

Fact = tuple[object, ...]
ATTRIBUTES = {
    "superuser": "rolsuper",
    "replication": "rolreplication",
    "bypassrls": "rolbypassrls",
    "login": "rolcanlogin",
    "createrole": "rolcreaterole",
    "createdb": "rolcreatedb",
    "inherit": "rolinherit",
}
IDENTITY = {"d": "default", "n": "nothing", "f": "full", "i": "index"}


@dataclass(frozen=True)
class Outcome:
    accepted: str  # the statements PostgreSQL accepted, in order, as one migration file
    server: frozenset[Fact]
    replayed: frozenset[Fact]

    @property
    def missing(self) -> frozenset[Fact]:
        """True on the server, absent from the replay."""
        return self.server - self.replayed

    @property
    def extra(self) -> frozenset[Fact]:
        """Claimed by the replay, false on the server."""
        return self.replayed - self.server


def statements(sql: str) -> list[str]:
    """The statements of a migration file, split as replint splits them (psql meta-commands neutralised)."""
    text, ranges = preprocess(sql)
    pieces = (sql[start:end].strip().rstrip(";").strip() for start, end in ranges if text[start:end].strip())
    return [p for p in pieces if p]


@contextmanager
def connection(cluster: pgcluster.Cluster, database: str) -> Iterator[Any]:
    import psycopg

    conn = psycopg.connect(host=str(cluster.datadir), port=cluster.port, user="postgres", dbname=database)
    conn.autocommit = True  # a history's own BEGIN/COMMIT/ROLLBACK are statements like any other
    try:
        yield conn
    finally:
        conn.close()


def run(cluster: pgcluster.Cluster, sql: str) -> Outcome:
    with connection(cluster, "postgres") as admin:
        before = {r[0] for r in admin.execute("SELECT rolname FROM pg_roles").fetchall()}
        admin.execute("DROP DATABASE IF EXISTS history")
        admin.execute("CREATE DATABASE history")
        try:
            with connection(cluster, "history") as conn:
                accepted = _apply(conn, statements(sql))
                # A history that left a transaction open: committed, as a migration tool that wraps each file
                # in its own transaction would (replint's replay assumes so; plain psql would roll it back).
                conn.execute("COMMIT")
                server = _server_facts(conn, before, cluster.major)
        finally:
            admin.execute("DROP DATABASE IF EXISTS history WITH (FORCE)")
            for (role,) in admin.execute("SELECT rolname FROM pg_roles").fetchall():
                if role not in before:
                    admin.execute(f'DROP ROLE "{role}"')
    text = "".join(f"{s};\n" for s in accepted)
    replayed = replay([read_sql("history.sql", text)], (cluster.major, "the server's"))
    return Outcome(text, frozenset(server), frozenset(replay_facts(replayed)))


def _apply(conn: Any, items: list[str]) -> list[str]:
    """Run each statement; keep those PostgreSQL accepts. A statement refused inside a transaction aborts it, so
    the transaction is rolled back there and everything since its BEGIN leaves the accepted history too."""
    import psycopg
    from psycopg.pq import TransactionStatus

    accepted: list[str] = []
    began: int | None = None  # where the open transaction's BEGIN stands in `accepted`
    for statement in items:
        idle = conn.info.transaction_status == TransactionStatus.IDLE
        try:
            conn.execute(statement)
        except psycopg.Error:
            if conn.info.transaction_status == TransactionStatus.INERROR:
                conn.execute("ROLLBACK")
                del accepted[began if began is not None else len(accepted) :]
                began = None
            continue
        if idle and conn.info.transaction_status != TransactionStatus.IDLE:
            began = len(accepted)
        elif conn.info.transaction_status == TransactionStatus.IDLE:
            began = None
        accepted.append(statement)
    return accepted


def _server_facts(conn: Any, before: set[str], major: int) -> set[Fact]:
    facts: set[Fact] = set()
    columns = ", ".join(ATTRIBUTES.values())
    for row in conn.execute(f"SELECT rolname, {columns} FROM pg_roles").fetchall():
        if row[0] in before:
            continue
        facts.update(("role", row[0], attr, value) for attr, value in zip(ATTRIBUTES, row[1:], strict=True))
    options = "a.inherit_option, a.set_option" if major >= 16 else "m.rolinherit, true"
    for group, member, admin, inherit, can_set in conn.execute(
        f"SELECT g.rolname, m.rolname, a.admin_option, {options} FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member"
    ).fetchall():
        if group not in before and member not in before:
            facts.add(("member", group, member, admin, inherit, can_set))
    for name, rls, forced, ident, pk in conn.execute(
        "SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relreplident, "
        "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
        "AND c.relpersistence <> 't'"  # a temporary table ends with the session that made it
    ).fetchall():
        facts |= {("table", name, "rls", rls), ("table", name, "forced", forced)}
        facts |= {("table", name, "pk", pk), ("table", name, "replica_identity", IDENTITY[ident])}
    for role, table, select, usage in conn.execute(
        "SELECT r.rolname, n.nspname || '.' || c.relname, has_table_privilege(r.oid, c.oid, 'SELECT'), "
        "has_schema_privilege(r.oid, n.oid, 'USAGE') FROM pg_roles r, pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT r.rolsuper AND c.relkind IN ('r', 'p') "
        "AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
    ).fetchall():
        if role not in before:
            facts |= {("select", role, table, select), ("usage", role, table, usage)}
    for name, all_tables in conn.execute("SELECT pubname, puballtables FROM pg_publication").fetchall():
        facts.add(("publication", name, "all_tables", all_tables))
    for pub, schema, table in conn.execute(
        "SELECT pubname, schemaname, tablename FROM pg_publication_tables"
    ).fetchall():
        facts.add(("published", pub, f"{schema}.{table}"))
    return facts


def replay_facts(db: DbState) -> set[Fact]:
    facts: set[Fact] = set()
    created = {name for name, role in db.roles.items() if role.origin is not None}
    for name in created:
        facts.update(("role", name, attr, db.roles[name].attr(attr)) for attr in ATTRIBUTES)
    facts.update(
        ("member", e.role, e.member, e.admin, db.inherits(e), db.can_set(e))
        for e in db.edges.values()
        if {e.role, e.member} <= created
    )
    for role in sorted(r for r in created if not db.roles[r].attr("superuser")):
        for name, table in db.tables.items():
            select, usage = can_select(db, role, table)
            facts |= {("select", role, name, select), ("usage", role, name, usage)}
    for name, table in db.tables.items():
        facts.add(("table", name, "rls", table.rls is not None and table.rls[0] == "enable"))
        facts.add(("table", name, "forced", table.forced is not None and table.forced[0]))
        facts.add(("table", name, "pk", table.has_pk))
        code = table.replica_identity[0] if table.replica_identity else "d"
        facts.add(("table", name, "replica_identity", IDENTITY.get(code, code)))
    for name, pub in db.publications.items():
        facts.add(("publication", name, "all_tables", pub.all_tables))
        facts.update(("published", name, table) for table in db.publication_tables(pub))
    return facts
