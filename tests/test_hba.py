"""pg_hba.conf reader and first-match simulation."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint.sources.hba import (
    WEAK_METHODS,
    HbaFile,
    HbaRecord,
    HbaToken,
    Tri,
    first_match,
    looks_like_hba,
    match_address,
    match_database,
    match_type,
    match_user,
    method_class,
    read_hba,
)
from lint.span import Span
from tests.test_pgconf import DictAccess

PATH = "etc/pg_hba.conf"
SEED_004 = Path("/work/shared/reference/seeds/004_1a7e5742f5b6ae91.txt")

# Debian/Ubuntu's packaged pg_hba.conf (postgresql-common), header comments shortened.
DEBIAN = """\
# PostgreSQL Client Authentication Configuration File
# ===================================================
#
# Refer to the "Client Authentication" section in the PostgreSQL
# documentation for a complete description of this file.
#
# Database administrative login by Unix domain socket
local   all             postgres                                peer

# TYPE  DATABASE        USER            ADDRESS                 METHOD

# "local" is for Unix domain socket connections only
local   all             all                                     peer
# IPv4 local connections:
host    all             all             127.0.0.1/32            scram-sha-256
# IPv6 local connections:
host    all             all             ::1/128                 scram-sha-256
# Allow replication connections from localhost, by a user with the
# replication privilege.
local   replication     all                                     peer
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
"""


def seed_example() -> str:
    """The pg_hba.conf example block of seed 004 (Drasi's copy of the Debezium setup guide)."""
    text = SEED_004.read_text(encoding="utf-8")
    m = re.search(r"pg_hba\.conf file example:\n```\n(.*?)```", text, re.S)
    assert m, "seed 004 changed"
    return m.group(1)


def span_of(text: str, needle: str, nth: int = 0, path: str = PATH) -> Span:
    at = [m.start() for m in re.finditer(re.escape(needle), text)][nth]
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    end = at + len(needle) - 1
    end_line = text.count("\n", 0, end) + 1
    end_col = end - (text.rfind("\n", 0, end) + 1) + 1
    return Span(path, line, col, end_line, end_col)


def read(text: str, files: dict[str, str] | None = None, path: str = PATH) -> HbaFile:
    return read_hba(path, text, DictAccess(files or {}))


def show(tokens: tuple[HbaToken, ...]) -> list[str]:
    return [f'"{t.text}"' if t.quoted else t.text for t in tokens]


def words(rec: HbaRecord) -> tuple[str, list[str], list[str], str | None, str]:
    return rec.conn_type, show(rec.databases), show(rec.users), rec.address, rec.method


def never(_: str) -> Tri:
    return "no"


def unknown(_: str) -> Tri:
    return "maybe"


def net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


# --------------------------------------------------------------------------------------------------------
# Reading


def test_debian_default() -> None:
    hba = read(DEBIAN)
    assert hba.problems == ()
    assert [words(r) for r in hba.records] == [
        ("local", ["all"], ["postgres"], None, "peer"),
        ("local", ["all"], ["all"], None, "peer"),
        ("host", ["all"], ["all"], "127.0.0.1/32", "scram-sha-256"),
        ("host", ["all"], ["all"], "::1/128", "scram-sha-256"),
        ("local", ["replication"], ["all"], None, "peer"),
        ("host", ["replication"], ["all"], "127.0.0.1/32", "scram-sha-256"),
        ("host", ["replication"], ["all"], "::1/128", "scram-sha-256"),
    ]
    assert [r.index for r in hba.records] == list(range(7))
    assert hba.files == (PATH,)
    third = hba.records[2]
    assert third.network == net("127.0.0.1/32")
    line = "host    all             all             127.0.0.1/32            scram-sha-256"
    assert third.span == span_of(DEBIAN, line)
    assert third.address_span == span_of(DEBIAN, "127.0.0.1/32")
    assert third.method_span == span_of(DEBIAN, "scram-sha-256")
    assert third.databases[0].span == span_of(DEBIAN, "all", 3)
    assert third.users[0].span == span_of(DEBIAN, "all", 4)
    assert third.file == PATH and third.options == {}
    assert hba.records[3].network == net("::1/128")


def test_seed_004_debezium_example() -> None:
    text = seed_example()
    hba = read(text)
    assert hba.problems == ()
    assert [words(r) for r in hba.records] == [
        ("local", ["replication"], ["<youruser>"], None, "trust"),
        ("host", ["replication"], ["<youruser>"], "127.0.0.1/32", "trust"),
        ("host", ["replication"], ["<youruser>"], "::1/128", "trust"),
    ]
    assert hba.records[1].method_span == span_of(text, "trust", 1)
    assert all(r.method in WEAK_METHODS for r in hba.records)
    # RULES.md §4 (verified): a logical walsender matches on the database name, so these lines admit nothing ...
    rec, maybes = first_match(
        hba.records,
        tcp=True,
        ssl=False,
        database="appdb",
        user="<youruser>",
        kind="logical",
        client=net("127.0.0.1/32"),
        member_of=never,
    )
    assert (rec, maybes) == (None, [])
    # ... while a physical replication connection (pg_basebackup) is let in by the second line.
    rec, _ = first_match(
        hba.records,
        tcp=True,
        ssl=False,
        database="appdb",
        user="<youruser>",
        kind="physical",
        client=net("127.0.0.1/32"),
        member_of=never,
    )
    assert rec is hba.records[1]


def test_lists_quotes_groups_and_keywords() -> None:
    text = 'hostssl "all",app,"replication"  +cdc_group,"+literal","all" 10.0.0.0/8 scram-sha-256\n'
    (rec,) = read(text).records
    assert [(t.text, t.quoted) for t in rec.databases] == [("all", True), ("app", False), ("replication", True)]
    assert [(t.text, t.quoted) for t in rec.users] == [("+cdc_group", False), ("+literal", True), ("all", True)]
    assert rec.databases[0].span == span_of(text, '"all"')
    assert rec.users[1].span == span_of(text, '"+literal"')
    # a quoted "all" is a database literally named all
    assert match_database(rec, "all", "x", kind="normal", member_of=never) == "yes"
    assert match_database(rec, "other", "x", kind="normal", member_of=never) == "no"
    assert match_database(rec, "replication", "x", kind="normal", member_of=never) == "yes"
    assert match_database(rec, "app", "x", kind="physical", member_of=never) == "no"
    assert match_user(rec, "alice", never) == "no"
    assert match_user(rec, "alice", lambda g: "yes" if g == "cdc_group" else "no") == "yes"
    assert match_user(rec, "alice", unknown) == "maybe"
    assert match_user(rec, "+literal", never) == "yes"
    assert match_user(rec, "all", never) == "yes"


def test_separators_blank_comma_and_comments() -> None:
    text = 'host app,  other  all  samenet  md5 # app, other\nhost  "a b","x""y"  all  all  md5\n'
    hba = read(text)
    assert [words(r) for r in hba.records] == [
        ("host", ["app", "other"], ["all"], "samenet", "md5"),
        ("host", ['"a b"', '"x"y"'], ["all"], "all", "md5"),
    ]
    assert hba.records[0].span == span_of(text, "host app,  other  all  samenet  md5")


def test_address_mask_columns_fold_into_a_network() -> None:
    text = (
        "host all all 192.168.12.10 255.255.255.255 md5\n"
        "host all all 10.1.0.0 255.255.0.0 scram-sha-256\n"
        "host all all 10.1.0.0 255.0.255.0 scram-sha-256\n"
        "host all all fe80::  ffff:ffff:ffff:ffff:: scram-sha-256\n"
    )
    hba = read(text)
    assert hba.problems == ()
    first, second, odd, v6 = hba.records
    assert (first.address, first.network) == ("192.168.12.10/32", net("192.168.12.10/32"))
    assert first.address_span == span_of(text, "192.168.12.10 255.255.255.255")
    assert first.method_span == span_of(text, "md5")
    assert (second.address, second.network) == ("10.1.0.0/16", net("10.1.0.0/16"))
    assert (odd.address, odd.network) == ("10.1.0.0/255.0.255.0", None)  # non-contiguous: accepted, no network
    assert v6.network == net("fe80::/64")


def test_host_bits_beyond_the_mask_are_accepted() -> None:
    (rec,) = read("host all all 10.0.0.1/8 md5\n").records
    assert (rec.address, rec.network) == ("10.0.0.1/8", net("10.0.0.0/8"))


def test_host_names_and_keywords() -> None:
    text = (
        "host all all .example.com md5\n"
        "host all all db.example.com md5\n"
        "host all all samehost md5\n"
        'host all all "all" md5\n'
    )
    hba = read(text)
    assert [(r.address, r.network) for r in hba.records] == [
        (".example.com", None),
        ("db.example.com", None),
        ("samehost", None),
        ('"all"', None),
    ]
    assert [match_address(r, net("10.0.0.1/32")) for r in hba.records] == ["maybe", "maybe", "maybe", "maybe"]


def test_options_with_quoted_values() -> None:
    text = (
        'host all all 0.0.0.0/0 ldap ldapserver=ldap.example.net ldapbasedn="dc=example, dc=net" '
        "ldapsearchattribute=uid\n"
        "hostssl all all ::/0 cert clientcert=verify-full map=certmap\n"
    )
    ldap, cert = read(text).records
    assert ldap.options == {
        "ldapserver": "ldap.example.net",
        "ldapbasedn": "dc=example, dc=net",
        "ldapsearchattribute": "uid",
    }
    assert ldap.span == span_of(text, text.splitlines()[0])
    assert cert.options == {"clientcert": "verify-full", "map": "certmap"}


def test_backslash_continuation() -> None:
    text = (
        "hostssl app   powersync_role \\\n"
        "        10.20.0.0/24   \\\n"
        "        scram-sha-256\n"
        "host all all 127.0.0.1/32 md5 \\ \n"  # a backslash followed by a blank does not continue the line
    )
    hba = read(text)
    rec = hba.records[0]
    assert words(rec) == ("hostssl", ["app"], ["powersync_role"], "10.20.0.0/24", "scram-sha-256")
    assert rec.span == Span(PATH, 1, 1, 3, 21)
    assert rec.address_span == Span(PATH, 2, 9, 2, 20)
    assert rec.method_span == Span(PATH, 3, 9, 3, 21)
    assert [p.span.line for p in hba.problems] == [4]  # `\` taken as an option without `=`


def test_local_ident_is_peer() -> None:
    (rec,) = read("local all all ident\n").records
    assert rec.method == "peer"


def test_bad_records_are_reported_and_the_rest_is_read() -> None:
    text = (
        "hots all all 127.0.0.1/32 md5\n"
        "host all\n"
        "host all all\n"
        "host all all 127.0.0.1/32\n"
        "host all all 10.0.0.0/33 md5\n"
        "host all all 127.0.0.1 trust\n"
        "host all all TRUST\n"
        "host all all db.example.com/24 md5\n"
        "host all all 10.0.0.0 ffff:: md5\n"
        "host all all 10.0.0.0/8 peer\n"
        "host all all 10.0.0.0/8 cert\n"
        "local all all gss\n"
        "host all all 10.0.0.0/8 md5 ldapbindpasswd\n"
        "host,local all all 10.0.0.0/8 md5\n"
        "host all all 10.0.0.0/8,10.1.0.0/16 md5\n"
        "host all all 10.0.0.0/8 md5,trust\n"
        "host all all 10.0.0.0/8 krb5\n"
        "hostssl app cdc 10.0.0.0/8 scram-sha-256\n"
    )
    hba = read(text)
    assert [words(r) for r in hba.records] == [("hostssl", ["app"], ["cdc"], "10.0.0.0/8", "scram-sha-256")]
    assert hba.records[0].index == 0
    got = [(p.kind, p.span.line, p.span.col, p.span.end_col) for p in hba.problems]
    assert got == [
        ("parse", 1, 1, 4),  # invalid connection type
        ("parse", 2, 1, 8),  # end-of-line before role
        ("parse", 3, 1, 12),  # end-of-line before address
        ("parse", 4, 1, 25),  # end-of-line before method
        ("parse", 5, 14, 24),  # /33
        ("parse", 6, 24, 28),  # "trust" read as a netmask
        ("parse", 7, 1, 18),  # TRUST is a host name, then no method: the whole record
        ("parse", 8, 14, 30),  # host name with a CIDR mask
        ("parse", 9, 14, 28),  # address and mask of different families
        ("parse", 10, 25, 28),  # peer over TCP
        ("parse", 11, 25, 28),  # cert without hostssl
        ("parse", 12, 15, 17),  # gss on a local socket
        ("parse", 13, 29, 42),  # option without `=`
        ("parse", 14, 1, 10),  # two connection types
        ("parse", 15, 14, 35),  # two addresses
        ("parse", 16, 25, 33),  # two methods
        ("parse", 17, 25, 28),  # unknown method
    ]
    msgs = [p.message for p in hba.problems]
    assert msgs[0].startswith('invalid connection type "hots"')
    assert "end-of-line before role specification" in msgs[1]
    assert "invalid CIDR mask" in msgs[4]
    assert "127.0.0.1/32" in msgs[5]  # says how to write it
    assert 'invalid authentication method "krb5"' in msgs[16]
    for m in msgs:
        assert "PostgreSQL will not load this file" in m
        assert m[0].islower() and not m.endswith(".")
    assert "ldapbindpasswd" not in msgs[12]


def test_uppercase_method_hint() -> None:
    (p,) = read("host all all all TRUST\n").problems
    assert p.span == Span(PATH, 1, 18, 1, 22)
    assert "lower case" in p.message


def test_messages_never_echo_secrets() -> None:
    text = 'host all all 10.0.0.0/8 radius radiusservers=r.example radiussecrets="s3cr3t value" oops\n'
    text += "host all all 10.0.0.0/8 s3cr3t-password!!\n"
    hba = read(text)
    assert len(hba.problems) == 2
    assert all("s3cr3t" not in p.message for p in hba.problems)


# --------------------------------------------------------------------------------------------------------
# @file lists


def test_at_file_expansion_with_spans_in_the_list_file() -> None:
    files = {
        "etc/cdc_users": 'debezium, powersync_role\n# the storage login\n"all" @more\n',
        "etc/more": "etl_user\n",
        "etc/dbs/list": "app\nanalytics\n",
    }
    text = "hostssl @dbs/list @cdc_users 10.0.0.0/8 scram-sha-256\n"
    hba = read(text, files)
    assert hba.problems == ()
    (rec,) = hba.records
    assert [t.text for t in rec.databases] == ["app", "analytics"]
    assert [(t.text, t.quoted) for t in rec.users] == [
        ("debezium", False),
        ("powersync_role", False),
        ("all", True),
        ("etl_user", False),
    ]
    assert rec.users[1].span == Span("etc/cdc_users", 1, 11, 1, 24)
    assert rec.users[3].span == Span("etc/more", 1, 1, 1, 8)
    assert rec.databases[1].span == Span("etc/dbs/list", 2, 1, 2, 9)
    assert hba.files == (PATH, "etc/dbs/list", "etc/cdc_users", "etc/more")
    assert match_user(rec, "all", never) == "yes"  # quoted in the file: a literal user named all
    assert match_user(rec, "alice", never) == "no"


def test_at_file_missing_or_outside_stays_unknown() -> None:
    text = "host app @missing_users 10.0.0.0/8 md5\nhost app @/etc/postgresql/users 10.0.0.0/8 md5\n"
    hba = read(text)
    assert [p.kind for p in hba.problems] == ["include", "include"]
    assert "does not exist" in hba.problems[0].message
    assert "absolute path on the database server" in hba.problems[1].message
    assert hba.problems[1].span == span_of(text, "@/etc/postgresql/users")
    first, second = hba.records
    assert [t.text for t in first.users] == ["@missing_users"]
    assert match_user(first, "cdc", never) == "maybe"
    assert match_user(second, "cdc", never) == "maybe"


def test_quoted_at_is_a_literal_name() -> None:
    (rec,) = read('host app "@team" 10.0.0.0/8 md5\n').records
    assert match_user(rec, "@team", never) == "yes"


def test_at_file_cycle() -> None:
    files = {"etc/a": "x @b\n", "etc/b": "y @a\n"}
    hba = read("host app @a 10.0.0.0/8 md5\n", files)
    assert [p.kind for p in hba.problems] == ["include"]
    assert "cycle" in hba.problems[0].message
    assert [t.text for t in hba.records[0].users] == ["x", "y", "@a"]


# --------------------------------------------------------------------------------------------------------
# include directives (PG 16)


def test_include_directives() -> None:
    files = {
        "etc/hba.d/10-cdc.conf": "hostssl app debezium 10.0.0.0/8 scram-sha-256\n",
        "etc/hba.d/20-admin.conf": "host all admin 10.9.0.0/16 scram-sha-256\n",
        "etc/hba.d/notes.txt": "host all all all trust\n",
        "etc/local.conf": "local all all peer\n",
    }
    text = (
        "include local.conf\n"
        "include_dir hba.d\n"
        "include_if_exists optional.conf\n"
        'include "/etc/postgresql/16/main/pg_hba_extra.conf"\n'
        "host all all all reject\n"
    )
    hba = read(text, files)
    assert [(r.index, r.conn_type, r.users[0].text, r.file) for r in hba.records] == [
        (0, "local", "all", "etc/local.conf"),
        (1, "hostssl", "debezium", "etc/hba.d/10-cdc.conf"),
        (2, "host", "admin", "etc/hba.d/20-admin.conf"),
        (3, "host", "all", PATH),
    ]
    assert hba.records[1].span == Span("etc/hba.d/10-cdc.conf", 1, 1, 1, 45)
    (p,) = hba.problems
    assert p.kind == "include" and p.span == span_of(text, '"/etc/postgresql/16/main/pg_hba_extra.conf"')
    assert hba.files == (PATH, "etc/local.conf", "etc/hba.d/10-cdc.conf", "etc/hba.d/20-admin.conf")


def test_include_missing_and_cycle() -> None:
    files = {"etc/a.conf": "include pg_hba.conf\nhost all all all md5\n"}
    hba = read("include missing.conf\ninclude a.conf\n", files)
    assert [(p.kind, p.span.path, p.span.line) for p in hba.problems] == [
        ("include", PATH, 1),
        ("include", "etc/a.conf", 1),
    ]
    assert "cycle" in hba.problems[1].message
    assert len(hba.records) == 1


def test_include_with_extra_fields_is_a_bad_record() -> None:
    hba = read("include a.conf b.conf\n")
    assert [p.kind for p in hba.problems] == ["parse"]
    assert "invalid connection type" in hba.problems[0].message


# --------------------------------------------------------------------------------------------------------
# Matching


def rec_of(line: str) -> HbaRecord:
    hba = read(line + "\n")
    assert hba.problems == (), hba.problems
    return hba.records[0]


@pytest.mark.parametrize(
    ("line", "tcp", "ssl", "expected"),
    [
        ("local all all peer", False, None, "yes"),
        ("local all all peer", True, True, "no"),
        ("host all all all md5", False, None, "no"),
        ("host all all all md5", True, None, "yes"),
        ("hostssl all all all md5", True, None, "maybe"),
        ("hostssl all all all md5", True, True, "yes"),
        ("hostssl all all all md5", True, False, "no"),
        ("hostnossl all all all md5", True, None, "maybe"),
        ("hostnossl all all all md5", True, False, "yes"),
        ("hostnossl all all all md5", True, True, "no"),
        ("hostgssenc all all all md5", True, False, "no"),
        ("hostnogssenc all all all md5", True, True, "yes"),
    ],
)
def test_match_type(line: str, tcp: bool, ssl: bool | None, expected: Tri) -> None:
    assert match_type(rec_of(line), tcp=tcp, ssl=ssl) == expected


def test_match_type_gss_unknown() -> None:
    assert match_type(rec_of("hostgssenc all all all md5"), tcp=True, ssl=None, gss=None) == "maybe"
    assert match_type(rec_of("hostgssenc all all all md5"), tcp=True, ssl=True, gss=None) == "no"


@pytest.mark.parametrize(
    ("address", "client", "expected"),
    [
        ("10.0.0.0/8", "10.1.2.3/32", "yes"),
        ("10.0.0.0/8", "10.20.0.0/24", "yes"),
        ("10.0.0.0/8", "11.0.0.1/32", "no"),
        ("10.1.0.0/16", "10.0.0.0/8", "maybe"),  # the client range only partly inside
        ("10.0.0.0/8", None, "maybe"),
        ("all", None, "yes"),
        ("all", "203.0.113.9/32", "yes"),
        ("127.0.0.1/32", "::1/128", "no"),
        ("10.0.0.0/8", "::ffff:10.0.0.1/128", "maybe"),
        ("::1/128", "::1/128", "yes"),
        ("samenet", "10.0.0.1/32", "maybe"),
        (".example.com", "10.0.0.1/32", "maybe"),
    ],
)
def test_match_address(address: str, client: str | None, expected: Tri) -> None:
    rec = rec_of(f"host all all {address} md5")
    assert match_address(rec, net(client) if client else None) == expected


def test_match_address_local_is_decided_by_type() -> None:
    assert match_address(rec_of("local all all peer"), net("10.0.0.1/32")) == "yes"


@pytest.mark.parametrize(
    ("databases", "database", "user", "kind", "expected"),
    [
        ("all", "app", "u", "normal", "yes"),
        ("all", "app", "u", "physical", "no"),  # `all` does not match physical replication
        ("replication", "app", "u", "physical", "yes"),
        ("replication", "app", "u", "logical", "no"),  # logical walsender matches on the database name
        ("replication", "replication", "u", "normal", "no"),
        ("app", "app", "u", "logical", "yes"),
        ("App", "app", "u", "normal", "no"),  # names are case-sensitive
        ("sameuser", "alice", "alice", "normal", "yes"),
        ("sameuser", "app", "alice", "normal", "no"),
        ("samerole", "app", "alice", "normal", "maybe"),
        ("samegroup", "app", "alice", "normal", "maybe"),
        ("/^app_\\d+$", "app_12", "u", "normal", "yes"),
        ("/^app_\\d+$", "app_x", "u", "normal", "no"),
        ("/app", "myapp2", "u", "normal", "yes"),  # unanchored, like regexec
        ('"/^(a|b),c$"', "b,c", "u", "normal", "yes"),  # quoted so that the regex may hold a comma
        ("/^(a+)+$", "aaaa", "u", "normal", "maybe"),  # could backtrack catastrophically: not evaluated
        ("/[[:alpha:]]+", "app", "u", "normal", "maybe"),  # ARE-only syntax
        ("/(unclosed", "app", "u", "normal", "maybe"),
        ("other,app", "app", "u", "normal", "yes"),
    ],
)
def test_match_database(databases: str, database: str, user: str, kind: str, expected: Tri) -> None:
    rec = rec_of(f"host {databases} all all md5")
    assert match_database(rec, database, user, kind=kind, member_of=unknown) == expected  # type: ignore[arg-type]


def test_first_match_yes_and_maybes() -> None:
    text = (
        "hostssl app +cdc 10.0.0.0/8 scram-sha-256\n"
        "host app all db.internal md5\n"
        "host all powersync_role 10.0.0.0/8 reject\n"
        "host all all 0.0.0.0/0 scram-sha-256\n"
    )
    recs = read(text).records
    rec, maybes = first_match(
        recs,
        tcp=True,
        ssl=None,
        database="app",
        user="powersync_role",
        kind="logical",
        client=net("10.0.0.5/32"),
        member_of=unknown,
    )
    assert rec is recs[2] and rec.method == "reject"
    assert maybes == [recs[0], recs[1]]
    # with the role graph known and TLS certain, the first line decides
    rec, maybes = first_match(
        recs,
        tcp=True,
        ssl=True,
        database="app",
        user="powersync_role",
        kind="logical",
        client=net("10.0.0.5/32"),
        member_of=lambda g: "yes" if g == "cdc" else "no",
    )
    assert rec is recs[0] and maybes == []
    # nothing at all for a unix-socket connection
    assert first_match(
        recs, tcp=False, ssl=None, database="app", user="x", kind="normal", client=None, member_of=never
    ) == (None, [])


def test_method_class() -> None:
    assert method_class("trust") == "none"
    assert method_class("password") == "cleartext"
    assert method_class("ldap") == "cleartext"
    assert method_class("md5") == "weak"
    assert method_class("scram-sha-256") == "strong"
    assert method_class("peer") == "os"
    assert method_class("reject") == "reject"
    assert method_class("kerberos") == "unknown"
    assert {"trust", "password", "md5", "ident"} == WEAK_METHODS


# --------------------------------------------------------------------------------------------------------
# Sniffing and robustness


def test_looks_like_hba() -> None:
    assert looks_like_hba(DEBIAN)
    assert looks_like_hba(seed_example())
    assert looks_like_hba("host all all all scram-sha-256\n")
    assert not looks_like_hba("wal_level = logical\nmax_wal_senders = 10\n")
    assert not looks_like_hba("# just comments\n")
    assert not looks_like_hba("Add this line:\nhost all all all md5\nthen restart the server and check\nthe logs\n")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400))
