"""Figure (h) of the bench: the limit arithmetic, and reading the CLI's last line.

The model run itself needs the embedded model and minutes of two cores, so it is a bench
command (``python -m bench --local-only``), not a test; what it relies on is tested here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from factsum.testing.fake_server import FakeServer
from support.hostile import run_factsum, subprocess_env

from bench.report import table
from bench.seeds_run import STATS_LINE, limit_figures


def test_the_limit_is_the_runs_tokens_at_the_servers_speeds() -> None:
    speeds = {"prompt_tokens_per_s": 100.0, "generation_tokens_per_s": 25.0}
    run = {"wall_s": 200.0, "model_ready_s": 10.0, "calls": 60, "prompt_tokens": 15000,
           "completion_tokens": 2000, "articles": 5}
    got = limit_figures(speeds, run)
    assert got["limit_prompt_s"] == 150.0 and got["limit_generation_s"] == 80.0
    assert got["limit_s"] == 230.0
    assert got["ratio_limit_to_wall"] == pytest.approx(1.15)
    assert got["prompt_tokens_per_article"] == 3000
    rows = table({"seeds_cold": got})
    assert "230s = 150s + 80s" in rows and "1.15" in rows


def test_the_stats_line_pattern_reads_the_clis_last_line(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Les pompiers ont évacué 120 habitants du quartier nord lundi soir, "
                       "selon la préfecture.\n", encoding="utf-8")  # a test fixture
    with FakeServer() as server:
        env = subprocess_env(server.base_url, tmp_path / "cache", OPENAI_API_KEY="none",
                             FACTSUM_MODEL="fake-model")
        done = run_factsum(["summarize", str(article), "-o", str(tmp_path / "s.md")], env)
    assert done.returncode == 0, done.stderr
    match = STATS_LINE.search(done.stderr.strip().splitlines()[-1])
    assert match is not None, done.stderr
    assert int(match["calls"]) == 1 and int(match["prompt"]) > 0
