"""pg_hba.conf as policies see it: records judged for the users that matter, and connections simulated.

The *subjects* are the logins replication depends on: CDC users (from the configs and the SQL REPLICATION
attribute) and PowerSync storage users. A record concerns a subject when its user field can match it. Matching
is three-valued ("yes", "no", "maybe") because a file alone cannot always tell — `+group` without the role
graph, or a client address nobody declared — and a finding is only raised on what is certain.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from lint.model.items import AdmissionItem, ConnectionItem, HbaSubject, HbaUserItem, RecordItem, SslOff
from lint.sources import hba
from lint.span import Span

Tri = Literal["yes", "no", "maybe"]
LOGICAL_PURPOSES = ("source", "subscription", "cdc")


@dataclass(frozen=True)
class Subject:
    name: str
    kind: Literal["cdc", "storage"]
    why: str
    logical_only: bool  # a logical-decoding consumer logs in as it (PowerSync, Debezium pgoutput, a subscription)


def _groups_of(user: str, member_of: Callable[[str, str], Tri]) -> Callable[[str], Tri]:
    """`member_of` bound to one user, as the hba matchers take it."""

    def check(group: str) -> Tri:
        return member_of(user, group)

    return check


def _tokens(tokens: Sequence[hba.HbaToken]) -> list[str]:
    return [f'"{t.text}"' if t.quoted else t.text for t in tokens]


def _is_keyword(tokens: Sequence[hba.HbaToken], word: str) -> bool:
    return any(t.text == word and not t.quoted for t in tokens)


def _loopback(record: hba.HbaRecord) -> bool:
    if record.address == "samehost":
        return True
    return record.network is not None and record.network.network_address.is_loopback


def _open_network(record: hba.HbaRecord) -> bool:
    return record.address == "all" or (record.network is not None and record.network.prefixlen == 0)


def record_items(
    files: Sequence[hba.HbaFile],
    subjects: Sequence[Subject],
    member_of: Callable[[str, str], Tri],
    ssl_off: SslOff | None,
) -> list[RecordItem]:
    items: list[RecordItem] = []
    for f in files:
        for rec in f.records:
            matched: list[HbaSubject] = []
            for s in subjects:
                m = hba.match_user(rec, s.name, _groups_of(s.name, member_of))
                if m != "no":
                    matched.append(
                        {"name": s.name, "kind": s.kind, "match": m, "why": s.why, "logical_only": s.logical_only}
                    )
            physical = _is_keyword(rec.databases, "replication")
            items.append(
                {
                    "key": f"hba:{f.path}:{rec.conn_type} {','.join(_tokens(rec.databases))} "
                    f"{','.join(_tokens(rec.users))} {rec.address or ''} {rec.method}",
                    "file": f.path,
                    "conn_type": rec.conn_type,
                    "databases": _tokens(rec.databases),
                    "users": _tokens(rec.users),
                    "address": rec.address,
                    "method": rec.method,
                    "options": dict(rec.options),
                    "tcp": rec.conn_type != "local",
                    "ssl_only": rec.conn_type == "hostssl",
                    "plaintext_allowed": rec.conn_type in ("host", "hostnossl"),
                    "loopback": _loopback(rec),
                    "open_network": _open_network(rec),
                    "physical": physical,
                    "replication_only": bool(rec.databases)
                    and all(t.text == "replication" and not t.quoted for t in rec.databases),
                    "all_users": _is_keyword(rec.users, "all"),
                    "subjects": matched,
                    "subject_names": [m["name"] for m in matched],
                    "cdc_subjects": [m["name"] for m in matched if m["kind"] == "cdc"],
                    "sure_logical_subjects": [m["name"] for m in matched if m["logical_only"] and m["match"] == "yes"],
                    "server_ssl_off": ssl_off,
                    "origin": rec.span.to_dict(),
                    "method_origin": rec.method_span.to_dict(),
                    "address_origin": (rec.address_span or rec.span).to_dict(),
                }
            )
    return items


def user_items(
    files: Sequence[hba.HbaFile], subjects: Sequence[Subject], member_of: Callable[[str, str], Tri]
) -> list[HbaUserItem]:
    """Per (file, CDC subject): which records can admit it, and whether all of them are `replication` lines."""
    items: list[HbaUserItem] = []
    for f in files:
        for s in subjects:
            if s.kind != "cdc" or not s.logical_only:
                continue
            records = [
                r
                for r in f.records
                if r.method != "reject" and hba.match_user(r, s.name, _groups_of(s.name, member_of)) == "yes"
            ]
            if not records:
                continue
            replication_only = all(all(t.text == "replication" and not t.quoted for t in r.databases) for r in records)
            items.append(
                {
                    "key": f"hba-user:{f.path}:{s.name}",
                    "file": f.path,
                    "user": s.name,
                    "why": s.why,
                    "replication_only": replication_only,
                    "records": len(records),
                    "origin": records[0].span.to_dict(),
                    "others": [r.span.to_dict() for r in records[1:]],
                }
            )
    return items


def _client(host: str | None) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The client's address when the connection itself tells: a literal loopback host means a local client."""
    if host in ("127.0.0.1", "::1"):
        return ipaddress.ip_network(host)
    return None


