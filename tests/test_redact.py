"""Secret masking (lint/redact.py): known shapes, references kept, spans, and planted-secret properties."""

from __future__ import annotations

import json
import os
import string
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lint.findings.finding import Finding, FindingSet, Related, Severity
from lint.output.json_out import render_json
from lint.output.text import render_text
from lint.redact import MASK, is_reference, is_secret_key, mask_line, mask_line_mapped, mask_spans
from lint.span import Span

# --- known shapes ----------------------------------------------------------------------------------------

MASKED = [
    # URI userinfo, any scheme; user and host kept
    (
        "    uri: postgresql://powersync_role:hunter2@db.example.com:5432/app",
        "    uri: postgresql://powersync_role:****@db.example.com:5432/app",
    ),
    (
        "uri: postgres://u:p@ss/w?rd#x@host/db?sslmode=require",
        "uri: postgres://u:****@host/db?sslmode=require",
    ),
    (
        '"uri": "mongodb://admin:s3cr3t@h1:27017,h2:27017/app"',
        '"uri": "mongodb://admin:****@h1:27017,h2:27017/app"',
    ),
    (
        "uri: mongodb+srv://admin:s3cr3t@cluster0.example.net/",
        "uri: mongodb+srv://admin:****@cluster0.example.net/",
    ),
    ("uri: mysql://repl:pa%40ss@mysql.internal:3306/app", "uri: mysql://repl:****@mysql.internal:3306/app"),
    ("uri: mssql://sa:Str0ng!Pass@sql.internal:1433/app", "uri: mssql://sa:****@sql.internal:1433/app"),
    ("proxy: https://user:pw@proxy.internal:3128", "proxy: https://user:****@proxy.internal:3128"),
    (
        "url = jdbc:postgresql://h/db?user=u&password=secret&ssl=true",
        "url = jdbc:postgresql://h/db?user=u&password=****&ssl=true",
    ),
    # libpq keyword/value, bare and inside SQL / conf literals
    ("host=h port=5432 password=s3cr3t dbname=app", "host=h port=5432 password=**** dbname=app"),
    ("host=h password='a b\\' c' dbname=app", "host=h password='****' dbname=app"),
    (
        "CREATE SUBSCRIPTION s CONNECTION 'host=h user=u password=s3cr3t dbname=d' PUBLICATION p;",
        "CREATE SUBSCRIPTION s CONNECTION 'host=h user=u password=**** dbname=d' PUBLICATION p;",
    ),
    (
        "CREATE SUBSCRIPTION s CONNECTION 'host=h password=it''s' PUBLICATION p;",
        "CREATE SUBSCRIPTION s CONNECTION 'host=h password=****' PUBLICATION p;",
    ),
    (
        "CREATE SUBSCRIPTION s CONNECTION 'host=h password=''a b'' dbname=d' PUBLICATION p;",
        "CREATE SUBSCRIPTION s CONNECTION 'host=h password=''****'' dbname=d' PUBLICATION p;",
    ),
    (
        "primary_conninfo = 'host=h user=u sslpassword=abc password=x'  # standby",
        "primary_conninfo = 'host=h user=u sslpassword=**** password=****'  # standby",
    ),
    ('psql "host=h password=ab\'cd dbname=x"', 'psql "host=h password=**** dbname=x"'),
    # ADO.NET / ODBC connection strings and keyword arguments in code
    (
        "Server=sql;User Id=u;Password=my secret;Encrypt=true",
        "Server=sql;User Id=u;Password=****;Encrypt=true",
    ),
    ('"ConnectionString": "Server=sql;Uid=u;Pwd=a b"', '"ConnectionString": "Server=sql;Uid=u;Pwd=****"'),
    (
        'conn = psycopg.connect(host="h", password="hunter2", dbname="d")',
        # the ',' goes too: after a second layer of escaping it could belong to the secret
        'conn = psycopg.connect(host="h", password=**** dbname="d")',
    ),
    ('password = "hunter two"', "password = ****"),
    # SQL literals
    (
        "CREATE ROLE powersync_role WITH REPLICATION LOGIN PASSWORD 'hunter2';",
        "CREATE ROLE powersync_role WITH REPLICATION LOGIN PASSWORD '****';",
    ),
    (
        "alter role r encrypted password E'it\\'s' valid until 'infinity';",
        "alter role r encrypted password E'****' valid until 'infinity';",
    ),
    ("ALTER USER r WITH PASSWORD 'a''b';", "ALTER USER r WITH PASSWORD '****';"),
    ("CREATE ROLE r PASSWORD $$dollar$$;", "CREATE ROLE r PASSWORD $$****$$;"),
    ("CREATE ROLE r PASSWORD $pw$do$$llar$pw$ LOGIN;", "CREATE ROLE r PASSWORD $pw$****$pw$ LOGIN;"),
    ("CREATE USER 'u'@'%' IDENTIFIED BY 'mysqlpw';", "CREATE USER 'u'@'%' IDENTIFIED BY '****';"),
    ("CREATE ROLE r PASSWORD 'multi", "CREATE ROLE r PASSWORD '****"),  # continues on the next line
    # YAML / JSON / properties / .env key-value lines
    ("password: hunter2", "password: ****"),
    ("password: hunter two # rotate me", "password: **** # rotate me"),
    ('  - password: "hunter 2"', '  - password: "****"'),
    ("password: 'it''s'", "password: '****'"),
    ("password: !!str hunter2", "password: !!str ****"),
    ("password: &pw hunter2", "password: &pw ****"),
    ("pwd: x", "pwd: ****"),
    ("passwd: x", "passwd: ****"),
    ("secret: x", "secret: ****"),
    ("jwt_secret: x", "jwt_secret: ****"),
    ("  supabase_jwt_secret: eyJhbGciOi", "  supabase_jwt_secret: ****"),
    (
        "client_auth: {supabase_jwt_secret: abc, supabase: true}",
        "client_auth: {supabase_jwt_secret: ****, supabase: true}",
    ),
    ("token: abc", "token: ****"),
    ("tokens: [use_a_better_token_in_production, other]", "tokens: ****"),
    ("    k: c2VjcmV0LXNoYXJlZA", "    k: ****"),
    ('{"kty": "oct", "k": "c2VjcmV0", "alg": "HS256"}', '{"kty": "oct", "k": "****", "alg": "HS256"}'),
    ("  deploy_key: prod:abc|def", "  deploy_key: ****"),
    ("  secret_access_key: wJalrXUtnFEMI/K7MDENG", "  secret_access_key: ****"),
    ("  clientSecret: 'abc'", "  clientSecret: '****'"),
    ("api_key: x", "api_key: ****"),
    ('  "database.password": "x",', '  "database.password": "****",'),
    ('  "database.sslpassword": "x"', '  "database.sslpassword": "****"'),
    ("database.password=s3cr3t # not a comment in properties", "database.password=****"),
    ("export PGPASSWORD='abc def'", "export PGPASSWORD=****"),
    ("  - POSTGRES_PASSWORD=abc", "  - POSTGRES_PASSWORD=****"),
    ("# password: old-secret", "# password: ****"),
    (
        'db.createUser({user: "powersync", pwd: "hunter2", roles: []})',
        'db.createUser({user: "powersync", pwd: "****", roles: []})',
    ),
    ("password: *alias", "password: ****"),
]


