"""Figure (h): the embedded model's cold run on the seeds against the limit of its tokens.

In one run on one machine:
1. the embedded server's prompt speed (a long prompt no earlier request shares, answered
   with one token: prompt tokens / seconds) and generation speed (a streamed answer:
   tokens after the first chunk / their seconds), medians of ``runs`` each;
2. the README's first command, ``factsum summarize seeds/ -o summary.md``, with a fresh
   cache directory, timed from start to exit, its tokens read from its last line;
3. the limit: prompt tokens / prompt speed + generated tokens / generation speed, the
   time the server needs for those tokens alone, and the ratio limit / wall time.

The server of step 1 is stopped before step 2 starts: two model servers never share the
two cores. The limit counts every prompt token as new, while the server reuses the
cached prefix of the instructions each call shares, so the ratio can exceed 1.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

from factsum.localmodel import DEFAULT_MODEL, LocalServer, resolve_model, server_available
from factsum.settings import Settings

from bench.local import stream_speed

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

STATS_LINE = re.compile(
    r"(?P<calls>\d+) model calls, (?P<hits>\d+) cache hits, .*?"
    r"(?P<prompt>\d+)\+(?P<completion>\d+) tokens")
"""The CLI's last stderr line: ``60 model calls, 0 cache hits, ..., 15087+1881 tokens``."""


def _prompt_text() -> str:
    """A long prompt of real article text (the seeds' longest file, cut to ~3,000 chars)."""
    longest = max(SEEDS.iterdir(), key=lambda p: p.stat().st_size)
    return longest.read_text(encoding="utf-8", errors="replace")[:3000]


def server_speeds(path: Path, name: str, *, runs: int = 3) -> dict[str, Any]:
    """Median prompt and generation speeds (tokens/s) of the embedded server."""
    import openai

    text = _prompt_text()
    prompt_runs: list[float] = []
    gen_runs: list[float] = []
    with LocalServer(path, alias=name) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="not-needed",
                               max_retries=0, timeout=600)
        try:
            for run in range(runs + 1):  # the first of each warms the server up
                # A different first line each time: no prefix is shared with the last
                # request, so every prompt token is evaluated.
                started = time.perf_counter()
                answer = client.chat.completions.create(
                    model=name, max_tokens=1, temperature=0.0, seed=0,
                    messages=[{"role": "user", "content": f"Text {run} of {runs}.\n{text}"}])
                seconds = time.perf_counter() - started
                tokens = answer.usage.prompt_tokens if answer.usage else 0
                stream = client.chat.completions.create(
                    model=name, max_tokens=64, temperature=0.0, seed=0, stream=True,
                    messages=[{"role": "user", "content": (
                        f"Run {run}. Write a long report about a storm that hit a coastal "
                        "town: the damage, the rescue work and what officials said.")}])
                gen = stream_speed(stream, lambda c: c.choices and c.choices[0].delta.content)[1]
                if run:
                    prompt_runs.append(tokens / seconds)
                    gen_runs.append(gen)
        finally:
            client.close()
    return {"prompt_tokens_per_s": round(statistics.median(prompt_runs), 1),
            "generation_tokens_per_s": round(statistics.median(gen_runs), 1),
            "prompt_runs": [round(x, 1) for x in prompt_runs],
            "generation_runs": [round(x, 1) for x in gen_runs]}


def cold_seeds_run(settings: Settings) -> dict[str, Any]:
    """``factsum summarize seeds/ -o summary.md`` with a fresh cache: wall time, the time
    until the model server answered, calls and tokens."""
    with tempfile.TemporaryDirectory(prefix="factsum-seeds-") as tmp:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OPENAI_", "AZURE_", "FACTSUM_"))}
        env.update(FACTSUM_CACHE_DIR=str(Path(tmp) / "cache"),
                   FACTSUM_DATA_DIR=str(settings.data_dir))
        if settings.local_model_path:
            env["FACTSUM_LOCAL_MODEL"] = str(settings.local_model_path)
        command = [sys.executable, "-m", "factsum", "summarize", str(SEEDS),
                   "-o", str(Path(tmp) / "summary.md")]
        started = time.perf_counter()
        ready_s = None
        last = ""
        with subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) as proc:
            for line in cast(Any, proc.stderr):
                if ready_s is None and "local model ready" in line:
                    ready_s = time.perf_counter() - started
                if line.strip():
                    last = line.strip()
            status = proc.wait()
        wall = time.perf_counter() - started
    match = STATS_LINE.search(last)
    if status != 0 or match is None:
        return {"failed": f"exit status {status}: {last[:200]}"}
    return {"wall_s": round(wall, 1), "model_ready_s": round(ready_s or 0.0, 1),
            "calls": int(match["calls"]), "prompt_tokens": int(match["prompt"]),
            "completion_tokens": int(match["completion"]),
            "articles": sum(1 for p in SEEDS.iterdir() if p.is_file())}


def seeds_figures(settings: Settings, *, model: str = DEFAULT_MODEL.name) -> dict[str, Any]:
    """Speeds, the cold run and the ratio of the limit to its wall time (or why skipped)."""
    if not server_available():
        return {"skipped": "llama-cpp-python[server] is not installed (embedded-model extra)"}
    try:
        name, path = resolve_model(settings.local_model_path, settings.data_dir, model)
    except Exception as exc:  # a failure is reported, not raised
        return {"skipped": f"local model unavailable: {exc}"}
    speeds = server_speeds(path, name)
    run = cold_seeds_run(settings)
    return {**speeds, **run} if "failed" in run else limit_figures(speeds, run)


def limit_figures(speeds: dict[str, Any], run: dict[str, Any]) -> dict[str, Any]:
    """The run's tokens at the server's speeds (the limit), per article, and limit / wall."""
    prompt_s = run["prompt_tokens"] / speeds["prompt_tokens_per_s"]
    generation_s = run["completion_tokens"] / speeds["generation_tokens_per_s"]
    limit = prompt_s + generation_s
    return {
        **speeds, **run,
        "prompt_tokens_per_article": round(run["prompt_tokens"] / run["articles"]),
        "completion_tokens_per_article": round(run["completion_tokens"] / run["articles"]),
        "limit_prompt_s": round(prompt_s, 1),
        "limit_generation_s": round(generation_s, 1),
        "limit_s": round(limit, 1),
        "ratio_limit_to_wall": round(limit / run["wall_s"], 2),
    }
