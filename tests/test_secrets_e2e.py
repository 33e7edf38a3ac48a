"""Planted secrets never reach any output of the real CLI (issue 7, item 4).

tests/test_redact.py checks `mask_line` and two renderers on single lines; this file goes end to end. Each
example writes one project that plants the same random secret in every input kind replint reads — PowerSync
config (URIs, `password:`, a JWKS HMAC `k`, `api.tokens`), migrations (`CREATE ROLE ... PASSWORD`, `ALTER
ROLE`, `CREATE SUBSCRIPTION ... CONNECTION`, `ALTER SYSTEM SET primary_conninfo`), postgresql.conf, Debezium
`.properties` and Kafka Connect JSON, Drasi and Neosync files, a mongosh script and `.env` — each written the
way its format requires (percent-encoded in URIs, doubled quotes in SQL, libpq quoting inside conninfo, Java
escapes in properties, ...). It then runs `replint check` (in process, and once through the console script)
writing every format, plus the error paths and `--live` connection failures, and asserts that neither the
secret nor any form it takes on disk, nor any 6-character run of one, appears in stdout, stderr or a report.

Accidental matches are excluded by comparing with a run whose secret is a fixed token: a secret (or a run of
one) that occurs in that run's output anyway says nothing about a leak, so the example is discarded (the
secret) or the run is not searched for (a fragment).

`REPLINT_SECRET_EXAMPLES=500` makes a thorough (slow) run; the default keeps this file within its CI budget.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import string
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from lint import model, project
from lint.cli import main
from lint.model.export import document
from lint.redact import MASK, is_reference
from tests import pgcluster
from tests.lintkit import write_tree
from tests.test_live_postgres import CONFIG as LIVE_POSTGRES_CONFIG

EXAMPLES = int(os.environ.get("REPLINT_SECRET_EXAMPLES", "12"))
FEW = max(3, EXAMPLES // 3)  # for the slower or narrower properties
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # Each example runs the CLI several times: shrinking a failure can take minutes, and the unshrunk secret
    # (printed with the failure) reproduces it as well.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
FEW_SETTINGS = settings(SETTINGS, max_examples=FEW)

# --- the secrets -----------------------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
# Everything that is syntax somewhere: URI delimiters, quotes, escapes, comment starters, interpolation,
# separators of properties / conninfo / flow YAML, plus non-ASCII (escaped as \uXXXX in some formats).
AWKWARD = "@:/?#%&=+'\" \\${};,[]!*|~^<>`()é€"
ALPHABET = ALNUM + AWKWARD
FRAGMENT = 6  # a run this long of any form of the secret must not appear either (a partial leak)
TOKEN = "Zq7XTOKENxq"  # the fixed secret of the comparison run: not a substring of any fixed text


@st.composite
def secrets(draw: st.DrawFn) -> str:
    secret = draw(st.text(ALPHABET, min_size=8, max_size=40))
    # A value that is wholly a reference (`${file:...}`, `{{ .Values.pw }}`) names a secret rather than holding
    # one, and PowerSync reports `${VAR}` inside a value by name (cfg-env-placeholder-literal): both are
    # designed to be shown, so they are not planted as secrets.
    assume(not is_reference(secret) and "${" not in secret and "{{" not in secret)
    return secret


# --- writing a secret the way each format requires ---------------------------------------------------------


@dataclass
class Planter:
    """Encodes one secret for each format and remembers every form it took on disk."""

    secret: str
    style: dict[str, str]  # format -> quoting style, drawn per example
    forms: set[str] = field(default_factory=set)

    def seen(self, inner: str) -> str:
        self.forms.add(inner)
        return inner

    def pct(self) -> str:
        """RFC 3986 userinfo: everything but unreserved characters percent-encoded (what libpq and drivers decode)."""
        return self.seen(urllib.parse.quote(self.secret, safe=""))

    def yaml(self) -> str:
        s = self.secret
        style = self.style["yaml"]
        if style == "plain" and _plain_yaml_ok(s):
            return self.seen(s)
        if style == "single":
            return "'" + self.seen(s.replace("'", "''")) + "'"
        return self.json()

    def json(self) -> str:
        text = json.dumps(self.secret, ensure_ascii=self.style["json"] == "ascii")
        self.seen(text[1:-1])
        return text

    def sql(self) -> str:
        """A SQL string literal: standard ('' doubling), escape string (E'\\''), or dollar-quoted."""
        s = self.secret
        style = self.style["sql"]
        if style == "dollar" and f"$pw${s}$pw$".find("$pw$", 4) == 4 + len(s):
            return "$pw$" + self.seen(s) + "$pw$"
        if style == "escape":
            return "E'" + self.seen(s.replace("\\", "\\\\").replace("'", "\\'")) + "'"
        return "'" + self.seen(s.replace("'", "''")) + "'"

    def conninfo(self) -> str:
        """A libpq keyword/value value: quoted with \\' and \\\\ escapes (always, or only when libpq needs it)."""
        s = self.secret
        if self.style["conninfo"] == "bare" and not any(c.isspace() or c in "'\\" for c in s):
            return self.seen(s)
        return "'" + self.seen(s.replace("\\", "\\\\").replace("'", "\\'")) + "'"

    def sql_of(self, text: str) -> str:
        """`text` (which holds an encoded secret) as a standard SQL literal."""
        out = "'" + text.replace("'", "''") + "'"
        self._forms_within(text, lambda inner: inner.replace("'", "''"))
        return out

    def conf_of(self, text: str) -> str:
        """`text` as a postgresql.conf string: backslashes are escapes there, quotes are doubled."""

        def conf(inner: str) -> str:
            return inner.replace("\\", "\\\\").replace("'", "''")

        self._forms_within(text, conf)
        return "'" + conf(text) + "'"

    def _forms_within(self, text: str, encode: Callable[[str], str]) -> None:
        for form in list(self.forms):
            if form in text:
                self.forms.add(encode(form))

    def properties(self) -> str:
        """A Java properties value (`Properties.load`): \\\\ for a backslash, a leading blank escaped, and
        optionally non-ASCII as \\uXXXX as `Properties.store` writes it."""
        out = self.secret.replace("\\", "\\\\")
        if out[:1] in (" ", "\t"):
            out = "\\" + out
        if self.style["properties"] == "ascii":
            out = "".join(c if ord(c) < 128 else f"\\u{ord(c):04x}" for c in out)
        return self.seen(out)

    def js(self) -> str:
        if self.style["js"] == "single":
            return "'" + self.seen(self.secret.replace("\\", "\\\\").replace("'", "\\'")) + "'"
        return self.json()

    def dotenv(self) -> str:
        if "'" not in self.secret:
            return "'" + self.seen(self.secret) + "'"
        escaped = self.secret.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
        return '"' + self.seen(escaped) + '"'


def _plain_yaml_ok(s: str) -> bool:
    try:
        return bool(yaml.safe_load(f"k: {s}\n") == {"k": s})
    except yaml.YAMLError:
        return False


STYLES = st.fixed_dictionaries(
    {
        "yaml": st.sampled_from(["plain", "single", "double"]),
        "json": st.sampled_from(["utf8", "ascii"]),
        "sql": st.sampled_from(["standard", "escape", "dollar"]),
        "conninfo": st.sampled_from(["bare", "quoted"]),
        "properties": st.sampled_from(["utf8", "ascii"]),
        "js": st.sampled_from(["double", "single"]),
    }
)
FIXED_STYLE = {
    "yaml": "double",
    "json": "utf8",
    "sql": "standard",
    "conninfo": "quoted",
    "properties": "utf8",
    "js": "double",
}


# --- the planted project ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    files: dict[str, str]
    forms: frozenset[str]  # every form the secret takes in the files (raw included)
    expected: frozenset[tuple[str, int, str]]  # (path, line, rule): findings proving each secret was read


# (path, marker, a rule with a finding on that marked line). primary_conninfo has none: no policy points at it;
# test_no_model_collection_holds_a_planted_secret shows that both of its copies are read.
_EXPECT = [
    ("powersync/config.yaml", "SOURCE_URI", "cfg-plaintext-secret"),
    ("powersync/config.yaml", "SOURCE_PASSWORD", "cfg-plaintext-secret"),
    ("powersync/config.yaml", "STORAGE_URI", "cfg-storage-shares-source-server"),
    ("powersync/config.yaml", "HMAC_K", "cfg-inline-hmac-key"),
    ("powersync/config.yaml", "API_TOKEN", "cfg-plaintext-secret"),
    ("db/migrations/V1__roles.sql", "CREATE_ROLE", "cfg-plaintext-secret"),
    ("db/migrations/V1__roles.sql", "ALTER_ROLE", "cfg-plaintext-secret"),
    ("db/migrations/V1__roles.sql", "SUBSCRIPTION", "cfg-plaintext-secret"),
    ("connect/customers.properties", "PROPERTIES", "cfg-plaintext-secret"),
    ("connect/orders.json", "KAFKA_JSON", "cfg-plaintext-secret"),
    ("drasi/source.yaml", "DRASI", "cfg-plaintext-secret"),
    ("neosync/connections.json", "NEOSYNC_PASS", "cfg-plaintext-secret"),
    ("neosync/connections.json", "NEOSYNC_URL", "cfg-plaintext-secret"),
    ("mongo/02-powersync-user.js", "MONGO_PWD", "cfg-plaintext-secret"),
    # both MongoDB URIs come from .env, whose values the server-identity check resolves
    ("services/events/powersync.yaml", "ENV_RESOLVED", "cfg-storage-shares-source-server"),
]


def plant(secret: str, style: dict[str, str]) -> Planted:
    p = Planter(secret, style)
    p.forms.add(secret)
    pct = p.pct()
    subscription = "host=pub.example.com user=rep password=" + p.conninfo() + " dbname=app"
    standby = "host=primary.internal user=replicator password=" + p.conninfo() + " application_name=standby1"
    templates = {
        "powersync/config.yaml": f"""\
replication:
  connections:
    - type: postgresql
      uri: postgresql://powersync_role:{pct}@db.example.com:5432/app  «SOURCE_URI»
      password: {p.yaml()}  «SOURCE_PASSWORD»
      debug_api: true
storage:
  type: postgresql
  uri: postgresql://ps_storage:{pct}@db.example.com:5432/ps_storage  «STORAGE_URI»
  sslmode: disable
sync_config:
  path: sync-config.yaml
client_auth:
  audience: [authenticated]
  jwks:
    keys:
      - kty: oct
        alg: HS256
        kid: shared
        k: {p.yaml()}  «HMAC_K»
api:
  tokens:
    - {p.yaml()}  «API_TOKEN»
""",
        # Sync rules hold no credentials; they are here so that the config's references are all read.
        "powersync/sync-config.yaml": """\
bucket_definitions:
  global:
    data:
      - SELECT * FROM public.lists
""",
        "services/events/powersync.yaml": """\
replication:
  connections:
    - type: mongodb
      uri: !env PS_MONGO_URI
      post_images: read_only
storage:
  type: mongodb
  uri: !env PS_MONGO_STORAGE_URI  «ENV_RESOLVED»
sync_config:
  content: |
    bucket_definitions:
      global:
        data:
          - SELECT * FROM events
""",
        ".env": f"""\
PS_MONGO_URI=mongodb://powersync:{pct}@mongo-0.internal:27017/events?replicaSet=rs0
PS_MONGO_STORAGE_URI=mongodb://ps_storage:{pct}@mongo-0.internal:27017/powersync
PS_DATA_SOURCE_URI=postgresql://powersync_role:{pct}@db.example.com:5432/app
PS_API_TOKEN={p.dotenv()}
""",
        "db/migrations/V1__roles.sql": f"""\
CREATE TABLE public.lists (id int PRIMARY KEY, title text);
CREATE ROLE powersync_role WITH REPLICATION LOGIN PASSWORD {p.sql()};  «CREATE_ROLE»
ALTER ROLE powersync_role WITH PASSWORD {p.sql()};  «ALTER_ROLE»
GRANT SELECT ON public.lists TO powersync_role;
CREATE PUBLICATION powersync FOR TABLE public.lists;
CREATE SUBSCRIPTION mirror CONNECTION {p.sql_of(subscription)} PUBLICATION pub;  «SUBSCRIPTION»
ALTER SYSTEM SET primary_conninfo = {p.sql_of(standby)};
""",
        "postgres/postgresql.conf": f"""\
wal_level = replica
primary_conninfo = {p.conf_of(standby)}
""",
        "connect/customers.properties": f"""\
name=customers-cdc
connector.class=io.debezium.connector.postgresql.PostgresConnector
database.hostname=orders-db.internal
database.user=debezium
«PROPERTIES»
database.password={p.properties()}
database.dbname=orders
topic.prefix=customers
""",
        "connect/orders.json": _kafka_json(p),
        "drasi/source.yaml": f"""\
apiVersion: v1
kind: Source
name: retail-ops
spec:
  kind: PostgreSQL
  properties:
    host: retail.example.com
    port: 5432
    user: drasi
    password: {p.yaml()}  «DRASI»
    database: retail
    tables: [public.lists]
""",
        "neosync/connections.json": _neosync_json(p, pct),
        "mongo/02-powersync-user.js": f"""\
use admin
db.createUser({{
  user: "powersync",
  pwd: {p.js()},  «MONGO_PWD»
  roles: [{{ role: "read", db: "events" }}],
}});
""",
    }
    files, lines = _place_markers(templates)
    expected = frozenset(
        (path, lines[(path, mark)], _expected_rule(secret, mark, rule)) for path, mark, rule in _EXPECT
    )
    return Planted(files, frozenset(f for f in p.forms if f), expected)


def _expected_rule(secret: str, mark: str, rule: str) -> str:
    """A guessable admin token is reported once, as guessable (its remedy also ends its being committed)."""
    from lint.sources.powersync import PLACEHOLDER_TOKENS

    guessable = len(secret.strip()) < 16 or PLACEHOLDER_TOKENS.match(secret.strip())
    return "cfg-api-token-placeholder" if mark == "API_TOKEN" and guessable else rule


def _kafka_json(p: Planter) -> str:
    head = {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "database.hostname": "orders-db.internal",
        "database.user": "debezium",
    }
    body = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in head.items())
    return (
        '{\n  "name": "orders-cdc",\n  "config": {\n'
        + body
        + f',\n    "database.password": {p.json()},\n'
        + '    "database.dbname": "orders",\n    "topic.prefix": "orders"\n  }\n}\n'
    )


