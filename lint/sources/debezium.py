"""Debezium PostgreSQL connector configurations -> settings with exact source spans.

Accepted file shapes (only PostgreSQL connectors; any other `connector.class` is not ours and is ignored):

- **Kafka Connect REST JSON** (already parsed by `lint.yamlsrc.load_located`): the `POST /connectors` body
  `{"name": ..., "config": {...}}`, the flat `PUT /connectors/<name>/config` body `{"connector.class": ...}`,
  and a top-level list of either. https://kafka.apache.org/documentation/#connect_rest
- **Strimzi `KafkaConnector`** YAML: `apiVersion: kafka.strimzi.io/...`, `kind: KafkaConnector`,
  `metadata.name` (the connector name), `spec.class`, `spec.tasksMax`, `spec.config`. `spec.class` and
  `spec.tasksMax` are reported as the `connector.class` / `tasks.max` settings Strimzi passes to Connect.
  https://strimzi.io/docs/operators/latest/configuring.html#type-KafkaConnectorSpec-reference
- **`.properties`**: Kafka Connect standalone connector files (`connect-standalone worker.properties
  connector.properties`) and Debezium Server `application.properties`, whose source keys are
  `debezium.source.<key>` (the prefix is stripped; flavor `debezium-server`; Quarkus profile keys such as
  `%prod.debezium.source.x` are not settings, but their secrets are still located).
  https://debezium.io/documentation/reference/stable/operations/debezium-server.html

The `.properties` syntax is `java.util.Properties.load` exactly (Kafka's `Utils.loadProps` and SmallRye
Config both use it): `#`/`!` comment lines, `=`, `:` or whitespace separators, a line ending in an odd number
of backslashes continues on the next line (whose leading whitespace is dropped), `\\uXXXX` and the `\\t \\n
\\r \\f` escapes, any other escaped character stands for itself, and the last of duplicate keys wins.
https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Properties.html#load(java.io.Reader)

JSON and YAML values that are numbers or booleans are converted to the text Kafka Connect sees (`true`,
`10000`). The connector class is matched as Kafka Connect's plugin loader does: the fully qualified name
or its simple-name alias `PostgresConnector`, surrounding whitespace ignored.

Secrets: a value is a reference, not plaintext, when it contains a Kafka ConfigProvider placeholder
`${provider:[path:]key}` (file, env, directory, secrets, vault, ...) or a Debezium Server / Quarkus
`${ENV_VAR}` / `${ENV_VAR:default}` expression. https://kafka.apache.org/documentation/#config_providers
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Literal

from lint.span import LineIndex, Span
from lint.yamlsrc import EnvRef, Located, Problem, YamlPath, describe_type

__all__ = [
    "DebeziumConnector",
    "DebeziumFile",
    "Setting",
    "is_config_reference",
    "looks_like_debezium_doc",
    "looks_like_debezium_properties",
    "read_debezium_doc",
    "read_debezium_properties",
    "read_properties",
]

POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector"
# Kafka Connect registers every plugin under its class name and its simple name (PluginUtils aliases).
_POSTGRES_CLASSES = frozenset({POSTGRES_CONNECTOR, "PostgresConnector"})
SERVER_PREFIX = "debezium.source."
# Bounds against hostile input; real connector files are a few KB.
MAX_PROPERTIES_CHARS = 5_000_000
MAX_CONNECTORS = 10_000

Flavor = Literal["connect-json", "connect-properties", "debezium-server", "strimzi"]

# `${...}` with something inside: Kafka ConfigProvider placeholders and MicroProfile/Quarkus expressions.
_REFERENCE_RE = re.compile(r"\$\{[^{}]+\}")
_PROFILE_RE = re.compile(r"^%[^.]*\.")


@dataclass(frozen=True)
class Setting:
    key: str
    value: str
    span: Span  # the value (for continued .properties values: first to last line)
    key_span: Span


@dataclass(frozen=True)
class DebeziumConnector:
    path: str
    name: str  # the declared connector name; the file name stem when none is declared
    flavor: Flavor
    settings: dict[str, Setting]
    span: Span  # the connector object (or the first line of a properties file)

    def get(self, key: str) -> Setting | None:
        return self.settings.get(key)


@dataclass(frozen=True)
class DebeziumFile:
    path: str
    connectors: tuple[DebeziumConnector, ...]
    problems: tuple[Problem, ...]
    # Literal (non-reference, non-empty) values of database.password, database.sslpassword, *.password and
    # *sasl.jaas.config, anywhere in the file (Debezium Server sink keys included).
    secret_spans: tuple[Span, ...]


def is_config_reference(value: str) -> bool:
    """True when `value` names where a secret lives instead of holding it.

    Kafka ConfigProviders (`${file:/etc/kafka/pg.properties:password}`, `${env:PG_PASSWORD}`,
    `${secrets:ns/name:key}`, `${vault:...}`) and Quarkus expressions (`${PG_PASSWORD}`,
    `${PG_PASSWORD:dev}`) are expanded at start-up. A value that contains a reference plus literal text is
    still a reference; the empty value is not (it holds no secret).
    """
    return _REFERENCE_RE.search(value) is not None


def is_secret_key(key: str) -> bool:
    """Keys whose literal value is a credential (Debezium, Kafka client SSL/SASL settings)."""
    key = _PROFILE_RE.sub("", key.strip())
    return (
        key in ("password", "database.password", "database.sslpassword")
        or key.endswith((".password", ".sslpassword"))
        or key.endswith("sasl.jaas.config")
    )


def is_postgres_class(value: object) -> bool:
    return isinstance(value, str) and value.strip() in _POSTGRES_CLASSES


def _stem(path: str) -> str:
    base = posixpath.basename(path.replace("\\", "/"))
    stem, _ext = posixpath.splitext(base)
    return stem or base


# ---------------------------------------------------------------------------------------------------------
# JSON / YAML documents


def _is_strimzi(data: Any) -> bool:
    if not (isinstance(data, dict) and data.get("kind") == "KafkaConnector"):
        return False
    api = data.get("apiVersion")
    return api is None or (isinstance(api, str) and api.startswith("kafka.strimzi.io/"))


def _connect_config(data: Any) -> tuple[dict[str, Any], YamlPath] | None:
    """The config mapping of a Kafka Connect REST body, with its path relative to the object."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("config"), dict):
        return data["config"], ("config",)
    if "connector.class" in data:
        return data, ()
    return None


