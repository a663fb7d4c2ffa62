"""Figure (d): the token economy of extraction, the only model task of the pipeline.

The requests that restate an article's candidate sentences carry those sentences; the
rest of each prompt is fixed: the instructions, and the answer's JSON schema in
``response_format``. Sizes are in ``factsum.llm.tokens.estimate_tokens`` units (about 3
characters per token, deliberately high): the unit the pipeline budgets with.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from factsum.ingest.readers import load_articles
from factsum.llm.structured import prepare_messages, response_format
from factsum.llm.tokens import estimate_tokens
from factsum.pipeline.extract import extraction_requests
from factsum.pipeline.sentences import candidates, split_sentences
from factsum.settings import Settings
from pydantic import BaseModel


def token_economy(items: list[dict[str, str]], settings: Settings, language: str
                  ) -> dict[str, Any]:
    """Prompt tokens of the extraction requests against the candidate sentences they
    carry, for the articles of ``items`` summarised in ``language``."""
    articles, _ = load_articles(items)
    mode = settings.structured_mode
    messages_tokens: list[int] = []
    schema_tokens: list[int] = []
    sentence_tokens = 0
    for art in articles:
        chosen = candidates(split_sentences(art))
        requests = extraction_requests(art, chosen, settings=settings, language=language)
        if requests:
            sentence_tokens += sum(estimate_tokens(s.text) for s in chosen)
        for request in requests:
            model: type[BaseModel] = request.response_model
            messages = prepare_messages(request.messages, mode, model)
            messages_tokens.append(sum(estimate_tokens(m["content"]) for m in messages))
            schema_tokens.append(estimate_tokens(json.dumps(response_format(mode, model),
                                                            ensure_ascii=False)))
    prompt = sum(messages_tokens) + sum(schema_tokens)
    return {
        "articles": len(articles),
        "extraction_requests": len(messages_tokens),
        "requests_per_article": round(len(messages_tokens) / max(1, len(articles)), 2),
        "median_messages_tokens_per_request": statistics.median(messages_tokens or [0]),
        "schema_tokens_per_request": statistics.median(schema_tokens or [0]),
        "prompt_tokens": prompt,
        "sentence_tokens": sentence_tokens,
        "prompt_to_sentence_ratio": round(prompt / max(1, sentence_tokens), 3),
    }
