"""factsum: cited, dispute-aware fact summaries of multilingual news clusters.

The public surface is small: :func:`summarize` (sync) and its async core
:func:`asummarize`, :class:`Settings`, the output model :class:`Summary`, and the
exception tree rooted at :class:`FactsumError`.
"""

from __future__ import annotations

__version__ = "0.2.0"

from service.errors import FactsumError
from service.models import Summary
from service.pipeline import asummarize, summarize
from service.settings import Settings

__all__ = ["FactsumError", "Settings", "Summary", "__version__", "asummarize", "summarize"]