def _is_postgres_object(data: Any) -> bool:
    if _is_strimzi(data):
        spec = data.get("spec")
        return isinstance(spec, dict) and is_postgres_class(spec.get("class"))
    found = _connect_config(data)
    return found is not None and is_postgres_class(found[0].get("connector.class"))


def looks_like_debezium_doc(data: Any) -> bool:
    """A Kafka Connect REST body, a list of them, or a Strimzi KafkaConnector — for PostgreSQL."""
    if isinstance(data, list):
        return any(_is_postgres_object(item) for item in data[:MAX_CONNECTORS])
    return _is_postgres_object(data)


def _as_kafka_text(value: Any) -> str | None:
    """What Kafka Connect sees for a JSON/YAML scalar (Jackson's textual form), or None for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


class _DocReader:
    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.path = doc.path
        self.problems: list[Problem] = []  # doc.problems are the caller's (it loaded the document)
        self.secrets: list[Span] = []

    def read(self) -> DebeziumFile:
        connectors: list[DebeziumConnector] = []
        data = self.doc.data
        if isinstance(data, list):
            for i, item in enumerate(data[:MAX_CONNECTORS]):
                conn = self._object(item, (i,))
                if conn is not None:
                    connectors.append(conn)
        else:
            conn = self._object(data, ())
            if conn is not None:
                connectors.append(conn)
        return DebeziumFile(self.path, tuple(connectors), tuple(self.problems), tuple(self.secrets))

    def _object(self, data: Any, ypath: YamlPath) -> DebeziumConnector | None:
        if not _is_postgres_object(data):
            return None
        assert isinstance(data, dict)
        if _is_strimzi(data):
            return self._strimzi(data, ypath)
        found = _connect_config(data)
        assert found is not None
        config, rel = found
        name = data.get("name") if rel else None
        if not isinstance(name, str):
            name = config.get("name")
        settings = self._settings(config, (*ypath, *rel))
        return DebeziumConnector(
            self.path,
            name if isinstance(name, str) and name else _stem(self.path),
            "connect-json",
            settings,
            self.doc.at(ypath),
        )

    def _strimzi(self, data: dict[str, Any], ypath: YamlPath) -> DebeziumConnector:
        spec = data["spec"]
        config = spec.get("config")
        settings: dict[str, Setting] = {}
        if isinstance(config, dict):
            settings = self._settings(config, (*ypath, "spec", "config"))
        elif config is not None:
            self.problems.append(
                Problem(
                    "invalid-value",
                    f"spec.config is {describe_type(config)}; Strimzi expects a mapping of connector settings",
                    self.doc.at((*ypath, "spec", "config")),
                )
            )
        # Strimzi passes spec.class / spec.tasksMax to Connect as connector.class / tasks.max.
        for field_name, key in (("class", "connector.class"), ("tasksMax", "tasks.max")):
            text = _as_kafka_text(spec.get(field_name))
            if text is not None:
                fpath = (*ypath, "spec", field_name)
                value = text.strip() if key == "connector.class" else text
                settings[key] = Setting(key, value, self.doc.at(fpath), self.doc.key_at(fpath))
        meta = data.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        return DebeziumConnector(
            self.path,
            name if isinstance(name, str) and name else _stem(self.path),
            "strimzi",
            settings,
            self.doc.at(ypath),
        )

    def _settings(self, config: dict[str, Any], cpath: YamlPath) -> dict[str, Setting]:
        settings: dict[str, Setting] = {}
        for key, raw in config.items():
            vpath = (*cpath, key)
            span, key_span = self.doc.at(vpath), self.doc.key_at(vpath)
            text = None if isinstance(raw, EnvRef) else _as_kafka_text(raw)
            if text is None:
                what = (
                    "an !env tag, which Kafka Connect does not expand"
                    if isinstance(raw, EnvRef)
                    else describe_type(raw)
                )
                self.problems.append(
                    Problem(
                        "invalid-value",
                        f"connector setting '{key}' is {what}; Kafka Connect expects a string (or a number or "
                        "boolean, which it reads as text)",
                        span,
                    )
                )
                continue
            settings[key] = Setting(key, text, span, key_span)
            if is_secret_key(key) and text and not is_config_reference(text):
                self.secrets.append(span)
        _check_values(settings, self.problems)
        return settings


def _check_values(settings: dict[str, Setting], problems: list[Problem]) -> None:
    """Type checks Debezium itself makes at start-up for the connection settings."""
    port = settings.get("database.port")
    if port is not None and not is_config_reference(port.value):
        text = port.value.strip()
        if not (re.fullmatch(r"\+?[0-9]{1,10}", text) and 0 < int(text) <= 65535):
            problems.append(
                Problem(
                    "invalid-value",
                    "database.port must be a TCP port number (1-65535); Debezium refuses to start otherwise",
                    port.span,
                )
            )


def read_debezium_doc(doc: Located) -> DebeziumFile:
    """PostgreSQL connectors in a parsed Kafka Connect JSON body, a list of them, or a Strimzi resource.

    `doc.problems` (syntax errors found while loading) are not repeated: the caller that loaded `doc` has them.
    """
    try:
        return _DocReader(doc).read()
    except RecursionError:  # pragma: no cover - the loader bounds nesting; belt and braces
        too_deep = Problem("parse", "file nesting is too deep to read", Span.point(doc.path, 1))
        return DebeziumFile(doc.path, (), (too_deep,), ())


# ---------------------------------------------------------------------------------------------------------
# java.util.Properties


_WS = " \t\f"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class _Entry:
    key: str
    value: str
    key_range: tuple[int, int]  # [start, end) in the text; empty range = point at start
    value_range: tuple[int, int]


def _logical_lines(text: str) -> list[tuple[list[tuple[str, int]], int]]:
    """`Properties.LineReader.readLine` (JDK 9+): logical lines as (character, offset in text) lists, each
    with the offset where the logical line starts (the line may be empty once its continuation is dropped).

    Mirrors the JDK's quirks too: a `#`/`!` starts a comment whenever the logical line is still empty (also
    right after a continuation), and a line that is only a continuation backslash at the very end of the
    input is an entry with an empty key.
    """
    lines: list[tuple[list[tuple[str, int]], int]] = []
    buf: list[tuple[str, int]] = []
    first = 0
    skip_ws, appended, backslash, appended_any = True, False, False, False
    i, n = 0, len(text)
    while True:
        if i >= n:
            if buf:
                if backslash:
                    buf.pop()
                lines.append((buf, first))
            return lines
        c = text[i]
        i += 1
        if skip_ws:
            if c in _WS or (not appended and c in "\r\n"):
                continue
            skip_ws = appended = False
        if not buf and c in "#!":
            while i < n and text[i] not in "\r\n":  # the comment runs to the end of the natural line
                i += 1
            if i >= n:
                return lines
            i += 1
            skip_ws = True
            continue
        if c not in "\r\n":
            if not buf and not appended_any:
                first = i - 1
            appended_any = True
            buf.append((c, i - 1))
            backslash = (not backslash) if c == "\\" else False
            continue
        # End of a natural line.
        if not buf:
            skip_ws = True
            continue
        if i >= n:
            if backslash:
                buf.pop()
            lines.append((buf, first))
            return lines
        if backslash:
            buf.pop()  # the continuation backslash is not part of the value
            skip_ws, appended, backslash = True, True, False
            if c == "\r" and text[i] == "\n":
                i += 1
            continue
        lines.append((buf, first))
        buf, skip_ws, appended, backslash, appended_any = [], True, False, False, False


def _split_line(line: list[tuple[str, int]]) -> tuple[int, int]:
    """`Properties.load0`: (key length, value start) within a logical line."""
    limit = len(line)
    key_len, value_start, has_sep, backslash = 0, limit, False, False
    while key_len < limit:
        c = line[key_len][0]
        if c in "=:" and not backslash:
            value_start, has_sep = key_len + 1, True
            break
        if c in _WS and not backslash:
            value_start = key_len + 1
            break
        backslash = (not backslash) if c == "\\" else False
        key_len += 1
    while value_start < limit:
        c = line[value_start][0]
        if c not in _WS:
            if not has_sep and c in "=:":
                has_sep = True
            else:
                break
        value_start += 1
    return key_len, value_start


def _convert(chars: list[tuple[str, int]]) -> tuple[str, int | None]:
    """`Properties.loadConvert`: unescape; returns the text and the offset of a malformed \\u escape."""
    out: list[str] = []
    i, n = 0, len(chars)
    while i < n:
        c = chars[i][0]
        i += 1
        if c != "\\":
            out.append(c)
            continue
        if i >= n:  # cannot happen after LineReader, but never index past the end
            break
        c = chars[i][0]
        i += 1
        if c == "u":
            digits = "".join(ch for ch, _ in chars[i : i + 4])
            if len(digits) < 4 or not set(digits) <= _HEX:
                return "".join(out), chars[i - 2][1]
            out.append(chr(int(digits, 16)))
            i += 4
        else:
            out.append(_ESCAPES.get(c, c))
    # \uD83D\uDE00 is one character written as a UTF-16 surrogate pair, as in Java strings.
    return "".join(out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace"), None


def _entries(path: str, text: str, problems: list[Problem], index: LineIndex) -> list[_Entry]:
    entries: list[_Entry] = []
    for line, first in _logical_lines(text):
        key_len, value_start = _split_line(line)
        key, bad_key = _convert(line[:key_len])
        value, bad_value = _convert(line[value_start:])
        bad = bad_key if bad_key is not None else bad_value
        if bad is not None:
            problems.append(
                Problem(
                    "parse",
                    "malformed \\uXXXX escape: Java's Properties.load rejects the whole file; write exactly four "
                    "hexadecimal digits after \\u",
                    index.span(path, bad, bad + 2),
                )
            )
            continue
        key_range = (line[0][1], line[key_len - 1][1] + 1) if key_len else (first, first)
        if value_start < len(line):
            value_range = (line[value_start][1], line[-1][1] + 1)
        else:
            after = line[-1][1] + 1 if line else first
            value_range = (after, after)
        entries.append(_Entry(key, value, key_range, value_range))
    return entries


def _range_span(index: LineIndex, path: str, rng: tuple[int, int]) -> Span:
    start, end = rng
    if end <= start:
        line, col = index.position(start)
        return Span.point(path, line, col)
    return index.span(path, start, end)


def _read_properties(path: str, text: str) -> tuple[dict[str, Setting], list[Problem], list[Span]]:
    problems: list[Problem] = []
    if len(text) > MAX_PROPERTIES_CHARS:
        too_big = f"file is larger than {MAX_PROPERTIES_CHARS} characters; it was not read"
        problems.append(Problem("parse", too_big, Span.point(path, 1)))
        return {}, problems, []
    # A lone CR ends a line for Properties; mapping it to LF keeps every offset and lets LineIndex count it.
    index = LineIndex(re.sub(r"\r(?!\n)", "\n", text))
    settings: dict[str, Setting] = {}
    secrets: list[Span] = []
    for entry in _entries(path, text, problems, index):
        setting = Setting(
            entry.key,
            entry.value,
            _range_span(index, path, entry.value_range),
            _range_span(index, path, entry.key_range),
        )
        settings[entry.key] = setting  # Properties is a Hashtable: the last duplicate wins
        if is_secret_key(entry.key) and entry.value and not is_config_reference(entry.value):
            secrets.append(setting.span)
    # Only the surviving value of a duplicated key is what the connector uses, but every literal was committed.
    return settings, problems, secrets


def read_properties(path: str, text: str) -> tuple[dict[str, Setting], tuple[Problem, ...]]:
    """Every key of a `.properties` file, read as `java.util.Properties.load` reads it, with spans."""
    try:
        settings, problems, _secrets = _read_properties(path, text)
    except RecursionError:  # pragma: no cover - the reader is iterative
        return {}, (Problem("parse", "file could not be read", Span.point(path, 1)),)
    return settings, tuple(problems)


def _postgres_flavor(settings: dict[str, Setting]) -> Flavor | None:
    server = settings.get(SERVER_PREFIX + "connector.class")
    if server is not None and is_postgres_class(server.value):
        return "debezium-server"
    plain = settings.get("connector.class")
    if plain is not None and is_postgres_class(plain.value):
        return "connect-properties"
    return None


def looks_like_debezium_properties(text: str) -> bool:
    """A Kafka Connect connector file or Debezium Server config whose source is the PostgreSQL connector."""
    if not isinstance(text, str) or len(text) > MAX_PROPERTIES_CHARS:
        return False
    if "onnector" not in text and "\\u" not in text:  # cheap rejection of unrelated .properties files
        return False
    settings, _problems = read_properties("", text)
    return _postgres_flavor(settings) is not None


def _first_line_span(path: str, text: str) -> Span:
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    return Span(path, 1, 1, 1, max(len(first), 1))


def read_debezium_properties(path: str, text: str) -> DebeziumFile:
    """The PostgreSQL connector of a Kafka Connect `.properties` file or a Debezium Server config."""
    try:
        all_settings, problems, secrets = _read_properties(path, text)
    except RecursionError:  # pragma: no cover - the reader is iterative
        return DebeziumFile(path, (), (Problem("parse", "file could not be read", Span.point(path, 1)),), ())
    flavor = _postgres_flavor(all_settings)
    connectors: tuple[DebeziumConnector, ...] = ()
    if flavor is not None:
        if flavor == "debezium-server":
            settings = {
                key[len(SERVER_PREFIX) :]: Setting(key[len(SERVER_PREFIX) :], s.value, s.span, s.key_span)
                for key, s in all_settings.items()
                if key.startswith(SERVER_PREFIX) and len(key) > len(SERVER_PREFIX)
            }
        else:
            settings = dict(all_settings)
        if "connector.class" in settings:
            cls = settings["connector.class"]
            settings["connector.class"] = Setting(cls.key, cls.value.strip(), cls.span, cls.key_span)
        _check_values(settings, problems)
        name = settings["name"].value if "name" in settings and settings["name"].value else _stem(path)
        connectors = (DebeziumConnector(path, name, flavor, settings, _first_line_span(path, text)),)
    return DebeziumFile(path, connectors, tuple(problems), tuple(secrets))
