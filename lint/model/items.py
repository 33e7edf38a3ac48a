"""The model's collections, declared once: what each item holds, with each field's type and meaning.

Everything that lists collections or fields is derived from these declarations (`lint.model.declare` reads
them): `COLLECTIONS`, the policy type-checker, `schemas/model.schema.json`, the model reference page
(policies/MODEL.md), `replint list-policies --collections` and `replint model`. mypy checks every place an item is
built against its record, and every item carries every field (an empty value of the right type, never a
missing key), so a policy never needs `has()` to tell items apart.

Records are `TypedDict`s, not dataclasses: items are handed to CEL as plain maps, which a TypedDict already is,
while a frozen dataclass would be converted for every evaluation (measured: `dataclasses.asdict` takes about
60 µs per connection item, for every policy over connections, on every item). No `from __future__ import
annotations` here, and records come before the records that use them: evaluated annotations make this module
import in about 20 ms instead of 33 (ForwardRef compilation), on every cold run.
"""

from typing import Annotated, TypedDict, cast

from lint.model.declare import Declarations, Meta, read
from lint.span import Origin


class ProviderSwitch(TypedDict):
    """a managed provider's logical-decoding setting found in a server config"""

    name: Annotated[str, "the setting: rds.logical_replication, cloudsql.logical_decoding or azure.replication_support"]
    on: Annotated[bool, "the value turns logical decoding on"]
    origin: Annotated[Origin, "where the setting is written"]
    provider: Annotated[str, "the provider it belongs to, e.g. AWS RDS / Aurora"]
    value: Annotated[str, "the value as written"]


class Overgrant(TypedDict):
    """one write right of a MongoDB user beyond the checkpoint collection"""

    origin: Annotated[
        Origin | None,
        "where the privilege granting the write is written; the user's origin when unknown",
    ]
    what: Annotated[
        str,
        "the write actions, where, and through which roles, e.g. insert/update on every collection of app",
    ]


class HbaSubject(TypedDict):
    """a login replication depends on that a pg_hba record's user field can match"""

    kind: Annotated[str, "cdc (replication login) or storage (PowerSync storage user)"]
    logical_only: Annotated[bool, "a logical-decoding consumer (PowerSync source, CDC, subscription) logs in as it"]
    match: Annotated[str, "yes when the record surely matches the user, maybe when it cannot tell (e.g. +group)"]
    name: Annotated[str, "the role name"]
    why: Annotated[str, "why it is a subject, reasons joined with '; '"]


class SslOff(TypedDict):
    """the first server config whose ssl is off, which hostssl records cannot work with"""

    explicit: Annotated[bool, "ssl = off is written; false means off by default in a complete postgresql.conf"]
    origin: Annotated[Origin, "where ssl is set; line 1 of the config when it is the default"]
    path: Annotated[str, "the server config as described in messages (path, with its auto.conf, or the live server)"]


class Problem(TypedDict):
    """A reader problem: a file or value replint could not read, or a config value the tool rejects"""

    key: Annotated[
        str,
        "kind, file and message (mongo:<file>:<message> for MongoDB script problems): unique per problem",
    ]
    kind: Annotated[
        str,
        "the problem kind, e.g. unknown-key, invalid-value, include, skipped, foreign-sql, mongo-replay",
    ]
    message: Annotated[str, "the human-readable description of what could not be read or is invalid"]
    origin: Annotated[Origin, "where the unreadable or invalid text is written"]
    powersync_config: Annotated[
        bool,
        "true when PowerSync's config checks raised it; false for SQL, sync rules and others",
    ]


class SecretItem(TypedDict):
    """A credential committed in a file: PowerSync config, migration, Debezium, Drasi, Neosync, mongosh"""

    config: Annotated[str, "the file the secret is written in"]
    detail: Annotated[str, "config: the dotted YAML path; sql: the role or subscription name; others: same as where"]
    embedded: Annotated[
        bool,
        "true when the password is embedded in a URL (user:password@host); only on client secrets",
    ]
    fix: Annotated[str, "the remediation text for this product; only on Debezium, Drasi, Neosync and MongoDB secrets"]
    hashed: Annotated[bool, "true when a migration sets a password verifier (SCRAM/md5) rather than clear text"]
    key: Annotated[str, "source prefix, where/name and file (e.g. sql-password:<role>:<file>): unique per secret"]
    kind: Annotated[str, 'always "secret"']
    literal: Annotated[
        bool,
        "true when the value is written in clear text; false for !env, ${VAR} or a hashed password",
    ]
    origin: Annotated[Origin, "where the secret value is written"]
    source: Annotated[str, "which reader found it: config (PowerSync), sql, debezium, drasi, neosync or mongo"]
    where: Annotated[str, 'how messages name the secret, e.g. a YAML path or "the password of role app"']


class EnvRefItem(TypedDict):
    """An environment-variable reference: a PowerSync `!env NAME[::type]` or a Neosync urlFromEnv"""

    client: Annotated[str, "the tool that resolves the variable: powersync or neosync"]
    key: Annotated[str, "env:<file>:<variable>:<line>: unique per reference"]
    name: Annotated[str, "the environment variable's name"]
    origin: Annotated[Origin, "where the reference is written"]
    type: Annotated[str, "the ::type suffix (string when omitted); always string for Neosync"]
    valid_prefix: Annotated[bool, "name starts with PS_ (any name in a cli-cloud config) or USER_DEFINED_ for Neosync"]
    valid_type: Annotated[bool, "type is string, number or boolean; always true for Neosync"]
    where: Annotated[
        str,
        'the Neosync connection that reads it, e.g. "Neosync connection prod"; absent for PowerSync',
    ]


class FlagItem(TypedDict):
    """A risky non-secret PowerSync config setting: debug_api, http JWKS URI, HMAC key, weak API token"""

    config: Annotated[str, "the PowerSync config file"]
    detail: Annotated[str, "the dotted YAML path of the setting, e.g. api.tokens[0] or replication.connections[0]"]
    key: Annotated[str, "kind, config file and YAML path: unique per flagged setting"]
    kind: Annotated[str, "what is flagged: debug-api, jwks-http, hmac-key or api-token-placeholder"]
    literal: Annotated[bool, "true when the value is written in the file; false when it comes from !env (hmac-key)"]
    origin: Annotated[Origin, "where the flagged setting is written"]


class ServiceItem(TypedDict):
    """One PowerSync config file as a service, with its telemetry-sharing setting"""

    key: Annotated[str, "service:<config file>: unique per PowerSync config"]
    origin: Annotated[Origin, "line 1 of the config file"]
    path: Annotated[str, "the PowerSync config file"]
    telemetry_configured: Annotated[bool, "true when telemetry.disable_telemetry_sharing is written"]
    telemetry_origin: Annotated[Origin, "where disable_telemetry_sharing is written; line 1 of the config when absent"]
    telemetry_sharing: Annotated[
        bool | None,
        "true unless disable_telemetry_sharing is true; null when it is an !env value",
    ]
    variant: Annotated[str, "which loader reads the file: service, cli-self-hosted or cli-cloud"]


class RoleItem(TypedDict):
    """one PostgreSQL role in the replayed SQL state, or a login a config names that the SQL never creates"""

    bypassrls: Annotated[
        bool,
        "it has the BYPASSRLS attribute in the final state (false for roles the SQL never creates)",
    ]
    bypassrls_origin: Annotated[
        Origin | None,
        "where BYPASSRLS is last written, else the CREATE ROLE; null if neither; absent if config-only",
    ]
    can_become_superuser: Annotated[
        bool,
        "some chain of memberships lets it SET ROLE (or inherit) into a superuser-equivalent role",
    ]
    cdc_reasons: Annotated[
        list[str],
        "why it is a CDC role (config login, REPLICATION, rds_replication member); empty if not one",
    ]
    config_login: Annotated[
        bool,
        "a linted connection (PowerSync source, subscription, CDC client; not storage/sync) logs in as it",
    ]
    createdb: Annotated[bool, "it has the CREATEDB attribute in the final state"]
    createdb_origin: Annotated[
        Origin | None,
        "where CREATEDB is last written, else the CREATE ROLE; null if neither; absent if config-only",
    ]
    createrole: Annotated[bool, "it has the CREATEROLE attribute in the final state"]
    createrole_origin: Annotated[
        Origin | None,
        "where CREATEROLE is last written, else the CREATE ROLE; null if neither; absent if config-only",
    ]
    defined: Annotated[
        bool,
        "a CREATE ROLE/USER in the SQL creates it; false if only referenced there or named by a config",
    ]
    inherit: Annotated[
        bool,
        "it has the INHERIT attribute (PostgreSQL's default true; true for roles the SQL never creates)",
    ]
    is_cdc: Annotated[
        bool,
        "it is a CDC role: a replication connection logs in as it, or it has REPLICATION/rds_replication",
    ]
    is_storage: Annotated[bool, "it is the user of some PowerSync storage connection"]
    key: Annotated[str, '"role:" + name; unique because role names are unique in the replayed state']
    login: Annotated[bool, "it has the LOGIN attribute in the final state"]
    login_origin: Annotated[
        Origin | None,
        "where LOGIN is last written, else the CREATE ROLE; null if neither; absent if config-only",
    ]
    member_of: Annotated[
        list[str],
        "every group it belongs to, directly or transitively, whatever the INHERIT/SET options (sorted)",
    ]
    members: Annotated[list[str], "roles granted this role directly (sorted); non-empty marks a group"]
    name: Annotated[str, "the role name as replayed (after any RENAME)"]
    origin: Annotated[
        Origin,
        "where the role is created (CREATE ROLE/USER); a placeholder with empty path when defined is false",
    ]
    password: Annotated[
        str | None,
        "kind of the last PASSWORD clause: literal, hashed, variable or null (PASSWORD NULL); null if none",
    ]
    rds_replication: Annotated[bool, "it is a direct member of rds_replication (how AWS RDS/Aurora grants replication)"]
    replication: Annotated[bool, "it has the REPLICATION attribute itself in the final state"]
    replication_groups: Annotated[
        list[str],
        "groups it belongs to that have REPLICATION (which is never inherited); for messages only",
    ]
    replication_origin: Annotated[
        Origin | None,
        "where REPLICATION is last written, else the CREATE ROLE; null if neither; absent if config-only",
    ]
    row_security_off: Annotated[bool, "ALTER ROLE ... SET row_security = off (or false/0) is in force for it"]
    row_security_origin: Annotated[Origin | None, "where its row_security setting is written; null when it has none"]
    storage_reasons: Annotated[list[str], "which configs use it as the PowerSync storage user; empty if none"]
    superuser: Annotated[bool, "it has the SUPERUSER attribute itself in the final state"]
    superuser_origin: Annotated[
        Origin | None,
        "where SUPERUSER is last written, else the CREATE ROLE; null if neither; absent if config-only",
    ]
    superuser_path: Annotated[
        list[str],
        "shortest membership chain from it to a superuser-equivalent role (itself first); empty if none",
    ]
    superuser_reason: Annotated[
        str,
        "why the end of superuser_path is superuser-equivalent (e.g. SUPERUSER attribute); empty if none",
    ]
    superuser_via_origin: Annotated[
        Origin | None,
        "where the first membership of superuser_path is granted; null when it cannot become superuser",
    ]


