"""`pg_hba.conf` -> records in first-match order, with exact spans, and the matching rules as pure functions.

Format: https://www.postgresql.org/docs/current/auth-pg-hba-conf.html (PG 16-18) and `src/backend/libpq/hba.c`.
Tokens are separated by blanks or commas; a comma continues a list inside one field; `"..."` quotes (a
quoted keyword such as `"all"` is a literal name; `""` inside quotes is one `"`); `#` starts a comment; a
backslash at the very end of a line joins the next line (PG 16). `@file` in the database and user fields is
replaced by the names in that file, read relative to the file that mentions it. `include`,
`include_if_exists` and `include_dir` lines (PG 16) splice other files in place.

PostgreSQL refuses to load a file with any bad line; we report each bad line as a `parse` problem, drop it,
and read on. `read_hba` never raises.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from lint.sources.pgconf import FileAccess, conf_files_in_dir, is_missing, resolve_include
from lint.span import LineIndex, Span, line_bounds
from lint.yamlsrc import Problem

__all__ = [
    "CONN_TYPES",
    "METHODS",
    "WEAK_METHODS",
    "HbaFile",
    "HbaRecord",
    "HbaToken",
    "Tri",
    "first_match",
    "looks_like_hba",
    "match_address",
    "match_database",
    "match_type",
    "match_user",
    "method_class",
    "read_hba",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Tri = Literal["yes", "no", "maybe"]


@dataclass(frozen=True)
class HbaToken:
    text: str  # quotes removed
    quoted: bool  # written with a leading double quote: keywords lose their meaning
    span: Span


@dataclass(frozen=True)
class HbaRecord:
    index: int  # position in effective order (0-based), includes expanded
    conn_type: str
    databases: tuple[HbaToken, ...]  # @file already expanded (an unreadable @file stays as its `@name` token)
    users: tuple[HbaToken, ...]  # @file already expanded (idem)
    address: str | None  # None for local; raw text, an address+mask pair shown as CIDR, a quoted keyword as '"all"'
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None  # when the address is numeric
    method: str  # lower case; `ident` on a `local` line is recorded as `peer`, which is what PostgreSQL uses
    options: dict[str, str]
    span: Span  # the whole record (all its lines)
    method_span: Span
    address_span: Span | None
    file: str


@dataclass(frozen=True)
class HbaFile:
    path: str
    records: tuple[HbaRecord, ...]
    files: tuple[str, ...]
    problems: tuple[Problem, ...]


CONN_TYPES = ("local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc")
METHODS = frozenset(
    {
        "trust",
        "reject",
        "scram-sha-256",
        "md5",
        "password",
        "gss",
        "sspi",
        "ident",
        "peer",
        "pam",
        "ldap",
        "radius",
        "cert",
        "bsd",
        "oauth",
    }
)
# Methods that let a client in without proving a password to a modern verifier (RULES.md §4 hba-weak-auth-method):
# trust (nothing), password (cleartext), md5 (deprecated in PG 18), ident (believes the client's identd over TCP).
WEAK_METHODS = frozenset({"trust", "password", "md5", "ident"})
MethodClass = Literal["none", "cleartext", "weak", "strong", "os", "reject", "unknown"]
_METHOD_CLASS: dict[str, MethodClass] = {
    "trust": "none",
    "password": "cleartext",
    # "operates similarly to password except that it uses LDAP/RADIUS/PAM/BSD" - the password crosses the wire
    # in clear text unless the connection uses SSL (auth-ldap.html, auth-radius.html, auth-pam.html, auth-bsd.html).
    "ldap": "cleartext",
    "radius": "cleartext",
    "pam": "cleartext",
    "bsd": "cleartext",
    "md5": "weak",
    "ident": "weak",
    "peer": "os",
    "reject": "reject",
    "scram-sha-256": "strong",
    "cert": "strong",
    "gss": "strong",
    "sspi": "strong",
    "oauth": "strong",
}
INCLUDE_DIRECTIVES = ("include", "include_if_exists", "include_dir")

MAX_INCLUDE_DEPTH = 10  # PostgreSQL's CONF_FILE_MAX_DEPTH, for include files and @files alike
MAX_FILES = 200
MAX_RECORDS = 50_000
MAX_NAMES = 100_000  # tokens from @files
MAX_PROBLEMS = 200
MAX_LINE_CHARS = 100_000
REFUSE = "PostgreSQL will not load this file (start-up fails; a reload keeps the previous rules)"


def method_class(method: str) -> MethodClass:
    """How much a method proves: none (trust), cleartext, weak (md5, ident), strong, os (peer), reject."""
    return _METHOD_CLASS.get(method.lower(), "unknown")


# --------------------------------------------------------------------------------------------------------
# Lines and tokens


@dataclass(frozen=True)
class _Raw:
    text: str
    quoted: bool
    start: int  # offsets in the file text, [start, end)
    end: int


def _logical_lines(text: str) -> Iterator[tuple[str, list[int]]]:
    """Lines after backslash continuation, each with the file offset of every character (for spans)."""
    parts: list[str] = []
    offs: list[int] = []
    for start, end in line_bounds(text):
        stop = end
        while stop > start and text[stop - 1] == "\r":
            stop -= 1
        seg = text[start:stop]
        if seg.endswith("\\"):  # must be the very last character, not followed by blanks (hba.c)
            parts.append(seg[:-1])
            offs.extend(range(start, stop - 1))
            continue
        parts.append(seg)
        offs.extend(range(start, stop))
        yield "".join(parts), offs
        parts, offs = [], []
    if parts:
        yield "".join(parts), offs


_BLANK = " \t\r"


def _split_fields(buf: str, offs: list[int]) -> list[list[_Raw]]:
    """Fields of a logical line as PostgreSQL's next_token/next_field_expand see them (without @ expansion)."""
    fields: list[list[_Raw]] = []
    pos, n = 0, len(buf)
    comment = False
    while pos < n and not comment:
        field: list[_Raw] = []
        while True:
            while pos < n and (buf[pos] in _BLANK or buf[pos] == ","):
                pos += 1
            if pos >= n:
                break
            start = pos
            out: list[str] = []
            in_quote = was_quote = saw_quote = initial_quote = trailing_comma = False
            while pos < n and (buf[pos] not in _BLANK or in_quote):
                c = buf[pos]
                if c == "#" and not in_quote:
                    comment = True
                    break
                if c == "," and not in_quote:
                    trailing_comma = True
                    break
                if c != '"' or was_quote:
                    out.append(c)
                was_quote = (not was_quote) if (in_quote and c == '"') else False
                if c == '"':
                    in_quote = not in_quote
                    saw_quote = True
                    if not out:
                        initial_quote = True
                pos += 1
            if saw_quote or out:
                field.append(_Raw("".join(out), initial_quote, offs[start], offs[pos - 1] + 1))
            if comment or not trailing_comma:
                break
        if field:
            fields.append(field)
        if comment:
            break
    return fields