@pytest.mark.parametrize(("line", "expected"), MASKED)
def test_masks_known_shapes(line: str, expected: str) -> None:
    assert mask_line(line) == expected


KEPT = [
    # references name where a secret lives
    "uri: !env PS_DATA_SOURCE_URI",
    "password: !env PS_PG_PASSWORD::string",
    '"database.password": "${file:/opt/kafka/secrets/pg.properties:password}",',
    '"database.password": "${env:PG_PASSWORD}"',
    "database.password=${file:/secrets/pg.properties:password}",
    "uri: postgresql://u:${PG_PASSWORD}@host/db",
    "password: '{{ .Values.pg.password }}'",
    "CREATE ROLE powersync_role WITH REPLICATION BYPASSRLS LOGIN PASSWORD :'ps_pw';",
    "CREATE ROLE r PASSWORD :pw;",
    "CREATE ROLE r PASSWORD NULL;",
    "PREPARE p AS ALTER ROLE r PASSWORD $1;",
    'db.getSiblingDB("admin").createUser({user:"powersync", pwd:passwordPrompt(), roles:["root"]})',
    # not secrets at all
    "uri: mongodb://powersync@host/db",
    "url: https://example.com/users/me@example.com",
    "password_encryption = md5",
    "password_required = false",
    "secret_name: pg-credentials",
    "password_file: /run/secrets/pg",
    "password: null",
    "password:",
    "password: |",
    "tokens:",
    "user: powersync_role",
    "-- the role needs a password: see docs",
]