class PublicationItem(TypedDict):
    """one publication in the replayed final state (created in the SQL, or only altered there)"""

    all_tables: Annotated[bool, "it is FOR ALL TABLES"]
    cdc_publications: Annotated[
        list[str],
        "sorted names of every publication some consumer streams (same list on every item)",
    ]
    consumers: Annotated[
        list[str],
        "the consumers that stream it (PowerSync, a subscription, Debezium, Drasi); empty if none",
    ]
    declared: Annotated[
        bool,
        "a CREATE PUBLICATION in the SQL creates it; false when only altered (e.g. supabase_realtime)",
    ]
    exposed_tables: Annotated[list[str], "sorted tables it carries that no CDC publication carries"]
    is_cdc_publication: Annotated[bool, "some known consumer streams it (or it is named powersync)"]
    key: Annotated[str, '"publication:" + name; unique because publication names are unique']
    missing_ops: Annotated[list[str], "operations among insert, update, delete, truncate that it does not publish"]
    name: Annotated[str, "the publication name, after any RENAME"]
    origin: Annotated[Origin, "where it is created; for an undeclared publication, its first ALTER PUBLICATION"]
    publish: Annotated[list[str], "operations it publishes (sorted; all four by default)"]
    publish_origin: Annotated[Origin, "where the publish option was last set, else origin"]
    replication_logins: Annotated[
        list[str],
        "sorted names of every CDC role (same on every item); any of them can stream it",
    ]
    schemas: Annotated[list[str], "sorted schemas of its FOR TABLES IN SCHEMA; empty if none"]
    suggested_tables: Annotated[
        list[str],
        "tables to name instead: for a wide one, carried tables the sync rules read; else its tables",
    ]
    tables: Annotated[
        list[str],
        "sorted tables it carries: those named, plus SQL-created tables of ALL TABLES or its schemas",
    ]
    via_root: Annotated[bool, "publish_via_partition_root is on"]
    via_root_origin: Annotated[Origin, "where publish_via_partition_root was last set, else origin"]
    wide_origin: Annotated[
        Origin | None,
        "where FOR ALL TABLES or (one) TABLES IN SCHEMA is written; null when it names tables only",
    ]


class ConnectionFacts(TypedDict):
    """What later stages of the model learn about a connection (its role, publication, storage user, live
    identity); every constructor of a connection starts from `connection_facts()`."""

    admin_login: Annotated[
        bool,
        "true when the user is superuser-equivalent or a known admin login (postgres, Neon owner)",
    ]
    admin_reason: Annotated[str, "why the login counts as an admin login; empty when admin_login is false"]
    observed_display: Annotated[str, "the redacted live target --live probed for this connection; absent without it"]
    observed_identity: Annotated[
        str | None,
        "the server identity --live saw (system identifier or start time); absent without it",
    ]
    powersync_publication: Annotated[
        PublicationItem | None,
        "for a PowerSync Postgres source, publication powersync; null when missing or n/a",
    ]
    publication_dropped_origin: Annotated[
        Origin | None,
        "where migrations drop publication powersync (PowerSync pg sources); else null",
    ]
    publication_renamed_origin: Annotated[
        Origin | None,
        "where migrations rename publication powersync (PowerSync pg sources); else null",
    ]
    publication_renamed_to: Annotated[
        str | None,
        "the new name publication powersync is renamed to; null when not renamed",
    ]
    same_as_storage_user: Annotated[
        bool,
        "true when a PowerSync source logs in as its config's storage user (same engine)",
    ]
    storage_user_origin: Annotated[
        Origin | None,
        "where the storage connection's user is written when same_as_storage_user; else null",
    ]
    user_case_mismatch: Annotated[
        str | None,
        "the lower-cased user when only that folded name is a defined role; else null",
    ]


class ConnectionItem(ConnectionFacts):
    """A database connection a consumer opens: PowerSync, subscription, Debezium, Drasi or Neosync"""

    cacert: Annotated[bool, "true when a CA certificate is configured (cacert, sslrootcert or a root certificate)"]
    client: Annotated[str, "the consumer: powersync, libpq (a subscription), debezium, drasi or neosync"]
    config: Annotated[str, "the file the connection is written in (PowerSync config, migration, connector file)"]
    database: Annotated[str | None, "the database name from the fields or the URI; null when not given or unresolved"]
    debug_api: Annotated[bool, "true when a PowerSync connection sets debug_api: true; false for other clients"]
    endpoints: Annotated[
        list[str] | None,
        "canonical host:port (or supabase:<ref>) per host; a one-label host gets @<compose folder>/; null: unknown",
    ]
    engine: Annotated[str, "the database engine: postgresql, mongodb, another PowerSync type, or unknown when unset"]
    host: Annotated[
        str | None,
        "the first host name; empty for a default Unix socket; null when unknown (unresolved !env)",
    ]
    host_class: Annotated[str, "loopback, private, socket, public, or unknown when there is no usable host name"]
    identity_env: Annotated[
        str | None,
        "the unresolved !env variable or reference the server comes from; null otherwise",
    ]
    key: Annotated[str, "client prefix plus config and entry (e.g. subscription:<name>): unique per connection"]
    origin: Annotated[Origin, "where the connection is written (the entry, connector, or CONNECTION string)"]
    path: Annotated[str, 'how messages name the connection, e.g. "PowerSync\'s replication connection"']
    port: Annotated[
        int | None,
        "the first host's port, defaulted per engine; null only for PowerSync when no host is known",
    ]
    post_images: Annotated[
        str | None,
        "PowerSync MongoDB post_images value; null when unset, not a string, or not PowerSync",
    ]
    post_images_explicit: Annotated[bool, "true when a PowerSync connection writes post_images"]
    post_images_origin: Annotated[
        Origin | None,
        "where post_images is written, else the connection; null for non-PowerSync clients",
    ]
    provider: Annotated[
        str | None,
        "the managed provider from the host name (rds, azure, supabase, neon, ...); null when none",
    ]
    purpose: Annotated[str, "source or storage (PowerSync), subscription, cdc (Debezium, Drasi) or sync (Neosync)"]
    resolved_from: Annotated[
        str | None,
        "the .env file the !env URI or urlFromEnv value was read from; null when not resolved",
    ]
    role: Annotated[
        RoleItem | None,
        "the roles item for the user (a placeholder if referenced only); null without one or no SQL",
    ]
    role_defined: Annotated[bool, "true when the migrations create the role the connection logs in as"]
    row_security_option: Annotated[
        str,
        "off when it passes row_security=off, unencoded when libpq rejects it, else none",
    ]
    server_known: Annotated[bool, "true when the server can be identified (endpoints or host known)"]
    server_name: Annotated[
        str | None,
        "the TLS server name (Neosync clientTls.serverName); null when unset; Drasi/Neosync only",
    ]
    slot_name_prefix: Annotated[str, "PowerSync's replication slot name prefix (default powersync_); empty for others"]
    sslmode: Annotated[
        str | None,
        "effective sslmode (PowerSync default verify-full, others prefer); null for an !env value",
    ]
    sslmode_env: Annotated[bool, "true when PowerSync's sslmode is written as !env; false for other clients"]
    sslmode_explicit: Annotated[bool, "true when sslmode is written (Drasi: false when it is not passed to the stream)"]
    sslmode_key: Annotated[str, "the sslmode setting's name as the client spells it, for messages; absent on PowerSync"]
    sslmode_origin: Annotated[Origin, "where sslmode is written; the URL or the connection when it is not"]
    tls_driver: Annotated[str, "the TLS client named in messages (libpq, JDBC driver, pgx); absent on PowerSync"]
    tls_fix: Annotated[str, "the client-specific advice for stronger TLS, for messages; absent on PowerSync"]
    tls_subject: Annotated[str, "how TLS messages name the connection (defaults to path); absent on PowerSync"]
    uri_errors: Annotated[list[str], "problems found parsing the URI or conninfo string; empty when none or no URI"]
    uri_options: Annotated[str | None, "the options parameter of the URI or CONNECTION string; null when absent"]
    uri_origin: Annotated[
        Origin | None,
        "where the URI is written (the connection for non-PowerSync); null when PowerSync has none",
    ]
    uri_sslmode: Annotated[
        str | None,
        "sslmode written in a PowerSync URI, which PowerSync ignores; null when absent or not PowerSync",
    ]
    user: Annotated[str | None, "the login user name as written; null when unset or unresolved"]
    user_env: Annotated[str | None, "the unresolved !env variable of PowerSync's username; null when the user is known"]
    user_origin: Annotated[
        Origin | None,
        "where the user name is written (username key or URI); null when PowerSync has neither",
    ]


