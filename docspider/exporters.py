"""Feed exporters for the formats downstream tools read with no glue: Parquet and a flat CSV.

Both write the fixed columns of the item schema (:mod:`docspider.arrowschema`), whatever the
items hold, so every feed of one schema version has the same columns, an empty feed included:

* ``parquet`` (`ParquetItemExporter`): nested objects as structs, arrays as lists, written in
  row groups of ``DOCSPIDER_PARQUET_ROW_GROUP_SIZE`` items (a feed option
  ``item_export_kwargs: {"row_group_size": N}`` overrides it), so a long crawl holds at most
  one row group in memory; the footer is written when the feed closes.
* ``csv`` (`FlatCsvItemExporter`, instead of Scrapy's, which writes the reprs of nested
  values): one column per leaf, named by its dotted path (``metadata.pages_total``); arrays
  JSON-encoded in one cell, other non-strings as JSON too (``true``, ``32``); null an empty
  cell; a header row; each row written whole.

An item that does not fit the columns (`ItemShapeError`) or a feed opened to append to an
existing file (``-o`` on a file that is there: neither format can be continued) is a failed
write of the feed: the crawl stops with one line naming the file (:mod:`docspider.writes`), and
the item is not recorded as emitted. Outside a crawl, the error is raised.
"""
from __future__ import annotations

import csv
import io
import json
import os
from abc import abstractmethod

import pyarrow as pa
import pyarrow.parquet as pq
from scrapy.exporters import BaseItemExporter

from docspider.arrowschema import ItemShapeError, arrow_schema, item_checker, leaf_columns
from docspider.output import item_data
from docspider.writes import report


class SchemaTableExporter(BaseItemExporter):
    """What the Parquet and CSV exporters share: the schema's columns, the check of each item
    against them, and failures reported as failed writes."""

    format_name = ""

    def __init__(self, file, *, crawler=None, **kwargs):
        super().__init__(**kwargs)
        if self.fields_to_export:
            raise ValueError(f"{self.format_name} feeds have the item schema's columns; "
                             "FEED_EXPORT_FIELDS / the fields feed option cannot choose them")
        self.file, self.crawler = file, crawler
        self.schema = arrow_schema()
        self.check = item_checker(self.schema)
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler, file, **kwargs):
        return cls(file, crawler=crawler, **kwargs)

    def start_exporting(self) -> None:
        if not _is_empty(self.file):
            self.fail(ValueError(f"a {self.format_name} feed cannot be appended to: replace the "
                                 "file (-O) or write a new one"))

    def export_item(self, item) -> None:
        if self.failed:
            return                      # the crawl is stopping: the feed ends here
        data = item_data(item)
        try:
            self.check(data)
        except ItemShapeError as exc:
            self.fail(ValueError(f"item {data.get('url')}: {exc}"))
            return
        self.write(data)

    @abstractmethod
    def write(self, data: dict) -> None:
        """Write an item that fits the columns."""

    def fail(self, error: Exception) -> None:
        if self.crawler is None:
            raise error
        self.failed = True
        path = getattr(self.file, "path", f"the {self.format_name} feed")   # a ConfirmedFile's
        report(self.crawler, str(path), error)


def _is_empty(file) -> bool:
    """Whether nothing is in the feed file yet (with ``-o`` it starts with the previous feed)."""
    try:
        return os.fstat(file.fileno()).st_size == 0
    except OSError:                     # io.UnsupportedOperation: an in-memory file
        return file.tell() == 0


class ParquetItemExporter(SchemaTableExporter):
    format_name = "Parquet"

    def __init__(self, file, *, row_group_size: int | None = None, crawler=None, **kwargs):
        super().__init__(file, crawler=crawler, **kwargs)
        if row_group_size is None and crawler is not None:
            row_group_size = crawler.settings.getint("DOCSPIDER_PARQUET_ROW_GROUP_SIZE")
        if not row_group_size or row_group_size < 1:
            raise ValueError("DOCSPIDER_PARQUET_ROW_GROUP_SIZE (or the row_group_size export "
                             "option) must be a whole number of 1 or more, "
                             f"not {row_group_size!r}")
        self.row_group_size = row_group_size
        self.rows: list[dict] = []
        self.writer: pq.ParquetWriter | None = None

    def start_exporting(self) -> None:
        super().start_exporting()
        if not self.failed:
            self.writer = pq.ParquetWriter(self.file, self.schema)

    def write(self, data: dict) -> None:
        self.rows.append(data)
        if len(self.rows) >= self.row_group_size:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema),
                                    row_group_size=len(self.rows))
            self.rows = []

    def finish_exporting(self) -> None:
        if self.writer is not None:
            self.flush()
            self.writer.close()         # the footer; the feed storage closes the file


class FlatCsvItemExporter(SchemaTableExporter):
    format_name = "CSV"

    def __init__(self, file, **kwargs):
        super().__init__(file, **kwargs)
        self.encoding = self.encoding or "utf-8"
        self.columns = leaf_columns(self.schema)
        self.row = io.StringIO()
        self.csv = csv.writer(self.row)

    def start_exporting(self) -> None:
        super().start_exporting()
        if not self.failed:
            self.write_row([name for name, _ in self.columns])

    def write(self, data: dict) -> None:
        self.write_row([_cell(_lookup(data, keys)) for _, keys in self.columns])

    def write_row(self, cells: list[str]) -> None:
        self.csv.writerow(cells)
        self.file.write(self.row.getvalue().encode(self.encoding))
        self.row.seek(0)
        self.row.truncate()


def _lookup(data: dict, keys: tuple[str, ...]):
    for key in keys:
        if data is None:
            return None
        data = data.get(key)
    return data


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