# --------------------------------------------------------------------------------------------------------
# Reader


@dataclass
class _Ctx:
    path: str
    index: LineIndex
    depth: int

    def span(self, start: int, end: int) -> Span:
        return self.index.span(self.path, start, end)


class _Reader:
    def __init__(self, access: FileAccess | None) -> None:
        self.access = access
        self.records: list[HbaRecord] = []
        self.files: list[str] = []
        self.problems: list[Problem] = []
        self.stack: list[str] = []
        self.names = 0

    def problem(self, kind: str, message: str, span: Span) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(kind, message, span))

    def read_file(self, path: str, text: str, depth: int) -> None:
        if path not in self.files:
            self.files.append(path)
        self.stack.append(path)
        try:
            ctx = _Ctx(path, LineIndex(text), depth)
            for buf, offs in _logical_lines(text):
                if len(self.records) >= MAX_RECORDS:
                    self.problem(
                        "parse",
                        f"more than {MAX_RECORDS} records; the rest was not read",
                        ctx.span(offs[0] if offs else 0, (offs[0] if offs else 0) + 1),
                    )
                    return
                if len(buf) > MAX_LINE_CHARS:
                    self.problem(
                        "parse",
                        f"line longer than {MAX_LINE_CHARS} characters was not read; {REFUSE}",
                        ctx.span(offs[0], offs[0] + 1),
                    )
                    continue
                fields = _split_fields(buf, offs)
                if fields:
                    self.read_line(ctx, fields)
        finally:
            self.stack.pop()

    def read_line(self, ctx: _Ctx, fields: list[list[_Raw]]) -> None:
        first = fields[0][0]
        if len(fields) == 2 and first.text in INCLUDE_DIRECTIVES:
            arg = fields[1][0]
            self.include(ctx, first.text, arg.text, ctx.span(arg.start, arg.end))
            return
        record = self.parse_record(ctx, fields)
        if record is not None:
            self.records.append(record)

    # ---- records (parse_hba_line)

    def parse_record(self, ctx: _Ctx, fields: list[list[_Raw]]) -> HbaRecord | None:
        whole = ctx.span(fields[0][0].start, fields[-1][-1].end)

        def bad(message: str, at: Span | None = None) -> None:
            self.problem("parse", f"{message}; {REFUSE}", at or whole)

        type_field = fields[0]
        conn = type_field[0]
        if len(type_field) > 1:
            bad("multiple values specified for connection type", ctx.span(conn.start, type_field[-1].end))
            return None
        if conn.text not in CONN_TYPES:
            bad(
                f"invalid connection type {_show(conn.text)} (expected one of {', '.join(CONN_TYPES)})",
                ctx.span(conn.start, conn.end),
            )
            return None
        if len(fields) < 2:
            bad("end-of-line before database specification")
            return None
        if len(fields) < 3:
            bad("end-of-line before role specification")
            return None
        databases = self.expand(ctx, fields[1])
        users = self.expand(ctx, fields[2])
        rest = fields[3:]
        address: str | None = None
        network: Network | None = None
        address_span: Span | None = None
        if conn.text != "local":
            if not rest:
                bad("end-of-line before IP address specification")
                return None
            parsed = self.parse_address(ctx, rest, bad)
            if parsed is None:
                return None
            address, network, address_span, used = parsed
            rest = rest[used:]
        if not rest:
            bad("end-of-line before authentication method")
            return None
        method_field = rest[0]
        method_tok = method_field[0]
        method_span = ctx.span(method_tok.start, method_tok.end)
        if len(method_field) > 1:
            bad("multiple values specified for authentication type", ctx.span(method_tok.start, method_field[-1].end))
            return None
        method = method_tok.text
        if method not in METHODS:
            hint = f" (methods are lower case: {method.lower()})" if method.lower() in METHODS else ""
            bad(f"invalid authentication method {_show(method)}{hint}", method_span)
            return None
        if conn.text == "local" and method == "ident":
            method = "peer"  # "When specified for local connections, peer authentication will be used instead"
        if conn.text == "local" and method == "gss":
            bad("gssapi authentication is not supported on local sockets", method_span)
            return None
        if conn.text != "local" and method == "peer":
            bad("peer authentication is only supported on local sockets", method_span)
            return None
        if conn.text != "hostssl" and method == "cert":
            bad("cert authentication is only supported on hostssl connections", method_span)
            return None
        options: dict[str, str] = {}
        for field in rest[1:]:
            for tok in field:
                name, eq, value = tok.text.partition("=")
                if not eq:
                    # the option text itself is not echoed: it may hold a secret (ldapbindpasswd, radiussecrets)
                    bad("authentication option not in name=value format", ctx.span(tok.start, tok.end))
                    return None
                options[name] = value
        return HbaRecord(
            index=len(self.records),
            conn_type=conn.text,
            databases=tuple(databases),
            users=tuple(users),
            address=address,
            network=network,
            method=method,
            options=options,
            span=whole,
            method_span=method_span,
            address_span=address_span,
            file=ctx.path,
        )

    def parse_address(
        self, ctx: _Ctx, rest: list[list[_Raw]], bad: Callable[[str, Span | None], None]
    ) -> tuple[str, Network | None, Span, int] | None:
        """(address text, network, span, fields used) or None after reporting the problem."""
        field = rest[0]
        tok = field[0]
        at = ctx.span(tok.start, tok.end)
        if len(field) > 1:
            bad(
                "multiple values specified for host address (one address range per line)",
                ctx.span(tok.start, field[-1].end),
            )
            return None
        text = tok.text
        if text in ("all", "samehost", "samenet"):
            # quoted, the word is a host name; keep the quotes so that it cannot be taken for the keyword
            return (f'"{text}"' if tok.quoted else text), None, at, 1
        addr_text, slash, bits_text = text.partition("/")
        addr = _ip(addr_text)
        if addr is None:
            if slash:
                bad(f"specifying both host name and CIDR mask is invalid: {_show(text)}", at)
                return None
            return text, None, at, 1  # a host name; a leading dot matches a suffix
        if slash:
            bits = _cidr_bits(bits_text, addr.max_prefixlen)
            if bits is None:
                bad(
                    f"invalid CIDR mask in address {_show(text)} (IPv{addr.version} allows /0 to "
                    f"/{addr.max_prefixlen})",
                    at,
                )
                return None
            # Host bits beyond the mask are accepted: PostgreSQL compares (client & mask) == (address & mask).
            return text, ipaddress.ip_network((addr, bits), strict=False), at, 1
        if len(rest) < 2:
            bad(
                f"end-of-line before netmask specification (write {text}/{addr.max_prefixlen} for one host, or an "
                "address range in CIDR notation)",
                at,
            )
            return None
        mask_field = rest[1]
        mask_tok = mask_field[0]
        mask_at = ctx.span(mask_tok.start, mask_tok.end)
        if len(mask_field) > 1:
            bad("multiple values specified for netmask", ctx.span(mask_tok.start, mask_field[-1].end))
            return None
        mask = _ip(mask_tok.text)
        if mask is None:
            hint = (
                f"; an address without /mask needs a netmask column, e.g. {text}/{addr.max_prefixlen}"
                if mask_tok.text in METHODS
                else ""
            )
            bad(f"invalid IP mask {_show(mask_tok.text)}{hint}", mask_at)
            return None
        if mask.version != addr.version:
            bad("address and netmask are of different IP versions", ctx.span(tok.start, mask_tok.end))
            return None
        both = ctx.span(tok.start, mask_tok.end)
        prefix = _prefix_len(int(mask), addr.max_prefixlen)
        if prefix is None:  # PostgreSQL accepts a non-contiguous mask; no network object can express it
            return f"{addr_text}/{mask_tok.text}", None, both, 2
        return f"{addr_text}/{prefix}", ipaddress.ip_network((addr, prefix), strict=False), both, 2

    # ---- @file lists

    def expand(self, ctx: _Ctx, field: list[_Raw]) -> list[HbaToken]:
        out: list[HbaToken] = []
        for tok in field:
            span = ctx.span(tok.start, tok.end)
            if not tok.quoted and tok.text.startswith("@") and len(tok.text) > 1:
                out.extend(self.expand_file(ctx, tok.text, span))
            else:
                out.append(HbaToken(tok.text, tok.quoted, span))
        return out

    def expand_file(self, ctx: _Ctx, ref: str, span: Span) -> list[HbaToken]:
        unexpanded = [HbaToken(ref, False, span)]  # the matchers answer "maybe" for a list we could not read
        target = self.target(ctx, ref, ref[1:], span, ctx.depth + 1, missing_ok=False)
        if target is None:
            return unexpanded
        assert self.access is not None
        text, error = self.access.read(target)
        if text is None:
            self.problem(
                "include",
                f"{ref}: {target} {error or 'could not be read'}, so the names in it are unknown; {REFUSE}",
                span,
            )
            return unexpanded
        if target not in self.files:
            self.files.append(target)
        self.stack.append(target)
        try:
            inner = _Ctx(target, LineIndex(text), ctx.depth + 1)
            out: list[HbaToken] = []
            for buf, offs in _logical_lines(text):
                for field in _split_fields(buf, offs):
                    for tok in self.expand(inner, field):
                        self.names += 1
                        if self.names > MAX_NAMES:
                            self.problem(
                                "include", f"more than {MAX_NAMES} names in @files; the rest was not read", span
                            )
                            return out or unexpanded
                        out.append(tok)
            return out
        finally:
            self.stack.pop()

    # ---- include directives (PG 16)

    def target(self, ctx: _Ctx, what: str, arg: str, span: Span, depth: int, *, missing_ok: bool) -> str | None:
        """The project path an include or @file names, or None after reporting why it cannot be read."""
        target, why = resolve_include(ctx.path, arg)
        if target is None:
            if why == "absolute":
                self.problem(
                    "include",
                    f"{what} is an absolute path on the database server, outside the project, "
                    "so what it contains was not checked",
                    span,
                )
            elif why == "outside":
                self.problem("include", f"{what} points outside the project, so what it contains was not checked", span)
            else:
                self.problem("parse", f"{what} names no file; {REFUSE}", span)
            return None
        if self.access is None:
            self.problem(
                "include",
                f"{what} was not followed (no project file access here), so what it contains was not checked",
                span,
            )
            return None
        if target in self.stack:
            chain = " -> ".join([*self.stack[self.stack.index(target) :], target])
            self.problem("include", f"{what} forms an include cycle ({chain}); {REFUSE}", span)
            return None
        if depth > MAX_INCLUDE_DEPTH:
            self.problem("include", f"{what} is nested more than {MAX_INCLUDE_DEPTH} levels deep; {REFUSE}", span)
            return None
        if len(self.files) >= MAX_FILES:
            self.problem("include", f"more than {MAX_FILES} files; {target} was not read", span)
            return None
        return target

    def include(self, ctx: _Ctx, directive: str, arg: str, span: Span) -> None:
        what = f"{directive} '{arg}'"
        if directive == "include_dir":
            target = self.target(ctx, what, arg, span, ctx.depth + 1, missing_ok=False)
            if target is None:
                return
            assert self.access is not None
            names = self.access.listdir(target)
            if names is None:
                self.problem("include", f"{what} ({target}) is not a directory in the project; {REFUSE}", span)
                return
            for name in conf_files_in_dir(names):
                child = posixpath.join(target, name) if target != "." else name
                if self.access.listdir(child) is None:
                    self.include_file(ctx, what, child, span, missing_ok=False)
            return
        target = self.target(ctx, what, arg, span, ctx.depth + 1, missing_ok=directive == "include_if_exists")
        if target is not None:
            self.include_file(ctx, what, target, span, missing_ok=directive == "include_if_exists")

    def include_file(self, ctx: _Ctx, what: str, target: str, span: Span, *, missing_ok: bool) -> None:
        assert self.access is not None
        if target in self.stack:
            chain = " -> ".join([*self.stack[self.stack.index(target) :], target])
            self.problem("include", f"{what} forms an include cycle ({chain}); {REFUSE}", span)
            return
        text, error = self.access.read(target)
        if text is None:
            error = error or "could not be read"
            if missing_ok and is_missing(error):
                return  # include_if_exists: skipped silently, as PostgreSQL does
            self.problem(
                "include",
                f"{what}: {target} {error}, so its rules were not checked" + ("" if missing_ok else f"; {REFUSE}"),
                span,
            )
            return
        self.read_file(target, text, ctx.depth + 1)