class PairItem(TypedDict):
    """A PowerSync storage connection paired with a source connection of the same config and engine"""

    engine: Annotated[str, "the engine both connections use (postgresql or mongodb)"]
    how: Annotated[str, "the evidence behind same_server, for messages (shared endpoint, same !env variable, ...)"]
    key: Annotated[str, "pair:<config>:<source path>; unique per config (sources of one config share a path)"]
    origin: Annotated[Origin, "where the storage connection is written"]
    same_database: Annotated[bool, "true when both name the same (non-null) database"]
    same_server: Annotated[str, "yes, no, maybe (localhost vs host.docker.internal) or unknown (unresolved !env)"]
    source: Annotated[ConnectionItem, "the replication source connection item"]
    source_origin: Annotated[Origin, "where the source connection is written"]
    storage: Annotated[ConnectionItem, "the bucket storage connection item"]


class GrantItem(TypedDict):
    """one way a role has superuser power in the final state: its SUPERUSER attribute or a membership chain"""

    is_cdc: Annotated[bool, "the role is a CDC (replication) role"]
    is_storage: Annotated[bool, "the role is a PowerSync storage user"]
    key: Annotated[
        str,
        "superuser:<role> for the attribute, superuser-membership:<role>:<target> for a membership chain",
    ]
    kind: Annotated[
        str,
        "attribute (it has SUPERUSER itself) or membership (it can SET ROLE into a superuser-equivalent role)",
    ]
    origin: Annotated[
        Origin,
        "where SUPERUSER is written (attribute), or where the first membership of the chain is granted",
    ]
    path: Annotated[list[str], "the role, then each group of the chain up to target; just [role] for kind attribute"]
    reason: Annotated[
        str,
        "why the end of path is superuser-equivalent (SUPERUSER attribute, provider admin, OS-access role)",
    ]
    role: Annotated[str, "the role that holds the power"]
    target: Annotated[str, "the superuser-equivalent role the chain reaches; absent for kind attribute"]
    via: Annotated[str, "the group granted directly to role (second element of path); empty for kind attribute"]


class PrivilegeItem(TypedDict):
    """what one statement grants one grantee: object or default privileges, a membership or an attribute"""

    all_schemas: Annotated[
        bool,
        "an ALTER DEFAULT PRIVILEGES without IN SCHEMA (every schema); false for all other items",
    ]
    default_objtype: Annotated[
        str | None,
        "object type ALTER DEFAULT PRIVILEGES covers (table, sequence, schema...); null for other items",
    ]
    expanded: Annotated[
        bool,
        "a per-table copy of an ON ALL TABLES / default-privileges statement; the wide item stands for it",
    ]
    for_role: Annotated[
        str | None,
        "the FOR ROLE of an ALTER DEFAULT PRIVILEGES; null for the migration user or for other item kinds",
    ]
    inherited_by_cdc: Annotated[
        list[str],
        "CDC roles that inherit these privileges through INHERIT memberships; empty for attributes",
    ]
    inherited_by_storage: Annotated[
        list[str],
        "storage roles that inherit these privileges through INHERIT memberships; empty for attributes",
    ]
    key: Annotated[str, "privilege:<role>:<objtype>:<objects>:<sorted privileges>; two identical grants share one"]
    objects: Annotated[
        list[str],
        "sorted objects: qualified tables/sequences, schemas, databases, the granted role; [] for attributes",
    ]
    objtype: Annotated[
        str,
        "table, schema, database, sequence, function..., schema_all, default_privileges, role or attribute",
    ]
    origin: Annotated[
        Origin,
        "where it is granted: the GRANT, ALTER DEFAULT PRIVILEGES, or CREATE/ALTER ROLE for an attribute",
    ]
    privileges: Annotated[
        list[str],
        "privileges granted (ALL expanded); [MEMBER] for a membership; the attribute name upper-cased",
    ]
    role: Annotated[str, "the grantee (member for a membership, the role itself for an attribute); may be public"]
    role_is_cdc: Annotated[bool, "the grantee itself is a CDC (replication) role"]
    role_creates_publications: Annotated[
        bool, "a Debezium connector logs in as the grantee with publication.autocreate.mode = filtered"
    ]
    role_replication_unused: Annotated[
        bool, "a CDC role by its REPLICATION attribute alone, in a project with no consumer and no publication"
    ]
    role_is_storage: Annotated[bool, "the grantee itself is a PowerSync storage user"]
    schemas: Annotated[
        list[str],
        "sorted schema part of each object for table/sequence items; otherwise the object names themselves",
    ]


class TableItem(TypedDict):
    """one table the SQL creates, in the replayed final state"""

    forced_rls: Annotated[bool, "FORCE ROW LEVEL SECURITY is in force (owners are subject to its policies too)"]
    has_pk: Annotated[
        bool,
        "it has a primary key (own or its partition parent's); false once its constraint or a column of it is dropped",
    ]
    identity_changed_while_published: Annotated[
        Origin | None,
        "the last ALTER TABLE ... REPLICA IDENTITY run while it was in a publication; null if none",
    ]
    in_sync: Annotated[bool, "the PowerSync sync rules read it (a Postgres sync table, wildcards included, matches it)"]
    key: Annotated[str, '"table:" + name; unique because qualified table names are unique']
    name: Annotated[str, "schema-qualified table name (schema.table), after any RENAME"]
    origin: Annotated[Origin, "where the table is created (CREATE TABLE)"]
    owned_by_cdc: Annotated[
        str | None,
        "the CDC role that owns it directly or through a group it belongs to; null otherwise",
    ]
    owner: Annotated[
        str | None,
        "its owner: the OWNER TO role, else the SET ROLE in force at CREATE; null means the migration user",
    ]
    owner_origin: Annotated[Origin, "where the owner is set: the last ALTER TABLE ... OWNER TO, else the CREATE TABLE"]
    policies: Annotated[list[str], "names of the CREATE POLICY statements on it, in order; empty if none"]
    policy_origin: Annotated[Origin | None, "where the first CREATE POLICY on it is written; null when there is none"]
    publications: Annotated[list[str], "sorted names of the publications that carry it; empty if none"]
    replica_identity: Annotated[
        str,
        "replica identity: d (default), n (nothing), f (full) or i (index); d when never altered",
    ]
    replica_identity_origin: Annotated[
        Origin | None,
        "where the last ALTER TABLE ... REPLICA IDENTITY is written; null when never altered",
    ]
    replicated: Annotated[bool, "some publication carries it or the sync rules read it"]
    rls: Annotated[
        bool,
        "RLS is enabled: the last ENABLE/DISABLE ROW LEVEL SECURITY (a CREATE POLICY alone enables nothing)",
    ]
    rls_origin: Annotated[
        Origin,
        "where RLS was last enabled/disabled, else the CREATE TABLE",
    ]
    schema: Annotated[str, "the schema part of name"]


class PublishedItem(TypedDict):
    """one table one publication carries in the final state (a publication-table pair)"""

    has_pk: Annotated[bool, "the table has a primary key (own or its partition parent's)"]
    identity_changed_while_published: Annotated[
        Origin | None,
        "the last ALTER TABLE ... REPLICA IDENTITY run while it was in a publication; null if none",
    ]
    key: Annotated[str, "published:<publication>:<table>; unique per publication-table pair"]
    origin: Annotated[
        Origin,
        "where REPLICA IDENTITY NOTHING is set when identity is n, else where the table is created",
    ]
    pk_dropped_origin: Annotated[
        Origin | None,
        "the ALTER TABLE ... DROP CONSTRAINT <table>_pkey that removed its primary key; null if none",
    ]
    publication: Annotated[str, "name of the publication"]
    publication_origin: Annotated[
        Origin,
        "where the table enters the publication: FOR TABLE, ADD TABLE, FOR ALL TABLES or TABLES IN SCHEMA",
    ]
    publish: Annotated[
        list[str],
        "operations the publication publishes (sorted; all of insert, update, delete, truncate by default)",
    ]
    publishes_update_delete: Annotated[
        bool,
        "the publication publishes update or delete (which need a replica identity)",
    ]
    replica_identity: Annotated[
        str,
        "the table's replica identity: d (default), n (nothing), f (full) or i (index); d if never altered",
    ]
    replica_identity_origin: Annotated[
        Origin | None,
        "where the last ALTER TABLE ... REPLICA IDENTITY is written; null when never altered",
    ]
    table: Annotated[str, "schema-qualified table name"]
    table_origin: Annotated[Origin, "where the table is created (CREATE TABLE)"]
    row_filter: Annotated[bool, "the table is published with a row filter (FOR TABLE t WHERE (...), PostgreSQL 15+)"]
    columns: Annotated[
        list[str] | None, "the column list it is published with (FOR TABLE t (a, b), PostgreSQL 15+); null: all"
    ]
    partial_origin: Annotated[
        Origin | None, "the statement that gives the row filter or column list; null when the table is whole"
    ]
    snapshot_consumers: Annotated[
        list[str],
        "consumers of the publication whose snapshot is their own SELECT (PowerSync, Debezium), not a filtered copy",
    ]


class SubscriptionItem(TypedDict):
    """one subscription (CREATE SUBSCRIPTION) in the replayed final state"""

    key: Annotated[str, '"subscription:" + name; unique because subscription names are unique']
    name: Annotated[str, "the subscription name"]
    origin: Annotated[Origin, "where the subscription is created (CREATE SUBSCRIPTION)"]
    password_required: Annotated[bool, "password_required option, true (PostgreSQL's default) when never set"]
    password_required_origin: Annotated[
        Origin,
        "where password_required is written; the CREATE SUBSCRIPTION when left at its default",
    ]
    publications: Annotated[
        list[str],
        "publication names it subscribes to (after any ALTER SUBSCRIPTION ... SET PUBLICATION)",
    ]
    run_as_owner: Annotated[bool, "run_as_owner option, false (PostgreSQL's default) when never set"]
    run_as_owner_origin: Annotated[
        Origin,
        "where run_as_owner is written; the CREATE SUBSCRIPTION when left at its default",
    ]
    slot_name: Annotated[str, "the slot_name option as written, else the subscription name (PostgreSQL's default)"]
    user: Annotated[
        str | None,
        "the user in its CONNECTION string (after ALTER ... CONNECTION); null when the string names none",
    ]


