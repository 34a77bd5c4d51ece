"""Tiny Wikipedia dumps made in the test: multistream ``.xml.bz2`` files and a dump site around them.

``write_site`` lays out what dumps.wikimedia.org serves for one wiki: ``<lang>wiki/index.html``
(links to the dump dates, as Wikimedia's index page has them) and per date a ``dumpstatus.json``
whose ``articlesmultistreamdump`` job lists the XML files (and an index file, which is not XML).
"""

from __future__ import annotations

import bz2
import json
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["ARTICLES", "Page", "write_dump", "write_site"]

_NS = "http://www.mediawiki.org/xml/export-0.10/"


@dataclass(frozen=True)
class Page:
    title: str
    text: str | None
    ns: str = "0"
    page_id: str | None = "1"
    redirect: str | None = None


def _page_xml(page: Page) -> str:
    parts = [f"<title>{escape(page.title)}</title>" if page.title else "", f"<ns>{page.ns}</ns>"]
    if page.page_id is not None:
        parts.append(f"<id>{page.page_id}</id>")
    if page.redirect is not None:
        parts.append(f'<redirect title="{escape(page.redirect)}" />')
    revision = "<revision><id>9</id>"
    if page.text is not None:
        revision += f'<text bytes="{len(page.text)}" xml:space="preserve">{escape(page.text)}</text>'
    return "<page>" + "".join(parts) + revision + "</revision></page>\n"


def write_dump(path: Path, pages: list[Page], *, pages_per_stream: int = 2) -> Path:
    """A multistream dump: the header, each group of pages and the footer are separate bz2 streams."""
    header = (
        f'<mediawiki xmlns="{_NS}" version="0.10" xml:lang="en"><siteinfo><sitename>Wikipedia</sitename>'
        '<namespaces><namespace key="6" case="first-letter">File</namespace>'
        '<namespace key="14" case="first-letter">Category</namespace></namespaces></siteinfo>\n'
    )
    streams = [header] + [
        "".join(_page_xml(p) for p in pages[i : i + pages_per_stream]) for i in range(0, len(pages), pages_per_stream)
    ]
    streams.append("</mediawiki>\n")
    path.write_bytes(b"".join(bz2.compress(s.encode("utf-8")) for s in streams))
    return path


def write_site(root: Path, language: str, dumps: dict[str, str], files: dict[str, list[Page]]) -> Path:
    """The dump site of ``<language>wiki`` under ``root``; ``dumps`` maps date -> job status.

    Every date whose status is ``"done"`` gets the ``files`` (name -> pages); a status of
    ``"missing"`` leaves out its ``dumpstatus.json`` and ``"garbled"`` writes one that is not JSON.
    """
    wiki = root / f"{language}wiki"
    wiki.mkdir(parents=True)
    links = "".join(f'<a href="{d}/">{d}/</a>\n' for d in sorted(dumps)) + '<a href="latest/">latest/</a>'
    (wiki / "index.html").write_text(f"<html><body><h1>Index of /{language}wiki/</h1><pre>{links}</pre></body></html>")
    for date, status in dumps.items():
        folder = wiki / date
        folder.mkdir()
        if status == "missing":
            continue
        if status == "garbled":
            (folder / "dumpstatus.json").write_text("{not json")
            continue
        names = {f"{language}wiki-{date}-{name}": pages for name, pages in files.items()}
        listing = {name: {"size": 1, "url": f"/{language}wiki/{date}/{name}"} for name in names}
        listing[f"{language}wiki-{date}-pages-articles-multistream-index1.txt-p1p9.bz2"] = {"size": 1}
        job = {"status": status, "files": listing if status == "done" else {}}
        (folder / "dumpstatus.json").write_text(json.dumps({"jobs": {"articlesmultistreamdump": job}}))
        if status == "done":
            for name, pages in names.items():
                write_dump(folder / name, pages)
    return wiki


ARTICLES = [
    Page(
        "Alan Turing",
        "'''Alan Turing''' was a mathematician.<ref>A source</ref> __NOTOC__\n"
        "[[File:Turing.jpg|thumb|A photo of Turing]]\n"
        "He worked on {{lang|de|Entscheidungsproblem}} and [[computability|computable numbers]].\n\n"
        "== Life ==\nHe was born in [[London]].\n"
        '{| class="wikitable"\n| 1912 || born\n|}\n'
        "[[Category:Mathematicians]]",
        page_id="10",
    ),
    Page("Talk:Alan Turing", "A talk page.", ns="1", page_id="11"),
    Page("Turing", None, page_id="12", redirect="Alan Turing"),
    Page("Empty page", None, page_id="13"),
    Page("No id", "This page has no id.", page_id=None),
    Page(
        "Ada Lovelace",
        "'''Ada Lovelace''' wrote the first program & notes.\n\n== Work ==\nOn the engine.",
        page_id="14",
    ),
]
