"""How a reader knows each article: a short label, unique within one summary.

The Markdown names an article in every footnote and dispute row, and the disputes name
an outlet when no speaker is given, so the label must be short, readable and never
shared by two articles. In order of preference:
- the outlets that published it ("BFMTV", "Le Monde, AFP");
- the host of its URL ("bfmtv.com");
- its file name without the folder, the extension or a hash ("01_wire_en" for
  ``01_wire_en.txt``, "report" for ``report_bb9dec6c1607f279.txt``);
- "Article 3" when nothing readable is left (``001_bb9dec6c1607f279.txt``, a text given
  as a Python ``str``, named ``item-2``): the articles without a name are numbered in
  order, 1, 2, 3, with no gaps.
Labels that coincide (two articles from one outlet, ignoring case) are numbered:
"AFP (1)", "AFP (2)". The file name itself stays in the Sources list of the Markdown,
once, so a point can be traced to its file.

Pure functions of the articles and the summary language: the pipeline (dispute
positions) and the renderer (footnotes, tables) compute the same labels independently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

__all__ = ["MAX_LABEL_CHARS", "Labelled", "readable_name", "source_labels"]

MAX_LABEL_CHARS = 60

# "Article 3" in the summary language (English otherwise).
_ARTICLE_WORD = {
    "en": "Article", "fr": "Article", "de": "Artikel", "es": "Artículo", "it": "Articolo",
    "pt": "Artigo", "nl": "Artikel",
}


class Labelled(Protocol):
    """What a label is made from: an ``Article`` or an ``ArticleRef``."""

    @property
    def outlets(self) -> Sequence[str]: ...

    @property
    def source(self) -> str: ...

    @property
    def url(self) -> str | None: ...


def source_labels(articles: Sequence[Labelled], language: str = "en") -> list[str]:
    """One label per article, in order; no two equal, even ignoring case."""
    word = _ARTICLE_WORD.get(language.split("-")[0], _ARTICLE_WORD["en"])
    own = [_own_label(a) for a in articles]
    numbers = iter(range(1, len(articles) + 1))
    return _disambiguated([label or f"{word} {next(numbers)}" for label in own])


def readable_name(source: str) -> str | None:
    """A file name (or record label) without its extension and hash, or None when no
    letter is left (``001_bb9dec6c1607f279.txt``, ``item-2``).

    A merged article's source names every copy (``a.txt, b.txt``): each is shortened.
    """
    names = [n for n in map(_readable_part, source.split(", ")) if n]
    return _clean(", ".join(dict.fromkeys(names))) or None


def _own_label(article: Labelled) -> str | None:
    outlets = [name for name in map(_clean, article.outlets) if name]
    if outlets:
        return _shortened(", ".join(dict.fromkeys(outlets)))
    host = _host(article.url)
    if host:
        return host
    name = readable_name(article.source)
    return _shortened(name) if name else None


def _host(url: str | None) -> str | None:
    """The host of an http(s) URL, without "www." ("bfmtv.com"), or None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    host = host.removeprefix("www.")
    return _clean(host) if re.fullmatch(r"[a-z0-9.-]+", host) and "." in host else None


_EXTENSION = re.compile(r"\.(?:txt|md|markdown|html?|jsonl)(?=(?::\d+)?$)", re.IGNORECASE)
# A uuid, a hex run of 8 or more with a digit and a letter (a content hash), or a run of
# 10 or more digits (a timestamp, a numeric id), with the separator before it.
_HASH = re.compile(
    r"(?:^|[-_. ])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=$|[-_. :])"
    r"|(?:^|[-_. ])(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?=$|[-_. :])"
    r"|(?:^|[-_. ])[0-9]{10,}(?=$|[-_. :])",
    re.IGNORECASE,
)
_GENERATED = re.compile(r"item-\d+")  # what ingest calls a str, bytes or record input


def _readable_part(source: str) -> str | None:
    name = PurePosixPath(source.replace("\\", "/")).name or source
    if _GENERATED.fullmatch(name):
        return None
    name = _EXTENSION.sub("", name)
    name = _HASH.sub("", name).strip("-_. ")
    return name if any(ch.isalpha() for ch in name) else None


# C0 and C1 controls that survive whitespace folding: shown as U+FFFD, as the Markdown
# escaping does, so two labels that differ only there still read differently.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    """One line, single spaces, no control characters: a label reads as it is written
    (the renderer's escaping then keeps distinct labels distinct)."""
    return _CONTROLS.sub("\ufffd", " ".join(text.split()))


def _shortened(label: str) -> str:
    if len(label) <= MAX_LABEL_CHARS:
        return label
    return label[:MAX_LABEL_CHARS - 1].rstrip() + "…"


def _disambiguated(labels: list[str]) -> list[str]:
    """Number the labels that coincide (ignoring case), keeping every label unique."""
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label.casefold(), []).append(i)
    taken = {label.casefold() for label in labels}
    out = list(labels)
    for members in groups.values():
        if len(members) == 1:
            continue
        n = 0
        for i in members:
            n += 1
            while (candidate := f"{labels[i]} ({n})").casefold() in taken:
                n += 1
            taken.add(candidate.casefold())
            out[i] = candidate
    return out