def _show(text: str) -> str:
    """A token for a message: short identifier-like text only, so a misplaced secret is never echoed."""
    if len(text) <= 40 and re.fullmatch(r"[\w.:/@+\-]*", text):
        return f'"{text}"'
    return "(the token at this position)"


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _cidr_bits(text: str, max_bits: int) -> int | None:
    """pg_sockaddr_cidr_mask: strtol over the whole text, then 0..32 or 0..128."""
    m = re.fullmatch(r"[ \t\n\v\f\r]*([-+]?[0-9]+)", text)
    if not m or len(m.group(1)) > 10:
        return None
    bits = int(m.group(1))
    return bits if 0 <= bits <= max_bits else None


def _prefix_len(mask: int, width: int) -> int | None:
    """Prefix length of a contiguous netmask, or None."""
    inverted = ~mask & ((1 << width) - 1)
    if inverted & (inverted + 1):
        return None
    return width - inverted.bit_length()


def read_hba(path: str, text: str, access: FileAccess | None = None) -> HbaFile:
    """Read `text` (the pg_hba.conf at project path `path`) and every file it includes or lists with `@`."""
    reader = _Reader(access)
    try:
        reader.read_file(path, text, 0)
    except Exception:  # never raise on hostile input; say so instead
        reader.problems.append(
            Problem("parse", "pg_hba.conf: could not be read completely (internal error)", Span.point(path, 1))
        )
    files = reader.files or [path]
    return HbaFile(path, tuple(reader.records), tuple(files), tuple(reader.problems))


