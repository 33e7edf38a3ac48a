"""Secret masking used by every renderer (DESIGN §8: never print a secret).

Messages are built without secret values, but snippets show raw file lines, so every line a renderer prints
goes through `mask_line`. Readers that know exactly where a secret is (e.g. `api.tokens[0]`, or a YAML block
scalar that no single-line pattern can recognise) hand its span to `mask_spans` / `mask_line_mapped`.

Masking errs on the side of hiding too much: when a value's end is ambiguous we mask to the farthest
plausible end. A secret is always replaced by the fixed `MASK`, never by something of the same length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lint.span import Span

MASK = "****"

Range = tuple[int, int]  # [start, end) character offsets within one line


@dataclass(frozen=True)
class MaskedLine:
    """A masked line plus the mapping from raw to masked columns, so carets still point at the right text."""

    text: str
    ranges: tuple[Range, ...]  # merged, sorted ranges of the *raw* line that were replaced by MASK

    def column(self, raw_col: int, *, end: bool = False) -> int:
        """Map a 1-based raw column to the masked line; inside a masked range, to the mask's first (or,
        with `end=True`, last) character — never to a position that would reveal the secret's length."""
        idx = raw_col - 1
        shift = 0
        for start, stop in self.ranges:
            if idx >= stop:
                shift += len(MASK) - (stop - start)
            elif idx >= start:
                return start + shift + (len(MASK) if end else 1)
            else:
                break
        return idx + shift + 1


# --- references: values that name where a secret lives rather than containing it -----------------------

# `${file:/path:key}`, `${env:NAME}` (Kafka ConfigProviders), `${NAME}` (compose/shell interpolation),
# `{{ .Values.x }}` (Helm/Jinja templates). Only a value that is *entirely* a reference counts.
_REFERENCE = re.compile(r"\$\{[^{}\s]+\}|\{\{[^{}]*\}\}")
# A zero-argument call in JS-like inline objects, e.g. mongosh `pwd: passwordPrompt()`.
_CALL = re.compile(r"[A-Za-z_$][\w$.]*\(\s*\)")


def is_reference(value: str) -> bool:
    """True when `value` is wholly an indirection such as `${file:/p:key}` or `{{ .Values.pw }}`."""
    return _REFERENCE.fullmatch(value.strip()) is not None


# --- secret-bearing key names --------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SUFFIXES = ("password", "passwd", "secret", "token", "passphrase")
_KEY_SUFFIXES = (
    "api_key",
    "apikey",
    "deploy_key",
    "private_key",
    "secret_key",
    "secret_access_key",
    "signing_key",
    "master_key",
)
# `secret_name`, `secret_file`, `secretKeyRef`: these *point at* a secret; showing them is useful.
_POINTER_WORDS = frozenset({"file", "path", "dir", "name", "ref", "env", "id", "arn", "ttl"})


def _normalise_key(key: str) -> str:
    key = key.strip().strip("\"'")
    key = _CAMEL.sub("_", key).lower()
    return re.sub(r"[.\-\s]+", "_", key)


def is_secret_key(key: str) -> bool:
    """Does a config key name a secret value (`password`, `database.password`, `clientSecret`, `k`, ...)?

    `password_encryption` / `password_required` (postgresql.conf, subscriptions) are settings, not secrets,
    so only suffixes count for `password`; `secret_*` counts as a prefix too (`secret_access_key`).
    """
    if key.strip().strip("\"'") == "K":
        return False  # JWK members are case-sensitive: only lower-case `k` is the HMAC secret
    norm = _normalise_key(key)
    words = [w for w in norm.split("_") if w]
    if not words:
        return False
    if norm in {"k", "pwd", "tokens"} or words[-1] == "pwd" or norm.endswith("_tokens"):
        return True  # `k`: the shared secret of a JWK with `kty: oct` (HMAC)
    if norm.endswith(_SUFFIXES) or norm.endswith(_KEY_SUFFIXES):
        return True
    return words[0] == "secret" and words[-1] not in _POINTER_WORDS


# What a person writes for a password key when it is not the right one (`passwrd`, `db_pass`, `creds`): no reader
# knows such a key, so it is reported as unknown, with a snippet that must not show its value.
_LOOSE_WORDS = frozenset({"pass", "passwrd", "pasword", "passw", "pswd", "pw", "pword", "credential", "credentials",
                          "creds", "privkey", "secrets"})
