"""Seeded random SQL histories for the differential replay test (issue 16): a few roles, schemas, tables and
publications, and the statements that change what replint models. Many are refused by PostgreSQL (a grant on a
table not created yet, a role dropped while it owns something); the harness keeps only what PostgreSQL accepts,
so a history is one a migration tool could have applied."""

from __future__ import annotations

import random
from collections.abc import Callable

ROLES = ("cdc", "app", "readers")
SCHEMAS = ("public", "app")
TABLES = ("a", "b", "c")
PUBLICATIONS = ("p", "q")
VIA_ROOT = " WITH (publish_via_partition_root = true)"
GRANT_OPTIONS = ("", " WITH ADMIN OPTION", " WITH INHERIT FALSE", " WITH SET FALSE")  # the last two: 16+
ATTRIBUTES = ("SUPERUSER", "REPLICATION", "BYPASSRLS", "LOGIN", "CREATEROLE", "CREATEDB", "INHERIT")


def _table(rng: random.Random) -> str:
    return f"{rng.choice(SCHEMAS)}.{rng.choice(TABLES)}"


def _bound(rng: random.Random) -> str:
    low = rng.randrange(9)
    return f"FOR VALUES FROM ({low}) TO ({low + 1})"


def _attributes(rng: random.Random) -> str:
    picked = rng.sample(ATTRIBUTES, rng.randint(0, 3))
    return " ".join(a if rng.random() < 0.6 else f"NO{a}" for a in picked)


