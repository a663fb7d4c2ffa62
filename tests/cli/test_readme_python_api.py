"""The README's Python API, as written there (issue 17, "Python API").

``summarize`` must work from plain code and inside a running event loop (Jupyter, an
async web handler), where ``asyncio.run`` would raise; the package's logger must not
print into its caller's program. The model is a ScriptedTransport: its answers are
test fixtures, not model output.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import subprocess
import sys
import typing
from pathlib import Path

from factsum import Settings, Summary, asummarize, summarize, to_markdown
from factsum.llm import LLMClient
from factsum.testing.scripted import ScriptedTransport

ARTICLE = Path(__file__).resolve().parents[2] / "seeds" / "002_b1fd3f752f7b45c5.txt"


def _run(settings: Settings) -> Summary:
    return summarize([ARTICLE], language="en", settings=settings,
                     llm=LLMClient(settings.llm, ScriptedTransport()), created="2020-01-09")


def test_summarize_inside_a_running_event_loop(tmp_path: Path) -> None:
    settings = Settings(model="scripted", cache_dir=tmp_path, use_cache=False)

    async def notebook_cell() -> Summary:
        asyncio.get_running_loop()  # as in Jupyter: a loop is running here
        return _run(settings)

    inside = asyncio.run(notebook_cell())
    outside = _run(settings)
    assert inside.to_json() == outside.to_json()
    assert to_markdown(inside).startswith("# ")


def test_asummarize_takes_the_same_arguments(tmp_path: Path) -> None:
    settings = Settings(model="scripted", cache_dir=tmp_path, use_cache=False)
    summary = asyncio.run(asummarize([ARTICLE], language="en", settings=settings,
                                     llm=LLMClient(settings.llm, ScriptedTransport()),
                                     created="2020-01-09"))
    assert summary.to_json() == _run(settings).to_json()


def test_the_library_logger_prints_nothing_unasked() -> None:
    assert any(isinstance(h, logging.NullHandler)
               for h in logging.getLogger("factsum").handlers)
    # In a fresh program: a library warning does not reach stderr through Python's
    # last-resort handler.
    code = ("import factsum, logging; "
            "logging.getLogger('factsum.llm.ledger').warning('ledger: no price known')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stderr == ""


def test_summarize_and_asummarize_have_one_typed_signature() -> None:
    """The first parameter is ``articles`` in both, typed (not ``object``), and the
    keyword arguments and defaults are the same."""
    sync, both = inspect.signature(summarize), inspect.signature(asummarize)
    assert list(sync.parameters) == list(both.parameters)
    assert next(iter(sync.parameters)) == "articles"
    assert [p.default for p in sync.parameters.values()] == [
        p.default for p in both.parameters.values()]
    articles = typing.get_type_hints(summarize)["articles"]
    assert typing.get_args(articles) and typing.get_args(articles)[0] is not object
