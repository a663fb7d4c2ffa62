"""A small fault run (4 events x 5 articles): against a misbehaving fake server every event
completes with output identical to a clean run, retries and re-asks are counted, and the
extra requests stay bounded. ``python -m bench --faults`` is the 200-article version.

The answers come from factsum.testing.fake_answers: test fixtures, not model output.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from factsum.llm import LLMClient, OpenAITransport, ResponseCache
from factsum.llm.ledger import Usage
from factsum.pipeline.run import asummarize_event
from factsum.settings import Settings
from factsum.testing.fake_server import FakeServer, FaultConfig
from pydantic import SecretStr
from support.llm import SleepRecorder

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])

# One fault per three new request bodies, every kind in turn: exact counts whatever the
# prompts say (the bench draws them at random per body instead).
CYCLE = ("429", "ok", "ok", "malformed", "ok", "ok", "500", "ok", "ok", "drop", "ok", "ok",
         "schema", "ok", "ok", "timeout", "ok", "ok", "503", "ok", "ok")
PLACES = ("Port Halden", "Vesna", "Kirov Bay", "Almara")
UNITS = ("habitants", "logements", "véhicules", "commerces", "ponts", "bâtiments")
VERBS = ("ont été évacués", "ont été endommagés", "ont été fermés", "ont perdu le courant",
         "ont été inspectés")


def make_events() -> dict[str, list[dict[str, str]]]:
    """Four events of five short, distinct French reports (deterministic): a summary in
    English asks the model to restate each one."""
    rng = random.Random(6)
    events: dict[str, list[dict[str, str]]] = {}
    for e, place in enumerate(PLACES):
        reports = []
        for a in range(5):
            paragraphs = [
                " ".join(
                    f"Les autorités de {place} ont indiqué que {rng.randint(2, 900)} "
                    f"{rng.choice(UNITS)} {rng.choice(VERBS)} le jour {rng.randint(1, 9)}."
                    for _ in range(3)
                )
                for _ in range(2)
            ]
            reports.append({"text": "\n\n".join(paragraphs), "outlet": f"Outlet {e}-{a}"})
        events[f"ev{e}"] = reports
    return events


def run(server: FakeServer, cache_dir: Path) -> tuple[dict[str, str], Usage, SleepRecorder]:
    """Every event concurrently through the real client; outputs with a fixed date."""
    settings = Settings(model="fake-model", base_url=server.base_url,
                        api_key=SecretStr("test-key"), cache_dir=cache_dir,
                        use_local_model=False, max_concurrency=16, request_timeout_s=1.0)
    sleeps = SleepRecorder()

    async def go() -> tuple[dict[str, str], Usage]:
        llm = LLMClient(settings.llm, OpenAITransport(settings.llm),
                        cache=ResponseCache(cache_dir), sleep=sleeps)
        try:
            results = await asyncio.gather(*(
                asummarize_event(items, llm=llm, cache=llm.cache, ledger=llm.ledger,
                                 settings=settings, event_id=eid, created="2020-01-08")
                for eid, items in make_events().items()
            ))
        finally:
            await llm.aclose()
        for result in results:
            assert not result.article_errors
        outputs = {r.summary.articles[0].id: r.summary.to_json() for r in results}
        return outputs, llm.ledger.usage()

    outputs, usage = asyncio.run(go())
    return outputs, usage, sleeps


def test_a_batch_survives_a_misbehaving_server(tmp_path: Path) -> None:
    with FakeServer() as clean_server:
        clean, clean_usage, _ = run(clean_server, tmp_path / "clean")
        clean_requests = clean_server.stats().chat_requests
    faults = FaultConfig(cycle=CYCLE, hold_s=2.0, retry_after_s=0.01)
    with FakeServer(faults) as server:
        faulty, usage, sleeps = run(server, tmp_path / "faulty")
        stats = server.stats()

    assert len(clean) == len(faulty) == len(PLACES)  # every event completed
    assert faulty == clean  # byte for byte, run.created fixed
    assert clean_usage.retries == clean_usage.reasks == 0
    injected = stats.faults
    assert set(injected) == {"429", "500", "503", "drop", "timeout", "malformed", "schema"}
    transport = sum(injected.get(k, 0) for k in ("429", "500", "503", "drop", "timeout"))
    content = injected["malformed"] + injected["schema"]
    assert usage.retries == transport and usage.reasks == content
    assert sleeps.waits and max(sleeps.waits) < 5  # retries waited (injected sleep)
    assert stats.chat_requests == clean_requests + transport + content
    assert stats.chat_requests < 1.5 * clean_requests


def test_a_warm_rerun_makes_no_requests(tmp_path: Path) -> None:
    with FakeServer() as server:
        first, _, _ = run(server, tmp_path / "cache")
        before = server.stats().chat_requests
        again, usage, _ = run(server, tmp_path / "cache")
        assert server.stats().chat_requests == before
    assert again == first
    assert usage.requests == 0 and usage.cache_hits > 0