def looks_like_hba(text: str) -> bool:
    """Sniff for files not named pg_hba*.conf: most non-comment lines are `type db user [addr] method` records."""
    if len(text) > 5 * 1024 * 1024:
        return False
    hits = other = 0
    for buf, offs in _logical_lines(text):
        if len(buf) > 10_000:
            other += 1
            continue
        fields = _split_fields(buf, offs)
        if not fields:
            continue
        words = [f[0].text for f in fields]
        if words[0] in INCLUDE_DIRECTIVES and len(words) == 2:
            continue
        need = 4 if words[0] == "local" else 5
        if words[0] in CONN_TYPES and len(words) >= need and any(w in METHODS for w in words[3:]):
            hits += 1
        else:
            other += 1
    return hits >= 1 and hits >= 3 * other


# --------------------------------------------------------------------------------------------------------
# Matching (hba.c check_hba: first record whose type, database, user and address all match wins)


def _any(results: Iterable[Tri]) -> Tri:
    out: Tri = "no"
    for r in results:
        if r == "yes":
            return "yes"
        if r == "maybe":
            out = "maybe"
    return out


def _unexpanded(tok: HbaToken) -> bool:
    return not tok.quoted and tok.text.startswith("@") and len(tok.text) > 1


def _keyword(tok: HbaToken, word: str) -> bool:
    return not tok.quoted and tok.text == word


