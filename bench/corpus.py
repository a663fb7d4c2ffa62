"""Deterministic synthetic news articles: events of multi-paragraph English reports with
numbers (300 to 1,000 words each). Same seed, same text, same article ids.

Sentences are assembled from many small parts, so independent reports rarely share a
run of eight words, except the event's key facts: each report's first paragraph states
three of them word for word (so equal claims exist to be merged across articles). Every
tenth article of an event is wire copy of the one before it (a new first paragraph on
the same body), so independence grouping has work to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PLACES = ("Port Halden", "Vesna", "Kirov Bay", "Almara", "Tessaro", "Red Hollow", "Nordvik",
          "San Ilario", "Mossgrove", "Kaltenbach", "Duran Heights", "Lake Orrin")
KINDS = ("storm", "earthquake", "factory fire", "flood", "bridge collapse", "train derailment",
         "wildfire", "chemical leak", "power outage", "landslide")
SUBJECTS = ("the fire service", "the interior ministry", "the regional governor", "the police",
            "the health ministry", "the mayor's office", "the army", "the coast guard",
            "a hospital spokesperson", "the transport authority", "a senior rescuer",
            "the civil protection agency", "a union official", "the energy company",
            "local volunteers", "a government minister", "witnesses", "residents",
            "an engineer at the scene", "the prime minister", "emergency doctors",
            "a police commander", "the red cross", "aid workers", "the school board")
PEOPLE = ("Anna Werner", "Tomas Reyes", "Leila Haddad", "Pieter Smit", "Mira Kovac",
          "Daniel Osei", "Sofia Lind", "Omar Farouk", "Julia Brandt", "Ken Aoki",
          "Ines Duarte", "Viktor Hale", "Noor Rahimi", "Elsa Moreau", "Jonas Berg")
VERBS = ("said", "told reporters", "confirmed", "stated", "announced", "reported",
         "estimated", "warned", "insisted", "wrote in a statement", "told local radio",
         "suggested", "acknowledged", "claimed")
QUALIFIERS = ("", "", "at least ", "about ", "more than ", "nearly ", "up to ", "some ")
UNITS = ("people", "homes", "vehicles", "families", "workers", "firefighters", "buildings",
         "patients", "children", "shops", "farms", "passengers", "soldiers", "tourists")
PREDICATES = ("were evacuated", "were injured", "lost power", "were still missing",
              "needed shelter", "were damaged", "were rescued", "were treated in hospital",
              "had to leave", "were cut off", "were moved to safety", "were destroyed",
              "had no running water", "were checked by inspectors", "waited for news",
              "were reported dead", "were flown out", "stayed in gyms and schools")
WHERE = ("in the old town", "near the harbour", "along the river", "in the northern suburbs",
         "around the central station", "on the ring road", "near the main hospital",
         "in two villages to the east", "across the valley", "close to the industrial zone",
         "in the city centre", "near the airport")
WHEN = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
        "on Saturday", "on Sunday", "overnight", "before dawn", "by noon",
        "late in the evening", "within hours", "during the first night", "by the weekend")
REMARKS = ("The figures could still change", "Officials gave no further details",
           "Rescue work went on through the night", "Roads into the area stayed closed",
           "Several schools were turned into shelters", "The cause is still being examined",
           "Opposition politicians asked for an inquiry", "Insurers expect many claims",
           "Power was restored in some districts", "A crisis centre was opened",
           "Aid convoys reached the area", "Prayers were held in several churches")


KEY_FACTS = 12
"""Facts of an event that several reports state in the same words."""


@dataclass(frozen=True)
class Event:
    """One event: an id and its articles as ingest dicts (text, title, outlet)."""

    id: str
    articles: list[dict[str, str]]


def _subject(rng: random.Random) -> str:
    if rng.random() < 0.35:
        return f"{rng.choice(PEOPLE)} of {rng.choice(SUBJECTS)}"
    return rng.choice(SUBJECTS)


def _sentence(rng: random.Random, place: str, kind: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        text = f"{rng.choice(REMARKS)} {rng.choice(WHERE)} {rng.choice(WHEN)}"
    elif roll < 0.25:
        text = (f"{_subject(rng)} {rng.choice(VERBS)} that the {kind} had hit "
                f"{rng.randint(2, 90)} districts of {place} {rng.choice(WHEN)}")
    else:
        number = rng.randint(2, 950)
        text = (f"{_subject(rng)} {rng.choice(VERBS)} that {rng.choice(QUALIFIERS)}{number} "
                f"{rng.choice(UNITS)} {rng.choice(PREDICATES)} {rng.choice(WHERE)} "
                f"{rng.choice(WHEN)}")
        if rng.random() < 0.3:
            text += f" after the {kind}"
    return text[0].upper() + text[1:] + "."


def _key_fact(rng: random.Random) -> str:
    """A short fact (under 12 words: shared by many reports, yet no sign of wire copy)."""
    text = (f"{rng.choice(QUALIFIERS)}{rng.randint(2, 950)} {rng.choice(UNITS)} "
            f"{rng.choice(PREDICATES)} {rng.choice(WHEN)}")
    return text[0].upper() + text[1:] + "."


def _paragraphs(rng: random.Random, place: str, kind: str, words: int) -> list[str]:
    paragraphs: list[str] = []
    count = 0
    while count < words:
        paragraph = " ".join(_sentence(rng, place, kind) for _ in range(rng.randint(3, 6)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return paragraphs


def article(event_no: int, article_no: int, *, words: int | None = None,
            seed: int = 0) -> dict[str, str]:
    """Article ``article_no`` of event ``event_no`` (``words`` words, or 300 to 1,000)."""
    erng = random.Random(f"event:{seed}:{event_no}")
    place, kind = erng.choice(PLACES), erng.choice(KINDS)
    outlet = f"Outlet {event_no}-{article_no}"
    title = f"{kind.capitalize()} in {place}: report {article_no + 1}"
    if words is None and article_no % 10 == 9:  # wire copy of the previous article
        body = article(event_no, article_no - 1, seed=seed)["text"].split("\n\n")
        rng = random.Random(f"wire:{seed}:{event_no}:{article_no}")
        lead = _paragraphs(rng, place, kind, 30)[0]
        return {"text": "\n\n".join([lead, *body[1:]]), "title": title, "outlet": outlet}
    rng = random.Random(f"article:{seed}:{event_no}:{article_no}")
    target = words if words is not None else rng.randint(300, 1000)
    paragraphs = _paragraphs(rng, place, kind, target)
    if words is None:
        paragraphs[0] = _lead(rng, erng, place, kind)
    return {"text": "\n\n".join(paragraphs), "title": title, "outlet": outlet}


def _lead(rng: random.Random, erng: random.Random, place: str, kind: str) -> str:
    """A first paragraph where three of the event's key facts (shared with other
    reports, word for word) alternate with sentences of this report's own."""
    facts = [_key_fact(erng) for _ in range(KEY_FACTS)]
    chosen = rng.sample(facts, 3)
    mixed = [s for fact in chosen for s in (fact, _sentence(rng, place, kind))]
    return " ".join(mixed)


def events(n_events: int, per_event: int, *, seed: int = 0, first: int = 0) -> list[Event]:
    """``n_events`` events of ``per_event`` articles each."""
    return [
        Event(f"ev{e:03d}", [article(e, a, seed=seed) for a in range(per_event)])
        for e in range(first, first + n_events)
    ]


def word_count(item: dict[str, str]) -> int:
    """Words in an article dict's text."""
    return len(item["text"].split())