_LOOSE_PREFIXES = ("passw", "pasw", "secret", "credential")
# Private members of a JSON Web Key (RFC 7518 §6.2.2, §6.3.2): the RSA/EC private key, and `k` for HMAC.
_JWK_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "k", "oth"})


def looks_secret_key(key: str) -> bool:
    """For masking only: `is_secret_key`, plus misspelt or abbreviated password keys and private JWK members.
    Readers decide findings with `is_secret_key`; output masks anything that might be one."""
    if is_secret_key(key):
        return True
    raw = key.strip().strip("\"'")
    if raw in _JWK_PRIVATE:
        return True
    words = [w for w in _normalise_key(key).split("_") if w]
    if not words or words[-1] in _POINTER_WORDS:
        return False
    return words[-1] in _LOOSE_WORDS or words[-1].startswith(_LOOSE_PREFIXES)


# --- scanning helpers ----------------------------------------------------------------------------------


def _skip_escape(line: str, j: int, *, layered: bool) -> int:
    """`line[j]` is a backslash: the index after the escape sequence.

    `layered`: the text may carry a second layer of backslash escaping (a conninfo inside a JSON, YAML or
    shell "string"; we assume so whenever the enclosing literal is double-quoted), where the inner escape
    `\\'` is written `\\\\'`, so an escaped backslash also escapes the character after it. That reading
    never ends a value earlier than the single-layer one.
    """
    k = j + 2
    if layered and line.startswith("\\\\", j) and k < len(line):
        k += 2 if line[k] == "\\" else 1
    return k


def _scan_quoted(line: str, i: int, *, backslash: bool = True, layered: bool = False) -> tuple[int, int]:
    """`line[i]` is an opening quote; return the (start, end) of the quoted content.

    Accepts the union of the escape conventions we meet (backslash escapes as in libpq, E'' strings, JSON
    and YAML double quotes; doubled quotes as in SQL and YAML single quotes), so an escaped quote never ends
    the value early. An unterminated string is masked to the end of the line. `backslash=False` is for YAML
    single quotes, where a backslash is an ordinary character.
    """
    quote = line[i]
    j = i + 1
    n = len(line)
    while j < n:
        ch = line[j]
        if ch == "\\" and backslash:
            j = _skip_escape(line, j, layered=layered)
        elif ch == quote and j + 1 < n and line[j + 1] == quote:
            j += 2  # a doubled quote
        elif ch == quote:
            return i + 1, j
        else:
            j += 1
    return i + 1, n


def _scan_sql_doubled(line: str, i: int) -> Range:
    """A quoted conninfo value written inside a SQL literal, where its quotes are doubled: `''a b''`.

    Ends at the next `''`, or at a lone `'` (the end of the SQL literal); `\\''` is an escaped quote.
    """
    return i + 2, _sql_doubled_end(line, i + 2)


def _sql_doubled_end(line: str, j: int) -> int:
    n = len(line)
    while j < n:
        if line[j] == "\\":
            j += 3 if line.startswith("''", j + 1) else 2
        elif line[j] == "'":
            return j
        else:
            j += 1
    return n


# `name = '...'` (or `name '...'`): a postgresql.conf line, whose strings have backslash escapes besides `''`.
_CONF_ASSIGNMENT = re.compile(r"\s*[A-Za-z_][A-Za-z0-9_.\-]*\s*=?\s*'")


def _conf_escaped_quote(line: str, end: int, close: int) -> bool:
    """Is the `''` at `end` an escaped quote of a conninfo in a postgresql.conf string rather than its end?

    There a conninfo `\\'` is written `\\\\''` (the conf string doubles the backslash too), which in SQL would
    be an escaped backslash and the closing quote. Read as conf only on a conf line, and only when another
    `''` follows, so that SQL-style text still ends where SQL says.
    """
    run = 0
    while end - run - 1 >= 0 and line[end - run - 1] == "\\":
        run += 1
    return run % 4 == 2 and _CONF_ASSIGNMENT.match(line) is not None and line.find("''", close + 1) >= 0


