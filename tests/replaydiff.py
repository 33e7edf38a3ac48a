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
- ("table", schema.name, property, value): RLS enabled, RLS forced, primary key, replica identity, owner, and
  the partitioned parent of a partition;
- ("publication", name, "all_tables", value) and ("published", publication, schema.name): what each publication
  carries as pg_publication_tables lists it;
- ("select", role, schema.name, value) and ("usage", role, schema.name, value): SELECT on each table and USAGE on
  its schema, for every role the history creates, as has_table_privilege / has_schema_privilege answer;
- ("row_filter", publication, schema.name) and ("columns", publication, schema.name, sorted columns): tables
  listed with a row filter or a column list (pg_publication_rel);
- ("default", for_role, schema, objtype, grantee, privilege): default privileges (ALTER DEFAULT PRIVILEGES) other
  than the creating role's own;
- ("subscription", name, publications): each subscription and what it subscribes to;
- ("setting", name, value): what ALTER SYSTEM wrote to postgresql.auto.conf.

The migration user is the bootstrap superuser `postgres`: replint, which does not know who runs the migrations,
says "the migration user" (None) where the server says `postgres`, and the comparison maps one to the other.

CREATE SUBSCRIPTION is applied `WITH (connect = false, slot_name = NONE)` (there is no publisher to connect to;
neither option changes what replint models), so the fixtures' subscriptions are compared too.

The replay's deliberate approximations are `APPROXIMATIONS` below, each with its reason; the comparison leaves
them out by construction (what it compares, what the random histories write), and the README lists them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lint.model.builder import can_select
from lint.model.replay import DbState, replay
from lint.sources.sql import preprocess, read_sql
from tests import pgcluster

Fact = tuple[object, ...]

APPROXIMATIONS = {
    "superusers-pass-every-check": "privileges are compared for roles that are not superusers: a superuser passes "
    "every check, replint's can_select answers what grants give, and the policies judge SUPERUSER on its own",
    "the-migration-user-is-unnamed": "replint does not know who runs the migrations: `ALTER DEFAULT PRIVILEGES FOR "
    "ROLE x` is taken to cover the tables the migration user creates unless some migration SET ROLEs to x, and "
    "FOR ROLE or REVOKE naming the migration user by name is not recognised as it (lint.model.replay."
    "default_applies says why); the random histories write neither",
    "an-open-transaction-commits": "a transaction still open at the end of a file counts, as the migration tool "
    "that wraps the file commits it (plain psql rolls it back); the harness commits it too",
    "sequences-are-not-modelled": "sequence privileges are not compared: a CDC login reads tables, and no policy "
    "judges a sequence",
}
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
DEFAULT_OBJTYPES = {"r": "table", "S": "sequence", "f": "function", "T": "type", "n": "schema"}
MIGRATION_USER = "postgres"  # who applies the histories; replint's None
_SUBSCRIPTION = re.compile(r"^\s*CREATE\s+SUBSCRIPTION\b", re.IGNORECASE)
_WITH = re.compile(r"\bWITH\s*\(", re.IGNORECASE)


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
            _drop_subscriptions(cluster)
            admin.execute("ALTER SYSTEM RESET ALL")
            admin.execute("DROP DATABASE IF EXISTS history WITH (FORCE)")
            for (role,) in admin.execute("SELECT rolname FROM pg_roles").fetchall():
                if role not in before:
                    admin.execute(f'DROP ROLE "{role}"')
    text = "".join(f"{s};\n" for s in accepted)
    replayed = replay([read_sql("history.sql", text)], (cluster.major, "the server's"))
    return Outcome(text, frozenset(server), frozenset(replay_facts(replayed)))


def _drop_subscriptions(cluster: pgcluster.Cluster) -> None:
    """A database with subscriptions cannot be dropped; without a slot (slot_name = NONE) they drop offline."""
    with connection(cluster, "history") as conn:
        names = conn.execute("SELECT subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid "
                             "WHERE d.datname = current_database()").fetchall()
        for (name,) in names:
            conn.execute(f'ALTER SUBSCRIPTION "{name}" DISABLE')
            conn.execute(f'ALTER SUBSCRIPTION "{name}" SET (slot_name = NONE)')
            conn.execute(f'DROP SUBSCRIPTION "{name}"')


def offline(statement: str) -> str:
    """CREATE SUBSCRIPTION without connecting to its publisher (see the module's docstring)."""
    if not _SUBSCRIPTION.match(statement):
        return statement
    found = _WITH.search(statement)
    if found is None:
        return f"{statement} WITH (connect = false, slot_name = NONE)"
    return f"{statement[: found.end()]}connect = false, slot_name = NONE, {statement[found.end() :]}"


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
            conn.execute(offline(statement))
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
    for name, rls, forced, ident, pk, owner, parent in conn.execute(
        "SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relreplident, "
        "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p'), "
        "pg_get_userbyid(c.relowner), (SELECT pn.nspname || '.' || p.relname FROM pg_inherits i "
        "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace "
        "WHERE i.inhrelid = c.oid AND c.relispartition) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
        "AND c.relpersistence <> 't'"  # a temporary table ends with the session that made it
    ).fetchall():
        facts |= {("table", name, "rls", rls), ("table", name, "forced", forced)}
        facts |= {("table", name, "pk", pk), ("table", name, "replica_identity", IDENTITY[ident])}
        facts |= {("table", name, "owner", owner), ("table", name, "partition_of", parent)}
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
    for pub, table, row_filter, columns in conn.execute(
        "SELECT p.pubname, n.nspname || '.' || c.relname, r.prqual IS NOT NULL, "
        "(SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a "
        "WHERE a.attrelid = r.prrelid AND a.attnum = ANY(r.prattrs)) FROM pg_publication_rel r "
        "JOIN pg_publication p ON p.oid = r.prpubid JOIN pg_class c ON c.oid = r.prrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace"
    ).fetchall():
        if row_filter:
            facts.add(("row_filter", pub, table))
        if columns:
            facts.add(("columns", pub, table, tuple(columns)))
    for row in conn.execute(
        "SELECT pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype, "
        "CASE WHEN a.grantee = 0 THEN 'public' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type "
        "FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a "
        "WHERE a.grantee <> d.defaclrole"
    ).fetchall():
        facts.add(("default", row[0], row[1], DEFAULT_OBJTYPES[row[2]], row[3], row[4]))
    for name, publications in conn.execute(
        "SELECT s.subname, s.subpublications FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid "
        "WHERE d.datname = current_database()"
    ).fetchall():
        facts.add(("subscription", name, tuple(sorted(publications))))
    for name, value in conn.execute(
        "SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'"
    ).fetchall():
        facts.add(("setting", name, value))
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
        facts.add(("table", name, "owner", table.owner[0] or MIGRATION_USER))
        facts.add(("table", name, "partition_of", table.partition_of))
    for name, pub in db.publications.items():
        facts.add(("publication", name, "all_tables", pub.all_tables))
        facts.update(("published", name, published) for published in db.publication_tables(pub))
        for listed, (shape, _) in pub.partial.items():
            if shape.row_filter:
                facts.add(("row_filter", name, listed))
            if shape.columns:
                facts.add(("columns", name, listed, tuple(sorted(shape.columns))))
    for d in db.default_privs:
        if d.grantee != (d.for_role or MIGRATION_USER):
            facts.add(("default", d.for_role or MIGRATION_USER, d.schema, d.objtype, d.grantee, d.privilege))
    facts.update(("subscription", name, tuple(sorted(s.publications))) for name, s in db.subscriptions.items())
    facts.update(("setting", name, value) for name, (value, _) in db.system.items())
    return facts