def _neosync_json(p: Planter, pct: str) -> str:
    return f"""\
[
  {{"name": "prod-postgres", "connectionConfig": {{"pgConfig": {{"connection": {{
    "host": "db.example.com", "port": 5432, "name": "app", "user": "neosync",
    "pass": {p.json()},
    "sslMode": "verify-full"}}}}}}}},
  {{"name": "staging-postgres", "connectionConfig": {{"pgConfig": {{
    "url": "postgresql://neosync:{pct}@staging.example.com:5432/app?sslmode=verify-full"}}}}}}
]
"""


_JSON_MARKS = {
    ("connect/orders.json", "KAFKA_JSON"): '"database.password"',
    ("neosync/connections.json", "NEOSYNC_PASS"): '"pass"',
    ("neosync/connections.json", "NEOSYNC_URL"): '"url"',
}


def _place_markers(templates: dict[str, str]) -> tuple[dict[str, str], dict[tuple[str, str], int]]:
    """Strip the `«MARK»` line ends (« and » are not in the secrets' alphabet) and return each marked line's
    number; a `«MARK»` line of its own marks the line after it. JSON lines are found by their key.
    """
    files: dict[str, str] = {}
    lines: dict[tuple[str, str], int] = {}
    for path, text in templates.items():
        out: list[str] = []
        pending: str | None = None
        for raw in text.split("\n"):
            m = re.search(r"\s*«([A-Z_]+)»$", raw)
            if m and m.start() == 0:
                pending = m.group(1)
                continue
            if m:
                lines[(path, m.group(1))] = len(out) + 1
            elif pending:
                lines[(path, pending)] = len(out) + 1
                pending = None
            out.append(raw[: m.start()] if m else raw)
        files[path] = "\n".join(out)
    for (path, mark), key in _JSON_MARKS.items():
        if path not in files:
            continue
        number = next(i for i, line in enumerate(files[path].split("\n"), 1) if line.lstrip().startswith(key))
        lines[(path, mark)] = number
    return files, lines


