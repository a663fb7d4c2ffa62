"""``python -m bench [--quick] [--faults] [--local | --local-only]``: the benchmark
table, then one JSON line with every figure (see bench/PERFORMANCE.md for each one)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.batch import run_batch_figures
from bench.corpus import events
from bench.faults import fault_figures
from bench.report import table

SEQUENTIAL_EVENTS = 2
"""Events run one request at a time (scaled to the whole batch by requests), and run
again at slower server latencies: an article makes dozens of requests, and the whole
corpus at 2 s per request would take many minutes for a ratio that a part shows."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="smaller samples (under a minute)")
    p.add_argument("--faults", action="store_true",
                   help="only the clean batch and the fault run")
    p.add_argument("--local", action="store_true",
                   help="also (f) embedded server vs llama-cpp-python's own loop and (h) "
                        "the seeds' cold run against the limit of its tokens")
    p.add_argument("--local-only", action="store_true",
                   help="only (f) and (h), without the fake-server sections")
    p.add_argument("--local-model", default=None, help="local model name (default: factsum's)")
    p.add_argument("--events", type=int, default=None, help="default 20 (--quick: 5)")
    p.add_argument("--per-event", type=int, default=10)
    p.add_argument("--latency", type=float, default=0.2, help="fake server seconds/request")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--json", type=Path, help="also write the results here")
    return p


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version()}


def _sections(args: argparse.Namespace, tmp: Path, results: dict[str, Any]) -> None:
    corpus = events(args.events, args.per_event)
    if not args.faults:
        from bench.overhead import overhead_section

        _progress("client overhead per article (in-process transport)")
        results["overhead"] = overhead_section(quick=args.quick, n_events=args.events,
                                               per_event=args.per_event, tmp=tmp / "overhead")
    _progress(f"batch: {len(corpus)} events x {args.per_event} articles, "
              f"{args.latency}s/request, concurrency {args.concurrency}")
    batch = run_batch_figures(corpus, tmp / "batch", latency_s=args.latency,
                              concurrency=args.concurrency,
                              sequential_events=SEQUENTIAL_EVENTS)
    results["batch"] = batch.figures
    if not args.quick and not args.faults:
        from bench.batch import efficiency_sweep

        _progress("efficiency at other latencies")
        results["batch"]["efficiency_by_latency"] = efficiency_sweep(
            corpus[:SEQUENTIAL_EVENTS], tmp / "sweep", latencies=(1.0, 2.0),
            concurrency=args.concurrency)
    if not args.faults:
        from bench.nightly import nightly_figures

        _progress("nightly batch job: cold run, then warm rerun")
        results["nightly"] = nightly_figures(corpus, tmp / "nightly", latency_s=args.latency,
                                             concurrency=args.concurrency)
    _progress("fault run")
    results["faults"] = fault_figures(corpus, tmp / "faults", clean=batch.cold,
                                      clean_requests=batch.cold_requests,
                                      latency_s=args.latency, concurrency=args.concurrency)
    if args.faults:
        return
    from bench.runner import LANGUAGE, bench_settings
    from bench.tokens import token_economy

    items = [a for e in corpus for a in e.articles]
    results["tokens"] = token_economy(items, bench_settings("http://127.0.0.1:9/v1", tmp),
                                      LANGUAGE)
    from bench.scale import independence_scaling

    articles = (250, 1000) if args.quick else (250, 500, 1000, 2000)
    _progress(f"independence memory, {articles} articles sharing one sentence")
    results["independence_scaling"] = independence_scaling(articles)


def _local_sections(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from factsum.localmodel import DEFAULT_MODEL
    from factsum.settings import Settings

    from bench.local import local_figures
    from bench.seeds_run import seeds_figures

    settings = Settings.from_env()
    model = args.local_model or DEFAULT_MODEL.name
    _progress("local model: server vs in-process generation")
    results["local"] = local_figures(settings, model=model)
    _progress("local model: prompt and generation speeds, then the seeds' cold run")
    results["seeds_cold"] = seeds_figures(settings, model=model)


def main(argv: list[str] | None = None) -> int:
    """Run the selected sections; print the table, then the JSON line."""
    args = _parser().parse_args(argv)
    if args.events is None:
        args.events = 5 if args.quick else 20
    logging.basicConfig(level=logging.ERROR)  # retries and unpriced-model notes are expected
    started = time.perf_counter()
    results: dict[str, Any] = {"mode": "local-only" if args.local_only else
                               "faults" if args.faults else
                               ("quick" if args.quick else "full"),
                               "machine_before": _machine()}
    with tempfile.TemporaryDirectory(prefix="factsum-bench-") as tmp:
        if not args.local_only:
            _sections(args, Path(tmp), results)
        if args.local or args.local_only:
            _local_sections(args, results)
    results["machine_after"] = _machine()
    results["bench_wall_s"] = round(time.perf_counter() - started, 1)
    print(table(results))
    line = json.dumps(results, separators=(",", ":"), sort_keys=True)
    if args.json:
        args.json.write_text(line + "\n", encoding="utf-8")
    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