def _statement(rng: random.Random) -> str:
    role, other, table = rng.choice(ROLES), rng.choice(ROLES), _table(rng)
    pub = rng.choice(PUBLICATIONS)
    choices: list[Callable[[], str]] = [
        lambda: f"CREATE ROLE {role} {_attributes(rng)}",
        lambda: f"ALTER ROLE {role} {_attributes(rng) or 'LOGIN'}",
        lambda: f"DROP ROLE {role}",
        lambda: f"GRANT {role} TO {other}{rng.choice(GRANT_OPTIONS)}",
        lambda: f"REVOKE {role} FROM {other}",
        lambda: f"CREATE SCHEMA IF NOT EXISTS app{rng.choice(['', f' AUTHORIZATION {role}'])}",
        lambda: f"CREATE TABLE {table} (id int{rng.choice([' PRIMARY KEY', '', ' NOT NULL'])}, v text)",
        lambda: f"CREATE UNLOGGED TABLE {table} (id int PRIMARY KEY)",
        lambda: f"CREATE TABLE {table} (id int{rng.choice([' PRIMARY KEY', ''])}, v text) PARTITION BY RANGE (id)",
        lambda: f"CREATE TABLE {table} PARTITION OF {_table(rng)} {_bound(rng)}",
        lambda: f"ALTER TABLE {table} ATTACH PARTITION {_table(rng)} {_bound(rng)}",
        lambda: f"ALTER TABLE {table} DETACH PARTITION {_table(rng)}",
        lambda: f"DROP TABLE {table}",
        lambda: f"ALTER TABLE {table} {rng.choice(['ENABLE', 'DISABLE', 'FORCE', 'NO FORCE'])} ROW LEVEL SECURITY",
        lambda: f"ALTER TABLE {table} REPLICA IDENTITY {rng.choice(['FULL', 'NOTHING', 'DEFAULT'])}",
        lambda: f"ALTER TABLE {table} ADD PRIMARY KEY (id)",
        lambda: f"ALTER TABLE {table} DROP COLUMN id",
        lambda: f"ALTER TABLE {table} OWNER TO {role}",
        lambda: f"CREATE POLICY pol ON {table} USING (true)",
        lambda: f"GRANT {rng.choice(['SELECT', 'ALL', 'INSERT', 'SELECT (id)'])} ON {table} TO {role}",
        lambda: f"REVOKE {rng.choice(['SELECT', 'ALL'])} ON {table} FROM {rng.choice([role, 'PUBLIC'])}",
        lambda: f"GRANT SELECT ON ALL TABLES IN SCHEMA {rng.choice(SCHEMAS)} TO {role}",
        lambda: f"GRANT USAGE ON SCHEMA {rng.choice(SCHEMAS)} TO {role}",
        lambda: f"REVOKE USAGE ON SCHEMA {rng.choice(SCHEMAS)} FROM {rng.choice([role, 'PUBLIC'])}",
        lambda: f"CREATE PUBLICATION {pub} FOR TABLE {table}{rng.choice(['', VIA_ROOT])}",
        lambda: f"ALTER PUBLICATION {pub} SET (publish_via_partition_root = {rng.choice(['true', 'false'])})",
        lambda: f"CREATE PUBLICATION {pub} FOR ALL TABLES{rng.choice(['', VIA_ROOT])}",
        lambda: f"CREATE PUBLICATION {pub} FOR TABLES IN SCHEMA {rng.choice(SCHEMAS)}",
        lambda: f"ALTER PUBLICATION {pub} {rng.choice(['ADD', 'DROP', 'SET'])} TABLE {table}",
        lambda: f"DROP PUBLICATION {pub}",
        lambda: f"ALTER DEFAULT PRIVILEGES{rng.choice(['', ' IN SCHEMA app'])} "
        f"{rng.choice(['GRANT SELECT ON TABLES TO', 'REVOKE SELECT ON TABLES FROM', 'GRANT ALL ON TABLES TO'])} {role}",
        lambda: rng.choice(
            ["ALTER SYSTEM SET wal_level = logical", f"ALTER SYSTEM SET max_wal_senders = {rng.randint(1, 20)}",
             "ALTER SYSTEM RESET wal_level", "ALTER SYSTEM SET max_replication_slots TO DEFAULT"]
        ),
        lambda: f"CREATE SUBSCRIPTION s CONNECTION 'host=publisher dbname=app' PUBLICATION {pub}"
        f"{rng.choice(['', ', q'])}",
        lambda: rng.choice(["DROP SUBSCRIPTION s", f"ALTER SUBSCRIPTION s SET PUBLICATION {pub} WITH (refresh = off)"]),
        lambda: rng.choice(["ALTER SCHEMA app RENAME TO app2", "ALTER SCHEMA app2 RENAME TO app"]),
        lambda: f"ALTER SCHEMA {rng.choice(['app', 'public'])} OWNER TO {rng.choice([role, 'CURRENT_USER'])}",
        lambda: f"REASSIGN OWNED BY {role} TO {rng.choice([other, 'CURRENT_USER'])}",
        lambda: f"DROP OWNED BY {role}",
        lambda: f"CREATE TABLE {table} (w text) INHERITS ({_table(rng)})",
        lambda: f"CREATE PUBLICATION {pub} FOR TABLE ONLY {table}",
        lambda: f"ALTER TABLE {table} OWNER TO CURRENT_USER",
        lambda: f"GRANT SELECT ON {table} TO CURRENT_USER",
        lambda: f"SET LOCAL ROLE {role}",
        lambda: "RESET ROLE",
        lambda: rng.choice(["SET search_path TO app, public", "RESET search_path", "SET LOCAL search_path = app"]),
        lambda: f"CREATE TABLE {rng.choice(TABLES)} (id int PRIMARY KEY)",  # where the search_path says
        lambda: f"GRANT SELECT ON {rng.choice(TABLES)} TO {role}",
        lambda: rng.choice(["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s", "ROLLBACK TO SAVEPOINT s"]),
    ]
    return rng.choice(choices)()


# Every history starts from the same few objects, so most random statements have something to act on.
PREAMBLE = (
    "CREATE ROLE cdc LOGIN REPLICATION",
    "CREATE ROLE app",
    "CREATE ROLE readers",
    "CREATE SCHEMA app",
    "CREATE TABLE public.a (id int PRIMARY KEY, v text)",
    "CREATE TABLE app.b (id int, v text)",
)


def history(seed: int, length: int = 30) -> str:
    rng = random.Random(seed)
    return "".join(f"{s};\n" for s in (*PREAMBLE, *(_statement(rng) for _ in range(length))))