class SyncTableItem(TypedDict):
    """One table (or name pattern) a sync-rules query reads, per query that reads it"""

    config: Annotated[
        str,
        "path of the PowerSync config the sync rules belong to; empty for a standalone sync-rules file",
    ]
    definition: Annotated[
        str,
        "which definition reads it, e.g. streams.todos.query or bucket_definitions.by_user.data[0]",
    ]
    engine: Annotated[str, "type of the config's replication connection (postgresql, mongodb, ...); postgresql if none"]
    key: Annotated[str, "sync:<schema>.<name>, with % for a name wildcard; repeats when several queries read one table"]
    name: Annotated[str, "table or collection name, case-folded; for a wildcard, the prefix without the trailing %"]
    origin: Annotated[Origin, "where the table is named inside the query text (best effort)"]
    qualified: Annotated[str, "<schema>.<name>, the name as publications list it (without any % of a wildcard)"]
    schema: Annotated[str, "schema (database for MongoDB), default applied when unqualified; a wildcard's prefix"]
    schema_wildcard: Annotated[bool, "the schema part ended with %, so it matches every schema starting with schema"]
    wildcard: Annotated[bool, "the table name ended with %, so it matches every table whose name starts with name"]


class CoverageItem(TypedDict):
    """A mismatch between publication powersync and the PostgreSQL tables the sync rules read"""

    key: Annotated[str, "coverage:<kind>:<table>; one per missing sync table, one unused item per project"]
    kind: Annotated[str, "missing (a synced table the publication lacks) or unused (published tables nothing reads)"]
    origin: Annotated[
        Origin,
        "where the sync rules name the missing table, or where the first unused table is published",
    ]
    publication: Annotated[str, "the publication judged; always powersync"]
    publication_origin: Annotated[Origin, "where publication powersync is created"]
    removed_origin: Annotated[
        Origin | None,
        "where a migration takes the missing table out of the publication; null if never",
    ]
    table: Annotated[str, "the missing sync table (qualified, a wildcard's prefix), or the first unused table"]
    tables: Annotated[list[str], "every table the item concerns: the one missing table, or all unused published tables"]
    tables_shown: Annotated[str, 'tables as a message names them: the first five, then "and N more"']
    wildcard: Annotated[bool, "the missing sync table is a name-prefix pattern; always false for unused"]


class DefinitionItem(TypedDict):
    """One bucket definition, sync stream or event definition in a set of sync rules"""

    accept_dangerous: Annotated[bool, "sets accept_potentially_dangerous_queries: true (or tags a query with it)"]
    key: Annotated[str, "syncdef:<sync-rules path>:<kind>:<name>"]
    kind: Annotated[str, "bucket, stream or event"]
    name: Annotated[str, "the definition's name (its key in the sync rules)"]
    origin: Annotated[Origin, "where accept_potentially_dangerous_queries is written, else the definition's key"]


class ExposureItem(TypedDict):
    """A consumer login that row-level security may filter on replicated tables (per connection, owner)"""

    bypassrls: Annotated[bool, "the login role has BYPASSRLS (per the migrations, or as observed live)"]
    client: Annotated[str, "consumer type: powersync, or libpq for a subscription or a live connection"]
    config: Annotated[
        str | None,
        "file the connection is configured in; null for a live check given only on the command line",
    ]
    connection: Annotated[str, 'how messages name the connection, e.g. "subscription orders_sub"']
    connection_origin: Annotated[Origin, "where the connection (its URI or CONNECTION string) is written"]
    key: Annotated[str, "rls:<connection key>:<first table> statically; rls-live:<target>:<server>:<table> when live"]
    observed: Annotated[str, '" (observed on the live server ...)" for a live item; empty for one from the files']
    origin: Annotated[Origin, "where row security is enabled on the first table (or its first policy, or its CREATE)"]
    owner: Annotated[bool, "the login owns the tables and they lack FORCE ROW LEVEL SECURITY, so RLS does not apply"]
    role: Annotated[str, "the login the connection uses"]
    role_defined: Annotated[bool, "the migrations create the role (always true when observed live)"]
    role_origin: Annotated[
        Origin | None,
        "where the role is created; null when no migration creates it or the item is live",
    ]
    role_row_security_off: Annotated[bool, "the role has a role-level row_security = off setting (fails closed)"]
    row_security_option: Annotated[
        str,
        "off if the connection string sets row_security=off, unencoded if libpq rejects it, else none",
    ]
    superuser: Annotated[bool, "the login role is SUPERUSER"]
    table: Annotated[str, "the first replicated table with row security (schema.table)"]
    tables: Annotated[list[str], "every replicated table with row security this item groups, first one = table"]
    tables_shown: Annotated[str, 'tables as a message names them: the first five, then "and N more"']
    uri_options: Annotated[str | None, "the raw options= parameter of the connection URI; null when it has none"]


class AccessItem(TypedDict):
    """one table a CDC login (of a Postgres source connection or a subscription) must read, and if it can"""

    all_tables_grant_origin: Annotated[
        Origin | None,
        "a GRANT SELECT ON ALL TABLES IN the table's schema to it or a role it inherits; null if none",
    ]
    can_select: Annotated[
        bool,
        "it can SELECT the table: own/inherited/PUBLIC grant, pg_read_all_data, ownership or SUPERUSER",
    ]
    default_grant_after_table: Annotated[
        bool,
        "the default grant below would match the table's creator, so it only ran too late",
    ]
    default_grant_for_role: Annotated[
        str | None,
        "FOR ROLE of that ALTER DEFAULT PRIVILEGES; null for the migration user or when none",
    ]
    default_grant_origin: Annotated[
        Origin | None,
        "an ALTER DEFAULT PRIVILEGES giving it (or a role it inherits) SELECT on such tables; null if none",
    ]
    key: Annotated[str, "access:<role>:<table>; unique per login and table"]
    needed_because: Annotated[
        str,
        "why the login must read it: in publication powersync, the sync rules read it, or a subscription",
    ]
    origin: Annotated[Origin, "where the table is created (CREATE TABLE)"]
    role: Annotated[str, "the CDC login (a role the SQL creates)"]
    role_origin: Annotated[Origin, "where the login is created (CREATE ROLE)"]
    schema: Annotated[str, "the table's schema"]
    schema_usage: Annotated[
        bool,
        "it has USAGE on the table's schema (implicit for public; also pg_read_all_data, owner, SUPERUSER)",
    ]
    select_revoked_origin: Annotated[
        Origin | None,
        "the REVOKE that last removed SELECT on the table from it or a role it inherits; null if none",
    ]
    table: Annotated[str, "schema-qualified table name"]
    table_creator: Annotated[
        str | None,
        "the role in force (SET ROLE) when the table was created; null means the migration user",
    ]
    usage_revoked_origin: Annotated[
        Origin | None,
        "the REVOKE that last removed USAGE on the schema from it or a role it inherits; null if none",
    ]


class CollisionItem(TypedDict):
    """Two replication consumers clashing on a slot name, PowerSync's slot prefix or its publication"""

    first: Annotated[str, 'the consumer that holds it first: "subscription a", a connector or source, or PowerSync']
    key: Annotated[str, "slot:<slot>:<server>, slot-prefix:<slot> or publication-powersync:<second consumer>"]
    kind: Annotated[str, "duplicate, powersync-prefix or publication-powersync"]
    origin: Annotated[Origin, "where the second consumer names its slot or publication (a subscription: its CREATE)"]
    other_origin: Annotated[Origin, "where the first consumer names its slot, or PowerSync's replication connection"]
    second: Annotated[str, "the consumer that clashes with first (a subscription, Debezium connector or Drasi source)"]
    slot: Annotated[str, "the second consumer's replication slot name"]
    slot_default: Annotated[
        bool,
        "Debezium/Drasi duplicates only: the slot name is not set explicitly (always true for Drasi)",
    ]
    slot_key: Annotated[str, "setting that names it: slot_name (subscription), slot.name or publication.name"]
    subscription: Annotated[
        str | None,
        "name of the clashing SQL subscription; null for Debezium connectors and Drasi sources",
    ]


class SettingItem(TypedDict):
    """One server setting in force: from a postgresql.conf (with includes) or an ALTER SYSTEM"""

    key: Annotated[str, "setting:<conf path>:<name> for a file, setting:<name> for ALTER SYSTEM"]
    name: Annotated[str, "the setting's name, lower case"]
    origin: Annotated[Origin, "where the assignment (or the ALTER SYSTEM statement) is written"]
    source: Annotated[str, "the file it is read from (the top file or an included one), or ALTER SYSTEM"]
    value: Annotated[str, "the value as PostgreSQL reads it, with passwords masked (all of it under a secret name)"]


