"""postgresql.conf reader: guc-file.l grammar, includes through a FileAccess, units and booleans."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint.sources.pgconf import (
    GUC_UNITS,
    ConfFile,
    duration_ms,
    effective,
    looks_like_pgconf,
    memory_bytes,
    parse_bool,
    parse_int,
    read_pgconf,
)
from lint.span import Span

TOP = "docker/postgres/postgresql.conf"


class DictAccess:
    """A FileAccess over an in-memory project tree {rel path: text}."""

    def __init__(self, files: dict[str, str], errors: dict[str, str] | None = None) -> None:
        self.files = files
        self.errors = errors or {}
        self.reads: list[str] = []

    def read(self, rel: str) -> tuple[str | None, str | None]:
        self.reads.append(rel)
        if rel in self.errors:
            return None, self.errors[rel]
        if rel in self.files:
            return self.files[rel], None
        return None, "does not exist"

    def listdir(self, rel: str) -> list[str] | None:
        prefix = "" if rel == "." else rel + "/"
        names = {k[len(prefix) :].split("/")[0] for k in self.files if k.startswith(prefix)}
        return sorted(names) if names else None


# A Docker-image style postgresql.conf: the long commented sample with the entrypoint's edits and a conf.d.
DOCKER_CONF = """\
# -----------------------------
# PostgreSQL configuration file
# -----------------------------
#
# This file consists of lines of the form:
#
#   name = value
#
# (The "=" is optional.)  Whitespace may be used.  Comments are introduced with
# "#" anywhere on a line.  The complete list of parameter names and allowed
# values can be found in the PostgreSQL documentation.
#
# Memory units:  B  = bytes            Time units:  us  = microseconds
#                kB = kilobytes                     ms  = milliseconds
#                MB = megabytes                     s   = seconds
#                GB = gigabytes                     min = minutes
#                TB = terabytes                     h   = hours
#                                                   d   = days


#------------------------------------------------------------------------------
# FILE LOCATIONS
#------------------------------------------------------------------------------

#data_directory = 'ConfigDir'		# use data in another directory
#hba_file = 'ConfigDir/pg_hba.conf'	# host-based authentication file


#------------------------------------------------------------------------------
# CONNECTIONS AND AUTHENTICATION
#------------------------------------------------------------------------------

listen_addresses = '*'
					# comma-separated list of addresses;
#port = 5432				# (change requires restart)
max_connections = 100			# (change requires restart)
#ssl = off
#password_encryption = scram-sha-256	# scram-sha-256 or md5


#------------------------------------------------------------------------------
# RESOURCE USAGE (except WAL)
#------------------------------------------------------------------------------

shared_buffers = 128MB			# min 128kB
#work_mem = 4MB				# min 64kB
dynamic_shared_memory_type = posix	# the default is usually the first option


#------------------------------------------------------------------------------
# WRITE-AHEAD LOG
#------------------------------------------------------------------------------

#wal_level = replica			# minimal, replica, or logical
#checkpoint_timeout = 5min		# range 30s-1d
max_wal_size = 1GB
min_wal_size = 80MB


#------------------------------------------------------------------------------
# REPLICATION
#------------------------------------------------------------------------------

#max_wal_senders = 10		# max number of walsender processes
#max_replication_slots = 10	# max number of replication slots
#wal_keep_size = 0		# in megabytes; 0 disables
#max_slot_wal_keep_size = -1	# in megabytes; -1 disables
#wal_sender_timeout = 60s	# in milliseconds; 0 disables


#------------------------------------------------------------------------------
# REPORTING AND LOGGING
#------------------------------------------------------------------------------

log_timezone = 'Etc/UTC'
#log_line_prefix = '%m [%p] '		# special values:


#------------------------------------------------------------------------------
# CLIENT CONNECTION DEFAULTS
#------------------------------------------------------------------------------

datestyle = 'iso, mdy'
timezone = 'Etc/UTC'
lc_messages = 'en_US.utf8'			# locale for system error message
default_text_search_config = 'pg_catalog.english'


#------------------------------------------------------------------------------
# CONFIG FILE INCLUDES
#------------------------------------------------------------------------------

# These options allow settings to be loaded from files other than the
# default postgresql.conf.

include_dir 'conf.d'			# include files ending in '.conf' from
					# a directory, e.g., 'conf.d'
