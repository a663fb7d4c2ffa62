"""Command line: ``factsum summarize | batch | cache | serve-local``.

Every expected failure becomes one line on stderr (no traceback unless --debug; with
--debug the traceback comes first and the exit status stays the same). Each rejected
input gets its own line naming it. Exit status: 0 ok, 1 model/run failure (or some
batch events failed), 2 bad usage, configuration or input (nothing usable left).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from factsum.errors import ConfigError, FactsumError, InputError, NoUsableInputError
from factsum.settings import Settings
from factsum.render.markdown import render_markdown

from factsum.exit_status import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="factsum", description="Cited, dispute-aware summaries of news clusters."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("summarize", help="summarise the articles of one event")
    s.add_argument("paths", nargs="+", type=Path, help="article files or folders")
    s.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    s.add_argument("--format", choices=("md", "json"), default="md")
    s.add_argument("--language", default="en", help="summary language (ISO 639-1)")
    s.add_argument("--created", help="date printed in the footer (default: today)")
    _add_run_options(s)

    b = sub.add_parser("batch", help="summarise many events (nightly job)")
    b.add_argument("input", type=Path, help="folder of event folders, or a JSONL manifest")
    b.add_argument("--out", type=Path, required=True, help="output folder")
    b.add_argument("--language", default="en")
    b.add_argument("--created", help="date printed in the footers (default: today)")
    b.add_argument("--via-batch-api", action="store_true",
                   help="send extraction requests as one OpenAI Batch job")
    _add_run_options(b)

    c = sub.add_parser("cache", help="inspect or clear the response cache")
    c.add_argument("action", choices=("stats", "clear"))

    v = sub.add_parser("serve-local", help="run the embedded model server in the foreground")
    v.add_argument("--port", type=int, default=8080)
    return parser


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-cache", action="store_true", help="bypass the response cache")
    p.add_argument("--model", help="model name (default: FACTSUM_MODEL or the local model)")
    p.add_argument("--concurrency", type=int, help="max requests in flight")
    p.add_argument("--budget-usd", type=float, help="stop cleanly before spending more")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "no_cache", False):
        overrides["use_cache"] = False
    if getattr(args, "model", None):
        overrides["model"] = args.model
    if getattr(args, "concurrency", None):
        overrides["max_concurrency"] = args.concurrency
    if getattr(args, "budget_usd", None) is not None:
        overrides["budget_usd"] = args.budget_usd
    return Settings.from_env(**overrides)


# C0/C1 controls, DEL and the Unicode line/paragraph separators. File names and record
# ids come from the input: a newline in one would split a message in two, and an ESC
# sequence would reach (and could rewrite) the user's terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: object) -> str:
    """``text`` as one printable line: control characters shown as ``\\xNN`` escapes."""
    return _UNPRINTABLE.sub(_escaped, str(text))


def _say(err: Console, message: object) -> None:
    """Print ``factsum: <message>`` on one line (soft_wrap: rich must not fold it)."""
    err.print(f"factsum: {one_line(message)}", markup=False, highlight=False, soft_wrap=True)


def _progress(err: Console) -> Callable[[str], None]:
    def note(message: str) -> None:
        if err.is_terminal:
            err.log(one_line(message), markup=False)
        else:
            _say(err, message)
    return note


def _cmd_summarize(args: argparse.Namespace, err: Console) -> int:
    from factsum.backend import open_llm
    from factsum.pipeline.run import asummarize_event

    settings = _settings(args)
    note = _progress(err)

    async def run() -> int:
        async with open_llm(settings, progress=note) as llm:
            result = await asummarize_event(
                list(args.paths), llm=llm, cache=llm.cache, ledger=llm.ledger, settings=settings, language=args.language,
                created=args.created, progress=note,
            )
        summary = result.summary
        text = render_markdown(summary) if args.format == "md" else summary.to_json() + "\n"
        if args.output:
            from factsum.outputs import write_atomic

            write_atomic(args.output, text)
            note(f"wrote {args.output}")
        else:
            sys.stdout.write(text)
        u = summary.usage
        note(f"{u.requests} model calls, {u.cache_hits} cache hits, {u.retries} retries, "
             f"{u.reasks} re-asks, {u.prompt_tokens}+{u.completion_tokens} tokens, "
             f"${u.cost_usd:.4f}")
        return EXIT_FAILED if result.article_errors else EXIT_OK

    return asyncio.run(run())


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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``factsum`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="factsum: %(levelname)s %(name)s: %(message)s")
    if not args.debug:
        # These parsers log every page or byte string they cannot read, several lines
        # each; ingest already reports that input as one "skipped" line naming it.
        for name in _PARSER_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
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
        # An atomic write fails in os.replace(temp, target): the target (filename2) is
        # the file the user named.
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
