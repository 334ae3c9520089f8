"""Parquet and flat CSV feeds (docspider.exporters, docspider.arrowschema): one real crawl of
the demo site writes JSON lines, Parquet and CSV at once, and the Parquet read back with
pyarrow and DuckDB and the CSV read back with the csv module hold what the JSON lines hold.
Also: the Arrow schema against the JSON Schema, items that do not fit, and the feed files'
life cycle (`.part`, `-O`, `-o`, a killed crawl's `.part`)."""
from __future__ import annotations

import copy
import csv
import io
import json
import math
import re
from collections import Counter

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from docspider.arrowschema import (ItemShapeError, SchemaMappingError, arrow_schema,
                                   item_checker, leaf_columns, schema_from_json_schema)
from docspider.demo.site import demo_site
from docspider.exporters import FlatCsvItemExporter, ParquetItemExporter
from docspider.localserver import LocalServer
from docspider.output import schema, schema_errors

from conftest import crawl, json_lines

ROW_GROUP_SIZE = 10
# What settings.py registers; given here too so that these tests run on their own.
EXPORT_SETTINGS = ("-s", f"DOCSPIDER_PARQUET_ROW_GROUP_SIZE={ROW_GROUP_SIZE}")
REPRS = ("Metadata(", "ExcerptPage(", "RelatedDocument(", "Price(", "{'")


@pytest.fixture(scope="module")
def server():
    with LocalServer(demo_site(), tls=False) as demo:
        yield demo


def crawl_demo(server, *args: str):
    return crawl("renrendoc", "-a", f"base_url={server.url}", *EXPORT_SETTINGS, *args)


@pytest.fixture(scope="module")
def feeds(server, tmp_path_factory):
    """One crawl of the demo site into JSON lines, Parquet and CSV: their paths and items."""
    out = tmp_path_factory.mktemp("feeds")
    paths = {fmt: out / f"items.{ext}" for fmt, ext in
             (("jsonlines", "jsonl"), ("parquet", "parquet"), ("csv", "csv"))}
    proc = crawl_demo(server, "-s", "DOCSPIDER_STATE=", "-s", "FEEDS=" + json.dumps(
        {str(path): {"format": fmt} for fmt, path in paths.items()}))
    log = proc.stderr.decode()
    assert proc.returncode == 0, log
    assert "WARNING" not in log and "ERROR" not in log, log
    assert sorted(p.name for p in out.iterdir()) == ["items.csv", "items.jsonl", "items.parquet"]
    items = json_lines(paths["jsonlines"].read_bytes())
    assert len(items) >= 20
    return paths, items


def test_parquet_holds_every_item_and_field_of_the_json_lines(feeds):
    paths, items = feeds
    parquet = pq.ParquetFile(paths["parquet"])
    assert parquet.schema_arrow.equals(arrow_schema(), check_metadata=True)
    assert parquet.metadata.num_row_groups == math.ceil(len(items) / ROW_GROUP_SIZE)
    assert parquet.read().to_pylist() == items


def test_duckdb_reads_the_parquet_feed(feeds):
    paths, items = feeds
    source = f"'{paths['parquet']}'"
    assert dict(duckdb.sql(f"SELECT site, count(*) FROM {source} GROUP BY site").fetchall()) \
        == Counter(item["site"] for item in items)
    nested = duckdb.sql(f"""SELECT doc_id, len(related), len(excerpt.pages), excerpt.text,
                                   metadata.pages_total, archive.offset
                            FROM {source}""").fetchall()
    assert sorted(nested) == sorted(
        (i["doc_id"], len(i["related"]), len(i["excerpt"]["pages"]), i["excerpt"]["text"],
         i["metadata"]["pages_total"], i["archive"]["offset"]) for i in items)


