"""Corroborate: two points from different sources that report one fact in different
words become one point, whose statement is the fact they share.

Two outlets rarely put one fact in one sentence: "La riposte iranienne ... est intervenue
par une salve de missiles ... contre les bases américaines d'Ain Al Assad et d'Erbil"
and "A dozen missiles were fired by Iran against two American bases in Iraq, according
to the Pentagon" share "Iran fired missiles at American bases in Iraq", but neither
sentence states the other's statement, so ``factsum.pipeline.reconcile`` keeps them
apart (their similarity, 52, is also below its threshold).

Code proposes the pairs: points whose sources do not overlap, whose statements score at
least ``PAIR_FLOOR`` and pass the reconcile vetoes (figures, speakers, what happened),
each point with its closest (``PARTNERS``). The model does one small task per pair: write
the fact both statements report, in their words, or nothing. Code then checks the
answer (``accepts``); the model never judges. What fails is simply not merged.

Pairs are taken by similarity; a point already merged keeps its shared statement, which
a further point joins only if that statement passes the same checks against it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from factsum.errors import BudgetExceededError, LLMError
from factsum.llm.base import CallTag, StructuredLLM, StructuredRequest
from factsum.llm.tokens import estimate_tokens
from factsum.models import Claim, SharedFact
from factsum.pipeline.lexicon import fold
from factsum.pipeline.reconcile import Fact, compatible, content, fact_sources, what_happened
from factsum.pipeline.speakers import attributions, names, pronoun_speaker, speaker
from factsum.pipeline.verify import stray_word
from factsum.prompt_templates import PromptTemplate, data_tag, language_name, load_prompt
from factsum.settings import Settings

PAIR_FLOOR = 50.0
"""Token-set similarity (0-100) at which two points' statements may be compared by the
model. Measured on the ten recorded examples (3 Dec 2026): the cross-source pairs that
report one fact in different words score 47-67; at 50 the seeds give 41 candidate pairs
of claims, the evaluation set 76."""
PARTNERS = 1
"""Each point is compared with its closest point only: each pair is one model call,
and the seeds' cold run has a time target (``python -m bench --local-only``, 3 Dec
2026: 12 comparisons at two partners made it 240 s, against 213 s without any)."""
SHARED_WORDS = 2
"""Words saying what happened that the two statements must share ("bridge",
"collapsed"). Measured on the 46 pairs of the ten recorded examples compared without
this rule (3 Dec 2026): the 3 whose answers passed the checks share 2 to 6; 26 share
one or none ("situation", "killed") and tell different facts of the same people."""
COVERED = 0.6
"""The least share of the shared statement's content words (words of four letters or
more, in any form: ``_same_word``) that each of the two statements uses: the answer
must be made of both reports' words."""
MIN_WORDS = 3
NAME_MATCH = 75
"""rapidfuzz ratio of a name of the answer (five letters or more) to a word of a
statement at which the statement gives the name ("ghassem" and "qassem" 77; "israel"
and "iraqi" 55)."""
ANSWER_TOKENS = 16

Backs = Callable[[str, Claim], bool]
"""Whether a claim's sentence states everything of a statement that code can check
(``factsum.pipeline.verify.states`` with that sentence's article)."""


@dataclass(frozen=True)
class Pair:
    """Two facts (indices) that may report one fact; ``first`` has the shorter statement."""

    first: int
    second: int
    score: float


def candidate_pairs(facts: Sequence[Fact], claims: Sequence[Claim], scores: np.ndarray,
                    groups: Mapping[str, str], speakers: Mapping[str, str], *,
                    language: str) -> list[Pair]:
    """The pairs of facts the model is asked about, closest first (see the module
    docstring). ``scores``: the claims' similarity; ``groups``: article id ->
    independence group; ``speakers``: claim id -> canonical speaker."""
    sources = [fact_sources(f, claims, groups) for f in facts]
    close: list[tuple[float, int, int]] = []
    for x in range(len(facts)):
        for y in range(x + 1, len(facts)):
            if sources[x] & sources[y]:
                continue
            score = max(scores[i][j] for i in facts[x].members for j in facts[y].members)
            a, b = claims[facts[x].members[0]], claims[facts[y].members[0]]
            if (score >= PAIR_FLOOR and compatible(a, b, speakers, language)
                    and len(_what_both_say(a.statement, b.statement, language))
                    >= SHARED_WORDS):
                close.append((float(score), x, y))
    close.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken: dict[int, int] = {}
    pairs = []
    for score, x, y in close:
        if taken.get(x, 0) >= PARTNERS or taken.get(y, 0) >= PARTNERS:
            continue
        taken[x] = taken.get(x, 0) + 1
        taken[y] = taken.get(y, 0) + 1
        short, long_ = sorted((x, y), key=lambda f: (len(facts[f].statement), f))
        pairs.append(Pair(short, long_, score))
    return pairs


def _what_both_say(a: str, b: str, language: str) -> set[str]:
    """The words of ``a`` that say what happened (not names, not the language's most
    frequent words) and that ``b`` uses too, in any form."""
    theirs = what_happened(b, language)
    return {w for w in what_happened(a, language) if any(_same_word(w, v) for v in theirs)}


def shared_fact_requests(pairs: Sequence[Pair], facts: Sequence[Fact], *, settings: Settings,
                         language: str, event_id: str = "",
                         template: PromptTemplate | None = None
                         ) -> list[StructuredRequest[Any]]:
    """One request per pair: the two statements, between markers they cannot forge."""
    template = template or load_prompt("shared")
    requests = []
    for pair in pairs:
        a, b = facts[pair.first].statement, facts[pair.second].statement
        requests.append(StructuredRequest(
            messages=template.render(tag=data_tag(a, b), a=a, b=b,
                                     language_name=language_name(language)),
            response_model=SharedFact,
            prompt_version=template.version,
            tag=CallTag("shared", event_id),
            max_tokens=min(settings.max_tokens, estimate_tokens(a) + ANSWER_TOKENS),
        ))
    return requests


