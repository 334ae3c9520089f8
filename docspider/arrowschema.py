"""The item as a table: the Arrow schema derived from the item's JSON Schema, its flat columns,
and the check that an item fits them.

The Parquet and CSV feeds (:mod:`docspider.exporters`) have fixed columns, derived at run time
from ``docspider/schema/document.schema.json``, so a field added there appears in them with no
other change. The mapping:

* an object with ``properties`` is a struct of them, in schema order; an object with only
  ``additionalProperties: {schema}`` is a map from string to that schema's type;
* an array is a list of its ``items`` type (objects in it are structs);
* ``string`` is string (``format: date``/``date-time`` included: the values stay the ISO
  strings the JSON lines hold), ``integer`` int64, ``number`` float64, ``boolean`` bool;
* ``const`` and ``enum`` take the type of their values (``enum`` strings plus ``null`` is a
  nullable string);
* a field is nullable when the schema allows ``null`` (``"type": [..., "null"]``, ``null`` in an
  ``enum``, an ``anyOf``/``oneOf`` with a ``{"type": "null"}`` branch) or does not require it;
* local ``$ref``s are followed; a field's ``description`` becomes its Arrow field metadata.

Anything else (a union of two non-null types, an object with no properties) has no single
column type and raises `SchemaMappingError` naming the field.

pyarrow fills a missing or null value into a non-null column, and drops unknown keys, without a
word: `item_checker` checks an item against the columns first, so an item that does not fit
(schema validation drops most such items before any feed sees them) is an `ItemShapeError`
naming the field, never a silently wrong row.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pyarrow as pa

from docspider.output import schema as item_json_schema

_SCALARS = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
            "boolean": pa.bool_()}
_VALUE_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
_INT64 = range(-2 ** 63, 2 ** 63)


class SchemaMappingError(ValueError):
    """A part of the JSON Schema that has no Arrow column type."""


class ItemShapeError(ValueError):
    """An item value that does not fit its column; `path` names it (``excerpt.pages[2].n``)."""

    def __init__(self, reason: str, path: str = ""):
        super().__init__(f"{path or '(item)'}: {reason}")
        self.reason, self.path = reason, path

    def inside(self, key: str | int) -> ItemShapeError:
        """The same error seen from one level up: `key` is a field name or a list index."""
        step = f"[{key}]" if isinstance(key, int) else key
        if not self.path:
            return ItemShapeError(self.reason, step)
        return ItemShapeError(self.reason, step + ("" if self.path[0] == "[" else ".") + self.path)


@lru_cache(maxsize=1)
def arrow_schema() -> pa.Schema:
    """The Arrow schema of the item schema (``docspider/schema/document.schema.json``)."""
    return schema_from_json_schema(item_json_schema())


def schema_from_json_schema(root: dict) -> pa.Schema:
    """The Arrow schema of a JSON Schema whose root is an object (see the module docstring)."""
    return pa.schema(_Mapper(root).fields(root, ""))


class _Mapper:
    def __init__(self, root: dict):
        self.root = root

    def fields(self, node: dict, path: str) -> list[pa.Field]:
        required = set(node.get("required", ()))
        return [self.field(name, sub, f"{path}{name}", name in required)
                for name, sub in node["properties"].items()]

    def field(self, name: str, node: dict, path: str, required: bool) -> pa.Field:
        node = self.resolve(node, path)
        type_, nullable = self.type(node, path)
        metadata = {"description": node["description"]} if "description" in node else None
        return pa.field(name, type_, nullable=nullable or not required, metadata=metadata)

    def resolve(self, node: dict, path: str) -> dict:
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#"):
                raise SchemaMappingError(f"{path}: only local $refs are followed, not {ref}")
            node = self.root
            for key in filter(None, ref[1:].split("/")):
                node = node[key.replace("~1", "/").replace("~0", "~")]
        return node

    def type(self, node: dict, path: str) -> tuple[pa.DataType, bool]:
        """The column type of a schema node and whether it allows null."""
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                branches = [self.resolve(b, path) for b in node[keyword]]
                others = [b for b in branches if b.get("type") != "null"]
                if len(others) != 1:
                    raise SchemaMappingError(f"{path}: {keyword} of several non-null schemas")
                type_, nullable = self.type(others[0], path)
                return type_, nullable or len(others) < len(branches)
        if "const" in node:
            values = [node["const"]]
        elif "enum" in node:
            values = node["enum"]
        else:
            names = node.get("type")
            if names is None:
                raise SchemaMappingError(f"{path}: no type, const or enum")
            names = [names] if isinstance(names, str) else list(names)
            return self.named_type(node, [n for n in names if n != "null"], path), "null" in names
        names = {_VALUE_TYPES.get(type(v), type(v).__name__) for v in values if v is not None}
        return self.named_type(node, sorted(names), path), None in values

    def named_type(self, node: dict, names: list[str], path: str) -> pa.DataType:
        if len(names) != 1:
            raise SchemaMappingError(f"{path}: {names or 'null only'} is not one column type")
        (name,) = names
        if name in _SCALARS:
            return _SCALARS[name]
        if name == "array":
            if "items" not in node:
                raise SchemaMappingError(f"{path}: an array without items")
            return pa.list_(self.field("element", node["items"], f"{path}[]", True))
        if name == "object":
            if "properties" in node:
                return pa.struct(self.fields(node, f"{path}."))
            values = node.get("additionalProperties")
            if isinstance(values, dict):
                return pa.map_(pa.string(), self.field("value", values, f"{path}{{}}", True))
            raise SchemaMappingError(f"{path}: an object with neither properties nor a "
                                     "schema for additionalProperties")
        raise SchemaMappingError(f"{path}: type {name} has no column type")


def leaf_columns(schema: pa.Schema) -> list[tuple[str, tuple[str, ...]]]:
    """The flat columns of a schema: each non-struct field, with structs opened, as a dotted
    name (``metadata.pages_total``) and its key path, in schema order."""
    columns = []

    def walk(fields, keys: tuple[str, ...]) -> None:
        for f in fields:
            if pa.types.is_struct(f.type):
                walk(f.type.fields, (*keys, f.name))
            else:
                columns.append((".".join((*keys, f.name)), (*keys, f.name)))

    walk(schema, ())
    return columns


def item_checker(schema: pa.Schema) -> Callable[[dict], None]:
    """A function raising `ItemShapeError` unless an item fits `schema` exactly: every value of
    its column's type (bool is not an integer; integers within int64), null only where
    nullable, no key that has no column. Built once per schema: the check of an item is a
    walk over it with no look at the types."""
    return _struct_checker(schema)


def _struct_checker(fields) -> Callable:
    checks = {f.name: _field_checker(f) for f in fields}

    def check(value) -> None:
        if not isinstance(value, dict):
            raise ItemShapeError(f"expected an object, got {_kind(value)}")
        if unknown := value.keys() - checks.keys():
            raise ItemShapeError(f"no column for {', '.join(sorted(map(str, unknown)))}")
        for name, check_field in checks.items():
            try:
                check_field(value.get(name))
            except ItemShapeError as exc:
                raise exc.inside(name) from None
    return check


def _field_checker(field: pa.Field) -> Callable:
    check_value = _type_checker(field.type)
    if field.nullable:
        return lambda value: value is None or check_value(value)

    def check(value) -> None:
        if value is None:
            raise ItemShapeError("null in a column that cannot be null")
        check_value(value)
    return check


def _type_checker(type_: pa.DataType) -> Callable:
    if pa.types.is_struct(type_):
        return _struct_checker(type_.fields)
    if pa.types.is_map(type_):
        return _sequence_checker(dict, "an object", _field_checker(type_.item_field),
                                 _map_entries)
    if pa.types.is_list(type_):
        return _sequence_checker((list, tuple), "an array", _field_checker(type_.value_field),
                                 enumerate)
    fits = _scalar_test(type_)

    def check(value) -> None:
        if not fits(value):
            raise ItemShapeError(f"expected {type_}, got {_kind(value)}")
    return check


def _sequence_checker(kinds, kind: str, check_element: Callable, keyed: Callable) -> Callable:
    def check(value) -> None:
        if not isinstance(value, kinds):
            raise ItemShapeError(f"expected {kind}, got {_kind(value)}")
        for key, element in keyed(value):
            try:
                check_element(element)
            except ItemShapeError as exc:
                raise exc.inside(key) from None
    return check


def _map_entries(value: dict):
    for key, element in value.items():
        if not isinstance(key, str):
            raise ItemShapeError(f"a key that is not a string: {_kind(key)}")
        yield key, element


def _scalar_test(type_: pa.DataType) -> Callable[[object], bool]:
    if pa.types.is_boolean(type_):
        return lambda value: isinstance(value, bool)
    if pa.types.is_int64(type_):
        return lambda value: type(value) is int and value in _INT64
    if pa.types.is_float64(type_):
        return lambda value: type(value) in (int, float)
    return lambda value: isinstance(value, str)     # the only other type the mapping makes


def _kind(value) -> str:
    if type(value) is int:
        return "an integer out of the int64 range" if value not in _INT64 else "an integer"
    return type(value).__name__
