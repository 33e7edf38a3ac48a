"""Replay migration events in version order to get the database's final declared state.

Policies judge the final state (DESIGN.md §3): a later `ALTER ROLE ... NOSUPERUSER` or `REVOKE` clears an
earlier grant, `GRANT ... ON ALL TABLES IN SCHEMA` covers only the tables that exist at that point, and
`ALTER DEFAULT PRIVILEGES` covers only tables created later by the matching role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from lint.conninfo import ConnInfo
from lint.sources import sql as ev
from lint.sources.flyway import FlywaySettings
from lint.span import Span

ROLE_DEFAULTS = {
    "superuser": False,
    "createdb": False,
    "createrole": False,
    "inherit": True,
    "login": False,
    "replication": False,
    "bypassrls": False,
}

ALL_PRIVILEGES = {
    "table": ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"),
    "schema": ("USAGE", "CREATE"),
    "database": ("CREATE", "CONNECT", "TEMPORARY"),
    "sequence": ("USAGE", "SELECT", "UPDATE"),
}
PUBLISH_ALL = ("insert", "update", "delete", "truncate")
# What every new database grants before any migration runs (PostgreSQL 15+): PUBLIC may use schema public.
# Not stored as privileges (no statement wrote them); a REVOKE of one is recorded in `DbState.revoked`.
BUILT_IN_GRANTS = frozenset({("public", "schema", "public", "USAGE")})
SPECIAL_GRANTEES = {"public", "current_user", "session_user"}
# The PostgreSQL major whose rules the replay follows unless `.replint.yaml` names another (`postgres_version`).
# Where majors differ in what the model derives (role inheritance changed in 16), this decides; 16, 17 and 18
# replay alike, and the differential test checks the replay against a 15 and an 18 server.
DEFAULT_PG_VERSION = 16
PG_VERSIONS = range(12, 19)  # the majors a configuration may name: the community's supported ones and recent past


@dataclass
class RoleState:
    name: str
    origin: Span | None = None  # CREATE ROLE statement; None for roles only referenced
    attrs: dict[str, tuple[bool, Span | None]] = field(default_factory=dict)
    password: tuple[str, Span] | None = None
    settings: dict[str, tuple[str | None, Span]] = field(default_factory=dict)

    def attr(self, name: str) -> bool:
        return self.attrs.get(name, (ROLE_DEFAULTS[name], None))[0]

    def attr_span(self, name: str) -> Span | None:
        return self.attrs.get(name, (False, None))[1]


@dataclass
class Edge:
    """`member` is a member of `role` (GRANT role TO member)."""

    role: str
    member: str
    admin: bool
    inherit: bool
    set: bool
    span: Span


@dataclass
class TableState:
    name: str  # schema.table
    origin: Span
    pk: ev.PrimaryKey | None
    creator: str | None
    owner: tuple[str | None, Span]
    rls: tuple[str, Span] | None = None  # "enable" | "disable"
    forced: tuple[bool, Span] | None = None
    replica_identity: tuple[str, Span] | None = None
    policies: list[tuple[str, Span]] = field(default_factory=list)
    identity_changed_while_published: Span | None = None
    partition_of: str | None = None
    pk_dropped: Span | None = None  # the ALTER TABLE ... DROP CONSTRAINT / COLUMN that removed the primary key
    unlogged: bool = False  # not publishable
    partitioned: bool = False  # PARTITION BY: its rows live in its partitions
    inherits: tuple[str, ...] = ()  # INHERITS parents (not partitions)
    # Privileges revoked from the owner itself. An owner holds every privilege through the table's ACL, like any
    # grantee: REVOKE ... FROM the owner takes them away, and ALTER ... OWNER TO hands the owner's entry over.
    owner_lacks: frozenset[str] = frozenset()

    @property
    def has_pk(self) -> bool:
        return self.pk is not None

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass
class PublicationState:
    name: str
    origin: Span
    declared: bool  # created in these migrations (False: only altered, e.g. supabase_realtime)
    all_tables: bool = False
    tables: dict[str, Span] = field(default_factory=dict)
    schemas: dict[str, Span] = field(default_factory=dict)
    publish: tuple[tuple[str, ...], Span | None] = (PUBLISH_ALL, None)
    via_root: tuple[bool, Span | None] = (False, None)
    # Tables an ALTER PUBLICATION ... DROP/SET took out (and the statement), to explain a missing table.
    removed: dict[str, Span] = field(default_factory=dict)
    # Tables published with a row filter or a column list, as listed (and the statement that says so).
    partial: dict[str, tuple[ev.PartialTable, Span]] = field(default_factory=dict)


@dataclass
class SubscriptionState:
    name: str
    origin: Span
    conninfo: ConnInfo
    conninfo_span: Span
    publications: tuple[str, ...]
    options: dict[str, tuple[str, Span]] = field(default_factory=dict)


@dataclass
class DefaultPriv:
    for_role: str | None
    schema: str | None
    objtype: str
    privilege: str
    grantee: str
    span: Span


@dataclass(frozen=True)
class Memberships:
    by_member: dict[str, list[Edge]]  # the groups a role is a direct member of
    by_group: dict[str, list[Edge]]  # the direct members of a group

    @staticmethod
    def of(edges: Iterable[Edge]) -> Memberships:
        by_member: dict[str, list[Edge]] = {}
        by_group: dict[str, list[Edge]] = {}
        for e in edges:
            by_member.setdefault(e.member, []).append(e)
            by_group.setdefault(e.role, []).append(e)
        return Memberships(by_member, by_group)


@dataclass
class DbState:
    roles: dict[str, RoleState] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)
    # (grantee, objtype, object, privilege) -> span. objtype "schema_all" marks ON ALL TABLES IN SCHEMA,
    # which also stands for tables the migrations never create.
    privileges: dict[tuple[str, str, str, str], Span] = field(default_factory=dict)
    default_privs: list[DefaultPriv] = field(default_factory=list)
    tables: dict[str, TableState] = field(default_factory=dict)
    schemas: dict[str, tuple[str | None, Span]] = field(default_factory=dict)
    # Privileges a schema's owner revoked from itself (as TableState.owner_lacks, for schemas).
    schema_owner_lacks: dict[str, frozenset[str]] = field(default_factory=dict)
    publications: dict[str, PublicationState] = field(default_factory=dict)
    dropped_publications: dict[str, Span] = field(default_factory=dict)
    # old name -> (new name, ALTER PUBLICATION ... RENAME TO statement): explains a "missing" publication.
    renamed_publications: dict[str, tuple[str, Span]] = field(default_factory=dict)
    # The REVOKE that last removed a privilege key, so a finding can point at it (DESIGN.md §3).
    revoked: dict[tuple[str, str, str, str], Span] = field(default_factory=dict)
    subscriptions: dict[str, SubscriptionState] = field(default_factory=dict)
    system: dict[str, tuple[str, Span]] = field(default_factory=dict)
    current_role: str | None = None
    # Every secret written in a migration, in replay order, even if a later statement replaces it: the text
    # stays in the repository history. (kind "role-password" | "conninfo", object name, "literal"|"hashed", span)
    committed_secrets: list[tuple[str, str, str, Span]] = field(default_factory=list)
    # Roles some migration switches to with SET ROLE: evidently not the (unknown) migration user itself.
    set_role_targets: set[str] = field(default_factory=set)
    version: int = DEFAULT_PG_VERSION  # the PostgreSQL major whose rules apply (see DEFAULT_PG_VERSION)
    version_source: str = "default"  # or where `.replint.yaml` names it ("path:line")
    search_path: tuple[str, ...] = ("$user", "public")  # SET search_path of the file being replayed
    public_gone: bool = False  # schema public was dropped or renamed
    _graph: tuple[int, Memberships] | None = field(default=None, repr=False, compare=False)

    def memberships(self) -> Memberships:
        """The membership edges indexed both ways, so role-graph walks cost what they visit, not edges x roles
        (`CREATE ROLE x IN ROLE r0, ..., r19999` took minutes). Rebuilt when the edges changed in number."""
        if self._graph is None or self._graph[0] != len(self.edges):
            self._graph = (len(self.edges), Memberships.of(self.edges.values()))
        return self._graph[1]

    def inherits(self, edge: Edge) -> bool:
        """Whether privileges flow through a membership. From PostgreSQL 16 each membership has its own INHERIT
        option, fixed when it is granted (from the member's INHERIT attribute then, unless WITH INHERIT says);
        before 16 it is the member's INHERIT attribute now, so a later ALTER ROLE ... NOINHERIT cuts every one."""
        if self.version >= 16:
            return edge.inherit
        member = self.roles.get(edge.member)
        return member.attr("inherit") if member is not None else ROLE_DEFAULTS["inherit"]

    def can_set(self, edge: Edge) -> bool:
        """Whether the member may SET ROLE to the group: the SET option from 16, always before."""
        return edge.set if self.version >= 16 else True

    def role(self, name: str) -> RoleState:
        state = self.roles.get(name)
        if state is None:
            state = RoleState(name)
            self.roles[name] = state
        return state

    def publication_tables(self, pub: PublicationState) -> dict[str, Span]:
        """The tables whose changes a publication sends, as `pg_publication_tables` lists them (known tables only
        for ALL/IN SCHEMA): a partitioned table stands for its leaf partitions, unless the publication is
        `publish_via_partition_root`, where the topmost published ancestor stands for its partitions."""
        root = pub.via_root[0]
        if pub.all_tables:
            return {
                t: pub.origin
                for t, st in self.tables.items()
                if not st.unlogged and (st.partition_of is None if root else not st.partitioned)
            }
        out: dict[str, Span] = {}
        for schema, span in pub.schemas.items():
            for t, st in self.tables.items():
                if st.schema == schema and not st.unlogged:
                    out.update(dict.fromkeys(self._published_as(t, root), span))
        for t, span in pub.tables.items():
            out.update(dict.fromkeys(self._published_as(t, root), span))
        if root:  # a partition whose ancestor is published too is sent as that ancestor
            out = {t: span for t, span in out.items() if not any(a in out for a in self.ancestors(t))}
        return out

    def _published_as(self, name: str, root: bool) -> list[str]:
        """What publishing table `name` publishes: itself, or the leaf partitions of a partitioned table."""
        table = self.tables.get(name)
        if table is None or root or not table.partitioned:
            return [name]
        leaves: list[str] = []
        for child, state in self.tables.items():
            if state.partition_of == name:
                leaves.extend(self._published_as(child, root))
        return leaves

    def ancestors(self, name: str) -> list[str]:
        """The partitioned tables above a partition, nearest first."""
        out: list[str] = []
        parent = self.tables[name].partition_of if name in self.tables else None
        while parent is not None and parent not in out:
            out.append(parent)
            parent = self.tables[parent].partition_of if parent in self.tables else None
        return out

    def in_any_publication(self, table: str) -> bool:
        schema = table.split(".", 1)[0]
        return any(p.all_tables or table in p.tables or schema in p.schemas for p in self.publications.values())


# ---------------------------------------------------------------------------------------------------------
# Migration ordering


_VERSION_RE = re.compile(r"^[VvRrUu]?(\d+(?:[._]\d+)*)")
_NUM_RE = re.compile(r"(\d+)")


def migration_key(path: str) -> tuple[object, ...]:
    """Order migrations by version: Flyway `V2__` before `V10__`, numeric/timestamp prefixes as numbers.

    Files are grouped by directory first, so each folder's history replays in its own order; names without
    a version sort naturally (digit runs compared as numbers) after versioned ones of the same folder.
    """
    directory, _, name = path.rpartition("/")
    m = _VERSION_RE.match(name)
    if m:
        parts = tuple(int(p) for p in re.split(r"[._]", m.group(1)))
        return (directory, 0, parts, name)
    natural = tuple((0, int(tok), "") if tok.isdigit() else (1, 0, tok.lower()) for tok in _NUM_RE.split(name) if tok)
    return (directory, 1, natural, name)


# ---------------------------------------------------------------------------------------------------------
# Replay


def replay(
    files: Iterable[ev.SqlFile],
    version: tuple[int, str] | None = None,
    flyway: Mapping[str, FlywaySettings] | None = None,
) -> DbState:
    """The final state of these migrations, by the rules of a PostgreSQL major: `version` is (major, where it
    was set), the default major when not given. `flyway` gives the Flyway settings a file runs with: its
    default schema first on the search_path, and the schemas Flyway creates before the first migration."""
    db = DbState() if version is None else DbState(version=version[0], version_source=version[1])
    ordered = sorted(files, key=lambda f: migration_key(f.path))
    # Known up front so the answer does not depend on whether the SET ROLE comes before or after.
    db.set_role_targets = {e.role for f in ordered for e in f.events if isinstance(e, ev.SetRole) and e.role}
    for f in ordered:
        db.current_role = None  # each migration file runs as the migration user
        kept = {id(e) for e in committed(f.events)}
        db.search_path = DEFAULT_SEARCH_PATH
        settings = (flyway or {}).get(f.path)
        if settings is not None:
            # Flyway puts the default schema in front of the search_path for every migration.
            db.search_path = (settings.schemas[0], *DEFAULT_SEARCH_PATH)
            if settings.creates_schemas:
                for schema in settings.schemas:
                    db.schemas.setdefault(schema, (None, settings.span))
        in_tx = False
        # What a SET LOCAL changed, to restore when its transaction ends: (role, search_path).
        before_local: list[tuple[str | None, tuple[str, ...]]] = []
        for event in f.events:
            if isinstance(event, ev.Transaction) and event.action in ("begin", "commit", "rollback"):
                ends = in_tx and event.action != "begin"
                in_tx = event.action == "begin" or (in_tx and not ends)
                if ends and before_local:
                    db.current_role, db.search_path = before_local.pop()
            elif isinstance(event, ev.SetRole | ev.SearchPath) and event.local:
                if in_tx and id(event) in kept:  # outside a transaction SET LOCAL does nothing (a warning)
                    before_local[:] = before_local or [(db.current_role, db.search_path)]
                    _apply(db, event)
            elif id(event) in kept:
                _apply(db, resolve_names(db, event))
            else:  # rolled back, yet its password is still written in the file
                _note_written_secret(db, event)
    return db


def _note_written_secret(db: DbState, e: ev.Event) -> None:
    if isinstance(e, ev.RoleCreate | ev.RoleAlter) and e.password is not None and e.password_span is not None:
        _note_password(db, e.name, e.password, e.password_span)
    elif isinstance(e, ev.SubscriptionCreate) and e.conninfo.has_password:
        db.committed_secrets.append(("conninfo", e.name, "literal", e.conninfo_span))
    elif isinstance(e, ev.SubscriptionAlter) and e.conninfo is not None and e.conninfo.has_password:
        db.committed_secrets.append(("conninfo", e.name, "literal", e.span))


def committed(events: Iterable[ev.Event]) -> list[ev.Event]:
    """The events PostgreSQL keeps: those of a transaction that ends in ROLLBACK are dropped, as are those after
    a SAVEPOINT that is rolled back to. BEGIN inside a transaction and COMMIT or ROLLBACK outside one change
    nothing, as in PostgreSQL (a warning there).

    A transaction still open at the end of the file is kept: most migration tools run each file inside their
    own transaction and commit it (the file's BEGIN is then a no-op), while plain psql would roll it back when
    the session ends. Which tool runs the file is not known here, and dropping its statements could hide a
    real problem; keeping them can at worst report one that psql would not have applied."""
    # frames[0] is what is committed; each open transaction or savepoint adds a frame of tentative events.
    frames: list[tuple[str | None, list[ev.Event]]] = [(None, [])]
    in_tx = False
    for e in events:
        if not isinstance(e, ev.Transaction):
            frames[-1][1].append(e)
            continue
        if e.action == "begin" and not in_tx:
            frames.append(("", []))
            in_tx = True
        elif e.action == "commit" and in_tx:
            kept = [x for _, frame in frames[1:] for x in frame]
            del frames[1:]
            frames[0][1].extend(kept)
            in_tx = False
        elif e.action == "rollback" and in_tx:
            del frames[1:]
            in_tx = False
        elif e.action == "savepoint" and in_tx:
            frames.append((e.savepoint, []))
        elif e.action in ("release", "rollback_to") and in_tx:
            at = next((i for i in range(len(frames) - 1, 0, -1) if frames[i][0] == e.savepoint), None)
            if at is None:
                continue  # no such savepoint: an error in PostgreSQL, which aborts the transaction; left as is
            if e.action == "release":
                merged = [x for _, frame in frames[at:] for x in frame]
                del frames[at:]
                frames[-1][1].extend(merged)
            else:
                del frames[at + 1 :]
                frames[at][1].clear()  # the savepoint stays, empty
    return [x for _, frame in frames for x in frame]  # what is still open is committed by the tool (see above)


def _apply(db: DbState, e: ev.Event) -> None:  # a flat dispatch reads best here
    if isinstance(e, ev.RoleCreate):
        _role_create(db, e)
    elif isinstance(e, ev.RoleAlter):
        role = db.role(e.name)
        for name, value in e.attrs:
            role.attrs[name] = (value, e.span)
        if e.password is not None and e.password_span is not None:
            role.password = (e.password, e.password_span)
            _note_password(db, e.name, e.password, e.password_span)
    elif isinstance(e, ev.RoleSetting):
        _role_setting(db, e)
    elif isinstance(e, ev.RoleRename):
        _role_rename(db, e.old, e.new)
    elif isinstance(e, ev.RoleDrop):
        for name in e.names:
            db.roles.pop(name, None)
            for edge_key in [k for k in db.edges if name in k]:
                del db.edges[edge_key]
            for priv_key in [k for k in db.privileges if k[0] == name]:
                del db.privileges[priv_key]
    elif isinstance(e, ev.RoleGrant):
        _role_grant(db, e)
    elif isinstance(e, ev.PrivGrant):
        _priv_grant(db, e)
    elif isinstance(e, ev.DefaultPrivs):
        _default_privs(db, e)
    elif isinstance(e, ev.TableCreate):
        _table_create(db, e)
    elif isinstance(e, ev.TableAlter):
        _table_alter(db, e)
    elif isinstance(e, ev.TableRename):
        _table_rename(db, e)
    elif isinstance(e, ev.TableDrop):
        _drop_tables(db, e.tables)
    elif isinstance(e, ev.SchemaDrop):
        for schema in e.names:
            db.schemas.pop(schema, None)
            db.public_gone = db.public_gone or schema == "public"
            if e.cascade:
                _drop_tables(db, [t for t, st in db.tables.items() if st.schema == schema])
                for pub in db.publications.values():
                    pub.schemas.pop(schema, None)
    elif isinstance(e, ev.PolicyCreate):
        table = db.tables.get(e.table)
        if table is not None:
            table.policies.append((e.name, e.span))
    elif isinstance(e, ev.SchemaCreate):
        db.schemas.setdefault(e.name, (_resolved(db, e.authorization), e.span))
    elif isinstance(e, ev.SchemaAlter):
        _schema_alter(db, e)
    elif isinstance(e, ev.OwnedChange):
        _owned_change(db, e)
    elif isinstance(e, ev.PublicationCreate):
        _publication_create(db, e)
    elif isinstance(e, ev.PublicationAlter):
        _publication_alter(db, e)
    elif isinstance(e, ev.PublicationDrop):
        for name in e.names:
            if db.publications.pop(name, None) is not None:
                db.dropped_publications[name] = e.span
    elif isinstance(e, ev.SubscriptionCreate):
        db.subscriptions[e.name] = ev_sub = SubscriptionState(
            e.name, e.span, e.conninfo, e.conninfo_span, e.publications
        )
        spans = dict(e.option_spans)
        for option, text in e.options:
            ev_sub.options[option] = (text, spans.get(option, e.span))
        if e.conninfo.has_password:
            db.committed_secrets.append(("conninfo", e.name, "literal", e.conninfo_span))
    elif isinstance(e, ev.SubscriptionAlter):
        if e.conninfo is not None and e.conninfo.has_password:
            db.committed_secrets.append(("conninfo", e.name, "literal", e.span))
        sub = db.subscriptions.get(e.name)
        if sub is not None:
            spans = dict(e.option_spans)
            for option, text in e.options:
                sub.options[option] = (text, spans.get(option, e.span))
            if e.conninfo is not None:
                sub.conninfo, sub.conninfo_span = e.conninfo, e.span
            if e.publications is not None:
                sub.publications = e.publications
    elif isinstance(e, ev.SubscriptionDrop):
        for name in e.names:
            db.subscriptions.pop(name, None)
    elif isinstance(e, ev.SystemSet):
        if e.name == "*":
            db.system.clear()
        elif e.value is None:
            db.system.pop(e.name, None)
        else:
            db.system[e.name] = (e.value, e.span)
    elif isinstance(e, ev.SetRole):
        db.current_role = e.role
    elif isinstance(e, ev.SearchPath):
        db.search_path = DEFAULT_SEARCH_PATH if e.path is None else e.path


def _resolved(db: DbState, role: str | None) -> str | None:
    """CURRENT_USER / CURRENT_ROLE as the role the statement runs as (None: the migration user); SESSION_USER is
    the migration user."""
    if role == "current_user":
        return db.current_role
    if role == "session_user":
        return None
    return role


def _schema_alter(db: DbState, e: ev.SchemaAlter) -> None:
    if e.name not in db.schemas and not any(t.schema == e.name for t in db.tables.values()):
        return
    if e.owner is not None:
        _set_schema_owner(db, e.name, _resolved(db, e.owner), e.span)
        return
    new = e.new_name or e.name
    db.public_gone = db.public_gone or e.name == "public"
    if e.name in db.schemas:
        db.schemas[new] = db.schemas.pop(e.name)
    for table in [t for t in db.tables.values() if t.schema == e.name]:
        _move_table(db, table.name, f"{new}.{table.name.split('.', 1)[1]}")
    for key in [k for k in db.privileges if k[1] in ("schema", "schema_all") and k[2] == e.name]:
        db.privileges[(key[0], key[1], new, key[3])] = db.privileges.pop(key)
    for key in [k for k in db.revoked if k[1] in ("schema", "schema_all") and k[2] == e.name]:
        db.revoked[(key[0], key[1], new, key[3])] = db.revoked.pop(key)
    for key in [k for k in BUILT_IN_GRANTS if k[2] == e.name]:
        # The schema keeps its ACL under its new name: a built-in grant not revoked becomes an ordinary one, and
        # the old name no longer has it (a schema created later under that name starts without it).
        if key not in db.revoked:
            db.privileges[(key[0], key[1], new, key[3])] = e.span
        db.revoked[key] = e.span
    for pub in db.publications.values():
        if e.name in pub.schemas:
            pub.schemas[new] = pub.schemas.pop(e.name)
    for d in db.default_privs:
        if d.schema == e.name:
            d.schema = new


def _set_schema_owner(db: DbState, name: str, new: str | None, span: Span) -> None:
    """ALTER SCHEMA ... OWNER TO, REASSIGN OWNED: the old owner's ACL entry passes to the new owner (merged with
    what the new owner was granted), as for tables."""
    old, created = db.schemas.get(name, (None, span))
    lacks = db.schema_owner_lacks.pop(name, frozenset())
    granted = {k[3] for k in db.privileges if k[:3] == (new, "schema", name)}
    for key in [k for k in db.privileges if old is not None and k[:3] == (old, "schema", name)]:
        moved = db.privileges.pop(key)
        if new is not None:
            db.privileges.setdefault((new, *key[1:]), moved)
    if new is not None and lacks - granted:
        db.schema_owner_lacks[name] = lacks - granted
    db.schemas[name] = (new, created)


def _owned_change(db: DbState, e: ev.OwnedChange) -> None:
    """REASSIGN OWNED hands the roles' tables and schemas to the new owner (as ALTER ... OWNER TO does); DROP OWNED
    drops them and revokes every privilege granted to the roles here, and their default privileges."""
    roles = set(e.roles)
    if e.new_owner is not None:
        new = _resolved(db, e.new_owner)
        for table in db.tables.values():
            if table.owner[0] in roles:
                _set_owner(db, table, new, e.span)
        for name, (owner, _) in list(db.schemas.items()):
            if owner in roles:
                _set_schema_owner(db, name, new, e.span)
        return
    _drop_tables(db, [t.name for t in db.tables.values() if t.owner[0] in roles])
    for name in [n for n, (owner, _) in db.schemas.items() if owner in roles]:
        db.schemas.pop(name)
    for key in [k for k in db.privileges if k[0] in roles]:
        db.revoked[key] = e.span
        del db.privileges[key]
    db.default_privs = [d for d in db.default_privs if d.for_role not in roles and d.grantee not in roles]


DEFAULT_SEARCH_PATH = ("$user", "public")


def _schema_exists(db: DbState, schema: str) -> bool:
    if schema == "public" and not db.public_gone:
        return True
    return schema in db.schemas or any(t.schema == schema for t in db.tables.values())


def _path_schemas(db: DbState) -> list[str]:
    """The schemas of the search_path that exist, in order (`$user` is the schema named as the role running the
    statement, when there is one)."""
    out = []
    for entry in db.search_path:
        schema = (db.current_role or "") if entry == "$user" else entry
        if schema and schema not in ("pg_catalog", "pg_temp") and _schema_exists(db, schema):
            out.append(schema)
    return out


def _created_in(db: DbState) -> str:
    """Where an unqualified name is created: the first existing schema of the search_path (PostgreSQL refuses
    the statement when there is none; `public` then stands in)."""
    return next(iter(_path_schemas(db)), "public")


def _found_in(db: DbState, name: str) -> str:
    """An unqualified table name as PostgreSQL looks it up: the first schema of the search_path holding it."""
    bare = name[len(ev.UNQUALIFIED) + 1 :]
    schema = next((s for s in _path_schemas(db) if f"{s}.{bare}" in db.tables), _created_in(db))
    return f"{schema}.{bare}"


def resolve_names(db: DbState, e: ev.Event) -> ev.Event:
    """The event with its unqualified table names (and CURRENT_SCHEMA) resolved through the search_path in force:
    a created table goes to the first existing schema of the path, others are looked up along it."""
    marker = f"{ev.UNQUALIFIED}."

    def look(name: str) -> str:
        return _found_in(db, name) if name.startswith(marker) else name

    def looks(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(look(n) for n in names)

    if isinstance(e, ev.TableCreate):
        table = f"{_created_in(db)}.{e.table[len(marker):]}" if e.table.startswith(marker) else e.table
        parent = look(e.partition_of) if e.partition_of else None
        return replace(e, table=table, partition_of=parent, inherits=looks(e.inherits))
    if isinstance(e, ev.TableAlter):
        actions = tuple((a, look(arg) if a in ("attach", "detach") else arg) for a, arg in e.actions)
        return replace(e, table=look(e.table), actions=actions)
    if isinstance(e, ev.TableRename | ev.PolicyCreate):
        return replace(e, table=look(e.table))
    if isinstance(e, ev.TableDrop):
        return replace(e, tables=looks(e.tables))
    if isinstance(e, ev.PrivGrant) and e.objtype == "table":
        return replace(e, objects=looks(e.objects))
    if isinstance(e, ev.PublicationCreate | ev.PublicationAlter):
        schemas = tuple(_created_in(db) if s == ev.UNQUALIFIED else s for s in e.schemas)
        partial = tuple(replace(p, table=look(p.table)) for p in e.partial)
        return replace(e, tables=looks(e.tables), schemas=schemas, partial=partial, only=looks(e.only))
    return e


def _drop_tables(db: DbState, names: Iterable[str]) -> None:
    names = list(names)
    # A partitioned table goes with its partitions (and theirs).
    names += [t for t in db.tables if t not in names and any(a in names for a in db.ancestors(t))]
    for name in names:
        db.tables.pop(name, None)
        for pub in db.publications.values():
            pub.tables.pop(name, None)
            pub.partial.pop(name, None)
        for priv_key in [k for k in db.privileges if k[1] == "table" and k[2] == name]:
            del db.privileges[priv_key]


def _note_password(db: DbState, role: str, kind: str, span: Span) -> None:
    if kind in ("literal", "hashed"):
        db.committed_secrets.append(("role-password", role, kind, span))


def _role_create(db: DbState, e: ev.RoleCreate) -> None:
    if e.name in db.roles and db.roles[e.name].origin is not None:
        # PostgreSQL refuses to create a role that exists ("role ... already exists"), so nothing changes: the
        # usual `DO $$ BEGIN CREATE ROLE ...; EXCEPTION WHEN duplicate_object THEN NULL; END $$` included.
        _note_written_secret(db, e)  # its password is written in the file all the same
        return
    role = RoleState(e.name, origin=e.span)
    for name, value in e.attrs:
        role.attrs[name] = (value, e.span)
    if e.password is not None and e.password_span is not None:
        role.password = (e.password, e.password_span)
        _note_password(db, e.name, e.password, e.password_span)
    db.roles[e.name] = role
    for parent in e.in_roles:
        db.role(parent)
        db.edges[(parent, e.name)] = Edge(parent, e.name, False, role.attr("inherit"), True, e.span)
    for member in (*e.members, *e.admins):
        db.role(member)
        db.edges[(e.name, member)] = Edge(
            e.name, member, member in e.admins, db.role(member).attr("inherit"), True, e.span
        )


def _role_setting(db: DbState, e: ev.RoleSetting) -> None:
    role = db.role(e.name)
    if e.param == "*":
        role.settings.clear()
    elif e.value is None:
        role.settings.pop(e.param, None)
    else:
        role.settings[e.param] = (e.value.lower(), e.span)


def _role_rename(db: DbState, old: str, new: str) -> None:
    role = db.roles.pop(old, None)
    if role is None:
        return
    role.name = new
    db.roles[new] = role
    for key in [k for k in db.edges if old in k]:
        edge = db.edges.pop(key)
        edge.role = new if edge.role == old else edge.role
        edge.member = new if edge.member == old else edge.member
        db.edges[(edge.role, edge.member)] = edge
    for priv_key in [k for k in db.privileges if k[0] == old]:
        db.privileges[(new, *priv_key[1:])] = db.privileges.pop(priv_key)
    for priv_key in [k for k in db.revoked if k[0] == old]:
        db.revoked[(new, *priv_key[1:])] = db.revoked.pop(priv_key)
    for table in db.tables.values():
        if table.owner[0] == old:
            table.owner = (new, table.owner[1])
        if table.creator == old:
            table.creator = new
    for d in db.default_privs:
        d.for_role = new if d.for_role == old else d.for_role
        d.grantee = new if d.grantee == old else d.grantee
    for name, (owner, span) in list(db.schemas.items()):
        if owner == old:
            db.schemas[name] = (new, span)


def _role_grant(db: DbState, e: ev.RoleGrant) -> None:
    for role_name in e.roles:
        for named in e.grantees:
            member = _resolved(db, named)
            if member is None or member in SPECIAL_GRANTEES:
                continue
            key = (role_name, member)
            if e.is_grant:
                db.role(role_name)
                member_state = db.role(member)
                old = db.edges.get(key)
                inherit = e.inherit if e.inherit is not None else (old.inherit if old else member_state.attr("inherit"))
                db.edges[key] = Edge(
                    role_name,
                    member,
                    admin=bool(e.admin) or (old.admin if old else False),
                    inherit=inherit,
                    set=e.set if e.set is not None else (old.set if old else True),
                    span=e.span,
                )
            elif key in db.edges:
                edge = db.edges[key]
                if e.admin is not None or e.inherit is not None or e.set is not None:
                    # REVOKE ADMIN|INHERIT|SET OPTION FOR: the membership stays, only the option goes.
                    edge.admin = edge.admin and e.admin is None
                    edge.inherit = edge.inherit and e.inherit is None
                    edge.set = edge.set and e.set is None
                else:
                    del db.edges[key]


def _expand(db: DbState, objtype: str, privileges: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for p in privileges:
        if p in ("ALL", "ALL PRIVILEGES"):
            every = ALL_PRIVILEGES.get(objtype, ("ALL",))
            out.extend(x for x in every if x != "MAINTAIN" or db.version >= 17)  # MAINTAIN came with 17
        else:
            out.append(p)
    return tuple(dict.fromkeys(out))


def _priv_grant(db: DbState, e: ev.PrivGrant) -> None:
    privs = _expand(db, e.objtype, e.privileges)
    targets: list[tuple[str, str]] = [(e.objtype, o) for o in e.objects]
    if e.all_in_schemas and e.objtype == "table":
        for schema in e.all_in_schemas:
            targets.append(("schema_all", schema))
            targets.extend(("table", t) for t, st in db.tables.items() if st.schema == schema)
    for named in e.grantees:
        grantee = _resolved(db, named)
        if grantee is None:
            continue  # the migration user, whose name the files do not tell
        for objtype, obj in targets:
            table = db.tables.get(obj) if objtype == "table" else None
            if table is not None and table.owner[0] == grantee:
                lacks = table.owner_lacks
                table.owner_lacks = lacks - set(privs) if e.is_grant else lacks | set(privs)
            if objtype == "schema" and obj in db.schemas and db.schemas[obj][0] == grantee:
                lacks = db.schema_owner_lacks.get(obj, frozenset())
                db.schema_owner_lacks[obj] = lacks - set(privs) if e.is_grant else lacks | set(privs)
            for p in privs:
                key = (grantee, objtype, obj, p)
                if e.is_grant:
                    db.privileges[key] = e.span
                    db.revoked.pop(key, None)
                elif db.privileges.pop(key, None) is not None or key in BUILT_IN_GRANTS:
                    db.revoked[key] = e.span


def _default_privs(db: DbState, e: ev.DefaultPrivs) -> None:
    for_roles: tuple[str | None, ...] = e.for_roles or (db.current_role,)
    schemas: tuple[str | None, ...] = e.schemas or (None,)
    privs = _expand(db, e.objtype, e.privileges)
    for role in for_roles:
        for schema in schemas:
            for grantee in e.grantees:
                for p in privs:
                    wanted = (role, schema, e.objtype, p, grantee)
                    match = [
                        d
                        for d in db.default_privs
                        if (d.for_role, d.schema, d.objtype, d.privilege, d.grantee) == wanted
                    ]
                    if e.is_grant and not match:
                        db.default_privs.append(DefaultPriv(role, schema, e.objtype, p, grantee, e.span))
                    elif not e.is_grant:
                        for d in match:
                            db.default_privs.remove(d)


def _table_create(db: DbState, e: ev.TableCreate) -> None:
    if e.if_not_exists and e.table in db.tables:
        return
    pk = e.pk
    if e.partition_of and e.partition_of in db.tables:
        pk = pk or db.tables[e.partition_of].pk  # a partition carries its parent's key
    creator = db.current_role
    owner = _resolved(db, e.owner) if e.owner is not None else creator
    db.tables[e.table] = TableState(
        e.table,
        e.span,
        pk,
        creator,
        (owner, e.span),
        partition_of=e.partition_of,
        unlogged=e.unlogged,
        partitioned=e.partitioned,
        inherits=e.inherits,
    )
    schema = e.table.split(".", 1)[0]
    for d in db.default_privs:
        if d.objtype == "table" and default_applies(db, d.for_role, creator) and d.schema in (None, schema):
            db.privileges[(d.grantee, "table", e.table, d.privilege)] = d.span


def default_applies(db: DbState, for_role: str | None, creator: str | None) -> bool:
    """Whether `ALTER DEFAULT PRIVILEGES [FOR ROLE for_role]` covers a table made by `creator`.

    `None` stands for the migration user, whose name the files do not tell. `FOR ROLE app_owner` written by a
    migration that runs as app_owner is the common pattern, so an unknown creator is taken to match a named
    role, unless some migration `SET ROLE`s to that role (then the migration user is evidently someone else).
    Assuming a mismatch instead would report every table of such projects as unreadable (a false error).
    """
    if for_role == creator:
        return True
    return creator is None and for_role is not None and for_role not in db.set_role_targets


def _table_alter(db: DbState, e: ev.TableAlter) -> None:
    table = db.tables.get(e.table)
    if table is None:
        return
    for action, arg in e.actions:
        if action == "rls":
            if arg in ("enable", "disable"):
                table.rls = (arg, e.span)
            else:
                table.forced = (arg == "force", e.span)
        elif action == "replica_identity":
            if db.in_any_publication(table.name):
                table.identity_changed_while_published = e.span
            table.replica_identity = (arg, e.span)
        elif action == "owner":
            _set_owner(db, table, _resolved(db, arg), e.span)
        elif action == "persistence":
            table.unlogged = arg == "unlogged"
        elif action in ("attach", "detach") and arg in db.tables:
            part = db.tables[arg]
            if action == "attach":
                part.partition_of = table.name
                part.pk = part.pk or table.pk  # the parent's key is built on the partition as it is attached
            elif part.partition_of == table.name:
                part.partition_of = None
        elif action == "add_pk":
            table.pk, table.pk_dropped = e.added_pk, None
        elif table.pk is not None and (
            (action == "drop_constraint" and arg == table.pk.name)
            or (action == "drop_column" and arg in table.pk.columns)
        ):
            # The key goes with its constraint, or with any of its columns (PostgreSQL drops it without CASCADE);
            # the table then has no replica identity.
            table.pk, table.pk_dropped = None, e.span


def _set_owner(db: DbState, table: TableState, owner: str | None, span: Span) -> None:
    """ALTER TABLE ... OWNER TO, REASSIGN OWNED: `owner` None is the migration user (OWNER TO CURRENT_USER),
    whose name the files do not tell; the old owner's ACL entry passes to it all the same."""
    if owner is None:
        old = table.owner[0]
        for key in [k for k in db.privileges if old is not None and k[:3] == (old, "table", table.name)]:
            del db.privileges[key]
        table.owner_lacks = frozenset()
    else:
        _hand_over(db, table, owner)
    table.owner = (owner, span)


def _hand_over(db: DbState, table: TableState, new: str) -> None:
    """ALTER TABLE ... OWNER TO: the old owner's ACL entry becomes the new owner's, merged with what the new owner
    was granted; the old owner keeps nothing (its grants were part of that entry)."""
    old = table.owner[0]
    if old is None or old == new:
        return
    granted = {k[3] for k in db.privileges if k[:3] == (new, "table", table.name)}
    for key in [k for k in db.privileges if k[:3] == (old, "table", table.name)]:
        db.privileges.setdefault((new, *key[1:]), db.privileges.pop(key))
    table.owner_lacks = table.owner_lacks - granted


def _table_rename(db: DbState, e: ev.TableRename) -> None:
    table = db.tables.get(e.table)
    if table is not None:
        _move_table(db, e.table, f"{e.new_schema or table.schema}.{e.new_name}")


def _move_table(db: DbState, old: str, new: str) -> None:
    """A table's new name (RENAME TO, SET SCHEMA, its schema renamed): what refers to it follows."""
    table = db.tables.pop(old)
    table.name = new
    db.tables[new] = table
    for other in db.tables.values():
        if other.partition_of == old:
            other.partition_of = new
        other.inherits = tuple(new if p == old else p for p in other.inherits)
    for pub in db.publications.values():
        if old in pub.tables:
            pub.tables[new] = pub.tables.pop(old)
        if old in pub.partial:
            shape, span = pub.partial.pop(old)
            pub.partial[new] = (ev.PartialTable(new, shape.row_filter, shape.columns), span)
    for key in [k for k in db.privileges if k[1] == "table" and k[2] == old]:
        db.privileges[(key[0], "table", new, key[3])] = db.privileges.pop(key)
    for key in [k for k in db.revoked if k[1] == "table" and k[2] == old]:
        db.revoked[(key[0], "table", new, key[3])] = db.revoked.pop(key)


def _publish_ops(value: str) -> tuple[str, ...]:
    return tuple(sorted({v.strip().lower() for v in value.split(",") if v.strip()}))


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "on", "1", "yes", "")


def _apply_pub_options(pub: PublicationState, options: tuple[tuple[str, str], ...], span: Span) -> None:
    for key, value in options:
        if key == "publish":
            pub.publish = (_publish_ops(value), span)
        elif key == "publish_via_partition_root":
            pub.via_root = (_truthy(value), span)


def _with_children(db: DbState, tables: tuple[str, ...], only: tuple[str, ...]) -> tuple[str, ...]:
    """Publishing `t` without ONLY publishes the inheritance children it has then (not those created later)."""
    out = list(tables)
    frontier = [t for t in tables if t not in only]
    while frontier:
        parent = frontier.pop()
        for name, table in db.tables.items():
            if parent in table.inherits and name not in out:
                out.append(name)
                frontier.append(name)
    return tuple(out)


def _publication_create(db: DbState, e: ev.PublicationCreate) -> None:
    tables = _with_children(db, e.tables, e.only)
    pub = PublicationState(
        e.name, e.span, True, e.all_tables, dict.fromkeys(tables, e.span), dict.fromkeys(e.schemas, e.span)
    )
    pub.partial = {p.table: (p, e.span) for p in e.partial}
    _apply_pub_options(pub, e.options, e.span)
    db.publications[e.name] = pub
    db.dropped_publications.pop(e.name, None)
    db.renamed_publications.pop(e.name, None)


def _publication_alter(db: DbState, e: ev.PublicationAlter) -> None:
    pub = db.publications.get(e.name)
    if pub is None:
        if e.action in ("rename", "owner"):
            return
        # Altering a publication the migrations never create (supabase_realtime, a DBA's publication).
        pub = PublicationState(e.name, e.span, declared=False)
        db.publications[e.name] = pub
    if e.tables:
        e = replace(e, tables=_with_children(db, e.tables, e.only))
    if e.action == "options":
        _apply_pub_options(pub, e.options, e.span)
    elif e.action == "add":
        pub.tables.update(dict.fromkeys(e.tables, e.span))
        pub.partial.update({p.table: (p, e.span) for p in e.partial})
        pub.schemas.update(dict.fromkeys(e.schemas, e.span))
        for t in e.tables:
            pub.removed.pop(t, None)
    elif e.action == "drop":
        for t in e.tables:
            pub.partial.pop(t, None)
            if pub.tables.pop(t, None) is not None:
                pub.removed[t] = e.span
        for s in e.schemas:
            pub.schemas.pop(s, None)
    elif e.action == "set":
        pub.removed.update(dict.fromkeys((t for t in pub.tables if t not in e.tables), e.span))
        for t in e.tables:
            pub.removed.pop(t, None)
        pub.tables = dict.fromkeys(e.tables, e.span)
        pub.schemas = dict.fromkeys(e.schemas, e.span)
        pub.partial = {p.table: (p, e.span) for p in e.partial}
    elif e.action == "rename" and e.new_name:
        db.publications.pop(e.name, None)
        pub.name = e.new_name
        db.publications[e.new_name] = pub
        db.renamed_publications[e.name] = (e.new_name, e.span)
        db.renamed_publications.pop(e.new_name, None)
        db.dropped_publications.pop(e.new_name, None)
