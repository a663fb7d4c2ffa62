"""What a batch run tells its reader: ``index.md`` and the machine-readable ``run-report.json``.

Both are rewritten (atomically) after every event, so a run killed half-way still leaves
an index of what it finished; ``status`` in the report says ``running`` until the end.
Event ids, headlines and reasons are untrusted text and go through ``factsum.render.escape``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factsum.models import Usage
from factsum.outputs import write_atomic
from factsum.render.escape import escape_inline, escape_table_cell
from factsum.version import __version__

REPORT_FORMAT = 1
INDEX_NAME = "index.md"
REPORT_NAME = "run-report.json"

PENDING, DONE, UNCHANGED, PARTIAL, FAILED = "pending", "done", "unchanged", "partial", "failed"
STATUSES = (DONE, UNCHANGED, PARTIAL, FAILED, PENDING)
OK_STATUSES = frozenset({DONE, UNCHANGED})
STAT_KEYS = ("articles", "points", "disputes", "not_verified")


@dataclass
class EventRecord:
    """One event's outcome in this run."""

    event_id: str
    dirname: str
    status: str = PENDING
    reason: str = ""  # why it failed, or what went partly wrong
    duration_s: float | None = None
    headline: str = ""
    stats: dict[str, int] = field(default_factory=dict)  # STAT_KEYS
    input_errors: list[str] = field(default_factory=list)
    article_errors: dict[str, str] = field(default_factory=dict)
    usage: Usage | None = None
    fingerprint: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def has_outputs(self) -> bool:
        """Whether summary.md/json were written for this event (in this run or before)."""
        return self.status in (DONE, UNCHANGED, PARTIAL)

    def to_json(self) -> dict[str, Any]:
        """The record as it appears in run-report.json."""
        return {
            "event_id": self.event_id,
            "dir": self.dirname if self.has_outputs else None,
            "status": self.status,
            "reason": self.reason or None,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "headline": self.headline or None,
            "counts": self.stats or None,
            "input_errors": self.input_errors,
            "article_errors": self.article_errors,
            "usage": self.usage.model_dump() if self.usage is not None else None,
            "fingerprint": self.fingerprint or None,
            "metadata": self.metadata,
        }


@dataclass
class BatchRun:
    """Run-level facts for the report and the index header."""

    source: str
    out_dir: Path
    model: str
    language: str
    created: str
    started_at: str
    via_batch_api: bool = False
    finished_at: str | None = None
    duration_s: float = 0.0
    status: str = "running"  # running | finished | interrupted
    fatal: str | None = None  # a configuration error that stopped the run


def status_counts(records: list[EventRecord]) -> dict[str, int]:
    """How many events ended in each status."""
    return {s: sum(r.status == s for r in records) for s in STATUSES}


def build_report(
    info: BatchRun,
    records: list[EventRecord],
    ledger_report: dict[str, Any],
    batch_api: dict[str, Any] | None,
) -> dict[str, Any]:
    """The run report: counts, durations, model usage from the ledger, failures."""
    problems = [r for r in records if r.status in (FAILED, PARTIAL)]
    return {
        "format": REPORT_FORMAT,
        "factsum_version": __version__,
        "status": info.status,
        "fatal_error": info.fatal,
        "started_at": info.started_at,
        "finished_at": info.finished_at,
        "duration_s": round(info.duration_s, 3),
        "input": info.source,
        "model": info.model,
        "language": info.language,
        "created": info.created,
        "via_batch_api": info.via_batch_api,
        "events": {"total": len(records), **status_counts(records)},
        "usage": ledger_report.get("total", {}),
        "failed_requests": ledger_report.get("failed_requests", 0),
        "cache_saved_usd": ledger_report.get("cache_saved_usd", 0.0),
        "budget_usd": ledger_report.get("budget_usd"),
        "unpriced_models": ledger_report.get("unpriced_models", []),
        "batch_api": batch_api,
        "failures": [
            {"event_id": r.event_id, "status": r.status, "reason": r.reason} for r in problems
        ],
        "event_list": [r.to_json() for r in records],
        "per_article_usage": ledger_report.get("per_article", {}),
    }


def render_index(info: BatchRun, records: list[EventRecord], usage: Usage) -> str:
    """index.md: one table row per event with its counts and status, then the problems."""
    counts = status_counts(records)
    when = f"started {info.started_at}"
    if info.finished_at:
        when += f", finished {info.finished_at} ({info.duration_s:.1f} s)"
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [
        f"# factsum batch: {len(records)} events",
        "",
        f"Run {info.status}: {when}. Model {escape_inline(info.model)}, summary language "
        f"{escape_inline(info.language)}{', via the Batch API' if info.via_batch_api else ''}.",
        "",
        f"{tally}. {usage.requests} model calls, {usage.cache_hits} cache hits, "
        f"{usage.prompt_tokens + usage.completion_tokens} tokens, ${usage.cost_usd:.4f}. "
        f"Details: [run report]({REPORT_NAME}).",
        "",
    ]
    if info.fatal:
        lines += [f"**Run stopped:** {escape_inline(info.fatal)}", ""]
    lines += [
        "| Event | Status | Articles | Points | Disputes | Not verified | Headline |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in records:
        name = escape_table_cell(r.event_id) or "(no id)"
        # Folder names are [a-z0-9._-] only (safe_dirname), so they are safe in a link.
        cell = f"[{name}]({r.dirname}/summary.md)" if r.has_outputs else name
        nums = [str(r.stats[k]) if k in r.stats else "–" for k in STAT_KEYS]
        lines.append(f"| {cell} | {r.status} | {' | '.join(nums)} | "
                     f"{escape_table_cell(r.headline)} |")
    notes = [r for r in records if r.reason or r.input_errors]
    if notes:
        lines += ["", "## Problems", ""]
        for r in notes:
            detail = r.reason or ""
            if r.input_errors:
                skipped = "; ".join(r.input_errors[:5])
                more = f" (+{len(r.input_errors) - 5} more)" if len(r.input_errors) > 5 else ""
                detail = f"{detail} inputs skipped: {skipped}{more}".strip()
            lines.append(f"- **{escape_inline(r.event_id)}** ({r.status}): "
                         f"{escape_inline(detail)}")
    return "\n".join(lines) + "\n"


def write_run_files(info: BatchRun, records: list[EventRecord], ledger_report: dict[str, Any],
                    batch_api: dict[str, Any] | None) -> dict[str, Any]:
    """Write index.md and run-report.json atomically into OUT_DIR; returns the report."""
    report = build_report(info, records, ledger_report, batch_api)
    usage = Usage.model_validate(ledger_report.get("total", {}))
    write_atomic(info.out_dir / REPORT_NAME,
                 json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    write_atomic(info.out_dir / INDEX_NAME, render_index(info, records, usage))
    return report
