"""MongoDB setup files -> the user, role and collection commands they run, in file order.

Teams commit two kinds of MongoDB setup: mongosh scripts (`mongo-init.js`, `docker-entrypoint-initdb.d/*.js`,
`setup/mongo/roles.js`) and JSON/YAML files of database commands. Both become the same `MongoCommand`
documents: the shell helpers are mapped onto the database commands they wrap (`db.createUser({user: "u", ...})`
is the `createUser` command, https://www.mongodb.com/docs/manual/reference/method/db.createUser/), so
`lint.model.mongoauth` replays one shape only.

A mongosh script is arbitrary JavaScript. We never evaluate it: a small tokenizer finds the calls we know
(`db.createRole(...)`, `db.getSiblingDB("admin").createUser(...)`, `db.runCommand({...})`, ...) and reads their
arguments as relaxed object literals. Everything else is skipped silently. A value we cannot know statically
(`passwordPrompt()`, `process.env.PW`, a variable) becomes an `Expr` holding its source text, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lint.span import LineIndex, Span
from lint.yamlsrc import EnvRef, Located, Problem, YamlPath

BodyPath = tuple[str | int, ...]

# Canonical command names (https://www.mongodb.com/docs/manual/reference/command/nav-user-management/,
# .../nav-role-management/, `create` and `collMod` from .../nav-administration/).
COMMANDS = frozenset(
    {
        "createRole",
        "updateRole",
        "dropRole",
        "createUser",
        "updateUser",
        "dropUser",
        "grantRolesToUser",
        "revokeRolesFromUser",
        "grantRolesToRole",
        "revokeRolesFromRole",
        "grantPrivilegesToRole",
        "revokePrivilegesFromRole",
        "create",
        "collMod",
    }
)
# Names people write in command files that are really shell helpers.
ALIASES = {"createCollection": "create"}

# mongosh connects to `test` when no database is given (https://www.mongodb.com/docs/mongodb-shell/run-commands/).
DEFAULT_DB = "test"

MAX_CHARS = 2_000_000  # a setup script is a few KB; anything larger is not one
MAX_DEPTH = 100  # literal nesting
MAX_EXPR = 80  # characters of source text kept for a non-literal value
MAX_LOOP_ITEMS = 1000  # elements of a literal list expanded by forEach / for-of
MAX_LOOP_DEPTH = 4
MAX_SCAN_TOKENS = 250_000  # total tokens visited, loops included (bounds nested forEach blow-ups)
MAX_COMMANDS = 10_000

# Keys whose values are secrets: never echoed, their spans are reported so outputs can mask them.
_SECRET_KEY = re.compile(r"^(pwd|password|passwd|secret|token|key)$", re.I)


@dataclass(frozen=True)
class Expr:
    """A non-literal JavaScript value, e.g. `passwordPrompt()`, `process.env.PW`, a variable.

    `fallback_literal` is true when a string literal is written as a fallback inside it
    (`process.env.PW || "devpass"`): that literal is committed too. Under a secret key (`pwd`, ...) every
    string literal in `text` is masked as "***".
    """

    text: str
    fallback_literal: bool = False


@dataclass(frozen=True)
class MongoCommand:
    name: str  # canonical command name
    db: str  # database it runs against ("<expr>" when written as a non-literal, e.g. getSiblingDB(env))
    target: str  # the user/role/collection it is about ("" if not a literal string)
    body: dict[str, Any]  # plain data: str/int/float/bool/None/list/dict/Expr
    span: Span  # the whole call (JS) or document (JSON/YAML)
    spans: dict[BodyPath, Span]  # path within body -> value span


@dataclass(frozen=True)
class MongoSetup:
    path: str
    commands: tuple[MongoCommand, ...]
    problems: tuple[Problem, ...]
    secret_spans: tuple[Span, ...]  # spans of literal passwords (pwd) so outputs can mask them


# ---------------------------------------------------------------------------------------------------------
# Sniffing

_JS_SNIFF = re.compile(
    r"\b(?:createUser|createRole|createCollection|runCommand|adminCommand|grantRolesToUser|grantRolesToRole|"
    r"grantPrivilegesToRole|revokeRolesFromUser|revokePrivilegesFromRole|updateUser|updateRole|getSiblingDB|collMod)"
    r"\s*\("
)


def looks_like_mongo_js(text: str) -> bool:
    """Cheap sniff: the script calls a user, role or collection helper (or getSiblingDB/runCommand)."""
    return _JS_SNIFF.search(text[:MAX_CHARS]) is not None


def _command_key(d: dict[str, Any]) -> str | None:
    for key in d:
        if key in COMMANDS or key in ALIASES:
            return key
    return None


def looks_like_mongo_doc(data: Any) -> bool:
    """A command document, a list of them, or `{commands: [...]}`."""
    if isinstance(data, dict):
        if _command_key(data) is not None:
            return True
        cmds = data.get("commands")
        return isinstance(cmds, list) and any(isinstance(c, dict) and _command_key(c) for c in cmds)
    if isinstance(data, list):
        return any(isinstance(c, dict) and _command_key(c) for c in data)
    return False


# ---------------------------------------------------------------------------------------------------------
# JSON / YAML command documents


def read_mongo_doc(doc: Located, *, default_db: str = DEFAULT_DB) -> MongoSetup:
    """Commands from a located JSON/YAML document. `doc.problems` are not repeated here (the caller has them)."""
    reader = _DocReader(doc)
    reader.walk(doc.data, (), default_db, top=True)
    return MongoSetup(doc.path, tuple(reader.commands), tuple(reader.problems), tuple(reader.secrets))


def _db_of(d: dict[str, Any]) -> tuple[str | None, str | None]:
    """(database, the key that gave it): `$db` first, then a `db:`/`database:` wrapper key."""
    for key in ("$db", "db", "database"):
        value = d.get(key)
        if isinstance(value, str) and value:
            return value, key
    return None, None


class _DocReader:
    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.commands: list[MongoCommand] = []
        self.problems: list[Problem] = []
        self.secrets: list[Span] = []
        # Value spans grouped by the command they belong to: commands sit at (), (i,) or ("commands", i).
        self.under: dict[YamlPath, list[tuple[YamlPath, Span]]] = {}
        for p, s in doc.spans.items():
            for n in range(min(len(p), 2) + 1):
                self.under.setdefault(p[:n], []).append((p, s))

    def walk(self, data: Any, ypath: YamlPath, db: str, *, top: bool) -> None:
        if isinstance(data, list) and top:
            for i, item in enumerate(data):
                self.item(item, (*ypath, i), db)
        elif isinstance(data, dict):
            own_db, _ = _db_of(data)
            cmds = data.get("commands")
            if _command_key(data) is None and isinstance(cmds, list) and top:
                for i, item in enumerate(cmds):
                    self.item(item, (*ypath, "commands", i), own_db or db)
            elif _command_key(data) is not None:
                self.command(data, ypath, db)

    def item(self, data: Any, ypath: YamlPath, db: str) -> None:
        if isinstance(data, dict) and _command_key(data) is not None:
            self.command(data, ypath, db)
            return
        self.problems.append(
            Problem(
                "mongo-structure",
                f"entry {_dotted(ypath)} is not a MongoDB user, role or collection command "
                f"(expected a document whose first key is one of {', '.join(sorted(COMMANDS))}); it was not checked",
                self.doc.at(ypath),
            )
        )

    def command(self, data: dict[str, Any], ypath: YamlPath, db: str) -> None:
        key = _command_key(data)
        assert key is not None
        own_db, db_key = _db_of(data)
        name = ALIASES.get(key, key)
        body: dict[str, Any] = {}
        spans: dict[BodyPath, Span] = {}
        for k, v in data.items():
            if k == "$db" or (k == db_key and k != key):
                continue
            bk = name if k == key else k
            body[bk] = _plain(v)
            for p, s in self.under.get(ypath, ()):
                if len(p) > len(ypath) and p[len(ypath)] == k:
                    spans[(bk, *p[len(ypath) + 1 :])] = s
        pwd = body.get("pwd")
        if isinstance(pwd, str) and pwd and ("pwd",) in spans:
            self.secrets.append(spans[("pwd",)])
        target = body.get(name)
        self.commands.append(
            MongoCommand(
                name,
                own_db or db,
                target if isinstance(target, str) else "",
                body,
                self.doc.at(ypath),
                spans,
            )
        )


def _plain(value: Any) -> Any:
    """YAML data -> command body data (`!env X` becomes a non-literal `Expr`)."""
    if isinstance(value, EnvRef):
        return Expr(f"!env {value.text}")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _dotted(path: YamlPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


# ---------------------------------------------------------------------------------------------------------
# JavaScript tokens


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "ident" | "str" | "tmpl" | "num" | "punct" | "regex" | "error"
    text: str  # identifier / punctuator / error message; "" for literals
    value: Any  # decoded string (None for a template with ${...}), number
    start: int
    end: int
    nl: bool  # a line break precedes the token (automatic semicolon insertion, `use db`)


_PUNCTS = sorted(
    (
        ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
        "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>",
    ),
    key=len,
    reverse=True,
)  # fmt: skip
_IDENT = re.compile(r"(?:[^\W\d]|\$)(?:\w|\$)*")
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F_]+n?|0[oO][0-7_]+n?|0[bB][01_]+n?|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?"
)
_SPACE = re.compile(r"[ \t\f\v\r\ufeff\xa0\u200b]+")
_REGEX_BEFORE = frozenset(
    {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield"}
)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _escape(text: str, j: int) -> tuple[str, int]:
    """Decode the escape whose letter is at `j` (just after the backslash); returns (chars, next index)."""
    n = len(text)
    e = text[j]
    if e == "\r":
        return "", j + (2 if text[j + 1 : j + 2] == "\n" else 1)
    if e in "\n\u2028\u2029":
        return "", j + 1
    if e in _SIMPLE_ESCAPES and not (e == "0" and text[j + 1 : j + 2].isdigit()):
        return _SIMPLE_ESCAPES[e], j + 1
    if e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[j + 1 : j + 3]):
        return chr(int(text[j + 1 : j + 3], 16)), j + 3
    if e == "u":
        if text[j + 1 : j + 2] == "{":
            close = text.find("}", j + 2, min(n, j + 10))
            digits = text[j + 2 : close] if close > 0 else ""
            if digits and re.fullmatch(r"[0-9a-fA-F]{1,6}", digits) and int(digits, 16) <= 0x10FFFF:
                return _safe_chr(int(digits, 16)), close + 1
        elif re.fullmatch(r"[0-9a-fA-F]{4}", text[j + 1 : j + 5]):
            return _safe_chr(int(text[j + 1 : j + 5], 16)), j + 5
    return e, j + 1


def _safe_chr(code: int) -> str:
    # A lone surrogate would make the string unencodable later (messages, JSON output).
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def _scan_string(text: str, i: int) -> tuple[int, str | None]:
    """A '...' or "..." literal at `i`: (end, decoded) or (end of line, None) when unterminated."""
    quote, n, j = text[i], len(text), i + 1
    out: list[str] = []
    while j < n:
        c = text[j]
        if c == quote:
            return j + 1, "".join(out)
        if c == "\n":
            return j, None
        if c == "\\":
            if j + 1 >= n:
                break
            chars, j = _escape(text, j + 1)
            out.append(chars)
            continue
        out.append(c)
        j += 1
    return n, None


def _scan_template(text: str, i: int, depth: int) -> tuple[int, str | None, bool]:
    """A `...` literal at `i`: (end, decoded or None when it interpolates, terminated)."""
    n, j = len(text), i + 1
    out: list[str] = []
    interpolated = False
    while j < n:
        c = text[j]
        if c == "`":
            return j + 1, None if interpolated else "".join(out), True
        if c == "\\":
            if j + 1 >= n:
                break
            chars, j = _escape(text, j + 1)
            out.append(chars)
            continue
        if c == "$" and text[j + 1 : j + 2] == "{":
            interpolated = True
            j = _skip_interpolation(text, j + 2, depth + 1)
            if j < 0:
                return n, None, False
            continue
        out.append(c)
        j += 1
    return n, None, False


def _skip_interpolation(text: str, j: int, depth: int) -> int:
    """Index just after the `}` closing a `${` whose body starts at `j`; -1 when it never closes."""
    if depth > MAX_DEPTH:
        return -1
    n, braces = len(text), 1
    while j < n:
        c = text[j]
        if c in "'\"":
            j, _ = _scan_string(text, j)
            continue
        if c == "`":
            j, _, ok = _scan_template(text, j, depth)
            if not ok:
                return -1
            continue
        if c == "{":
            braces += 1
        elif c == "}":
            braces -= 1
            if braces == 0:
                return j + 1
        j += 1
    return -1


def _regex_allowed(prev: _Tok | None) -> bool:
    if prev is None:
        return True
    if prev.kind == "punct":
        return prev.text not in (")", "]", "}")
    return prev.kind == "ident" and prev.text in _REGEX_BEFORE


def _scan_regex(text: str, i: int) -> int:
    """End of a /regex/flags literal at `i`, or -1 when this `/` is not one."""
    n, j, in_class = len(text), i + 1, False
    while j < n:
        c = text[j]
        if c == "\n":
            return -1
        if c == "\\":
            j += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            j += 1
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            return j
        j += 1
    return -1


def _number_value(raw: str) -> int | float | None:
    s = raw.replace("_", "").rstrip("n")
    try:
        if s[:2] in ("0x", "0X"):
            return int(s[2:], 16)
        if s[:2] in ("0o", "0O"):
            return int(s[2:], 8)
        if s[:2] in ("0b", "0B"):
            return int(s[2:], 2)
        if re.fullmatch(r"\d+", s):
            return int(s)
        return float(s)
    except ValueError:
        return None


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    n, i, nl = len(text), 0, True
    if text.startswith("#!"):  # shebang line of an executable script
        i = text.find("\n")
        i = n if i < 0 else i

    def add(kind: str, tx: str, value: Any, start: int, end: int) -> None:
        nonlocal nl
        toks.append(_Tok(kind, tx, value, start, end, nl))
        nl = False

    while i < n:
        c = text[i]
        if c in "\n\u2028\u2029":
            nl, i = True, i + 1
            continue
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        nxt = text[i + 1 : i + 2]
        if c == "/" and nxt == "/":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "/" and nxt == "*":
            j = text.find("*/", i + 2)
            if j < 0:
                add("error", "unterminated /* comment", None, i, n)
                break
            nl = nl or "\n" in text[i:j]
            i = j + 2
            continue
        if c in "'\"":
            j, value = _scan_string(text, i)
            if value is None:
                add("error", "unterminated string literal", None, i, j)
            else:
                add("str", "", value, i, j)
            i = j
            continue
        if c == "`":
            j, value, ok = _scan_template(text, i, 0)
            if not ok:
                add("error", "unterminated template literal", None, i, j)
            else:
                add("tmpl", "", value, i, j)
            i = j
            continue
        if c.isdigit() or (c == "." and nxt.isdigit()):
            m = _NUMBER.match(text, i)
            j = m.end() if m else i + 1
            add("num", "", _number_value(text[i:j]), i, j)
            i = j
            continue
        m = _IDENT.match(text, i)
        if m:
            add("ident", m.group(), None, i, m.end())
            i = m.end()
            continue
        if c == "/" and _regex_allowed(toks[-1] if toks else None):
            j = _scan_regex(text, i)
            if j > 0:
                add("regex", "", None, i, j)
                i = j
                continue
        for p in _PUNCTS:
            if text.startswith(p, i):
                add("punct", p, None, i, i + len(p))
                i += len(p)
                break
        else:
            add("punct", c, None, i, i + 1)
            i += 1
    return toks


def _match_brackets(toks: list[_Tok]) -> dict[int, int]:
    """Index of the closing token for every opening ( [ { that is closed."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack: list[int] = []
    out: dict[int, int] = {}
    for k, t in enumerate(toks):
        if t.kind != "punct":
            continue
        if t.text in pairs:
            stack.append(k)
        elif t.text in (")", "]", "}"):
            # Pop to the nearest matching opener; unmatched closers are ignored (arbitrary, maybe broken JS).
            for depth in range(len(stack) - 1, max(-1, len(stack) - 50), -1):
                if pairs[toks[stack[depth]].text] == t.text:
                    out[stack[depth]] = k
                    del stack[depth:]
                    break
    return out


# ---------------------------------------------------------------------------------------------------------
# mongosh scripts

# Shell helpers we read -> how their arguments become a command document.
_USER_ROLE_LIST = {
    "grantRolesToUser": "roles",
    "revokeRolesFromUser": "roles",
    "grantRolesToRole": "roles",
    "revokeRolesFromRole": "roles",
    "grantPrivilegesToRole": "privileges",
    "revokePrivilegesFromRole": "privileges",
}
_HELPERS = frozenset(
    {
        "createUser",
        "createRole",
        "updateUser",
        "updateRole",
        "dropUser",
        "dropRole",
        "createCollection",
        "changeUserPassword",
        "runCommand",
        "adminCommand",
        "command",  # Node.js driver: `client.db("app").command({...})`
        "auth",  # not a command, but its password argument is a committed secret
        *_USER_ROLE_LIST,
    }
)
_DB_SWITCH = frozenset({"getSiblingDB", "getSisterDB", "getDB"})
# mongosh / legacy shell number wrappers: the wrapped literal is the value.
_WRAPPERS = frozenset({"NumberInt", "NumberLong", "NumberDecimal", "Int32", "Long", "Double", "Decimal128"})
_TERMINATORS = frozenset({",", "}", "]", ")", ";"})
# A string fallback inside an expression: `process.env.PW || "dev"`, `a ?? "x"`, `c ? "x" : "y"`.
_FALLBACK_OPS = frozenset({"||", "??", "?", ":"})
_WORD_OPERATORS = frozenset(
    {"in", "instanceof", "of", "typeof", "new", "void", "delete", "await", "async", "function", "yield"}
)


class _Malformed(Exception):  # noqa: N818 - control flow inside the reader only, never escapes it
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class _DbHandle:
    db: str


@dataclass
class _Value:
    """A parsed literal with the spans of its parts (paths relative to the value)."""

    value: Any
    spans: dict[BodyPath, Span] = field(default_factory=dict)
    fallback_spans: list[Span] = field(default_factory=list)  # string fallbacks inside Exprs
    # Loop items point at their element in the list literal; a const at its use site (inside the call).
    point_at_definition: bool = False
    bound_paths: set[BodyPath] = field(default_factory=set)  # values taken from a binding (not literal here)


_Binding = _DbHandle | _Value


class _JsReader:
    def __init__(self, path: str, text: str, default_db: str) -> None:
        self.path = path
        self.text = text
        self.index = LineIndex(text)
        self.toks = _tokenize(text)
        self.match = _match_brackets(self.toks)
        self.db = default_db
        self.env: dict[str, _Binding] = {}
        self.commands: list[MongoCommand] = []
        self.problems: list[Problem] = []
        self.secrets: list[Span] = []
        self.budget = MAX_SCAN_TOKENS

    # -- helpers ---------------------------------------------------------------------------------------

    def tok(self, k: int) -> _Tok | None:
        return self.toks[k] if 0 <= k < len(self.toks) else None

    def is_punct(self, k: int, *texts: str) -> bool:
        t = self.tok(k)
        return t is not None and t.kind == "punct" and t.text in texts

    def is_ident(self, k: int, *names: str) -> bool:
        t = self.tok(k)
        return t is not None and t.kind == "ident" and (not names or t.text in names)

    def span(self, start: int, end: int) -> Span:
        return self.index.span(self.path, start, end)

    def tok_span(self, a: int, b: int) -> Span:
        """Span from token a through token b (inclusive)."""
        return self.span(self.toks[a].start, self.toks[b].end)

    def problem(self, kind: str, message: str, offset: int) -> None:
        line, col = self.index.position(offset)
        self.problems.append(Problem(kind, message, Span.point(self.path, line, col)))

    def ends_value(self, k: int) -> bool:
        """Token k ends a value: a separator, the end, or a new line (automatic semicolon insertion)."""
        t = self.tok(k)
        return t is None or (t.kind == "punct" and t.text in _TERMINATORS) or t.nl

    # -- statements ------------------------------------------------------------------------------------

    def scan(self, lo: int, hi: int, depth: int) -> None:
        k = lo
        while k < hi and self.budget > 0 and len(self.commands) < MAX_COMMANDS:
            self.budget -= 1
            t = self.toks[k]
            nxt = self.scan_at(k, hi, depth, t)
            k = nxt if nxt > k else k + 1
        if (self.budget <= 0 or len(self.commands) >= MAX_COMMANDS) and depth == 0:
            self.problem(
                "mongo-structure", "script too large or its loops too long to read completely; the rest was skipped", 0
            )

    def scan_at(self, k: int, hi: int, depth: int, t: _Tok) -> int:
        if t.kind == "punct" and t.text == "[":
            return self.foreach_literal(k, hi, depth)
        if t.kind != "ident" or self.is_punct(k - 1, ".", "?."):
            return k
        if t.text == "use" and self.at_statement_start(k):
            return self.use(k)
        if t.text in ("const", "let", "var") and self.is_ident(k + 1) and self.is_punct(k + 2, "="):
            return self.assign(k + 1)
        if t.text == "for" and self.is_punct(k + 1, "("):
            return self.for_of(k, hi, depth)
        if self.is_punct(k + 1, "="):
            return self.assign(k)
        bound = self.env.get(t.text)
        if self.is_punct(k + 1, ".") and self.is_ident(k + 2, "forEach") and isinstance(bound, _Value):
            return self.foreach(k, k + 1, bound, hi, depth)
        return self.receiver_call(k)

    def at_statement_start(self, k: int) -> bool:
        return k == 0 or self.toks[k].nl or self.is_punct(k - 1, ";", "{", "}")

    def use(self, k: int) -> int:
        """mongosh's `use app` helper (not JavaScript): switches the current database."""
        t = self.toks[k]
        eol = self.text.find("\n", t.end)
        eol = len(self.text) if eol < 0 else eol
        rest = self.text[t.end : eol].split("//", 1)[0].strip().rstrip(";").strip()
        if not re.fullmatch(r"[^\s;/\\.\"'$(){}]+", rest) or not self.text[t.end : t.end + 1].isspace():
            return k
        self.db = rest
        j = k + 1
        while j < len(self.toks) and self.toks[j].start < eol:
            j += 1
        return j

    def assign(self, k: int) -> int:
        """`name = <value>` (also after const/let/var). Returns where scanning continues."""
        name = self.toks[k].text
        rhs = k + 2
        handle = self.receiver(rhs)
        if handle is not None and self.ends_value(handle[1]):
            if name == "db":
                self.db = handle[0]  # `db = db.getSiblingDB("app")` switches the script's database
            else:
                self.env[name] = _DbHandle(handle[0])
            return handle[1]
        self.env.pop(name, None)
        t = self.tok(rhs)
        if t is not None and (t.kind in ("str", "tmpl", "num") or (t.kind == "punct" and t.text in ("[", "{", "-"))):
            try:
                value, end = self.value_at(rhs)
            except _Malformed:
                return rhs
            if self.ends_value(end) and not _contains_expr(value.value):
                self.env[name] = value
                return end
        # Not a literal: scan the right-hand side too, it may be a call we read (`const r = db.createUser(...)`).
        return rhs

    def value_at(self, k: int) -> tuple[_Value, int]:
        out = _Value(None)
        value, end = self.value(k, (), out, 0, "")
        out.value = value
        return out, end

    # -- receivers and calls ---------------------------------------------------------------------------

    def receiver(self, k: int) -> tuple[str, int] | None:
        """A database expression at token k -> (database, index after it)."""
        t = self.tok(k)
        if t is None or t.kind != "ident":
            return None
        db: str | None = None
        j = k + 1
        if t.text == "db" and "db" not in self.env:
            db = self.db
        elif isinstance(self.env.get(t.text), _DbHandle):
            handle = self.env[t.text]
            assert isinstance(handle, _DbHandle)
            db = handle.db
        elif t.text == "connect" and self.is_punct(k + 1, "("):
            close = self.match.get(k + 1)
            if close is None:
                return None
            db = self.connect_db(k + 2, close)
            j = close + 1
        elif (t.text == "new" and self.is_ident(k + 1, "Mongo")) or t.text in ("Mongo", "client", "conn", "mongo"):
            j = k + 2 if t.text == "new" else k + 1
            if self.is_punct(j, "("):
                close = self.match.get(j)
                if close is None:
                    return None
                j = close + 1
        else:
            return None
        while self.is_punct(j, ".", "?.") and self.is_ident(j + 1):
            method = self.toks[j + 1].text
            if method == "getMongo" and self.is_punct(j + 2, "(") and self.is_punct(j + 3, ")"):
                db, j = None, j + 4
            elif method == "admin" and self.is_punct(j + 2, "(") and self.is_punct(j + 3, ")"):
                db, j = "admin", j + 4  # Node.js driver: client.db().admin()
            elif (method in _DB_SWITCH or method == "db") and self.is_punct(j + 2, "("):
                close = self.match.get(j + 2)
                if close is None:
                    return None
                db, j = self.db_name_arg(j + 3, close), close + 1
            else:
                break
        return (db, j) if db is not None else None

    def connect_db(self, lo: int, close: int) -> str:
        """`connect("localhost:27017/app")`: the database named in the connection string."""
        t = self.tok(lo)
        if t is not None and t.kind == "str" and lo + 1 == close:
            if re.match(r"^(?:mongodb(?:\+srv)?://)?[^/@]*:[^/@]+@", str(t.value)):
                self.secrets.append(self.span(t.start, t.end))  # a password in the connection string
            target = str(t.value).split("?", 1)[0]
            if "://" in target:
                target = target.split("://", 1)[1]
            if "/" in target and target.rsplit("/", 1)[1]:
                return target.rsplit("/", 1)[1]
        return DEFAULT_DB if lo == close else f"<{self.expr_text(lo, close, secret=True)}>"

    def db_name_arg(self, lo: int, close: int) -> str:
        t = self.tok(lo)
        if t is not None and lo + 1 == close:
            if t.kind in ("str", "tmpl") and isinstance(t.value, str):
                return t.value
            bound = self.env.get(t.text) if t.kind == "ident" else None
            if isinstance(bound, _Value) and isinstance(bound.value, str):
                return bound.value
        if lo == close:
            return self.db  # Node's client.db() without a name uses the connection string's database
        return f"<{self.expr_text(lo, close)}>"

    def receiver_call(self, k: int) -> int:
        found = self.receiver(k)
        if found is None:
            return k
        db, j = found
        if not (self.is_punct(j, ".", "?.") and self.is_ident(j + 1) and self.is_punct(j + 2, "(")):
            return j if j > k + 1 else k
        method = self.toks[j + 1].text
        if method not in _HELPERS:
            return j
        open_ = j + 2
        try:
            # The second argument of changeUserPassword/auth is a password: mask and report it as one.
            args, close, out = self.call_args(open_, 1 if method in ("changeUserPassword", "auth") else -1)
        except _Malformed as exc:
            self.problem(
                "parse",
                f"{method}(): {exc.message}; fix the literal so this call can be checked",
                exc.offset,
            )
            return self.resume_after(exc.offset)
        span = self.tok_span(k, close)
        self.build(method, db, args, out, span)
        return close + 1

    def resume_after(self, offset: int) -> int:
        for k, t in enumerate(self.toks):
            if t.start > offset:
                return k
        return len(self.toks)

    def call_args(self, open_: int, secret_arg: int = -1) -> tuple[list[Any], int, _Value]:
        """Arguments of the call whose `(` is token `open_`: values, index of `)`, spans under (argN, ...)."""
        out = _Value(None)
        args: list[Any] = []
        k = open_ + 1
        while True:
            t = self.tok(k)
            if t is None:
                raise _Malformed("the call is not closed (missing ')')", self.toks[open_].start)
            if t.kind == "punct" and t.text == ")":
                return args, k, out
            value, k = self.value(k, (len(args),), out, 0, "pwd" if len(args) == secret_arg else "")
            args.append(value)
            t = self.tok(k)
            if t is not None and t.kind == "punct" and t.text == ",":
                k += 1
            elif not (t is not None and t.kind == "punct" and t.text == ")"):
                where = t.start if t is not None else len(self.text)
                if t is not None and t.kind == "error":
                    raise _Malformed(t.text, t.start)
                raise _Malformed("expected ',' or ')' after an argument", where)

    # -- values ----------------------------------------------------------------------------------------

    def value(self, k: int, path: BodyPath, out: _Value, depth: int, key: str) -> tuple[Any, int]:
        """One value at token k: (plain data, index after it). Records spans[path] in `out`."""
        if depth > MAX_DEPTH:
            raise _Malformed(f"literal nested more than {MAX_DEPTH} levels deep", self.toks[k].start)
        t = self.tok(k)
        if t is None:
            raise _Malformed("unexpected end of file inside the call", len(self.text))
        if t.kind == "error":
            raise _Malformed(t.text, t.start)
        if t.kind == "punct" and t.text == "{":
            return self.obj(k, path, out, depth, key)
        if t.kind == "punct" and t.text == "[":
            return self.arr(k, path, out, depth)
        literal = self.literal(k)
        if literal is not None:
            value, end = literal
            if self.ends_value(end):
                out.spans[path] = self.tok_span(k, end - 1)
                return value, end
        if t.kind == "ident" and self.ends_value(k + 1):
            bound = self.env.get(t.text)
            if isinstance(bound, _Value):
                at_def = bound.point_at_definition and () in bound.spans
                out.spans[path] = bound.spans[()] if at_def else self.tok_span(k, k)
                out.bound_paths.add(path)
                for sub, s in bound.spans.items():
                    if sub:
                        out.spans[(*path, *sub)] = s
                if _SECRET_KEY.match(key) and isinstance(bound.value, str) and () in bound.spans:
                    self.secrets.append(bound.spans[()])  # the literal written at the const
                return bound.value, k + 1
        return self.expression(k, path, out, key)

    def literal(self, k: int) -> tuple[Any, int] | None:
        t = self.toks[k]
        if t.kind == "str" or (t.kind == "tmpl" and t.value is not None):
            return t.value, k + 1
        if t.kind == "num" and t.value is not None:
            return t.value, k + 1
        if t.kind == "punct" and t.text in ("-", "+"):
            nxt = self.tok(k + 1)
            if nxt is not None and nxt.kind == "num" and nxt.value is not None:
                return (-nxt.value if t.text == "-" else nxt.value), k + 2
            return None
        if t.kind != "ident":
            return None
        if t.text in ("true", "false"):
            return t.text == "true", k + 1
        if t.text in ("null", "undefined"):
            return None, k + 1
        j = k + 1 if t.text == "new" else k
        if self.is_ident(j, *_WRAPPERS) and self.is_punct(j + 1, "("):
            inner = self.tok(j + 2)
            if inner is not None and self.is_punct(j + 3, ")"):
                if inner.kind == "num" and inner.value is not None:
                    return inner.value, j + 4
                if inner.kind == "str":
                    number = _number_value(str(inner.value).strip())
                    if number is not None:
                        return number, j + 4
        return None

    def obj(self, k: int, path: BodyPath, out: _Value, depth: int, key: str) -> tuple[Any, int]:
        start = self.toks[k].start
        result: dict[str, Any] = {}
        j = k + 1
        while True:
            t = self.tok(j)
            if t is None:
                raise _Malformed("object literal is not closed (missing '}')", start)
            if t.kind == "error":
                raise _Malformed(t.text, t.start)
            if t.kind == "punct" and t.text == "}":
                out.spans[path] = self.span(start, t.end)
                return result, j + 1
            if t.kind == "punct" and t.text == "...":
                _, j = self.expression(j + 1, (), _Value(None), "")
            else:
                j = self.member(j, path, out, depth, result)
            t = self.tok(j)
            if t is not None and t.kind == "punct" and t.text == ",":
                j += 1
            elif not (t is not None and t.kind == "punct" and t.text == "}"):
                if t is not None and t.kind == "error":
                    raise _Malformed(t.text, t.start)
                where = t.start if t is not None else len(self.text)
                raise _Malformed("expected ',' or '}' in an object literal", where)

    def member(self, j: int, path: BodyPath, out: _Value, depth: int, result: dict[str, Any]) -> int:
        t = self.toks[j]
        if t.kind == "punct" and t.text == "[":  # computed key: value is read but the key is unknown
            close = self.match.get(j)
            if close is None:
                raise _Malformed("computed property name is not closed", t.start)
            if not self.is_punct(close + 1, ":"):
                raise _Malformed("expected ':' after a property name", self.toks[close].end)
            _, end = self.value(close + 2, (), _Value(None), depth + 1, "")
            return end
        if t.kind == "ident":
            name = t.text
        elif t.kind in ("str", "tmpl") and t.value is not None:
            name = str(t.value)
        elif t.kind == "num" and t.value is not None:
            name = _js_number_key(t.value)
        else:
            raise _Malformed("expected a property name", t.start)
        if self.is_punct(j + 1, ":"):
            value, end = self.value(j + 2, (*path, name), out, depth + 1, name)
            result[name] = value  # a repeated key: the last one wins, as in JavaScript
            return end
        if t.kind == "ident" and self.is_punct(j + 1, ",", "}"):  # shorthand `{user, pwd}`
            value, end = self.value(j, (*path, name), out, depth + 1, name)
            result[name] = value
            return end
        if self.is_punct(j + 1, "("):  # method shorthand: not data
            close = self.match.get(j + 1)
            body_close = self.match.get(close + 1) if close is not None and self.is_punct(close + 1, "{") else None
            if body_close is None:
                raise _Malformed("method in an object literal is not closed", t.start)
            return body_close + 1
        where = self.toks[j + 1].start if j + 1 < len(self.toks) else len(self.text)
        raise _Malformed("expected ':' after a property name", where)

    def arr(self, k: int, path: BodyPath, out: _Value, depth: int) -> tuple[Any, int]:
        start = self.toks[k].start
        result: list[Any] = []
        j = k + 1
        while True:
            t = self.tok(j)
            if t is None:
                raise _Malformed("array literal is not closed (missing ']')", start)
            if t.kind == "error":
                raise _Malformed(t.text, t.start)
            if t.kind == "punct" and t.text == "]":
                out.spans[path] = self.span(start, t.end)
                return result, j + 1
            if t.kind == "punct" and t.text == ",":  # elision [a, , b]
                j += 1
                continue
            if t.kind == "punct" and t.text == "...":
                value, j = self.expression(j + 1, (*path, len(result)), out, "")
                result.append(value)
            else:
                value, j = self.value(j, (*path, len(result)), out, depth + 1, "")
                result.append(value)
            t = self.tok(j)
            if t is not None and t.kind == "punct" and t.text == ",":
                j += 1
            elif not (t is not None and t.kind == "punct" and t.text == "]"):
                if t is not None and t.kind == "error":
                    raise _Malformed(t.text, t.start)
                where = t.start if t is not None else len(self.text)
                raise _Malformed("expected ',' or ']' in an array literal", where)

    def expression(self, k: int, path: BodyPath, out: _Value, key: str) -> tuple[Expr, int]:
        """A non-literal value: consumed up to the next separator at nesting level 0."""
        j, level = k, 0
        fallbacks: list[_Tok] = []
        while j < len(self.toks):
            t = self.toks[j]
            if t.kind == "error":
                raise _Malformed(t.text, t.start)
            if t.kind == "punct":
                if t.text in ("(", "[", "{"):
                    level += 1
                elif t.text in (")", "]", "}"):
                    if level == 0:
                        break
                    level -= 1
                elif level == 0 and t.text in (",", ";"):
                    break
            if level == 0 and j > k and (self.asi_break(j) if t.nl else self.adjacent_operands(j)):
                break
            if t.kind in ("str", "tmpl") and t.value is not None and self.is_punct(j - 1, *_FALLBACK_OPS):
                fallbacks.append(t)
            j += 1
        if j == k:
            where = self.toks[k].start if k < len(self.toks) else len(self.text)
            raise _Malformed("expected a value", where)
        secret = bool(_SECRET_KEY.match(key))
        out.spans[path] = self.tok_span(k, j - 1)
        if secret:
            for f in fallbacks:
                self.secrets.append(self.span(f.start, f.end))
        out.fallback_spans.extend(self.span(f.start, f.end) for f in fallbacks)
        return Expr(self.expr_text(k, j, secret=secret), bool(fallbacks)), j

    def asi_break(self, j: int) -> bool:
        """A line break before token j ends the expression (JavaScript's automatic semicolon insertion)."""
        prev, cur = self.toks[j - 1], self.toks[j]
        continues = {".", "?.", "+", "-", "*", "/", "%", "||", "&&", "??", "?", ":", "=>", "=", "==", "==="}
        if prev.kind == "punct" and prev.text not in (")", "]", "}", "++", "--"):
            return False
        return not (cur.kind == "punct" and cur.text in continues)

    def adjacent_operands(self, j: int) -> bool:
        """Two operands with no operator between them (`"b" roles`): the value ended, the literal is broken."""
        prev, cur = self.toks[j - 1], self.toks[j]
        operand = ("ident", "str", "num", "tmpl", "regex")
        if any(t.kind == "ident" and t.text in _WORD_OPERATORS for t in (prev, cur)):
            return False
        ends = prev.kind in operand or (prev.kind == "punct" and prev.text in (")", "]", "}"))
        return ends and cur.kind in operand

    def expr_text(self, lo: int, hi: int, *, secret: bool = False) -> str:
        """Source text of tokens [lo, hi): whitespace collapsed, string literals masked under secret keys."""
        if hi <= lo or lo >= len(self.toks):
            return ""
        parts: list[str] = []
        last = self.toks[lo].start
        for t in self.toks[lo : min(hi, lo + 200)]:
            if t.start > last:
                parts.append(" ")
            raw = self.text[t.start : t.end]
            if secret and t.kind in ("str", "tmpl"):
                raw = raw[0] + "***" + raw[0]
            parts.append(raw)
            last = t.end
            if sum(len(p) for p in parts) > MAX_EXPR:
                break
        text = re.sub(r"\s+", " ", "".join(parts)).strip()
        return text if len(text) <= MAX_EXPR else text[: MAX_EXPR - 1] + "…"

    # -- loops over literal lists -------------------------------------------------------------------------

    def foreach_literal(self, k: int, hi: int, depth: int) -> int:
        """`["todos", "lists"].forEach(c => db.runCommand({collMod: c, ...}))`."""
        close = self.match.get(k)
        if close is None or not (self.is_punct(close + 1, ".") and self.is_ident(close + 2, "forEach")):
            return k
        prev = self.tok(k - 1)
        if (
            not self.toks[k].nl
            and prev is not None
            and (prev.kind in ("ident", "str", "num") or prev.text in (")", "]"))
        ):
            return k  # an index expression, not a list literal
        try:
            items, end = self.value_at(k)
        except _Malformed:
            return k
        return self.foreach(k, end, items, hi, depth)

    def foreach(self, k: int, dot: int, items: _Value, hi: int, depth: int) -> int:
        open_ = dot + 2
        if not self.is_punct(open_, "("):
            return k
        close = self.match.get(open_)
        param = self.callback_param(open_ + 1)
        if close is None or param is None or not isinstance(items.value, list):
            return k
        name, body = param
        self.loop(name, items, body, min(close, hi), depth)
        return close + 1

    def callback_param(self, k: int) -> tuple[str, int] | None:
        """`c =>`, `(c) =>`, `(c, i) =>`, `function (c) {`: (parameter, first body token)."""
        if self.is_ident(k) and self.is_punct(k + 1, "=>"):
            return self.toks[k].text, k + 2
        if self.is_ident(k, "async"):
            k += 1
        if self.is_ident(k, "function"):
            k += 1
            if self.is_ident(k):
                k += 1
        if self.is_punct(k, "(") and self.is_ident(k + 1):
            close = self.match.get(k)
            if close is None:
                return None
            if self.is_punct(close + 1, "=>"):
                return self.toks[k + 1].text, close + 2
            if self.is_punct(close + 1, "{"):
                return self.toks[k + 1].text, close + 1
        return None

    def for_of(self, k: int, hi: int, depth: int) -> int:
        """`for (const c of ["todos", "lists"]) { ... }` (also over a const list)."""
        close = self.match.get(k + 1)
        j = k + 2
        if self.is_ident(j, "const", "let", "var"):
            j += 1
        if close is None or not (self.is_ident(j) and self.is_ident(j + 1, "of")):
            return k
        name = self.toks[j].text
        items: _Value | None = None
        if self.is_ident(j + 2) and j + 3 == close:
            bound = self.env.get(self.toks[j + 2].text)
            items = bound if isinstance(bound, _Value) else None
        elif self.is_punct(j + 2, "["):
            try:
                parsed, end = self.value_at(j + 2)
            except _Malformed:
                return k
            items = parsed if end == close else None
        if items is None or not isinstance(items.value, list) or not self.is_punct(close + 1, "{"):
            return k
        body_close = self.match.get(close + 1)
        if body_close is None:
            return k
        self.loop(name, items, close + 2, min(body_close, hi), depth)
        return body_close + 1

    def loop(self, name: str, items: _Value, lo: int, hi: int, depth: int) -> None:
        if depth >= MAX_LOOP_DEPTH:
            self.scan(lo, hi, depth + 1)
            return
        saved = self.env.get(name)
        for n, item in enumerate(items.value[:MAX_LOOP_ITEMS]):
            spans = {sub[1:]: s for sub, s in items.spans.items() if sub and sub[0] == n}
            self.env[name] = _Value(item, spans, point_at_definition=True)
            self.scan(lo, hi, depth + 1)
        if saved is None:
            self.env.pop(name, None)
        else:
            self.env[name] = saved

    # -- commands --------------------------------------------------------------------------------------

    def build(self, method: str, db: str, args: list[Any], out: _Value, span: Span) -> None:
        """Map one helper call onto its database command document."""
        first = args[0] if args else None
        second = args[1] if len(args) > 1 else None
        name: str
        body: dict[str, Any]
        moves: list[tuple[BodyPath, BodyPath]]  # (argument path prefix, body path prefix)
        if method == "auth":
            self.auth_secret(first, second, out)
            return
        if method in ("runCommand", "adminCommand", "command"):
            if not isinstance(first, dict) or not first:
                return
            key = next(iter(first))
            if key not in COMMANDS:
                return  # ping, replSetInitiate, ...: not about users, roles or collections
            name, body, moves = key, dict(first), [((0,), ())]
            db = "admin" if method == "adminCommand" else db
        elif method in ("createUser", "createRole"):
            field_ = "user" if method == "createUser" else "role"
            if not isinstance(first, dict):
                self.unresolved(method, span)
                return
            name = method
            body = {name: first.get(field_, "")}
            body.update({k: v for k, v in first.items() if k != field_})
            moves = [((0, field_), (name,)), *(((0, k), (k,)) for k in first if k != field_)]
        elif method in ("updateUser", "updateRole"):
            name, body = method, {method: first}
            if isinstance(second, dict):
                body.update({k: v for k, v in second.items() if k != method})
            moves = [((0,), (name,)), ((1,), ())]
        elif method == "changeUserPassword":
            name, body, moves = (
                "updateUser",
                {"updateUser": first, "pwd": second},
                [((0,), ("updateUser",)), ((1,), ("pwd",))],
            )
        elif method in ("dropUser", "dropRole"):
            name, body, moves = method, {method: first}, [((0,), (method,))]
        elif method == "createCollection":
            name, body = "create", {"create": first}
            if isinstance(second, dict):
                body.update({k: v for k, v in second.items() if k != "create"})
            moves = [((0,), ("create",)), ((1,), ())]
        else:
            list_key = _USER_ROLE_LIST[method]
            name, body, moves = method, {method: first, list_key: second}, [((0,), (method,)), ((1,), (list_key,))]
        spans: dict[BodyPath, Span] = {}
        for arg_path, s in out.spans.items():
            for src, dst in moves:
                if arg_path[: len(src)] == src and (dst or len(arg_path) > len(src)):
                    spans[(*dst, *arg_path[len(src) :])] = s
                    break
        pwd = body.get("pwd")
        pwd_arg = next((src for src, dst in moves if dst == ("pwd",)), None) or next(
            ((*src, "pwd") for src, dst in moves if dst == ()), ()
        )
        if isinstance(pwd, str) and pwd and ("pwd",) in spans and pwd_arg not in out.bound_paths:
            self.secrets.append(spans[("pwd",)])  # a const's literal was reported where it is written
        target = body.get(name)
        self.commands.append(MongoCommand(name, db, target if isinstance(target, str) else "", body, span, spans))

    def auth_secret(self, first: Any, second: Any, out: _Value) -> None:
        """`db.auth("admin", "secret")` / `db.auth({user, pwd})`: not a command, but a committed password."""
        if isinstance(second, str) and second and (1,) in out.spans and (1,) not in out.bound_paths:
            self.secrets.append(out.spans[(1,)])
        if isinstance(first, dict) and isinstance(first.get("pwd"), str) and (0, "pwd") in out.spans:
            self.secrets.append(out.spans[(0, "pwd")])

    def unresolved(self, method: str, span: Span) -> None:
        self.problems.append(
            Problem(
                "mongo-unresolved",
                f"{method}() is called with a value that is not a literal document; "
                "replint cannot check this user or role (write the document inline)",
                span,
            )
        )


def _contains_expr(value: Any) -> bool:
    if isinstance(value, Expr):
        return True
    if isinstance(value, dict):
        return any(_contains_expr(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_expr(v) for v in value)
    return False


def _js_number_key(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_mongo_js(path: str, text: str, *, default_db: str = DEFAULT_DB) -> MongoSetup:
    """Commands from a mongosh script. `default_db` is the database mongosh was started on (e.g. the Docker
    image's MONGO_INITDB_DATABASE); mongosh's own default is `test`. Never raises."""
    problems: list[Problem] = []
    if len(text) > MAX_CHARS:
        problems.append(
            Problem(
                "parse",
                f"file is larger than {MAX_CHARS} characters; only the beginning was read",
                Span.point(path, 1),
            )
        )
        text = text[:MAX_CHARS]
    reader = _run_guarded(lambda: _read_js(path, text, default_db))
    if reader is None:
        problems.append(Problem("parse", "script could not be read (too deeply nested)", Span.point(path, 1)))
        return MongoSetup(path, (), tuple(problems), ())
    return MongoSetup(
        path,
        tuple(reader.commands),
        (*problems, *reader.problems),
        tuple(dict.fromkeys(reader.secrets)),
    )


def _read_js(path: str, text: str, default_db: str) -> _JsReader:
    reader = _JsReader(path, text, default_db)
    reader.scan(0, len(reader.toks), 0)
    return reader


def _run_guarded(fn: Callable[[], _JsReader]) -> _JsReader | None:
    # Recursion is bounded by MAX_DEPTH, far below Python's limit; this is the last line of defence only.
    try:
        return fn()
    except RecursionError:
        return None
