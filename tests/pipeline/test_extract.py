"""Extract: one small model task per passage of numbered sentences.

The model is the scripted transport (factsum.testing.scripted) answering with the
identity "translation" of factsum.testing.fake_answers or with hand-written answers:
all of them test fixtures, not model output. The articles are hand-written fixtures.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from factsum.errors import InvalidOutputError
from factsum.llm.client import LLMClient
from factsum.models import Article, Span
from factsum.pipeline.extract import (
    PASSAGE_CHARS,
    PASSAGE_SENTENCES,
    Restatements,
    answer_model,
    extraction_requests,
    numbered,
    passage_count,
    passages,
    restate_article,
)
from factsum.pipeline.sentences import Sentence, candidates, split_sentences
from factsum.settings import Settings
from factsum.testing.fake_answers import numbered_sentences
from factsum.testing.scripted import Answer, ScriptedTransport
from pydantic import ValidationError

TOWNS = ["Lyon", "Nantes", "Rennes", "Dijon", "Rouen", "Nancy", "Brest", "Tours", "Metz",
         "Reims", "Caen", "Amiens", "Nîmes", "Pau"]
# Fourteen candidate sentences: more than one passage.
LONG_FR = " ".join(f"Le conseil municipal de {town} a voté le budget de la commune mardi "
                   f"soir." for town in TOWNS)
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


def answer(*items: tuple[int, str]) -> Answer:
    return json.dumps({"s": [{"i": i, "t": t} for i, t in items]})


def schema_of(payload: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = payload["response_format"]["json_schema"]["schema"]
    return schema


def sentence(n: int, chars: int) -> Sentence:
    return Sentence(id=f"a:s{n}", article_id="a", number=n, span=Span(start=0, end=chars),
                    text="x" * chars, candidate=True)


def test_passages_are_consecutive_and_bounded() -> None:
    sentences = [sentence(n, 150) for n in range(1, 31)]
    runs = passages(sentences)
    assert [s for run in runs for s in run] == sentences
    assert all(len(run) <= PASSAGE_SENTENCES for run in runs)
    assert all(sum(len(s.text) for s in run) <= PASSAGE_CHARS for run in runs)
    assert len(runs) == 3  # 12 + 12 + 6
    # A sentence longer than the character bound is a passage of its own.
    assert passages([sentence(1, 100), sentence(2, PASSAGE_CHARS + 10), sentence(3, 100)]
                    ) == [[sentence(1, 100)], [sentence(2, PASSAGE_CHARS + 10)],
                          [sentence(3, 100)]]


def test_the_model_reads_numbered_sentences_on_one_line_each() -> None:
    s = Sentence(id="a:s7", article_id="a", number=7, span=Span(start=0, end=20),
                 text="Deux  lignes\nen une.", candidate=True)
    assert numbered([s, sentence(8, 3)]) == "[7] Deux lignes en une.\n[8] xxx"


def test_the_answer_model_is_narrowed_to_the_passage() -> None:
    model = answer_model((3, 4, 5))
    schema = model.model_json_schema()
    items = schema["properties"]["s"]
    assert (items["minItems"], items["maxItems"]) == (3, 3)
    assert schema["$defs"]["Restated"]["properties"]["i"]["enum"] == [3, 4, 5]
    ok = {"s": [{"i": n, "t": "x"} for n in (3, 4, 5)]}
    assert [item.i for item in model.model_validate(ok).s] == [3, 4, 5]
    with pytest.raises(ValidationError):
        model.model_validate({"s": [{"i": n, "t": "x"} for n in (3, 4, 6)]})
    with pytest.raises(ValidationError):
        model.model_validate({"s": [{"i": n, "t": "x"} for n in (3, 4)]})


def test_each_sentence_is_restated_one_item_each(tmp_path: Path) -> None:
    a = article(LONG_FR)
    shown = candidates(split_sentences(a))
    assert len(shown) == len(TOWNS) > PASSAGE_SENTENCES
    transport = ScriptedTransport()  # the identity "translation" fixture
    calls: list[None] = []
    result = restate(a, transport, tmp_path, on_passage=lambda: calls.append(None))
    # Every candidate sentence restated, tied to its own number.
    assert result.by_number == {s.number: s.text for s in shown}
    assert (result.returned, result.unknown_ids) == (len(shown), 0)
    # One call per passage, each showing that passage's sentences and allowing only
    # their numbers, one item each.
    runs = passages(shown)
    assert len(transport.payloads) == len(calls) == len(runs) == passage_count(a, shown, "en")
    for payload, run in zip(transport.payloads, runs, strict=True):
        assert numbered_sentences(payload) == [(s.number, s.text) for s in run]
        schema = schema_of(payload)
        assert schema["$defs"]["Restated"]["properties"]["i"]["enum"] == [
            s.number for s in run]
        assert schema["properties"]["s"]["minItems"] == len(run)
        assert schema["properties"]["s"]["maxItems"] == len(run)


def test_the_requests_match_what_restate_sends(tmp_path: Path) -> None:
    a = article(LONG_FR)
    shown = candidates(split_sentences(a))
    requests = extraction_requests(a, shown, settings=settings(tmp_path), language="en")
    assert len(requests) == len(passages(shown))
    assert all(r.tag.purpose == "extract" and r.tag.article_id == a.id for r in requests)
    assert all(r.max_tokens is not None and 0 < r.max_tokens <= settings(tmp_path).max_tokens
               for r in requests)


def test_an_invented_id_is_sent_back(tmp_path: Path) -> None:
    transport = ScriptedTransport([
        answer((1, "Iran sent missile batteries against two bases."), (99, "Invented.")),
        answer((1, "Iran sent missile batteries against two bases."),
               (2, "Within half an hour, 22 Iranian missiles fell on two Iraqi bases.")),
    ])
    result = restate(article(SHORT_FR), transport, tmp_path)
    assert sorted(result.by_number) == [1, 2]
    assert len(transport.payloads) == 2
    reask = transport.payloads[1]["messages"]
    assert reask[-2]["role"] == "assistant" and '"i": 99' in reask[-2]["content"]
    assert reask[-1]["role"] == "user" and "s[1].i" in reask[-1]["content"]


@pytest.mark.xfail(strict=True, raises=InvalidOutputError, reason=(
    "the narrowed answer model is also the parser, so an id outside the passage fails "
    "parsing; after the bounded re-ask the whole article is lost (InvalidOutputError) "
    "instead of the invented item being dropped and counted in unknown_ids (issue 15 "
    "§1); suggested fix: send the narrowed schema as response_format but parse with "
    "the plain ExtractionResult, let _problems report unknown ids for the re-ask, and "
    "drop and count them after it"))
def test_an_id_invented_twice_is_dropped_and_counted(tmp_path: Path) -> None:
    bad = answer((1, "Iran sent missile batteries against two bases."), (99, "Invented."))
    result = restate(article(SHORT_FR), ScriptedTransport([bad, bad]), tmp_path)
    assert result.by_number == {1: "Iran sent missile batteries against two bases."}
    assert result.unknown_ids == 1


def test_an_article_in_the_summary_language_makes_no_model_call(tmp_path: Path) -> None:
    text = ("Iran fired missiles at two bases sheltering American soldiers in Iraq. The "
            "Pentagon said  more than a dozen\nballistic missiles were launched from Iran.")
    a = article(text, language="en")
    shown = candidates(split_sentences(a))
    transport = ScriptedTransport([])  # any call fails the test
    result = restate(a, transport, tmp_path)
    assert transport.payloads == []
    assert result.by_number == {s.number: " ".join(s.text.split()) for s in shown}
    assert result.by_number[2] == ("The Pentagon said more than a dozen ballistic missiles "
                                   "were launched from Iran.")
    assert passage_count(a, shown, "en") == 0
    assert extraction_requests(a, shown, settings=settings(tmp_path), language="en") == []
