"""Shared test helpers: fixture paths, the optional ../shared reference folder, and running
real `scrapy` commands in a subprocess from the project root."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = FIXTURES / "site"           # pages under their real URLs: SITE/<host>/<path>
RENRENDOC_PAGE = SITE / "www.renrendoc.com" / "paper" / "301000001.html"
MIRROR_TEXT = FIXTURES / "pages" / "bubsandbeans-paper-301000001.txt"   # its traditional mirror
PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
SHARED = Path(os.environ.get("DOCSPIDER_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def shared_dir() -> Path:
    """../shared (reference material); tests that need it skip cleanly when it is absent."""
    if not (SHARED / "corpus" / "dev").is_dir():
        pytest.skip(f"reference folder {SHARED} not present")
    return SHARED


def run_scrapy(*args: str, cwd: Path = ROOT, timeout: int = 300,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `scrapy ARGS` with this interpreter, as a user would from the project root.
    Proxy variables are cleared unless given in ``env``."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in PROXY_VARIABLES and k != "SCRAPY_SETTINGS_MODULE"} | (env or {})
    env["PYTHONWARNINGS"] = "error::DeprecationWarning"
    return subprocess.run([sys.executable, "-m", "scrapy.cmdline", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=timeout)


def json_lines(data: bytes) -> list[dict]:
    """Parse JSONL strictly: UTF-8, one object per line, a newline after the last one."""
    text = data.decode("utf-8")
    assert text == "" or text.endswith("\n"), "last line is not terminated"
    return [json.loads(line) for line in text.splitlines()]
