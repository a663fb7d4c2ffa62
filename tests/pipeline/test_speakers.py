"""Who gives a statement, read in code, and one form per speaker in a summary.

The statements are hand-written test fixtures in the shape of the seeds' restatements.
"""

from __future__ import annotations

import pytest
from factsum.pipeline.speakers import (
    attributions,
    canonical_speakers,
    pronoun_speaker,
    speaker,
    tokens,
)


@pytest.mark.parametrize(("statement", "who"), [
    # "according to X"
    ("A stampede left more than 50 dead, according to local officials.", "local officials"),
    ("According to the Pentagon, Iran fired more than a dozen missiles.", "the Pentagon"),
    ("Three people died in the fire, according to the police.", "the police"),
    # "X said" and "X, <apposition>, said"
    ("The Pentagon said Iran fired more than a dozen missiles.", "The Pentagon"),
    ("Police said 3 people died in the fire.", "Police"),
    ("Jonathan Hoffman, spokesman for the Department of Defense, said Iran fired missiles.",
     "Jonathan Hoffman"),
    ("Iran fired missiles at two bases on Tuesday, the Pentagon said.", "the Pentagon"),
    # "..., said X"
    ("Iran fired more than a dozen ballistic missiles, said Jonathan Hoffman.",
     "Jonathan Hoffman"),
    ("The strikes were carried out with dozens of missiles, announced the Iranian "
     "Revolutionary Guards.", "the Iranian Revolutionary Guards"),
    ("Donald Trump is following the situation closely, said the White House.",
     "the White House"),
])
def test_the_speaker_a_statement_names(statement: str, who: str) -> None:
    assert speaker(statement, "en") == who


@pytest.mark.parametrize("statement", [
    "Iran fired missiles at two bases sheltering American soldiers in Iraq.",
    "The missiles hit the base at 1:20 a.m. on Wednesday.",
    "Several coalition member states have already withdrawn soldiers.",
])
def test_the_outlet_s_own_voice_has_no_speaker(statement: str) -> None:
    assert speaker(statement, "en") == ""


def test_french_statements_use_the_french_lexicon() -> None:
    assert speaker("Selon le Pentagone, 12 missiles ont été tirés.", "fr") == "le Pentagone"
    assert speaker("Le Pentagone a annoncé 12 missiles.", "fr") == "Le Pentagone"
    assert speaker("L'Iran a tiré 12 missiles sur deux bases.", "fr") == ""


def test_a_language_without_a_lexicon_names_no_speaker() -> None:
    assert speaker("The Pentagon said Iran fired missiles.", "xx") == ""


@pytest.mark.parametrize(("statement", "noun"), [
    ("The fire killed 3 people, the governor said.", "governor"),
    ("The fire killed 3 people, officials said.", "officials"),
    ("In Baghdad, the army said 3 soldiers died.", "army"),
])
def test_a_common_noun_speaker(statement: str, noun: str) -> None:
    assert noun in speaker(statement, "en").casefold()


@pytest.mark.parametrize(("statement", "who"), [
    # quarterly_results: the dispute table said "the company had".
    ("A year earlier, the company had reported a net profit of 381 million euros.",
     "the company"),
    ("The police have said that two people died.", "The police"),
])
def test_the_perfect_s_auxiliary_is_no_part_of_the_speaker(statement: str, who: str) -> None:
    assert speaker(statement, "en") == who


def test_forms_of_one_speaker_become_one() -> None:
    names = ["the Pentagon", "the Pentagon", "Pentagon", "The Pentagon", "Le Pentagone"]
    canon = canonical_speakers(names)
    assert set(canon) == set(names)
    assert set(canon.values()) == {"the Pentagon"}  # the most frequent spelling


def test_different_speakers_stay_apart() -> None:
    canon = canonical_speakers(["Iran", "Iraq", "the Iranians", "Iranians", "the Iraqis",
                                "Jonathan Hoffman", "the Pentagon"])
    assert canon["Iran"] != canon["Iraq"]
    assert canon["the Iranians"] == canon["Iranians"] != canon["the Iraqis"]
    assert canon["Jonathan Hoffman"] != canon["the Pentagon"]


def test_the_outlet_s_voice_is_not_a_speaker() -> None:
    assert canonical_speakers(["", "", "the Pentagon"]) == {"the Pentagon": "the Pentagon"}


# Source markers in a sentence of any language with a CLAUSES entry: the verify check
# compares the cited sentence's with the statement's.

