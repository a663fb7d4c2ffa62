"""The human-readable table of a bench run (the JSON line carries everything)."""

from __future__ import annotations

from typing import Any

Row = tuple[str, str, str, str]


def _ok(flag: bool | None) -> str:
    return "" if flag is None else ("ok" if flag else "MISSED")


def _batch_rows(a: dict[str, Any]) -> list[Row]:
    seq = (f"{a['sequential_full_wall_s']:.1f}s"
           + (f" (from {a['sequential_articles']} articles)" if a["sequential_extrapolated"]
              else ""))
    return [
        ("a. cold wall time", f"{a['cold_wall_s']:.2f}s, {a['cold_requests']} requests, "
         f"max {a['cold_max_in_flight']} in flight", "", ""),
        ("a. ideal LLM-bound wall time", f"{a['ideal_wall_s']:.2f}s (scheduled; lower bound "
         f"{a['ideal_lower_bound_s']:.2f}s, efficiency vs it {a['efficiency_vs_lower_bound']:.2f})",
         "", ""),
        ("a. efficiency (ideal / measured)", f"{a['efficiency']:.2f}", ">= 0.85",
         _ok(a["efficiency"] >= 0.85)),
        ("a. sequential, no cache", seq, "", ""),
        ("a. speed-up vs sequential", f"{a['speedup_vs_sequential']:.1f}x", "", ""),
        *[(f"a. efficiency at {lat}s/request ({fig['events']} events)",
           f"{fig['efficiency']:.2f} ({fig['wall_s']:.2f}s vs ideal {fig['ideal_wall_s']:.2f}s)",
           "", "")
          for lat, fig in a.get("efficiency_by_latency", {}).items()],
        ("c. warm rerun requests", str(a["warm_requests"]), "0", _ok(a["warm_requests"] == 0)),
        ("c. warm rerun wall / cold", f"{a['warm_fraction_of_cold']:.1%} "
         f"({a['warm_wall_s']:.2f}s)", "< 3%", _ok(a["warm_fraction_of_cold"] < 0.03)),
        ("c. warm outputs identical", str(a["warm_outputs_identical"]), "True",
         _ok(a["warm_outputs_identical"])),
    ]


def _overhead_rows(b: dict[str, Any]) -> list[Row]:
    return [(f"b. client overhead/article ({name}, {fig['median_words']:.0f} words)",
             f"median {fig['median_ms']:.1f} ms, p95 {fig['p95_ms']:.1f} ms", "", "")
            for name, fig in b.items()]


def _independence_rows(g: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for n, fig in g.items():
        growth = fig["peak_rss_growth_mb"]
        memory = "n/a (no /proc)" if growth is None else f"+{growth:.0f} MB"
        rows.append((f"g. independence, {n} articles sharing a sentence",
                     f"{fig['wall_s']:.1f}s, peak memory {memory} ({fig['pairs']} pairs, "
                     f"{fig['groups']} groups)", "", ""))
    return rows


def _token_rows(d: dict[str, Any]) -> list[Row]:
    return [
        ("d. extraction requests", f"{d['extraction_requests']} "
         f"({d['requests_per_article']:.1f} per article)", "", ""),
        ("d. prompt tokens / sentence tokens", f"{d['prompt_to_sentence_ratio']:.2f}x "
         f"(per request: median messages {d['median_messages_tokens_per_request']:.0f}, "
         f"schema {d['schema_tokens_per_request']:.0f})", "", ""),
    ]


def _fault_rows(f: dict[str, Any]) -> list[Row]:
    return [
        ("faults: events completed", f"{f['events_completed']}/{f['events']}", "all",
         _ok(f["events_completed"] == f["events"])),
        ("faults: outputs identical to clean", str(f["outputs_identical"]), "True",
         _ok(f["outputs_identical"])),
        ("faults: injected", ", ".join(f"{k} {v}" for k, v in sorted(
            f["faults_injected"].items())), "", ""),
        ("faults: retries / re-asks (ledger)", f"{f['retries']} / {f['reasks']}", "", ""),
        ("faults: requests vs clean", f"{f['http_requests']} vs {f['clean_http_requests']} "
         f"({f['requests_ratio']:.2f}x)", "< 1.5x", _ok(f["requests_ratio"] < 1.5)),
    ]


def _local_rows(f: dict[str, Any]) -> list[Row]:
    if "skipped" in f:
        return [("f. local serving overhead", f"skipped: {f['skipped']}", "", "")]
    return [("f. local generation (server vs in-process)",
             f"{f['server_tokens_per_s']:.1f} vs {f['inprocess_tokens_per_s']:.1f} tok/s "
             f"({f['serving_overhead']:+.1%} overhead, {f['model']})", "", "")]


def _seeds_rows(g: dict[str, Any]) -> list[Row]:
    if "skipped" in g or "failed" in g:
        return [("h. seeds cold run", f"not run: {g.get('skipped') or g.get('failed')}",
                 "", "")]
    return [
        ("h. server speeds", f"prompt {g['prompt_tokens_per_s']:.0f} tok/s, generation "
         f"{g['generation_tokens_per_s']:.1f} tok/s", "", ""),
        ("h. seeds cold run (factsum summarize seeds/)",
         f"{g['wall_s']:.0f}s ({g['model_ready_s']:.0f}s to a ready model), {g['calls']} "
         f"calls, {g['prompt_tokens']}+{g['completion_tokens']} tokens", "<= 240s",
         _ok(g["wall_s"] <= 240)),
        ("h. tokens per article", f"{g['prompt_tokens_per_article']}+"
         f"{g['completion_tokens_per_article']} ({g['articles']} articles)", "", ""),
        ("h. limit (prompt/speed + generated/speed)",
         f"{g['limit_s']:.0f}s = {g['limit_prompt_s']:.0f}s + {g['limit_generation_s']:.0f}s",
         "", ""),
        ("h. ratio limit / wall", f"{g['ratio_limit_to_wall']:.2f}", ">= 0.8",
         _ok(g["ratio_limit_to_wall"] >= 0.8)),
    ]


def table(results: dict[str, Any]) -> str:
    """A fixed-width table of the headline figures."""
    rows: list[Row] = [("figure", "measured", "target", "")]
    if "batch" in results:
        rows += _batch_rows(results["batch"])
    if "nightly" in results:
        n = results["nightly"]
        if "skipped" in n:
            rows.append(("c. nightly batch warm rerun", f"skipped: {n['skipped']}", "", ""))
        else:
            rows.append(("c. nightly batch warm rerun (factsum.batch.command)",
                         f"{n['warm']['requests']} requests, {n['warm_fraction_of_cold']:.1%} "
                         f"of cold ({n['warm']['wall_s']:.2f}s vs {n['cold']['wall_s']:.2f}s)",
                         "0, < 3%", _ok(n["warm"]["requests"] == 0
                                        and n["warm_fraction_of_cold"] < 0.03)))
    if "overhead" in results:
        rows += _overhead_rows(results["overhead"])
    if "tokens" in results:
        rows += _token_rows(results["tokens"])
    if "faults" in results:
        rows += _fault_rows(results["faults"])
    if "local" in results:
        rows += _local_rows(results["local"])
    if "seeds_cold" in results:
        rows += _seeds_rows(results["seeds_cold"])
    if "independence_scaling" in results:
        rows += _independence_rows(results["independence_scaling"])
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
