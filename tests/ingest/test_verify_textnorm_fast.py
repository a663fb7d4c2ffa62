"""The fast paths of ``factsum.ingest.textnorm`` give exactly what the unit-by-unit path gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factsum.ingest.textnorm import NormalizedText, _normalize_units, normalize, normalize_text

# Characters that exercise every rule: folds, spaces next to marks, entities, combining
# marks, characters that fold to several or none, and plain text.
_PIECES = st.sampled_from([
    *"abZ09 .,;:!?()[]\"'\n\t\u00a0\u202f«»“”‘’—–-éÉßﬁ½ÅæŒΣςЖ…€™℃¨¯\u0301\u200b\u00ad\x02İǰ",
    "&amp;", "&nbsp;", "&#39;", "&bogus;", "  ", " \" ", "( ", " )", " .",
])
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)
# Only characters that the one-to-one fast paths take.
_SIMPLE = st.lists(st.sampled_from([*"ab Z9.,;:!?()[]\"'\n\t\u00a0«»“”’—éΣЖ€", "  ", " ."]),
                   max_size=60).map("".join)


def _ends(norm: NormalizedText) -> tuple[int, ...]:
    return norm.ends or tuple(s + 1 for s in norm.starts)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_TEXTS, _SIMPLE))
def test_fast_paths_equal_the_general_path(text: str) -> None:
    fast, general = normalize_text(text), _normalize_units(text)
    assert (fast.text, tuple(fast.starts), _ends(fast)) == (
        general.text, general.starts, _ends(general))
    assert normalize(text) == general.text


def test_every_bmp_character_alone_and_between_words() -> None:
    for cp in range(0x3000):
        if 0xD800 <= cp < 0xE000:
            continue
        for text in (chr(cp), f"a {chr(cp)} b", chr(cp) * 2):
            assert normalize(text) == _normalize_units(text).text, hex(cp)


def test_implicit_ends_map_back_to_the_original() -> None:
    norm = normalize_text("  Le « chiffre »  est 40 .")
    assert norm.ends == ()  # one character per unit: ends left implicit
    start = norm.text.index("chiffre")
    assert norm.to_original(start, start + 7) == (7, 14)
