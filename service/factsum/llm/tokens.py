"""Token estimates for budgeting prompts without a tokenizer download.

Tokenizers (tiktoken, a GGUF vocabulary) are model-specific and tiktoken fetches its
tables at run time, which fails offline. Budgets only need a safe upper estimate:
BPE vocabularies average about 4 characters per token on English and fewer on
accented or non-Latin text, so we count 1 token per 3 characters, plus one per
non-ASCII character beyond that ratio's reach.
"""

from __future__ import annotations


def estimate_tokens(text: str) -> int:
    """A conservative (high) estimate of the tokens ``text`` costs."""
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))  # C speed, same count
    return (len(text) + 2) // 3 + non_ascii // 2
