"""MongoDB setup reader: mongosh scripts and JSON/YAML command files -> command documents with exact spans."""

from __future__ import annotations

import json
import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from lint.sources.mongo import (
    Expr,
    MongoCommand,
    MongoSetup,
    looks_like_mongo_doc,
    looks_like_mongo_js,
    read_mongo_doc,
    read_mongo_js,
)
from lint.span import Span
from lint.yamlsrc import load_located

PATH = "docker-entrypoint-initdb.d/mongo-init.js"


def js(text: str, **kw: str) -> MongoSetup:
    return read_mongo_js(PATH, textwrap.dedent(text), **kw)


def span_of(text: str, needle: str, nth: int = 0, path: str = PATH) -> Span:
    """Span of the nth occurrence of `needle` (may span lines)."""
    at = [m.start() for m in re.finditer(re.escape(needle), text)][nth]
    end = at + len(needle) - 1
    line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    end_line, end_col = text.count("\n", 0, end) + 1, end - (text.rfind("\n", 0, end) + 1) + 1
    return Span(path, line, col, end_line, end_col)


def one(setup: MongoSetup, name: str | None = None) -> MongoCommand:
    found = [c for c in setup.commands if name is None or c.name == name]
    assert len(found) == 1, setup.commands
    return found[0]


# RULES.md §5 mongo-change-stream-privileges, "Fixed".
FIXED = textwrap.dedent(
    """\
    db.getSiblingDB("admin").createRole({role:"powersyncRepl", roles:[], privileges:[
      {resource:{db:"app", collection:""}, actions:["listCollections","find","changeStream"]},
      {resource:{db:"app", collection:"_powersync_checkpoints"},
       actions:["createCollection","dropCollection","find","changeStream","insert","update","remove"]}]})
    """
)


def test_rules_fixed_example_create_role() -> None:
    setup = read_mongo_js(PATH, FIXED)
    assert setup.problems == ()
    cmd = one(setup)
    assert (cmd.name, cmd.db, cmd.target) == ("createRole", "admin", "powersyncRepl")
    assert cmd.body == {
        "createRole": "powersyncRepl",
        "roles": [],
        "privileges": [
            {"resource": {"db": "app", "collection": ""}, "actions": ["listCollections", "find", "changeStream"]},
            {
                "resource": {"db": "app", "collection": "_powersync_checkpoints"},
                "actions": ["createCollection", "dropCollection", "find", "changeStream", "insert", "update", "remove"],
            },
        ],
    }
    last = len(FIXED.splitlines()[3])  # ...,"remove"]}]})
    assert cmd.span == Span(PATH, 1, 1, 4, last)
    assert cmd.spans[("createRole",)] == span_of(FIXED, '"powersyncRepl"')
    assert cmd.spans[("roles",)] == span_of(FIXED, "[]")
    first = '{resource:{db:"app", collection:""}, actions:["listCollections","find","changeStream"]}'
    assert cmd.spans[("privileges", 0)] == span_of(FIXED, first)
    assert cmd.spans[("privileges", 1)] == Span(PATH, 3, 3, 4, last - 3)
    assert cmd.spans[("privileges", 1, "resource", "collection")] == span_of(FIXED, '"_powersync_checkpoints"')
    assert cmd.spans[("privileges", 1, "actions", 4)] == span_of(FIXED, '"insert"')


def test_rules_bad_example_root_user() -> None:
    text = 'db.getSiblingDB("admin").createUser({user:"powersync", pwd:passwordPrompt(), roles:["root"]})\n'
    cmd = one(read_mongo_js(PATH, text))
    assert (cmd.name, cmd.db, cmd.target) == ("createUser", "admin", "powersync")
    assert cmd.body == {"createUser": "powersync", "pwd": Expr("passwordPrompt()"), "roles": ["root"]}
    assert cmd.spans[("createUser",)] == span_of(text, '"powersync"')
    assert cmd.spans[("pwd",)] == span_of(text, "passwordPrompt()")
    assert cmd.spans[("roles", 0)] == span_of(text, '"root"')