def test_random_text_never_raises(text: str) -> None:
    hba = read_hba(PATH, text, DictAccess({"etc/x": text}))
    looks_like_hba(text)
    for r in hba.records:
        first_match([r], tcp=True, ssl=None, database="d", user="u", kind="logical", client=None, member_of=unknown)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_input_never_raises(data: st.DataObject) -> None:
    text = DEBIAN + seed_example()
    for _ in range(data.draw(st.integers(0, 8))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 20))
        insert = data.draw(
            st.sampled_from(['"', ",", "#", "\n", "\\\n", "@x", "/", "/(a+)+", "\x00", "::", "include a"])
        )
        text = text[:at] + insert + text[at + cut :]
    hba = read_hba(PATH, text, DictAccess({"etc/x": "a,b @x\n", "etc/a": text}))
    kinds: tuple[Literal["normal", "logical", "physical"], ...] = ("normal", "logical", "physical")
    for r in hba.records:
        for kind in kinds:
            match_database(r, "app", "u", kind=kind, member_of=unknown)
        match_user(r, "u", unknown)
        match_address(r, net("10.0.0.1/32"))


def test_polynomial_regex_is_not_evaluated() -> None:
    rec = rec_of("host /.*.*.*.*.*x all all md5")
    assert match_database(rec, "a" * 63, "u", kind="normal", member_of=never) == "maybe"
    rec = rec_of("host /^a.*b.*c$ all all md5")
    assert match_database(rec, "axxbyyc", "u", kind="normal", member_of=never) == "yes"