# Constructs where PostgreSQL's ARE regular expressions and Python's `re` disagree (`\b` is backspace in ARE,
# `[[:alpha:]]` is a class there), plus quantified groups (nested quantifiers or alternation under a
# quantifier) that can backtrack catastrophically: for those we answer "maybe" instead of guessing.
_ARE_ONLY = re.compile(r"\[\[[:.=]|\\[mMyYbB]|^\*\*\*|\(\?P")
MAX_REGEX_CHARS = 500


def _risky_groups(pattern: str) -> bool:
    """True if some group containing a quantifier or `|` is itself quantified."""
    stack: list[bool] = []  # per open group: contains a quantifier or alternation
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if i + 1 < n and pattern[i + 1] == "]":
                i += 1
        elif c == "(":
            stack.append(False)
        elif c == ")":
            inner = stack.pop() if stack else False
            quantified = i + 1 < n and pattern[i + 1] in "*+?{"
            if inner and quantified:
                return True
            if stack and (inner or quantified):
                stack[-1] = True
        elif c in "*+?{|" and stack:
            stack[-1] = True
        i += 1
    return False


_QUANTIFIER = re.compile(r"(?<!\\)[*+?{]")
MAX_QUANTIFIERS = 3  # `.*.*.*.*x` is polynomial with a high degree; names are short, but not that short