DOCKER_INIT = textwrap.dedent(
    """\
    #!/usr/bin/env mongosh
    /* Runs once, when the container initialises an empty data directory.
       MONGO_INITDB_ROOT_USERNAME is created by the image itself. */
    'use strict'

    const appDbName = "todo_app"
    const replUser = process.env.POWERSYNC_MONGO_USER || 'powersync'
    const COLLECTIONS = ['todos', 'lists']

    db = db.getSiblingDB('admin')

    if (!db.getRole("powersyncRepl")) {
      db.createRole({
        role: 'powersyncRepl',
        privileges: [
          { resource: { db: appDbName, collection: '' }, actions: ['listCollections', 'find', 'changeStream'] },
          {
            resource: { db: appDbName, collection: '_powersync_checkpoints' },
            actions: ['createCollection', 'dropCollection', 'find', 'changeStream', 'insert', 'update', 'remove'],
          },
        ],
        roles: [],
      })
    }

    try {
      db.createUser({
        user: replUser,
        pwd: process.env.POWERSYNC_MONGO_PASSWORD, // injected by compose
        roles: [{ role: 'powersyncRepl', db: 'admin' }],
      })
      print(`created ${replUser}`)
    } catch (e) {
      print('user exists: ' + e.message)
    }

    const appDb = db.getSiblingDB(appDbName)
    COLLECTIONS.forEach((name) => {
      appDb.createCollection(name, { changeStreamPreAndPostImages: { enabled: true } })
    })
    appDb.getCollection('todos').createIndex({ list_id: 1 })
    appDb.todos.insertOne({ description: 'first', completed: false })
    """
)


def test_docker_entrypoint_init_script() -> None:
    setup = read_mongo_js(PATH, DOCKER_INIT)
    assert setup.problems == ()
    assert [(c.name, c.db, c.target) for c in setup.commands] == [
        ("createRole", "admin", "powersyncRepl"),
        ("createUser", "admin", ""),
        ("create", "todo_app", "todos"),
        ("create", "todo_app", "lists"),
    ]
    role, user, todos, lists = setup.commands
    # const bindings resolve inside the literal; the span is where the name is used in the call.
    assert role.body["privileges"][0]["resource"] == {"db": "todo_app", "collection": ""}
    assert role.spans[("privileges", 0, "resource", "db")] == span_of(DOCKER_INIT, "appDbName", 1)
    assert role.span == Span(PATH, 13, 3, 23, 4)
    # `replUser` is not a literal (env with a fallback): kept as an expression, the fallback flagged.
    assert user.body["createUser"] == Expr("replUser")
    assert user.body["pwd"] == Expr("process.env.POWERSYNC_MONGO_PASSWORD")
    assert user.spans[("pwd",)] == span_of(DOCKER_INIT, "process.env.POWERSYNC_MONGO_PASSWORD")
    assert user.body["roles"] == [{"role": "powersyncRepl", "db": "admin"}]
    # forEach over a const list: one command per element, pointing at the element.
    assert todos.body == {"create": "todos", "changeStreamPreAndPostImages": {"enabled": True}}
    assert todos.spans[("create",)] == span_of(DOCKER_INIT, "'todos'")
    assert lists.spans[("create",)] == span_of(DOCKER_INIT, "'lists'")
    assert todos.span == span_of(
        DOCKER_INIT, "appDb.createCollection(name, { changeStreamPreAndPostImages: { enabled: true } })"
    )
    assert setup.secret_spans == ()


def test_foreach_over_literal_list_with_run_command() -> None:
    text = textwrap.dedent(
        """\
        use app
        ["todos", "lists"].forEach(c => db.runCommand({collMod: c, changeStreamPreAndPostImages: {enabled: true}}))
        for (const c of ["items"]) { db.runCommand({ collMod: c, changeStreamPreAndPostImages: { enabled: false } }) }
        """
    )
    setup = read_mongo_js(PATH, text)
    assert [(c.name, c.db, c.target) for c in setup.commands] == [
        ("collMod", "app", "todos"),
        ("collMod", "app", "lists"),
        ("collMod", "app", "items"),
    ]
    assert setup.commands[1].spans[("collMod",)] == span_of(text, '"lists"')
    assert setup.commands[2].body["changeStreamPreAndPostImages"] == {"enabled": False}


