"""docs/schema.md, made from the item's JSON Schema (docspider/schema/document.schema.json).

One table row per field, nested fields with dotted names (`metadata.price.amount`, list items
as `excerpt.pages[].n`), with its type and its description, then the schema's example item.
The schema file is the one source: edit it, then

    python -m docspider.schemadoc > docs/schema.md

A test fails while docs/schema.md differs from what this makes.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from docspider.output import schema


def type_of(prop: dict) -> str:
    """A field's type in words: `string`, `integer or null`, `[string]`, `` `new` | null ``."""
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    if "enum" in prop:
        return " \\| ".join("null" if v is None else f"`{v}`" for v in prop["enum"])
    kinds = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    named = []
    for kind in kinds:
        if kind == "array":
            named.append(f"[{type_of(prop['items'])}]")
        elif kind != "null":
            named.append(kind)
    return " \\| ".join(named + ["null"] * ("null" in kinds))


def fields(prop: dict, prefix: str = "") -> Iterator[tuple[str, dict]]:
    """(dotted name, property) for every field under `prop`, parents before their fields."""
    for name, sub in prop.get("properties", {}).items():
        dotted = f"{prefix}{name}"
        yield dotted, sub
        yield from fields(sub, dotted + ".")
        if "properties" in sub.get("items", {}):
            yield from fields(sub["items"], dotted + "[].")


def markdown(document: dict) -> str:
    rows = [f"| `{name}` | {type_of(prop)} | {prop['description']} |"
            for name, prop in fields(document)]
    (example,) = document["examples"]
    return "\n".join([
        f"# The item (schema_version {document['properties']['schema_version']['const']})",
        "",
        "<!-- Made by `python -m docspider.schemadoc` from docspider/schema/document.schema.json;"
        " edit that file, not this one. -->",
        "",
        document["description"],
        "",
        "| field | type | meaning |",
        "|---|---|---|",
        *rows,
        "",
        "## An example",
        "",
        "A crawled page (shown indented; a feed has one item per line):",
        "",
        "```json",
        json.dumps(example, ensure_ascii=False, indent=2),
        "```",
        "",
    ])


if __name__ == "__main__":
    print(markdown(schema()), end="")