_DOLLAR = re.compile(r"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")


def _scan_dollar(line: str, i: int) -> Range | None:
    """`$tag$...$tag$` (PostgreSQL dollar quoting) starting at `i`; None when it is not a dollar quote."""
    m = _DOLLAR.match(line, i)
    if m is None:
        return None
    close = line.find(m.group(), m.end())
    return m.end(), (len(line) if close < 0 else close)


def _skip_blanks(line: str, i: int) -> int:
    while i < len(line) and line[i] in " \t":
        i += 1
    return i


# --- detectors: each yields raw ranges to mask ---------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
# Characters that cannot be part of a URI even when written sloppily; with whitespace they end the scan.
_URI_STOP = frozenset('"<>`')


def _uri_ranges(line: str) -> Iterator[Range]:
    """`scheme://user:PASS@host`: the password runs from the first ':' of the userinfo to the *last* '@'.

    Passwords with a raw '@', '/', '?' or '#' are invalid URIs but common in practice (and some drivers use a
    WHATWG parser that accepts them), so the userinfo ends at the last '@' before whitespace or a character
    no URI can contain; that over-masks when a later '@' appears in the query string, never under-masks.
    """
    for m in _SCHEME.finditer(line):
        start = m.end()
        stop = start
        while stop < len(line) and not line[stop].isspace() and line[stop] not in _URI_STOP:
            stop += 1
        at = line.rfind("@", start, stop)
        if at < 0:
            continue
        colon = line.find(":", start, at)
        if colon < 0 or is_reference(line[colon + 1 : at]):
            continue  # user only (nothing secret) or `user:${PG_PASSWORD}@host`
        yield colon + 1, at


# libpq `password` / `sslpassword`; `Password` / `Pwd` in ADO.NET and ODBC connection strings (MSSQL).
_CONNINFO = re.compile(r"(?<![\w.\-])(?:(?:ssl)?password|pwd)\s*=\s*", re.IGNORECASE)


def _conninfo_ranges(line: str) -> Iterator[Range]:
    """libpq keyword/value `password=...` and `sslpassword=...`, bare or inside a SQL or conf literal.

    https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-KEYWORD-VALUE: a value is
    either single-quoted (with `\\'` and `\\\\` escapes) or runs to whitespace (backslash still escapes).
    """
    for m in _CONNINFO.finditer(line):
        i = m.end()
        if i >= len(line):
            continue
        enclosing = _enclosing_quote(line, m.start())
        if line[i] in "'\"":
            start, end = _conninfo_quoted(line, i, enclosing)
        elif m.start() > 0 and line[m.start() - 1] in "?&":
            # a URL query parameter (`jdbc:postgresql://h/db?user=u&password=x&ssl=true`)
            start, end = i, _query_value_end(line, i)
        elif m.start() > 0 and line[m.start() - 1] == ";":
            # ADO.NET / ODBC `Server=h;User Id=u;Password=a b;`: values run to ';' and may hold spaces
            semi = line.find(";", i)
            start, end = i, (_conninfo_unquoted_end(line, i, enclosing) if semi < 0 else semi)
            if semi < 0:
                end = max(end, len(line.rstrip(f" \t{enclosing or ''}")))
        else:
            start, end = i, _conninfo_unquoted_end(line, i, enclosing)
        if end > start and not is_reference(line[start:end]):
            yield start, end


def _conninfo_quoted(line: str, i: int, enclosing: str | None) -> Range:
    """A value starting with a quote. libpq quotes with ' (escapes \\' and \\\\); inside a SQL literal that
    becomes ''...''; a " value is a keyword argument in code (`connect(password="x")`) or a plain value that
    starts with '"' (libpq has no " quoting), so for " the quotes are masked as well.

    When text runs on after the closing quote, the quotes were not what they seemed (another layer of
    escaping, e.g. a conninfo inside a shell or JSON string), so masking continues to the value's end.
    """
    if line.startswith("''", i):
        # `CONNECTION '... password=''a b'' ...'`; a bare empty `password=''` over-masks, harmlessly
        start, end = _scan_sql_doubled(line, i)
        close = end + 1
        # A `''` that text runs on after, or a conf-escaped quote, does not end the value: read on to the
        # next one (stopping at the run-on text's first blank printed the rest of a secret with a quote)
        while close + 1 < len(line) and (
            not _closes_cleanly(line, close, enclosing) or _conf_escaped_quote(line, end, close)
        ):
            end = _sql_doubled_end(line, close + 1)
            close = end + 1
    else:
        start, end = _scan_quoted(line, i, layered=enclosing == '"')
        close = end
    if close >= len(line):  # unterminated
        return (start, end) if line[i] == "'" else (i, _conninfo_unquoted_end(line, i + 1, enclosing))
    if not _closes_cleanly(line, close, enclosing):
        end = _conninfo_unquoted_end(line, close + 1, enclosing)
    return (i, max(end, close + 1)) if line[i] == '"' else (start, end)


