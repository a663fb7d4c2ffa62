"""Command line: ``factsum summarize | batch | cache | serve-local``.

Every expected failure becomes one line on stderr (no traceback unless --debug; with
--debug the traceback comes first and the exit status stays the same). Each rejected
input gets its own line naming it. Exit status: 0 ok, 1 model/run failure (or some
batch events failed), 2 bad usage, configuration or input (nothing usable left).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import math
import os
import re
import signal
import sys
import textwrap
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from factsum.errors import ConfigError, FactsumError, InputError, NoUsableInputError
from factsum.exit_status import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from factsum.ingest.clean import without_surrogates
from factsum.ingest.readers import (
    DEFAULT_MAX_BYTES,
    KNOWN_SUFFIXES,
    NamedBytes,
    check_language_code,
)
from factsum.render.markdown import render_markdown
from factsum.settings import Settings
from factsum.version import __version__

STDIN = Path("-")

# ------------------------------------------------------------------------ arguments


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one ``factsum: error: ...`` line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"factsum: error: {printable_line(message)} "
                              f"(see {self.prog} --help)\n")


def _value_error(convert: Callable[[str], object]) -> Callable[[str], object]:
    """An argparse ``type`` whose ValueError message reaches the user as it is."""
    def checked(text: str) -> object:
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    checked.__name__ = convert.__name__
    return checked


def _iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date (YYYY-MM-DD)") from None


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{text[:40]!r} is not a whole number of 1 or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{text[:40]!r} is not a number of seconds above 0")
    return value


def _usd(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{text[:40]!r} is not an amount of USD of 0 or more")
    return value


_LANGUAGE = _value_error(check_language_code)

_SUMMARIZE_EXAMPLES = """\
examples:
  factsum summarize seeds/ -o summary.md
  factsum summarize a.txt b.html c.jsonl --format json --language fr -o summary.json
  cat article.txt | factsum summarize - other.txt
  factsum -q summarize seeds/ > summary.md
"""

_BATCH_EXAMPLES = """\
examples:
  factsum batch /data/events --out /data/summaries
  factsum batch events.jsonl --out out/ --created 2024-01-08 --concurrency 8