@pytest.mark.parametrize("line", KEPT)
def test_keeps_references_and_non_secrets(line: str) -> None:
    assert mask_line(line) == line


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("database.password", True),
        ("database.sslpassword", True),
        ("PGPASSWORD", True),
        ("clientSecret", True),
        ("supabase_jwt_secret", True),
        ("secret_access_key", True),
        ("aws_secret_access_key", True),
        ("deploy_key", True),
        ("apiKey", True),
        ("k", True),
        ("tokens", True),
        ("password_encryption", False),
        ("passwordRequired", False),
        ("access_key_id", False),
        ("secretKeyRef", False),
        ("kty", False),
        ("uri", False),
    ],
)
def test_is_secret_key(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_is_reference() -> None:
    assert is_reference("${file:/a/b.properties:password}")
    assert is_reference(" ${env:X} ")
    assert not is_reference("pre${X}")
    assert not is_reference("$PGPASSWORD")  # a literal in PowerSync YAML; too risky to assume interpolation


def test_column_map_points_into_the_mask_not_past_it() -> None:
    raw = "uri: postgresql://u:averyveryverylongpassword@host/db"
    masked = mask_line_mapped(raw)
    assert masked.text == "uri: postgresql://u:****@host/db"
    pw_col = raw.index("avery") + 1
    assert masked.column(pw_col) == masked.text.index(MASK) + 1
    assert masked.column(pw_col + 10, end=True) == masked.text.index(MASK) + len(MASK)
    assert masked.column(raw.index("@host") + 1) == masked.text.index("@host") + 1
    assert masked.column(1) == 1


# --- mask_spans ------------------------------------------------------------------------------------------

TOKENS_YAML = "api:\n  tokens:\n    - use_a_better_token_in_production\n    - second\n"


def test_mask_spans_single_line() -> None:
    sp = Span("c.yaml", 3, 7, 3, 39)
    assert mask_spans(TOKENS_YAML, [sp]) == "api:\n  tokens:\n    - ****\n    - second\n"


def test_mask_spans_multi_line_keeps_line_numbers() -> None:
    text = "key: |\n  line-one\n  line-two\nnext: 1\n"
    out = mask_spans(text, [Span("c.yaml", 2, 3, 3, 10)])
    assert out == "key: |\n  ****\n****\nnext: 1\n"
    assert out.count("\n") == text.count("\n")


def test_mask_spans_overlap_clamp_and_crlf() -> None:
    text = "a: secret\r\nb: other\r\n"
    spans = [Span("x", 1, 4, 1, 6), Span("x", 1, 5, 1, 99), Span("x", 2, 4, 2, 8)]
    assert mask_spans(text, spans) == "a: ****\r\nb: ****\r\n"
    assert mask_spans(text, []) == text


# --- planted secrets ---------------------------------------------------------------------------------------

PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " " + "éß€漢"
# RFC 3986 userinfo characters, plus '@', '/', '?', '#', '[', ']' and a stray '%' people write raw anyway.
URI_SLOPPY = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:%@/?#[]" + "é€"


@dataclass(frozen=True)
class Case:
    secret: str  # the secret itself
    written: str  # how it is written in the line (escaped / encoded)
    line: str
    expected: str | None  # exact masked line, when the masking is exact for this shape


W = "\x00"  # where a template takes the written secret


def _case(secret: str, written: str, template: str, masked: str) -> Case:
    expected = template.replace(W, masked)
    # A secret that happens to be part of the fixed text (or of the mask) cannot be checked for absence.
    assume(secret not in expected and written not in expected and not is_reference(secret))
    return Case(secret, written, template.replace(W, written), expected)


def _sql(text: str) -> str:
    return text.replace("'", "''")


URI_TEMPLATES = [
    "    uri: postgresql://powersync_role:\x00@db.example.com:5432/app",
    '  "uri": "mongodb+srv://admin:\x00@cluster0.example.net/?retryWrites=true",',
    "uri: mysql://repl:\x00@mysql.internal:3306/app # prod",
]


@st.composite
def uri_cases(draw: st.DrawFn) -> Case:
    template = draw(st.sampled_from(URI_TEMPLATES))
    if draw(st.booleans()):
        secret = draw(st.text(PRINTABLE, min_size=3, max_size=24))
        written = urllib.parse.quote(secret, safe="")  # how the spec says to write it
    else:
        secret = written = draw(st.text(URI_SLOPPY, min_size=3, max_size=24))
    return _case(secret, written, template, MASK)


@st.composite
def sql_uri_cases(draw: st.DrawFn) -> Case:
    secret = draw(st.text(URI_SLOPPY, min_size=3, max_size=24))
    template = "CREATE SUBSCRIPTION s CONNECTION 'postgresql://rep:\x00@pub.internal/app' PUBLICATION p;"
    return _case(secret, _sql(secret), template, MASK)


def _conninfo_value(secret: str) -> tuple[str, str]:
    """libpq's own rules: quote when the value has whitespace, a quote or a backslash, or is empty."""
    if secret and not any(c.isspace() or c in "'\\" for c in secret):
        return secret, MASK
    return "'" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'", f"'{MASK}'"


def _shell(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")


def _json_inner(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


CONNINFO_TEMPLATES: list[tuple[str, Callable[[str], str]]] = [
    ("host=db.example.com port=5432 user=u password=\x00 dbname=app", str),
    ("CREATE SUBSCRIPTION s CONNECTION 'host=pub user=u password=\x00 dbname=app' PUBLICATION p;", _sql),
    ("CREATE SUBSCRIPTION s CONNECTION 'host=pub user=u password=\x00' PUBLICATION p;", _sql),
    ("primary_conninfo = 'host=primary port=5432 user=rep sslpassword=\x00'   # standby", _sql),
    # a second layer of escaping: shell double quotes, a JSON string
    ('psql "host=pub user=u password=\x00 dbname=app" -c "select 1"', _shell),
    ('  "primary_conninfo": "host=primary password=\x00 application_name=standby",', _json_inner),
]


@st.composite
def conninfo_cases(draw: st.DrawFn) -> Case:
    template, escape = draw(st.sampled_from(CONNINFO_TEMPLATES))
    secret = draw(st.text(PRINTABLE, min_size=3, max_size=24))
    value, masked = _conninfo_value(secret)
    # The SQL escaping applies to the whole conninfo, mask included; the template's own quotes are SQL.
    case = _case(secret, escape(value), template, escape(masked))
    if escape in (_shell, _json_inner) and "\\" in escape(value):
        # Two layers of backslash escaping cannot be told apart from one; the scan then masks on to the
        # end of the value (closing quote included) rather than stop early.
        return Case(case.secret, case.written, case.line, None)
    return case


def _dollar(secret: str, tag: str) -> str | None:
    body = secret + tag
    return f"{tag}{secret}{tag}" if body.find(tag) == len(secret) else None


@st.composite
def sql_password_cases(draw: st.DrawFn) -> Case:
    secret = draw(st.text(PRINTABLE, min_size=3, max_size=24))
    form = draw(st.sampled_from(["plain", "E", "$$", "$pw$"]))
    template = draw(
        st.sampled_from(
            [
                "CREATE ROLE powersync_role WITH REPLICATION LOGIN PASSWORD \x00;",
                "ALTER USER powersync_role ENCRYPTED PASSWORD \x00 VALID UNTIL 'infinity';",
            ]
        )
    )
    if form == "plain":
        case = _case(secret, "'" + _sql(secret) + "'", template, f"'{MASK}'")
        # A backslash is ambiguous (standard_conforming_strings); the scan then over-masks, never under-masks.
        return case if "\\" not in secret else Case(case.secret, case.written, case.line, None)
    if form == "E":
        written = "E'" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return _case(secret, written, template, f"E'{MASK}'")
    tag = form
    dollar = _dollar(secret, tag)
    assume(dollar is not None)
    assert dollar is not None
    return _case(secret, dollar, template, f"{tag}{MASK}{tag}")


YAML_KEYS = [
    "password",
    "database.password",
    "supabase_jwt_secret",
    "clientSecret",
    "secret_access_key",
    "deploy_key",
    "k",
    "token",
    "pwd",
    "api_key",
]


def _scalar_mask(written: str) -> str:
    return f"{written[0]}{MASK}{written[0]}" if written[0] in "'\"" else MASK


@st.composite
def yaml_cases(draw: st.DrawFn) -> Case:
    key = draw(st.sampled_from(YAML_KEYS))
    secret = draw(st.text(PRINTABLE, min_size=3, max_size=24))
    indent = draw(st.sampled_from(["", "  ", "    - "]))
    dumped = yaml.safe_dump({key: secret}, width=10**9, allow_unicode=True, sort_keys=False).rstrip("\n")
    assume("\n" not in dumped)
    prefix = f"{key}: "
    assert dumped.startswith(prefix)
    written = dumped[len(prefix) :]
    assert yaml.safe_load(dumped) == {key: secret}
    return _case(secret, written, indent + prefix + "\x00", _scalar_mask(written))


@st.composite
def flow_cases(draw: st.DrawFn) -> Case:
    """JSON objects and YAML flow mappings, the secret between other members."""
    key = draw(st.sampled_from(YAML_KEYS))
    secret = draw(st.text(PRINTABLE, min_size=3, max_size=24))
    if draw(st.booleans()):
        written = json.dumps(secret, ensure_ascii=False)
        template = '{"name": "pg", ' + json.dumps(key) + ": " + W + ', "port": 5432}'
        assert json.loads(template.replace(W, written))[key] == secret
    else:
        dumped = yaml.safe_dump([secret], default_flow_style=True, width=10**9, allow_unicode=True).strip()
        written = dumped[1:-1]  # the scalar as YAML writes it inside a flow collection
        template = "connection: {user: u, " + key + ": " + W + ", port: 5432}"
        assert yaml.safe_load(template.replace(W, written))["connection"][key] == secret
    return _case(secret, written, template, _scalar_mask(written))


@st.composite
def properties_cases(draw: st.DrawFn) -> Case:
    key = draw(st.sampled_from(["database.password", "database.sslpassword", "PGPASSWORD"]))
    secret = draw(st.text(PRINTABLE.replace("\\", ""), min_size=3, max_size=24)).strip()
    assume(len(secret) >= 3)
    return _case(secret, secret, key + "=\x00", MASK)


ALL_CASES = st.one_of(
    uri_cases(),
    sql_uri_cases(),
    conninfo_cases(),
    sql_password_cases(),
    yaml_cases(),
    flow_cases(),
    properties_cases(),
)

# REPLINT_HYP_EXAMPLES=20000 makes a thorough (slow) run; the default keeps the suite quick.
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("REPLINT_HYP_EXAMPLES", "300")),
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(ALL_CASES)
def test_planted_secret_never_survives_mask_line(case: Case) -> None:
    out = mask_line(case.line)
    assert case.secret not in out
    assert case.written not in out
    if case.expected is not None:
        assert out == case.expected


@PROPERTY_SETTINGS
@given(ALL_CASES, st.integers(1, 200), st.integers(0, 40), st.booleans(), st.booleans())
def test_planted_secret_never_survives_rendering(case: Case, col: int, length: int, oneline: bool, color: bool) -> None:
    text = f"# header\n{case.line}\nlast: line\n"
    col = min(col, len(case.line) + 1)
    span = Span("conf/x.yaml", 2, col, 2, col + length)
    finding = Finding(
        "cfg-plaintext-secret",
        Severity.ERROR,
        case.line,  # a careless message quoting the line: masked too
        span,
        related=(Related(Span("conf/x.yaml", 2, 1, 3, 2), case.line),),
        fix=case.line,
    )
    fs = FindingSet.of([finding], files=1)
    # The same report with the secret replaced by hand (not by `mask_line`) shows what fixed text is
    # printed; a secret that is part of that fixed text cannot be told apart from a leak.
    ideal = case.line.replace(case.written, MASK)
    ideal_finding = Finding(
        finding.rule,
        finding.severity,
        ideal,
        span,
        related=(Related(Span("conf/x.yaml", 2, 1, 3, 2), ideal),),
        fix=ideal,
    )
    baseline = render_text(
        FindingSet.of([ideal_finding], files=1),
        {"conf/x.yaml": text.replace(case.line, ideal)},
        oneline=oneline,
        color=color,
    )
    assume(case.secret not in baseline and case.written not in baseline)
    out = render_text(fs, {"conf/x.yaml": text}, oneline=oneline, color=color)
    assert case.secret not in out
    assert case.written not in out
    doc = json.loads(render_json(fs, "0.0.0"))
    for value in (
        doc["findings"][0]["message"],
        doc["findings"][0]["fix"],
        doc["findings"][0]["related"][0]["message"],
    ):
        assert case.secret not in value
        assert case.written not in value


@pytest.mark.parametrize(
    "line",
    ["  passwrd: hunter2", "db_pass: hunter2", "pass: hunter2", "  credentials: hunter2", "  pasword: hunter2",
     "    d: hunter2", "    p: hunter2", "    q: hunter2", "    dp: hunter2", "    dq: hunter2", "    qi: hunter2",
     '{"db_pass": "hunter2"}'],
)
def test_values_under_keys_that_look_secret_are_masked_known_key_or_not(line: str) -> None:
    """A misspelt key is reported as unknown with a snippet; a JWK's private members are no reader's secret key."""
    assert "hunter2" not in mask_line(line)


@pytest.mark.parametrize("line", ["  bypass: true", "  kid: key1", "  password_file: /run/pw", "    n: modulus"])
def test_keys_that_only_resemble_secret_ones_keep_their_values(line: str) -> None:
    assert mask_line(line) == line