def _closes_cleanly(line: str, close: int, enclosing: str | None) -> bool:
    """Is `line[close]` a closing quote after which the value has clearly ended?"""
    after = close + 1
    if close >= len(line):
        return False
    # Not ',', ';' or ')': after a second layer of escaping they can be part of the secret.
    return after >= len(line) or line[after].isspace() or line[after] == enclosing


def _query_value_end(line: str, i: int) -> int:
    """A raw '&' or '#' cannot be part of a query value (it would be %26 / %23)."""
    while i < len(line) and not line[i].isspace() and line[i] not in '&#"<>`':
        i += 1
    return i


def _enclosing_quote(line: str, before: int) -> str | None:
    """The quote character of the literal the conninfo is probably written in (`CONNECTION '...'`,
    `primary_conninfo = '...'`, `"host=... password=..."`): the nearest quote to the left of the keyword."""
    single, double = line.rfind("'", 0, before), line.rfind('"', 0, before)
    if single < 0 and double < 0:
        return None
    return "'" if single > double else '"'


def _conninfo_unquoted_end(line: str, i: int, enclosing: str | None) -> int:
    """End of an unquoted conninfo value: whitespace, or the closing quote of the enclosing literal.

    A doubled enclosing quote (`''` in SQL) is an escaped quote and belongs to the value; any other quote
    character is an ordinary password character.
    """
    n = len(line)
    while i < n and not line[i].isspace():
        ch = line[i]
        if ch == "\\":
            i = _skip_escape(line, i, layered=enclosing == '"')
        elif ch == enclosing and i + 1 < n and line[i + 1] == enclosing:
            i += 2  # a doubled (SQL-escaped) quote
        elif ch == enclosing:
            break
        else:
            i += 1
    return min(i, n)


_SQL_PASSWORD = re.compile(r"\b(?:PASSWORD|IDENTIFIED\s+(?:WITH\s+\S+\s+)?BY)\s+(?:[EU]&?)?(?=['$])", re.IGNORECASE)


def _sql_ranges(line: str) -> Iterator[Range]:
    """SQL `[ENCRYPTED] PASSWORD 'lit'`, `E'lit'`, `$$lit$$` and MySQL `IDENTIFIED [WITH p] BY 'lit'`.

    psql variables (`PASSWORD :'pw'`, `:pw`) and `PASSWORD NULL` are not literals and do not match.
    """
    for m in _SQL_PASSWORD.finditer(line):
        i = m.end()
        if line[i] == "'":
            yield _scan_quoted(line, i)
        else:
            rng = _scan_dollar(line, i)
            if rng is not None:
                yield rng


# A key at the start of a line (YAML block mapping, list item, properties/.env line, commented-out line) or
# after `{` or `,` (YAML flow mappings, JSON, mongosh object literals).
_KEY = re.compile(
    r"""(?:(?P<lead>^[ \t]*(?:(?:\#+|//|--)[ \t]*)?(?:-[ \t]+)?(?:export[ \t]+)?)|(?P<inline>[{,][ \t]*))
        (?P<key>"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z_][\w.\-]*)
        [ \t]*(?P<sep>[:=])""",
    re.VERBOSE,
)
_TAG = re.compile(r"!\S*")
_ANCHOR = re.compile(r"[&*][^\s,\[\]{}]+[ \t]*")
_BLOCK_INDICATOR = re.compile(r"[|>][+\-0-9]*[ \t]*(?:#.*)?$")
_NULLS = frozenset({"null", "Null", "NULL", "~"})
_COMMENT = re.compile(r"[ \t]#")
_FLOW_END = re.compile(r"[,}\]]")


