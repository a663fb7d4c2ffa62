"""Ingest: real files under tests/data/ingest/ and the seed articles.

Data files (made once, committed as bytes):
  le_monde_page.html    page with <style>, <script>, <nav>, footer, "Lire aussi", meta tags
  comments_only.html    text only in a comments block: trafilatura's main extractor gives
                        nothing, the baseline fallback must get the words
  tiny_page.html        bare page, no metadata
  latin1.txt cp1252.txt utf16_bom.txt utf8_bom.txt   encodings
  empty.txt whitespace.txt image.png scan.pdf one_word.txt   rejected inputs
  articles.jsonl        good lines, a broken line (2), no text (5), not an object (6)
  dup_*.txt             one article under two outlets' site headers
  notes.md              Markdown
  furniture.txt         breadcrumb, <br />, teasers, tweet debris, caption + credit,
                        comment form
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import py3langid
import pytest
from factsum.errors import InputError, NoUsableInputError
from factsum.ingest.readers import (
    article_id,
    clean_text,
    count_words,
    decode_bytes,
    detect_language,
    iter_jsonl,
    language_sample,
    load_articles,
    load_path,
    split_paragraph_chunks,
    without_surrogates,
)
from factsum.models import Article
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "ingest"
SEEDS = ROOT / "seeds"


def load_one(name: str) -> Article:
    articles, errors = load_articles([DATA / name])
    assert errors == []
    assert len(articles) == 1
    return articles[0]


def error_for(name: str, max_bytes: int = 5_000_000) -> InputError:
    articles, errors = load_articles([DATA / name], max_bytes=max_bytes)
    assert articles == []
    assert len(errors) == 1
    return errors[0]


def assert_clean_layout(text: str) -> None:
    """Paragraphs one blank line apart, no stray spaces, no leftover markup."""
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert "  " not in text
    assert "\t" not in text and "\u00a0" not in text and "\r" not in text
    assert all(line == line.strip() for line in text.split("\n"))
    assert "<br" not in text


# ------------------------------------------------------------------ seeds


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    articles, errors = load_articles([SEEDS])
    assert errors == []
    return {a.source[:3]: a for a in articles}


def test_seeds_load_in_sorted_order_with_file_names_as_sources(seeds: dict[str, Article]) -> None:
    assert list(seeds) == ["000", "001", "002", "003", "004"]
    for art in seeds.values():
        assert "/" not in art.source and art.source.endswith(".txt")
        assert re.fullmatch(r"[0-9a-f]{12}", art.id)
        assert art.id == article_id(art.text)
        assert_clean_layout(art.text)


def test_seed_languages(seeds: dict[str, Article]) -> None:
    assert {k: a.language for k, a in seeds.items()} == {
        "000": "fr", "001": "fr", "002": "fr", "003": "fr", "004": "en",
    }


def test_bfmtv_header_is_removed_and_names_the_outlet(seeds: dict[str, Article]) -> None:
    art = seeds["003"]
    assert art.outlets == ["BFMTV"]
    assert art.title == (
        "L'Iran tire \"plus d'une douzaine de missiles\" sur des installations "
        "américaines en Irak"
    )
    assert art.text.startswith(art.title + "\n\n")
    assert "Alerte info" not in art.text and "International\n" not in art.text
    assert art.text.endswith("Jeanne Bulant avec AFP")  # a byline is content


@pytest.mark.parametrize("outlet", ["Le Courrier du Midi", "El Heraldo de la Costa"])
def test_a_site_name_of_four_or_five_words_is_a_header(outlet: str) -> None:
    body = ("ALCORÁ DEL RÍO, 15 oct. – Au moins trois personnes sont mortes mardi après la "
            "crue de la rivière Turiel, ont indiqué les services d'urgence.")
    cleaned = clean_text(f"{outlet}\nMonde\n\nInondations près de Valence\n\n{body}\n")
    assert cleaned.outlet == outlet
    assert cleaned.text == f"Inondations près de Valence\n\n{body}"


def test_br_tags_become_paragraph_breaks(seeds: dict[str, Article]) -> None:
    text = seeds["002"].text
    assert "<br" not in text
    assert "en fin de matinée.\n\nL’Iran a envoyé" in text
    assert "Que s’est-il passé exactement ?\nEn l’espace" in text


def test_tweet_debris_is_removed(seeds: dict[str, Article]) -> None:
    text = seeds["000"].text
    assert "pic.twitter.com" not in text and "@wezafabregas" not in text
    assert "January 7, 2020" not in text
    assert "\n\nDonald Trump réunit un cabinet de crise" in text


def test_le_monde_furniture_is_removed(seeds: dict[str, Article]) -> None:
    art = seeds["004"]
    text = art.text
    for furniture in (
        "Read also", "Article reserved for our subscribers", "LEAVE A REPLY",
        "Please enter", "Our selection of articles", "Photo taken from a video", "HO / AFP",
    ):
        assert furniture not in text
    assert art.title == "Iran fires missiles at US military bases in Iraq"
    assert text.endswith("refused her Visa.")
    assert "Confusion over the departure of American troops" in text  # sub-heading kept


def test_untitled_seeds_have_no_title(seeds: dict[str, Article]) -> None:
    assert seeds["000"].title is None and seeds["002"].title is None


_BODY = ("The container ship remained stuck across the canal on Thursday, two days after "
         "it ran aground in high winds, the canal authority said.")


@pytest.mark.parametrize(("text", "title"), [
    # A headline on its own line right above the body, as pages are often scraped.
    (f"Ship still blocks the canal\n{_BODY}", "Ship still blocks the canal"),
    (f"Ship still blocks the canal?\n\n{_BODY}", "Ship still blocks the canal?"),
    # A hard-wrapped paragraph: its first line is not a title.
    ("The container ship remained stuck across the canal on\nThursday, two days "
     "after it ran aground in high winds, the\ncanal authority said.", None),
    # A dateline, a sentence, a lower-case start: not titles either.
    (f"PARIS (Reuters) -\n\n{_BODY}", None),
    (f"The ship is stuck.\n\n{_BODY}", None),
    (f"and the ship is stuck\n\n{_BODY}", None),
])
def test_the_title_is_taken_from_the_text(text: str, title: str | None) -> None:
    [article], _ = load_articles([text])
    assert article.title == title


def test_cleaning_is_stable_and_idempotent() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        once = clean_text(raw).text
        assert clean_text(raw).text == once
        assert clean_text(once).text == once
    first, _ = load_articles([SEEDS])
    second, _ = load_articles([SEEDS])
    assert [a.model_dump() for a in first] == [a.model_dump() for a in second]


# ------------------------------------------------------------------ formats


def test_html_is_extracted_with_trafilatura_and_metadata() -> None:
    art = load_one("le_monde_page.html")
    assert art.title == "L’Iran tire des missiles sur des bases américaines en Irak"
    assert art.outlets == ["Le Monde"]
    assert art.url == "https://www.lemonde.fr/international/article/2020/01/08/iran-missiles.html"
    assert art.published == "2020-01-08"
    assert art.language == "fr"
    for junk in ("dataLayer", "font-family", "Accueil", "S’abonner", "Lire aussi", "©",
                 "Conditions générales", "track()"):
        assert junk not in art.text
    assert "a déclaré Jonathan Hoffman, porte-parole du ministère" in art.text
    assert "communiqué.\n\nLe Pentagone procède" in art.text
    assert_clean_layout(art.text)


def test_html_falls_back_to_baseline_when_main_extractor_finds_nothing() -> None:
    art = load_one("comments_only.html")
    assert art.text.startswith("Des missiles iraniens sont tombés sur la base d’Erbil")


def test_html_given_as_text_is_recognised() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html><html><body><p>Des missiles '
        "iraniens sont tombés sur la base d’Erbil cette nuit, selon le Pentagone.</p></body></html>"
    )
    articles, errors = load_articles([{"text": page}, {"text": "<html><body></body></html>"}])
    assert articles[0].text == (
        "Des missiles iraniens sont tombés sur la base d’Erbil cette nuit, selon le Pentagone."
    )
    assert [str(e) for e in errors] == ["item-2: no text found in the HTML page"]


def test_markdown_marks_are_removed() -> None:
    art = load_one("notes.md")
    assert art.title == "Frappes iraniennes en Irak"
    assert "#" not in art.text and "](" not in art.text and "**" not in art.text
    assert "plus d'une douzaine de missiles balistiques, selon le Pentagone." in art.text


def test_furniture_rules_on_a_synthetic_page() -> None:
    art = load_one("furniture.txt")
    text = art.text
    assert art.outlets == []  # "Accueil" is a section label, not an outlet
    assert art.title == "Téhéran revendique une riposte « proportionnée »"
    for furniture in ("Accueil", "Lire aussi", "abonnés", "pic.twitter.com", "@jdupont",
                      "en 2019", "AFP", "Laisser un commentaire", "adresse e-mail"):
        assert furniture not in text
    assert "Des missiles dans le ciel d’Irak\n\nLe Pentagone évalue les dégâts." in text
    assert "Les Etats-Unis n’ont pas encore répondu." in text
    assert_clean_layout(text)


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("latin1.txt", "« Nous ne cherchons pas l'escalade », a déclaré"),
        ("cp1252.txt", "L’Iran a tiré « plus d’une douzaine » de missiles — selon"),
        ("cp1252.txt", "5 millions d’€ ; l’œuvre"),
        ("utf16_bom.txt", "— “it is clear these missiles were launched from Iran”."),
        ("utf8_bom.txt", "Des missiles iraniens se sont abattus sur la base d’Erbil"),
    ],
)
def test_encodings_are_decoded_without_mangling(name: str, expected: str) -> None:
    art = load_one(name)
    assert expected in art.text
    assert "\ufeff" not in art.text and "Ã" not in art.text


def test_decode_bytes_prefers_windows_1252_for_short_western_text() -> None:
    # charset-normalizer alone guesses mac_latin2 / UTF-16-BE for these.
    assert decode_bytes("Café".encode("cp1252"), "x") == "Café"
    text = "Élimination du général : « Nous ne cherchons pas l’escalade »"
    assert decode_bytes(text.encode("cp1252"), "x") == text


def test_utf8_with_one_stray_byte_is_not_read_as_windows_1252() -> None:
    good = "Le général Soleimani a été tué à Bagdad, a annoncé la télévision d'État iranienne. "
    data = (good * 3).encode("utf-8") + b"Fin \xe9 du texte."
    text = decode_bytes(data, "x")
    assert text.startswith(good) and text.endswith("Fin \ufffd du texte.")


def test_decode_bytes_still_reads_cyrillic() -> None:
    text = "Иран нанёс ракетный удар по американским базам в Ираке, сообщил Пентагон."
    assert decode_bytes(text.encode("cp1251"), "x") == text


# ------------------------------------------------------------------ rejections


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty.txt", "empty file"),
        ("whitespace.txt", "empty (whitespace only)"),
        ("image.png", "binary file (PNG image), not text"),
        ("scan.pdf", "binary file (PDF document), not text"),
        ("one_word.txt", "too short to summarise (1 word, at least 5 needed)"),
    ],
)
def test_unusable_files_are_rejected_with_one_line(name: str, problem: str) -> None:
    err = error_for(name)
    assert err.source == str(DATA / name)  # the path as given
    assert err.problem == problem
    assert str(err) == f"{DATA / name}: {problem}"
    assert "\n" not in str(err)


def test_size_limit_is_a_parameter() -> None:
    err = error_for("latin1.txt", max_bytes=100)
    assert err.problem.startswith("too large (336 bytes, limit 100)")
    articles, errors = load_articles(["x " * 80], max_bytes=100)
    assert articles == [] and errors[0].problem.startswith("too large")


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    articles, errors = load_articles([tmp_path / "nope.txt", tmp_path])
    assert articles == []
    # Issue 18: the path as given, not only its base name ("nope.txt" said nothing of
    # which folder was meant).
    assert [str(e) for e in errors] == [
        f"{tmp_path}/nope.txt: unreadable: no such file or directory",
        f"{tmp_path}: folder contains no article files",
    ]


def test_a_relative_path_is_shown_as_given(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _, errors = load_articles([Path("missing/article.html")])
    assert str(errors[0]) == "missing/article.html: unreadable: no such file or directory"


def test_require_any_raises_when_nothing_is_usable() -> None:
    with pytest.raises(NoUsableInputError) as caught:
        load_articles([DATA / "empty.txt"], require_any=True)
    assert caught.value.problems[0].source == str(DATA / "empty.txt")


# ------------------------------------------------------------------ jsonl


def test_jsonl_broken_lines_are_named_and_the_others_go_on() -> None:
    articles, errors = load_articles([DATA / "articles.jsonl"])
    jsonl = DATA / "articles.jsonl"
    assert [str(e) for e in errors] == [
        f"{jsonl}:2: invalid JSON (Expecting ',' delimiter at column 48)",
        f"{jsonl}:5: missing 'text'",
        f"{jsonl}:6: expected a JSON object, got list",
    ]
    first, second = articles
    assert first.source == "f24-0108"  # the record's id is the caller's label
    assert first.outlets == ["France 24"]
    assert first.title == "Missiles sur deux bases"
    assert first.url == "https://www.france24.com/fr/20200108-missiles"
    assert first.published == "2020-01-08T02:10:00Z"
    assert second.source == "articles.jsonl:4"
    assert second.url is None  # only http(s) links are kept
    assert second.language == "en"


def test_trafilatura_json_records_keep_their_outlet_and_date(tmp_path: Path) -> None:
    # A test fixture in the shape `trafilatura --json` writes (sitename, date).
    path = tmp_path / "scraped.jsonl"
    path.write_text('{"title": "Ferry fire off Kessel", "sitename": "Nordwire", '
                    '"date": "2024-03-14", "url": "https://nordwire.example/ferry", '
                    '"text": "The ferry Nordlys Star caught fire on Tuesday morning after '
                    'leaving Kessel, the coast guard said."}\n', encoding="utf-8")
    [article], errors = load_articles([path])
    assert errors == []
    assert article.outlets == ["Nordwire"] and article.published == "2024-03-14"


def test_iter_jsonl_bounds_each_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text('{"text": "' + "mot " * 100 + '"}\n{"text": "ok ok ok ok ok"}\n')
    items = list(iter_jsonl(path, max_bytes=200))
    assert isinstance(items[0], InputError)
    assert str(items[0]) == f"{path}:1: line larger than 200 bytes"
    assert not isinstance(items[1], InputError) and items[1].source == "big.jsonl:2"


# ------------------------------------------------------------------ items


@dataclass
class Story:
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None


def test_raw_strings_dicts_objects_and_bytes() -> None:
    text = "L'Iran a tiré des missiles sur deux bases américaines en Irak, selon le Pentagone."
    articles, errors = load_articles(
        [
            text,
            {"text": text + " Deuxième version.", "outlet": "RFI", "title": "Missiles"},
            Story(text + " Troisième version.", outlet="Reuters", url="https://x.example/a"),
            (text + " Quatrième version, été.").encode("latin-1"),
            42,
        ]
    )
    assert [a.source for a in articles] == ["item-1", "item-2", "item-3", "item-4"]
    assert articles[1].outlets == ["RFI"] and articles[1].title == "Missiles"
    assert articles[2].outlets == ["Reuters"] and articles[2].url == "https://x.example/a"
    assert articles[3].text.endswith("été.")
    assert [str(e) for e in errors] == ["item-5: unsupported input of type int"]


def test_a_single_string_is_one_item_not_characters() -> None:
    articles, errors = load_articles("Des missiles ont frappé deux bases en Irak cette nuit.")
    assert len(articles) == 1 and errors == []


def test_exact_duplicates_merge_and_keep_every_outlet() -> None:
    articles, errors = load_articles([DATA / "dup_le_parisien.txt", DATA / "dup_ouest_france.txt"])
    assert errors == []
    assert len(articles) == 1
    art = articles[0]
    assert art.outlets == ["Le Parisien", "Ouest-France"]
    assert art.source == "dup_le_parisien.txt, dup_ouest_france.txt"
    assert art.title == (
        "L'Iran a tiré des missiles sur deux bases abritant des soldats américains en Irak"
    )


def test_folders_are_read_sorted_and_not_recursively(tmp_path: Path) -> None:
    words = "Des missiles iraniens ont frappé la base {} cette nuit en Irak."
    (tmp_path / "b.txt").write_text(words.format("B"))
    (tmp_path / "a.txt").write_text(words.format("A"))
    (tmp_path / ".hidden.txt").write_text(words.format("H"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text(words.format("C"))
    articles, errors = load_path(tmp_path)
    assert errors == []
    assert [a.source for a in articles] == ["a.txt", "b.txt"]


def test_detect_language_and_count_words() -> None:
    assert detect_language("The Pentagon said Iran fired more than a dozen missiles.") == "en"
    assert detect_language("12 345") == "und"
    assert count_words("L'Iran a tiré 12 missiles") == 6
    assert count_words("伊朗向美军基地发射导弹") == 11
    assert count_words("one two three four five", stop_at=3) == 3
    assert count_words("one two", stop_at=3) == 2


def test_language_is_decided_on_a_sample_of_the_start_middle_and_end(
        seeds: dict[str, Article]) -> None:
    french = seeds["000"].text
    assert len(french) > 1500
    sample = language_sample(french)
    assert len(sample) <= 1500
    assert sample.split("\n")[0] in french and sample.split("\n")[-1] in french
    assert detect_language(french) == "fr"
    # An English headline and lead do not outvote a French body.
    english = "The Pentagon said Iran fired more than a dozen missiles at two bases. " * 8
    assert detect_language(english + french) == "fr"


@pytest.mark.parametrize(("text", "code"), [
    ("Dies ist ein deutscher Bericht über den Angriff auf zwei Stützpunkte im Irak, "
     "bei dem nach Angaben des Militärs niemand verletzt wurde.", "de"),
    ("שלום עולם, זהו טקסט בעברית ארוך מספיק כדי שהמזהה יהיה בטוח בתשובתו לגבי השפה", "he"),
    ("這是一個繁體中文句子，用來測試語言識別是否可靠，它應該足夠長以便識別器做出判斷。", "zh"),
])
def test_languages_are_plain_iso_639_1_codes(text: str, code: str) -> None:
    # CLD2 says "iw" for Hebrew and "zh-Hant" for traditional Chinese.
    assert detect_language(text) == code


def test_short_or_rejected_text_still_gets_a_guess() -> None:
    # CLD2 is not sure of one word and refuses C0 control characters: py3langid decides.
    assert detect_language("bonjour") == py3langid.classify("bonjour")[0]
    text = "Ceci est\x01 une phrase en français sur les missiles tirés par l'Iran mardi."
    assert detect_language(text) == "fr"


# ------------------------------------------------------------------ chunks


def test_chunks_split_on_paragraphs_with_exact_offsets(seeds: dict[str, Article]) -> None:
    text = seeds["004"].text
    chunks = split_paragraph_chunks(text, 1500)
    assert len(chunks) > 3
    for offset, chunk in chunks:
        assert text[offset : offset + len(chunk)] == chunk
        assert len(chunk) <= 1500
    # Every cut is at a paragraph break: the text is the chunks joined by blank lines.
    assert "\n\n".join(chunk for _, chunk in chunks) == text
    assert split_paragraph_chunks(text, 100_000) == [(0, text)]


def test_long_paragraph_is_cut_at_sentence_ends(seeds: dict[str, Article]) -> None:
    text = seeds["001"].text  # one paragraph of 2.6k characters
    chunks = split_paragraph_chunks(text, 1000)
    assert len(chunks) == 3
    for _, chunk in chunks[:-1]:
        assert chunk.endswith((".", "»"))


@given(text=st.text(max_size=400), max_chars=st.integers(min_value=1, max_value=120))
@settings(max_examples=300, deadline=None)
def test_chunks_property(text: str, max_chars: int) -> None:
    chunks = split_paragraph_chunks(text, max_chars)
    for offset, chunk in chunks:
        assert chunk and len(chunk) <= max_chars
        assert text[offset : offset + len(chunk)] == chunk
    assert [o for o, _ in chunks] == sorted(o for o, _ in chunks)
    # Cuts only drop whitespace at chunk edges: every other character is kept, in order.
    assert "".join("".join(c.split()) for _, c in chunks) == "".join(text.split())


# ------------------------------------------------------------------ robustness


@given(st.text(max_size=600))
@settings(max_examples=200, deadline=None)
def test_ingest_of_arbitrary_text_never_crashes(text: str) -> None:
    articles, errors = load_articles([text, {"text": text, "title": text[:20]}])
    assert len(articles) + len(errors) >= 1
    for art in articles:
        assert art.id == article_id(art.text)
        assert count_words(art.text) >= 5


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_decoding_arbitrary_bytes_never_crashes(data: bytes) -> None:
    try:
        assert isinstance(decode_bytes(data, "x"), str)
    except InputError as err:
        assert err.source == "x"


@pytest.mark.parametrize("brk", ["\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"])
def test_every_kind_of_line_break_becomes_a_newline(brk: str) -> None:
    assert clean_text(f"First line here{brk}second line here").text == (
        "First line here\nsecond line here")


@pytest.mark.parametrize("text", ["Lone \ud800 high", "Lone \udc00 low", "Pair \ud83d\ude00"])
def test_surrogates_are_replaced_and_a_pair_is_joined(text: str) -> None:
    fixed = without_surrogates(text)
    fixed.encode("utf-8")  # would raise on any surrogate left
    assert ("\U0001f600" in fixed) == text.startswith("Pair")
    assert without_surrogates("Plain é text") == "Plain é text"
