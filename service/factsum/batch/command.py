"""The nightly batch job: ``factsum batch INPUT --out OUT_DIR``.

Every event of INPUT (see ``factsum.batch.inputs``) becomes ``OUT_DIR/<folder>/summary.md``
and ``summary.json``; the run writes ``OUT_DIR/index.md`` and ``OUT_DIR/run-report.json``.

* Events run concurrently (at most ``max_concurrency`` at once) on one shared LLM client,
  whose semaphore bounds the requests of all events and articles together.
* Idempotent and resumable: an event whose fingerprint is unchanged and whose outputs
  exist is skipped; outputs are written atomically, then the state file. A run killed at
  any point loses no finished event, and the response cache keeps every finished model
  call, so the re-run asks the model only for what was not answered.
* One lock per OUT_DIR: a second run refuses at once with a one-line message.
* One event's failure never stops the others; exit status 0 all done, 1 some failed or
  partial, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from rich.console import Console

from factsum.batch.api import BatchApiConfig, with_batch_prices
from factsum.batch.inputs import discover_events
from factsum.batch.progress import BatchProgress, PlainProgress, make_progress
from factsum.batch.report import EventRecord, status_counts
from factsum.batch.run import BatchOptions, BatchOutcome, BatchRunner
from factsum.batch.state import META_DIRNAME, remove_stale_temps, run_lock
from factsum.errors import BatchLockedError, ConfigError
from factsum.llm.client import LLMClient
from factsum.pipeline.run import responsive_event_loop
from factsum.settings import Settings

__all__ = [
    "BatchApiConfig",
    "BatchLockedError",
    "BatchOptions",
    "BatchOutcome",
    "EventRecord",
    "LLMFactory",
    "arun_batch",
    "run_batch",
    "run_batch_cli",
]

LLMFactory = Callable[[Settings], AbstractAsyncContextManager[LLMClient]]
"""Opens the run's one LLM client for the given settings (default: ``open_llm``)."""


async def arun_batch(
    options: BatchOptions,
    settings: Settings,
    *,
    llm_factory: LLMFactory | None = None,
    progress: BatchProgress | None = None,
    batch_api: BatchApiConfig | None = None,
) -> BatchOutcome:
    """Run the batch job; see the module docstring.

    ``llm_factory`` opens the run's LLM client from the settings it is given (tests and
    benchmarks inject a scripted one); it must build a fresh client whose ledger starts
    empty, because the run report is that ledger's report.
    Raises ``ConfigError`` for bad usage (INPUT missing, no events) and
    ``BatchLockedError`` when another run holds OUT_DIR.
    """
    from factsum.backend import effective_settings, open_llm

    specs = discover_events(options.input, options.out)
    if options.out.exists() and not options.out.is_dir():
        raise ConfigError(f"--out {options.out}: exists and is not a folder")
    options.out.mkdir(parents=True, exist_ok=True)
    shown = progress or PlainProgress(Console(stderr=True))
    conf = with_batch_prices(settings) if options.via_batch_api else settings
    with run_lock(options.out):
        for folder in (options.out, options.out / META_DIRNAME,
                       options.out / META_DIRNAME / "state"):
            remove_stale_temps(folder)
        try:
            async with (llm_factory or open_llm)(conf) as client:
                with responsive_event_loop():
                    return await BatchRunner(options, client, shown, batch_api,
                                             settings=effective_settings(conf)).run(specs)
        finally:
            shown.close()


def run_batch(options: BatchOptions, settings: Settings, **kwargs: Any) -> BatchOutcome:
    """Synchronous :func:`arun_batch`."""
    return asyncio.run(arun_batch(options, settings, **kwargs))


def run_batch_cli(args: argparse.Namespace, settings: Settings, err_console: Console) -> int:
    """``factsum batch``: run, print a one-line summary, return the exit status."""
    options = BatchOptions(
        input=args.input, out=args.out, language=args.language, created=args.created,
        via_batch_api=bool(args.via_batch_api),
    )
    # ConfigError and BatchLockedError (one of them) reach the CLI's handler: one line,
    # exit status 2.
    quiet = bool(getattr(args, "quiet", False))
    outcome = run_batch(options, settings, progress=make_progress(err_console, quiet=quiet))
    counts = status_counts(outcome.records)
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    if not quiet or outcome.exit_status != 0:
        err_console.print(
            f"factsum: {len(outcome.records)} events: {tally}; "
            f"see {options.out / 'index.md'} and {options.out / 'run-report.json'}",
            markup=False, highlight=False, soft_wrap=True)
    if outcome.fatal:
        err_console.print(f"factsum: error: {outcome.fatal}", markup=False, highlight=False,
                          soft_wrap=True)
    return outcome.exit_status