# --- running the CLI and searching its output ------------------------------------------------------------


@dataclass(frozen=True)
class Outputs:
    code: int
    texts: dict[str, str]  # name -> text (stdout, stderr, report files)

    def views(self) -> Iterator[tuple[str, str]]:
        """Each output as written and as its reader sees it after unescaping (JSON strings, GitHub's
        percent-encoding, Markdown's backslashes), so an escaped secret is found as well."""
        for name, text in self.texts.items():
            yield name, text
            if name.endswith((".json", ".sarif")):
                with contextlib.suppress(json.JSONDecodeError):
                    yield f"{name} (decoded)", "\n".join(_strings(json.loads(text)))
            if "github" in name:
                yield f"{name} (decoded)", _github_unescape(text)
            if name.endswith(".md"):
                yield f"{name} (decoded)", re.sub(r"\\(.)", r"\1", text)

    def everything(self) -> str:
        return "\n".join(text for _, text in self.views())


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _github_unescape(text: str) -> str:
    for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, ch)
    return text


class _TtyStringIO(io.StringIO):
    """stderr as a terminal, so that the CLI also prints its progress lines (which name the databases)."""

    def isatty(self) -> bool:
        return True


def run_cli(args: list[str], *, tty_stderr: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), (_TtyStringIO() if tty_stderr else io.StringIO())
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def check_all_formats(project_dir: Path, reports: Path, *extra: str) -> Outputs:
    """Two runs: text on stdout with every other format as a report; then github on stdout with --oneline
    text as a report (reports honour --oneline)."""
    names = {
        fmt: reports / f"report.{ext}"
        for fmt, ext in (("json", "json"), ("sarif", "sarif"), ("github", "github"), ("markdown", "md"))
    }
    texts: dict[str, str] = {}
    code, out, err = run_cli(
        ["check", str(project_dir), "--color", "never", *extra, *(f"--report={f}={p}" for f, p in names.items())]
    )
    texts |= {"text stdout": out, "text stderr": err}
    texts |= {p.name: p.read_text(encoding="utf-8") for p in names.values()}
    oneline = reports / "oneline.txt"
    code2, out, err = run_cli(
        ["check", str(project_dir), "--format", "github", "--oneline", f"--report=text={oneline}", *extra]
    )
    texts |= {"github stdout": out, "github stderr": err, "oneline.txt": oneline.read_text(encoding="utf-8")}
    assert code2 == code
    return Outputs(code, texts)


