"""docker-compose files (lint/sources/compose.py): Compose's interpolation rules, and bind mounts mapping
container paths to project files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint.sources import compose
from lint.yamlsrc import load_located
from tests.lintkit import lines, lint_tree

ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # as the Compose specification's interpolation section defines them
        ("${SET}", "value"),
        ("$SET/x", "value/x"),
        ("${UNSET:-default}", "default"),
        ("${EMPTY:-default}", "default"),  # `:-` also replaces an empty value
        ("${EMPTY-default}", ""),  # `-` only an unset one
        ("${UNSET-default}", "default"),
        ("${SET:-default}", "value"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("$$SET", "$SET"),  # `$$` is a literal dollar
        ("${SET:?must be set}", "value"),
        ("${UNSET:?must be set}", None),  # Compose stops: nothing is known
        ("${EMPTY:?must be set}", None),
        ("${EMPTY?must be set}", ""),
        ("${UNSET}", None),  # Compose substitutes "" and warns; the deployment's value is not known
        ("./a:${UNSET:-/b}", "./a:/b"),  # a default may hold a colon
    ],
)
def test_interpolation_follows_compose(text: str, expected: str | None) -> None:
    assert compose.interpolate(text, ENV) == expected


def _file(text: str, env: dict[str, str] | None = None, path: str = "deploy/docker-compose.yml") -> compose.ComposeFile:
    return compose.read_compose(load_located(path, text, env_tag=False), env or {})


STACK = """\
services:
  powersync:
    image: journeyapps/powersync-service:latest
    volumes:
      - ./config:/config:ro
      - ./config/special.yaml:/config/special.yaml
      - data:/var/lib/powersync
      - /etc/ssl/certs:/certs
      - ../../outside:/outside
      - type: bind
        source: ${RULES:-./rules}
        target: /rules
  caddy:
    image: caddy:2
    volumes:
      - ./Caddyfile:/config/Caddyfile
volumes:
  data: {}
"""


@pytest.mark.parametrize(
    ("container", "repository"),
    [
        ("/config/sync.yaml", "deploy/config/sync.yaml"),
        ("/config/special.yaml", "deploy/config/special.yaml"),  # the most specific mount wins
        ("/config/sub/../sync.yaml", "deploy/config/sync.yaml"),
        ("/rules/a.yaml", "deploy/rules/a.yaml"),  # long form, with a default
        ("/certs/ca.pem", None),  # an absolute source is outside the project
        ("/outside/x", None),
    ],
)
def test_a_container_path_maps_to_the_mounted_project_file(container: str, repository: str | None) -> None:
    found = compose.container_to_repository((_file(STACK),), container, "powersync")
    assert found is not None and found[0] == repository


def test_named_volumes_and_unmounted_paths_map_nothing() -> None:
    stacks = (_file(STACK),)
    assert compose.container_to_repository(stacks, "/var/lib/powersync/x", "powersync") is None
    assert compose.container_to_repository(stacks, "/elsewhere", "powersync") is None


def test_the_consumers_own_service_is_asked_first() -> None:
    """Caddy mounts /config/Caddyfile too; for PowerSync's path only PowerSync's mounts count when they cover it."""
    found = compose.container_to_repository((_file(STACK),), "/config/Caddyfile", "powersync")
    assert found is not None and found[0] == "deploy/config/Caddyfile"


def test_a_source_behind_an_unset_variable_is_unknown() -> None:
    text = "services:\n  ps:\n    image: x\n    volumes:\n      - ${CONFIG}:/config\n"
    found = compose.container_to_repository((_file(text),), "/config/a.yaml", "powersync")
    assert found is not None and found[0] is None and found[1].span.line == 5
    mapped = compose.container_to_repository((_file(text, {"CONFIG": "./conf"}),), "/config/a.yaml", "powersync")
    assert mapped is not None and mapped[0] == "deploy/conf/a.yaml"


@pytest.mark.parametrize(
    ("name", "ours"),
    [("docker-compose.yml", True), ("compose.yaml", True), ("docker-compose.prod.yml", True),
     ("compose.override.yaml", True), ("docker-compose-full.yaml", True), ("config.yaml", False)],
)
def test_compose_file_names(name: str, ours: bool) -> None:
    assert compose.is_compose_name(name) is ours


def test_mounted_sync_rules_are_checked_with_the_config(tmp_path: Path) -> None:
    """End to end: the `.env` beside the compose file gives the mount's source, the container path in the
    PowerSync config resolves to the project file, and its tables are judged against the publication."""
    files = {
        "deploy/.env": "CONFIG_DIR=./conf\n",
        "deploy/docker-compose.yml": "services:\n  powersync:\n    image: journeyapps/powersync-service\n"
        "    volumes:\n      - ${CONFIG_DIR}:/config\n",
        "deploy/conf/config.yaml": "replication:\n  connections:\n    - type: postgresql\n"
        "      uri: postgresql://cdc@db.internal/app\n      sslmode: verify-full\n"
        "storage:\n  type: mongodb\n  uri: mongodb://storage.internal/ps\nsync_config:\n  path: /config/rules.yaml\n",
        "deploy/conf/rules.yaml": "bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM todos\n",
        "db/1.sql": "CREATE TABLE public.todos (id int PRIMARY KEY);\nCREATE TABLE public.lists (id int PRIMARY KEY);\n"
        "CREATE PUBLICATION powersync FOR TABLE public.lists;\n",
    }
    found = lines(lint_tree(tmp_path, files))
    assert any(line.startswith("deploy/conf/rules.yaml:4:") and "[xf-publication-covers-sync-tables]" in line
               for line in found), found
    assert not any("[cfg-sync-config-path]" in line for line in found), found


def _connector(name: str, slot: str) -> str:
    return (
        f'{{"name": "{name}", "config": {{"connector.class": "io.debezium.connector.postgresql.PostgresConnector",'
        ' "database.hostname": "postgres", "database.user": "debezium", "database.dbname": "app",'
        f' "plugin.name": "pgoutput", "slot.name": "{slot}", "table.include.list": "public.orders"}}}}'
    )


COMPOSE = "services:\n  postgres:\n    image: postgres:16\n  connect:\n    image: debezium/connect:2.7\n"


@pytest.mark.parametrize(
    ("files", "collides"),
    [
        # two demos, each with its own compose project and its own server called `postgres`
        ({"a/docker-compose.yml": COMPOSE, "a/orders.json": _connector("orders", "s"),
          "b/docker-compose.yml": COMPOSE, "b/billing.json": _connector("billing", "s")}, False),
        # one compose project: one server, one slot taken twice
        ({"docker-compose.yml": COMPOSE, "a/orders.json": _connector("orders", "s"),
          "b/billing.json": _connector("billing", "s")}, True),
        # no compose project at all: as before, the same host name is taken for the same server
        ({"a/orders.json": _connector("orders", "s"), "b/billing.json": _connector("billing", "s")}, True),
        # two files defining one Kafka Connect connector (a variant): one connector, never both at once
        ({"orders.json": _connector("orders", "s"), "orders-rbac.json": _connector("orders", "s")}, False),
    ],
)
def test_a_service_name_names_a_server_within_its_compose_project(
    tmp_path: Path, files: dict[str, str], collides: bool
) -> None:
    found = lines(lint_tree(tmp_path, files), "xf-slot-publication-name-collisions")
    assert any("slot" in line for line in found) is collides, found