def _kv_ranges(line: str, masked: tuple[Range, ...] = ()) -> Iterator[Range]:
    """`password: hunter2`, `"database.password": "x"`, `PGPASSWORD=x`, `{user: u, pwd: "x"}`, ...

    A `{k:` inside a value that is already masked (`masked`, or an earlier key's value) is text, not a key.
    """
    covered = 0
    for m in _KEY.finditer(line):
        lead = m.group("lead") is not None
        inside = m.start() < covered or any(s <= m.start("key") < e for s, e in masked)
        if inside or (not lead and "{" not in line[: m.start() + 1]):
            continue  # `,name:` outside any `{...}` is not a mapping key (e.g. inside a URI's userinfo)
        if not looks_secret_key(m.group("key")):
            continue
        if m.group("sep") == "=" and not lead:
            continue  # inline `password=` is libpq conninfo, handled by `_conninfo_ranges`
        rng = _kv_value(line, m.end(), m, lead)
        if rng is not None and rng[1] > rng[0]:
            covered = rng[1]
            yield rng


def _kv_value(line: str, i: int, m: re.Match[str], lead: bool) -> Range | None:
    i = _skip_blanks(line, i)
    if i >= len(line):
        return None
    json_like = not lead or m.group("key")[0] == '"'
    if line[i] in "\"'":
        return _kv_quoted(line, i, m.group("sep"), json_like=json_like)
    if m.group("sep") == "=":
        # properties / .env: no tags, anchors or comments after the value, so everything is the value
        end = _unquoted_end(line, i, "=", json_like=False)
        return None if is_reference(line[i:end]) else (i, end)
    return _yaml_value(line, i, json_like=json_like, inline=not lead)


def _kv_quoted(line: str, i: int, sep: str, *, json_like: bool) -> Range | None:
    """A quoted value: mask between the quotes, keeping them, when they are syntax.

    They are not when the string is unterminated or text runs on after it (`database.password="ab"cd` in a
    properties file, which has no quoting): then the quotes belong to the secret and everything is masked.
    """
    # YAML and shell single quotes have no backslash escapes; a JS `'it\'s'` then looks run-on, and is
    # masked whole below.
    start, end = _scan_quoted(line, i, backslash=line[i] == '"')
    if end >= len(line):
        return i, len(line)
    rest = line[end + 1 :]
    closed = not rest.strip() or (sep == ":" and (rest[0] in " \t" and rest.lstrip()[0] == "#"))
    if not closed and sep == ":" and json_like:
        closed = rest.lstrip()[0] in ",}]"
    if not closed:
        # At least through the closing quote: a ` #` inside the quotes is not a comment, and stopping there
        # printed the rest of the secret on a YAML syntax-error line (`password: "ab #cd": x`).
        return i, max(end + 1, _unquoted_end(line, end + 1, sep, json_like=False))
    if is_reference(line[start:end]):
        return None
    # `.env` files quote values but Java properties files do not, where the quotes would be part of the
    # secret; masking them too is right for both.
    return (i, end + 1) if sep == "=" else (start, end)


def _yaml_value(line: str, i: int, *, json_like: bool, inline: bool) -> Range | None:
    """The value after `key:` in YAML (block or flow), JSON or a JS object literal."""
    tag = _TAG.match(line, i)
    if tag is not None and tag.group() == "!env":
        return None  # `!env PS_X`: PowerSync substitutes it at load time; it names a secret, not holds one
    if tag is not None and tag.group().startswith("!!"):
        i = _skip_blanks(line, tag.end())  # `!!str hunter2` is still a literal
    anchor = _ANCHOR.match(line, i)
    if anchor is not None and line[i] == "&" and anchor.end() < len(line):
        i = anchor.end()  # `&name value`: the anchor is a label; an alias `*name` is masked like a value
    if i >= len(line) or line[i] == "#" or _BLOCK_INDICATOR.match(line, i):
        return None  # nothing on this line (nested mapping, comment, block scalar: readers give spans)
    if line[i] in "\"'":
        return _kv_quoted(line, i, ":", json_like=json_like)
    if line[i] == "[":
        close = line.rfind("]", i)
        return i, (len(line) if close < 0 else close + 1)  # `tokens: [a, b]`: the whole flow list
    if line[i] == "{":
        return None  # a nested flow mapping; its own keys are matched separately
    end = _unquoted_end(line, i, ":", json_like=json_like)
    value = line[i:end]
    if is_reference(value) or value in _NULLS or (inline and _CALL.fullmatch(value)):
        return None
    return i, end