"""


def _epilog() -> str:
    from factsum.settings import environment_variables

    width = 26
    rows = []
    for name, meaning in environment_variables():
        lines = textwrap.wrap(meaning, 78 - width) or [""]
        rows.append(f"  {name:<{width - 3}} {lines[0]}"
                    if len(name) < width - 3 else f"  {name}\n{'':<{width}}{lines[0]}")
        rows.extend(f"{'':<{width}}{line}" for line in lines[1:])
    return ("examples:\n"
            "  factsum summarize seeds/ -o summary.md\n"
            "  factsum batch /data/events --out /data/summaries\n"
            "  factsum cache stats\n\n"
            "environment variables:\n" + "\n".join(rows) + "\n\n"
            "exit status: 0 done, 1 a model or run failure (or some articles or events "
            "failed),\n2 bad usage, configuration or input, 130 interrupted.")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--debug, -q and -v: accepted before and after the subcommand.

    The subcommand's copies default to SUPPRESS, so they never overwrite a value given
    before the subcommand."""
    default = argparse.SUPPRESS if suppress else False
    parser.add_argument("--debug", action="store_true", default=default,
                        help="show tracebacks and debug logs (exit statuses stay the same)")
    parser.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="print only warnings and errors, no progress")
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="also log what factsum does (retries, cache, timings)")


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="factsum", formatter_class=fmt, epilog=_epilog(),
        description="Cited, dispute-aware summaries of news clusters: every statement is "
                    "cited to the\nexact words of the outlets that reported it, and "
                    "disagreements are shown.",
    )
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"factsum {__version__}")
    common = _Parser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser(
        "summarize", parents=[common], formatter_class=fmt, epilog=_SUMMARIZE_EXAMPLES,
        help="summarise the articles of one event",
        description="Summarise the articles of one event into one cited summary.")
    s.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="article files (.txt, .md, .html, .jsonl) or folders of them; "
                        "'-' reads one article from standard input")
    s.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="write the summary here (atomically) instead of to stdout; a "
                        "symlink is followed, a device or named pipe written into")
    s.add_argument("--format", choices=("md", "json"), default="md",
                   help="md: GitHub-flavoured Markdown with footnote citations (default); "
                        "json: the full summary, valid against schemas/summary.json")
    s.add_argument("--language", type=_LANGUAGE, default="en", metavar="CODE",
                   help="language code of the summary (en, fr, de, pt-BR, ...; default en); "
                        "articles in other languages are restated in it")
    s.add_argument("--created", type=_value_error(_iso_date), metavar="YYYY-MM-DD",
                   help="date printed in the footer (default: today)")
    _add_run_options(s)

    b = sub.add_parser(
        "batch", parents=[common], formatter_class=fmt, epilog=_BATCH_EXAMPLES,
        help="summarise many events (the nightly job)",
        description="Summarise every event of INPUT into OUT_DIR/<event>/summary.md and "
                    ".json,\nwith OUT_DIR/index.md and OUT_DIR/run-report.json. Unchanged "
                    "events are skipped;\na killed run resumes where it stopped.")
    b.add_argument("input", type=Path, metavar="INPUT",
                   help="a folder of event folders, or a JSONL manifest (one event a line)")
    b.add_argument("--out", type=Path, required=True, metavar="OUT_DIR",
                   help="output folder (not inside INPUT)")
    b.add_argument("--language", type=_LANGUAGE, default="en", metavar="CODE",
                   help="language code of the summaries (default en); a manifest line's "
                        "'language' overrides it")
    b.add_argument("--created", type=_value_error(_iso_date), metavar="YYYY-MM-DD",
                   help="date printed in the footers (default: today)")
    b.add_argument("--via-batch-api", action="store_true",
                   help="send extraction requests as one OpenAI Batch job (half price, "
                        "up to 24 h)")
    _add_run_options(b)

    c = sub.add_parser(
        "cache", parents=[common], help="inspect or clear the response cache",
        description="Inspect or clear the response cache (FACTSUM_CACHE_DIR).")
    c.add_argument("action", choices=("stats", "clear"),
                   help="stats: the cache folder, its entries and size; clear: delete every "
                        "cached model answer and event summary")

    v = sub.add_parser(
        "serve-local", parents=[common], help="run the embedded model server in the foreground",
        description="Run the embedded local model server until Ctrl-C, for other runs to "
                    "use through OPENAI_BASE_URL.")
    v.add_argument("--port", type=_value_error(_whole_number), default=8080,
                   help="loopback port the server listens on (default 8080)")
    return parser


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the response cache")
    p.add_argument("--model", help="model name (default: FACTSUM_MODEL or the local model)")
    p.add_argument("--concurrency", type=_value_error(_whole_number), metavar="N",
                   help="most requests in flight (default FACTSUM_CONCURRENCY or 4)")
    p.add_argument("--budget-usd", type=_value_error(_usd), metavar="USD",
                   help="stop cleanly before spending more (default FACTSUM_BUDGET_USD)")
    p.add_argument("--timeout", type=_value_error(_seconds), metavar="SECONDS",
                   help="seconds to wait for one model answer (default FACTSUM_TIMEOUT "
                        "or 600)")
    p.add_argument("--yes", action="store_true",
                   help="start even when the estimated cost exceeds the budget (the "
                        "budget still stops the run once spent)")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "no_cache", False):
        overrides["use_cache"] = False
    if getattr(args, "model", None):
        overrides["model"] = args.model
    if getattr(args, "concurrency", None) is not None:
        overrides["max_concurrency"] = args.concurrency
    if getattr(args, "budget_usd", None) is not None:
        overrides["budget_usd"] = args.budget_usd
    if getattr(args, "timeout", None) is not None:
        overrides["request_timeout_s"] = args.timeout
    if getattr(args, "yes", False):
        overrides["allow_over_budget"] = True
    return Settings.from_env(**overrides)


# ------------------------------------------------------------------------ messages