def _ssl(sslmode: str | None) -> bool | None:
    if sslmode in ("require", "verify-ca", "verify-full"):
        return True
    if sslmode == "disable":
        return False
    return None  # allow/prefer: depends on the server


@dataclass(frozen=True)
class _Attempt:
    """One connection attempt as pg_hba.conf sees it; only the TLS choice varies between simulations."""

    tcp: bool
    database: str
    user: str
    kind: Literal["normal", "logical", "physical"]
    client: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    member_of: Callable[[str], Tri]

    def first_match(
        self, records: Sequence[hba.HbaRecord], ssl: bool | None
    ) -> tuple[hba.HbaRecord | None, list[hba.HbaRecord]]:
        return hba.first_match(
            records,
            tcp=self.tcp,
            ssl=ssl,
            database=self.database,
            user=self.user,
            kind=self.kind,
            client=self.client,
            member_of=self.member_of,
        )


def admission_items(
    files: Sequence[hba.HbaFile],
    connections: Sequence[ConnectionItem],
    member_of: Callable[[str, str], Tri],
) -> list[AdmissionItem]:
    """Simulate PostgreSQL's first-match for each configured PostgreSQL connection against each pg_hba file."""
    items: list[AdmissionItem] = []
    for conn in connections:
        user = conn.get("user")
        if conn.get("engine") != "postgresql" or not user or not conn.get("server_known"):
            continue
        kind: Literal["normal", "logical", "physical"] = (
            "logical" if conn.get("purpose") in LOGICAL_PURPOSES else "normal"
        )
        tcp = conn.get("host_class") != "socket"
        database = conn.get("database") or user  # libpq's default database is the user name
        ssl = _ssl(conn.get("sslmode"))

        attempt = _Attempt(tcp, database, user, kind, _client(conn.get("host")), _groups_of(user, member_of))
        for f in files:
            sure, maybes = attempt.first_match(f.records, ssl)
            result, record = _judge(sure, maybes)
            if result == "no-match" and ssl is False:
                sure_ssl, maybes_ssl = attempt.first_match(f.records, True)
                if _judge(sure_ssl, maybes_ssl)[0] in ("admitted", "maybe"):
                    result, record = "ssl-mismatch", sure_ssl or (maybes_ssl[0] if maybes_ssl else None)
            if result == "no-match" and kind == "logical" and _only_physical_lines(f, user, member_of):
                result = "replication-only"  # hba-logical-needs-database-entry says it, with the lines
            items.append(
                {
                    "key": f"hba-admits:{f.path}:{conn['key']}",
                    "file": f.path,
                    "connection": conn.copy(),
                    "user": user,
                    "database": database,
                    "database_known": conn.get("database") is not None,
                    "logical": kind == "logical",
                    "ssl": ssl,
                    "result": result,
                    "method": record.method if record is not None else None,
                    "record_origin": record.span.to_dict() if record is not None else None,
                    "file_origin": Span.point(f.path, 1).to_dict(),
                    "origin": conn.get("user_origin") or conn["origin"],
                }
            )
    return items


def _only_physical_lines(f: hba.HbaFile, user: str, member_of: Callable[[str, str], Tri]) -> bool:
    records = [
        r for r in f.records if r.method != "reject" and hba.match_user(r, user, _groups_of(user, member_of)) == "yes"
    ]
    return bool(records) and all(all(t.text == "replication" and not t.quoted for t in r.databases) for r in records)


def _judge(sure: hba.HbaRecord | None, maybes: Sequence[hba.HbaRecord]) -> tuple[str, hba.HbaRecord | None]:
    if any(m.method != "reject" for m in maybes):
        return "maybe", next(m for m in maybes if m.method != "reject")
    if sure is None:
        return ("maybe", maybes[0]) if maybes else ("no-match", None)
    if sure.method == "reject":
        return "reject", sure
    return "admitted", sure


__all__ = ["Subject", "admission_items", "record_items", "user_items"]