#include_if_exists = '...'		# include file only if it exists
#include = '...'			# include file
"""

REPLICATION_CONF = """\
# CDC for Debezium and PowerSync
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
wal_keep_size = 2GB   # cap debezium slot
#max_slot_wal_keep_size = -1
"""

TUNING_CONF = """\
Max_Slot_WAL_Keep_Size = '50 GB'
wal_sender_timeout 2min
"""

PROJECT = {
    TOP: DOCKER_CONF,
    "docker/postgres/conf.d/10-replication.conf": REPLICATION_CONF,
    "docker/postgres/conf.d/20-tuning.conf": TUNING_CONF,
    "docker/postgres/conf.d/README.md": "not a conf file\n",
    "docker/postgres/conf.d/.hidden.conf": "wal_level = minimal\n",
    "docker/postgres/conf.d/old.conf/keep.txt": "a directory whose name ends in .conf is skipped\n",
    "docker/postgres/conf.d/Z-upper.conf": "max_wal_senders = 20\n",
}


def pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    at = [m.start() for m in re.finditer(re.escape(needle), text)][nth]
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def span_of(path: str, text: str, needle: str, nth: int = 0) -> Span:
    line, col = pos(text, needle, nth)
    return Span(path, line, col, line, col + len(needle) - 1)


def read(text: str, files: dict[str, str] | None = None, path: str = "postgresql.conf") -> ConfFile:
    return read_pgconf(path, text, DictAccess(files or {}))


# --------------------------------------------------------------------------------------------------------
# The Docker-style file with conf.d


def test_docker_conf_settings_in_effective_order() -> None:
    conf = read_pgconf(TOP, DOCKER_CONF, DictAccess(PROJECT))
    assert conf.problems == ()
    assert [(s.name, s.value) for s in conf.settings] == [
        ("listen_addresses", "*"),
        ("max_connections", "100"),
        ("shared_buffers", "128MB"),
        ("dynamic_shared_memory_type", "posix"),
        ("max_wal_size", "1GB"),
        ("min_wal_size", "80MB"),
        ("log_timezone", "Etc/UTC"),
        ("datestyle", "iso, mdy"),
        ("timezone", "Etc/UTC"),
        ("lc_messages", "en_US.utf8"),
        ("default_text_search_config", "pg_catalog.english"),
        # conf.d in C-locale order: "10-", "20-", then "Z-" (upper case sorts before lower case, after digits)
        ("wal_level", "logical"),
        ("max_replication_slots", "10"),
        ("max_wal_senders", "10"),
        ("wal_keep_size", "2GB"),
        ("max_slot_wal_keep_size", "50 GB"),
        ("wal_sender_timeout", "2min"),
        ("max_wal_senders", "20"),
    ]
    assert conf.files == (
        TOP,
        "docker/postgres/conf.d/10-replication.conf",
        "docker/postgres/conf.d/20-tuning.conf",
        "docker/postgres/conf.d/Z-upper.conf",
    )


def test_docker_conf_spans() -> None:
    conf = read_pgconf(TOP, DOCKER_CONF, DictAccess(PROJECT))
    eff = effective(conf)
    listen = eff["listen_addresses"]
    assert listen.span == span_of(TOP, DOCKER_CONF, "listen_addresses = '*'")
    assert listen.value_span == span_of(TOP, DOCKER_CONF, "'*'")
    assert listen.file == TOP
    # the trailing comment is not part of the assignment
    assert eff["max_connections"].span == span_of(TOP, DOCKER_CONF, "max_connections = 100")
    rep = "docker/postgres/conf.d/10-replication.conf"
    keep = eff["wal_keep_size"]
    assert (keep.file, keep.span, keep.value_span) == (
        rep,
        span_of(rep, REPLICATION_CONF, "wal_keep_size = 2GB"),
        span_of(rep, REPLICATION_CONF, "2GB"),
    )
    tuning = "docker/postgres/conf.d/20-tuning.conf"
    slot = eff["max_slot_wal_keep_size"]
    assert slot.name == "max_slot_wal_keep_size"  # names are case-insensitive, stored in lower case
    assert slot.value_span == span_of(tuning, TUNING_CONF, "'50 GB'")
    assert eff["wal_sender_timeout"].span == span_of(tuning, TUNING_CONF, "wal_sender_timeout 2min")


def test_effective_last_assignment_wins() -> None:
    conf = read_pgconf(TOP, DOCKER_CONF, DictAccess(PROJECT))
    eff = effective(conf)
    assert eff["max_wal_senders"].value == "20"
    assert eff["max_wal_senders"].file == "docker/postgres/conf.d/Z-upper.conf"
    assert memory_bytes("max_slot_wal_keep_size", eff["max_slot_wal_keep_size"].value) == 50 * 1024**3
    assert duration_ms("wal_sender_timeout", eff["wal_sender_timeout"].value) == 120_000
    assert [s.value for s in conf.settings if s.name == "max_wal_senders"] == ["10", "20"]


def test_commented_out_settings_are_not_settings() -> None:
    conf = read(DOCKER_CONF)
    names = {s.name for s in conf.settings}
    assert "wal_level" not in names and "max_slot_wal_keep_size" not in names


# --------------------------------------------------------------------------------------------------------
# Grammar


def test_equals_optional_dotted_names_and_case() -> None:
    text = (
        "rds.logical_replication = 1\n"
        "cloudsql.logical_decoding on\n"
        "Azure.Replication_Support=logical\n"
        "WAL_LEVEL logical\n"
    )
    conf = read(text)
    assert conf.problems == ()
    assert [(s.name, s.value) for s in conf.settings] == [
        ("rds.logical_replication", "1"),
        ("cloudsql.logical_decoding", "on"),
        ("azure.replication_support", "logical"),
        ("wal_level", "logical"),
    ]
    assert conf.settings[2].span == Span("postgresql.conf", 3, 1, 3, 33)
    assert conf.settings[2].value_span == Span("postgresql.conf", 3, 27, 3, 33)


def test_value_kinds() -> None:
    text = (
        "a = -1\n"
        "b = 0x1F\n"
        "c = 0.9\n"
        "d = 1e-3x\n"  # INTEGER `1e` then `-3x`: rejected by PostgreSQL as well
        "e = /var/run/postgresql\n"  # starts with `/`: not a token, must be quoted
        "f = en_US.UTF-8\n"
        "g = pg_stat_statements\n"
    )
    conf = read(text)
    assert [(s.name, s.value) for s in conf.settings] == [
        ("a", "-1"),
        ("b", "0x1F"),
        ("c", "0.9"),
        ("f", "en_US.UTF-8"),
        ("g", "pg_stat_statements"),
    ]
    assert [(p.kind, p.span.line, p.span.col) for p in conf.problems] == [("parse", 4, 7), ("parse", 5, 5)]


def test_quoted_strings_and_escapes() -> None:
    text = (
        "log_line_prefix = '%m [%p] %q%u@%d '  # keep '#' inside quotes\n"
        "a = 'it''s'\n"
        "b = 'it\\'s'\n"
        "c = 'tab\\there\\n\\101\\\\'\n"
        "d = '#not a comment'\n"
        "e = ''\n"
    )
    conf = read(text)
    assert conf.problems == ()
    values = {s.name: s.value for s in conf.settings}
    assert values == {
        "log_line_prefix": "%m [%p] %q%u@%d ",
        "a": "it's",
        "b": "it's",
        "c": "tab\there\nA\\",
        "d": "#not a comment",
        "e": "",
    }
    assert conf.settings[0].value_span == Span("postgresql.conf", 1, 19, 1, 36)


def test_syntax_errors_are_reported_and_reading_continues() -> None:
    text = (
        "wal_level = = logical\n"
        "max_wal_senders = 10\n"
        "listen_addresses = 'localhost\n"
        "this is not a setting\n"
        "shared_preload_libraries = 'pg_stat_statements'\n"
        "statement_timeout = 100 ms\n"
        "= 5\n"
        "include_dir conf.d\n"
        "max_replication_slots =\n"
        "max_replication_slots = 4\n"
    )
    conf = read(text)
    assert [(s.name, s.value) for s in conf.settings] == [
        ("max_wal_senders", "10"),
        ("shared_preload_libraries", "pg_stat_statements"),
        ("max_replication_slots", "4"),
    ]
    got = [(p.kind, p.span.line, p.span.col, p.span.end_col) for p in conf.problems]
    assert got == [
        ("parse", 1, 13, 13),  # the second `=`
        ("parse", 3, 20, 20),  # the opening quote that is never closed
        ("parse", 4, 9, 11),  # `not` after the value `is`
        ("parse", 6, 25, 26),  # `ms`
        ("parse", 7, 1, 1),
        ("parse", 8, 13, 18),  # conf.d must be quoted
        ("parse", 9, 1, 23),  # missing value: the whole line
    ]
    for p in conf.problems:
        assert "the server will refuse to start with this file" in p.message
        assert p.message[0].islower() and not p.message.endswith(".")
    assert "more than one '='" in conf.problems[0].message
    assert "unterminated quoted string" in conf.problems[1].message
    assert "'100 ms'" in conf.problems[3].message


def test_problem_messages_never_echo_values() -> None:
    text = "primary_conninfo = 'host=primary user=replicator password=hunter2 sslmode=require\n"
    conf = read(text)
    assert len(conf.problems) == 1
    assert "hunter2" not in conf.problems[0].message
    text2 = "ssl_passphrase_command = echo s3cr3t-pass now\n"
    conf2 = read(text2)
    assert conf2.problems and all("s3cr3t" not in p.message for p in conf2.problems)


def test_crlf_and_no_trailing_newline() -> None:
    conf = read("wal_level = logical\r\nmax_wal_senders = 5")
    assert conf.problems == ()
    assert [(s.name, s.value) for s in conf.settings] == [("wal_level", "logical"), ("max_wal_senders", "5")]
    assert conf.settings[0].span == Span("postgresql.conf", 1, 1, 1, 19)
    assert conf.settings[1].span == Span("postgresql.conf", 2, 1, 2, 19)


# --------------------------------------------------------------------------------------------------------
# Includes


def test_include_relative_to_including_file() -> None:
    files = {
        "db/extra/replication.conf": "include 'more/slots.conf'\nwal_level = logical\n",
        "db/extra/more/slots.conf": "max_replication_slots = 12\n",
    }
    conf = read("include = 'extra/replication.conf'\n", files, path="db/postgresql.conf")
    assert conf.problems == ()
    assert [(s.name, s.file) for s in conf.settings] == [
        ("max_replication_slots", "db/extra/more/slots.conf"),
        ("wal_level", "db/extra/replication.conf"),
    ]
    assert conf.files == ("db/postgresql.conf", "db/extra/replication.conf", "db/extra/more/slots.conf")


def test_include_in_place_keeps_order() -> None:
    files = {"over.conf": "wal_level = logical\n"}
    conf = read("wal_level = replica\ninclude 'over.conf'\nwal_level = minimal\n", files)
    assert [s.value for s in conf.settings] == ["replica", "logical", "minimal"]
    assert effective(conf)["wal_level"].value == "minimal"


def test_absolute_include_dir_is_outside_the_project() -> None:
    text = "include_dir = '/etc/postgresql/16/main/conf.d'\nwal_level = logical\n"
    conf = read(text)
    assert [s.name for s in conf.settings] == ["wal_level"]
    (p,) = conf.problems
    assert p.kind == "include"
    assert "absolute path on the database server" in p.message and "not checked" in p.message
    assert "/etc/postgresql/16/main/conf.d" in p.message
    assert p.span == Span("postgresql.conf", 1, 15, 1, 46)


def test_include_leaving_the_project_root() -> None:
    access = DictAccess({"secrets.conf": "ssl = on\n"})
    conf = read_pgconf("db/postgresql.conf", "include '../../secrets.conf'\n", access)
    assert [p.kind for p in conf.problems] == ["include"]
    assert "outside the project" in conf.problems[0].message
    assert access.reads == []  # nothing outside the root is even asked for


def test_missing_include_vs_include_if_exists() -> None:
    conf = read("include 'missing.conf'\ninclude_if_exists 'also-missing.conf'\nwal_level = logical\n")
    (p,) = conf.problems
    assert (p.kind, p.span.line) == ("include", 1)
    assert "missing.conf does not exist" in p.message
    assert [s.name for s in conf.settings] == ["wal_level"]


def test_include_if_exists_reports_other_read_errors() -> None:
    access = DictAccess({}, errors={"big.conf": "is larger than 5 MiB"})
    conf = read_pgconf("postgresql.conf", "include_if_exists 'big.conf'\n", access)
    assert [p.kind for p in conf.problems] == ["include"]
    assert "is larger than 5 MiB" in conf.problems[0].message


def test_include_dir_that_is_not_a_directory() -> None:
    conf = read("include_dir 'conf.d'\n")
    assert [p.kind for p in conf.problems] == ["include"]


def test_include_cycle_is_reported_once() -> None:
    files = {"a.conf": "include 'b.conf'\nx = 1\n", "b.conf": "include 'a.conf'\ny = 2\n"}
    conf = read_pgconf("a.conf", files["a.conf"], DictAccess(files))
    assert [(s.name, s.file) for s in conf.settings] == [("y", "b.conf"), ("x", "a.conf")]
    (p,) = conf.problems
    assert p.kind == "include" and "a.conf -> b.conf -> a.conf" in p.message
    assert p.span == Span("b.conf", 1, 9, 1, 16)


def test_include_depth_is_bounded_like_postgres() -> None:
    files = {f"f{i}.conf": f"include 'f{i + 1}.conf'\nv{i} = {i}\n" for i in range(15)}
    conf = read_pgconf("f0.conf", files["f0.conf"], DictAccess(files))
    # f0 is depth 0; PostgreSQL reads up to depth 10 and refuses the 11th level
    assert sorted(int(s.name[1:]) for s in conf.settings) == list(range(11))
    assert [p.kind for p in conf.problems] == ["include"]
    assert conf.problems[0].span.path == "f10.conf"


def test_no_file_access_means_includes_are_reported() -> None:
    conf = read_pgconf("postgresql.conf", "include_dir 'conf.d'\n", None)
    assert [p.kind for p in conf.problems] == ["include"]
    assert "not followed" in conf.problems[0].message


# --------------------------------------------------------------------------------------------------------
# Units, integers, booleans


def test_guc_units_table() -> None:
    assert GUC_UNITS["max_slot_wal_keep_size"] == ("memory", "MB")
    assert GUC_UNITS["wal_keep_size"] == ("memory", "MB")
    assert GUC_UNITS["logical_decoding_work_mem"] == ("memory", "kB")
    assert GUC_UNITS["shared_buffers"] == ("memory", "8kB")
    assert GUC_UNITS["wal_sender_timeout"] == ("time", "ms")
    assert GUC_UNITS["idle_replication_slot_timeout"] == ("time", "s")
    assert GUC_UNITS["checkpoint_timeout"] == ("time", "s")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("max_slot_wal_keep_size", "-1", -1),
        ("max_slot_wal_keep_size", "50GB", 50 * 1024**3),
        ("max_slot_wal_keep_size", "1024", 1024**3),  # bare number: megabytes
        ("max_slot_wal_keep_size", "1.5GB", 1536 * 1024**2),
        ("max_slot_wal_keep_size", " 2 TB ", 2 * 1024**4),
        ("max_slot_wal_keep_size", "512kB", 0),  # rounds to 0 MB (half to even), as PostgreSQL does
        ("max_slot_wal_keep_size", "1536kB", 2 * 1024**2),
        ("wal_keep_size", "2GB", 2 * 1024**3),
        ("shared_buffers", "128MB", 128 * 1024**2),
        ("shared_buffers", "16384", 16384 * 8192),  # pages of 8kB
        ("logical_decoding_work_mem", "64MB", 64 * 1024**2),
        ("work_mem", "4096B", 4096),
        ("max_wal_size", "1gb", None),  # units are case-sensitive
        ("max_wal_size", "1 GiB", None),
        ("max_wal_size", "lots", None),
        ("max_wal_size", "", None),
        ("max_wal_size", "5000000GB", None),  # beyond INT_MAX megabytes
        ("wal_sender_timeout", "10GB", None),  # a time setting
        ("some.custom", "1GB", 1024**3),
        ("some.custom", "1024", None),  # bare number of unknown unit
    ],
)
def test_memory_bytes(name: str, value: str, expected: int | None) -> None:
    assert memory_bytes(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("wal_sender_timeout", "60s", 60_000),
        ("wal_sender_timeout", "60000", 60_000),  # bare number: milliseconds
        ("wal_sender_timeout", "0", 0),
        ("wal_sender_timeout", "1min", 60_000),
        ("wal_sender_timeout", "1.5s", 1_500),
        ("wal_sender_timeout", "1500us", 2),  # rounds to whole ms, half to even
        ("wal_receiver_timeout", "-1", -1),
        ("idle_replication_slot_timeout", "30", 30_000),  # PG 18: seconds
        ("idle_replication_slot_timeout", "1d", 86_400_000),
        ("checkpoint_timeout", "5min", 300_000),
        ("checkpoint_timeout", "'1 h'".strip("'"), 3_600_000),
        ("checkpoint_timeout", "30 S", None),
        ("checkpoint_timeout", "10 minutes", None),  # unit longer than three characters
        ("statement_timeout", "2h", 7_200_000),
        ("shared_buffers", "1s", None),
        ("some.custom_timeout", "250ms", 250),
    ],
)
def test_duration_ms(name: str, value: str, expected: int | None) -> None:
    assert duration_ms(name, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10", 10),
        ("-1", -1),
        ("+7", 7),
        ("0x1F", 31),
        ("010", 8),  # strtol base 0: octal
        ("08", None),
        ("1.5", 2),
        ("2.5", 2),
        ("1e3", 1000),
        (" 12 ", 12),
        ("2147483647", 2_147_483_647),
        ("2147483648", None),
        ("10MB", None),
        ("nan", None),
        ("inf", None),
        ("", None),
        ("ten", None),
    ],
)
def test_parse_int(value: str, expected: int | None) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("on", True),
        ("ON", True),
        ("off", False),
        ("of", False),
        ("o", None),
        ("true", True),
        ("t", True),
        ("TR", True),
        ("false", False),
        ("f", False),
        ("yes", True),
        ("y", True),
        ("no", False),
        ("n", False),
        ("1", True),
        ("0", False),
        ("01", None),
        ("2", None),
        ("truee", None),
        ("offf", None),
        ("", None),
        ("enabled", None),
    ],
)
def test_parse_bool(value: str, expected: bool | None) -> None:
    assert parse_bool(value) is expected


# --------------------------------------------------------------------------------------------------------
# Sniffing


def test_looks_like_pgconf_positive() -> None:
    assert looks_like_pgconf(DOCKER_CONF)
    assert looks_like_pgconf(REPLICATION_CONF)
    only_comments = "\n".join(f"#{n} = 1" for n in ("wal_level", "port", "max_connections", "ssl", "work_mem"))
    assert looks_like_pgconf(only_comments)


@pytest.mark.parametrize(
    "text",
    [
        "POSTGRES_PASSWORD=example\nPOSTGRES_USER=app\nPGDATA=/var/lib/postgresql/data\n",  # a .env file
        "[mysqld]\nport = 3306\nbind-address = 0.0.0.0\n",
        "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n",
        "server {\n  listen 80;\n  server_name example.com;\n}\n",
        "This is a README about configuring the server port and wal_level.\n",
        "",
        "port = 5432\n",  # a single assignment is not several
    ],
)
def test_looks_like_pgconf_negative(text: str) -> None:
    assert not looks_like_pgconf(text)


# --------------------------------------------------------------------------------------------------------
# Robustness


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400))
def test_random_text_never_raises(text: str) -> None:
    conf = read_pgconf("postgresql.conf", text, DictAccess({"conf.d/a.conf": text}))
    for s in conf.settings:
        assert s.span.line >= 1 and s.value_span.col >= 1
    looks_like_pgconf(text)
    for s in conf.settings:
        memory_bytes(s.name, s.value)
        duration_ms(s.name, s.value)
        parse_int(s.value)
        parse_bool(s.value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_input_never_raises(data: st.DataObject) -> None:
    text = DOCKER_CONF + REPLICATION_CONF
    for _ in range(data.draw(st.integers(0, 8))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 20))
        insert = data.draw(st.sampled_from(["'", "=", "#", "\n", "\\", "include 'x'\n", "\x00", "é", "''", "0x"]))
        text = text[:at] + insert + text[at + cut :]
    conf = read_pgconf(TOP, text, DictAccess(PROJECT))
    assert conf.files[0] == TOP


def test_long_line_and_many_lines_are_bounded() -> None:
    conf = read("a = '" + "x" * 200_000 + "'\n" + "b = 1\n" * 1000)
    assert [p.kind for p in conf.problems] == ["parse"]
    assert len(conf.settings) == 1000
