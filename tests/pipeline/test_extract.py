"""Extract: one small model task per sentence.

The model is the scripted transport (factsum.testing.scripted) answering with the
identity "translation" of factsum.testing.fake_answers or with hand-written answers:
all of them test fixtures, not model output. The articles are hand-written fixtures.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from factsum.llm.client import LLMClient
from factsum.models import Article
from factsum.pipeline.extract import Restatements, extraction_requests, restate_article
from factsum.pipeline.sentences import candidates, split_sentences
from factsum.settings import Settings
from factsum.testing.fake_answers import answer_for, sentence_text
from factsum.testing.scripted import ScriptedTransport

SHORT_FR = ("L'Iran a envoyé plusieurs batteries de missiles contre les bases d'Aïn "
            "al-Assad et d'Erbil en Irak. En l'espace d'une demi-heure, 22 missiles "
            "iraniens se sont abattus sur deux bases irakiennes.")


def article(text: str, language: str = "fr", ident: str = "fx1") -> Article:
    return Article(id=ident, text=text, source=f"{ident}.txt", language=language)


def settings(tmp_path: Path) -> Settings:
    return Settings(model="scripted", cache_dir=tmp_path, use_cache=False)


def restate(a: Article, transport: ScriptedTransport, tmp_path: Path,
            language: str = "en", **kw: Any) -> Restatements:
    conf = settings(tmp_path)
    return asyncio.run(restate_article(a, candidates(split_sentences(a)),
                                       llm=LLMClient(conf.llm, transport), settings=conf,
                                       language=language, **kw))


def test_each_sentence_is_one_request_and_keeps_its_number(tmp_path: Path) -> None:
    a = article(SHORT_FR)
    shown = candidates(split_sentences(a))
    calls: list[None] = []
    transport = ScriptedTransport()
    result = restate(a, transport, tmp_path, on_answer=lambda: calls.append(None))
    assert len(transport.payloads) == len(calls) == len(shown) == 2
    assert sorted(sentence_text(p) for p in transport.payloads) == sorted(
        " ".join(s.text.split()) for s in shown)
    assert result.by_number == {s.number: " ".join(s.text.split()) for s in shown}


def test_the_answer_is_one_statement_and_the_budget_follows_the_sentence(
        tmp_path: Path) -> None:
    a = article(SHORT_FR)
    shown = candidates(split_sentences(a))
    requests = extraction_requests(a, shown, settings=settings(tmp_path), language="en")
    schema = requests[0].response_model.model_json_schema()
    assert list(schema["properties"]) == ["t"]
    assert all(r.max_tokens is not None and r.max_tokens < 200 for r in requests)
    assert requests[0].max_tokens != requests[1].max_tokens  # longer sentence, more room


def test_an_empty_answer_is_asked_again_once(tmp_path: Path) -> None:
    answers = iter([json.dumps({"t": ""})])

    def handler(payload: dict[str, Any]) -> str:
        first = not any(m["role"] == "assistant" for m in payload["messages"])
        return next(answers, answer_for(payload)) if first else answer_for(payload)

    transport = ScriptedTransport(handler)
    result = restate(article(SHORT_FR), transport, tmp_path)
    reasks = [p for p in transport.payloads
              if any(m["role"] == "assistant" for m in p["messages"])]
    assert len(reasks) == 1 and "empty" in reasks[0]["messages"][-1]["content"]
    assert len(result.by_number) == 2


def test_an_article_in_the_summary_language_makes_no_model_call(tmp_path: Path) -> None:
    a = article("The council voted the town's budget on Tuesday evening after a long "
                "debate. The mayor said the vote was a relief for the whole team.", "en")
    shown = candidates(split_sentences(a))
    transport = ScriptedTransport([])
    result = restate(a, transport, tmp_path)
    assert transport.payloads == []
    assert result.by_number == {s.number: " ".join(s.text.split()) for s in shown}
    assert extraction_requests(a, shown, settings=settings(tmp_path), language="en") == []

