"""Who gives a figure: the source a statement attributes it to, read in code.

Every statement restates one sentence, attribution included ("the Pentagon said",
"according to local officials"), so the speaker is read from the statement with the
summary language's reporting verbs (factsum.pipeline.lexicon). A statement that names
no source is the outlet's own voice: its speaker is empty and the outlet is shown.
Forms of one speaker ("Pentagon", "the Pentagon", "Le Pentagone") are unified per
summary by ``canonical_speakers``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from factsum.pipeline.lexicon import CLAUSES, Clauses, fold, lexicon

_CAPS = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_NAME = re.compile(r"(?<![\w'’-])([A-ZÀ-ÖØ-Þ][\w'’-]{2,})")


def names(text: str) -> list[str]:
    """The capitalised words of ``text`` (three letters or more), as written, less its
    first word, which is capitalised whatever it is: the names it gives."""
    return [m.group(1) for m in _NAME.finditer(text) if m.start() > 0]


def speaker(statement: str, language: str) -> str:
    """The source ``statement`` attributes itself to, or '' (see the module docstring)."""
    lex = lexicon(language)
    for phrase in lex.according_to:
        m = re.search(rf"\b{re.escape(phrase)}\s+(?P<who>(?:\w+\s+){{0,4}}?{_CAPS}(?:\s+{_CAPS})*"
                      rf"|(?:the\s+)?\w+(?:\s+\w+){{0,3}}?\s+(?:officials|sources|media|police))",
                      statement, re.IGNORECASE)
        if m:
            return _tidy(m.group("who"))
    words = "|".join(sorted((re.escape(v) for v in lex.reporting), key=len, reverse=True))
    if not words:
        return ""
    # "X said", "X, spokesman for Y, said"
    m = re.search(rf"(?P<who>(?:(?:the|The|Le|La|Les|L')\s+)?{_CAPS}(?:\s+{_CAPS})*)"
                  rf"(?:,[^,]{{1,80}},)?\s+(?:has\s+|have\s+|had\s+|a\s+|ont\s+)?(?:{words})\b",
                  statement)
    if m:
        return _tidy(m.group("who"))
    # "..., said X" / '"...", announced the Revolutionary Guards' / "..., a annoncé le
    # Pentagone": the verb follows the quote's end or a comma; "the gang has added Red
    # Hospitalaria to its leak site" names no speaker.
    perfect, helpers = _perfect(language)
    auxiliary = rf"(?:(?:{helpers})\s+)?" if helpers else ""
    m = re.search(rf"[,\"”»'’]\s*{auxiliary}(?:{words})\s+"
                  rf"(?P<who>(?:(?:[Tt]he|[Ll]e|[Ll]a|[Ll]es)\s+|[Ll]')?{_CAPS}(?:\s+{_CAPS})*)",
                  statement)
    if m:
        return _tidy(m.group("who"))
    # "..., officials said", "the army said ...": a short lower-case subject, less the
    # perfect's auxiliary ("the company had reported": the company)
    after = rf"(?:\s+(?:{helpers}))?" if helpers else ""
    m = re.search(rf"(?:^|,\s)(?P<who>(?:[Tt]he\s+)?[a-z]+(?:\s+[a-z]+)??){after}"
                  rf"\s+(?:{words})\b", statement)
    if m and m.group("who").split()[-1] not in _NOT_SPEAKERS | perfect:
        return _tidy(m.group("who"))
    return ""


@lru_cache(maxsize=32)
def _perfect(language: str) -> tuple[frozenset[str], str]:
    """The perfect's auxiliaries of ``language`` and the same as a regex alternation
    ("had|has|have"), longest first; empty for a language without a clause table."""
    words = clauses.perfect if (clauses := CLAUSES.get(language)) else frozenset()
    return words, "|".join(sorted(map(re.escape, words), key=len, reverse=True))


# Subjects of a reporting verb that name no source ("it said", "he added").
_NOT_SPEAKERS = frozenset({"it", "he", "she", "they", "we", "i", "you", "this", "that",
                           "which", "who", "il", "elle", "ils", "elles", "on"})


def _tidy(who: str) -> str:
    return who.strip(" ,.;:").removesuffix("'s")


def canonical_speakers(names: Iterable[str]) -> dict[str, str]:
    """Each name -> the most frequent spelling among the names that denote the same
    speaker (folded, articles dropped, fuzzy-equal)."""
    counts = Counter(n for n in names if n)
    groups: list[list[str]] = []
    for name in sorted(counts, key=lambda n: -counts[n]):
        key = _key(name)
        for group in groups:
            if fuzz.ratio(key, _key(group[0])) >= 85 or key == _key(group[0]):
                group.append(name)
                break
        else:
            groups.append([name])
    return {name: group[0] for group in groups for name in group}


def _key(name: str) -> str:
    return re.sub(r"^(?:the|le|la|les|l')\s+", "", fold(name)).removesuffix("e")


# --------------------------------------------------------------------------- attribution
# Who a sentence, in any language with an entry in factsum.pipeline.lexicon.CLAUSES, says
# is speaking. The support check (factsum.pipeline.verify) reads it on both sides of a
# restatement: a speaker the cited sentence names must still be named in the statement.

_CLAUSE_END = re.compile(r"[,;:«»\"“”„()\[\]—–.!?]+|\s-\s")
_TOKEN = re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*'?")
_LONGEST_SPEAKER = 6
"""Words kept on either side of a reporting verb: a speaker is a short phrase."""


@dataclass(frozen=True, slots=True)
class Attribution:
    """One source marker in a text: a reporting verb or an "according to" phrase, and
    the speaker's words as written ((), when the text names nobody: "he said", a
    passive, a subject left out)."""

    marker: str
    speaker: tuple[str, ...]


def tokens(text: str) -> list[str]:
    """Words as written, apostrophes straightened, an elided article or negation kept
    with its apostrophe ("n'", "l'"), English "n't" as "not"."""
    text = re.sub(r"n[’']t\b", " not", text.replace("’", "'"))
    return _TOKEN.findall(text)


@lru_cache(maxsize=8192)
def attributions(text: str, language: str) -> tuple[Attribution, ...]:
    """Every source marker of ``text`` (``language``'s CLAUSES entry; none without one).
    Memoised: the support check reads each sentence and statement for the dropped and
    for the added speaker."""
    words = CLAUSES.get(language)
    if words is None:
        return ()
    found: list[Attribution] = []
    for clause in _CLAUSE_END.split(text):
        written = tokens(clause)
        low = [w.casefold() for w in written]
        taken: set[int] = set()
        for phrase in words.according_to:
            wanted = [w.casefold() for w in tokens(phrase)]
            for i in range(len(low) - len(wanted) + 1):
                if low[i:i + len(wanted)] == wanted:
                    after = written[i + len(wanted):i + len(wanted) + _LONGEST_SPEAKER]
                    who = () if not after or _last(after[0]) in words.pronouns else after
                    found.append(Attribution(phrase, tuple(who)))
                    taken.update(range(i, i + len(wanted)))
        for i, word in enumerate(low):
            if i in taken:
                continue
            head, _, tail = word.partition("-")
            if word in words.reporting:
                found.append(Attribution(written[i], _speaker(written, low, i, words)))
            elif tail and head in words.reporting:  # "précise-t-il", "dice-lo"
                found.append(Attribution(written[i], ()))
    return tuple(found)


def _speaker(written: list[str], low: list[str], i: int, words: Clauses
             ) -> tuple[str, ...]:
    """The speaker of the reporting verb at ``i``: its subject before it, or the words
    after it when the verb comes first in its clause ("..., a indiqué Jonathan Hoffman")."""
    before = list(range(max(0, i - _LONGEST_SPEAKER), i))
    if before and low[before[-1]] in words.passive:
        return ()  # "was announced": no speaker, or one after "by" that we do not read
    core = [j for j in before if low[j] not in words.auxiliaries]
    if core:
        last = _last(low[core[-1]])
        if last in words.pronouns or last in words.complementizers:
            return ()
        return tuple(written[j] for j in core)
    after = written[i + 1:i + 1 + _LONGEST_SPEAKER]
    if not after or after[0].casefold() in words.pronouns | words.complementizers:
        return ()
    return tuple(after)


def _last(word: str) -> str:
    """The last part of a hyphenated word: 'il' of 'a-t-il'."""
    return word.casefold().rsplit("-", 1)[-1]


_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|„[^“”]*[“”]|\"[^\"]*\"")


def pronoun_speaker(text: str, language: str) -> bool:
    """Whether ``text`` gives its words to a personal pronoun ("..., she said", "she has
    said that...", "a-t-il précisé"): a speaker named in another sentence. Quoted words
    are the quote's own ("'I said no,' Trump told reporters"), and a pronoun after the
    verb starts the reported clause ("the minister said he would resign")."""
    words = CLAUSES.get(language)
    if words is None:
        return False
    low = [w.casefold() for w in tokens(_QUOTED.sub(" , ", text))]
    for i, word in enumerate(low):
        head, _, tail = word.partition("-")
        if tail and head in words.reporting and _last(word) in words.personal:
            return True  # "précise-t-il"
        if word not in words.reporting:
            continue
        before = [w for w in low[max(0, i - 3):i] if w not in words.auxiliaries]
        if before and _last(before[-1]) in words.personal:
            return True
    return False
