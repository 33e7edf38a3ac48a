"""One shape for the PostgreSQL client connections that Drasi sources and Neosync connections declare.

Both products name a server, a database, a login and a TLS mode; `ClientConnection` keeps each value with the
span it was written at and says whether it is a literal or a reference (Kubernetes Secret, ConfigMap,
environment variable), so policies can judge plaintext secrets, TLS and server identity the same way for both.
The readers are `lint.sources.drasi` and `lint.sources.neosync`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lint.span import Span
from lint.yamlsrc import Problem

__all__ = [
    "SSLMODES",
    "ClientConnection",
    "ClientFile",
    "Field",
    "url_part_span",
    "url_query_param",
    "url_secret_spans",
]

# libpq's sslmode values: https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-SSLMODE
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


@dataclass(frozen=True)
class Field:
    value: str | None  # literal text, or None when the value is a reference / env / missing
    ref: str | None  # "secret:<name>/<key>", "env:<VAR>", "configmap:<name>/<key>" when it is a reference
    span: Span


@dataclass(frozen=True)
class ClientConnection:
    product: Literal["drasi", "neosync"]
    path: str
    name: str
    span: Span  # the whole resource / connection object
    name_span: Span
    url: Field | None  # a full postgres URL (Neosync `url`)
    url_env: Field | None  # Neosync `urlFromEnv` (value = the variable name, ref = "env:<VAR>")
    host: Field | None
    port: Field | None
    database: Field | None
    user: Field | None
    password: Field | None  # literal only when written in clear text
    sslmode: Field | None  # libpq sslmode text (Neosync sslMode, URL ?sslmode=; Drasi: what its CDC uses)
    server_name: Field | None  # TLS server name (Neosync clientTls.serverName) when given
    root_cert: bool  # a CA/root certificate is configured
    tables: tuple[Field, ...] = ()  # Drasi `tables` (schema.table); empty for Neosync
    extra: dict[str, Field] = field(default_factory=dict)  # e.g. Drasi's derived slot/publication names


@dataclass(frozen=True)
class ClientFile:
    path: str
    connections: tuple[ClientConnection, ...]
    problems: tuple[Problem, ...]
    secret_spans: tuple[Span, ...]  # literal passwords/keys; for URLs only the password part


_URI_RE = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://")


def _sub_span(span: Span, written: int, start: int, end: int) -> Span | None:
    """Span of value[start:end] inside a one-line scalar span whose width is `written` characters.

    The scalar maps character for character onto the source only when it occupies exactly the value's
    length (plain) or that length plus two quotes (JSON / quoted YAML without escapes); otherwise None.
    """
    if span.line != span.end_line:
        return None
    width = span.end_col - span.col + 1
    if width == written:
        offset = 0
    elif width == written + 2:
        offset = 1
    else:
        return None
    return Span(span.path, span.line, span.col + offset + start, span.line, span.col + offset + end - 1)


def url_part_span(url: str, span: Span, start: int, end: int) -> Span:
    """The span of url[start:end], or the whole value's span when the source cannot be mapped exactly."""
    if end <= start:
        return span
    return _sub_span(span, len(url), start, end) or span


def url_secret_spans(url: str, span: Span) -> list[Span]:
    """Where a URL carries a password: `scheme://user:PASSWORD@host` and `?password=...` (libpq accepts both)."""
    m = _URI_RE.match(url)
    if m is None:
        return []
    out: list[Span] = []
    rest_at = m.end()
    end_of_netloc = len(url)
    for stop in "/?#":
        found = url.find(stop, rest_at)
        if found != -1:
            end_of_netloc = min(end_of_netloc, found)
    at = url.rfind("@", rest_at, end_of_netloc)
    if at != -1:
        colon = url.find(":", rest_at, at)
        if colon != -1 and at > colon + 1:
            out.append(url_part_span(url, span, colon + 1, at))
    query_at = url.find("?", rest_at)
    if query_at != -1:
        pos = query_at + 1
        query_end = url.find("#", pos)
        query_end = len(url) if query_end == -1 else query_end
        for item in url[pos:query_end].split("&"):
            key, eq, value = item.partition("=")
            if eq and key.lower() in ("password", "sslpassword") and value:
                start = pos + len(key) + 1
                out.append(url_part_span(url, span, start, start + len(value)))
            pos += len(item) + 1
    return out


def url_query_param(url: str, name: str) -> tuple[str, int, int] | None:
    """The last `name=` query parameter of a URL: (value, start, end) offsets in `url`."""
    query_at = url.find("?")
    if query_at == -1 or _URI_RE.match(url) is None:
        return None
    pos = query_at + 1
    query_end = url.find("#", pos)
    query_end = len(url) if query_end == -1 else query_end
    found: tuple[str, int, int] | None = None
    for item in url[pos:query_end].split("&"):
        key, eq, value = item.partition("=")
        if eq and key == name:
            start = pos + len(key) + 1
            found = (value, start, start + len(value))
        pos += len(item) + 1
    return found
