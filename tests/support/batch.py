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
from factsum.testing.fake_server import FakeServer

# Test fixture articles (invented, not real reports).
EVENTS: dict[str, dict[str, str]] = {
    "bridge-closure": {
        "gazette.txt": "The city closed the old stone bridge to traffic on Tuesday morning.\n\n"
                       "Engineers found cracks in two of the five arches during an inspection.\n\n"
                       "The council expects repairs to take at least six weeks.",
        "tribune.txt": "Drivers faced long queues after the river bridge was shut "
                       "without warning.\n\n"
                       "A council spokesperson said that 3 arches showed serious damage.\n\n"
                       "Buses will use the northern ring road until further notice.",
    },
    "flood-river": {
        "herald.txt": "Heavy rain caused the river to flood the old town on Monday.\n\n"
                      "The mayor said that 120 homes were evacuated overnight.\n\n"
                      "Rescue teams reported that nobody was hurt in the flooding.",
        "courier.txt": "The river burst its banks after three days of steady rain.\n\n"
                       "According to the fire service, about 150 homes were evacuated.\n\n"
                       "Schools in the old town will stay closed until Friday at the earliest.",
    },
    "power-outage": {
        "daily.txt": "A storm cut power to thousands of homes across the valley on Sunday.\n\n"
                     "The grid operator said 40 crews were working to restore supply.\n\n"
                     "Most customers should have electricity again by Monday evening.",
        "post.txt": "Strong winds brought down power lines in the valley overnight.\n\n"
                    "Around 12000 households were without electricity on Sunday morning.\n\n"
                    "The operator apologised and promised compensation to those affected.",
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


class FakeOpenAIServer(FakeServer):
    """``FakeServer`` under the name tests/batch/test_batch_kill.py still uses, where
    ``chat_bodies`` is ``payloads``. New tests use ``FakeServer`` directly."""

    @property
    def chat_bodies(self) -> list[dict[str, Any]]:
        """The chat payloads received (held ones excepted)."""
        return self.payloads