def test_use_and_get_sibling_db_switching() -> None:
    text = textwrap.dedent(
        """\
        db.createCollection("a")
        use app
        db.createCollection("b")
        const adminDb = db.getSiblingDB("admin")
        adminDb.createUser({user: "u1", pwd: passwordPrompt(), roles: ["readAnyDatabase"]})
        db.createCollection("c")
        db = db.getSiblingDB('other')
        db.createCollection("d")
        db.getMongo().getDB("x").createCollection("e")
        db.adminCommand({createRole: "r", privileges: [], roles: []})
        db.getSiblingDB(process.env.APP_DB).createCollection("f")
        use reports; // comment after the helper
        db.createCollection("g")
        """
    )
    setup = read_mongo_js(PATH, text)
    assert [(c.db, c.target) for c in setup.commands] == [
        ("test", "a"),
        ("app", "b"),
        ("admin", "u1"),
        ("app", "c"),
        ("other", "d"),
        ("x", "e"),
        ("admin", "r"),
        ("<process.env.APP_DB>", "f"),
        ("reports", "g"),
    ]
    assert read_mongo_js(PATH, 'db.createCollection("a")', default_db="todo").commands[0].db == "todo"


def test_shell_helpers_map_to_commands() -> None:
    text = textwrap.dedent(
        """\
        use admin
        db.grantRolesToUser("powersync", ["read", {role: "readWrite", db: "app"}], {w: "majority"})
        db.revokeRolesFromUser("powersync", [{role: "readWrite", db: "app"}])
        db.grantRolesToRole("ops", ["clusterMonitor"])
        db.revokeRolesFromRole("ops", ["clusterMonitor"])
        db.grantPrivilegesToRole("ops", [{resource: {cluster: true}, actions: ["serverStatus"]}])
        db.revokePrivilegesFromRole("ops", [{resource: {cluster: true}, actions: ["serverStatus"]}])
        db.updateUser("powersync", {roles: ["read"], customData: {team: "sync"}})
        db.updateRole("ops", {privileges: [], roles: []})
        db.changeUserPassword("powersync", passwordPrompt())
        db.dropUser("old")
        db.dropRole("ops")
        db.runCommand({ping: 1})
        db.runCommand("ping")
        db.runCommand({createUser: "svc", pwd: passwordPrompt(), roles: []})
        """
    )
    setup = read_mongo_js(PATH, text)
    got = [(c.name, c.target) for c in setup.commands]
    assert got == [
        ("grantRolesToUser", "powersync"),
        ("revokeRolesFromUser", "powersync"),
        ("grantRolesToRole", "ops"),
        ("revokeRolesFromRole", "ops"),
        ("grantPrivilegesToRole", "ops"),
        ("revokePrivilegesFromRole", "ops"),
        ("updateUser", "powersync"),
        ("updateRole", "ops"),
        ("updateUser", "powersync"),
        ("dropUser", "old"),
        ("dropRole", "ops"),
        ("createUser", "svc"),
    ]
    grant = setup.commands[0]
    assert grant.body == {"grantRolesToUser": "powersync", "roles": ["read", {"role": "readWrite", "db": "app"}]}
    assert grant.spans[("roles", 1)] == span_of(text, '{role: "readWrite", db: "app"}')
    assert grant.spans[("grantRolesToUser",)] == span_of(text, '"powersync"')
    assert setup.commands[4].body["privileges"] == [{"resource": {"cluster": True}, "actions": ["serverStatus"]}]
    assert setup.commands[6].body == {"updateUser": "powersync", "roles": ["read"], "customData": {"team": "sync"}}
    assert setup.commands[6].spans[("roles", 0)] == span_of(text, '"read"', 1)
    assert setup.commands[8].body == {"updateUser": "powersync", "pwd": Expr("passwordPrompt()")}