def _regex(pattern: str, name: str) -> Tri:
    """PostgreSQL's unanchored regexec of a `/regex` token against a name (at most NAMEDATALEN-1 = 63 bytes)."""
    if (
        len(pattern) > MAX_REGEX_CHARS
        or _ARE_ONLY.search(pattern)
        or _risky_groups(pattern)
        or len(_QUANTIFIER.findall(pattern)) > MAX_QUANTIFIERS
    ):
        return "maybe"
    try:
        rx = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return "maybe"
    return "yes" if rx.search(name[:64]) else "no"


def match_database(
    rec: HbaRecord,
    database: str,
    user: str,
    *,
    kind: Literal["normal", "logical", "physical"],
    member_of: Callable[[str], Tri],
) -> Tri:
    """Does the database field admit this connection?

    `replication` matches only physical replication; a logical walsender (`replication=database`) matches on the
    database name like a normal connection (RULES.md §4, verified). samerole/samegroup ask `member_of(database)`.
    """

    def one(tok: HbaToken) -> Tri:
        if _unexpanded(tok):
            return "maybe"
        if kind == "physical":
            return "yes" if _keyword(tok, "replication") else "no"
        if _keyword(tok, "all"):
            return "yes"
        if _keyword(tok, "sameuser"):
            return "yes" if database == user else "no"
        if _keyword(tok, "samerole") or _keyword(tok, "samegroup"):
            return member_of(database)
        if _keyword(tok, "replication"):
            return "no"
        if tok.text.startswith("/"):  # PG 16: a regex even when quoted (quoting lets it contain commas)
            return _regex(tok.text[1:], database)
        return "yes" if tok.text == database else "no"

    return _any(one(t) for t in rec.databases)


