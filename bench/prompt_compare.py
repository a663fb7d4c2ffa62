"""``python -m bench.prompt_compare OLD_DIR NEW_DIR OUT``: two versions of the extract
prompt on the same sentences, written out for a blind comparison by a reviewer.

OLD_DIR and NEW_DIR each hold an ``extract.v<N>.txt`` (for instance
``git show <rev>:prompts/extract.v7.txt > old/extract.v7.txt`` and ``prompts/``). The
sentences are a seeded sample of the candidate sentences of every article not in English
in the evaluation set and the seeds. Both prompts go through the pipeline's own client
(no cache) to the configured endpoint, else the embedded model server.

OUT/blind.md lists, for each sentence the two prompts translate differently, the source
and the two translations as X and Y in a random order; OUT/key.json says which is which.
A reviewer marks each translation faithful, minor slip or meaning error, and which is
better; nothing here judges. (Prompt v8 was measured so on 3 Dec 2026, with sentences
then drawn from the cassettes: 38 of 73 differed; v8 was preferred 16 times, v7 9 times,
neither 13 times.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

from factsum.backend import effective_settings
from factsum.ingest.readers import load_articles
from factsum.llm.base import StructuredLLM
from factsum.llm.client import LLMClient
from factsum.llm.transport import OpenAITransport
from factsum.localmodel import LocalServer, resolve_model
from factsum.models import Article, ExtractionResult
from factsum.pipeline.extract import extraction_requests
from factsum.pipeline.sentences import Sentence, candidates, split_sentences
from factsum.prompt_templates import PromptTemplate, load_prompt
from factsum.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SOURCES = [REPO / "seeds", *sorted((REPO / "tests" / "data" / "eval").iterdir())]
SAMPLE = 73
LANGUAGE = "en"


def sample_sentences(size: int = SAMPLE, seed: int = 7
                     ) -> list[tuple[Article, Sentence]]:
    """A seeded sample of the candidate sentences of the articles not in English."""
    pool = []
    for source in SOURCES:
        articles, _ = load_articles(sorted(source.glob("*.txt")))
        pool += [(a, s) for a in articles if a.language != LANGUAGE
                 for s in candidates(split_sentences(a))]
    return random.Random(seed).sample(pool, min(size, len(pool)))


async def translate(llm: StructuredLLM, template: PromptTemplate, settings: Settings,
                    sentences: Sequence[tuple[Article, Sentence]]) -> list[str]:
    """Each sentence restated with ``template``, one request each, as the pipeline asks."""
    out = []
    for article, sentence in sentences:
        [request] = extraction_requests(article, [sentence], settings=settings,
                                        language=LANGUAGE, event_id="prompt_compare",
                                        template=template)
        answer: ExtractionResult = (await llm.complete(request)).value
        out.append(" ".join(answer.t.split()))
    return out


def blind(sentences: Sequence[tuple[Article, Sentence]], old: Sequence[str],
          new: Sequence[str], seed: int = 11) -> tuple[str, dict[str, str]]:
    """The Markdown for the reviewer and the key, for the sentences translated apart."""
    shuffle = random.Random(seed)
    lines = ["# Blind translation comparison", "",
             "For each item: the source sentence, then two translations X and Y.", ""]
    key: dict[str, str] = {}
    differing = [(a, s, o, n) for (a, s), o, n in zip(sentences, old, new, strict=True)
                 if o != n]
    for number, (article, sentence, o, n) in enumerate(differing, start=1):
        flip = shuffle.random() < 0.5
        x, y = (n, o) if flip else (o, n)
        key[str(number)] = "X=new" if flip else "X=old"
        lines += [f"## {number} ({article.language})", "",
                  f"SRC: {' '.join(sentence.text.split())}", "", f"X: {x}", "", f"Y: {y}",
                  ""]
    return "\n".join(lines), key


async def _compare(old: PromptTemplate, new: PromptTemplate, settings: Settings,
                   sentences: Sequence[tuple[Article, Sentence]]
                   ) -> tuple[list[str], list[str]]:
    client = LLMClient(settings.llm, OpenAITransport(settings.llm))
    try:
        return (await translate(client, old, settings, sentences),
                await translate(client, new, settings, sentences))
    finally:
        await client.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.prompt_compare",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="folder with the old extract.v<N>.txt")
    parser.add_argument("new", type=Path, help="folder with the new extract.v<N>.txt")
    parser.add_argument("out", type=Path, help="folder for blind.md and key.json")
    parser.add_argument("--sample", type=int, default=SAMPLE)
    args = parser.parse_args(argv)
    old, new = load_prompt("extract", args.old), load_prompt("extract", args.new)
    sentences = sample_sentences(args.sample)
    with tempfile.TemporaryDirectory() as tmp:
        settings = effective_settings(Settings.from_env(use_cache=False, cache_dir=tmp))
        settings = settings.model_copy(update={"max_concurrency": 1})
        if settings.has_endpoint:
            old_out, new_out = asyncio.run(_compare(old, new, settings, sentences))
        else:
            _name, path = resolve_model(settings.local_model_path, Settings().cache_dir)
            with LocalServer(path, alias=settings.model) as server:
                settings = settings.model_copy(update={"base_url": server.base_url})
                old_out, new_out = asyncio.run(_compare(old, new, settings, sentences))
    text, key = blind(sentences, old_out, new_out)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "blind.md").write_text(text, encoding="utf-8")
    (args.out / "key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    print(f"{len(key)} of {len(sentences)} sentences translated differently: "
          f"{args.out / 'blind.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
