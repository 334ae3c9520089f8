"""The shipped JSON Schema, the item dataclasses and docs/schema.md describe the same thing;
the typed metadata and the site names."""
from __future__ import annotations

from dataclasses import fields

import pytest
from jsonschema import Draft202012Validator

from docspider import schemadoc
from docspider.items import (SCHEMA_VERSION, DocumentItem, Excerpt, ExcerptPage, Metadata, Price,
                             RawMetadata, RelatedDocument)
from docspider.output import schema, schema_errors, to_json_line
from docspider.segment.metadata import iso_datetime, price, size_bytes
from docspider.sites import site_name

from conftest import ROOT


def test_schema_is_valid_and_lists_every_field_in_order():
    Draft202012Validator.check_schema(schema())
    names = [f.name for f in fields(DocumentItem)]
    assert schema()["required"] == names
    assert list(schema()["properties"]) == names


def test_valid_and_invalid_items():
    item = DocumentItem(title="标题", excerpt=Excerpt(pages=[ExcerptPage(1, "正文")], text="正文"),
                        related=[RelatedDocument("相关", None)], content_hash="0" * 40)
    assert schema_errors(item) == []
    line = to_json_line(item)
    assert line.endswith("}\n") and "标题" in line and line.count("\n") == 1
    bad = DocumentItem(language="fr", fetched_at="yesterday", content_hash="xyz",
                       excerpt=Excerpt(pages=[ExcerptPage(0, "")]))
    errors = schema_errors(bad)
    assert any(e.startswith("language") for e in errors)
    assert any(e.startswith("fetched_at") for e in errors)
    assert any(e.startswith("content_hash") for e in errors)
    assert any(e.startswith("excerpt/pages/0") for e in errors)


def test_every_field_is_described_and_nested_dataclasses_match():
    for name, prop in schemadoc.fields(schema()):
        assert prop.get("description", "").strip(), f"{name}: no description"
    meta = schema()["properties"]["metadata"]
    assert list(meta["properties"]) == [f.name for f in fields(Metadata)] == meta["required"]
    assert list(meta["properties"]["raw"]["properties"]) == [f.name for f in fields(RawMetadata)]
    assert list(meta["properties"]["price"]["properties"]) == [f.name for f in fields(Price)]


def test_the_example_is_a_valid_item():
    (example,) = schema()["examples"]
    assert schema_errors(example) == []
    assert example["schema_version"] == SCHEMA_VERSION == schema()["properties"][
        "schema_version"]["const"]


def test_docs_schema_md_is_made_from_the_schema():
    written = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert written == schemadoc.markdown(schema()), \
        "docs/schema.md is stale: python -m docspider.schemadoc > docs/schema.md"


@pytest.mark.parametrize("raw, expected", [
    ("86.50KB", 88576), ("843 KB", 863232), ("1.20MB", 1258291), ("512B", 512), ("3M", 3145728),
    ("2GB", 2 * 1024 ** 3), ("未知", None), (None, None)])
def test_size_bytes(raw, expected):
    assert size_bytes(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("8金币", {"amount": 8, "unit": "金币"}), ("6.99 金币", {"amount": 6.99, "unit": "金币"}),
    ("10", {"amount": 10, "unit": None}), ("免费", None), (None, None)])
def test_price(raw, expected):
    assert price(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("2018-11-19", "2018-11-19"), ("2018/11/9", "2018-11-09"), ("2018年11月19日", "2018-11-19"),
    ("2018-11-19 10:30", "2018-11-19T10:30:00"), ("2018.11.19 10:30:05", "2018-11-19T10:30:05"),
    ("2018-13-40", None), ("昨天", None), (None, None)])
def test_iso_datetime(raw, expected):
    assert iso_datetime(raw) == expected


@pytest.mark.parametrize("url, site", [
    ("https://www.renrendoc.com/paper/1.html", "renrendoc"),
    ("https://m.bubsandbeans.com/paper/1.html", "bubsandbeans"),
    ("http://zixin.com.cn/doc/1.html", "zixin"),
    ("http://foo.bar.example.ne.jp/doc/1.html", "example"),        # a two-label public suffix
    ("http://docs.example.co.uk/x", "example"),
    ("http://127.0.0.1:8080/paper/1.html", "127.0.0.1"),          # an IP host: its address
    ("http://[::1]/x", "::1"),
    ("http://localhost:8000/x", "localhost"),
])
def test_site_names_follow_the_public_suffix_list(url, site):
    assert site_name(url) == site
