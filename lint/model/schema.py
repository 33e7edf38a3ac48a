"""`schemas/model.schema.json`, generated from the declarations (a test fails when the file is stale)."""

from __future__ import annotations

import json
from typing import Any

from lint.model.declare import Record, Type, reachable
from lint.model.items import MODEL_VERSION, ModelDocument

SCHEMA_ID = "urn:replint:schema:model"


def _type(t: Type) -> dict[str, Any]:
    if t.kind == "record":
        return {"$ref": f"#/$defs/{t.record}"}
    if t.kind == "list":
        return {"type": "array", "items": _type(t.of[0])}
    if t.kind == "map":
        return {"type": "object", "additionalProperties": _type(t.of[0])}
    if t.kind == "union":
        return {"anyOf": [_type(m) for m in t.of]}
    if t.kind == "any":
        return {}
    return {"type": {"string": "string", "int": "integer", "float": "number", "bool": "boolean", "null": "null"}[
        t.kind
    ]}


def _object(rec: Record) -> dict[str, Any]:
    return {
        "type": "object",
        "description": rec.doc,
        "additionalProperties": False,
        "required": [f.name for f in rec.fields],
        "properties": {f.name: {**_type(f.type), "description": f.meaning} for f in rec.fields},
    }


def model_schema() -> dict[str, Any]:
    top, records = reachable(ModelDocument)
    body = _object(top)
    body["properties"]["replint_model"]["const"] = MODEL_VERSION
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "replint model",
        **body,
        "$defs": {name: _object(records[name]) for name in sorted(records)},
    }


def model_schema_text() -> str:
    return json.dumps(model_schema(), indent=2, ensure_ascii=False) + "\n"


def policy_schema_text(current: str) -> str:
    """`schemas/policy.schema.json` with its `for_each` enum set to the declared collections (the rest of
    that file is written by hand)."""
    import re

    from lint.model.items import COLLECTIONS

    line = json.dumps(
        {"enum": list(COLLECTIONS), "description": "The model collection the policy iterates over (policies/MODEL.md)."}
    )
    new, count = re.subn(r'(?m)^(    "for_each": )\{.*\},$', lambda m: f"{m.group(1)}{line},", current)
    if count != 1:
        raise ValueError("schemas/policy.schema.json: no single-line \"for_each\" property to update")
    return new


def main() -> None:
    """`python -m lint.model.schema`: rewrite the generated schemas from the declarations."""
    from lint.resources import schema_path

    schema_path("model.schema.json").write_text(model_schema_text(), encoding="utf-8")
    policy = schema_path("policy.schema.json")
    policy.write_text(policy_schema_text(policy.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