def fragments(forms: frozenset[str]) -> set[str]:
    return {f[i : i + FRAGMENT] for f in forms for i in range(max(1, len(f) - FRAGMENT + 1))}


def leaks(outputs: Outputs, forms: frozenset[str], background: str) -> list[str]:
    """Where a form of the secret, or a run of one that the comparison run does not contain, is printed."""
    runs = {f for f in fragments(forms) if f not in background}
    found: list[str] = []
    for name, text in outputs.views():
        found += [f"{name}: form {form!r}" for form in forms if form in text]
        found += [
            f"{name}: run {run!r}" for run in runs if run in text and not any(run in f for f in forms if f in text)
        ]
    return found


def assume_distinct(forms: frozenset[str], background: str) -> None:
    """A secret whose form is in the comparison run's output anyway cannot be told apart from a leak."""
    assume(not any(form in background for form in forms))
    assume(MASK not in "".join(forms))


@cache
def background(broken: bool = False) -> str:
    """Every output of a run of the same project with the fixed TOKEN as its secret."""
    planted = (plant_broken if broken else plant)(TOKEN, FIXED_STYLE)
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        base = Path(tmp)
        write_tree(base / "project", planted.files)
        (base / "reports").mkdir()
        out = check_all_formats(base / "project", base / "reports")
    text = out.everything()
    assert TOKEN not in text, "the comparison run leaks its own token"
    return text


def findings_of(outputs: Outputs) -> set[tuple[str, int, str]]:
    doc = json.loads(outputs.texts["report.json"])
    return {(f["path"], f["line"], f["rule"]) for f in doc["findings"]}


# --- 1-3: every input kind, every format ------------------------------------------------------------------


@SETTINGS
@given(secret=secrets(), style=STYLES)
def test_planted_secrets_appear_in_no_output_format(secret: str, style: dict[str, str]) -> None:
    planted = plant(secret, style)
    assume_distinct(planted.forms, background())
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        base = Path(tmp)
        write_tree(base / "project", planted.files)
        (base / "reports").mkdir()
        _assert_planted_as_intended(base / "project", secret)
        outputs = check_all_formats(base / "project", base / "reports")
    assert outputs.code == 1
    missing = planted.expected - findings_of(outputs)
    assert not missing, f"the secret was not read where it was planted: {sorted(missing)}"
    assert not leaks(outputs, planted.forms, background())


def _assert_planted_as_intended(root: Path, secret: str) -> None:
    """The templates themselves are right: reference parsers read the secret back where it was planted."""
    config = yaml.safe_load((root / "powersync/config.yaml").read_text(encoding="utf-8"))
    conn = config["replication"]["connections"][0]
    assert conn["password"] == secret and config["api"]["tokens"] == [secret]
    assert config["client_auth"]["jwks"]["keys"][0]["k"] == secret
    assert urllib.parse.urlsplit(conn["uri"]).password is not None
    assert urllib.parse.unquote(urllib.parse.urlsplit(conn["uri"]).password or "") == secret
    assert (
        yaml.safe_load((root / "drasi/source.yaml").read_text(encoding="utf-8"))["spec"]["properties"]["password"]
        == secret
    )
    orders = json.loads((root / "connect/orders.json").read_text(encoding="utf-8"))
    assert orders["config"]["database.password"] == secret
    neosync = json.loads((root / "neosync/connections.json").read_text(encoding="utf-8"))
    assert neosync[0]["connectionConfig"]["pgConfig"]["connection"]["pass"] == secret


# --- the console entry point ------------------------------------------------------------------------------


