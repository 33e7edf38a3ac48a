"""JSON Schema violations described without the offending value.

jsonschema's own messages quote the instance (`{'password': 'x'} is not of type 'array'`), and the value of a
misplaced key can be a secret, so every schema-checked file (PowerSync configs, `.replint.yaml`, policy files)
describes violations by the rule broken and the kind of value found, never by the value itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lint.yamlsrc import describe_type

if TYPE_CHECKING:  # jsonschema loads only when a schema is checked: a cached run never needs it
    from jsonschema import ValidationError


def expected_type(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        return " or ".join(str(x) for x in t)
    if t:
        return str(t)
    if "enum" in schema:
        return "one of " + ", ".join(str(x) for x in schema["enum"])
    return "a different value"


def violation(err: ValidationError) -> str:
    """What is wrong, as a predicate for the value's location: "must be string, not a list"."""
    rule, value = err.validator, err.validator_value
    value_: Any = value  # jsonschema types these as Unset-able; a reported error always has them
    schema: Any = err.schema
    if rule == "type":
        return f"must be {expected_type(schema)}, not {describe_type(err.instance)}"
    if rule in ("enum", "const"):
        values = value_ if rule == "enum" else [value_]
        return f"must be one of {', '.join(map(str, values))}"
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"is out of range ({rule} {value})"
    if rule == "required":
        missing = [k for k in value_ if not isinstance(err.instance, dict) or k not in err.instance]
        return f"is missing required key(s): {', '.join(missing)}"
    if rule == "pattern":
        return f"does not match the pattern {value}"
    if rule in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
        return f"has the wrong size ({rule} {value})"
    if rule in ("oneOf", "anyOf"):
        return "matches none of the allowed shapes"
    return f"is not valid ({rule})"