def test_relaxed_literals() -> None:
    text = textwrap.dedent(
        """\
        const ROLE = `powersyncRepl`  // backtick without interpolation is a literal
        db.getSiblingDB("admin").createRole({
          "role": ROLE,
          'privileges': [
            /* database level */ { resource: { db: 'app', collection: "" }, actions: ["find",], },
          ],
          roles: [ ],
          authenticationRestrictions: [{clientSource: [`10.0.${subnet}.0/24`]}],
          n: NumberInt(5), m: NumberLong("7"), h: 0x1F, f: -1.5e2, t: true, z: null, u: undefined,
          esc: "tab\\there \\u00e9\\x41 \\u{1F600}", 42: 'numeric key',
          nested: [[1, [2, {deep: [3]}]]],
        })
        """
    )
    setup = read_mongo_js(PATH, text)
    assert setup.problems == ()
    cmd = one(setup)
    assert cmd.target == "powersyncRepl"
    assert cmd.body["privileges"] == [{"resource": {"db": "app", "collection": ""}, "actions": ["find"]}]
    assert cmd.body["roles"] == []
    assert cmd.body["authenticationRestrictions"] == [{"clientSource": [Expr("`10.0.${subnet}.0/24`")]}]
    assert (cmd.body["n"], cmd.body["m"], cmd.body["h"], cmd.body["f"]) == (5, 7, 31, -150.0)
    assert (cmd.body["t"], cmd.body["z"], cmd.body["u"]) == (True, None, None)
    assert cmd.body["esc"] == "tab\there \u00e9A \U0001f600"
    assert cmd.body["42"] == "numeric key"
    assert cmd.body["nested"] == [[1, [2, {"deep": [3]}]]]
    assert cmd.spans[("nested", 0, 1, 1, "deep", 0)] == span_of(text, "3")
    assert cmd.spans[("n",)] == span_of(text, "NumberInt(5)")
    assert cmd.spans[("f",)] == span_of(text, "-1.5e2")
    assert cmd.spans[("privileges", 0, "actions")] == span_of(text, '["find",]')


def test_shorthand_properties_and_expressions() -> None:
    text = textwrap.dedent(
        """\
        const user = "powersync"
        const roles = [{ role: "read", db: "app" }]
        db.createUser({ user, pwd: cat("/run/secrets/pw").trim(), roles, mechanisms: ["SCRAM-SHA-256"] })
        """
    )
    cmd = one(read_mongo_js(PATH, text))
    assert cmd.target == "powersync"
    # Under a secret key every string literal is masked, even a harmless path.
    assert cmd.body["pwd"] == Expr('cat("***").trim()')
    assert cmd.body["roles"] == [{"role": "read", "db": "app"}]
    # A const list keeps the spans of its parts where they are written.
    assert cmd.spans[("roles", 0)] == span_of(text, '{ role: "read", db: "app" }')
    assert cmd.spans[("roles",)] == span_of(text, "roles", 1)


def test_asi_and_calls_inside_blocks_and_expressions() -> None:
    text = textwrap.dedent(
        """\
        function setup() {
          const res = db.createUser({user: "a", pwd: passwordPrompt(), roles: []})
          printjson(db.getSiblingDB("admin").createRole({role: "r", privileges: [], roles: []}))
          if (process.env.EXTRA) db.createCollection("x")
          else { db.createCollection("y", {capped: true, size: 1024}) }
        }
        setup()
        """
    )
    setup = read_mongo_js(PATH, text)
    assert [(c.name, c.db, c.target) for c in setup.commands] == [
        ("createUser", "test", "a"),
        ("createRole", "admin", "r"),
        ("create", "test", "x"),
        ("create", "test", "y"),
    ]
    assert setup.commands[3].body == {"create": "y", "capped": True, "size": 1024}


def test_ignored_calls() -> None:
    text = textwrap.dedent(
        """\
        db.getCollection("users").insertOne({ createUser: "not a command" })
        db.todos.createIndex({ owner_id: 1 })
        db.getUser("powersync")
        other.db.createUser({user: "x"})
        const x = "db.createUser({unterminated"
        let re = /createRole\\(/g
        db.todos.find({ name: 'it''s broken' })
        """
    )
    setup = read_mongo_js(PATH, text)
    assert setup.commands == ()
    assert setup.problems == ()


