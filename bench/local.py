"""Figure (f): the embedded server's generation speed against llama-cpp-python's own loop
(``Llama.create_chat_completion``) on the same model and prompt: the serving overhead.

Both stream the answer; generation speed is (chunks - 1) / (time of last chunk - time of
first chunk), so prompt processing is left out. One warm-up request each, then ``runs``
of each, taken in turn.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from factsum.localmodel import DEFAULT_MODEL, LocalServer, resolve_model, server_available
from factsum.settings import Settings

PROMPT = [
    {"role": "system", "content": "You are a news assistant. Answer in plain English."},
    {"role": "user", "content": (
        "Write a long, detailed report about a storm that hit a coastal town: the damage, "
        "the rescue work, the number of people evacuated, and what officials said.")},
]


def stream_speed(chunks: Iterable[Any], text_of: Any) -> tuple[float, float, int]:
    """(seconds to first chunk, tokens/s after it, chunks) of a streamed answer."""
    started = time.perf_counter()
    stamps = []
    for chunk in chunks:
        if text_of(chunk):
            stamps.append(time.perf_counter())
    if len(stamps) < 2:
        return (stamps[0] - started if stamps else 0.0), 0.0, len(stamps)
    return stamps[0] - started, (len(stamps) - 1) / (stamps[-1] - stamps[0]), len(stamps)


def _alternating_runs(path: Path, name: str, runs: int, max_tokens: int
                      ) -> tuple[list[tuple[float, float, int]], list[tuple[float, float, int]]]:
    """(server runs, in-process runs), taken in turn: this machine's speed drifts over
    minutes, and runs side by side see the same drift. Both models are loaded first (one
    warm-up each); they never generate at the same time."""
    import openai
    from llama_cpp import Llama

    threads = max(1, os.cpu_count() or 1)
    server_out: list[tuple[float, float, int]] = []
    inproc_out: list[tuple[float, float, int]] = []
    with LocalServer(path, alias=name) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="not-needed", max_retries=0,
                               timeout=600)
        llm = Llama(model_path=str(path), n_ctx=8192, n_threads=threads,
                    n_threads_batch=threads, seed=0, verbose=False)
        try:
            for run in range(runs + 1):
                stream = client.chat.completions.create(
                    model=name, messages=cast(Any, PROMPT), max_tokens=max_tokens,
                    temperature=0.0, seed=0, stream=True)
                served = stream_speed(stream, lambda c: c.choices and c.choices[0].delta.content)
                local = stream_speed(
                    llm.create_chat_completion(messages=cast(Any, PROMPT),
                                               max_tokens=max_tokens, temperature=0.0,
                                               seed=0, stream=True),
                    lambda c: c["choices"][0]["delta"].get("content"))
                if run:  # the first pair warms both up
                    server_out.append(served)
                    inproc_out.append(local)
        finally:
            llm.close()
            client.close()
    return server_out, inproc_out


def local_figures(settings: Settings, *, model: str = DEFAULT_MODEL.name, runs: int = 5,
                  max_tokens: int = 64) -> dict[str, Any]:
    """Server vs in-process generation speed, or a note saying why it was skipped."""
    if not server_available() or importlib.util.find_spec("openai") is None:
        return {"skipped": "llama-cpp-python[server] is not installed (the [local] extra)"}
    try:
        name, path = resolve_model(settings.local_model_path, settings.data_dir, model)
    except Exception as exc:  # a failure is reported, not raised
        return {"skipped": f"local model unavailable: {exc}"}
    server, inproc = _alternating_runs(path, name, runs, max_tokens)
    s_tps = statistics.median(r[1] for r in server)
    i_tps = statistics.median(r[1] for r in inproc)
    return {
        "model": name,
        "max_tokens": max_tokens,
        "runs": runs,
        "server_tokens_per_s": round(s_tps, 2),
        "inprocess_tokens_per_s": round(i_tps, 2),
        "serving_overhead": round(1 - s_tps / i_tps, 3) if i_tps else None,
        "server_first_chunk_s": round(statistics.median(r[0] for r in server), 3),
        "inprocess_first_chunk_s": round(statistics.median(r[0] for r in inproc), 3),
        "chunks": [r[2] for r in server] + [r[2] for r in inproc],
    }
