"""Serialise and validate items: one JSON object per line, UTF-8, Chinese unescaped."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("docspider.schema").joinpath("document.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(item) -> list[str]:
    """Human-readable schema violations of an item (empty when it is valid)."""
    data = ItemAdapter(item).asdict() if ItemAdapter.is_item(item) else item
    return [f"{'/'.join(map(str, e.absolute_path)) or '(item)'}: {e.message}"
            for e in _validator().iter_errors(data)]


def to_json_line(item) -> str:
    """One line of JSON, keys in item order, non-ASCII kept as is, ending in a newline."""
    data = ItemAdapter(item).asdict() if ItemAdapter.is_item(item) else item
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