def test_malformed_literal_in_recognised_call_is_a_parse_problem() -> None:
    text = textwrap.dedent(
        """\
        db.createRole({role: "x", privileges: [{resource: {db: 'app', collection: "oops}], roles: []})
        db.createUser({user: "ok", pwd: passwordPrompt(), roles: []})
        db.createUser({user: "b" roles: []})
        db.createRole({role: "y", privileges: [
        """
    )
    setup = read_mongo_js(PATH, text)
    assert [c.target for c in setup.commands] == ["ok"]
    assert [(p.kind, p.message, p.span) for p in setup.problems] == [
        (
            "parse",
            "createRole(): unterminated string literal; fix the literal so this call can be checked",
            Span.point(PATH, 1, span_of(text, '"oops').col),
        ),
        (
            "parse",
            "createUser(): expected ',' or '}' in an object literal; fix the literal so this call can be checked",
            Span.point(PATH, 3, 26),
        ),
        (
            "parse",
            "createRole(): array literal is not closed (missing ']'); fix the literal so this call can be checked",
            Span.point(PATH, 4, 39),
        ),
    ]


def test_non_literal_document_is_reported() -> None:
    setup = js(
        """\
        const doc = buildUser()
        db.createUser(doc)
        """
    )
    assert setup.commands == ()
    assert [(p.kind, p.span.line) for p in setup.problems] == [("mongo-unresolved", 2)]
    assert "not a literal document" in setup.problems[0].message


def test_secret_spans_never_in_messages() -> None:
    text = textwrap.dedent(
        """\
        const ADMIN_PW = "hunter2"
        db.getSiblingDB("admin").auth("root", ADMIN_PW)
        db.auth("root", "example")
        db.createUser({user: "a", pwd: "literal-pw", roles: []})
        db.createUser({user: "b", pwd: process.env.B_PW || "dev-fallback", roles: []})
        db.createUser({user: "c", pwd: ADMIN_PW, roles: []})
        const conn = connect("mongodb://root:rootpw@localhost:27017/app")
        db.createUser({user: "d", pwd: "bad, roles: []})
        """
    )
    setup = read_mongo_js(PATH, text)
    assert set(setup.secret_spans) == {
        span_of(text, '"hunter2"'),
        span_of(text, '"example"'),
        span_of(text, '"literal-pw"'),
        span_of(text, '"dev-fallback"'),
        span_of(text, '"mongodb://root:rootpw@localhost:27017/app"'),
    }
    b = next(c for c in setup.commands if c.target == "b")
    assert b.body["pwd"] == Expr('process.env.B_PW || "***"', fallback_literal=True)
    c = next(c for c in setup.commands if c.target == "c")
    assert c.body["pwd"] == "hunter2"
    for p in setup.problems:
        assert "bad" not in p.message and "hunter2" not in p.message


def test_looks_like_mongo_js() -> None:
    assert looks_like_mongo_js(FIXED)
    assert looks_like_mongo_js("appDb.createCollection('x')")
    assert looks_like_mongo_js("db.getSiblingDB('admin').runCommand({ping: 1})")
    assert not looks_like_mongo_js("console.log('createUser is a word here')")
    assert not looks_like_mongo_js("module.exports = { preset: 'ts-jest' }")


# ---------------------------------------------------------------------------------------------------------
# JSON / YAML command documents


def doc_setup(path: str, text: str) -> MongoSetup:
    located = load_located(path, text)
    assert looks_like_mongo_doc(located.data)
    return read_mongo_doc(located)


def test_json_single_command_with_db_field() -> None:
    text = json.dumps(
        {
            "createRole": "powersyncRepl",
            "privileges": [{"resource": {"db": "app", "collection": ""}, "actions": ["find", "changeStream"]}],
            "roles": [{"role": "read", "db": "app"}],
            "$db": "admin",
        },
        indent=2,
    )
    setup = doc_setup("mongo/role.json", text)
    cmd = one(setup)
    assert (cmd.name, cmd.db, cmd.target) == ("createRole", "admin", "powersyncRepl")
    assert "$db" not in cmd.body
    lines = text.splitlines()
    assert cmd.span == Span("mongo/role.json", 1, 1, len(lines), 1)
    assert cmd.spans[("createRole",)] == span_of(text, '"powersyncRepl"', path="mongo/role.json")
    role_line = lines.index('      "role": "read",') + 1
    assert cmd.spans[("roles", 0)] == Span("mongo/role.json", role_line - 1, 5, role_line + 2, 5)
    assert cmd.spans[("privileges", 0, "actions", 1)] == span_of(text, '"changeStream"', path="mongo/role.json")


