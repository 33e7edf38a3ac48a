"""Hand-written SQL histories for the differential replay test, one per class of disagreement issue 16 named
(and the neighbours each class suggested). Each is what a migration tool could apply: PostgreSQL accepts it."""

from __future__ import annotations

HISTORIES: dict[str, str] = {
    "pk-goes-with-its-column": """
CREATE TABLE public.t (id int PRIMARY KEY, note text);
ALTER TABLE public.t DROP COLUMN id;
""",
    "pk-added-with-a-column": """
CREATE TABLE public.t (note text);
ALTER TABLE public.t ADD COLUMN id bigserial PRIMARY KEY;
""",
    "pk-named-otherwise": """
CREATE TABLE public.t (id int, CONSTRAINT t_key PRIMARY KEY (id));
ALTER TABLE public.t DROP CONSTRAINT t_key;
CREATE TABLE public.u (id int CONSTRAINT u_pkey PRIMARY KEY);
""",
    "pk-added-as-constraint": """
CREATE TABLE public.t (id int NOT NULL);
ALTER TABLE public.t ADD CONSTRAINT t_id PRIMARY KEY (id);
""",
    "partitions-published": """
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE PUBLICATION p FOR TABLE public.events;
""",
    "partitions-via-root": """
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE PUBLICATION p FOR TABLE public.events WITH (publish_via_partition_root = true);
""",
    "transaction-rolled-back": """
CREATE ROLE cdc LOGIN REPLICATION;
BEGIN;
ALTER ROLE cdc SUPERUSER;
CREATE TABLE public.t (id int PRIMARY KEY);
ROLLBACK;
""",
    "transaction-committed": """
BEGIN;
CREATE ROLE cdc LOGIN REPLICATION;
COMMIT;
START TRANSACTION;
ALTER ROLE cdc BYPASSRLS;
END;
""",
    "transaction-savepoint": """
CREATE ROLE cdc LOGIN;
BEGIN;
ALTER ROLE cdc REPLICATION;
SAVEPOINT s;
ALTER ROLE cdc SUPERUSER;
ROLLBACK TO SAVEPOINT s;
COMMIT;
""",
    "do-block-idempotent-create": """
CREATE ROLE cdc LOGIN REPLICATION;
DO $$ BEGIN CREATE ROLE cdc LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
""",
    "do-block-dead-branch": """
CREATE ROLE cdc LOGIN REPLICATION;
DO $$ BEGIN IF false THEN ALTER ROLE cdc SUPERUSER; END IF; END $$;
DO $$ BEGIN IF NOT true THEN ALTER ROLE cdc CREATEDB; ELSIF (true) THEN ALTER ROLE cdc BYPASSRLS;
  ELSE ALTER ROLE cdc CREATEROLE; END IF; END $$;
""",
    "create-policy-alone": """
CREATE TABLE public.t (id int PRIMARY KEY, owner text);
CREATE POLICY own ON public.t USING (owner = current_user);
""",
    "rls-forced-and-disabled": """
CREATE TABLE public.t (id int PRIMARY KEY);
ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.t FORCE ROW LEVEL SECURITY;
ALTER TABLE public.t DISABLE ROW LEVEL SECURITY;
""",
    "unlogged-and-temp-not-published": """
CREATE UNLOGGED TABLE public.u (id int PRIMARY KEY);
CREATE TEMP TABLE scratch (id int PRIMARY KEY);
CREATE TABLE public.l (id int PRIMARY KEY);
CREATE PUBLICATION p FOR ALL TABLES;
CREATE PUBLICATION s FOR TABLES IN SCHEMA public;
""",
    "set-unlogged-and-logged": """
CREATE TABLE public.a (id int PRIMARY KEY);
CREATE UNLOGGED TABLE public.b (id int PRIMARY KEY);
ALTER TABLE public.a SET UNLOGGED;
ALTER TABLE public.b SET LOGGED;
CREATE PUBLICATION p FOR ALL TABLES;
""",
    "drop-schema-restrict-and-cascade": """
CREATE SCHEMA empty;
DROP SCHEMA empty;
CREATE SCHEMA app;
CREATE TABLE app.a (id int PRIMARY KEY);
CREATE PUBLICATION p FOR TABLES IN SCHEMA app;
CREATE TABLE public.keep (id int PRIMARY KEY);
CREATE PUBLICATION q FOR TABLE app.a, public.keep;
DROP SCHEMA app CASCADE;
""",
    "schema-tables-and-renames": """
CREATE SCHEMA app;
CREATE TABLE app.a (id int PRIMARY KEY);
CREATE PUBLICATION p FOR TABLES IN SCHEMA app;
ALTER TABLE app.a RENAME TO b;
CREATE SCHEMA other;
ALTER TABLE app.b SET SCHEMA other;
""",
    "drop-schema-cascade": """
CREATE SCHEMA app;
CREATE TABLE app.a (id int PRIMARY KEY);
DROP SCHEMA app CASCADE;
""",
    "role-rename-and-membership": """
CREATE ROLE readers;
CREATE ROLE cdc LOGIN IN ROLE readers;
ALTER ROLE readers RENAME TO viewers;
CREATE ROLE admin ROLE cdc;
""",
    "replica-identity-kinds": """
CREATE TABLE public.a (id int PRIMARY KEY);
ALTER TABLE public.a REPLICA IDENTITY FULL;
CREATE TABLE public.b (id int NOT NULL);
CREATE UNIQUE INDEX b_id ON public.b (id);
ALTER TABLE public.b REPLICA IDENTITY USING INDEX b_id;
CREATE TABLE public.c (id int);
ALTER TABLE public.c REPLICA IDENTITY NOTHING;
""",
    "publication-set-drop-rename": """
CREATE TABLE public.a (id int PRIMARY KEY);
CREATE TABLE public.b (id int PRIMARY KEY);
CREATE PUBLICATION p FOR TABLE public.a;
ALTER PUBLICATION p ADD TABLE public.b;
ALTER PUBLICATION p DROP TABLE public.a;
ALTER PUBLICATION p RENAME TO q;
CREATE PUBLICATION r FOR TABLE public.a, public.b;
ALTER PUBLICATION r SET TABLE public.b;
DROP TABLE public.b;
""",
    "column-grant-is-not-table-select": """
CREATE ROLE cdc LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY, secret text);
GRANT SELECT (id) ON public.t TO cdc;
""",
    "revoke-grant-option-keeps-the-privilege": """
CREATE ROLE cdc LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY);
GRANT SELECT ON public.t TO cdc WITH GRANT OPTION;
REVOKE GRANT OPTION FOR SELECT ON public.t FROM cdc;
""",
    "grants-through-groups-and-public": """
CREATE ROLE readers;
CREATE ROLE cdc LOGIN IN ROLE readers;
CREATE ROLE solo LOGIN NOINHERIT IN ROLE readers;
CREATE SCHEMA app;
CREATE TABLE app.a (id int PRIMARY KEY);
CREATE TABLE public.b (id int PRIMARY KEY);
GRANT USAGE ON SCHEMA app TO readers;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO readers;
GRANT SELECT ON public.b TO PUBLIC;
""",
    "schema-usage-revoked-from-public": """
CREATE ROLE cdc LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY);
GRANT SELECT ON public.t TO cdc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
""",
    "schema-owned-by-the-login": """
CREATE ROLE cdc LOGIN;
CREATE SCHEMA app AUTHORIZATION cdc;
CREATE TABLE app.t (id int PRIMARY KEY);
GRANT SELECT ON app.t TO cdc;
""",
    "default-privileges": """
CREATE ROLE cdc LOGIN;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO cdc;
CREATE TABLE public.t (id int PRIMARY KEY);
""",
    # Role inheritance by major: before 16 a member inherits while it has INHERIT (ALTER ROLE ... NOINHERIT later
    # cuts every membership); from 16 each membership keeps the INHERIT option it was granted with.
    "noinherit-after-the-grant": """
CREATE ROLE readers;
CREATE ROLE cdc LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY);
GRANT SELECT ON public.t TO readers;
GRANT readers TO cdc;
ALTER ROLE cdc NOINHERIT;
""",
    "inherit-after-the-grant": """
CREATE ROLE readers;
CREATE ROLE cdc LOGIN NOINHERIT;
CREATE TABLE public.t (id int PRIMARY KEY);
GRANT SELECT ON public.t TO readers;
GRANT readers TO cdc;
ALTER ROLE cdc INHERIT;
""",
    "grant-with-inherit-and-set-options": """
CREATE ROLE readers;
CREATE ROLE cdc LOGIN;
CREATE ROLE other LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY);
GRANT SELECT ON public.t TO readers;
GRANT readers TO cdc WITH INHERIT FALSE;
GRANT readers TO other WITH SET FALSE, ADMIN TRUE;
""",
    "partitions-many-levels": """
CREATE TABLE public.events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
  PARTITION BY RANGE (id);
CREATE TABLE public.events_2024_a PARTITION OF public.events_2024 FOR VALUES FROM (0) TO (100);
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.other (id int PRIMARY KEY);
CREATE PUBLICATION leaves FOR TABLE public.events, public.other;
CREATE PUBLICATION roots FOR TABLE public.events_2024, public.events WITH (publish_via_partition_root = true);
CREATE PUBLICATION mid FOR TABLE public.events_2024 WITH (publish_via_partition_root = true);
CREATE PUBLICATION everything FOR ALL TABLES;
CREATE PUBLICATION everything_root FOR ALL TABLES WITH (publish_via_partition_root = true);
""",
    "partitions-in-schemas": """
CREATE SCHEMA app;
CREATE TABLE app.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE PUBLICATION in_app FOR TABLES IN SCHEMA app;
CREATE PUBLICATION in_app_root FOR TABLES IN SCHEMA app WITH (publish_via_partition_root = true);
CREATE PUBLICATION in_public FOR TABLES IN SCHEMA public;
CREATE PUBLICATION in_public_root FOR TABLES IN SCHEMA public WITH (publish_via_partition_root = true);
""",
    "partitions-attached-detached-dropped": """
CREATE TABLE public.events (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE public.e1 (id int NOT NULL);
CREATE TABLE public.e2 PARTITION OF public.events FOR VALUES FROM (100) TO (200);
CREATE TABLE public.e3 PARTITION OF public.events FOR VALUES FROM (200) TO (300);
ALTER TABLE public.events ATTACH PARTITION public.e1 FOR VALUES FROM (0) TO (100);
ALTER TABLE public.events DETACH PARTITION public.e2;
CREATE TABLE public.logs (id int) PARTITION BY LIST (id);
CREATE TABLE public.logs_1 PARTITION OF public.logs FOR VALUES IN (1);
DROP TABLE public.logs;
CREATE PUBLICATION p FOR TABLE public.events;
ALTER TABLE public.events REPLICA IDENTITY FULL;
""",
    # An owner's privileges are an ACL entry like any grantee's: revocable, and handed over by OWNER TO.
    "owner-revokes-its-own-privileges": """
CREATE ROLE app;
CREATE ROLE cdc LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY);
CREATE TABLE public.u (id int PRIMARY KEY);
ALTER TABLE public.t OWNER TO app;
ALTER TABLE public.u OWNER TO app;
REVOKE ALL ON public.t FROM app;
ALTER TABLE public.t OWNER TO cdc;
REVOKE SELECT ON public.u FROM app;
GRANT SELECT ON public.u TO app;
""",
    "owner-hands-over-its-grants": """
CREATE ROLE app;
CREATE ROLE cdc LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY);
ALTER TABLE public.t OWNER TO app;
GRANT SELECT ON public.t TO app;
GRANT INSERT ON public.t TO cdc;
ALTER TABLE public.t OWNER TO cdc;
""",
    "publication-row-filters-and-column-lists": """
CREATE TABLE public.a (id int PRIMARY KEY, v text, secret text);
CREATE TABLE public.b (id int PRIMARY KEY, v text);
CREATE TABLE public.c (id int PRIMARY KEY, v text);
CREATE PUBLICATION p FOR TABLE public.a (id, v), public.b WHERE (id > 10);
CREATE PUBLICATION q FOR TABLE public.a;
ALTER PUBLICATION q ADD TABLE public.c (id) WHERE (v <> '');
ALTER PUBLICATION q DROP TABLE public.a;
ALTER PUBLICATION q ADD TABLE public.a WHERE (id > 0);
CREATE PUBLICATION r FOR TABLE public.b WHERE (id < 5);
ALTER PUBLICATION r SET TABLE public.b, public.c;
ALTER TABLE public.c RENAME TO d;
""",
    "schema-renamed-and-reowned": """
CREATE ROLE cdc LOGIN;
CREATE SCHEMA app;
CREATE TABLE app.t (id int PRIMARY KEY);
GRANT SELECT ON app.t TO cdc;
ALTER SCHEMA app OWNER TO cdc;
ALTER SCHEMA app RENAME TO sales;
""",
    "tables-created-inside-create-schema": """
CREATE ROLE cdc LOGIN;
CREATE SCHEMA app AUTHORIZATION cdc CREATE TABLE t (id int PRIMARY KEY) CREATE TABLE u (id int);
""",
    "role-renamed-with-default-privileges": """
CREATE ROLE cdc LOGIN;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO cdc;
ALTER ROLE cdc RENAME TO reader;
CREATE TABLE public.t (id int PRIMARY KEY);
""",
    "current-user-resolved": """
CREATE ROLE cdc LOGIN;
CREATE TABLE public.t (id int PRIMARY KEY);
ALTER TABLE public.t OWNER TO cdc;
ALTER TABLE public.t OWNER TO CURRENT_USER;
GRANT SELECT ON public.t TO cdc;
""",
    "set-local-role-ends-at-commit": """
CREATE ROLE app;
CREATE ROLE cdc LOGIN;
GRANT CREATE ON SCHEMA public TO app;
BEGIN;
SET LOCAL ROLE app;
CREATE TABLE public.a (id int PRIMARY KEY);
COMMIT;
CREATE TABLE public.b (id int PRIMARY KEY);
""",
    "reassign-and-drop-owned": """
CREATE ROLE app;
CREATE ROLE cdc LOGIN;
CREATE ROLE old;
CREATE TABLE public.a (id int PRIMARY KEY);
CREATE TABLE public.b (id int PRIMARY KEY);
ALTER TABLE public.a OWNER TO old;
ALTER TABLE public.b OWNER TO app;
GRANT SELECT ON public.b TO cdc;
REASSIGN OWNED BY old TO app;
DROP OWNED BY cdc;
DROP ROLE old;
""",
    "inheritance-children-published": """
CREATE TABLE public.base (id int PRIMARY KEY);
CREATE TABLE public.child (extra text) INHERITS (public.base);
CREATE TABLE public.other (id int PRIMARY KEY);
CREATE PUBLICATION p FOR TABLE public.base;
CREATE PUBLICATION q FOR TABLE ONLY public.base, public.other;
CREATE TABLE public.late (more text) INHERITS (public.base);
""",
    "search-path-decides-the-schema": """
CREATE ROLE cdc LOGIN;
CREATE SCHEMA app;
SET search_path TO "$user", app, public;
CREATE TABLE t (id int PRIMARY KEY);
GRANT SELECT ON t TO cdc;
CREATE PUBLICATION p FOR TABLE t;
BEGIN;
SET LOCAL search_path = public;
CREATE TABLE public.u (id int PRIMARY KEY);
COMMIT;
CREATE TABLE v (id int);
RESET search_path;
CREATE TABLE w (id int);
DROP TABLE w;
""",
    "search-path-skips-missing-schemas-and-looks-up-along-it": """
CREATE ROLE cdc LOGIN;
SET search_path TO missing, app, public;
CREATE TABLE t (id int PRIMARY KEY);
CREATE SCHEMA app;
CREATE TABLE app.u (id int);
CREATE TABLE public.u (id int PRIMARY KEY);
CREATE TABLE v (id int PRIMARY KEY);
SET search_path TO app, public;
GRANT SELECT ON t, u TO cdc;
ALTER TABLE t REPLICA IDENTITY FULL;
CREATE PUBLICATION p FOR TABLE t, u, v;
CREATE PUBLICATION q FOR TABLES IN SCHEMA CURRENT_SCHEMA;
SET search_path TO public;
DROP TABLE t;
""",
}

# Histories that use syntax of a later major: run only on servers of at least that major.
SINCE: dict[str, int] = {"grant-with-inherit-and-set-options": 16}
