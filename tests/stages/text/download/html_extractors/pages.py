"""HTML pages for the extractor tests and the NeMo Curator interop test: name -> (language, html).

Each page is built to exercise one thing: navigation and footer boilerplate around an article, each
language the stop lists cover in a different way (jusText lists, stopwords-iso lists, non-spaced
scripts), and markup that parsers have to repair.
"""

# Non-Latin scripts and full-width punctuation are the test data here.
# ruff: noqa: RUF001

from __future__ import annotations

__all__ = ["ARTICLE", "PAGES", "page"]

ARTICLE = (
    "The river has been at the heart of the town for as long as anyone can remember, and it is still "
    "the first thing that most of the visitors want to see when they arrive here. They walk along the "
    "old stone path and stop on the bridge to look at the water as it runs down towards the sea.",
    "In the last few years the council has worked with all of the people who live along the banks to "
    "make sure that the water is clean enough for them to swim in during the summer months. It was not "
    "easy, and it took a lot longer than any of them had thought it would when they first began.",
    "Some of them were not sure at first that it would ever work, but now they say that they would not "
    "want to go back to the way things were before the work began. Their children learn to swim in the "
    "river, which is something that their own parents were never able to do when they were young.",
)

_NAV = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12))
_FOOTER = "Copyright (C) 2024 Example Media. All rights reserved. Privacy | Terms | Cookies | Contact"


def page(body: str, *, title: str = "Test page", lang: str = "en", charset: str = "utf-8") -> str:
    """A complete HTML document around ``body``."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title>'
        f"<style>body {{ margin: 0; }}</style><script>var tracking = 'do not extract me';</script>"
        f"</head><body>{body}</body></html>"
    )


def _article(paragraphs: tuple[str, ...] | list[str], *, lang: str = "en", heading: str = "News") -> str:
    ps = "".join(f"<p>{p}</p>" for p in paragraphs)
    return page(
        f"<header><nav><ul>{_NAV}</ul></nav></header><main><article><h1>{heading}</h1>{ps}</article></main>"
        f'<aside><a href="/more">More stories</a> <a href="/ads">Advertise with us</a></aside>'
        f"<footer>{_FOOTER}</footer>",
        lang=lang,
    )


def _doubled(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{p} {p}" for p in paragraphs)


_GERMAN = (
    "Der Fluss ist seit jeher das Herz der Stadt, und er ist immer noch das Erste, was die meisten "
    "Besucher sehen wollen, wenn sie ankommen.",
    "In den letzten Jahren hat der Rat mit den Menschen, die am Ufer leben, daran gearbeitet, dass das "
    "Wasser im Sommer sauber genug ist, um darin zu schwimmen.",
)
_RUSSIAN = (
    "Река всегда была сердцем города, и это до сих пор первое, что хотят увидеть большинство "
    "гостей, когда они приезжают к нам.",
    "В последние годы совет работал с людьми, которые живут на берегу, чтобы вода летом была "
    "достаточно чистой для того, чтобы в ней можно было купаться.",
)
_CHINESE = (
    "这条河一直是这个城市的中心，它仍然是大多数游客到达时最想看到的东西。我们在这里生活了很多年，也一直在保护这条河。",
    "在过去的几年里，市议会与住在河岸边的人们一起工作，以确保夏天的河水足够干净，可以在里面游泳。",
)
_JAPANESE = (
    "この川はずっと町の中心であり、今でも多くの人が最初に見たいと思う場所です。私たちはこの川を"
    "とても大切にしています。",
    "ここ数年、市は川の近くに住む人々と一緒に、夏に泳げるほど水をきれいにするために働いてきました。",
)
_THAI = (
    "แม่น้ำสายนี้เป็นหัวใจของเมืองมาตั้งแต่อดีต และยังคงเป็นสิ่งแรกที่นักท่องเที่ยวส่วนใหญ่อยากเห็นเมื่อมาถึง",
    "ในช่วงไม่กี่ปีที่ผ่านมา สภาเมืองได้ทำงานร่วมกับผู้คนที่อาศัยอยู่ริมฝั่ง เพื่อให้น้ำสะอาดพอที่จะว่ายน้ำได้ในฤดูร้อน",
)
_KOREAN = (
    "이 강은 오래전부터 도시의 중심이었고, 지금도 대부분의 방문객이 도착하면 가장 먼저 보고 싶어 하는 곳입니다.",
    "지난 몇 년 동안 시의회는 강가에 사는 사람들과 함께 "
    "여름에 수영할 수 있을 만큼 물을 깨끗하게 만들기 위해 노력했습니다.",
)

# Unclosed tags, a stray </div>, an unquoted attribute, a bare "&" and a comment left open at the end.
_BROKEN = (
    "<html><head><title>Broken</title><body><div class=main><p>" + ARTICLE[0] + "<p>" + ARTICLE[1] + " &amp & more"
    "</div></div><table><tr><td>" + ARTICLE[2] + "<li>stray item</ul><!-- never closed"
)

PAGES: dict[str, tuple[str, str]] = {
    "boilerplate_en": ("ENGLISH", _article(ARTICLE)),
    "links_only_en": ("ENGLISH", page(f"<nav><ul>{_NAV}</ul></nav><footer>{_FOOTER}</footer>")),
    # Doubled so each paragraph passes jusText's length_high (200 characters).
    "german": ("GERMAN", _article(_doubled(_GERMAN), lang="de", heading="Nachrichten")),
    "russian": ("RUSSIAN", _article(_doubled(_RUSSIAN), lang="ru", heading="Новости")),
    "chinese": ("CHINESE", _article(_CHINESE, lang="zh", heading="新闻")),
    "japanese": ("JAPANESE", _article(_JAPANESE, lang="ja", heading="ニュース")),
    "thai": ("THAI", _article(_THAI, lang="th", heading="ข่าว")),
    "korean": ("KOREAN", _article(_KOREAN, lang="ko", heading="뉴스")),
    "broken_markup_en": ("ENGLISH", _BROKEN),
    "no_body": ("ENGLISH", "<html><head><title>Only a title</title></head></html>"),
}