def test_csv_has_one_column_per_leaf_and_no_reprs(feeds):
    paths, items = feeds
    with paths["csv"].open(encoding="utf-8", newline="") as f:
        header, *rows = csv.reader(f)
    assert header == [name for name, _ in leaf_columns(arrow_schema())]
    assert len(rows) == len(items)
    for row, item in zip(rows, items):
        for name, value in flatten(item).items():
            # every leaf has a column; a null object (no price) has its fields' columns
            assert name in header or value is None and any(h.startswith(f"{name}.")
                                                           for h in header), name
        for name, cell in zip(header, row):
            assert not any(r in cell for r in REPRS), (name, cell)
            expected = leaf(item, name)
            if expected is None or isinstance(expected, str):
                assert cell == (expected or ""), name
            else:
                assert json.loads(cell) == expected, name


def leaf(item: dict, name: str):
    """The value at a dotted name; null under a null object."""
    for key in name.split("."):
        item = None if item is None else item[key]
    return item


def flatten(item: dict, prefix: str = "") -> dict:
    """A JSON item's leaves: nested objects opened into dotted names, everything else kept."""
    flat = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[prefix + key] = value
    return flat


def test_an_item_with_nested_values_round_trips_through_both_formats():
    item = copy.deepcopy(schema()["examples"][0])
    item["metadata"]["price"] = {"amount": 6.99, "unit": "金币"}
    item["metadata"]["keywords"] = ["垃圾分类", "社区"]
    item["parts"] = [{"title": None, "text": "第一部分"}]
    assert schema_errors(item) == []
    parquet = pq.ParquetFile(io.BytesIO(export(ParquetItemExporter, [item] * 3, row_group_size=2)))
    assert parquet.metadata.num_row_groups == 2 and parquet.read().to_pylist() == [item] * 3
    header, row = csv.reader(io.StringIO(export(FlatCsvItemExporter, [item]).decode("utf-8")))
    cells = dict(zip(header, row))
    assert cells["metadata.price.amount"] == "6.99" and cells["metadata.price.unit"] == "金币"
    assert json.loads(cells["metadata.keywords"]) == ["垃圾分类", "社区"]
    assert json.loads(cells["parts"]) == [{"title": None, "text": "第一部分"}]
    assert cells["source"] == cells["intro"] == "" and cells["excerpt.truncated"] == "true"


def test_an_empty_feed_has_the_columns():
    assert pq.read_schema(io.BytesIO(export(ParquetItemExporter, []))).equals(
        arrow_schema(), check_metadata=True)
    header = export(FlatCsvItemExporter, []).decode("utf-8")
    assert header == ",".join(name for name, _ in leaf_columns(arrow_schema())) + "\r\n"


def export(exporter_class, items: list[dict], **options) -> bytes:
    out = io.BytesIO()
    exporter = exporter_class(out, **({"row_group_size": 1000} if exporter_class is
                                      ParquetItemExporter else {}) | options)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


# -- the Arrow schema ---------------------------------------------------------------------------

def json_schema_leaves(node: dict, path: str, nullable: bool) -> dict[str, tuple[str, bool]]:
    """Every leaf of a JSON Schema node: its path (`a.b`, `a[].b`), JSON type and whether
    null may stand there, walked here independently of docspider.arrowschema."""
    if "const" in node or "enum" in node:
        values = [node["const"]] if "const" in node else node["enum"]
        types = {{str: "string", int: "integer"}[type(v)] for v in values if v is not None}
        null = None in values
    else:
        types = {node["type"]} if isinstance(node["type"], str) else set(node["type"])
        null = "null" in types
        types.discard("null")
    (type_,) = types
    if type_ == "object":
        required = set(node["required"])
        found = {path: ("object", null or nullable)}
        for name, sub in node["properties"].items():
            found |= json_schema_leaves(sub, f"{path}.{name}".lstrip("."), name not in required)
        return found
    if type_ == "array":
        found = json_schema_leaves(node["items"], f"{path}[]", False)
        return found | {path: ("array", null or nullable)}
    return {path: (type_, null or nullable)}


def arrow_leaves(type_: pa.DataType, path: str, nullable: bool) -> dict[str, tuple[str, bool]]:
    names = {pa.string(): "string", pa.int64(): "integer", pa.float64(): "number",
             pa.bool_(): "boolean"}
    if pa.types.is_struct(type_):
        found = {path: ("object", nullable)}
        for f in type_.fields:
            found |= arrow_leaves(f.type, f"{path}.{f.name}".lstrip("."), f.nullable)
        return found
    if pa.types.is_list(type_):
        found = arrow_leaves(type_.value_type, f"{path}[]", type_.value_field.nullable)
        return found | {path: ("array", nullable)}
    return {path: (names[type_], nullable)}


