"""Issue 17, "Markup to keep": the summaries render correctly as GitHub-flavoured Markdown.

The committed examples (examples/**/summary.md) and a rendered HAND-WRITTEN TEST FIXTURE
(tests/render/summary_fixtures.py) are parsed and rendered to HTML with markdown-it-py
set up as GitHub renders Markdown (tables, strikethrough, footnotes, extended autolinks;
tests/render/gfm_reader.py): every footnote resolves, every table line is a table row
with its cells intact, and there is no raw HTML. Examples whose summary.json still has an
older Summary layout are checked for markup only; the rest are also checked against the
renderer and for jargon.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factsum.models import Summary
from factsum.render.markdown import render_markdown
from gfm_reader import check_gfm, footnotes, gfm, headings, references, table_rows
from pydantic import ValidationError
from summary_fixtures import reference_summary

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("**/summary.md"))
# Every tag the HTML of a summary may contain: the template's structure and what the
# footnote plugin adds (sup, section, ol, hr). Anything else came from raw HTML.
TEMPLATE_TAGS = {"h1", "h2", "p", "ul", "ol", "li", "em", "a", "sup", "hr", "section",
                 "table", "thead", "tbody", "tr", "th", "td"}
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


def assert_renders_on_github(markdown: str) -> None:
    """Footnotes resolve, tables render, no raw HTML: in the tokens and in the HTML."""
    tokens = check_gfm(markdown)
    assert [tag for tag, _ in headings(tokens)].count("h1") == 1
    html = gfm().render(markdown)
    assert set(_TAG.findall(html)) <= TEMPLATE_TAGS, set(_TAG.findall(html)) - TEMPLATE_TAGS
    # One note per cited label, one link per reference, one link back per reference.
    assert html.count('class="footnote-item"') == len(set(references(tokens)))
    assert html.count('class="footnote-item"') == len(footnotes(tokens))
    assert html.count('class="footnote-ref"') == len(references(tokens))
    assert html.count('class="footnote-backref"') == len(references(tokens))
    if table_rows(tokens):
        assert html.count("<table>") == 1


def example_summary(folder: Path) -> Summary | None:
    """The example's Summary, or None when its JSON predates the current model."""
    try:
        return Summary.model_validate_json((folder / "summary.json").read_text("utf-8"))
    except (FileNotFoundError, ValidationError):
        return None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_committed_example_renders_on_github(path: Path) -> None:
    assert_renders_on_github(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_committed_example_is_the_rendered_summary(path: Path) -> None:
    summary = example_summary(path.parent)
    if summary is None:
        pytest.skip(f"{path.parent.name}/summary.json has an older Summary layout: "
                    "re-recorded by tests/pipeline/test_recorded_events.py")
    markdown = path.read_text(encoding="utf-8")
    assert render_markdown(summary) == markdown
    for jargon in ("chars ", "fuzzy match", "figure read in code", "date read in code"):
        assert jargon not in markdown, jargon


@pytest.mark.parametrize("language", ["en", "fr"])
def test_rendered_fixture_renders_on_github(language: str) -> None:
    markdown = render_markdown(reference_summary(language))
    assert_renders_on_github(markdown)
    html = gfm().render(markdown)
    assert html.count("<table>") == 1 and html.count('class="footnote-item"') == 8
