"""Atomic file feeds: a feed is written as `<name>.part` and renamed into place when it closes.

A crawl that is killed leaves only the `.part` file (possibly ending in a cut line), never a
truncated `.jsonl`: consumers that read `*.jsonl` see complete feeds only.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO

from scrapy.extensions.feedexport import FileFeedStorage

PART_SUFFIX = ".part"


class AtomicFileFeedStorage(FileFeedStorage):
    def _paths(self) -> tuple[Path, Path]:
        final = Path(self.path)
        return final, final.with_name(final.name + PART_SUFFIX)

    def open(self, spider) -> IO[bytes]:
        final, part = self._paths()
        final.parent.mkdir(parents=True, exist_ok=True)
        if self.write_mode == "ab" and final.exists():
            shutil.copyfile(final, part)        # append: continue from the last complete feed
        elif part.exists():
            part.unlink()                       # a stale partial file from a killed crawl
        # Unbuffered: every item line reaches the file as it is exported, so a killed crawl's
        # part file holds all the items it emitted (docspider.incremental recovers them).
        return part.open(self.write_mode, buffering=0)

    def store(self, file: IO[bytes]) -> None:
        final, part = self._paths()
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(part, final)
