"""``python -m bench.prompt_compare``: the same sentences through two prompts, blind.

The model is the scripted transport answering with hand-written "translations" (test
fixtures, not model output): one for the prompt whose user message asks for a close
translation, another for the rest.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from factsum.llm.client import LLMClient
from factsum.prompt_templates import load_prompt
from factsum.settings import Settings
from factsum.testing.fake_answers import sentence_text
from factsum.testing.scripted import ScriptedTransport

from bench.prompt_compare import blind, sample_sentences, translate

REPO = Path(__file__).resolve().parents[2]


def test_the_sample_is_seeded_and_never_english() -> None:
    first, again = sample_sentences(8), sample_sentences(8)
    assert [s.id for _, s in first] == [s.id for _, s in again]
    assert len(first) == 8 and all(a.language != "en" for a, _ in first)


def test_only_differing_translations_are_shown_and_the_key_says_which_is_which(
        tmp_path: Path) -> None:
    sentences = sample_sentences(4)
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    text = (REPO / "prompts" / "extract.v8.txt").read_text(encoding="utf-8")
    (old_dir / "extract.v7.txt").write_text(
        text.replace(", closely and completely:", ":"), encoding="utf-8")
    old, new = load_prompt("extract", old_dir), load_prompt("extract", REPO / "prompts")

    def handler(payload: dict[str, Any]) -> str:
        user = payload["messages"][-1]["content"]
        same = sentence_text(payload).startswith(sentences[0][1].text[:20])
        word = "close" if "closely" in user and not same else "loose"
        return json.dumps({"t": f"A {word} translation of {len(sentence_text(payload))}."})

    conf = Settings(model="scripted", cache_dir=tmp_path, use_cache=False)
    llm = LLMClient(conf.llm, ScriptedTransport(handler))
    old_out = asyncio.run(translate(llm, old, conf, sentences))
    new_out = asyncio.run(translate(llm, new, conf, sentences))
    markdown, key = blind(sentences, old_out, new_out)
    assert len(key) == 3  # the first sentence is translated alike by both
    assert markdown.count("\nSRC: ") == 3
    for number, which in key.items():
        section = markdown.split(f"## {number} ")[1].split("\n## ")[0]
        x = section.split("X: ")[1].split("\n")[0]
        assert ("close" in x) is (which == "X=new")
