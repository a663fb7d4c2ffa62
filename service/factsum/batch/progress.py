"""Progress of a batch run on stderr: a rich progress bar on a terminal, plain lines otherwise.

Plain lines are for cron and systemd journals: one line per finished event, greppable,
no control characters.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from factsum.batch.report import OK_STATUSES, EventRecord
from factsum.render.escape import reader_text


class BatchProgress(Protocol):
    """What the batch runner reports while it works."""

    def start(self, total: int) -> None: ...

    def event_started(self, event_id: str) -> None: ...

    def event_finished(self, record: EventRecord) -> None: ...

    def note(self, message: str) -> None: ...

    def close(self) -> None: ...


def describe(record: EventRecord) -> str:
    """One line about a finished event."""
    name = reader_text(record.event_id)
    took = f" in {record.duration_s:.1f}s" if record.duration_s is not None else ""
    counts = ""
    if record.stats:
        s = record.stats
        counts = (f" ({_count(s.get('articles', 0), 'article')}, "
                  f"{_count(s.get('points', 0), 'point')}, "
                  f"{_count(s.get('disputes', 0), 'dispute')}, "
                  f"{s.get('not_verified', 0)} not verified)")
    why = f": {reader_text(record.reason)}" if record.reason else ""
    return f"{name}: {record.status}{took}{counts}{why}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class PlainProgress:
    """``factsum: [3/10] event: done in 2.1s (...)`` lines."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.total = 0
        self.finished = 0

    def start(self, total: int) -> None:
        """Remember the number of events."""
        self.total = total

    def event_started(self, event_id: str) -> None:
        """Nothing: one line per event is enough in a log."""

    def event_finished(self, record: EventRecord) -> None:
        """Print one line."""
        self.finished += 1
        self._line(f"[{self.finished}/{self.total}] {describe(record)}")

    def note(self, message: str) -> None:
        """Print a line as is (no markup, no highlighting, no wrapping)."""
        self._line(message)

    def _line(self, message: str) -> None:
        self.console.print(f"factsum: {message}", markup=False, highlight=False,
                           soft_wrap=True)

    def close(self) -> None:
        """Nothing to close."""


class QuietProgress(PlainProgress):
    """``-q``: a line only for an event that failed or is partial."""

    def event_finished(self, record: EventRecord) -> None:
        """Print one line if the event did not end well."""
        self.finished += 1
        if record.status not in OK_STATUSES:
            self._line(f"[{self.finished}/{self.total}] {describe(record)}")

    def note(self, message: str) -> None:
        """Nothing: progress notes are not warnings."""


class RichProgress:
    """A progress bar over the events, with the running ones named beside it."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=False,
        )
        self.task: TaskID | None = None
        self.running: list[str] = []

    def start(self, total: int) -> None:
        """Show the bar."""
        self.progress.start()
        self.task = self.progress.add_task("events", total=total)

    def event_started(self, event_id: str) -> None:
        """Name the event beside the bar."""
        self.running.append(reader_text(event_id))
        self._describe()

    def event_finished(self, record: EventRecord) -> None:
        """Advance the bar and log the event above it."""
        name = reader_text(record.event_id)
        if name in self.running:
            self.running.remove(name)
        self.progress.console.log(describe(record), markup=False, highlight=False)
        if self.task is not None:
            self.progress.advance(self.task)
        self._describe()

    def note(self, message: str) -> None:
        """Log a line above the bar."""
        self.progress.console.log(message, markup=False, highlight=False)

    def close(self) -> None:
        """Stop refreshing the bar."""
        self.progress.stop()

    def _describe(self) -> None:
        if self.task is not None:
            shown = ", ".join(self.running[:3]) + (" …" if len(self.running) > 3 else "")
            self.progress.update(self.task, description=f"events {shown}".strip())


def make_progress(console: Console, *, quiet: bool = False) -> BatchProgress:
    """A rich bar on a terminal, plain lines otherwise; with ``quiet`` only the lines of
    events that failed or are partial."""
    if quiet:
        return QuietProgress(console)
    return RichProgress(console) if console.is_terminal else PlainProgress(console)