class ServerItem(TypedDict):
    """One PostgreSQL server configuration: a conf file (+ auto.conf), ALTER SYSTEMs, or a live server"""

    complete: Annotated[bool, "a whole postgresql.conf (or a live server): unset settings take PostgreSQL's default"]
    consumer_origin: Annotated[
        Origin | None,
        "where the first replication consumer's connection is written; null with none",
    ]
    consumers: Annotated[list[str], 'each consumer with its slot demand, e.g. "PowerSync (config.yaml): 2"']
    idle_replication_slot_timeout_explicit: Annotated[
        bool,
        "idle_replication_slot_timeout is set in a file, an ALTER SYSTEM or on the live server",
    ]
    idle_replication_slot_timeout_origin: Annotated[
        Origin,
        "where idle_replication_slot_timeout is written; the item's origin when unset",
    ]
    idle_replication_slot_timeout_phrase: Annotated[
        str,
        "message text for idle_replication_slot_timeout: where its value is set, or that the default applies",
    ]
    idle_replication_slot_timeout_raw: Annotated[
        str | None,
        "idle_replication_slot_timeout as written (default in a complete file); null if unset in a fragment",
    ]
    idle_replication_slot_timeout_s: Annotated[
        int | None,
        "idle_replication_slot_timeout in seconds, 0 = off; null when unknown",
    ]
    idle_replication_slot_timeout_source: Annotated[
        str | None,
        "file idle_replication_slot_timeout is read from, ALTER SYSTEM, or the live server; null when unset",
    ]
    key: Annotated[str, "server-config:<conf or first migration path>; server-config:live:<server> when observed"]
    logical_decoding: Annotated[
        bool | None,
        "wal_level is logical or a provider switch is on; null when neither is known",
    ]
    max_replication_slots: Annotated[
        int | None,
        "max_replication_slots as an integer; null when unset in a fragment or unparsable",
    ]
    max_replication_slots_explicit: Annotated[
        bool,
        "max_replication_slots is set in a file, an ALTER SYSTEM or on the live server",
    ]
    max_replication_slots_origin: Annotated[
        Origin,
        "where max_replication_slots is written; the item's origin when unset",
    ]
    max_replication_slots_phrase: Annotated[
        str,
        "message text for max_replication_slots: where its value is set, or that the default applies",
    ]
    max_replication_slots_raw: Annotated[
        str | None,
        "max_replication_slots as written (default in a complete file); null if unset in a fragment",
    ]
    max_replication_slots_source: Annotated[
        str | None,
        "file max_replication_slots is read from, ALTER SYSTEM, or the live server; null when unset",
    ]
    max_slot_wal_keep_size_explicit: Annotated[
        bool,
        "max_slot_wal_keep_size is set in a file, an ALTER SYSTEM or on the live server",
    ]
    max_slot_wal_keep_size_mb: Annotated[
        int | None,
        "max_slot_wal_keep_size in MB, -1 for unlimited; null when unknown",
    ]
    max_slot_wal_keep_size_origin: Annotated[
        Origin,
        "where max_slot_wal_keep_size is written; the item's origin when unset",
    ]
    max_slot_wal_keep_size_phrase: Annotated[
        str,
        "message text for max_slot_wal_keep_size: where its value is set, or that the default applies",
    ]
    max_slot_wal_keep_size_raw: Annotated[
        str | None,
        "max_slot_wal_keep_size as written (default in a complete file); null if unset in a fragment",
    ]
    max_slot_wal_keep_size_source: Annotated[
        str | None,
        "file max_slot_wal_keep_size is read from, ALTER SYSTEM, or the live server; null when unset",
    ]
    max_wal_senders: Annotated[int | None, "max_wal_senders as an integer; null when unset in a fragment or unparsable"]
    max_wal_senders_explicit: Annotated[bool, "max_wal_senders is set in a file, an ALTER SYSTEM or on the live server"]
    max_wal_senders_origin: Annotated[Origin, "where max_wal_senders is written; the item's origin when unset"]
    max_wal_senders_phrase: Annotated[
        str,
        "message text for max_wal_senders: where its value is set, or that the default applies",
    ]
    max_wal_senders_raw: Annotated[
        str | None,
        "max_wal_senders as written (default in a complete file); null if unset in a fragment",
    ]
    max_wal_senders_source: Annotated[
        str | None,
        "file max_wal_senders is read from, ALTER SYSTEM, or the live server; null when unset",
    ]
    observed: Annotated[bool, "true for a live server's pg_settings (check --live); items from files lack the field"]
    origin: Annotated[Origin, "line 1 of the conf file, the first ALTER SYSTEM statement, or the live connection"]
    path: Annotated[
        str,
        'how messages name the configuration, e.g. "pg/postgresql.conf (with pg/postgresql.auto.conf)"',
    ]
    provider: Annotated[
        str | None,
        "managed provider (rds, cloudsql, ...) the source connections agree on; null otherwise",
    ]
    provider_switch: Annotated[
        ProviderSwitch | None,
        "the provider's logical-decoding switch (e.g. rds.logical_replication) if set",
    ]
    senders_needed: Annotated[int, "WAL senders the project's consumers can use at once (PowerSync counts 2)"]
    slots_needed: Annotated[int, "replication slots the project's consumers need (PowerSync counts 2, others 1)"]
    ssl: Annotated[bool | None, "ssl as a boolean; null when unset in a fragment or unparsable"]
    ssl_explicit: Annotated[bool, "ssl is set in a file, an ALTER SYSTEM or on the live server"]
    ssl_origin: Annotated[Origin, "where ssl is written; the item's origin when unset"]
    ssl_phrase: Annotated[str, "message text for ssl: where its value is set, or that the default applies"]
    ssl_raw: Annotated[str | None, "ssl as written (default in a complete file); null if unset in a fragment"]
    ssl_source: Annotated[str | None, "file ssl is read from, ALTER SYSTEM, or the live server; null when unset"]
    wal_keep_size_explicit: Annotated[bool, "wal_keep_size is set in a file, an ALTER SYSTEM or on the live server"]
    wal_keep_size_mb: Annotated[int | None, "wal_keep_size (WAL kept for standbys) in MB; null when unknown"]
    wal_keep_size_origin: Annotated[Origin, "where wal_keep_size is written; the item's origin when unset"]
    wal_keep_size_phrase: Annotated[
        str,
        "message text for wal_keep_size: where its value is set, or that the default applies",
    ]
    wal_keep_size_raw: Annotated[
        str | None,
        "wal_keep_size as written (default in a complete file); null if unset in a fragment",
    ]
    wal_keep_size_source: Annotated[
        str | None,
        "file wal_keep_size is read from, ALTER SYSTEM, or the live server; null when unset",
    ]
    wal_level: Annotated[str | None, "wal_level in lower case; null when unset in a fragment"]
    wal_level_explicit: Annotated[bool, "wal_level is set in a file, an ALTER SYSTEM or on the live server"]
    wal_level_origin: Annotated[Origin, "where wal_level is written; the item's origin when unset"]
    wal_level_phrase: Annotated[str, "message text for wal_level: where its value is set, or that the default applies"]
    wal_level_raw: Annotated[
        str | None,
        "wal_level as written (default in a complete file); null if unset in a fragment",
    ]
    wal_level_source: Annotated[
        str | None,
        "file wal_level is read from, ALTER SYSTEM, or the live server; null when unset",
    ]


class RecordItem(TypedDict):
    """One pg_hba.conf line, with the replication and storage logins its user field can match"""

    address: Annotated[str | None, "the address field (CIDR, hostname, all, samehost, ...); null on a local line"]
    address_origin: Annotated[Origin, "where the address is written; the whole line when it has none"]
    all_users: Annotated[bool, "the user field has the keyword all"]
    cdc_subjects: Annotated[list[str], "the CDC logins among subject_names"]
    conn_type: Annotated[str, "local, host, hostssl, hostnossl, hostgssenc or hostnogssenc"]
    databases: Annotated[list[str], "the database field's entries (quoted ones kept in quotes, @files expanded)"]
    file: Annotated[str, "the top pg_hba.conf file the line is read from (with its includes)"]
    key: Annotated[str, "hba:<file>:<type> <databases> <users> <address> <method>; identical lines share it"]
    loopback: Annotated[bool, "the address is samehost or a loopback network"]
    method: Annotated[str, "the authentication method, lower case (ident on a local line recorded as peer)"]
    method_origin: Annotated[Origin, "where the method is written"]
    open_network: Annotated[bool, "the address is all or a /0 network: any client address"]
    options: Annotated[dict[str, str], "the method's name=value options"]
    origin: Annotated[Origin, "where the whole line is written"]
    physical: Annotated[bool, "the database field has the replication keyword, so it admits physical replication"]
    plaintext_allowed: Annotated[bool, "a host or hostnossl line: connections without TLS can match"]
    replication_only: Annotated[bool, "every database entry is the replication keyword (no logical connection matches)"]
    server_ssl_off: Annotated[
        SslOff | None,
        "the first server config with ssl off (path, origin, explicit), same on every line; null if none",
    ]
    ssl_only: Annotated[bool, "a hostssl line: only TLS connections match"]
    subject_names: Annotated[list[str], "the names of subjects"]
    subjects: Annotated[
        list[HbaSubject],
        "CDC and storage logins the user field matches surely (yes) or possibly (maybe)",
    ]
    sure_logical_subjects: Annotated[list[str], "logins used only for logical decoding that the line surely matches"]
    tcp: Annotated[bool, "not a local line: it matches TCP/IP connections"]
    users: Annotated[list[str], "the user field's entries (quoted ones kept in quotes, @files expanded)"]


class HbaUserItem(TypedDict):
    """A logical-decoding CDC login in one pg_hba.conf file, with the non-reject lines that surely admit it"""

    file: Annotated[str, "the pg_hba.conf file"]
    key: Annotated[str, "hba-user:<file>:<user>"]
    origin: Annotated[Origin, "where the first line that admits the login is written"]
    others: Annotated[list[Origin], "where the other lines that admit the login are written"]
    records: Annotated[int, "how many non-reject lines surely match the login"]
    replication_only: Annotated[
        bool,
        "all those lines have only the replication keyword, which logical decoding never matches",
    ]
    user: Annotated[str, "the CDC login"]
    why: Annotated[str, 'why it counts as a CDC login, e.g. "the PowerSync replication user in config.yaml"']


class AdmissionItem(TypedDict):
    """A configured PostgreSQL connection simulated against one pg_hba.conf file's first-match rule"""

    connection: Annotated[ConnectionItem, "the connection item simulated"]
    database: Annotated[str, "the database it asks for; the user name (libpq's default) when none is configured"]
    database_known: Annotated[bool, "the connection names its database"]
    file: Annotated[str, "the pg_hba.conf file"]
    file_origin: Annotated[Origin, "line 1 of the pg_hba.conf file"]
    key: Annotated[str, "hba-admits:<file>:<connection key>"]
    logical: Annotated[bool, "a logical replication connection (source, subscription or CDC), matched on database name"]
    method: Annotated[str | None, "the deciding line's method; null when no line decides"]
    origin: Annotated[Origin, "where the connection's user is written (else the connection)"]
    record_origin: Annotated[
        Origin | None,
        "the deciding line (or the hostssl line for ssl-mismatch); null when none matches",
    ]
    result: Annotated[str, "admitted, maybe, reject, no-match, ssl-mismatch or replication-only"]
    ssl: Annotated[bool | None, "true if its sslmode requires TLS, false for disable, null when the server decides"]
    user: Annotated[str, "the login it connects as"]