# C0/C1 controls, DEL and the Unicode line/paragraph separators. File names and record
# ids come from the input: a newline in one would split a message in two, and an ESC
# sequence would reach (and could rewrite) the user's terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_line(text: object) -> str:
    """``text`` as one printable line: control characters shown as ``\\xNN`` escapes,
    undecodable bytes of a file name (lone surrogates) as U+FFFD. Never truncates."""
    return _UNPRINTABLE.sub(_escaped, without_surrogates(str(text)))


def _say(err: Console, message: object) -> None:
    """Print ``factsum: <message>`` on one line (soft_wrap: rich must not fold it)."""
    err.print(f"factsum: {printable_line(message)}", markup=False, highlight=False,
              soft_wrap=True)


def _progress(err: Console, *, quiet: bool) -> Callable[[str], None]:
    def note(message: str) -> None:
        if quiet:
            return
        if err.is_terminal:
            err.log(printable_line(message), markup=False, highlight=False)
        else:
            _say(err, message)
    return note


# ------------------------------------------------------------------------ commands


def _cmd_summarize(args: argparse.Namespace, err: Console) -> int:
    from factsum.backend import open_llm
    from factsum.outputs import write_output
    from factsum.pipeline.run import asummarize_event

    paths: list[Path] = list(args.paths)
    if paths.count(STDIN) > 1:
        raise ConfigError("'-' (standard input) can be given only once")
    if args.output is not None:
        _refuse_output_among_inputs(args.output, paths)
    settings = _settings(args)
    note = _progress(err, quiet=args.quiet)
    items: list[object] = [_read_stdin() if p == STDIN else p for p in paths]

    async def run() -> int:
        async with open_llm(settings, progress=note) as llm:
            result = await asummarize_event(
                items, llm=llm, cache=llm.cache, ledger=llm.ledger, settings=settings,
                language=args.language, created=args.created, progress=note,
            )
        if args.quiet:  # the progress lines that named them were not shown
            for problem in result.input_errors:
                _say(err, f"skipped {problem}")
            for article, reason in result.article_errors.items():
                _say(err, f"{article}: extraction failed: {reason}")
        summary = result.summary
        text = render_markdown(summary) if args.format == "md" else summary.to_json() + "\n"
        if args.output:
            write_output(args.output, text)
            note(f"wrote {args.output}")
        else:
            sys.stdout.write(text)
        u = summary.usage
        note(f"{u.requests} model calls, {u.cache_hits} cache hits, {u.retries} retries, "
             f"{u.reasks} re-asks, {u.prompt_tokens}+{u.completion_tokens} tokens, "
             f"${u.cost_usd:.4f}")
        return EXIT_FAILED if result.article_errors else EXIT_OK

    return asyncio.run(run())


def _read_stdin() -> NamedBytes:
    """One article from standard input, read to the size limit and no further."""
    return NamedBytes(sys.stdin.buffer.read(DEFAULT_MAX_BYTES + 1), "stdin")


def _refuse_output_among_inputs(output: Path, inputs: Sequence[Path]) -> None:
    """``ConfigError`` when ``-o`` names an input, or a file an input folder would read
    (the next run would summarise the summary)."""
    for item in inputs:
        if item == STDIN:
            continue
        if _same_file(output, item):
            raise ConfigError(f"-o {output}: is also an input; write the summary elsewhere")
        read_by_folder = (item.is_dir() and not output.name.startswith(".")
                          and output.suffix.lower() in KNOWN_SUFFIXES
                          and _same_file(output.parent, item))
        if read_by_folder:
            raise ConfigError(f"-o {output}: is in the input folder {item} and would be read "
                              "as an article; write the summary elsewhere")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one does not exist (yet): compare where they lead
        return os.path.realpath(a) == os.path.realpath(b)


def _cmd_cache(args: argparse.Namespace, err: Console) -> int:
    from factsum.llm.cache import ResponseCache

    settings = Settings.from_env()
    cache = ResponseCache(settings.response_cache_dir)
    try:
        if args.action == "clear":
            removed = cache.clear()
            print(f"cleared {removed} entries from {settings.cache_dir}")
        else:
            stats = cache.stats()
            print(f"directory: {stats.directory}\nentries: {stats.entries}\n"
                  f"size: {stats.size_bytes} bytes")
    finally:
        cache.close()
    return EXIT_OK


