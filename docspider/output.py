"""Serialise and validate items: one JSON object per line, UTF-8, Chinese unescaped.

An item becomes a plain dict once (`item_data`); validation and export share that dict. The
schema is checked with a compiled validator (fastjsonschema, some twenty times faster than
jsonschema on an item); only an invalid item goes through jsonschema, for errors worded
field by field.
"""
from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from importlib import resources

import fastjsonschema
from itemadapter import ItemAdapter


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("docspider.schema").joinpath("document.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator():
    # imported here: only an invalid item needs it, and importing it costs every command
    # (and every segmentation worker) some 60 ms at start
    from jsonschema import Draft202012Validator
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def _fast_validator():
    return fastjsonschema.compile(schema())


def item_data(item) -> dict:
    """The item as the plain dict that is validated and written (a dict stays as it is).
    docspider's own items (dataclasses) are converted directly, field by field, as
    `ItemAdapter.asdict` would (it costs four times as much); other item types go through it."""
    if isinstance(item, dict):
        return item
    if dataclasses.is_dataclass(item):
        return _plain(item)
    return ItemAdapter(item).asdict()


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass, None for any other class."""
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return None


_ATOMS = frozenset({str, int, float, bool, type(None)})     # most values of an item


def _plain(value):
    cls = value.__class__
    if cls in _ATOMS:
        return value
    if isinstance(value, (list, tuple)):
        return cls(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if (names := _field_names(cls)) is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    return value


def schema_errors(item) -> list[str]:
    """Human-readable schema violations of an item (empty when it is valid)."""
    data = item_data(item)
    try:
        _fast_validator()(data)
        return []
    except fastjsonschema.JsonSchemaException as exc:
        worded = [f"{'/'.join(map(str, e.absolute_path)) or '(item)'}: {e.message}"
                  for e in _validator().iter_errors(data)]
        return worded or [exc.message]


def to_json_line(item) -> str:
    """One line of JSON, keys in item order, non-ASCII kept as is, ending in a newline."""
    return json.dumps(item_data(item), ensure_ascii=False, separators=(",", ":")) + "\n"