class MongoUserItem(TypedDict):
    """a MongoDB user PowerSync logs in as (declared in setup scripts or observed live), privileges judged"""

    auth_db: Annotated[str, "database the user is created in (its authentication database); live: reported, else admin"]
    changestream_collection_only: Annotated[
        bool,
        "changeStream is missing database-wide but granted on single collections of source_db",
    ]
    checkpoint_missing: Annotated[
        list[str],
        "actions PowerSync needs on <source_db>._powersync_checkpoints that the user lacks",
    ]
    collections: Annotated[list[str], "names of the collections the sync config reads in source_db"]
    collmod: Annotated[bool, "the user holds collMod on source_db, one of its collections, or every database"]
    collmod_missing: Annotated[
        list[str],
        "synced collections the user cannot collMod; empty when collMod is granted database-wide",
    ]
    collmod_origin: Annotated[
        Origin,
        "where the collMod privilege is written; the user's origin when none; absent if db unknown",
    ]
    connection_origin: Annotated[
        Origin | None,
        "where the PowerSync MongoDB source connection is written; null when no config names one",
    ]
    dbadmin_origin: Annotated[
        Origin | None,
        "where dbAdmin or dbOwner on source_db is granted; null when the user has neither",
    ]
    key: Annotated[str, "mongo-user:<name>@<auth_db>, or mongo-user:live:<server> when observed live; unique per user"]
    known_db: Annotated[bool, "source_db is known; when false every privilege list is empty and nothing is judged"]
    missing: Annotated[list[str], "which of listCollections, find, changeStream the user lacks on source_db as a whole"]
    name: Annotated[str, "the MongoDB user name"]
    origin: Annotated[Origin, "where the user is created (createUser); the live connection's origin when observed"]
    post_images: Annotated[
        str | None,
        "post_images mode of the source connection; null when unset or no connection (live: off)",
    ]
    roles: Annotated[list[str], "roles granted directly to the user, each as role@db"]
    source_db: Annotated[
        str | None,
        "the source database PowerSync replicates; null when neither config nor sync rules say",
    ]
    superuser: Annotated[str | None, "why the user is superuser-class (the role or privilege); null when it is not"]
    superuser_origin: Annotated[
        Origin | None,
        "where the superuser-class role or privilege is written; null when the user is not one",
    ]
    why: Annotated[
        str,
        "the user named as messages show it, with why it is judged (e.g. the user PowerSync logs in as)",
    ]
    write_overgrants: Annotated[
        list[Overgrant],
        "write rights beyond _powersync_checkpoints, one per distinct grant; empty when none",
    ]


class CheckItem(TypedDict):
    """one mismatch between the MongoDB post_images mode and the user's privileges or collection options"""

    collection_origin: Annotated[
        Origin | None,
        "not-enabled only: where the setup creates the collection; null when it never does",
    ]
    collections: Annotated[list[str], "the collections concerned; empty for collmod-unneeded"]
    connection_origin: Annotated[Origin, "where the MongoDB source connection (its post_images) is written"]
    db: Annotated[str, "the source database"]
    declared: Annotated[
        bool,
        "not-enabled: the setup creates the collection; not-enabled-live: it exists on the server",
    ]
    display: Annotated[str, "not-enabled-live only: the live server (redacted URI) the collection was read from"]
    key: Annotated[str, "post-images:<user or db.collection>[:collmod|:unneeded] or post-images-live:<server>:<coll>"]
    kind: Annotated[str, "collmod-missing, not-enabled, not-enabled-live or collmod-unneeded"]
    mode: Annotated[str, "the post_images mode in effect; off when unset"]
    origin: Annotated[Origin, "where the finding points: the user, the synced collection, or the collMod/dbAdmin grant"]
    user: Annotated[str, "the MongoDB user name; empty when the live server reported none"]
    via_dbadmin: Annotated[bool, "collmod-unneeded only: the collMod comes through dbAdmin or dbOwner"]


class ConnectorItem(TypedDict):
    """one Debezium PostgreSQL connector's replication settings, defaults filled in"""

    connection: Annotated[ConnectionItem, "the connector's connections item (same map; its role is attached later)"]
    database_port: Annotated[str, "database.port as written (trimmed), 5432 when unset; may be a ${...} reference"]
    database_port_explicit: Annotated[bool, "database.port is set in the connector; false means the default applies"]
    database_port_origin: Annotated[Origin, "where database.port is written; the connector itself when unset"]
    database_sslmode: Annotated[str, "database.sslmode as written (trimmed, case kept), prefer when unset"]
    database_sslmode_explicit: Annotated[
        bool,
        "database.sslmode is set in the connector; false means the default prefer",
    ]
    database_sslmode_origin: Annotated[Origin, "where database.sslmode is written; the connector itself when unset"]
    flavor: Annotated[str, "file shape it came from: connect-json, connect-properties, debezium-server or strimzi"]
    heartbeat_action_origin: Annotated[Origin | None, "where heartbeat.action.query is written; null when it is unset"]
    heartbeat_action_query: Annotated[str | None, "heartbeat.action.query as written; null when unset"]
    heartbeat_interval_ms: Annotated[str, "heartbeat.interval.ms as written (trimmed), 0 when unset"]
    heartbeat_interval_ms_explicit: Annotated[
        bool,
        "heartbeat.interval.ms is set in the connector; false means default 0",
    ]
    heartbeat_interval_ms_origin: Annotated[
        Origin,
        "where heartbeat.interval.ms is written; the connector itself when unset",
    ]
    heartbeat_ms: Annotated[
        int | None,
        "heartbeat.interval.ms as a number (0 = no heartbeats); null when not a plain number",
    ]
    key: Annotated[str, "debezium:<file>:<connector name>; unique per connector"]
    name: Annotated[str, "the connector's declared name; the file name stem when none is declared"]
    origin: Annotated[Origin, "where the connector is written (its object, or the first line of a properties file)"]
    path: Annotated[str, "the file the connector is read from"]
    plugin_name: Annotated[str, "plugin.name lowercased, decoderbufs when unset"]
    plugin_name_explicit: Annotated[bool, "plugin.name is set in the connector; false means the default decoderbufs"]
    plugin_name_origin: Annotated[Origin, "where plugin.name is written; the connector itself when unset"]
    provider: Annotated[
        str | None,
        "managed service detected from the connection host (rds, cloudsql, ...); null when none",
    ]
    publication_autocreate_mode: Annotated[str, "publication.autocreate.mode lowercased, all_tables when unset"]
    publication_autocreate_mode_explicit: Annotated[
        bool,
        "publication.autocreate.mode is set; false means default all_tables",
    ]
    publication_autocreate_mode_origin: Annotated[
        Origin,
        "where publication.autocreate.mode is written; the connector if unset",
    ]
    publication_declared: Annotated[
        bool | None,
        "the migrations create publication_name; null when they manage no publications",
    ]
    publication_missing_tables: Annotated[
        list[str],
        "plain table.include.list tables (schema.table) the declared publication lacks",
    ]
    publication_name: Annotated[str, "publication.name as written (trimmed), dbz_publication when unset"]
    publication_name_explicit: Annotated[bool, "publication.name is set; false means the default dbz_publication"]
    publication_name_origin: Annotated[Origin, "where publication.name is written; the connector itself when unset"]
    publication_origin: Annotated[
        Origin | None,
        "where the migrations create the publication; null when they do not or it is unknown",
    ]
    slot_name: Annotated[str, "slot.name as written (trimmed), debezium when unset"]
    slot_name_explicit: Annotated[bool, "slot.name is set in the connector; false means the default debezium"]
    slot_name_origin: Annotated[Origin, "where slot.name is written; the connector itself when unset"]
    table_include_list: Annotated[
        list[str],
        "table.include.list entries (regexes as written); empty when unset, i.e. all tables",
    ]
    table_include_origin: Annotated[Origin, "where table.include.list is written; the connector itself when unset"]


class StatusItem(TypedDict):
    """a --live target that could not be probed, was unreachable, or had one check skipped"""

    check: Annotated[str, "skipped only: the check that could not run (e.g. role, publications, listCollections)"]
    display: Annotated[str, "the target's connection without password, or a description when there is none"]
    engine: Annotated[str, "the target's engine: postgresql or mongodb (others are reported as not-probed)"]
    key: Annotated[str, "live:<target>:<display>, plus :<check> for a skipped check; unique per target and check"]
    kind: Annotated[str, "not-probed, unreachable or skipped"]
    origin: Annotated[
        Origin,
        "where the config declares the connection; line 1 of the config (or command line) otherwise",
    ]
    reason: Annotated[str, "why: the probe problem, the connection error, or the failed check's error text"]
    target: Annotated[str, "which connection: source or storage"]


class LiveRoleItem(TypedDict):
    """the replication login of a live PostgreSQL source, as the server reports it"""

    admin_groups: Annotated[
        list[str],
        "provider admin roles the login is a member of (rds_superuser, azure_pg_admin, ...)",
    ]
    createdb: Annotated[bool, "the login has CREATEDB"]
    createrole: Annotated[bool, "the login has CREATEROLE"]
    display: Annotated[str, "the live server's connection without password"]
    key: Annotated[str, "live-role:<target>:<display>; unique per probed server"]
    name: Annotated[str, "the login's role name (current_user)"]
    origin: Annotated[
        Origin,
        "where the config declares the connection; line 1 of the config (or command line) otherwise",
    ]
    rds: Annotated[bool, "the matching PowerSync connection's host is AWS RDS / Aurora"]
    replication: Annotated[bool, "the login has REPLICATION or is a member of rds_replication"]
    superuser: Annotated[bool, "the login itself is a superuser"]
    superuser_groups: Annotated[list[str], "superuser roles the login is a member of, directly or indirectly"]
    target: Annotated[str, "which connection was probed; always source (only source logins are collected)"]