async def ask_shared_facts(pairs: Sequence[Pair], facts: Sequence[Fact], *,
                           llm: StructuredLLM, settings: Settings, language: str,
                           event_id: str = "", note: Callable[[str], None] | None = None
                           ) -> list[str]:
    """The model's answer for each pair ('' where the call failed: that pair is simply
    not merged, and the summary is made without it)."""
    requests = shared_fact_requests(pairs, facts, settings=settings, language=language,
                                    event_id=event_id)
    failed: list[str] = []

    async def one(request: StructuredRequest[Any]) -> str:
        try:
            completion = await llm.complete(request, lambda _answer: [])
        except BudgetExceededError:
            raise
        except LLMError as exc:
            failed.append(str(exc))
            return ""
        answer: SharedFact = completion.value
        return " ".join(answer.fact.split())

    answers = await asyncio.gather(*(one(r) for r in requests))
    if failed and note is not None:
        note(f"{len(failed)} of {len(requests)} comparisons failed ({failed[0]}); "
             "those points stay apart")
    return list(answers)


def _words(text: str) -> list[str]:
    return content(text).split()


def _same_word(a: str, b: str) -> bool:
    """One word in two forms: the same first five letters ("missiles", "missile"), or
    one the start of the other ("Iran", "Iranian"; "fear", "fears")."""
    short, long_ = sorted((a, b), key=len)
    return a[:5] == b[:5] or long_.startswith(short)


def _covered(answer: str, statement: str) -> float:
    """The share of the answer's content words that ``statement`` uses too."""
    mine, theirs = _words(answer), _words(statement)
    if not mine:
        return 0.0
    return sum(any(_same_word(w, v) for v in theirs) for w in mine) / len(mine)


def _named(name: str, statement: str) -> bool:
    """Whether ``statement`` gives ``name``, in any spelling a translation gives it
    ("Ghassem Soleimani" and "Qassem Soleimani")."""
    name, words = fold(name), re.findall(r"\w+", fold(statement))
    if len(name) < 5:  # "Iran" and "Iraq" differ by one letter
        return any(_same_word(name, w) for w in words)
    best = process.extractOne(name, words, scorer=fuzz.ratio)
    return best is not None and best[1] >= NAME_MATCH


def _attributed(statement: str, language: str) -> bool:
    """Whether ``statement`` gives its fact as someone's words ("X said", "according
    to X", "she said", "Iran has acknowledged"), not in the outlet's own voice."""
    return (bool(speaker(statement, language)) or pronoun_speaker(statement, language)
            or bool(attributions(statement, language)))


def accepts(answer: str, first: Fact, second: Fact, claims: Sequence[Claim], backs: Backs, *,
            language: str) -> bool:
    """Whether ``answer`` may stand as the statement of both facts together: a sentence
    of at least ``MIN_WORDS`` words that says what happened, made of both statements'
    words (``COVERED`` of its words in each, none in neither), naming no one that
    either statement does not name, naming a speaker where either gives one, with no
    word foreign to the summary's language, and stated by every sentence either fact
    cites (numbers, dates, negation, speakers)."""
    if len(answer.split()) < MIN_WORDS or not what_happened(answer, language):
        return False
    statements = (first.statement, second.statement)
    if any(_covered(answer, s) < COVERED for s in statements):
        return False
    if _covered(answer, " ".join(statements)) < 1:
        return False  # a word of its own ("police" for "prosecutors" and "parquet")
    if any(not _named(name, s) for name in names(answer) for s in statements):
        return False
    if (any(_attributed(s, language) for s in statements)
            and not speaker(answer, language)):
        # What one outlet attributes ("according to the Iraqi army, no casualties") is
        # not the other's own fact; the answer keeps the speaker, whom the other's
        # sentences must then name too (``backs``).
        return False
    if stray_word(answer, language) is not None:
        return False
    return all(backs(answer, claims[i]) for i in (*first.members, *second.members))


def merge_shared(facts: Sequence[Fact], pairs: Sequence[Pair], answers: Sequence[str],
                 claims: Sequence[Claim], backs: Backs, *, language: str) -> list[Fact]:
    """``facts`` with each accepted pair made one fact (see the module docstring)."""
    owner = list(range(len(facts)))  # fact index -> the index now holding it
    held = dict(enumerate(facts))

    def holder(k: int) -> int:
        while owner[k] != k:
            k = owner[k]
        return k

    for pair, answer in zip(pairs, answers, strict=True):
        x, y = holder(pair.first), holder(pair.second)
        first, second = held[x], held[y]
        if x == y or ({claims[i].article_id for i in first.members}
                      & {claims[i].article_id for i in second.members}):
            continue  # one claim per article in a point
        if first.shared or second.shared:
            # A shared statement stays; the other joins only if it states it too.
            kept, other = (first, second) if first.shared else (second, first)
            if other.shared or not accepts(kept.statement, kept, other, claims, backs,
                                           language=language):
                continue
            first, second, statement = kept, other, kept.statement
        elif answer and accepts(answer, first, second, claims, backs, language=language):
            # A summary's statement ends as a sentence does, whatever the model left off.
            statement = answer if answer[-1] in ".!?\"'»”" else f"{answer}."
        else:
            continue
        held[x] = Fact(statement, (*first.members, *second.members), shared=True)
        del held[y]
        owner[y] = x
    return [held[k] for k in sorted(held)]
