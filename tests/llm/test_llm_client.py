"""LLMClient with a scripted transport: re-asks, truncation, refusal, cache, budget."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from factsum.backend import open_llm
from factsum.errors import (
    BudgetExceededError,
    BudgetReservationError,
    InvalidOutputError,
    PermanentLLMError,
    RefusalError,
    TransientLLMError,
    TruncatedOutputError,
)
from factsum.llm import LLMClient, LLMConfig, ResponseCache, is_reasoning_model
from factsum.llm.base import ChatResult, StructuredRequest
from factsum.llm.client import build_payload, chat_payload
from factsum.llm.ledger import Ledger
from factsum.llm.tokens import estimate_prompt_tokens
from factsum.settings import Settings, StructuredMode
from factsum.testing.scripted import ScriptedTransport
from pydantic import BaseModel
from support.llm import Pair, SleepRecorder, make_settings, ok, request

pytestmark = pytest.mark.anyio

GOOD = '{"name": "a", "count": 1}'


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _answer_and_close(settings: Settings, transport: ScriptedTransport,
                            req: StructuredRequest[Any] | None = None) -> None:
    """One cached call by a client that is then closed (its answers are on disk)."""
    client = _client(settings, transport, cache=True)
    await client.complete(req or request())
    await client.aclose()


def _client(settings: Settings, transport: ScriptedTransport, *, cache: bool = False,
            ledger: Ledger | None = None) -> LLMClient:
    return LLMClient(settings.llm, transport,
        cache=ResponseCache(settings.response_cache_dir) if cache else None,
        ledger=ledger, sleep=SleepRecorder(),
    )


async def test_payload_carries_settings_and_schema(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, temperature=0.2, seed=7, max_tokens=999)
    transport = ScriptedTransport([ok(GOOD), ok(GOOD)])
    client = _client(settings, transport)
    done = await client.complete(request())
    assert done.value == Pair(name="a", count=1) and done.problems == [] and done.reasks == 0
    payload = transport.payloads[0]
    assert payload["model"] == "gpt-4o-mini" == client.model_name
    assert (payload["temperature"], payload["seed"], payload["max_tokens"]) == (0.2, 7, 999)
    assert payload["response_format"]["json_schema"]["name"] == "Pair"
    req = request()
    big = type(req)(messages=req.messages, response_model=Pair, prompt_version="p",
                    tag=req.tag, max_tokens=4000)
    await client.complete(big)
    assert transport.payloads[1]["max_tokens"] == 4000


@pytest.mark.parametrize(
    ("mode", "expected_type", "schema_in_prompt"),
    [(StructuredMode.JSON_OBJECT_SCHEMA, "json_object", False),
     (StructuredMode.JSON_OBJECT, "json_object", True)],
)
async def test_other_structured_modes(tmp_path: Path, mode: StructuredMode,
                                      expected_type: str, schema_in_prompt: bool) -> None:
    transport = ScriptedTransport([ok(GOOD)])
    await _client(make_settings(tmp_path, structured_mode=mode), transport).complete(request())
    payload = transport.payloads[0]
    assert payload["response_format"]["type"] == expected_type
    assert ("schema" in payload["response_format"]) is not schema_in_prompt
    assert ('"count"' in payload["messages"][0]["content"]) is schema_in_prompt


async def test_schema_violation_is_repaired_by_a_reask(tmp_path: Path) -> None:
    bad = '{"name": "a", "count": "several"}'
    transport = ScriptedTransport([ok(bad), ok(GOOD)])
    client = _client(make_settings(tmp_path), transport)
    done = await client.complete(request())
    assert done.value == Pair(name="a", count=1) and done.reasks == 1
    first, second = transport.payloads
    assert second["messages"][:2] == first["messages"]
    assert second["messages"][2] == {"role": "assistant", "content": bad}
    reask = second["messages"][3]
    assert reask["role"] == "user"
    assert "count: Input should be a valid integer" in reask["content"]
    assert reask["content"].startswith("Your answer had these problems:")
    assert reask["content"].endswith("Return the corrected full JSON.")
    usage = client.ledger.usage()
    assert (usage.requests, usage.reasks, usage.retries) == (2, 1, 0)


async def test_invalid_after_all_reasks_raises_with_problems(tmp_path: Path) -> None:
    transport = ScriptedTransport([ok('{"name": "a"}')] * 3)
    client = _client(make_settings(tmp_path, max_reasks=2), transport)
    with pytest.raises(InvalidOutputError) as info:
        await client.complete(request())
    assert info.value.problems == ["count: Field required"]
    assert len(transport.payloads) == 3


async def test_validator_problems_reasked_then_returned(tmp_path: Path) -> None:
    answers = ['{"name": "a", "count": 5}', '{"name": "b", "count": 4}',
               '{"name": "c", "count": 3}']
    transport = ScriptedTransport([ok(a) for a in answers])
    client = _client(make_settings(tmp_path, max_reasks=2), transport)

    def validate(p: Pair) -> list[str]:
        return [f"count: {p.count} is more than 2"] if p.count > 2 else []

    done = await client.complete(request(), validate)
    assert done.value == Pair(name="c", count=3)
    assert done.problems == ["count: 3 is more than 2"] and done.reasks == 2
    assert "count: 5 is more than 2" in transport.payloads[1]["messages"][-1]["content"]
    assert client.ledger.usage().reasks == 2


async def test_validator_satisfied_after_reask(tmp_path: Path) -> None:
    transport = ScriptedTransport([ok('{"name": "", "count": 1}'), ok(GOOD)])
    client = _client(make_settings(tmp_path), transport)
    done = await client.complete(request(), lambda p: [] if p.name else ["name: empty"])
    assert done.problems == [] and done.reasks == 1


async def test_no_reasks_when_disabled(tmp_path: Path) -> None:
    transport = ScriptedTransport([ok("nope")])
    with pytest.raises(InvalidOutputError, match="not valid JSON"):
        await _client(make_settings(tmp_path, max_reasks=0), transport).complete(request())


TRUNCATED = ChatResult(content='{"name": "a", "cou', finish_reason="length",
                       prompt_tokens=10, completion_tokens=16, model="m")


async def test_truncation_reported_and_not_cached(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_reasks=0)
    transport = ScriptedTransport([TRUNCATED, ok(GOOD)])
    client = _client(settings, transport, cache=True)
    with pytest.raises(TruncatedOutputError, match="max_tokens=2048"):
        await client.complete(request())
    done = await client.complete(request())  # asks again: the truncation was not cached
    assert done.value.count == 1 and len(transport.payloads) == 2


async def test_truncated_answer_is_asked_again_for_a_shorter_one(tmp_path: Path) -> None:
    transport = ScriptedTransport([TRUNCATED, ok(GOOD)])
    client = _client(make_settings(tmp_path), transport)
    done = await client.complete(request())
    assert done.value.count == 1 and done.reasks == 1
    first, second = transport.payloads
    # The same conversation plus one note; the cut-off text is not sent back.
    assert second["messages"][:-1] == first["messages"]
    note = second["messages"][-1]
    assert note["role"] == "user" and "cut off" in note["content"] and "2048" in note["content"]
    assert all(TRUNCATED.content not in m["content"] for m in second["messages"])
    assert client.ledger.usage().reasks == 1


async def test_truncation_twice_fails_within_the_reask_bound(tmp_path: Path) -> None:
    transport = ScriptedTransport([TRUNCATED, TRUNCATED, ok(GOOD)])
    client = _client(make_settings(tmp_path, max_reasks=1), transport)
    with pytest.raises(TruncatedOutputError):
        await client.complete(request())
    assert len(transport.payloads) == 2


async def test_refusal_reported_and_not_cached(tmp_path: Path) -> None:
    refused = ChatResult(content=None, finish_reason="stop", refusal="I can't do that.")
    transport = ScriptedTransport([refused, ok(GOOD)])
    client = _client(make_settings(tmp_path), transport, cache=True)
    with pytest.raises(RefusalError):
        await client.complete(request())
    await client.complete(request())
    assert len(transport.payloads) == 2
    assert client.cache is not None and client.cache.stats().entries == 1


async def test_content_filter_is_a_refusal(tmp_path: Path) -> None:
    blocked = ChatResult(content=None, finish_reason="content_filter")
    with pytest.raises(RefusalError):
        await _client(make_settings(tmp_path), ScriptedTransport([blocked])).complete(request())


async def test_cache_hit_makes_no_request(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    first = _client(settings, ScriptedTransport([ok(GOOD)]), cache=True)
    await first.complete(request())
    await first.aclose()
    empty = ScriptedTransport([])  # any request would fail the test
    second = _client(settings, empty, cache=True)
    done = await second.complete(request())
    assert done.value == Pair(name="a", count=1) and empty.payloads == []
    usage = second.ledger.usage()
    assert (usage.cache_hits, usage.requests, usage.cost_usd) == (1, 0, 0.0)


async def test_reask_chain_replays_from_cache(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    await _answer_and_close(settings, ScriptedTransport([ok('{"name": 1}'), ok(GOOD)]))
    replay = _client(settings, ScriptedTransport([]), cache=True)
    done = await replay.complete(request())
    assert done.reasks == 1 and replay.ledger.usage().cache_hits == 2


class Other(BaseModel):
    name: str
    count: int
    extra: str


@pytest.mark.parametrize(
    "change",
    [
        {"version": "pair@2"},
        {"settings": {"model": "gpt-4.1-mini"}},
        {"model": Other},
        {"settings": {"temperature": 0.7}},
        {"settings": {"seed": 1}},
        {"settings": {"max_tokens": 100}},
        {"settings": {"structured_mode": StructuredMode.JSON_OBJECT}},
        {"prompt": "Give me another pair."},
    ],
)
async def test_key_changes_miss_the_cache(tmp_path: Path, change: dict[str, Any]) -> None:
    base = make_settings(tmp_path)
    await _answer_and_close(base, ScriptedTransport([ok(GOOD)]))
    settings = make_settings(tmp_path, **change.get("settings", {}))
    answer = '{"name": "a", "count": 1, "extra": "e"}' if "model" in change else GOOD
    transport = ScriptedTransport([ok(answer)])
    req = request(change.get("prompt", "Give me a pair."), model=change.get("model", Pair),
                  version=change.get("version", "pair@1"))
    await _client(settings, transport, cache=True).complete(req)
    assert len(transport.payloads) == 1


async def test_api_key_change_still_hits_the_cache(tmp_path: Path) -> None:
    await _answer_and_close(make_settings(tmp_path), ScriptedTransport([ok(GOOD)]))
    other = make_settings(tmp_path, api_key="sk-other-KEY456789",
                          base_url="http://user:pw@elsewhere.test/v1")
    transport = ScriptedTransport([])
    await _client(other, transport, cache=True).complete(request())
    assert transport.payloads == []


async def test_use_cache_false_opens_no_cache(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, use_cache=False)
    async with open_llm(settings) as client:
        assert client.cache is None
    async with open_llm(settings.model_copy(update={"use_cache": True})) as client:
        assert client.cache is not None


async def test_budget_cap_stops_further_calls(tmp_path: Path) -> None:
    # gpt-4o-mini: $0.15 / $0.60 per 1M tokens -> 1M prompt tokens cost $0.15.
    settings = make_settings(tmp_path, budget_usd=0.10)
    transport = ScriptedTransport([ok(GOOD, prompt_tokens=1_000_000, completion_tokens=0)])
    client = _client(settings, transport, cache=True)
    await client.complete(request())
    with pytest.raises(BudgetExceededError) as info:
        await client.complete(request("another question"))
    assert info.value.spent_usd == pytest.approx(0.15)
    assert client.ledger.usage().requests == 1  # a refused call is not a request
    assert len(transport.payloads) == 1  # the second call never reached the transport
    # Cached answers cost nothing and are still served.
    assert (await client.complete(request())).value.count == 1


async def test_concurrency_is_bounded(tmp_path: Path) -> None:
    class Slow(ScriptedTransport):
        def __init__(self) -> None:
            super().__init__([])
            self.active = self.peak = 0

        async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
            self.active += 1
            self.peak = max(self.peak, self.active)
            await asyncio.sleep(0.01)
            self.active -= 1
            return ok(GOOD)

    transport = Slow()
    client = _client(make_settings(tmp_path, max_concurrency=2), transport)
    await asyncio.gather(*(client.complete(request(f"q{i}")) for i in range(8)))
    assert transport.peak == 2


async def test_transient_retry_resends_identical_payload(tmp_path: Path) -> None:
    transport = ScriptedTransport([TransientLLMError("busy", status=503), ok(GOOD)])
    client = _client(make_settings(tmp_path), transport)
    done = await client.complete(request())
    assert done.reasks == 0
    assert transport.payloads[0] == transport.payloads[1]
    assert client.ledger.usage().retries == 1


async def test_aclose_closes_the_transport(tmp_path: Path) -> None:
    transport = ScriptedTransport([])
    await _client(make_settings(tmp_path), transport, cache=True).aclose()
    assert transport.closed


class Gated(ScriptedTransport):
    """Answers each request with its own worst case, after letting every other gathered
    call reach the budget check (the calls are all in flight together)."""

    def __init__(self, ledger: Ledger, completion_tokens: int) -> None:
        super().__init__([])
        self.ledger, self.completion_tokens = ledger, completion_tokens
        self.spent_seen: list[float] = []

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        self.payloads.append(dict(payload))
        for _ in range(5):
            await asyncio.sleep(0)  # yield: the other calls run up to their own send
        self.spent_seen.append(self.ledger.spent_usd)
        return ok(GOOD, prompt_tokens=estimate_prompt_tokens(payload),
                  completion_tokens=self.completion_tokens)


def _worst_case_usd(settings: LLMConfig, prompt: str) -> float:
    """What one call of ``request(prompt)`` reserves (gpt-4o-mini: $0.15 / $0.60 per 1M)."""
    payload = build_payload(settings, request(prompt).messages, Pair)
    return (estimate_prompt_tokens(payload) * 0.15 + settings.max_tokens * 0.60) / 1e6


async def test_budget_cap_holds_with_16_calls_in_flight(tmp_path: Path) -> None:
    """Issue 18: every gathered call used to pass the check while spend was still $0."""
    base = make_settings(tmp_path, max_concurrency=16, max_tokens=1000)
    worst = _worst_case_usd(base.llm, "question 00")
    budget = 3.5 * worst  # room for three calls at their worst case
    settings = make_settings(tmp_path, max_concurrency=16, max_tokens=1000, budget_usd=budget)
    ledger = Ledger.from_config(settings.llm)
    transport = Gated(ledger, completion_tokens=1000)  # every answer at its worst
    client = _client(settings, transport, ledger=ledger)
    results = await asyncio.gather(
        *(client.complete(request(f"question {i:02d}")) for i in range(16)),
        return_exceptions=True)
    refused = [r for r in results if isinstance(r, BudgetReservationError)]
    assert len(transport.payloads) == 3 and len(refused) == 13
    assert all(s <= budget for s in transport.spent_seen)
    assert ledger.spent_usd == pytest.approx(3 * worst) and ledger.spent_usd <= budget
    assert ledger.reserved_usd == 0.0 and ledger.usage().requests == 3
    assert "not sent" in str(refused[0])


async def test_what_an_answer_did_not_spend_is_released_for_later_calls(
        tmp_path: Path) -> None:
    base = make_settings(tmp_path, max_concurrency=16, max_tokens=1000)
    worst = _worst_case_usd(base.llm, "question 00")
    settings = make_settings(tmp_path, max_concurrency=16, max_tokens=1000,
                             budget_usd=3.5 * worst)
    ledger = Ledger.from_config(settings.llm)
    transport = Gated(ledger, completion_tokens=10)  # short answers
    client = _client(settings, transport, ledger=ledger)
    first = await asyncio.gather(
        *(client.complete(request(f"question {i:02d}")) for i in range(16)),
        return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in first) == 3
    for i in range(16, 20):  # one at a time: each fits beside what was really spent
        await client.complete(request(f"question {i:02d}"))
    assert len(transport.payloads) == 7 and ledger.reserved_usd == 0.0


async def test_a_failed_or_cancelled_call_gives_its_reservation_back(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, budget_usd=1.0)
    failing = _client(settings, ScriptedTransport([PermanentLLMError("bad", status=400)]))
    with pytest.raises(PermanentLLMError):
        await failing.complete(request())
    assert failing.ledger.reserved_usd == 0.0 and failing.ledger.report()["failed_requests"] == 1

    class Hanging(ScriptedTransport):
        def __init__(self) -> None:
            super().__init__([])
            self.sent = asyncio.Event()

        async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
            self.sent.set()
            await asyncio.Event().wait()  # never answers
            raise AssertionError("unreachable")

    hanging = Hanging()
    client = _client(settings, hanging)
    task = asyncio.ensure_future(client.complete(request()))
    await hanging.sent.wait()
    assert client.ledger.reserved_usd > 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client.ledger.reserved_usd == 0.0


async def test_retries_of_a_call_hold_one_reservation(tmp_path: Path) -> None:
    base = make_settings(tmp_path)
    worst = _worst_case_usd(base.llm, "Give me a pair.")
    # Room for one call's worst case only: a second hold for the retry would be refused.
    settings = make_settings(tmp_path, budget_usd=1.5 * worst)
    transport = ScriptedTransport([TransientLLMError("busy", status=503), ok(GOOD)])
    client = _client(settings, transport)
    assert (await client.complete(request())).value.count == 1
    assert len(transport.payloads) == 2 and client.ledger.reserved_usd == 0.0


@pytest.mark.parametrize(("model", "reasoning"), [
    ("o1", True), ("o1-mini", True), ("o3", True), ("o3-mini-2025-01-31", True),
    ("o4-mini", True), ("O3-MINI", True), ("openai/o3-mini", True),
    ("gpt-5", True), ("gpt-5-mini", True), ("gpt-5-nano", True), ("gpt-5.1", True),
    ("gpt-4o-mini", False), ("gpt-4.1", False), ("gpt-4o", False), ("omni-moderation", False),
    ("gpt-50", False), ("qwen2.5-coder-1.5b-instruct", False), ("llama3.1:8b", False),
    ("my-azure-deployment", False), ("", False),
])
def test_reasoning_model_rule(model: str, reasoning: bool) -> None:
    assert is_reasoning_model(model) is reasoning


def test_reasoning_models_get_max_completion_tokens_and_no_temperature() -> None:
    messages = [{"role": "user", "content": "hi"}]
    fmt = {"type": "json_object"}
    for model in ("o3-mini", "gpt-5-mini"):
        payload = chat_payload(LLMConfig(model=model, temperature=0.3, seed=7), messages,
                               fmt, 4000)
        assert payload == {"model": model, "messages": messages,
                           "max_completion_tokens": 4000, "response_format": fmt, "seed": 7}


def test_other_models_keep_the_recorded_payload_shape() -> None:
    """Cassettes match request bodies byte for byte: same keys, same order."""
    messages = [{"role": "user", "content": "hi"}]
    payload = chat_payload(LLMConfig(model="gpt-4o-mini"), messages, {"type": "json_object"},
                           2048)
    assert json.dumps(payload) == (
        '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], '
        '"temperature": 0.0, "max_tokens": 2048, "response_format": {"type": "json_object"}, '
        '"seed": 0}')