def _cmd_serve_local(args: argparse.Namespace, err: Console) -> int:
    from factsum.localmodel import LocalServer, resolve_model

    settings = Settings.from_env()
    with err.status("assembling and verifying the local model…"):
        name, path = resolve_model(settings.local_model_path, settings.cache_dir)
    server = LocalServer(path, alias=name, port=args.port)
    with err.status(f"loading {name}…"):
        server.start()
    try:
        err.print(f"serving {name} at {server.base_url}\n"
                  f"use it with: OPENAI_BASE_URL={server.base_url} OPENAI_API_KEY=none "
                  f"FACTSUM_MODEL={name} FACTSUM_STRUCTURED_MODE=json_object_schema factsum …",
                  markup=False, highlight=False)
        while server.running():
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


def _cmd_batch(args: argparse.Namespace, err: Console) -> int:
    from factsum.batch.command import run_batch_cli

    return run_batch_cli(args, _settings(args), err)


COMMANDS: dict[str, Callable[[argparse.Namespace, Console], int]] = {
    "summarize": _cmd_summarize,
    "batch": _cmd_batch,
    "cache": _cmd_cache,
    "serve-local": _cmd_serve_local,
}


_PARSER_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _configure_logging(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="factsum: %(levelname)s %(name)s: %(message)s")
    # -v opens factsum's own loggers only (--debug every library's); NOTSET otherwise, so
    # a second main() in one process (tests, embedding) does not inherit the first's.
    logging.getLogger("factsum").setLevel(logging.INFO if args.verbose else logging.NOTSET)
    if not args.debug:
        # These parsers log every page or byte string they cannot read, several lines
        # each; ingest already reports that input as one "skipped" line naming it.
        for name in _PARSER_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``factsum`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.quiet and args.verbose:
        parser.error("-q/--quiet and -v/--verbose cannot be used together")
    # No source location (cli.py:NN) beside each progress line on a terminal.
    err = Console(stderr=True, log_path=False)
    _configure_logging(args)
    # SIGTERM (kill, systemd stop, cron timeouts) unwinds like Ctrl-C, so the embedded
    # model server and open files are closed by the same context managers.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        return COMMANDS[args.command](args, err)
    except KeyboardInterrupt:
        _say(err, "interrupted")
        return EXIT_INTERRUPTED
    except NoUsableInputError as exc:
        _traceback(err, args.debug)
        # One line per rejected input, each naming it, then the verdict: the error's own
        # message only lists the first three.
        for problem in exc.problems:
            _say(err, f"skipped {problem}")
        rejected = len(exc.problems)
        _say(err, f"error: no usable article ({rejected} input{'s' * (rejected != 1)} "
                  "rejected)" if rejected else "error: no usable article (no input given)")
        return EXIT_USAGE
    except (ConfigError, InputError) as exc:
        _traceback(err, args.debug)
        _say(err, f"error: {exc}")
        return EXIT_USAGE
    except FactsumError as exc:
        _traceback(err, args.debug)
        _say(err, f"error: {exc}")
        return EXIT_FAILED
    except OSError as exc:
        # Writing the output (-o) or reading settings files: name the file, not a trace.
        # factsum.outputs names the file the user gave, never its temp file.
        _traceback(err, args.debug)
        target = exc.filename2 or exc.filename
        where = f"{target}: " if target else ""
        _say(err, f"error: {where}{(exc.strerror or type(exc).__name__).lower()}")
        return EXIT_FAILED
    except Exception as exc:
        _traceback(err, args.debug)
        hint = "" if args.debug else " (run with --debug for the traceback)"
        _say(err, f"internal error: {type(exc).__name__}: {exc}{hint}")
        return EXIT_FAILED


def _traceback(err: Console, debug: bool) -> None:
    """With --debug, print the current exception's traceback (plain, unwrapped) first.

    Only then: the one-line message and exit status stay what they are without --debug,
    so scripts see the same status either way.
    """
    if debug:
        err.file.write(traceback.format_exc())
        err.file.flush()


if __name__ == "__main__":
    sys.exit(main())