class LivePublicationItem(TypedDict):
    """the powersync publication on a live PostgreSQL source, checked against the synced tables"""

    absent_tables: Annotated[list[str], "synced tables the server does not have (or the login cannot see)"]
    all_tables: Annotated[bool, "the publication is FOR ALL TABLES; false when it does not exist"]
    display: Annotated[str, "the live server's connection without password"]
    exists: Annotated[bool, "a publication named powersync exists on the server"]
    key: Annotated[str, "live-publication:<display>; unique per probed server"]
    missing_ops: Annotated[
        list[str],
        "of insert, update, delete, truncate, those it does not publish; empty when it is absent",
    ]
    missing_tables: Annotated[list[str], "synced tables that exist but the publication lacks; empty when it is absent"]
    origin: Annotated[
        Origin,
        "where the config declares the connection; line 1 of the config (or command line) otherwise",
    ]
    via_root: Annotated[bool, "the publication has publish_via_partition_root; false when it does not exist"]


class SlotItem(TypedDict):
    """one replication slot on a live PostgreSQL source"""

    active: Annotated[bool, "a consumer is streaming from the slot now"]
    display: Annotated[str, "the live server's connection without password"]
    key: Annotated[str, "live-slot:<display>:<slot name>; unique per slot and server"]
    name: Annotated[str, "the slot name"]
    origin: Annotated[
        Origin,
        "where the config declares the connection; line 1 of the config (or command line) otherwise",
    ]
    plugin: Annotated[str | None, "the output plug-in (pgoutput, ...); null for physical slots"]
    retained_mb: Annotated[
        int,
        "WAL the slot holds back, in MB (from restart_lsn); 0 when unknown (standby, no restart_lsn)",
    ]
    type: Annotated[str, "slot type: logical or physical"]
    wal_status: Annotated[
        str | None,
        "wal_status: reserved, extended, unreserved or lost; null when the slot never reserved WAL",
    ]


class DriftItem(TypedDict):
    """one declared fact (login attribute, publication or its tables) the live server contradicts"""

    declared: Annotated[bool, "what the migrations declare: the attribute is set, or the publication/tables exist"]
    display: Annotated[str, "the live server's connection without password"]
    key: Annotated[str, "drift:<display>:<what>:<property>; unique per server, object and property"]
    observed: Annotated[bool, "what the server has: the attribute set; always false for publications and tables"]
    observed_origin: Annotated[Origin, "where the config declares the live connection; config line 1 otherwise"]
    origin: Annotated[Origin, "where the migrations declare the role or publication"]
    property: Annotated[str, "SUPERUSER, REPLICATION, BYPASSRLS, LOGIN, exists, or tables <list of missing tables>"]
    what: Annotated[str, "the object: role <name> or publication <name>"]


class MongoServerItem(TypedDict):
    """a live MongoDB server's topology, version and access control, as the probe saw it"""

    auth_disabled: Annotated[bool, "the server accepts connections without authentication; false when on or unknown"]
    display: Annotated[str, "the server's URI without password"]
    documentdb: Annotated[bool, "the server is Azure Cosmos DB for MongoDB / DocumentDB"]
    key: Annotated[str, "live-mongo:<target>:<display>; unique per probed server"]
    origin: Annotated[
        Origin,
        "where the config declares the connection; line 1 of the config (or command line) otherwise",
    ]
    post_images: Annotated[str, "post_images mode of the matching PowerSync connection; off when unset or none"]
    sharded: Annotated[bool, "the server is a mongos router of a sharded cluster (not DocumentDB)"]
    standalone: Annotated[bool, "the server is not a replica set member, mongos, or DocumentDB"]
    target: Annotated[str, "which connection was probed: source or storage"]
    version: Annotated[str | None, "server version as major.minor.patch; null when buildInfo gave none"]
    version_below_6: Annotated[bool, "the version is known and older than 6.0"]


class LiveTableItem(TypedDict):
    """a published or synced table on a live PostgreSQL source: readable and replicable by the login?"""

    can_select: Annotated[bool, "the login has SELECT on the table"]
    display: Annotated[str, "the live server's connection without password"]
    has_pk: Annotated[bool, "the table has a primary key"]
    key: Annotated[str, "live-table:<display>:<schema.table>; unique per table and server"]
    origin: Annotated[
        Origin,
        "where the config declares the connection; line 1 of the config (or command line) otherwise",
    ]
    owner: Annotated[bool, "the login owns the table or is a member (with inheritance) of its owner"]
    replica_identity: Annotated[str, "REPLICA IDENTITY: default, nothing, full or index"]
    schema_usage: Annotated[bool, "the login has USAGE on the table's schema"]
    table: Annotated[str, "the table as schema.table"]


class ProjectFacts(TypedDict):
    """project-wide facts every policy can read as `project`"""

    cdc_roles: Annotated[
        list[str],
        "sorted CDC role names: replication/CDC connection users, REPLICATION roles, rds_replication",
    ]
    has_powersync: Annotated[bool, "at least one PowerSync config was read"]
    has_powersync_postgres_source: Annotated[bool, "a PowerSync config has a PostgreSQL source connection"]
    has_roles: Annotated[bool, "the SQL creates at least one role"]
    has_sql: Annotated[bool, "at least one PostgreSQL SQL file was read (other engines' SQL does not count)"]
    powersync_schema_owner: Annotated[
        str | None,
        "AUTHORIZATION role of CREATE SCHEMA powersync; null if not created or none named",
    ]
    storage_roles: Annotated[list[str], "sorted names of the PostgreSQL users PowerSync storage connections log in as"]


class Collections(TypedDict):
    """Every collection: its item record, the CEL variable for one item, what it holds, and whether only
    `check --live` fills it."""

    parse_errors: Annotated[
        list[Problem],
        Meta(
            "problem",
            "Files or parts of files replint could not read, and SQL of another engine (reported, never dropped)",
        ),
    ]
    config_problems: Annotated[
        list[Problem],
        Meta(
            "problem",
            "Problems of a configuration's structure: unknown keys, invalid values, conflicting settings",
        ),
    ]
    secrets: Annotated[
        list[SecretItem],
        Meta(
            "secret",
            "Passwords and keys written into committed files (configs, SQL, connector settings)",
        ),
    ]
    env_refs: Annotated[
        list[EnvRefItem],
        Meta(
            "env_ref",
            "Environment variable references (PowerSync `!env`, Neosync variables) and whether the client accepts them",
        ),
    ]
    flags: Annotated[
        list[FlagItem],
        Meta(
            "flag",
            "PowerSync config settings dangerous in production (debug API, placeholder tokens, dev auth)",
        ),
    ]
    services: Annotated[list[ServiceItem], Meta("service", "PowerSync service configs, one item per config file")]
    connections: Annotated[
        list[ConnectionItem],
        Meta(
            "connection",
            "Every database connection a consumer makes: PowerSync, subscriptions, Debezium, Neosync, Drasi",
        ),
    ]
    storage_pairs: Annotated[
        list[PairItem],
        Meta(
            "pair",
            "A PowerSync source and its bucket storage, and whether they share a server or database",
        ),
    ]
    roles: Annotated[
        list[RoleItem],
        Meta(
            "role",
            "PostgreSQL roles as the replayed migrations leave them: attributes, memberships, what they are for",
        ),
    ]
    superuser_grants: Annotated[
        list[GrantItem],
        Meta(
            "grant",
            "How a CDC or storage role reaches superuser power: SUPERUSER, provider admin or OS-access roles",
        ),
    ]
    privileges: Annotated[
        list[PrivilegeItem],
        Meta(
            "privilege",
            "GRANT statements and default privileges in the final replayed state",
        ),
    ]
    tables: Annotated[
        list[TableItem],
        Meta(
            "table",
            "Tables in the final replayed state, with owner, RLS, replica identity and whether they are replicated",
        ),
    ]
    published_tables: Annotated[list[PublishedItem], Meta("published", "One item per table a publication publishes")]
    publications: Annotated[
        list[PublicationItem],
        Meta(
            "publication",
            "Publications in the final replayed state and the consumers that read them",
        ),
    ]
    subscriptions: Annotated[
        list[SubscriptionItem],
        Meta(
            "subscription",
            "PostgreSQL subscriptions (CREATE SUBSCRIPTION) in the final replayed state",
        ),
    ]
    sync_tables: Annotated[list[SyncTableItem], Meta("sync_table", "Tables the sync rules or sync streams read")]
    sync_coverage: Annotated[
        list[CoverageItem],
        Meta(
            "coverage",
            "Sync-rule tables a consumer's publication does not publish, or that were removed from it",
        ),
    ]
    sync_definitions: Annotated[
        list[DefinitionItem],
        Meta(
            "definition",
            "Bucket definitions and sync streams, one item each",
        ),
    ]
    rls_exposures: Annotated[
        list[ExposureItem],
        Meta(
            "exposure",
            "Replicated tables with RLS whose rows a CDC login silently does not see (or sees by bypassing RLS)",
        ),
    ]
    cdc_table_access: Annotated[
        list[AccessItem],
        Meta(
            "access",
            "Whether each CDC role can SELECT each table it must replicate, in migration order",
        ),
    ]
    slot_collisions: Annotated[
        list[CollisionItem],
        Meta(
            "collision",
            "Two consumers that would use the same replication slot or publication name on one server",
        ),
    ]
    settings: Annotated[
        list[SettingItem],
        Meta(
            "setting",
            "Server settings written in SQL (ALTER SYSTEM, ALTER DATABASE ... SET)",
        ),
    ]
    server_configs: Annotated[
        list[ServerItem],
        Meta(
            "server",
            "postgresql.conf files (and observed server settings with --live) as the replication settings they give",
        ),
    ]
    hba_records: Annotated[
        list[RecordItem],
        Meta(
            "record",
            "pg_hba.conf records and the replication logins each can match",
        ),
    ]
    hba_users: Annotated[
        list[HbaUserItem],
        Meta(
            "hba_user",
            "Replication logins and the first pg_hba.conf record that decides them",
        ),
    ]
    hba_admissions: Annotated[
        list[AdmissionItem],
        Meta(
            "admission",
            "Each connection simulated against each pg_hba.conf: admitted, refused, or cannot tell",
        ),
    ]
    mongo_users: Annotated[
        list[MongoUserItem],
        Meta(
            "mongo_user",
            "MongoDB users a PowerSync source logs in as, with the privileges their roles give",
        ),
    ]
    mongo_post_images: Annotated[
        list[CheckItem],
        Meta(
            "check",
            "Whether a MongoDB source's post_images mode can work with its user's privileges and its collections",
        ),
    ]
    debezium_connectors: Annotated[
        list[ConnectorItem],
        Meta(
            "connector",
            "Debezium PostgreSQL connectors (Kafka Connect JSON, Debezium Server properties, Strimzi resources)",
        ),
    ]
    live_status: Annotated[
        list[StatusItem],
        Meta(
            "status",
            "With --live: targets that could not be checked, and why",
            live=True,
        ),
    ]
    live_roles: Annotated[
        list[LiveRoleItem],
        Meta(
            "live_role",
            "With --live: the role a consumer logs in as, as the server reports it",
            live=True,
        ),
    ]
    live_publications: Annotated[
        list[LivePublicationItem],
        Meta(
            "live_publication",
            "With --live: the consumer's publication as the server reports it",
            live=True,
        ),
    ]
    live_slots: Annotated[list[SlotItem], Meta("slot", "With --live: the server's replication slots", live=True)]
    drift: Annotated[
        list[DriftItem],
        Meta(
            "drift",
            "With --live: facts the files declare that the server contradicts",
            live=True,
        ),
    ]
    live_mongo: Annotated[
        list[MongoServerItem],
        Meta(
            "mongo_server",
            "With --live: a MongoDB source as the server reports it",
            live=True,
        ),
    ]
    live_tables: Annotated[
        list[LiveTableItem],
        Meta(
            "live_table",
            "With --live: each table the sync rules read, as the CDC login sees it on the server",
            live=True,
        ),
    ]