def match_user(rec: HbaRecord, user: str, member_of: Callable[[str], Tri]) -> Tri:
    """Does the user field admit `user`? `+group` asks `member_of(group)` (direct or indirect membership)."""

    def one(tok: HbaToken) -> Tri:
        if _unexpanded(tok):
            return "maybe"
        if not tok.quoted and tok.text.startswith("+"):
            return member_of(tok.text[1:])
        if _keyword(tok, "all"):
            return "yes"
        if tok.text.startswith("/"):
            return _regex(tok.text[1:], user)
        return "yes" if tok.text == user else "no"

    return _any(one(t) for t in rec.users)


def match_address(rec: HbaRecord, client: ipaddress.IPv4Network | ipaddress.IPv6Network | None) -> Tri:
    """Does the address field admit a client in `client` (a host /32 or a range; None = unknown)?

    Local records have no address (the type decides). Host names, samehost and samenet need DNS or the
    server's interfaces, so they are "maybe".
    """
    if rec.conn_type == "local":
        return "yes"
    if rec.address == "all":
        return "yes"
    if rec.network is None or client is None:
        return "maybe"
    net = rec.network
    if client.version != net.version:
        if isinstance(client, ipaddress.IPv6Network) and client.network_address.ipv4_mapped is not None:
            return "maybe"
        return "no"
    if client.subnet_of(net):  # type: ignore[arg-type]  # same version checked above
        return "yes"
    return "maybe" if client.overlaps(net) else "no"


def match_type(rec: HbaRecord, *, tcp: bool, ssl: bool | None, gss: bool | None = False) -> Tri:
    """Does the connection type admit the connection? `ssl` None = unknown (e.g. sslmode prefer).

    `gss` is whether the connection is GSSAPI-encrypted; the default False fits CDC clients without Kerberos.
    SSL and GSS encryption exclude each other.
    """
    if rec.conn_type == "local":
        return "no" if tcp else "yes"
    if not tcp:
        return "no"
    if ssl is True:
        gss = False
    if rec.conn_type == "host":
        return "yes"
    if rec.conn_type in ("hostssl", "hostnossl"):
        if ssl is None:
            return "maybe"
        return "yes" if ssl == (rec.conn_type == "hostssl") else "no"
    if rec.conn_type in ("hostgssenc", "hostnogssenc"):
        if gss is None:
            return "maybe"
        return "yes" if gss == (rec.conn_type == "hostgssenc") else "no"
    return "no"


def first_match(
    records: Sequence[HbaRecord],
    *,
    tcp: bool,
    ssl: bool | None,
    database: str,
    user: str,
    kind: Literal["normal", "logical", "physical"],
    client: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
    member_of: Callable[[str], Tri],
    gss: bool | None = False,
) -> tuple[HbaRecord | None, list[HbaRecord]]:
    """The first record that surely matches (every part "yes"), and the "maybe" records before it."""

    def verdict(rec: HbaRecord) -> Tri:
        # Cheapest and most decisive first; member_of (which may walk a role graph) is asked last.
        parts: list[Tri] = [match_type(rec, tcp=tcp, ssl=ssl, gss=gss)]
        if parts[-1] != "no":
            parts.append(match_address(rec, client))
        if parts[-1] != "no":
            parts.append(match_database(rec, database, user, kind=kind, member_of=member_of))
        if parts[-1] != "no":
            parts.append(match_user(rec, user, member_of))
        if "no" in parts:
            return "no"
        return "maybe" if "maybe" in parts else "yes"

    maybes: list[HbaRecord] = []
    for rec in records:
        v = verdict(rec)
        if v == "yes":
            return rec, maybes
        if v == "maybe":
            maybes.append(rec)
    return None, maybes
