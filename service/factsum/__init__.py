"""factsum: cited, dispute-aware fact summaries of multilingual news clusters.

The public surface is small: :func:`summarize` (sync) and its async twin
:func:`asummarize`, :class:`Settings`, the output model :class:`Summary` with
:func:`to_markdown`, and the exception tree rooted at :class:`FactsumError`.

The stages follow the data flow, one subpackage each: ``factsum.ingest`` (files to
clean articles), ``factsum.pipeline`` (extract, verify, reconcile, disputes,
independence), ``factsum.render`` (Markdown), ``factsum.llm`` (the model layer, which
imports nothing of the application), ``factsum.batch`` (the nightly job and the Batch
API), ``factsum.localmodel`` (the embedded model server) and ``factsum.testing`` (the
fake model server and scripted transport used by the tests and the bench).

Importing ``factsum`` is cheap: the names below are loaded on first use, so
``import factsum.llm`` does not pull in the pipeline.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from factsum.version import __version__

if TYPE_CHECKING:
    from factsum.errors import FactsumError
    from factsum.models import Summary
    from factsum.pipeline.run import asummarize, summarize
    from factsum.render.markdown import render_markdown as to_markdown
    from factsum.settings import Settings

# A library does not print its warnings into its caller's program unless asked to.
logging.getLogger("factsum").addHandler(logging.NullHandler())

_LAZY = {
    "FactsumError": ("factsum.errors", "FactsumError"),
    "Settings": ("factsum.settings", "Settings"),
    "Summary": ("factsum.models", "Summary"),
    "asummarize": ("factsum.pipeline.run", "asummarize"),
    "summarize": ("factsum.pipeline.run", "summarize"),
    "to_markdown": ("factsum.render.markdown", "render_markdown"),
}

__all__ = ["FactsumError", "Settings", "Summary", "__version__", "asummarize", "summarize",
           "to_markdown"]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'factsum' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