# ---------------------------------------------------------------------------------------------------------
# The replayed state of a database, as `replint model` prints it (the collections above are derived from it).


class DbRole(TypedDict):
    """A role in the replayed state: its attributes as PostgreSQL would report them in pg_roles."""

    name: Annotated[str, "role name"]
    defined: Annotated[bool, "a CREATE ROLE/USER in the SQL creates it; false when it is only referenced"]
    superuser: Annotated[bool, "rolsuper"]
    createrole: Annotated[bool, "rolcreaterole"]
    createdb: Annotated[bool, "rolcreatedb"]
    login: Annotated[bool, "rolcanlogin"]
    replication: Annotated[bool, "rolreplication"]
    bypassrls: Annotated[bool, "rolbypassrls"]
    inherit: Annotated[bool, "rolinherit"]
    password: Annotated[str | None, "how the password is written: literal, hashed, variable or null; never the text"]
    settings: Annotated[dict[str, str | None], "ALTER ROLE ... SET values (masked under secret names)"]
    origin: Annotated[Origin | None, "the CREATE ROLE statement; null when the role is only referenced"]


class DbMembership(TypedDict):
    """A role membership (GRANT role TO member) with its options, as in pg_auth_members."""

    role: Annotated[str, "the group role granted"]
    member: Annotated[str, "the role it is granted to"]
    admin: Annotated[bool, "WITH ADMIN OPTION"]
    inherit: Annotated[bool, "the member uses the group's privileges without SET ROLE (INHERIT option)"]
    set: Annotated[bool, "the member may SET ROLE to the group (SET option, PostgreSQL 16+)"]
    origin: Annotated[Origin, "the GRANT statement"]


class DbPrivilege(TypedDict):
    """One privilege a role holds on one object in the replayed state."""

    grantee: Annotated[str, "the role holding it (PUBLIC for everyone)"]
    objtype: Annotated[str, "table, sequence, schema, database, function, schema_all (ON ALL TABLES IN SCHEMA), …"]
    object: Annotated[str, "the object: schema.table for tables and sequences, the name otherwise"]
    privilege: Annotated[str, "SELECT, INSERT, USAGE, CREATE, …"]
    origin: Annotated[Origin, "the GRANT that gave it"]


class DbDefaultPrivilege(TypedDict):
    """An ALTER DEFAULT PRIVILEGES entry in force at the end of the history."""

    for_role: Annotated[str | None, "the creator it applies to (FOR ROLE); null: the role that ran the statement"]
    schema: Annotated[str | None, "IN SCHEMA; null for every schema"]
    objtype: Annotated[str, "tables, sequences, functions, …"]
    privilege: Annotated[str, "the privilege granted on objects created later"]
    grantee: Annotated[str, "the role that will hold it"]
    origin: Annotated[Origin, "the ALTER DEFAULT PRIVILEGES statement"]


class DbSchema(TypedDict):
    """A schema the SQL creates or gives an owner."""

    name: Annotated[str, "schema name"]
    owner: Annotated[str | None, "its owner (AUTHORIZATION or ALTER SCHEMA OWNER); null when not known"]
    origin: Annotated[Origin, "the CREATE SCHEMA statement (or the ALTER SCHEMA ... OWNER TO of one it did not create)"]


class DbTable(TypedDict):
    """A table in the replayed state."""

    name: Annotated[str, "schema.table"]
    owner: Annotated[str | None, "the owning role; null when the creator is not known"]
    has_pk: Annotated[bool, "it has a primary key"]
    rls: Annotated[bool, "row-level security is enabled (relrowsecurity)"]
    forced: Annotated[bool, "FORCE ROW LEVEL SECURITY (relforcerowsecurity)"]
    replica_identity: Annotated[str, "default, nothing, full or index"]
    partition_of: Annotated[str | None, "the partitioned parent table; null when it is no partition"]
    policies: Annotated[list[str], "names of its row-level security policies"]
    origin: Annotated[Origin, "the CREATE TABLE statement"]


class DbPublication(TypedDict):
    """A publication in the replayed state."""

    name: Annotated[str, "publication name"]
    declared: Annotated[bool, "created in these files; false when only altered (a provider's publication)"]
    all_tables: Annotated[bool, "FOR ALL TABLES"]
    tables: Annotated[list[str], "tables named in FOR TABLE / ADD TABLE (schema.table)"]
    schemas: Annotated[list[str], "schemas of FOR TABLES IN SCHEMA"]
    publish: Annotated[list[str], "operations published: insert, update, delete, truncate"]
    via_root: Annotated[bool, "publish_via_partition_root"]
    origin: Annotated[Origin, "the CREATE PUBLICATION statement"]


class DbSubscription(TypedDict):
    """A subscription in the replayed state; its connection is shown without the password."""

    name: Annotated[str, "subscription name"]
    publications: Annotated[list[str], "publications it subscribes to"]
    host: Annotated[str | None, "publisher host from the CONNECTION string; null when not given"]
    port: Annotated[int | None, "publisher port; null when not given"]
    user: Annotated[str | None, "the login on the publisher; null when not given"]
    database: Annotated[str | None, "the publisher database; null when not given"]
    options: Annotated[dict[str, str], "WITH (...) options as written"]
    origin: Annotated[Origin, "the CREATE SUBSCRIPTION statement"]


class DbSetting(TypedDict):
    """A server setting from ALTER SYSTEM."""

    name: Annotated[str, "setting name, lower case"]
    value: Annotated[str, "the value, with passwords masked"]
    origin: Annotated[Origin, "the ALTER SYSTEM statement"]


class DbVersion(TypedDict):
    """The PostgreSQL major whose rules the replay followed (role inheritance differs before 16)."""

    major: Annotated[int, "the major version, such as 16"]
    source: Annotated[str, "where it was taken from: `default`, or the `.replint.yaml` line that sets it"]


class Database(TypedDict):
    """The final state of one database, replayed from its SQL files in migration order."""

    name: Annotated[str, "how replint names it (one database per project until servers are modelled)"]
    postgres_version: Annotated[DbVersion, "the PostgreSQL major the replay modelled"]
    sql_files: Annotated[int, "how many SQL files were replayed into it"]
    roles: Annotated[list[DbRole], "roles, by name"]
    memberships: Annotated[list[DbMembership], "role memberships"]
    privileges: Annotated[list[DbPrivilege], "object privileges"]
    default_privileges: Annotated[list[DbDefaultPrivilege], "default privileges in force"]
    schemas: Annotated[list[DbSchema], "schemas the SQL creates"]
    tables: Annotated[list[DbTable], "tables"]
    publications: Annotated[list[DbPublication], "publications"]
    subscriptions: Annotated[list[DbSubscription], "subscriptions"]
    settings: Annotated[list[DbSetting], "ALTER SYSTEM settings"]


class ModelDocument(TypedDict):
    """What `replint model` prints: the collections policies see and the replayed databases behind them."""

    replint_model: Annotated[int, "the version of this document's shape (schemas/model.schema.json)"]
    root: Annotated[str, "the folder the paths are relative to"]
    project: Annotated[ProjectFacts, "the `project` variable every policy can read"]
    collections: Annotated[Collections, "every collection, by name (empty ones included)"]
    databases: Annotated[list[Database], "the replayed state of each database"]


MODEL_VERSION = 1


DECLARED: Declarations = read(Collections, ProjectFacts)


def connection_facts() -> ConnectionFacts:
    """The facts later stages fill in, before they do: nothing known yet."""
    return {
        "admin_login": False,
        "admin_reason": "",
        "same_as_storage_user": False,
        "storage_user_origin": None,
        "user_case_mismatch": None,
        "powersync_publication": None,
        "publication_dropped_origin": None,
        "publication_renamed_origin": None,
        "publication_renamed_to": None,
        "observed_display": "",
        "observed_identity": None,
    }


# collection name -> the variable a policy's CEL sees for one item
COLLECTIONS: dict[str, str] = {c.name: c.var for c in DECLARED.collections}
# Collections only `--live` fills: their policies are tested against real servers (tests/test_live_postgres.py).
LIVE_COLLECTIONS: frozenset[str] = frozenset(c.name for c in DECLARED.collections if c.live)


def empty_collections() -> Collections:
    return cast(Collections, {c.name: [] for c in DECLARED.collections})
