"""`scrapy segment` as users run it: a real process over real files."""
from __future__ import annotations

import shutil

import pytest

from docspider.output import schema_errors

from conftest import MIRROR_TEXT, RENRENDOC_PAGE, json_lines, run_scrapy

HTML = RENRENDOC_PAGE
MIRROR = MIRROR_TEXT


def test_writes_one_valid_item_per_file_to_stdout():
    proc = run_scrapy("segment", str(HTML), str(MIRROR))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert "社区垃圾分类".encode() in proc.stdout and b"\\u" not in proc.stdout
    items = json_lines(proc.stdout)
    assert [i["source"] for i in items] == [str(HTML), str(MIRROR)]
    for item in items:
        assert schema_errors(item) == []
        assert item["url"] is None and item["fetched_at"] is None
    html_item, mirror_item = items
    assert list(html_item) == ["schema_version", "url", "source", "site", "doc_id", "title",
                               "language", "script", "fetched_at", "metadata", "intro",
                               "excerpt", "disclaimer", "related", "content_hash", "change",
                               "mirror_of", "archive", "parts"]
    assert (html_item["change"], html_item["mirror_of"], html_item["archive"]) == (None, None, None)
    assert (html_item["site"], html_item["doc_id"]) == ("renrendoc", "301000001")  # canonical
    assert html_item["excerpt"]["truncated"] is True
    assert [p["n"] for p in html_item["excerpt"]["pages"]] == [1, 2, 3]
    assert html_item["content_hash"] == mirror_item["content_hash"]
    assert mirror_item["site"] is None and mirror_item["script"] == "traditional"


def test_bad_files_are_reported_and_the_rest_still_processed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    missing = tmp_path / "missing.txt"
    good = tmp_path / "good.txt"
    shutil.copy(MIRROR, good)
    no_pages = tmp_path / "no-pages"
    no_pages.mkdir()
    (no_pages / "cover.png").write_bytes(b"\x89PNG")
    proc = run_scrapy("segment", str(empty), str(binary), str(missing), str(no_pages), str(good))
    assert proc.returncode == 1
    errors = proc.stderr.decode().splitlines()
    assert len(errors) == 4, errors
    for path, line in zip((empty, binary, missing, no_pages), errors):
        assert line.startswith(f"segment: {path}: "), line
    items = json_lines(proc.stdout)
    assert [i["source"] for i in items] == [str(good)]


def test_gbk_page_declared_only_in_meta(tmp_path):
    page = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
            "</head><body><h1>二氧化碳的性质</h1><div>文档简介</div>"
            "<div>CO₂是一种无色无味的气体，密度比空气大，能溶于水，通入澄清石灰水中会使石灰水变浑浊。</div>"
            "</body></html>")
    path = tmp_path / "co2.html"
    path.write_bytes(page.encode("gb18030"))      # `₂` needs gb18030; strict gbk rejects it
    proc = run_scrapy("segment", str(path))
    assert proc.returncode == 0, proc.stderr
    (item,) = json_lines(proc.stdout)
    assert item["title"] == "二氧化碳的性质"
    assert item["excerpt"]["text"].startswith("CO₂是一种无色无味的气体")


def test_output_file_option(tmp_path):
    out = tmp_path / "items.jsonl"
    out.write_text("old content\n", encoding="utf-8")
    proc = run_scrapy("segment", str(MIRROR), "-O", str(out))
    assert proc.returncode == 0 and proc.stdout == b""
    assert [i["source"] for i in json_lines(out.read_bytes())] == [str(MIRROR)]
    proc = run_scrapy("segment", str(HTML), "-o", str(out))
    assert [i["source"] for i in json_lines(out.read_bytes())] == [str(MIRROR), str(HTML)]
    assert [p.name for p in tmp_path.iterdir()] == ["items.jsonl"]     # no temporary left


def test_no_arguments_is_a_usage_error():
    proc = run_scrapy("segment")
    assert proc.returncode == 2
    assert b"give at least one" in proc.stderr


def test_pages_holding_no_document_give_no_item_and_a_reason(tmp_path):
    wall = tmp_path / "wall.html"
    wall.write_text("<html><head><title>安全验证</title></head><body><h1>请完成安全验证</h1>"
                    "<p>拖动滑块完成拼图</p></body></html>", encoding="utf-8")
    filler = tmp_path / "filler.txt"
    filler.write_text("文档简介\n" + "蒄蚄袀膇莀蚃羂羀芆螁蚈蒆" * 60 + "\n", encoding="utf-8")
    proc = run_scrapy("segment", str(wall), str(filler), str(HTML))
    assert proc.returncode == 0
    assert [i["source"] for i in json_lines(proc.stdout)] == [str(HTML)]
    assert proc.stderr.decode().splitlines() == [
        f"segment: {wall}: not_a_document: a captcha page",
        f"segment: {filler}: not_a_document: a filler repeating a few characters (3% distinct)"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_folders_are_segmented_recursively_in_path_order(tmp_path, jobs):
    folder = tmp_path / "saved"
    (folder / "b" / "deep").mkdir(parents=True)
    shutil.copy(HTML, folder / "b" / "deep" / "page.html")
    shutil.copy(MIRROR, folder / "a.txt")
    (folder / "b" / "notes.md").write_text("not a page", encoding="utf-8")
    proc = run_scrapy("segment", str(folder), str(MIRROR), "--jobs", jobs)
    assert proc.returncode == 0, proc.stderr.decode()
    assert [item["source"] for item in json_lines(proc.stdout)] == [
        str(folder / "a.txt"), str(folder / "b" / "deep" / "page.html"), str(MIRROR)]
