"""`scrapy genspider [-t TEMPLATE] NAME DOMAIN`: the project's templates first, then Scrapy's.

A template is looked up in the project's ``TEMPLATES_DIR`` (docspider/templates/spiders:
``docsite``, a document spider, docs/adding-a-site.md), then among Scrapy's own templates
(``basic``, ``crawl``, ``csvfeed``, ``xmlfeed``); a project template of the same name wins.
Without ``-t`` the spider is a document spider (``docsite``): that is what a spider of this
project is; ``-t basic`` writes a plain Scrapy spider. ``--list`` shows both folders' templates.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import scrapy
from scrapy.commands.genspider import Command as ScrapyGenspiderCommand

DEFAULT_TEMPLATE = "docsite"
SCRAPY_TEMPLATES = Path(scrapy.__path__[0], "templates", "spiders")


class Command(ScrapyGenspiderCommand):
    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.set_defaults(template=DEFAULT_TEMPLATE)

    @property
    def templates_dir(self) -> str:
        """Scrapy's own templates: Scrapy's lookup, after the project's (`_find_template`)."""
        return str(SCRAPY_TEMPLATES)

    @property
    def project_templates_dir(self) -> Path | None:
        folder = self.settings["TEMPLATES_DIR"]
        return Path(folder, "spiders") if folder else None

    def _find_template(self, template: str) -> Path | None:
        filename = template if template.endswith(".tmpl") else f"{template}.tmpl"
        folder = self.project_templates_dir
        if folder and (folder / filename).is_file():
            return folder / filename
        return super()._find_template(template)

    def _list_templates(self) -> None:
        folders = [self.project_templates_dir, SCRAPY_TEMPLATES]
        names = dict.fromkeys(file.stem for folder in folders if folder and folder.is_dir()
                              for file in sorted(folder.iterdir()) if file.suffix == ".tmpl")
        print("Available templates:")
        for name in names:
            print(f"  {name}{' (default)' if name == DEFAULT_TEMPLATE else ''}")