def _unquoted_end(line: str, i: int, sep: str, *, json_like: bool) -> int:
    """End of a plain scalar: flow indicators end it in inline/JSON contexts, ` #` starts a YAML comment.

    Properties and .env lines (`=`) have no trailing comments, so their value runs to the end of the line.
    """
    end = len(line)
    if sep == ":":
        comment = _COMMENT.search(line, i)
        if comment is not None:
            end = comment.start()
        if json_like:
            flow = _FLOW_END.search(line, i, end)
            if flow is not None:
                end = flow.start()
    while end > i and line[end - 1] in " \t\r":
        end -= 1
    return end


_DETECTORS = (_uri_ranges, _conninfo_ranges, _sql_ranges)


# --- applying ranges -----------------------------------------------------------------------------------


def _merge(ranges: Iterable[Range]) -> tuple[Range, ...]:
    merged: list[list[int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def _apply(line: str, ranges: tuple[Range, ...]) -> str:
    parts: list[str] = []
    pos = 0
    for start, end in ranges:
        parts.append(line[pos:start])
        parts.append(MASK)
        pos = end
    parts.append(line[pos:])
    return "".join(parts)


def secret_ranges(line: str) -> tuple[Range, ...]:
    """Merged [start, end) ranges of `line` that `mask_line` replaces."""
    literal = _merge(r for detect in _DETECTORS for r in detect(line))
    return _merge([*literal, *_kv_ranges(line, literal)])


def mask_line_mapped(line: str, extra: Iterable[Range] = ()) -> MaskedLine:
    """`mask_line` plus a column map; `extra` adds known secret ranges (e.g. from reader spans)."""
    n = len(line)
    clamped = [(max(0, s), min(n, e)) for s, e in extra]
    ranges = _merge([*secret_ranges(line), *clamped])
    return MaskedLine(_apply(line, ranges), ranges)


def mask_line(line: str) -> str:
    """Replace every secret recognisable on one line by `MASK`, keeping the surrounding syntax."""
    return mask_line_mapped(line).text


def mask_setting(name: str, value: str) -> str:
    """A server setting's value as the model may hold it: wholly masked under a secret-bearing name (an
    extension's `myext.password`), otherwise with the passwords of a conninfo or URI masked
    (`primary_conninfo = 'host=... password=...'`), so no policy can print them."""
    if is_secret_key(name):
        return MASK
    return mask_line(value)


def span_ranges(spans: Iterable[Span], line_no: int, line: str) -> list[Range]:
    """The parts of one line (1-based `line_no`) covered by inclusive spans; paths are not checked."""
    content = len(line.rstrip("\r"))  # a span ending on the newline must not eat a CR either
    out: list[Range] = []
    for sp in spans:
        if not sp.line <= line_no <= sp.end_line:
            continue
        start = sp.col - 1 if line_no == sp.line else 0
        end = sp.end_col if line_no == sp.end_line else content
        out.append((max(0, start), min(content, end)))
    return out


def mask_spans(text: str, spans: Iterable[Span]) -> str:
    """Replace the characters each span covers by `MASK`, line by line, so line numbers stay valid.

    A multi-line span masks each covered line part separately; newlines are never removed.
    """
    by_line: dict[int, list[Span]] = {}
    lines = text.split("\n")
    for sp in spans:  # indexed by line: a file with thousands of secrets must not cost lines x spans
        for line_no in range(max(1, sp.line), min(sp.end_line, len(lines)) + 1):
            by_line.setdefault(line_no, []).append(sp)
    for line_no, on_line in by_line.items():
        ranges = _merge(span_ranges(on_line, line_no, lines[line_no - 1]))
        if ranges:
            lines[line_no - 1] = _apply(lines[line_no - 1], ranges)
    return "\n".join(lines)
