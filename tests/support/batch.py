"""Helpers for the batch tests (no test functions here; imported by tests/batch/).

Every article text here is a hand-written test fixture, not real news. The model
doubles are ``factsum.testing``'s: ``ScriptedTransport`` in process, ``FakeServer`` on
loopback (chat completions and the Batch API); their answers are test fixtures built
from the prompt, not the output of a real model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from factsum.batch.command import LLMFactory
from factsum.llm import LLMClient, ResponseCache
from factsum.llm.base import ChatTransport
from factsum.settings import Settings

# Test fixture articles (invented, not real reports). They are in French so that a
# summary in English asks the model to restate them (an article already in the summary
# language needs no model call): one request per article.
EVENTS: dict[str, dict[str, str]] = {
    "bridge-closure": {
        "gazette.txt": "La ville a fermé le vieux pont de pierre à la circulation mardi "
                       "matin.\n\n"
                       "Les ingénieurs ont découvert des fissures dans deux des cinq arches "
                       "lors d'une inspection.\n\n"
                       "Le conseil municipal prévoit au moins six semaines de réparations.",
        "tribune.txt": "Les automobilistes ont fait de longues files d'attente après la "
                       "fermeture du pont sans préavis.\n\n"
                       "Une porte-parole du conseil a déclaré que 3 arches étaient gravement "
                       "endommagées.\n\n"
                       "Les bus emprunteront la rocade nord jusqu'à nouvel ordre.",
    },
    "flood-river": {
        "herald.txt": "De fortes pluies ont fait déborder la rivière dans la vieille ville "
                      "lundi.\n\n"
                      "Le maire a déclaré que 120 logements avaient été évacués pendant la "
                      "nuit.\n\n"
                      "Les secours ont indiqué que personne n'avait été blessé dans les "
                      "inondations.",
        "courier.txt": "La rivière est sortie de son lit après trois jours de pluie "
                       "continue.\n\n"
                       "Selon les pompiers, environ 150 logements ont été évacués.\n\n"
                       "Les écoles de la vieille ville resteront fermées au moins jusqu'à "
                       "vendredi.",
    },
    "power-outage": {
        "daily.txt": "Une tempête a privé d'électricité des milliers de foyers dans la vallée "
                     "dimanche.\n\n"
                     "Le gestionnaire du réseau a indiqué que 40 équipes travaillaient au "
                     "rétablissement du courant.\n\n"
                     "La plupart des clients devraient retrouver l'électricité lundi soir.",
        "post.txt": "Des vents violents ont abattu des lignes électriques dans la vallée "
                    "pendant la nuit.\n\n"
                    "Environ 12000 foyers étaient privés d'électricité dimanche matin.\n\n"
                    "L'opérateur a présenté ses excuses et promis une indemnisation aux "
                    "personnes touchées.",
    },
}


def write_events(root: Path, events: Mapping[str, Mapping[str, str]] = EVENTS) -> Path:
    """Write ``events`` as a folder of event folders under ``root``."""
    for event, articles in events.items():
        folder = root / event
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in articles.items():
            (folder / name).write_text(text, encoding="utf-8")
    return root


def batch_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for an endpoint that is never reached (the transport is injected)."""
    values: dict[str, Any] = {
        "model": "gpt-4o-mini", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-test",
        "cache_dir": tmp_path / "cache", "max_concurrency": 2, "max_attempts": 2,
    }
    values.update(overrides)
    return Settings.model_validate(values)


async def no_sleep(_seconds: float) -> None:
    """An injected sleep that returns at once."""


def client_factory(transport: ChatTransport) -> LLMFactory:
    """An LLMFactory building a fresh client (own ledger, real cache) around ``transport``."""

    @asynccontextmanager
    async def factory(settings: Settings) -> AsyncIterator[LLMClient]:
        cache = ResponseCache(settings.response_cache_dir) if settings.use_cache else None
        client = LLMClient(settings.llm, transport, cache=cache, sleep=no_sleep)
        try:
            yield client
        finally:
            await client.aclose()

    return factory


def tree(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``folder``."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
