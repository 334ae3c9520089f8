"""`docspider`: docspider's own commands from any directory, with no Scrapy project around.

    docspider segment PATH|FOLDER ... [--jobs N] [-O FILE]
    docspider reparse WARC ... [-O FILE]
    docspider report [RUN.json ...] [-o FILE]
    docspider demo

Each is the `scrapy` command of that name run with docspider's settings, whatever the current
directory holds (another project's scrapy.cfg included). Relative paths, the default
``output/`` folders among them, are under the current directory.
"""
from __future__ import annotations

import os
import sys

from scrapy.cmdline import execute
from scrapy.settings import Settings

COMMANDS = {
    "segment": "segment saved pages (.txt, .html, folders of them) into JSON lines",
    "reparse": "rebuild items from archived pages (WARC files), with no network",
    "report": "write the HTML report of run records",
    "demo": "crawl the bundled demo site on 127.0.0.1 and summarise it",
}
SETTINGS_MODULE = "docspider.settings"


def usage() -> str:
    width = max(map(len, COMMANDS))
    return "\n".join(["usage: docspider COMMAND [options] [args]", "", "commands:",
                      *(f"  {name:<{width}}  {what}" for name, what in COMMANDS.items()),
                      "", "docspider COMMAND -h: the options of a command"])


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if args else sys.stderr)
        sys.exit(0 if args else 2)
    if args[0] not in COMMANDS:
        print(f"docspider: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        sys.exit(2)
    # the project is docspider wherever this runs: Scrapy reads the variable to tell whether
    # it is in a project, and the settings are given, not looked up from a scrapy.cfg
    os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    execute(["docspider", *args], settings=settings)
