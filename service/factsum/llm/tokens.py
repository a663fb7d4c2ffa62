"""Token estimates for budgeting prompts without a tokenizer download.

Tokenizers (tiktoken, a GGUF vocabulary) are model-specific and tiktoken fetches its
tables at run time, which fails offline. Budgets only need a safe upper estimate:
BPE vocabularies average about 4 characters per token on English and fewer on
accented or non-Latin text, so we count 1 token per 3 characters, plus one per
non-ASCII character beyond that ratio's reach.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def estimate_tokens(text: str) -> int:
    """A conservative (high) estimate of the tokens ``text`` costs."""
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))  # C speed, same count
    return (len(text) + 2) // 3 + non_ascii // 2


def estimate_prompt_tokens(payload: Mapping[str, Any]) -> int:
    """A conservative estimate of the prompt tokens of a chat-completion body.

    Counts its messages and its response format (servers count the schema as prompt)
    as JSON text with non-ASCII escaped: the keys, quotes and role names outweigh the
    few tokens of chat framing per message, and each non-ASCII character counts 2.
    """
    return estimate_tokens(json.dumps([payload.get("messages"), payload.get("response_format")]))
