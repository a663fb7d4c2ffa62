"""Figure (d): the token economy of extraction, the only model task of the pipeline.

Each request carries one passage of an article's numbered candidate sentences; the rest
is the fixed part (the instructions, and the answer's JSON schema in ``response_format``).
Sizes are in ``factsum.llm.tokens.estimate_tokens`` units (about 3 characters per token,
deliberately high): the unit the pipeline budgets with.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from factsum.ingest.readers import load_articles
from factsum.llm.structured import prepare_messages, response_format
from factsum.llm.tokens import estimate_tokens
from factsum.pipeline.extract import extraction_requests, numbered, passages
from factsum.pipeline.sentences import candidates, split_sentences
from factsum.settings import Settings


def token_economy(items: list[dict[str, str]], settings: Settings, language: str
                  ) -> dict[str, Any]:
    """Prompt tokens per extraction request against the sentences it carries, for the
    articles of ``items`` summarised in ``language``."""
    articles, _ = load_articles(items)
    mode = settings.structured_mode
    sizes: list[tuple[int, int, int]] = []  # (sentences, instructions, schema) per request
    for art in articles:
        chosen = candidates(split_sentences(art))
        requests = extraction_requests(art, chosen, settings=settings, language=language)
        # extraction_requests makes one request per passage, in passage order
        for passage, request in zip(passages(chosen), requests, strict=True):
            messages = prepare_messages(request.messages, mode, request.response_model)
            prompt = sum(estimate_tokens(m["content"]) for m in messages)
            data = estimate_tokens(numbered(passage))
            schema = estimate_tokens(json.dumps(response_format(mode, request.response_model),
                                                ensure_ascii=False))
            sizes.append((data, prompt - data, schema))
    data_sizes = [d for d, _, _ in sizes]
    instructions = round(statistics.median(i for _, i, _ in sizes))
    schema = round(statistics.median(s for _, _, s in sizes))
    return {
        "articles": len(articles),
        "extraction_requests": len(sizes),
        "requests_per_article": round(len(sizes) / max(1, len(articles)), 2),
        "median_sentence_tokens_per_request": statistics.median(data_sizes),
        "instruction_tokens_per_request": instructions,
        "schema_tokens_per_request": schema,
        "fixed_overhead_tokens_per_request": instructions + schema,
        "prompt_to_sentence_ratio": round(sum(d + i + s for d, i, s in sizes)
                                          / max(1, sum(data_sizes)), 3),
    }