def test_the_arrow_schema_covers_every_leaf_of_the_json_schema():
    expected = json_schema_leaves(schema(), "", False)
    assert arrow_leaves(pa.struct(list(arrow_schema())), "", False) == expected
    assert {"metadata.price.amount", "excerpt.pages[].n", "related[].url", "archive.offset",
            "parts[].title", "disclaimer[]"} <= set(expected)
    descriptions = [f.metadata for f in arrow_schema()]
    assert all(m and m[b"description"] for m in descriptions)


def test_schema_constructs_map_to_arrow_types():
    mapped = schema_from_json_schema({
        "type": "object", "required": ["ref", "when", "raw", "tags", "kind"],
        "$defs": {"money": {"type": "object", "required": ["amount"],
                            "properties": {"amount": {"type": "number"},
                                           "unit": {"type": ["string", "null"]}}}},
        "properties": {
            "ref": {"anyOf": [{"$ref": "#/$defs/money"}, {"type": "null"}]},
            "when": {"type": "string", "format": "date-time", "description": "UTC"},
            "raw": {"type": "object", "additionalProperties": {"type": "string"}},
            "tags": {"type": "array", "items": {"type": ["integer", "null"]}},
            "kind": {"enum": ["a", "b", None]},
            "flag": {"const": True}}})
    money = pa.struct([pa.field("amount", pa.float64(), nullable=False),
                       pa.field("unit", pa.string())])
    assert mapped.equals(pa.schema([
        pa.field("ref", money),
        pa.field("when", pa.string(), nullable=False, metadata={"description": "UTC"}),
        pa.field("raw", pa.map_(pa.string(), pa.field("value", pa.string(), nullable=False)),
                 nullable=False),
        pa.field("tags", pa.list_(pa.field("element", pa.int64())), nullable=False),
        pa.field("kind", pa.string()),
        pa.field("flag", pa.bool_())]), check_metadata=True)


@pytest.mark.parametrize("node, message", [
    ({"type": ["string", "integer"]}, "x.y: ['string', 'integer'] is not one column type"),
    ({"type": "object"}, "x.y: an object with neither properties nor a schema"),
    ({"type": "array"}, "x.y: an array without items"),
    ({"$ref": "other.json#/a"}, "x.y: only local $refs are followed"),
])
def test_a_schema_with_no_column_type_is_refused_naming_the_field(node, message):
    with pytest.raises(SchemaMappingError, match=re.escape(message)):
        schema_from_json_schema({"type": "object", "properties": {
            "x": {"type": "object", "properties": {"y": node}}}})


# -- items that do not fit ----------------------------------------------------------------------

def changed(path: str, value) -> dict:
    item = copy.deepcopy(schema()["examples"][0])
    *parents, last = path.split(".")
    target = item
    for key in parents:
        target = target[key]
    target[last] = value
    return item


@pytest.mark.parametrize("path, value, valid, message", [
    # what schema validation drops before any feed sees it …
    ("metadata.pages_total", "12", False, "metadata.pages_total: expected int64, got str"),
    ("excerpt.text", None, False, "excerpt.text: null in a column that cannot be null"),
    ("metadata.extra", 1, False, "metadata: no column for extra"),
    ("excerpt.truncated", 1, False, "excerpt.truncated: expected bool, got an integer"),
    ("disclaimer", ["x", 2], False, r"disclaimer\[1\]: expected string, got an integer"),
    # … and what it lets through although no Arrow column can hold it
    ("metadata.size_bytes", 2 ** 63, True,
     "metadata.size_bytes: expected int64, got an integer out of the int64 range"),
])
def test_an_item_that_does_not_fit_is_an_error_naming_the_field(path, value, valid, message):
    item = changed(path, value)
    assert (schema_errors(item) == []) == valid
    with pytest.raises(ItemShapeError, match=message):
        item_checker(arrow_schema())(item)
    for exporter_class in (ParquetItemExporter, FlatCsvItemExporter):
        with pytest.raises(ValueError, match=f"item {item['url']}: {message}"):
            export(exporter_class, [item])


