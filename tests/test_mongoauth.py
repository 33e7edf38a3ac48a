"""MongoDB privilege semantics: replay of setup commands, built-in role expansion, superuser detection."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lint.model.mongoauth import MongoState, RoleRef, effective_privileges, replay, superuser_reason
from lint.mongoprivs import SUPERUSER_ROLES, Privilege, Resource, allows, allows_cluster, builtin_privileges
from lint.sources.mongo import COMMANDS, MongoCommand, MongoSetup, read_mongo_doc, read_mongo_js
from lint.span import Span
from lint.yamlsrc import load_located

PATH = "mongo/setup.js"
CHECKPOINT_ACTIONS = ("createCollection", "dropCollection", "find", "changeStream", "insert", "update", "remove")


def state_of(*scripts: str) -> MongoState:
    return replay([read_mongo_js(f"mongo/{i}.js", textwrap.dedent(s)) for i, s in enumerate(scripts)])


def span_of(text: str, needle: str, path: str = PATH, nth: int = 0) -> Span:
    at = [m.start() for m in re.finditer(re.escape(needle), text)][nth]
    end = at + len(needle) - 1
    line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    end_line, end_col = text.count("\n", 0, end) + 1, end - (text.rfind("\n", 0, end) + 1) + 1
    return Span(path, line, col, end_line, end_col)


def block_span(text: str, needle: str) -> Span:
    """Span of the `{...}` that starts where `needle` does, through its matching brace."""
    at, depth = text.index(needle), 0
    for i in range(at, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return span_of(text, text[at : i + 1])
    raise AssertionError("unbalanced braces")


# RULES.md §5 mongo-change-stream-privileges "Fixed", plus the user PowerSync logs in as.
FIXED = textwrap.dedent(
    """\
    db.getSiblingDB("admin").createRole({role:"powersyncRepl", roles:[], privileges:[
      {resource:{db:"app", collection:""}, actions:["listCollections","find","changeStream"]},
      {resource:{db:"app", collection:"_powersync_checkpoints"},
       actions:["createCollection","dropCollection","find","changeStream","insert","update","remove"]}]})
    db.getSiblingDB("admin").createUser({user:"powersync", pwd:passwordPrompt(),
                                         roles:[{role:"powersyncRepl", db:"admin"}]})
    """
)


def test_rules_fixed_example_grants_what_powersync_needs() -> None:
    state = replay([read_mongo_js(PATH, FIXED)])
    assert state.problems == ()
    assert set(state.users) == {"powersync@admin"} and set(state.roles) == {"powersyncRepl@admin"}
    privs = effective_privileges(state, "powersync@admin")
    for action in ("listCollections", "find", "changeStream"):
        granted = allows(privs, action, "app", "")
        assert granted is not None and granted.via == ("powersyncRepl@admin",)
        assert granted.origin == block_span(FIXED, '{resource:{db:"app", collection:""}')
    for action in CHECKPOINT_ACTIONS:
        assert allows(privs, action, "app", "_powersync_checkpoints") is not None
    assert allows(privs, "insert", "app", "todos") is None
    assert allows(privs, "collMod", "app", "todos") is None
    assert superuser_reason(state, "powersync@admin") is None
    user = state.users["powersync@admin"]
    assert user.roles == (RoleRef("powersyncRepl", "admin", span_of(FIXED, '{role:"powersyncRepl", db:"admin"}')),)
    assert (user.password_literal, user.password_span) == (False, span_of(FIXED, "passwordPrompt()"))


def test_rules_bad_example_root_is_superuser() -> None:
    text = 'db.getSiblingDB("admin").createUser({user:"powersync", pwd:passwordPrompt(), roles:["root"]})\n'
    state = replay([read_mongo_js(PATH, text)])
    assert superuser_reason(state, "powersync@admin") == ("root", span_of(text, '"root"'))
    privs = effective_privileges(state, "powersync@admin")
    assert allows(privs, "insert", "app", "todos") is not None
    assert allows(privs, "grantRole", "", "") is not None
    assert allows_cluster(privs, "shutdown") is not None


def test_change_stream_on_named_collections_only() -> None:
    state = state_of(
        """\
        use admin
        db.createRole({role: "cs", roles: [], privileges: [
          {resource: {db: "app", collection: "todos"}, actions: ["find", "changeStream"]}]})
        db.createUser({user: "powersync", pwd: passwordPrompt(), roles: ["cs"]})
        """
    )
    privs = effective_privileges(state, "powersync@admin")
    assert allows(privs, "changeStream", "app", "") is None  # database level is what a change stream needs
    assert allows(privs, "changeStream", "app", "todos") is not None
    assert allows(privs, "find", "app", "lists") is None


def test_read_only_cannot_write_checkpoints_and_read_covers_source() -> None:
    state = state_of('db.getSiblingDB("admin").createUser({user: "ps", pwd: "x", roles: [{role: "read", db: "app"}]})')
    privs = effective_privileges(state, "ps@admin")
    for action in ("find", "changeStream", "listCollections"):
        p = allows(privs, action, "app", "")
        assert p is not None and p.via == ("read@app",)
    assert [a for a in CHECKPOINT_ACTIONS if allows(privs, a, "app", "_powersync_checkpoints") is None] == [
        "createCollection",
        "dropCollection",
        "insert",
        "update",
        "remove",
    ]
    assert allows(privs, "find", "other", "") is None
    assert state.users["ps@admin"].password_literal is True


def test_write_overgrant_readwrite_and_dbadmin() -> None:
    text = textwrap.dedent(
        """\
        use admin
        db.createUser({user: "ps", pwd: passwordPrompt(),
                       roles: [{role: "readWrite", db: "app"}, {role: "dbAdmin", db: "app"}]})
        """
    )
    state = replay([read_mongo_js(PATH, text)])
    privs = effective_privileges(state, "ps@admin")
    insert = allows(privs, "insert", "app", "todos")
    assert insert is not None and insert.via == ("readWrite@app",)
    assert insert.origin == span_of(text, '{role: "readWrite", db: "app"}')
    collmod = allows(privs, "collMod", "app", "todos")
    assert collmod is not None and collmod.via == ("dbAdmin@app",)
    assert {p.via for p in privs if "dropDatabase" in p.actions} == {("dbAdmin@app",)}
    # dbAdmin alone does not read data.
    dbadmin_only = [p for p in privs if p.via == ("dbAdmin@app",)]
    assert allows(dbadmin_only, "find", "app", "todos") is None
    assert superuser_reason(state, "ps@admin") is None


def test_atlas_collection_scoped_roles_both_forms() -> None:
    state = state_of(
        """\
        use admin
        db.createUser({user: "ps", pwd: passwordPrompt(), roles: [
          {role: "read", db: "app"},
          {role: "readWrite", db: "app", collection: "_powersync_checkpoints"},
        ]})
        db.createUser({user: "api", pwd: passwordPrompt(), roles: [
          {roleName: "readWrite", databaseName: "app", collectionName: "_powersync_checkpoints"},
        ]})
        db.createRole({role: "ckpt", roles: [], privileges: [
          {resource: {db: "app", collection: "_powersync_checkpoints"}, actions: ["insert", "update", "remove"]}]})
        db.createUser({user: "custom", pwd: passwordPrompt(), roles: ["ckpt", {role: "read", db: "app"}]})
        """
    )
    for key in ("ps@admin", "api@admin"):
        privs = effective_privileges(state, key)
        p = allows(privs, "insert", "app", "_powersync_checkpoints")
        assert p is not None and p.via == ("readWrite@app._powersync_checkpoints",)
        assert allows(privs, "insert", "app", "todos") is None
    assert state.users["api@admin"].roles[0].collection == "_powersync_checkpoints"
    custom = effective_privileges(state, "custom@admin")
    assert allows(custom, "insert", "app", "_powersync_checkpoints") is not None
    assert allows(custom, "insert", "app", "todos") is None
    assert allows(custom, "find", "app", "todos") is not None


def test_nested_custom_roles_and_cycles() -> None:
    text = textwrap.dedent(
        """\
        use admin
        db.createRole({role: "base", roles: [], privileges: [
          {resource: {db: "app", collection: ""}, actions: ["find", "changeStream", "listCollections"]}]})
        db.createRole({role: "mid", roles: ["base"], privileges: []})
        db.createRole({role: "top", roles: ["mid", {role: "read", db: "reports"}], privileges: []})
        db.grantRolesToRole("base", ["top"])
        db.createUser({user: "ps", pwd: passwordPrompt(), roles: ["top"]})
        """
    )
    state = replay([read_mongo_js(PATH, text)])
    assert state.problems == ()
    privs = effective_privileges(state, "ps@admin")
    p = allows(privs, "changeStream", "app", "")
    assert p is not None and p.via == ("top@admin", "mid@admin", "base@admin")
    r = allows(privs, "find", "reports", "sales")
    assert r is not None and r.via == ("top@admin", "read@reports")
    assert r.origin == span_of(text, '{role: "read", db: "reports"}')
    assert superuser_reason(state, "ps@admin") is None


def test_superuser_through_nested_custom_role() -> None:
    text = textwrap.dedent(
        """\
        use admin
        db.createRole({role: "ops", roles: [{role: "dbOwner", db: "admin"}], privileges: []})
        db.createRole({role: "sync", roles: ["ops"], privileges: []})
        db.createUser({user: "ps", pwd: passwordPrompt(), roles: ["sync"]})
        """
    )
    state = replay([read_mongo_js(PATH, text)])
    assert superuser_reason(state, "ps@admin") == (
        "dbOwner@admin (via sync@admin -> ops@admin)",
        span_of(text, '{role: "dbOwner", db: "admin"}'),
    )


def test_superuser_roles_and_actions() -> None:
    cases: dict[str, tuple[str, str] | None] = {
        '["userAdminAnyDatabase"]': ("userAdminAnyDatabase", '"userAdminAnyDatabase"'),
        '["restore"]': ("restore", '"restore"'),
        '["clusterAdmin"]': ("clusterAdmin", '"clusterAdmin"'),
        '["atlasAdmin"]': ("atlasAdmin", '"atlasAdmin"'),
        '["readWriteAnyDatabase"]': ("readWriteAnyDatabase", '"readWriteAnyDatabase"'),
        '["userAdmin"]': ("userAdmin@admin", '"userAdmin"'),
        '[{role: "dbOwner", db: "app"}]': None,
        '[{role: "userAdmin", db: "app"}]': None,
        '["readAnyDatabase", "clusterMonitor"]': None,
    }
    for roles, expected in cases.items():
        text = f'db.getSiblingDB("admin").createUser({{user: "u", pwd: passwordPrompt(), roles: {roles}}})\n'
        state = replay([read_mongo_js(PATH, text)])
        got = superuser_reason(state, "u@admin")
        assert got == (None if expected is None else (expected[0], span_of(text, expected[1]))), roles
    assert {"root", "__system", "dbOwner@admin", "userAdmin@admin", "restore", "atlasAdmin"} <= SUPERUSER_ROLES


def test_superuser_through_custom_privileges() -> None:
    privileges = {
        '{resource: {anyResource: true}, actions: ["anyAction"]}': "anyAction on anyResource",
        '{resource: {db: "admin", collection: ""}, actions: ["grantRole", "viewRole"]}': "grantRole on database admin",
        '{resource: {db: "", collection: ""}, actions: ["createUser"]}': "createUser on every database",
        '{resource: {db: "admin", collection: "system.users"}, actions: ["insert"]}': "insert on admin.system.users",
        '{resource: {anyResource: true}, actions: ["find"]}': "find on anyResource",
    }
    for priv, reason in privileges.items():
        text = textwrap.dedent(
            f"""\
            use admin
            db.createRole({{role: "r", roles: [], privileges: [{priv}]}})
            db.createUser({{user: "u", pwd: passwordPrompt(), roles: ["r"]}})
            """
        )
        state = replay([read_mongo_js(PATH, text)])
        assert superuser_reason(state, "u@admin") == (reason, span_of(text, priv)), priv
    harmless = '{resource: {db: "app", collection: ""}, actions: ["grantRole"]}'
    text = f'use admin\ndb.createRole({{role: "r", roles: [], privileges: [{harmless}]}})\n'
    text += 'db.createUser({user: "u", pwd: passwordPrompt(), roles: ["r"]})\n'
    assert superuser_reason(replay([read_mongo_js(PATH, text)]), "u@admin") is None


def test_revokes_updates_and_drops() -> None:
    state = state_of(
        FIXED,
        """\
        use admin
        db.grantRolesToUser("powersync", [{role: "readWrite", db: "app"}, "root"])
        db.revokeRolesFromUser("powersync", ["root"])
        db.revokePrivilegesFromRole("powersyncRepl", [
          {resource: {db: "app", collection: "_powersync_checkpoints"}, actions: ["dropCollection"]}])
        db.grantPrivilegesToRole("powersyncRepl", [{resource: {db: "app", collection: "todos"}, actions: ["collMod"]}])
        db.createRole({role: "tmp", roles: [], privileges: []})
        db.dropRole("tmp")
        db.createUser({user: "old", pwd: passwordPrompt(), roles: []})
        db.dropUser("old")
        """,
    )
    assert state.problems == ()
    assert set(state.users) == {"powersync@admin"} and set(state.roles) == {"powersyncRepl@admin"}
    assert [r.key for r in state.users["powersync@admin"].roles] == ["powersyncRepl@admin", "readWrite@app"]
    privs = effective_privileges(state, "powersync@admin")
    assert superuser_reason(state, "powersync@admin") is None
    checkpoints = [p for p in privs if p.resource == Resource("app", "_powersync_checkpoints")]
    assert "dropCollection" not in checkpoints[0].actions and "insert" in checkpoints[0].actions
    assert allows(privs, "collMod", "app", "todos") is not None

    updated = state_of(
        FIXED,
        """\
        use admin
        db.updateRole("powersyncRepl", {privileges: [{resource: {db: "app", collection: ""}, actions: ["find"]}]})
        db.updateUser("powersync", {roles: ["powersyncRepl"], pwd: "now-literal"})
        """,
    )
    privs = effective_privileges(updated, "powersync@admin")
    assert allows(privs, "find", "app", "") is not None and allows(privs, "changeStream", "app", "") is None
    assert updated.users["powersync@admin"].password_literal is True


def test_replay_problems() -> None:
    text = textwrap.dedent(
        """\
        use admin
        db.createRole({role: "r", roles: [], privileges: []})
        db.createRole({role: "r", roles: [], privileges: []})
        db.grantRolesToUser("ghost", ["read"])
        db.createUser({user: "u", pwd: passwordPrompt(), roles: ["nope", {role: "readAnyDatabase", db: "app"}]})
        db.grantPrivilegesToRole("read", [{resource: {db: "app", collection: ""}, actions: ["insert"]}])
        db.createRole({role: "read", roles: [], privileges: []})
        db.createRole({role: "bad", roles: [], privileges: [{resource: {db: "app"}, actions: ["find"]}]})
        """
    )
    state = replay([read_mongo_js(PATH, text)])
    got = [(p.kind, p.span.line, p.message) for p in state.problems]
    assert got == [
        ("mongo-replay", 3, "role r@admin is created twice; MongoDB fails the second createRole"),
        (
            "mongo-replay",
            4,
            "grantRolesToUser on user ghost@admin, which is not created before it in the files read "
            "(MongoDB fails with UserNotFound)",
        ),
        ("mongo-replay", 5, "role nope@admin is not defined before it is granted (MongoDB fails with RoleNotFound)"),
        (
            "mongo-replay",
            5,
            'built-in role readAnyDatabase exists only on the admin database; write {role: "readAnyDatabase", '
            'db: "admin"} (MongoDB rejects readAnyDatabase@app)',
        ),
        ("mongo-replay", 6, "grantPrivilegesToRole on role read@admin: built-in roles cannot be modified"),
        ("mongo-replay", 7, "createRole read@admin: a built-in role has this name; MongoDB refuses it"),
        (
            "mongo-replay",
            8,
            "createRole bad@admin: privileges[0] has a resource that is not {db, collection}, {cluster: true} or "
            "{anyResource: true}; it was not checked",
        ),
    ]
    assert state.users["u@admin"].roles == ()  # the invalid grants are not counted


def test_collections_pre_post_images_last_wins() -> None:
    state = state_of(
        """\
        use app
        db.createCollection("todos", {changeStreamPreAndPostImages: {enabled: true}})
        db.createCollection("lists")
        db.runCommand({collMod: "lists", changeStreamPreAndPostImages: {enabled: true}})
        db.runCommand({collMod: "todos", changeStreamPreAndPostImages: {enabled: false}})
        db.runCommand({collMod: "external", changeStreamPreAndPostImages: {enabled: true}})
        db.runCommand({collMod: "lists", validator: {}})
        """
    )
    assert {k: c.pre_post_images for k, c in state.collections.items()} == {
        "app.todos": False,
        "app.lists": True,
        "app.external": True,
    }
    assert state.collections["app.lists"].origin.line == 4


def test_resource_matching_rules() -> None:
    span = Span.point(PATH, 1)
    everything = Privilege(Resource("", ""), frozenset({"find"}), ("r@admin",), span)
    assert allows([everything], "find", "app", "todos") is everything
    assert allows([everything], "find", "app", "") is everything
    assert allows([everything], "find", "", "") is everything
    assert allows([everything], "find", "app", "system.users") is None  # system collections must be named
    one_db = Privilege(Resource("app", ""), frozenset({"find"}), ("r@admin",), span)
    assert allows([one_db], "find", "", "") is None
    assert allows([one_db], "find", "other", "x") is None
    named_sys = Privilege(Resource("", "system.js"), frozenset({"find"}), ("r@admin",), span)
    assert allows([named_sys], "find", "app", "system.js") is named_sys
    anything = Privilege(Resource(None, None, any_resource=True), frozenset({"anyAction"}), ("__system@admin",), None)
    assert allows([anything], "dropDatabase", "app", "system.users") is anything
    assert allows_cluster([anything], "shutdown") is anything
    assert allows_cluster([everything], "listDatabases") is None


def test_any_database_roles_only_on_admin() -> None:
    assert builtin_privileges("readAnyDatabase", "app") == ()
    read_any = builtin_privileges("readAnyDatabase", "admin")
    privs = [Privilege(r, a, ("readAnyDatabase@admin",), None) for r, a in read_any]
    assert allows(privs, "changeStream", "", "") is not None
    assert allows(privs, "find", "reports", "sales") is not None
    assert allows(privs, "insert", "reports", "sales") is None
    assert allows_cluster(privs, "listDatabases") is not None


def test_json_and_js_setups_replay_in_order() -> None:
    roles_doc = load_located(
        "mongo/roles.json",
        '{"createRole": "powersyncRepl", "$db": "admin", "roles": ["clusterMonitor"],'
        ' "privileges": [{"resource": {"db": "app", "collection": ""}, "actions": ["find", "changeStream"]}]}',
    )
    users = 'db.getSiblingDB("admin").createUser({user: "ps", pwd: passwordPrompt(), roles: ["powersyncRepl"]})'
    state = replay([read_mongo_doc(roles_doc), read_mongo_js("mongo/users.js", users)])
    assert state.problems == ()
    privs = effective_privileges(state, "ps@admin")
    p = allows(privs, "find", "app", "")
    assert p is not None and p.origin is not None and p.origin.path == "mongo/roles.json"
    assert allows_cluster(privs, "serverStatus") is not None
    # Reversed order: the role does not exist yet when the user is created.
    reversed_state = replay([read_mongo_js("mongo/users.js", users), read_mongo_doc(roles_doc)])
    assert [p.kind for p in reversed_state.problems] == ["mongo-replay"]


def test_non_literal_names_and_lists() -> None:
    state = state_of(
        """\
        use admin
        db.createUser({user: process.env.PS_USER, pwd: process.env.PS_PW || "dev", roles: ROLES})
        """
    )
    assert list(state.users) == ["<process.env.PS_USER>@admin"]
    user = state.users["<process.env.PS_USER>@admin"]
    assert user.password_literal is True  # the "dev" fallback is committed
    assert [p.kind for p in state.problems] == ["mongo-unresolved"]


# ---------------------------------------------------------------------------------------------------------
# Robustness

_NAMES = st.sampled_from(["a", "b", "read", "root", "readWrite", "dbOwner", "ops"])
_DBS = st.sampled_from(["admin", "app", ""])
_ROLE = st.one_of(_NAMES, st.builds(lambda r, d: {"role": r, "db": d}, _NAMES, _DBS), st.integers())
_PRIV = st.one_of(
    st.builds(
        lambda d, c, a: {"resource": {"db": d, "collection": c}, "actions": a},
        _DBS,
        st.sampled_from(["", "todos", "system.users"]),
        st.lists(st.sampled_from(["find", "insert", "grantRole", "anyAction"]), max_size=3),
    ),
    st.just({"resource": {"anyResource": True}, "actions": ["find"]}),
    st.just({"resource": {"cluster": True}, "actions": ["shutdown"]}),
    st.none(),
)
_COMMAND_NAMES = st.sampled_from(sorted(COMMANDS))


def _command(name: str, target: Any, db: str, roles: Any, privileges: Any) -> MongoCommand:
    body = {name: target, "roles": roles, "privileges": privileges, "changeStreamPreAndPostImages": {"enabled": True}}
    return MongoCommand(name, db or "admin", target if isinstance(target, str) else "", body, Span.point(PATH, 1), {})


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            _command,
            _COMMAND_NAMES,
            st.one_of(_NAMES, st.none()),
            _DBS,
            st.one_of(st.lists(_ROLE, max_size=3), st.none()),
            st.one_of(st.lists(_PRIV, max_size=3), st.text(max_size=3)),
        ),
        max_size=12,
    )
)
def test_random_command_sequences_never_raise(commands: list[MongoCommand]) -> None:
    state = replay([MongoSetup(PATH, tuple(commands), (), ())])
    for key in state.users:
        privs = effective_privileges(state, key)
        allows(privs, "find", "app", "todos")
        superuser_reason(state, key)
