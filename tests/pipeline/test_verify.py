"""Quote location: normalisation with offsets, exact and fuzzy search, claim verification."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from factsum.ingest.readers import load_articles
from factsum.models import Article, ExtractedClaim, Qualifier, Quantity
from factsum.ingest.textnorm import normalize, normalize_text, normalize_with_map
from factsum.pipeline.verify import Located, QuoteLocator, _figures, locate_quote, verify_claims

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    articles, errors = load_articles([ROOT / "seeds"])
    assert errors == []
    return {a.source[:3]: a for a in articles}


def exact_in(located: Located | None, text: str) -> Located:
    """The located span must be the returned text, exactly, in the original."""
    assert located is not None
    assert text[located.span.start : located.span.end] == located.text
    return located


# ------------------------------------------------------------------ normalisation


def test_normalize_folds_quotes_dashes_spaces_entities_and_case() -> None:
    # Spaces next to a double quote are dropped: nobody agrees on « de près » vs "de près".
    folded = normalize("L’Iran a dit «\u00a0de près\u00a0» – Hoffman")
    assert folded == "l'iran a dit\"de près\"- hoffman"
    assert normalize("“Nous ne cherchons pas” „la guerre‟") == '"nous ne cherchons pas""la guerre"'
    assert normalize("Tom &amp; Jerry&nbsp;&#8217;s") == "tom & jerry 's"
    assert normalize("  AÏN\tal-Assad \n\n ") == "aïn al-assad"
    assert normalize("ﬁn du conflit") == "fin du conflit"  # NFKC ligature
    assert normalize("Etats-Unis , le jeudi") == normalize("Etats-Unis, le jeudi")
    assert normalize("e\u0301te\u0301") == normalize("été")  # combining accents compose


def test_index_map_points_into_the_original() -> None:
    original = "L’Iran  «\u00a0tire\u00a0» &amp; Ça"
    norm, index_map = normalize_with_map(original)
    assert norm == "l'iran\"tire\"& ça"
    assert len(index_map) == len(norm)
    assert original[index_map[norm.index("tire")]] == "t"
    assert original[index_map[norm.index("&")] :].startswith("&amp;")
    assert original[index_map[norm.index("ç")]] == "Ç"
    assert index_map == sorted(index_map)


def test_to_original_covers_whole_units() -> None:
    norm = normalize_text("x &amp; y ß")
    assert norm.text == "x & y ss"
    assert norm.to_original(2, 3) == (2, 7)  # "&" -> "&amp;"
    assert norm.to_original(6, 8) == (10, 11)  # "ss" -> "ß"


# ------------------------------------------------------------------ locate_quote


def test_straight_apostrophes_find_curly_ones(seeds: dict[str, Article]) -> None:
    text = seeds["002"].text
    found = exact_in(locate_quote("l'Iran a tiré une vingtaine de missiles", text), text)
    assert found.text == "l’Iran a tiré une vingtaine de missiles"
    assert found.score == 100


def test_curly_apostrophes_find_straight_ones(seeds: dict[str, Article]) -> None:
    text = seeds["001"].text
    found = exact_in(locate_quote("Il s’agit de représailles à l’assassinat", text), text)
    assert found.text == "Il s'agit de représailles à l'assassinat"


def test_straight_double_quotes_find_guillemets(seeds: dict[str, Article]) -> None:
    text = seeds["001"].text
    found = exact_in(locate_quote('il suit la situation "de près".', text), text)
    assert found.text == "il suit la situation « de près »."
    assert found.score == 100


def test_whitespace_and_case_changes(seeds: dict[str, Article]) -> None:
    text = seeds["003"].text
    quote = "PLUS D'UNE DOUZAINE   de missiles\n\nont été tirés par l'Iran"
    found = exact_in(locate_quote(quote, text), text)
    assert found.text == "Plus d'une douzaine de missiles\" ont été tirés par l'Iran"
    # the " in the article is kept: spans are the article's own characters
    found = exact_in(
        locate_quote("des installations américaines d'Aïn al-Assad, dans l'ouest", text), text
    )
    assert "\u00a0" not in found.text  # cleaned text has plain spaces


def test_misspelled_quote_is_found_fuzzily_on_word_boundaries(seeds: dict[str, Article]) -> None:
    text = seeds["003"].text
    quote = "Il est clair que ces missiles ont ete tires depuis l'Iran et visaient au moins deux"
    found = exact_in(locate_quote(quote, text), text)
    assert 90 <= found.score < 100
    assert found.text == (
        "Il est clair que ces missiles ont été tirés depuis l'Iran et visaient au moins deux"
    )


def test_fuzzy_span_never_starts_or_ends_mid_word(seeds: dict[str, Article]) -> None:
    text = seeds["004"].text
    quote = "these missles were fired from Iran and were aimed at at least two Iraqi base"
    found = exact_in(locate_quote(quote, text), text)
    start, end = found.span.start, found.span.end
    assert not text[start - 1].isalnum() and not text[end].isalnum()
    assert found.text == (
        "these missiles were fired from Iran and were aimed at at least two Iraqi bases"
    )


def test_translated_and_invented_quotes_are_not_found(seeds: dict[str, Article]) -> None:
    french = seeds["001"].text
    # English translation of a sentence that is in the French article.
    assert locate_quote("It is clear that these missiles were fired from Iran", french) is None
    assert locate_quote("L'Iran a tiré 200 missiles nucléaires sur Washington", french) is None
    english = seeds["004"].text
    french_quote = "Il est clair que ces missiles ont été tirés depuis l'Iran"
    assert locate_quote(french_quote, english) is None


def test_short_quotes_must_be_exact(seeds: dict[str, Article]) -> None:
    text = seeds["002"].text
    assert locate_quote("80 morts", text) is not None
    assert locate_quote("81 morts", text) is None  # no fuzzy match under 12 characters
    assert locate_quote("   ", text) is None
    assert locate_quote("quelque chose", "") is None


def test_cutoff_is_a_parameter(seeds: dict[str, Article]) -> None:
    text = seeds["002"].text
    quote = "les Iraniens annoncaient au moins quatre-vingts morts"
    assert locate_quote(quote, text) is None
    found = exact_in(locate_quote(quote, text, cutoff=70), text)
    assert found.text.startswith("les Iraniens annoncent au moins 80 morts")


def test_locator_finds_and_remembers_quotes_in_a_1000_word_article(
        seeds: dict[str, Article]) -> None:
    text = "\n\n".join(seeds[k].text for k in ("000", "001", "002", "003"))
    words = text.split()
    assert len(words) >= 1000
    locator = QuoteLocator(text)
    exact = " ".join(words[600:630])
    fuzzy = exact.replace("e", "é", 3)
    for quote in (exact, fuzzy):
        found = locator.locate(quote)
        assert found is not None and text[found.span.start:found.span.end] == found.text
        # Asked again (validation, then verification): the same answer, not a new search.
        assert locator.locate(quote) is found
    # How fast: `python -m bench` (client overhead per article), not a timed test.


# Hypothesis alphabet: letters (with accents, ß and a ligature that expand when
# normalised), digits, spaces of several kinds, curly and straight quotes, guillemets,
# dashes and punctuation. '&' (entities) and bare combining marks are left out: a
# substring that cuts an entity or separates a mark from its letter has no meaning
# in the original text.
ALPHABET = "abcdeéèàçôABCÉßﬁ0123 \u00a0\u202f\n\t’'‘“”\"«»–—-.,;:!?()"


@given(data=st.data(), text=st.text(alphabet=ALPHABET, min_size=12, max_size=300))
@settings(max_examples=400, deadline=None)
def test_any_substring_is_located(data: st.DataObject, text: str) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(text) - 12))
    end = data.draw(st.integers(min_value=start + 12, max_value=len(text)))
    quote = text[start:end]
    assume(normalize(quote))
    found = exact_in(QuoteLocator(text).locate(quote), text)
    assert found.score == 100
    assert normalize(found.text) == normalize(quote)


@given(data=st.data(), text=st.text(alphabet=ALPHABET, min_size=12, max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_substring_in_other_case_is_located(data: st.DataObject, text: str) -> None:
    # Not verbatim, so found through the normalised text and its offset map.
    start = data.draw(st.integers(min_value=0, max_value=len(text) - 12))
    end = data.draw(st.integers(min_value=start + 12, max_value=len(text)))
    quote = text[start:end].upper()
    assume(normalize(quote) and normalize(quote) == normalize(text[start:end]))
    assume(quote.strip() not in text)
    found = exact_in(QuoteLocator(text).locate(quote), text)
    assert found.score == 100
    assert normalize(found.text) == normalize(quote)


def test_a_verbatim_quote_is_the_article_span_without_its_padding() -> None:
    text = "Le Pentagone a confirmé l’attaque.  Deux bases ont été visées mardi."
    found = QuoteLocator(text).locate("  Deux bases ont été visées mardi.\n")
    assert found is not None and found.score == 100
    assert found.text == "Deux bases ont été visées mardi."
    assert text[found.span.start:found.span.end] == found.text


# ------------------------------------------------------------------ verify_claims


def claim(quote: str, statement: str = "s", asserted_by: str = "the article") -> ExtractedClaim:
    return ExtractedClaim(statement=statement, quote=quote, asserted_by=asserted_by, quantities=[])


def test_verify_claims_keeps_located_claims_with_article_words(seeds: dict[str, Article]) -> None:
    article = seeds["002"]
    qty = Quantity(value=80, high=None, unit="deaths", qualifier=Qualifier.AT_LEAST)
    extracted = [
        ExtractedClaim(
            statement="Iran claims at least 80 dead.",
            quote="les Iraniens annoncent au moins 80 morts",
            asserted_by="Iran",
            quantities=[qty],
        ),
        claim("The Iranians say 200 Americans died in the attack on the base."),
        claim("l'Iran a tiré une vingtaine de missiles"),
        claim(""),
    ]
    claims, failures = verify_claims(article, extracted, start_index=3)
    assert [c.id for c in claims] == [f"{article.id}:c3", f"{article.id}:c4"]
    first, second = claims
    assert first.quote == "les Iraniens annoncent au moins 80 morts"
    assert first.asserted_by == "Iran" and first.quantities == [qty]
    assert first.article_id == article.id and first.match_score == 100
    assert second.quote == "l’Iran a tiré une vingtaine de missiles"  # the article's own
    for c in claims:
        assert article.text[c.span.start : c.span.end] == c.quote
    assert [f[0] for f in failures] == [extracted[1], extracted[3]]
    reason = failures[0][1]
    assert reason.startswith(
        f'quote not found in article {article.id}: "The Iranians say 200 Americans died in the '
        'attack on the bas…"'
    )
    assert "/100, 90 needed" in reason and "\n" not in reason
    assert failures[1][1] == f"empty quote for article {article.id}"


def test_verify_claims_reuses_a_locator(seeds: dict[str, Article]) -> None:
    article = seeds["001"]
    locator = QuoteLocator(article.text)
    claims, failures = verify_claims(article, [claim("« de près »")], locator=locator)
    assert failures == [] and claims[0].id == f"{article.id}:c1"


def test_short_quote_failure_says_why(seeds: dict[str, Article]) -> None:
    article = seeds["001"]
    _, failures = verify_claims(article, [claim("80 morts")])
    assert failures[0][1].endswith("(too short to match approximately; copy it exactly)")


@given(st.text(alphabet="0123456789 ,.\u00a0\u202fab", max_size=20))
@settings(max_examples=500, deadline=None)
def test_figures_drop_thousands_separators_only(text: str) -> None:
    # Reference: delete a separator between a digit and exactly three more, then read
    # the runs of digits.
    joined = re.sub(r"(?<=\d)[ ,.\u00a0\u202f](?=\d{3}(?!\d))", "", text)
    assert _figures(text) == frozenset(re.findall(r"\d+", joined))