def test_console_script_prints_no_planted_secret(tmp_path: Path) -> None:
    secret = "pa:ss/wo@rd?#1 'q' \"d\" \\x ${ok;é"
    planted = plant(secret, FIXED_STYLE)
    write_tree(tmp_path / "project", planted.files)
    sarif = tmp_path / "out.sarif"
    exe = Path(sys.executable).parent / "replint"
    done = subprocess.run(
        [str(exe), "check", str(tmp_path / "project"), "--format", "text", "--report", f"sarif={sarif}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    outputs = Outputs(1, {"stdout": done.stdout, "stderr": done.stderr, "out.sarif": sarif.read_text(encoding="utf-8")})
    assert "cfg-plaintext-secret" in done.stdout and MASK in done.stdout
    assert not leaks(outputs, planted.forms, background())


# --- 4: error paths ---------------------------------------------------------------------------------------


def plant_broken(secret: str, style: dict[str, str]) -> Planted:
    """Syntax errors on the very lines that hold the secret, in every reader that reports them."""
    p = Planter(secret, style)
    p.forms.add(secret)
    unterminated = "'" + p.seen(secret.replace("'", "''"))
    templates = {
        "powersync/config.yaml": f"""\
replication:
  connections:
    - type: postgresql
      password: {p.yaml()}: oops  «YAML»
storage:
  type: postgresql
""",
        "db/migrations/V1__roles.sql": f"""\
CREATE ROLE a LOGIN PASSWORD {p.sql()} BOGUS;  «SQL_OPTION»
CREATE ROLE b LOGIN {p.sql()};  «SQL_LITERAL»
CREATE ROLE c LOGIN PASSWORD {unterminated}  «SQL_UNTERMINATED»
""",
        "postgres/postgresql.conf": f"""\
wal_level = logical
primary_conninfo = {p.conf_of("host=primary.internal password=" + p.conninfo())[:-1]}  «CONF»
""",
        "connect/orders.json": f"""\
{{"name": "orders-cdc", "config": {{
  "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
  "database.password": {p.json()},, "database.user": "debezium"}}}}  «JSON»
""",
        "mongo/02-powersync-user.js": f"""\
db.createUser({{user: "powersync", pwd: {p.js()} roles: []}});  «JS»
""",
    }
    files, lines = _place_markers(templates)
    expected = frozenset(
        (path, lines[(path, mark)], "parse-error")
        for path, mark in (
            ("powersync/config.yaml", "YAML"),
            ("db/migrations/V1__roles.sql", "SQL_OPTION"),
            ("db/migrations/V1__roles.sql", "SQL_LITERAL"),
            ("db/migrations/V1__roles.sql", "SQL_UNTERMINATED"),
            ("postgres/postgresql.conf", "CONF"),
            ("connect/orders.json", "JSON"),
            ("mongo/02-powersync-user.js", "JS"),
        )
    )
    return Planted(files, frozenset(f for f in p.forms if f), expected)


@FEW_SETTINGS
@given(secret=secrets(), style=STYLES)
def test_syntax_errors_on_secret_lines_print_no_secret(secret: str, style: dict[str, str]) -> None:
    planted = plant_broken(secret, style)
    assume_distinct(planted.forms, background(broken=True))
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        base = Path(tmp)
        write_tree(base / "project", planted.files)
        (base / "reports").mkdir()
        outputs = check_all_formats(base / "project", base / "reports")
    missing = planted.expected - findings_of(outputs)
    assert not missing, f"no syntax error reported where it was planted: {sorted(missing)}"
    assert not leaks(outputs, planted.forms, background(broken=True))


def _usage_error(args: list[str]) -> Outputs:
    code, out, err = run_cli(args)
    assert code == 2, (code, out, err)
    assert err.startswith("replint: error: ") and "Traceback" not in err
    return Outputs(code, {"stdout": out, "stderr": err})


@FEW_SETTINGS
@given(secret=secrets(), style=STYLES)
def test_configuration_and_baseline_errors_and_written_baselines_hold_no_secret(
    secret: str, style: dict[str, str]
) -> None:
    planted = plant(secret, style)
    p = Planter(secret, style)
    bad_configs = {
        # an unknown key next to a secret-looking value, and a YAML error on the secret's line
        "unknown key": f"fail_on: error\ntoken: {p.yaml()}\n",
        "syntax error": f"fail_on: error\npassword: {p.yaml()}: oops\n",
    }
    uri = f"postgresql://u:{p.pct()}@db.example.com/app"
    stale = {"fingerprint": "0" * 16, "rule": "cfg-plaintext-secret", "path": "powersync/config.yaml"}
    bad_baselines = {
        "not JSON": '{"version": 1, "findings": [{"fingerprint": "x", "message": ' + p.json() + ",,\n",
        "no fingerprint": json.dumps(
            {"version": 1, "findings": [{"fingerprint": None, "message": f"password: {secret}"}]}
        ),
        # a stale entry is reported with the message it records: a URI in it is masked
        "stale entry": json.dumps(
            {"version": 1, "findings": [{**stale, "message": f"uri: {uri}"}]}, ensure_ascii=False
        ),
    }
    forms = planted.forms | p.forms
    assume_distinct(forms, background())
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        base = Path(tmp)
        project_dir = base / "project"
        write_tree(project_dir, planted.files)
        written = base / "baseline.json"
        code, out, err = run_cli(["check", str(project_dir), "--write-baseline", str(written)])
        assert code == 0 and "wrote" in err
        results = {"write-baseline": Outputs(code, {"stdout": out, "stderr": err, "baseline": written.read_text()})}
        assert '"cfg-plaintext-secret"' in results["write-baseline"].texts["baseline"]
        for name, text in bad_configs.items():
            config = base / f"{name}.yaml"
            config.write_text(text, encoding="utf-8")
            results[name] = _usage_error(["check", str(project_dir), "--config", str(config)])
            assert "invalid configuration" in results[name].texts["stderr"]
        for name, text in bad_baselines.items():
            baseline = base / f"{name}.json"
            baseline.write_text(text, encoding="utf-8")
            if name == "stale entry":
                code, out, err = run_cli(["check", str(project_dir), "--baseline", str(baseline), "--format", "json"])
                assert code == 1 and "matches no finding any more" in out
                results[name] = Outputs(code, {"stdout.json": out, "stderr": err})
            else:
                results[name] = _usage_error(["check", str(project_dir), "--baseline", str(baseline)])
    for name, outputs in results.items():
        assert not leaks(outputs, forms, background()), name


def test_configuration_type_errors_do_not_quote_a_secret_value(tmp_path: Path) -> None:
    """jsonschema's own messages quote the value (`{'password': 'x'} is not of type 'array'`); replint's say
    which rule is broken and what kind of value was found."""
    secret = "Zq7-not-a-token-hunter2"
    write_tree(tmp_path / "project", {"db/V1.sql": "CREATE TABLE t (id int PRIMARY KEY);\n"})
    config = tmp_path / "replint.yaml"
    config.write_text(f"paths: {{password: {secret}}}\nfail_on: {secret}\n", encoding="utf-8")
    outputs = _usage_error(["check", str(tmp_path / "project"), "--config", str(config)])
    assert secret not in outputs.texts["stderr"]
    assert f"{config}:2:10: fail_on must be one of error, warning, info" in outputs.texts["stderr"]


# --- 6: the model itself --------------------------------------------------------------------------------


def _model_texts(root: Path) -> dict[str, str]:
    """Each collection item (and the project map) as JSON, plus its decoded strings: what a policy can print;
    and each replayed database as `replint model` prints it."""
    loaded = project.load(root, [root])
    built = model.build(loaded.inputs)
    out: dict[str, str] = {}
    for i, db in enumerate(document(built, loaded.inputs.sql, str(root), 0)["databases"]):
        text = json.dumps(db, default=str, ensure_ascii=False)
        out[f"databases[{i}]"] = text + "\n" + "\n".join(_strings(json.loads(text)))
    for name in model.COLLECTIONS:
        for i, item in enumerate(built.items(name)):
            text = json.dumps(item, default=str, ensure_ascii=False)
            out[f"{name}[{i}]"] = text + "\n" + "\n".join(_strings(json.loads(text)))
    text = json.dumps(built.project, default=str, ensure_ascii=False)
    out["project"] = text + "\n" + "\n".join(_strings(json.loads(text)))
    return out


@FEW_SETTINGS
@given(secret=secrets(), style=STYLES)
def test_no_model_collection_holds_a_planted_secret(secret: str, style: dict[str, str]) -> None:
    """Then no policy, built-in or a user's, can print one: every value it sees is free of the secret."""
    planted = plant(secret, style)
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        root = Path(tmp)
        write_tree(root, planted.files)
        texts = _model_texts(root)
    assume(not any(form in _model_background() for form in planted.forms))
    carriers = [f"{name}: {form!r}" for name, text in texts.items() for form in planted.forms if form in text]
    assert not carriers
    # primary_conninfo is read from both places it is planted (and reaches the model masked), so the
    # property above is not vacuous for the one input no policy points at
    settings_seen = [json.loads(t.split("\n", 1)[0]) for n, t in texts.items() if n.startswith("settings[")]
    conninfos = {s["source"]: s["value"] for s in settings_seen if s["name"] == "primary_conninfo"}
    assert set(conninfos) == {"postgres/postgresql.conf", "ALTER SYSTEM"}
    assert all("password=" in v and MASK in v for v in conninfos.values()), conninfos
    flagged = {json.loads(t.split("\n", 1)[0])["origin"]["path"] for n, t in texts.items() if n.startswith("secrets[")}
    assert flagged == {path for path, _, rule in planted.expected if rule == "cfg-plaintext-secret"}


@cache
def _model_background() -> str:
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        write_tree(Path(tmp), plant(TOKEN, FIXED_STYLE).files)
        return "\n".join(_model_texts(Path(tmp)).values())


# --- 5: live connection errors ------------------------------------------------------------------------------

LIVE_CONFIG = LIVE_POSTGRES_CONFIG  # the live tests' PowerSync config: both URIs from !env, no TLS


@cache
def closed_ports() -> tuple[int, int]:
    """Two ports nothing listens on (bound, then released): connecting is refused at once."""
    return pgcluster._free_port(), pgcluster._free_port()


@contextlib.contextmanager
def environment(**values: str | None) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass(frozen=True)
class LiveCase:
    name: str
    source: str  # --source-uri, or PS_DATA_SOURCE_URI when `via_env`
    storage: str  # --storage-uri
    expect: tuple[str, ...]  # phrases the findings must contain (what failed, and where)
    via_env: bool = False


def live_cases(p: Planter) -> list[LiveCase]:
    pg, mongo = closed_ports()
    pct = p.pct()
    refused = f"connection refused by postgresql://ps_user@127.0.0.1:{pg}/app"
    return [
        LiveCase(
            "refused, and a URI written without percent-encoding",
            f"postgresql://ps_user:{pct}@127.0.0.1:{pg}/app",
            f"postgresql://ps_storage:{p.seen(p.secret)}@127.0.0.1:{pg}/storage",
            (refused,),
        ),
        LiveCase(
            "bad port, and an unknown parameter carrying the secret",
            f"postgresql://ps_user:{pct}@127.0.0.1:{pg}x/app",
            f"postgresql://ps_storage:{pct}@127.0.0.1:{pg}/storage?foo={pct}",
            # libpq's own words follow only when they share no 4 characters with the secret
            (
                "invalid connection string for postgresql://ps_user@127.0.0.1",
                "invalid connection string for postgresql://ps_storage@127.0.0.1",
            ),
        ),
        LiveCase(
            "keyword/value strings with an unbalanced quote",
            f"host=127.0.0.1 port={pg} user=ps_user dbname=app password='{p.conninfo().strip(chr(39))}",
            f"host=127.0.0.1 port={pg} user='ps_storage password={p.conninfo()} dbname=storage",
            (
                "invalid connection string for postgresql://ps_user@127.0.0.1",
                "invalid connection string for postgresql://(connection string not shown)",
            ),
        ),
        LiveCase(
            # libpq quotes the whole URI in this error; from the config, `sslmode=` is added to it
            "a malformed IPv6 host, from the config's !env, and MongoDB refusing",
            f"postgresql://ps_user:{pct}@[::1:{pg}/app",
            f"mongodb://ps_storage:{pct}@127.0.0.1:{mongo}/powersync",
            ("invalid connection string for postgresql://ps_user@", f"connection refused by 127.0.0.1:{mongo}"),
            via_env=True,
        ),
    ]


def run_live(project_dir: Path, reports: Path, case: LiveCase, timeout: str = "1") -> Outputs:
    args = ["check", str(project_dir), "--live", "--live-timeout", timeout, "--color", "never", "--no-cache"]
    args += ["--storage-uri", case.storage, f"--report=json={reports / 'live.json'}"]
    if not case.via_env:
        args += ["--source-uri", case.source]
    with environment(PS_DATA_SOURCE_URI=case.source if case.via_env else None, PS_STORAGE_URI=None):
        code, out, err = run_cli(args, tty_stderr=True)  # a terminal gets progress lines naming each database
    assert "live: probing the source database" in err
    return Outputs(code, {"stdout": out, "stderr": err, "live.json": (reports / "live.json").read_text()})


@cache
def live_background() -> str:
    p = Planter(TOKEN, FIXED_STYLE)
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        base = Path(tmp)
        write_tree(base / "project", {"powersync/config.yaml": LIVE_CONFIG})
        text = "\n".join(run_live(base / "project", base, case).everything() for case in live_cases(p))
    assert TOKEN not in text
    return text


@FEW_SETTINGS
@given(secret=secrets(), style=STYLES)
def test_live_connection_errors_print_no_secret(secret: str, style: dict[str, str]) -> None:
    p = Planter(secret, style)
    p.forms.add(secret)
    cases = live_cases(p)
    assume_distinct(frozenset(p.forms), live_background())
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        base = Path(tmp)
        write_tree(base / "project", {"powersync/config.yaml": LIVE_CONFIG})
        for case in cases:
            outputs = run_live(base / "project", base, case)
            assert outputs.code == 1, case.name
            unavailable = [line for line in outputs.texts["stdout"].splitlines() if "[live-unavailable]" in line]
            assert len(unavailable) == 2, (case.name, outputs.texts["stdout"])
            for phrase in case.expect:
                assert any(phrase in line for line in unavailable), (case.name, phrase, unavailable)
            assert not leaks(outputs, frozenset(p.forms), live_background()), case.name


# A real server that rejects the planted secret as a wrong password.

BINDIR = pgcluster.find_bindir()
needs_postgres = pytest.mark.skipif(
    BINDIR is None, reason="PostgreSQL server binaries not installed (bash .ci/setup installs them)"
)
RIGHT_PASSWORD = "right-Password-7q"


@pytest.fixture(scope="module")
def server() -> Iterator[pgcluster.Cluster]:
    assert BINDIR is not None
    base = pgcluster.make_base()
    cluster = pgcluster.start("secrets", BINDIR, base, {"wal_level": "logical"})
    try:
        cluster.psql(f"CREATE ROLE ps_live LOGIN REPLICATION PASSWORD '{RIGHT_PASSWORD}'")
        cluster.psql("CREATE DATABASE app")
        yield cluster
    finally:
        cluster.stop()
        import shutil

        shutil.rmtree(base, ignore_errors=True)


@needs_postgres
@FEW_SETTINGS
@given(secret=secrets(), style=STYLES)
def test_wrong_password_on_a_real_server_prints_no_secret(
    server: pgcluster.Cluster, secret: str, style: dict[str, str]
) -> None:
    p = Planter(secret, style)
    p.forms.add(secret)
    display = f"postgresql://ps_live@127.0.0.1:{server.port}/app"
    case = LiveCase(
        "wrong password",
        f"postgresql://ps_live:{p.pct()}@127.0.0.1:{server.port}/app",
        f"host=127.0.0.1 port={server.port} user=ps_live dbname=app password={p.conninfo()}",
        (f"authentication failed for {display}",),
    )
    assume_distinct(frozenset(p.forms), live_background())
    with tempfile.TemporaryDirectory(prefix="replint-secrets-") as tmp:
        base = Path(tmp)
        write_tree(base / "project", {"powersync/config.yaml": LIVE_CONFIG})
        outputs = run_live(base / "project", base, case, timeout="5")
    failures = [line for line in outputs.texts["stdout"].splitlines() if "[live-unavailable]" in line]
    assert len(failures) == 2 and all(f"authentication failed for {display}" in f for f in failures), failures
    assert not leaks(outputs, frozenset(p.forms), live_background())


@needs_postgres
def test_the_right_password_connects(server: pgcluster.Cluster, tmp_path: Path) -> None:
    """The control for the test above: with the right password the same run gets through."""
    write_tree(tmp_path / "project", {"powersync/config.yaml": LIVE_CONFIG})
    right = f"postgresql://ps_live:{RIGHT_PASSWORD}@127.0.0.1:{server.port}/app"
    outputs = run_live(tmp_path / "project", tmp_path, LiveCase("right", right, right, ()), timeout="5")
    assert "authentication failed" not in outputs.texts["stdout"]
    assert "[live-unavailable]" not in outputs.texts["stdout"], outputs.texts["stdout"]
    assert RIGHT_PASSWORD not in outputs.everything()


# --- regressions: the leaks this file found, each at its smallest -------------------------------------------

REGRESSIONS = [
    pytest.param(
        # lint/sources/sql.py `_literal_span`: a dollar-quoted password got a one-character span, and masking that
        # `$` first hid the literal from `mask_line`: the snippet showed `****pw$00000000$pw$`
        {"V1.sql": "CREATE ROLE r LOGIN PASSWORD $pw$00000000$pw$;\n"},
        "00000000",
        "cfg-plaintext-secret",
        id="dollar-quoted password",
    ),
    pytest.param(
        # lint/sources/sql.py `_error_message`: PostgreSQL's parser quotes the rest of an unterminated literal
        {"V1.sql": "CREATE ROLE r LOGIN PASSWORD 'Sec-ret-4711;\n"},
        "Sec-ret-4711",
        "parse-error",
        id="unterminated password literal in the parse error message",
    ),
    pytest.param(
        # lint/sources/sql.py `_read_each`: a statement that does not parse has no password span; its literals are
        # masked when it is a role statement (a misspelt PASSWORD keyword)
        {"V1.sql": "CREATE ROLE r LOGIN PASSOWRD 'Sec-ret-4711';\n"},
        "Sec-ret-4711",
        "parse-error",
        id="misspelt PASSWORD keyword",
    ),
    pytest.param(
        # lint/redact.py `_kv_quoted`: on a YAML error line, masking stopped at a ` #` inside the quotes
        {
            "config.yaml": "replication:\n  connections:\n    - type: postgresql\n"
            '      password: "ab #Sec-ret-4711": x\n'
        },
        "Sec-ret-4711",
        "parse-error",
        id="quoted secret with ' #' on a YAML syntax-error line",
    ),
    pytest.param(
        # lint/redact.py `_conninfo_quoted`: `\\''` in a postgresql.conf string is an escaped backslash and an escaped
        # quote, i.e. `\'` inside the conninfo value, not its end (shown by a syntax error on the same line)
        {"postgresql.conf": "primary_conninfo = 'host=h password=''a\\\\'' Sec-ret-4711''' junk\n"},
        "Sec-ret-4711",
        "parse-error",
        id="backslash-escaped quote in a conf conninfo",
    ),
]


@pytest.mark.parametrize(("files", "secret", "rule"), REGRESSIONS)
def test_regressions(tmp_path: Path, files: dict[str, str], secret: str, rule: str) -> None:
    write_tree(tmp_path / "project", files)
    outputs = check_all_formats(tmp_path / "project", tmp_path)
    assert not leaks(outputs, frozenset({secret}), "")
    ((path, text),) = files.items()
    line = next(n for n, content in enumerate(text.split("\n"), 1) if secret in content)
    assert (path, line, rule) in findings_of(outputs)  # the secret's line is the one the snippet shows


def test_conninfo_settings_reach_the_model_masked(tmp_path: Path) -> None:
    """lint/model/builder.py `_settings`: `settings[].value` carried primary_conninfo's password to every policy."""
    write_tree(
        tmp_path,
        {
            "postgresql.conf": "primary_conninfo = 'host=h user=rep password=Sec-ret-4711'\n",
            "V1.sql": "ALTER SYSTEM SET primary_conninfo = 'host=h password=''Sec ret 4711''';\n",
        },
    )
    texts = _model_texts(tmp_path)
    values = sorted(json.loads(t.split("\n", 1)[0])["value"] for n, t in texts.items() if n.startswith("settings["))
    assert values == ["host=h password='****'", "host=h user=rep password=****"]


LIVE_REGRESSIONS = [
    # lint/live/postgres.py `_error_text`: libpq quotes the whole URI, and "sslmode" in it made the message
    # look like a TLS error, which was repeated verbatim
    ("postgresql://u:Sec-ret-4711@[::1:5432/db?sslmode=require", "invalid connection string for postgresql://u@"),
    ("postgresql://u:Sec%zzret-4711@127.0.0.1:1/db?sslmode=require", "invalid connection string for postgresql://u@"),
    # lint/live/postgres.py `redact`: an unbalanced quote put the password into the user name of the display
    ("host=127.0.0.1 port=1 user='u password=Sec-ret-4711 dbname=app", "postgresql://(connection string not shown)"),
    # libpq's words are kept when they cannot hold the password
    ("postgresql://u:Sec-ret-4711@127.0.0.1:1/db?foo=bar", 'invalid URI query parameter: "foo"'),
    # ... and a raw '/' in the password made part of it the database name
    ("postgresql://u:ab/Sec-ret-4711@127.0.0.1:1/db", "cannot connect to postgresql://u@127.0.0.1:1/db"),
]


@pytest.mark.parametrize(("uri", "phrase"), LIVE_REGRESSIONS)
def test_live_regressions(uri: str, phrase: str) -> None:
    from lint.live.postgres import probe

    observed = probe(uri, target="source", tables=[], timeout_s=1)
    shown = f"{observed.display}\n{observed.error}"
    assert phrase in shown
    assert not any(run in shown for run in fragments(frozenset({"Sec-ret-4711", "Sec%zzret-4711"}))), shown


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_an_unquoted_password_is_in_no_format_and_no_baseline(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`PASSWORD Sup3rS3cret` is no valid SQL: the parser's "at or near" message quoted it, and no statement gave
    the snippet a span to mask."""
    write_tree(tmp_path, {"db/1.sql": "CREATE ROLE a LOGIN PASSWORD Sup3rS3cret;\nCREATE TABLE t (id int,,);\n"})
    baseline = tmp_path / "baseline.json"
    assert main(["check", "--no-cache", "--format", fmt, str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "Sup3rS3cret" not in out
    assert main(["check", "--no-cache", "--write-baseline", str(baseline), str(tmp_path)]) == 0
    assert "Sup3rS3cret" not in baseline.read_text(encoding="utf-8")
    if fmt == "text":
        assert 'syntax error at or near ","' in out  # a keyword or operator is still named


@pytest.mark.parametrize("token", ["Sup3rS3cretT0ken", "ghp_Sup3rS3cretT0ken=x"])
def test_a_uri_that_is_really_a_bare_secret_is_not_echoed(token: str, capsys: pytest.CaptureFixture[str]) -> None:
    """libpq quotes what it cannot parse ("invalid connection option", "missing = after"): pasting a token where
    the URI belongs must not print the token."""
    good = Path(__file__).resolve().parent.parent / "examples" / "powersync-supabase-good"
    main(["check", "--live", "--source-uri", token, "--live-timeout", "2", "--oneline", str(good)])
    out = capsys.readouterr()
    assert "Sup3rS3cret" not in out.out + out.err
    assert "invalid connection string" in out.out


def test_an_empty_env_value_is_unset_not_the_local_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"powersync/config.yaml": LIVE_CONFIG})
    monkeypatch.setenv("PS_DATA_SOURCE_URI", "")
    monkeypatch.setenv("PS_STORAGE_URI", "")
    main(["check", "--live", "--oneline", str(tmp_path)])
    out = capsys.readouterr().out
    assert "the environment variable PS_DATA_SOURCE_URI is set but empty" in out
