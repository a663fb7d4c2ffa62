"""factsum: cited, dispute-aware fact summaries of multilingual news clusters."""

from __future__ import annotations

__version__ = "0.1.0"
