"""A miniature Common Crawl on disk, for a loopback server: index, path lists and WARC files.

The pages are the HTML extractor tests' pages (boilerplate-heavy English, German, Russian,
Japanese, Thai, Korean, Chinese, broken markup, no body) plus pages in legacy charsets (cp1252
French, Shift-JIS Japanese) and a huge page, spread over ``files`` WARC files of one snapshot.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.stages.text.download.html_extractors.pages import ARTICLE, PAGES, page
from tests.stages.text.download.warc_files import Page, write_warc

__all__ = ["SNAPSHOT", "crawl_pages", "write_crawl"]

SNAPSHOT = "CC-MAIN-2024-10"

_FRENCH = (
    "La rivière est depuis toujours le cœur de la ville, et c'est encore la première chose que la plupart "
    "des visiteurs veulent voir quand ils arrivent ici. Ils marchent le long du vieux chemin de pierre.",
    "Ces dernières années, le conseil a travaillé avec tous les habitants des berges pour que l'eau soit "
    "assez propre pour s'y baigner pendant les mois d'été. Ce n'était pas facile, et cela a pris du temps.",
)


def crawl_pages(huge_paragraphs: int = 4000) -> list[Page]:
    """The crawled pages: one per test page, in UTF-8 unless a legacy charset is the point."""
    pages = [Page(f"https://example.com/{name}", html.encode("utf-8")) for name, (_lang, html) in PAGES.items()]
    french = page("".join(f"<p>{p}</p>" for p in _FRENCH * 2), lang="fr", charset="windows-1252")
    pages.append(Page("https://example.fr/cp1252", french.encode("cp1252"), "text/html; charset=windows-1252"))
    japanese = PAGES["japanese"][1].replace('charset="utf-8"', 'charset="shift_jis"')
    pages.append(Page("https://example.jp/shift_jis", japanese.encode("shift_jis"), "text/html; charset=shift_jis"))
    huge = page("".join(f"<p>{ARTICLE[i % 3]}</p>" for i in range(huge_paragraphs)))
    pages.append(Page("https://example.com/huge", huge.encode("utf-8")))
    return pages


def write_crawl(root: Path, pages: list[Page], files: int = 2) -> list[str]:
    """Write ``collinfo.json``, the snapshot's ``warc.paths.gz`` and its WARC files; their paths."""
    (root / "collinfo.json").write_text(json.dumps([{"id": "CC-MAIN-2024-18"}, {"id": SNAPSHOT}]))
    paths = [f"crawl-data/{SNAPSHOT}/segments/1/warc/{SNAPSHOT}-{i:05d}.warc.gz" for i in range(files)]
    for i, rel in enumerate(paths):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        write_warc(root / rel, pages[i::files])
    listing = root / "crawl-data" / SNAPSHOT / "warc.paths.gz"
    listing.write_bytes(gzip.compress("".join(p + "\n" for p in paths).encode()))
    other = root / "crawl-data" / "CC-MAIN-2024-18" / "warc.paths.gz"  # outside the tests' range
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_bytes(gzip.compress(b"crawl-data/CC-MAIN-2024-18/never.warc.gz\n"))
    return paths
