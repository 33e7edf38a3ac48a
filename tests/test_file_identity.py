"""Files are read only as what they are: a name alone does not make a server config, and a JSON Web Key whose
`kty` comes from the environment is held to the shapes it can still take, not to all of them at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint.sources.pgconf import is_server_config, looks_like_pgconf
from tests.lintkit import lines, lint_tree

FAIL2BAN_FILTER = """\
[INCLUDES]
before = common.conf

[Definition]
failregex = ^.*FATAL:  password authentication failed for user.*$
ignoreregex =
"""

SUPERVISOR = """\
[program:postgresql]
command=/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/data
user=postgres
autorestart=true
"""

LOGROTATE = """\
/var/log/postgresql/*.log {
    weekly
    rotate 10
    copytruncate
    compress
}
"""

PG_SERVICE = """\
[orders]
host=localhost
port=5432
dbname=orders
user=app
"""


@pytest.mark.parametrize("text", [FAIL2BAN_FILTER, SUPERVISOR, LOGROTATE, PG_SERVICE])
def test_other_formats_under_a_server_config_name_are_not_server_settings(text: str) -> None:
    assert not is_server_config(text)
    assert not looks_like_pgconf(text)


@pytest.mark.parametrize(
    "text",
    [
        "wal_level = replica\nmax_wal_senders = 10\n",
        "wal_level = logical\nshared_buffers 128MB\nthis line is broken\n",  # still ours: its error is reported
        "# wal_level = replica\n",  # a sample of commented defaults
        "",
        "custom.setting = 'x'\n",  # only valid assignments: taken at its name's word
    ],
)
def test_server_configs_are_kept_even_when_broken(text: str) -> None:
    assert is_server_config(text)


@pytest.mark.parametrize("name", ["postgresql.conf", "postgres.conf", "postgresql-filter.conf"])
def test_no_findings_on_a_fail2ban_filter_named_for_the_server(tmp_path: Path, name: str) -> None:
    result = lint_tree(tmp_path, {f"fail2ban/filter.d/{name}": FAIL2BAN_FILTER, "logrotate/postgresql.conf": LOGROTATE})
    assert lines(result) == []


def test_pg_service_file_is_not_read_as_server_settings(tmp_path: Path) -> None:
    assert lines(lint_tree(tmp_path, {"postgresql/.pg_service.sample.conf": PG_SERVICE})) == []


def test_a_broken_postgresql_conf_still_reports_its_line(tmp_path: Path) -> None:
    result = lint_tree(tmp_path, {"db/postgresql.conf": "wal_level = logical\nmax_wal_senders = = 10\n"})
    assert any(line.startswith("db/postgresql.conf:2:") for line in lines(result, "parse-error"))


_CONFIG = """\
replication:
  connections:
    - type: postgresql
      uri: !env PS_DATA_SOURCE_URI
storage:
  type: mongodb
  uri: !env PS_MONGO_URI
sync_config:
  content: |
    config:
      edition: 3
    streams:
      todos:
        query: SELECT * FROM todos
client_auth:
  jwks:
    keys:
"""


def test_env_kty_is_judged_by_the_shapes_it_can_take(tmp_path: Path) -> None:
    rsa = "      - kty: !env PS_KTY\n        n: !env PS_N\n        e: !env PS_E\n        kid: !env PS_KID\n"
    result = lint_tree(tmp_path, {"config.yaml": _CONFIG + rsa})
    assert lines(result, "cfg-invalid-value") == [] and lines(result, "cfg-unknown-key") == []


def test_env_kty_fitting_no_shape_is_still_reported(tmp_path: Path) -> None:
    # n without e fits no key type: RSA lacks `e`, the others do not take `n`.
    broken = "      - kty: !env PS_KTY\n        n: !env PS_N\n        kid: k1\n"
    result = lint_tree(tmp_path, {"config.yaml": _CONFIG + broken})
    found = lines(result, "cfg-invalid-value") + lines(result, "cfg-unknown-key")
    assert found and all("client_auth.jwks.keys[0]" in line for line in found)


def test_literal_kty_is_still_held_to_its_shape(tmp_path: Path) -> None:
    oct_key = "      - kty: oct\n        k: !env PS_K\n"  # alg is required for oct
    result = lint_tree(tmp_path, {"config.yaml": _CONFIG + oct_key})
    assert any("missing required key(s): alg" in line for line in lines(result, "cfg-invalid-value"))


def test_tab_indented_connector_json_is_read(tmp_path: Path) -> None:
    connector = (
        '{\n\t"name": "inventory",\n\t"config": {\n'
        '\t\t"connector.class": "io.debezium.connector.postgresql.PostgresConnector",\n'
        '\t\t"database.hostname": "postgres",\n\t\t"database.user": "postgres",\n'
        '\t\t"database.password": "postgres",\n\t\t"topic.prefix": "dbserver1"\n\t}\n}\n'
    )
    spaced = connector.replace("\t", " ")
    tabbed = lines(lint_tree(tmp_path / "tabs", {"connectors/inventory.json": connector}))
    assert tabbed, "the tab-indented connector must be read and judged"
    assert tabbed == lines(lint_tree(tmp_path / "spaces", {"connectors/inventory.json": spaced}))


_PS_EXAMPLE = """\
replication:
  connections:
    - type: postgresql
      uri: postgresql://powersync_role:s3cr3t-Pa55@db.example.com/app
storage:
  type: mongodb
  uri: !env PS_MONGO_URI
"""


@pytest.mark.parametrize("name", ["powersync/config.yaml.example", "powersync/config.yaml.sample", "powersync/ps.cfg"])
def test_a_named_file_with_another_extension_is_read_by_content(tmp_path: Path, name: str) -> None:
    from lint.run import run
    from tests.lintkit import builtin_policies, oneline, write_tree

    write_tree(tmp_path, {name: _PS_EXAMPLE})
    result = run([tmp_path / name], list(builtin_policies()))
    assert any("[cfg-plaintext-secret]" in oneline(f) for f in result.findings.findings)


def test_a_named_file_no_reader_takes_is_reported(tmp_path: Path) -> None:
    from lint.run import run
    from tests.lintkit import builtin_policies, oneline, write_tree

    write_tree(tmp_path, {"notes/setup.txt": "remember to enable logical replication\n"})
    result = run([tmp_path / "notes/setup.txt"], list(builtin_policies()))
    found = [oneline(f) for f in result.findings.findings]
    assert len(found) == 1 and "does not recognise this file" in found[0] and result.findings.files == 1


@pytest.mark.parametrize(
    ("written", "meant"), [("postgres", "postgresql"), ("postgresq", "postgresql"), ("mongo", "mongodb")]
)
def test_near_miss_connection_type_hints_and_still_judges_the_other_keys(
    tmp_path: Path, written: str, meant: str
) -> None:
    config = (
        f"replication:\n  connections:\n    - type: {written}\n      uri: !env PS_DATA_SOURCE_URI\n"
        "      publication_nam: app_pub\nstorage:\n  type: mongodb\n  uri: !env PS_STORAGE_URI\n"
    )
    result = lint_tree(tmp_path, {"config.yaml": config})
    assert any(f"did you mean {meant}?" in line for line in lines(result, "cfg-unknown-connection-type"))
    assert any("unknown key 'publication_nam'" in line for line in lines(result, "cfg-unknown-key"))


HELM_VALUES = """\
image:
  registry: docker.io
  repository: bitnami/postgresql
auth:
  username: app
  database: app
architecture: replication
replication:
  synchronousCommit: "off"
  numSynchronousReplicas: 0
primary:
  persistence:
    size: 8Gi
readReplicas:
  replicaCount: 1
metrics:
  enabled: false
"""

REPO_MANAGER_JSON = """\
{
  "name": "docker-hosted",
  "online": true,
  "storage": {"blobStoreName": "${BLOBSTORE_NAME}", "strictContentTypeValidation": true},
  "docker": {"v1Enabled": false, "forceBasicAuth": true}
}
"""

EXPORTER_QUERIES = """\
pg_replication:
  query: "SELECT EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())) AS lag"
  master: true
  metrics:
    - lag:
        usage: "GAUGE"
storage:
  query: "SELECT pg_database_size(current_database()) AS bytes"
"""

PLUGIN_MANIFEST = """\
{
  "name": "streams",
  "streams": [{"version": "4.1.0", "neo4j": "4.4"}],
  "_testing": {"enabled": false}
}
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("charts/postgresql/values.yaml", HELM_VALUES),
        ("nexus/api/docker-hosted.json", REPO_MANAGER_JSON),
        ("exporter/queries.yml", EXPORTER_QUERIES),
        ("neo4j/plugins.json", PLUGIN_MANIFEST),
    ],
)
def test_other_tools_files_are_not_powersync(tmp_path: Path, name: str, text: str) -> None:
    assert lines(lint_tree(tmp_path, {name: text})) == []


def test_a_powersync_config_with_typos_is_still_one(tmp_path: Path) -> None:
    config = (
        "replication:\n  connections:\n    - type: postgresql\n      uri: !env PS_DATA_SOURCE_URI\n"
        "      sslMode: disable\nstorage:\n  type: mongodb\n  uri: !env PS_MONGO_URI\nportt: 8080\n"
    )
    result = lint_tree(tmp_path, {"powersync.yaml": config})
    assert len(lines(result, "cfg-unknown-key")) == 2


def test_a_cli_file_and_standalone_sync_streams_are_recognised(tmp_path: Path) -> None:
    files = {
        "powersync/service.yaml": "_type: self-hosted\nreplication:\n  connections:\n    - type: postgres\n",
        "powersync/sync-config.yaml": (
            "config:\n  edition: 3\nstreams:\n  todos:\n    query: SELECT * FROM todos WHERE\n"
        ),
    }
    result = lint_tree(tmp_path, files)
    assert lines(result, "cfg-unknown-connection-type")
    assert any(line.startswith("powersync/sync-config.yaml:5:") for line in lines(result, "parse-error"))
