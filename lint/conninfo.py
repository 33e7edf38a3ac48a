"""Connection strings: libpq URIs and keyword/value strings, MongoDB URIs, and server identity.

Passwords are never kept: a parsed connection records only *whether* a password was written inline.
Host canonicalisation follows RULES.md `cfg-storage-shares-source-server` (loopback aliases, sockets,
bracketed IPv6, Neon `-pooler`, Supabase project refs).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

PG_DEFAULT_PORT = 5432
MONGO_DEFAULT_PORT = 27017


@dataclass(frozen=True)
class ConnInfo:
    """A parsed connection string. `params` never contains `password`."""

    scheme: str  # "postgresql", "mongodb", "mongodb+srv", "keyword" (libpq key=value), or other scheme
    hosts: tuple[tuple[str, int | None], ...]  # (host, port) pairs as written (port None = default)
    params: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    database: str | None = None
    has_password: bool = False
    errors: tuple[str, ...] = ()  # what libpq (or the driver) would reject, described without values


_URI_RE = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.S)


def parse(text: str) -> ConnInfo:
    """Parse a libpq URI, a MongoDB URI, or a libpq keyword/value string."""
    text = text.strip()
    m = _URI_RE.match(text)
    if m:
        return _parse_uri(m.group("scheme").lower(), m.group("rest"))
    return _parse_keywords(text)


def _split_hosts(netloc: str, default_port: int | None) -> tuple[tuple[str, int | None], ...]:
    hosts: list[tuple[str, int | None]] = []
    for part in netloc.split(","):
        if not part:
            hosts.append(("", None))
            continue
        host, port = part, None
        if part.startswith("["):
            end = part.find("]")
            host = part[1:end] if end > 0 else part[1:]
            rest = part[end + 1 :] if end > 0 else ""
            if rest.startswith(":") and rest[1:].isdigit():
                port = int(rest[1:])
        elif part.count(":") == 1:
            h, _, p = part.partition(":")
            host = h
            port = int(p) if p.isdigit() else None
        hosts.append((unquote(host), port))
    return tuple(hosts)


def _parse_uri(scheme: str, rest: str) -> ConnInfo:
    errors: list[str] = []
    rest = rest.partition("#")[0]
    rest, _, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hostpart = netloc.rpartition("@")
    if not at:
        userinfo, hostpart = "", netloc
    user, colon, _password = userinfo.partition(":")
    has_password = bool(colon and _password)
    default_port = MONGO_DEFAULT_PORT if scheme.startswith("mongodb") else PG_DEFAULT_PORT
    hosts = _split_hosts(hostpart, default_port)
    params: dict[str, str] = {}
    for item in query.split("&") if query else []:
        if not item:
            continue
        key, eq, value = item.partition("=")
        if "=" in value:
            # libpq: 'extra key/value separator "=" in URI query parameter'
            errors.append(f'extra key/value separator "=" in URI query parameter "{unquote(key)}"')
        params[unquote(key)] = unquote(value) if eq else ""
    if "password" in params:
        has_password = has_password or bool(params.pop("password"))
    database = unquote(path) if slash and path else None
    if "dbname" in params:
        database = params["dbname"]
    if "host" in params:  # libpq: ?host= overrides the URI host list
        ports = params.get("port", "").split(",")
        hosts = tuple(
            (h, int(ports[i]) if i < len(ports) and ports[i].isdigit() else None)
            for i, h in enumerate(params["host"].split(","))
        )
    elif "port" in params and params["port"].isdigit():
        hosts = tuple((h, int(params["port"])) for h, _p in hosts)
    if "user" in params:
        user = params["user"]
    return ConnInfo(
        scheme=scheme,
        hosts=hosts,
        params=params,
        user=unquote(user) or None,
        database=database,
        has_password=has_password,
        errors=tuple(errors),
    )


_KW_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*")


def _parse_keywords(text: str) -> ConnInfo:
    params: dict[str, str] = {}
    errors: list[str] = []
    pos = 0
    has_password = False
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _KW_RE.match(text, pos)
        if not m:
            errors.append("invalid connection option syntax (expected keyword=value)")
            break
        key = m.group(1)
        pos = m.end()
        value, pos = _kw_value(text, pos)
        if key == "password":
            has_password = has_password or bool(value)
        else:
            params[key] = value
    hosts: tuple[tuple[str, int | None], ...] = ()
    host_list = params.get("host", params.get("hostaddr", "")).split(",")
    port_list = params.get("port", "").split(",")
    hosts = tuple(
        (
            h,
            int(port_list[i])
            if i < len(port_list) and port_list[i].isdigit()
            else (int(port_list[0]) if len(port_list) == 1 and port_list[0].isdigit() else None),
        )
        for i, h in enumerate(host_list)
    )
    return ConnInfo(
        scheme="keyword",
        hosts=hosts,
        params=params,
        user=params.get("user"),
        database=params.get("dbname"),
        has_password=has_password,
        errors=tuple(errors),
    )


def _kw_value(text: str, pos: int) -> tuple[str, int]:
    if pos < len(text) and text[pos] == "'":
        out: list[str] = []
        pos += 1
        while pos < len(text):
            ch = text[pos]
            if ch == "\\" and pos + 1 < len(text):
                out.append(text[pos + 1])
                pos += 2
                continue
            if ch == "'":
                return "".join(out), pos + 1
            out.append(ch)
            pos += 1
        return "".join(out), pos
    start = pos
    while pos < len(text) and not text[pos].isspace():
        pos += 1
    return text[start:pos].replace("\\", ""), pos


# ---------------------------------------------------------------------------------------------------------
# Server identity


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "0.0.0.0", ""}


def host_class(host: str) -> str:
    """'loopback', 'private' (RFC1918/ULA/link-local or a single-label name), 'socket', 'public', or 'unknown' for
    a template placeholder (`${PG_HOST}`, `{{ .host }}`) that some other tool fills in: it names no host yet."""
    if "${" in host or "{{" in host or host.strip().startswith("$"):
        return "unknown"
    if host.strip() == "" or host.strip().startswith("/"):
        return "socket"  # libpq: no host means the default Unix-domain socket
    h = canonical_host(host)
    if h == "loopback":
        return "loopback"
    if h.startswith("socket:"):
        return "socket"
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        if "." not in h or h.endswith((".internal", ".local", ".flycast", ".svc", ".cluster.local")):
            return "private"  # Docker Compose service names, Kubernetes services, Fly private network
        return "public"
    return "private" if (ip.is_private or ip.is_link_local) else "public"


def canonical_host(host: str) -> str:
    """Normalise a host so that aliases of one machine compare equal."""
    h = host.strip().lower().rstrip(".")
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if h.startswith("/"):
        return f"socket:{h.rstrip('/')}"
    if h in _LOOPBACK_NAMES or h.endswith(".localhost"):
        return "loopback"
    if h == "host.docker.internal":
        return "docker-host"
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return _fold_provider_alias(h)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return "loopback"
    return str(ip)


_NEON_RE = re.compile(r"^(?P<ep>ep-[a-z0-9-]+?)-pooler\.(?P<rest>.+\.neon\.tech)$")
_SUPABASE_DIRECT_RE = re.compile(r"^db\.(?P<ref>[a-z0-9]+)\.supabase\.co$")
_AURORA_RE = re.compile(r"^(?P<c>[^.]+)\.cluster-(?:ro-)?(?P<id>[^.]+)\.(?P<r>[^.]+)\.rds\.amazonaws\.com$")


def _fold_provider_alias(h: str) -> str:
    m = _NEON_RE.match(h)
    if m:
        return f"{m.group('ep')}.{m.group('rest')}"
    m = _SUPABASE_DIRECT_RE.match(h)
    if m:
        return f"supabase:{m.group('ref')}"
    m = _AURORA_RE.match(h)
    if m:
        return f"aurora:{m.group('c')}.{m.group('id')}.{m.group('r')}"
    return h


def server_endpoints(info: ConnInfo, default_port: int) -> frozenset[str]:
    """Canonical `host:port` endpoints a connection may reach (loopback aliases folded, ports defaulted)."""
    out: set[str] = set()
    for host, port in info.hosts or (("", None),):
        canon = canonical_host(host)
        if canon.startswith("supabase:") or host.endswith(".pooler.supabase.com"):
            # Supabase's pooler host is shared; the project ref is in the user name (postgres.<ref>).
            ref = canon.split(":", 1)[1] if canon.startswith("supabase:") else _supabase_ref_from_user(info.user)
            if ref:
                out.add(f"supabase:{ref}")
                continue
        out.add(f"{canon}:{port or default_port}")
    return frozenset(out)


def _supabase_ref_from_user(user: str | None) -> str | None:
    if user and "." in user:
        return user.rsplit(".", 1)[1]
    return None


def provider_of(host: str) -> str | None:
    """Managed-service provider detected from a host name (RULES.md §0)."""
    h = host.lower().rstrip(".")
    suffixes = (
        (".rds.amazonaws.com", "rds"),
        (".postgres.database.azure.com", "azure"),
        (".supabase.co", "supabase"),
        (".pooler.supabase.com", "supabase"),
        (".supabase.com", "supabase"),
        (".neon.tech", "neon"),
        # Fly's private network also uses `<app>.internal`, but so do Docker, GCP and many LANs: only the
        # unambiguous `.flycast` is taken as Fly.
        (".flycast", "fly"),
        (".mongocluster.cosmos.azure.com", "documentdb"),
    )
    for suffix, name in suffixes:
        if h.endswith(suffix):
            return name
    if h.startswith("/cloudsql/"):
        return "cloudsql"
    return None


def row_security_option(info: ConnInfo | None) -> str:
    """'off' when the connection sets row_security=off correctly, 'unencoded' when libpq would reject it."""
    if info is None:
        return "none"
    if info.scheme != "keyword" and any('"options"' in e for e in info.errors):
        return "unencoded"
    options = info.params.get("options", "")
    normalized = options.replace(" ", "").lower()
    if any(f"row_security={v}" in normalized for v in ("off", "0", "false")):
        return "off"
    return "none"
