"""Benchmarks for factsum: ``python -m bench [--quick] [--faults] [--local]``.

Everything runs against the fake OpenAI-compatible server
(``factsum.testing.fake_server``) or the in-process scripted transport: the answers are
test fixtures built from the prompts, not model output. See ``bench/PERFORMANCE.md``.
"""