def test_yaml_commands_wrapper_with_database_and_env_password() -> None:
    path = "deploy/mongo-users.yaml"
    text = textwrap.dedent(
        """\
        database: admin
        commands:
          - createUser: powersync
            pwd: !env PS_MONGO_PASSWORD
            roles: [{role: powersyncRepl, db: admin}]
          - createUser: reporter
            pwd: s3cret
            roles: [read]
            $db: reports
          - createCollection: todos
            changeStreamPreAndPostImages: {enabled: true}
            db: app
          - ping: 1
        """
    )
    setup = doc_setup(path, text)
    assert [(c.name, c.db, c.target) for c in setup.commands] == [
        ("createUser", "admin", "powersync"),
        ("createUser", "reports", "reporter"),
        ("create", "app", "todos"),
    ]
    assert setup.commands[0].body["pwd"] == Expr("!env PS_MONGO_PASSWORD")
    assert setup.commands[2].body == {"create": "todos", "changeStreamPreAndPostImages": {"enabled": True}}
    assert setup.commands[2].spans[("create",)] == span_of(text, "todos", path=path)
    assert setup.secret_spans == (span_of(text, "s3cret", path=path),)
    assert [(p.kind, p.span.line) for p in setup.problems] == [("mongo-structure", 13)]


def test_json_list_of_commands() -> None:
    text = '[{"create": "todos"}, {"collMod": "todos", "changeStreamPreAndPostImages": {"enabled": true}}]'
    setup = doc_setup("mongo/collections.json", text)
    assert [(c.name, c.db, c.target) for c in setup.commands] == [
        ("create", "test", "todos"),
        ("collMod", "test", "todos"),
    ]
    second = '{"collMod": "todos", "changeStreamPreAndPostImages": {"enabled": true}}'
    assert setup.commands[1].span == span_of(text, second, path="mongo/collections.json")


def test_looks_like_mongo_doc() -> None:
    assert looks_like_mongo_doc({"createUser": "x"})
    assert looks_like_mongo_doc({"commands": [{"grantRolesToUser": "x", "roles": []}]})
    assert looks_like_mongo_doc([{"collMod": "x"}])
    assert not looks_like_mongo_doc({"replication": {"connections": []}})
    assert not looks_like_mongo_doc(["a", 1])
    assert not looks_like_mongo_doc(None)


# ---------------------------------------------------------------------------------------------------------
# Robustness


def test_deep_nesting_and_huge_input_do_not_raise() -> None:
    deep = "db.createRole({role: 'r', privileges: " + "[" * 5000 + "]" * 5000 + "})"
    setup = read_mongo_js(PATH, deep)
    assert setup.commands == ()
    assert setup.problems[0].kind == "parse" and "nested" in setup.problems[0].message
    braces = "db.runCommand(" + "{a:" * 3000 + "1" + "}" * 3000 + ")"
    assert read_mongo_js(PATH, braces).problems[0].kind == "parse"
    loops = "const L = [" + ",".join(f'"c{i}"' for i in range(5000)) + "]\n"
    loops += "L.forEach(a => L.forEach(b => L.forEach(c => db.createCollection(c))))\n"
    assert len(read_mongo_js(PATH, loops).commands) <= 2_000_000


SCRIPTS = [FIXED, DOCKER_INIT]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("db.(){}[]'\"`/*\\ \n,:;=$-x0useforEach=>")), max_size=300))
def test_random_text_never_raises(text: str) -> None:
    setup = read_mongo_js(PATH, text)
    for c in setup.commands:
        assert isinstance(c.body, dict)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(SCRIPTS),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=40),
    st.text(max_size=5),
)
def test_mutated_real_script_never_raises(script: str, at: int, cut: int, insert: str) -> None:
    at = at % (len(script) + 1)
    mutated = script[:at] + insert + script[at + cut :]
    read_mongo_js(PATH, mutated)
    assert looks_like_mongo_js(mutated) in (True, False)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["createUser", "createRole", "roles", "pwd", "$db", "db", "commands", "collMod", "x"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_random_documents_never_raise(data: object) -> None:
    located = load_located("m.json", json.dumps(data))
    looks_like_mongo_doc(located.data)
    read_mongo_doc(located)
