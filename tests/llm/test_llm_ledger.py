"""Ledger: costs, rollups, unknown models, price files, budget, thread safety."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from factsum.errors import BudgetExceededError, BudgetReservationError, ConfigError
from factsum.llm.base import CallTag
from factsum.llm.config import DEFAULT_PRICES, Price, load_prices
from factsum.llm.ledger import Ledger, Usage, find_price, summarize
from factsum.settings import Settings

A1 = CallTag("extract", "ev1", "a1")
A2 = CallTag("extract", "ev1", "a2")
B1 = CallTag("extract", "ev2", "b1")
R1 = CallTag("reconcile", "ev1")


def _filled() -> Ledger:
    ledger = Ledger()
    ledger.record(A1, model="gpt-4o-mini", prompt_tokens=1000, completion_tokens=200)
    ledger.record(A1, model="gpt-4o-mini", prompt_tokens=1500, completion_tokens=100,
                  reask=True, retries=2)
    ledger.record(A2, model="gpt-4o-mini", prompt_tokens=800, completion_tokens=50, cached=True)
    ledger.record(R1, model="gpt-4o", prompt_tokens=3000, completion_tokens=500)
    ledger.record(B1, model="gpt-4o-mini", retries=5, failed=True)
    return ledger


def test_costs_follow_the_price_table() -> None:
    ledger = Ledger()
    rec = ledger.record(A1, model="gpt-4o", prompt_tokens=1_000_000, completion_tokens=500_000)
    assert rec.cost_usd == pytest.approx(2.50 + 5.00) and rec.priced
    assert ledger.spent_usd == pytest.approx(7.50)


def test_prefix_lookup_prefers_the_longest_match() -> None:
    assert find_price(DEFAULT_PRICES, "gpt-4o-mini-2024-07-18") == DEFAULT_PRICES["gpt-4o-mini"]
    assert find_price(DEFAULT_PRICES, "gpt-4o-2024-08-06") == DEFAULT_PRICES["gpt-4o"]
    assert find_price(DEFAULT_PRICES, "llama-3") is None
    assert find_price(DEFAULT_PRICES, "") is None


def test_azure_deployment_priced_by_the_served_model() -> None:
    rec = Ledger().record(A1, model="my-deploy", response_model="gpt-4o-mini-2024-07-18",
                          prompt_tokens=1_000_000)
    assert rec.priced and rec.cost_usd == pytest.approx(0.15)


def test_unknown_model_costs_zero_and_is_flagged(caplog: pytest.LogCaptureFixture) -> None:
    ledger = Ledger()
    with caplog.at_level(logging.WARNING, logger="factsum.llm"):
        ledger.record(A1, model="mystery-7b", prompt_tokens=10_000)
        ledger.record(A2, model="mystery-7b", prompt_tokens=10_000)
    assert ledger.spent_usd == 0.0
    assert ledger.unpriced_models == {"mystery-7b"}
    assert ledger.report()["unpriced_models"] == ["mystery-7b"]
    assert caplog.text.count("mystery-7b") == 1  # warned once


def test_totals_equal_the_sum_of_recorded_usage() -> None:
    ledger = _filled()
    records = ledger.records
    total = ledger.usage()
    spent = [r for r in records if not r.cached]
    assert total.requests == len(spent) == 4
    assert total.cache_hits == 1
    assert total.prompt_tokens == sum(r.prompt_tokens for r in spent)
    assert total.completion_tokens == sum(r.completion_tokens for r in spent)
    assert total.retries == 7 and total.reasks == 1
    assert total.cost_usd == pytest.approx(sum(r.cost_usd for r in records))
    assert total.cost_usd == pytest.approx(ledger.spent_usd)
    # Rollups partition the run.
    for rollup in (ledger.per_event(), ledger.per_article()):
        assert sum(u.prompt_tokens for u in rollup.values()) == total.prompt_tokens
        assert sum(u.cost_usd for u in rollup.values()) == pytest.approx(total.cost_usd)
        assert sum(u.requests + u.cache_hits for u in rollup.values()) == len(records)


def test_the_running_total_is_the_rollup_of_the_records_and_a_copy() -> None:
    ledger = _filled()
    total = ledger.usage()
    assert total == summarize(ledger.records)
    total.requests += 100  # the caller's copy, not the ledger's running total
    assert ledger.usage() == summarize(ledger.records)


def test_rollups_per_event_and_article() -> None:
    ledger = _filled()
    assert set(ledger.per_event()) == {"ev1", "ev2"}
    assert set(ledger.per_article()) == {"a1", "a2", "b1", ""}
    a1 = ledger.usage(article_id="a1")
    assert (a1.requests, a1.prompt_tokens, a1.reasks, a1.retries) == (2, 2500, 1, 2)
    ev1 = ledger.usage(event_id="ev1")
    assert isinstance(ev1, Usage) and ev1.requests == 3 and ev1.cache_hits == 1
    assert ledger.usage(event_id="ev1", purpose="reconcile").prompt_tokens == 3000
    assert ledger.usage(event_id="ev2").retries == 5
    assert ledger.usage(event_id="no such event").requests == 0


def test_report_is_json_ready() -> None:
    report = _filled().report()
    json.dumps(report)
    assert report["total"]["requests"] == 4
    assert report["failed_requests"] == 1
    assert report["cache_saved_usd"] == pytest.approx((800 * 0.15 + 50 * 0.60) / 1e6)
    assert set(report["per_event"]) == {"ev1", "ev2"}


def test_reservations_hold_the_cap_and_are_released_by_record() -> None:
    # gpt-4o: $2.50 per 1M prompt tokens, $10 per 1M completion tokens.
    ledger = Ledger(budget_usd=1.0)
    first = ledger.reserve("gpt-4o", prompt_tokens=200_000, completion_tokens=0)  # $0.50
    second = ledger.reserve("gpt-4o", prompt_tokens=0, completion_tokens=50_000)  # $0.50
    assert ledger.reserved_usd == pytest.approx(1.0) and ledger.spent_usd == 0.0
    with pytest.raises(BudgetReservationError) as info:  # nothing spent, all held
        ledger.reserve("gpt-4o", prompt_tokens=1, completion_tokens=0)
    assert isinstance(info.value, BudgetExceededError)
    assert (info.value.spent_usd, info.value.budget_usd) == (0.0, 1.0)
    assert info.value.held_usd == pytest.approx(1.0)
    assert "would be exceeded" in str(info.value) and "\n" not in str(info.value)
    # The first call was cheaper than its worst case: the difference comes back.
    ledger.record(A1, model="gpt-4o", prompt_tokens=100_000, reservation=first)  # $0.25
    assert ledger.reserved_usd == pytest.approx(0.5)
    ledger.reserve("gpt-4o", prompt_tokens=90_000, completion_tokens=0)  # $0.225 fits
    ledger.release(second)
    ledger.release(second)  # twice: no effect
    ledger.record(A1, model="gpt-4o", reservation=first)  # already released: no effect
    assert ledger.reserved_usd == pytest.approx(0.225)


def test_a_reservation_that_fits_exactly_is_allowed_and_nothing_held_means_zero() -> None:
    ledger = Ledger(budget_usd=0.5)
    hold = ledger.reserve("gpt-4o", prompt_tokens=200_000, completion_tokens=0)  # $0.50
    ledger.release(hold)
    assert ledger.reserved_usd == 0.0


def test_without_a_budget_or_a_price_nothing_is_refused() -> None:
    Ledger().reserve("gpt-4o", prompt_tokens=10**9, completion_tokens=10**9)
    hold = Ledger(budget_usd=0.0).reserve("mystery-7b", prompt_tokens=10**6,
                                          completion_tokens=10**6)
    assert hold.usd == 0.0


def test_an_azure_deployment_is_reserved_at_the_price_of_the_model_behind_it() -> None:
    ledger = Ledger(budget_usd=0.10)
    assert ledger.reserve("my-deploy", prompt_tokens=10**6, completion_tokens=0).usd == 0.0
    ledger.record(A1, model="my-deploy", response_model="gpt-4o-mini-2024-07-18")
    with pytest.raises(BudgetReservationError):  # 1M prompt tokens of gpt-4o-mini: $0.15
        ledger.reserve("my-deploy", prompt_tokens=10**6, completion_tokens=0)


def test_negative_prices_are_refused_naming_the_model(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"cheap-model": {"prompt": -17.5, "completion": 1.0}}))
    with pytest.raises(ConfigError, match=r"prices\.json: cheap-model: prompt: .*0") as info:
        load_prices(path)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError):
        Price(prompt=0.0, completion=-1.0)


def test_load_prices_extends_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"llama-3": {"prompt": 0.2, "completion": 0.4},
                                "gpt-4o": {"prompt": 1.0, "completion": 2.0}}))
    table = load_prices(path)
    assert table["llama-3"] == Price(prompt=0.2, completion=0.4)
    assert table["gpt-4o"] == Price(prompt=1.0, completion=2.0)
    assert table["gpt-4o-mini"] == DEFAULT_PRICES["gpt-4o-mini"]
    rec = Ledger(table).record(A1, model="llama-3-8b", prompt_tokens=1_000_000)
    assert rec.cost_usd == pytest.approx(0.2)


@pytest.mark.parametrize(
    "content", ["{not json", "[1, 2]", '{"m": {"prompt": "free"}}', '{"m": {"prompt": 1}}']
)
def test_load_prices_rejects_bad_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="price table"):
        load_prices(path)
    with pytest.raises(ConfigError):
        load_prices(tmp_path / "missing.json")


def test_concurrent_records_are_all_counted() -> None:
    ledger = Ledger()

    def work() -> None:
        for _ in range(500):
            ledger.record(A1, model="gpt-4o-mini", prompt_tokens=1, completion_tokens=1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = ledger.usage()
    assert usage.requests == 4000 and usage.prompt_tokens == 4000


def test_summarize_empty() -> None:
    assert summarize([]) == Usage()


def test_settings_from_env_reads_factsum_prices(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"qwen": {"prompt": 0.01, "completion": 0.02}}))
    settings = Settings.from_env({"FACTSUM_PRICES": str(path)})
    assert settings.prices["qwen"] == Price(prompt=0.01, completion=0.02)
    assert settings.prices["gpt-4o"] == DEFAULT_PRICES["gpt-4o"]
