"""Observed MongoDB facts judged by the policies (`check --live` with a MongoDB source).

No MongoDB server can be installed on this machine (no package, and no network beyond PyPI), so the observed
facts come from recorded server replies (tests/data/mongo_replies/, see tests/test_live_mongo.py) run through the
same `observe()` the probe uses; tests/test_live_mongo.py also runs the probe against a real server when
REPLINT_TEST_MONGODB_URI is set.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from lint import model, project
from lint.live.mongo import observe
from lint.live.observe import Observed
from lint.policy.engine import evaluate
from lint.span import Span
from tests.lintkit import builtin_policies, write_tree

REPLIES = Path(__file__).parent / "data" / "mongo_replies"

CONFIG = """\
replication:
  connections:
    - type: mongodb
      uri: !env PS_MONGO_URI
      post_images: {mode}
storage:
  type: mongodb
  uri: !env PS_STORAGE_URI
sync_config:
  content: |
    bucket_definitions:
      global:
        data:
          - SELECT _id as id, * FROM todos
          - SELECT _id as id, * FROM comments
"""


def judged(tmp_path: Path, recording: str, mode: str = "read_only") -> list[str]:
    write_tree(tmp_path, {"powersync/config.yaml": CONFIG.format(mode=mode)})
    loaded = project.load(tmp_path, [tmp_path])
    replies = json.loads((REPLIES / f"{recording}.json").read_text(encoding="utf-8"))
    display = "mongodb://powersync@mongo:27017/app"
    mg = observe(replies, target="source", display=display, database="app")
    origin = Span("powersync/config.yaml", 5, 12, 5, 28)
    live = (Observed("source", "mongodb", "powersync/config.yaml", origin, display, None, mongo=mg),)
    built = model.build(replace(loaded.inputs, live=live))
    return [f"{f.rule}: {f.severity.label}: {f.message}" for f in evaluate(list(builtin_policies()), built)]


def test_replica_set_with_the_documented_role_and_one_collection_without_images(tmp_path: Path) -> None:
    found = judged(tmp_path, "rs-primary-7.0")
    post = [f for f in found if f.startswith("xf-mongo-post-images-vs-privileges")]
    assert post == [
        "xf-mongo-post-images-vs-privileges: error: post_images: read_only, but on the live server "
        "mongodb://powersync@mongo:27017/app the collection app.comments has changeStreamPreAndPostImages disabled: "
        "PowerSync stops with PSYNC_S1343 ('PostImages not enabled on a source collection'); run "
        'db.runCommand({collMod: "comments", changeStreamPreAndPostImages: {enabled: true}})'
    ]
    assert not [f for f in found if f.startswith(("mongo-", "live-mongo-topology"))], found


def test_standalone_server_is_a_topology_error(tmp_path: Path) -> None:
    found = judged(tmp_path, "standalone-6.0", mode="off")
    assert any(f.startswith("live-mongo-topology: error:") and "standalone" in f for f in found), found


def test_old_server_sharded_router_and_documentdb(tmp_path: Path) -> None:
    assert any("older than 6.0" in f for f in judged(tmp_path / "a", "rs-5.0", mode="off"))
    assert any("mongos router" in f for f in judged(tmp_path / "b", "mongos-7.0", mode="off"))
    documentdb = judged(tmp_path / "c", "documentdb", mode="read_only")
    assert any("DocumentDB" in f and "post_images: off" in f for f in documentdb), documentdb


def test_observed_privileges_feed_the_mongo_policies(tmp_path: Path) -> None:
    replies = json.loads((REPLIES / "rs-primary-7.0.json").read_text(encoding="utf-8"))
    status = replies["connectionStatus"]["authInfo"]
    status["authenticatedUserRoles"] = [{"role": "root", "db": "admin"}]
    status["authenticatedUserPrivileges"] = [
        {"resource": {"db": "app", "collection": "todos"}, "actions": ["find", "changeStream"]},
    ]
    (tmp_path / "rec").mkdir()
    write_tree(tmp_path / "p", {"powersync/config.yaml": CONFIG.format(mode="off")})
    loaded = project.load(tmp_path / "p", [tmp_path / "p"])
    mg = observe(replies, target="source", display="mongodb://powersync@mongo/app", database="app")
    live = (
        Observed("source", "mongodb", "powersync/config.yaml", None, "mongodb://powersync@mongo/app", None, mongo=mg),
    )
    built = model.build(replace(loaded.inputs, live=live))
    found = [f"{f.rule}: {f.message}" for f in evaluate(list(builtin_policies()), built)]
    assert any(
        f.startswith("mongo-superuser-role:") and "root@admin" in f and "observed on the live server" in f
        for f in found
    ), found
    assert any(f.startswith("mongo-change-stream-privileges:") and "listCollections" in f for f in found), found
    assert any(f.startswith("mongo-checkpoints-privileges:") for f in found), found