def test_feed_options_that_do_not_apply_are_refused():
    with pytest.raises(ValueError, match="cannot choose them"):
        FlatCsvItemExporter(io.BytesIO(), fields_to_export=["url"])
    with pytest.raises(ValueError, match="must be a whole number of 1 or more"):
        ParquetItemExporter(io.BytesIO(), row_group_size=0)
    with pytest.raises(TypeError, match="Unexpected options: compresion"):
        ParquetItemExporter(io.BytesIO(), row_group_size=10, compresion="zstd")


# -- the feed files -----------------------------------------------------------------------------

def test_overwrite_replaces_a_stale_part_and_renames_the_parquet_file(server, tmp_path):
    out = tmp_path / "out.parquet"
    stale = tmp_path / "out.parquet.part"
    stale.write_bytes(b"PAR1 cut short")
    proc = crawl_demo(server, "-O", str(out), "-a", "follow=0")
    assert proc.returncode == 0, proc.stderr.decode()
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]
    assert pq.read_table(out).num_rows > 0


@pytest.mark.parametrize("name", ["out.parquet", "out.csv"])
def test_appending_to_an_existing_file_stops_the_crawl_and_keeps_the_file(server, tmp_path,
                                                                          name):
    out = tmp_path / name
    out.write_bytes(b"previous feed\n")
    proc = crawl_demo(server, "-o", str(out))
    log = proc.stderr.decode()
    assert proc.returncode == 1, log
    assert f"cannot write {out}.part: a {'Parquet' if name.endswith('parquet') else 'CSV'} " \
           "feed cannot be appended to: replace the file (-O) or write a new one" in log
    assert out.read_bytes() == b"previous feed\n"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_killed_crawls_parquet_part_stops_the_next_crawl_naming_it(server, tmp_path):
    dead = tmp_path / "items-2026-12-01T03-17-00-a1b2c3.parquet.part"
    dead.write_bytes(b"PAR1 no footer")
    feeds = json.dumps({str(tmp_path / "items-%(run_id)s.parquet"): {"format": "parquet"}})
    proc = crawl_demo(server, "-s", f"FEEDS={feeds}")
    assert proc.returncode == 2
    assert [line for line in proc.stderr.decode().splitlines() if line.startswith("crawl ")] == [
        f"crawl renrendoc: {dead}: a stopped crawl's parquet feed cannot be recovered "
        "(only JSON lines feeds can); move it aside"]
    assert [p.name for p in tmp_path.iterdir()] == [dead.name]


@pytest.mark.parametrize("line", ["大小：99999999999999999999999GB", "价格：99999999999999999999999金币",
                                  "页数：99999999999999999999999", "页数：" + "9" * 400,
                                  "已阅读5页,还剩99999999999999999999999页"])
def test_a_page_with_an_absurd_figure_still_fits_every_feed(line):
    # a figure beyond int64 stopped a Parquet or CSV crawl, and every rerun met it again
    from docspider.document import build_item
    from docspider.output import item_data
    from docspider.segment import segment_html
    text = "本段为正文内容用于测试页面摘录的识别规则，长度足够像一整页文字。"
    page = (f"<html><head><title>期末复习提纲</title></head><body><h1>期末复习提纲</h1>"
            f"<p>{line}</p><p>1、{text * 2}</p><p>2、{text}</p></body></html>")
    item = item_data(build_item(segment_html(page), source="page.html"))
    assert text in item["excerpt"]["text"]
    assert item["metadata"]["pages_total"] is None and item["metadata"]["size_bytes"] is None
    assert item["metadata"]["price"] is None and not item["excerpt"]["truncated"]
    assert schema_errors(item) == []
    item_checker(arrow_schema())(item)
    parquet = pq.ParquetFile(io.BytesIO(export(ParquetItemExporter, [item])))
    assert parquet.read().to_pylist() == [item]