@pytest.mark.parametrize(("language", "sentence", "marker", "who"), [
    ("fr", "Selon le Pentagone, 22 missiles se sont abattus sur les bases.", "selon",
     "le Pentagone"),
    ("fr", "«Le 7 janvier, l'Iran a tiré des missiles», a indiqué Jonathan Hoffman, "
     "porte-parole.", "indiqué", "Jonathan Hoffman"),
    ("fr", "La Maison-Blanche a fait savoir que le président suivait la situation.",
     "savoir", "La Maison-Blanche"),
    ("de", "Das Feuer sei unter Kontrolle, sagte ein Sprecher der Feuerwehr.", "sagte",
     "ein Sprecher der Feuerwehr"),
    ("de", "Drei Menschen wurden verletzt, laut Polizei.", "laut", "Polizei"),
    ("es", "El puente se derrumbó, según la Guardia Civil.", "según", "la Guardia Civil"),
    ("it", "Secondo la Protezione civile, 300 persone sono state evacuate.", "secondo la",
     "Protezione civile"),
    ("pt", "O clube anunciou a contratação do avançado.", "anunciou", "O clube"),
    # Portuguese "a" is an article as well as a preposition
    ("pt", "«As vendas subiram», disse a presidente executiva Ana Costa.", "disse",
     "a presidente executiva Ana Costa"),
    ("en", "Iran fired missiles, said Jonathan Hoffman.", "said", "Jonathan Hoffman"),
])
def test_the_speaker_a_sentence_names(language: str, sentence: str, marker: str,
                                      who: str) -> None:
    [found] = attributions(sentence, language)
    assert (found.marker.casefold(), " ".join(found.speaker)) == (marker, who)


@pytest.mark.parametrize(("language", "sentence"), [
    ("fr", "«Il est clair que ces missiles ont été tirés», a-t-il précisé."),
    ("fr", "«Il est clair que ces missiles ont été tirés», précise-t-il."),
    ("es", "«El agua llegó a dos metros», dijo."),
    ("it", "Ha detto che il ponte è crollato."),
    ("de", "Er sagte, die Lage sei unter Kontrolle."),
    # "Das" is the fronted object, not a speaker (election: "drops the attribution to
    # Das"); the subject after the verb is not read.
    ("de", "Das teilte die Stadtverwaltung nach Auszählung aller Wahlbezirke mit."),
    ("pt", "O balanço foi anunciado na terça-feira."),  # a passive names nobody
    ("en", "The toll was announced on Tuesday."),
])
def test_a_marker_that_names_nobody(language: str, sentence: str) -> None:
    assert [found.speaker for found in attributions(sentence, language)] == [()]


@pytest.mark.parametrize(("language", "sentence"), [
    ("it", "Il secondo giorno, l'acqua è scesa di un metro."),
    ("pt", "No segundo trimestre, o lucro subiu 12%."),
    ("en", "Iran fired missiles at two bases in Iraq."),
    ("xx", "Iran fired missiles, said Jonathan Hoffman."),  # no CLAUSES entry
])
def test_no_marker(language: str, sentence: str) -> None:
    assert attributions(sentence, language) == ()


def test_a_verb_final_german_clause() -> None:
    [found] = attributions("Der Wechsel ist perfekt, wie der Verein am Dienstag "
                           "bekanntgab.", "de")
    assert "Verein" in found.speaker


def test_tokens_keep_elisions_and_read_n_t() -> None:
    assert tokens("L'armée n'a pas dit qu'il didn't") == [
        "L'", "armée", "n'", "a", "pas", "dit", "qu'", "il", "did", "not"]
    assert tokens("a-t-il, Maison-Blanche") == ["a-t-il", "Maison-Blanche"]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ('"Renewables now carry our results," she said.', "en", True),
    ("She has also said that the cuts would come through early retirement.", "en", True),
    ("« Il est clair que ces missiles ont été tirés », a-t-il précisé.", "fr", True),
    # After the verb, a pronoun starts the reported clause as often as it inverts the
    # subject, so it is not read: German "sagte sie" goes unseen.
    ("Das sagte sie am Montag.", "de", False),
    ('"Renewables now carry our results," chief executive Marta Seixas said.', "en", False),
    ("The Pentagon said it was clear.", "en", False),  # "it" after the verb: its object
    # A pronoun after the verb starts the reported clause; a quote's "I" is the quote's.
    ("The minister said he would resign.", "en", False),
    ('"I said no," Trump told reporters.', "en", False),
    ('"We told them we would respond," the Pentagon said.', "en", False),
    ("Die Polizei sagte, sie habe nichts gesehen.", "de", False),
    ("They are worried about a regional escalation.", "en", False),  # no reporting verb
])
def test_a_pronoun_speaker_is_found(text: str, language: str, expected: bool) -> None:
    assert pronoun_speaker(text, language) is expected


@pytest.mark.parametrize(("statement", "language", "who"), [
    # cyber_attack: "added" is a reporting verb, but not after an auxiliary mid-clause.
    ("The BlackMarlin gang has added Red Hospitalaria Costa Norte to its leak site, "
     "claiming roughly 80 GB of stolen files.", "en", ""),
    ("Les frappes ont fait 3 morts, a annoncé le Pentagone.", "fr", "le Pentagone"),
    ('"We will respond", said Jonathan Hoffman.', "en", "Jonathan Hoffman"),
])
def test_an_inverted_attribution_follows_a_comma_or_a_quote(statement: str, language: str,
                                                            who: str) -> None:
    assert speaker(statement, language) == who
