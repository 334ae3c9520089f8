"""The shipped JSON Schema and the item dataclasses describe the same thing."""
from __future__ import annotations

from dataclasses import fields

from jsonschema import Draft202012Validator

from docspider.items import DocumentItem, Excerpt, ExcerptPage, RelatedDocument
from docspider.output import schema, schema_errors, to_json_line


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
