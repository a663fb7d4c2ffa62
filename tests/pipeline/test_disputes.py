"""Disputes over figures: same question, ranges that cannot all be true, two sources.

Claims and their figures are hand-written test fixtures; the figures of
``test_two_agreeing_reports_*`` are read by the real reader (factsum.pipeline.assemble).
"""

from __future__ import annotations

from collections.abc import Callable

from factsum.models import Article, Claim, Dispute, Hedge, Kind, Quantity, Span
from factsum.pipeline.assemble import assemble
from factsum.pipeline.disputes import (
    Said,
    categorical_disputes,
    figure_disputes,
    question,
    same_clause,
    topic,
    value_disputes,
)
from factsum.pipeline.numbers import interval
from factsum.pipeline.sentences import split_sentences

OUTLETS = {"a": "Daily A", "b": "Courier B", "c": "Wire C"}


def qty(text: str, value: float, hedge: Hedge = "exact", kind: Kind = "count",
        unit: str = "missiles") -> Quantity:
    low, high = interval(value, hedge)
    return Quantity(text=text, value=value, low=low, high=high, hedge=hedge, kind=kind,
                    unit=unit, asserted_by="")


def at(text: str, minutes: int) -> Quantity:
    return Quantity(text=text, value=None, low=minutes, high=minutes, hedge="exact",
                    kind="time", unit="", asserted_by="")


def claim(cid: str, *quantities: Quantity, statement: str = "", quote: str = "") -> Claim:
    article, _, n = cid.partition(":s")
    text = statement or f"Statement {cid}."
    return Claim(id=cid, article_id=article, sentence=int(n), statement=text,
                 quote=quote or text, span=Span(start=0, end=len(quote or text)),
                 translated=True, quantities=list(quantities))


def disputes(claims: list[Claim], *, groups: dict[str, str] | None = None,
             same_fact: dict[str, str] | None = None,
             speakers: dict[str, str] | None = None, language: str = "en") -> list[Dispute]:
    return figure_disputes(
        claims,
        groups=groups or {a: a for a in OUTLETS},
        same_fact=lambda a, b: (same_fact or {}).get(a, a) == (same_fact or {}).get(b, b),
        speakers=speakers or {},
        outlets=OUTLETS,
        language=language,
    )


def categorical(claims: list[Claim], *, facts: dict[str, str] | None = None,
                points: dict[str, str] | None = None, language: str = "en",
                languages: dict[str, str] | None = None) -> list[Dispute]:
    """``facts``/``points``: claim id -> the fact / point it belongs to (itself when not
    given)."""
    def same(groups: dict[str, str] | None) -> Callable[[str, str], bool]:
        return lambda a, b: (groups or {}).get(a, a) == (groups or {}).get(b, b)

    return categorical_disputes(
        claims, groups={a: a for a in OUTLETS}, speakers={}, outlets=OUTLETS,
        languages=languages or {}, language=language, same_fact=same(facts),
        same_point=same(points))


def test_two_sources_giving_10_and_22_missiles_make_one_dispute() -> None:
    claims = [claim("a:s1", qty("a dozen missiles", 12, "about")),
              claim("b:s1", qty("22 missiles", 22))]
    [dispute] = disputes(claims, speakers={"a:s1": "the Pentagon"})
    assert dispute.origin == "figures"
    assert dispute.topic == "Number of missiles"
    low, high = dispute.positions
    assert (low.statement, low.claim_ids, low.asserted_by) == (
        "a dozen missiles", ["a:s1"], ["the Pentagon"])
    # No speaker named: the outlet says it in its own voice.
    assert (high.statement, high.claim_ids, high.asserted_by) == (
        "22 missiles", ["b:s1"], ["Courier B"])


def test_a_value_every_other_voice_also_gives_is_contested_by_no_one() -> None:
    # The seeds: every outlet gives the two bases hit; Article 1 alone also says 35
    # bases exist in the region. No one says 2 and not 35 about the same thing.
    claims = [claim("a:s1", qty("two bases", 2, unit="bases")),
              claim("a:s2", qty("35 bases", 35, unit="bases")),
              claim("b:s1", qty("two bases", 2, unit="bases")),
              claim("c:s1", qty("2 bases", 2, unit="bases"))]
    assert disputes(claims) == []
    # Two speakers in one outlet are two voices: the Iraqi army's "no victims" against
    # the Iranians' 80 dead stays a dispute.
    tolls = [claim("c:s1", qty("no victims", 0, kind="killed", unit="victims")),
             claim("c:s2", qty("at least 80 dead", 80, "at least", "killed", "dead")),
             claim("b:s1", qty("no victims", 0, kind="killed", unit="victims"))]
    [dispute] = disputes(tolls, speakers={"c:s1": "the Iraqi army",
                                          "c:s2": "the Iranians"})
    assert len(dispute.positions) == 2


def test_compatible_figures_are_no_dispute() -> None:
    claims = [claim("a:s1", qty("more than a dozen missiles", 12, "more than")),
              claim("b:s1", qty("22 missiles", 22)),
              claim("c:s1", qty("dozens of missiles", 24, "at least"))]
    # 22 is more than a dozen and so is "dozens" (24 or more), but 22 is not "dozens":
    # that pair conflicts, and the dispute shows every position, lowest first.
    [dispute] = disputes(claims)
    assert [p.claim_ids for p in dispute.positions] == [["a:s1"], ["b:s1"], ["c:s1"]]
    assert disputes(claims[:2]) == []
    assert disputes([claims[0], claims[2]]) == []


def test_one_speaker_s_dozen_and_more_than_a_dozen_are_one_position() -> None:
    claims = [claim("a:s1", qty("a dozen missiles", 12, "about")),
              claim("b:s1", qty("more than a dozen missiles", 12, "more than")),
              claim("c:s1", qty("6 missiles", 6))]
    speakers = {"a:s1": "the Pentagon", "b:s1": "the Pentagon", "c:s1": "the Iraqi army"}
    [dispute] = disputes(claims, speakers=speakers)
    assert [(p.claim_ids, p.asserted_by) for p in dispute.positions] == [
        (["c:s1"], ["the Iraqi army"]),
        (["a:s1", "b:s1"], ["the Pentagon"]),
    ]


def test_a_position_is_what_its_figures_say_together() -> None:
    # "at least 12" alone allows 22; with the same speaker's "a dozen" it says 12 to 14.
    claims = [claim("a:s1", qty("a dozen missiles", 12, "about")),
              claim("b:s1", qty("at least 12 missiles", 12, "at least")),
              claim("c:s1", qty("22 missiles", 22))]
    speakers = {"a:s1": "the Pentagon", "b:s1": "the Pentagon"}
    [dispute] = disputes(claims, speakers=speakers)
    assert [p.claim_ids for p in dispute.positions] == [["a:s1", "b:s1"], ["c:s1"]]
    assert disputes([claims[1], claims[2]], speakers=speakers) == []


def test_the_same_figure_from_two_speakers_is_one_position() -> None:
    claims = [claim("a:s1", qty("22 missiles", 22)), claim("b:s1", qty("22 missiles", 22)),
              claim("c:s1", qty("10 missiles", 10))]
    [dispute] = disputes(claims, speakers={"a:s1": "the Iraqi army"})
    assert [sorted(p.asserted_by) for p in dispute.positions] == [
        ["Wire C"], ["Courier B", "the Iraqi army"]]


def test_tolls_are_one_question_whatever_the_noun() -> None:
    # The seeds' casualty dispute: "no casualties" (Iraqi army) against "at least 80 dead"
    # (the Iranians).
    claims = [claim("a:s1", qty("no casualties", 0, kind="killed", unit="casualties")),
              claim("b:s1", qty("at least 80 dead", 80, "at least", "killed", "dead"))]
    [dispute] = disputes(claims)
    assert dispute.topic == "People killed"
    assert question(claims[0].quantities[0]) == question(claims[1].quantities[0])


def test_different_questions_are_not_compared() -> None:
    claims = [claim("a:s1", qty("12 missiles", 12)),
              claim("b:s1", qty("22 rockets", 22, unit="rockets")),
              claim("c:s1", qty("40 injured", 40, kind="injured", unit="injured")),
              claim("a:s2", qty("12 dead", 12, kind="killed", unit="dead"))]
    assert disputes(claims) == []


def test_a_source_against_itself_is_no_dispute() -> None:
    claims = [claim("a:s1", qty("10 missiles", 10)), claim("b:s1", qty("22 missiles", 22))]
    assert len(disputes(claims)) == 1
    # a and b carry one wire story: one independence group, one source.
    assert disputes(claims, groups={"a": "a", "b": "a", "c": "c"}) == []
    same_article = [claim("a:s1", qty("10 missiles", 10)), claim("a:s5", qty("22 missiles", 22))]
    assert disputes(same_article) == []
    # One outlet reporting two speakers who disagree does report a dispute.
    assert len(disputes(same_article, speakers={"a:s1": "the army", "a:s5": "the rebels"})) == 1


def test_times_of_day_are_compared_within_one_fact() -> None:
    claims = [claim("a:s1", at("17:30", 17 * 60 + 30)), claim("b:s1", at("23:30", 23 * 60 + 30))]
    assert disputes(claims, same_fact={"a:s1": "p1", "b:s1": "p2"}) == []
    [dispute] = disputes(claims, same_fact={"a:s1": "p1", "b:s1": "p1"})
    assert dispute.topic == "Time of day"


def test_topics() -> None:
    assert topic(("count", "missile"), "missiles") == "Number of missiles"
    assert topic(("weight", "tonne"), "tonnes") == "Weight (tonnes)"
    assert topic(("money", ""), "euros") == "Amount of money"
    # A CLDR unit id is shown by its name, not its id.
    assert topic(("weight", "mass-tonne"), "mass-tonne") == "Weight (metric tons)"
    assert topic(("other", "digital-gigabyte"), "digital-gigabyte") == "Measure (gigabytes)"


def test_topics_are_in_the_summary_language() -> None:
    assert topic(("killed", ""), "dead", "fr") == "Personnes tuées"
    assert topic(("count", "missile"), "missiles", "fr") == "Nombre de missiles"
    assert topic(("count", "euro"), "euros", "fr") == "Nombre d’euros"
    assert topic(("weight", "mass-tonne"), "mass-tonne", "fr") == "Poids (tonnes)"
    assert topic(("time", ""), "", "fr") == "Heure"
    # No table for German: English labels, and the unit's English name with them.
    assert topic(("killed", ""), "Tote", "de") == "People killed"
    assert topic(("other", "digital-gigabyte"), "digital-gigabyte", "de") == (
        "Measure (gigabytes)")
    claims = [claim("a:s1", qty("12 morts", 12, kind="killed", unit="morts")),
              claim("b:s1", qty("80 morts", 80, kind="killed", unit="morts"))]
    [dispute] = disputes(claims, language="fr")
    assert dispute.topic == "Personnes tuées"
    bridge = [claim("a:s1", statement="Le pont s'est effondré mardi soir."),
              claim("b:s1", statement="Le pont s'est effondré lundi soir.")]
    [weekday] = categorical(bridge, facts={"a:s1": "p", "b:s1": "p"}, language="fr")
    assert weekday.topic == "Jour de la semaine"
    assert [p.statement for p in weekday.positions] == ["lundi", "mardi"]


# ------------------------------------------------ issue 18 High 4, through the reader

# Test fixtures: two outlets reporting the same toll in two phrasings.
AGREEING = [
    Article(id="aaaa", source="a.txt", outlets=["Daily A"], language="en", text=(
        "A missile attack hit the northern air base early on Monday morning. "
        "The missile attack on the base killed 40 people and injured 12 others, the "
        "governor said. Rescue teams worked through the night to clear the hangars.")),
    Article(id="bbbb", source="b.txt", outlets=["Courier B"], language="en", text=(
        "A missile attack struck the northern air base early on Monday morning. "
        "In the missile attack on the base, 40 people were killed and 12 were injured, "
        "the governor said. The army closed the roads around the base for the day.")),
]


def _assembled_disputes(articles: list[Article]) -> list[Dispute]:
    sentences = {a.id: split_sentences(a) for a in articles}
    statements = {a.id: {s.number: s.text for s in sentences[a.id] if s.candidate}
                  for a in articles}
    return assemble(articles, sentences, statements, language="en").disputes


def test_two_agreeing_reports_give_no_dispute() -> None:
    assert _assembled_disputes(AGREEING) == []


def test_two_reports_disagreeing_on_the_toll_give_one_dispute() -> None:
    # The control for the test above: the first report's toll in words the reader gets
    # right, and a different number of dead.
    changed = AGREEING[0].model_copy(update={"text": AGREEING[0].text.replace(
        "killed 40 people and injured 12 others", "left 30 people dead and 12 injured")})
    [dispute] = _assembled_disputes([changed, AGREEING[1]])
    assert dispute.topic == "People killed"
    assert [p.claim_ids for p in dispute.positions] == [["aaaa:s2"], ["bbbb:s2"]]


def test_claims_of_one_fact_giving_different_weekdays_are_a_dispute() -> None:
    bridge_a = claim("a:s1", statement="The bridge collapsed on Tuesday evening.")
    bridge_b = claim("b:s2", statement="The bridge collapsed on Monday evening.")
    other = claim("c:s3", statement="Schools will reopen on Wednesday.")
    said = [Said(bridge_a, "Tuesday", "a", "Daily A"), Said(bridge_b, "Monday", "b", "Courier B"),
            Said(other, "Wednesday", "c", "C")]
    facts = {frozenset({"a:s1", "b:s2"})}
    [dispute] = value_disputes(said, topic="Day of the week",
                               same_fact=lambda x, y: frozenset({x, y}) in facts)
    assert [p.statement for p in dispute.positions] == ["Monday", "Tuesday"]
    assert value_disputes(said, topic="Day of the week", same_fact=lambda x, y: False) == []


def test_a_weekday_the_restatement_dropped_is_read_from_its_sentence() -> None:
    # The restatement of the Italian sentence dropped "giovedì"; the sentence gives it,
    # in CLDR's Italian names, and the position cites that sentence.
    ruling_it = claim("a:s1", statement="The court sentenced the former mayor to three years.",
                      quote="Il tribunale ha condannato giovedì l'ex sindaco a tre anni.")
    ruling_en = claim("b:s2", statement="The court on Wednesday sentenced the former mayor.")
    one_point = {"a:s1": "p1", "b:s2": "p1"}
    [dispute] = categorical([ruling_it, ruling_en], facts=one_point, points=one_point,
                            languages={"a": "it", "b": "en"})
    assert [(p.statement, p.claim_ids) for p in dispute.positions] == [
        ("Thursday", ["a:s1"]), ("Wednesday", ["b:s2"])]
    # Without the sentence's language, its weekday is not read.
    assert categorical([ruling_it, ruling_en], facts=one_point, points=one_point,
                       languages={"a": "en", "b": "en"}) == []


def test_a_weekday_read_from_the_sentence_is_compared_within_its_point_only() -> None:
    # The seeds: "... ont été tirés ..., a indiqué mardi soir le Pentagone" restated
    # without "mardi", which dates the Pentagon's statement, not the strike. Its
    # statement is close to another outlet's (one fact by similarity) but the two are
    # not one point: no dispute with that outlet's "mercredi".
    pentagon = claim("a:s4", statement="More than a dozen missiles were fired by Iran.",
                     quote="Des missiles ont été tirés par l'Iran, a indiqué mardi soir le "
                           "Pentagone.")
    strike = claim("b:s4", statement="Iran fired missiles this morning at 8 AM.",
                   quote="L'Iran a tiré des missiles ce mercredi matin.")
    languages = {"a": "fr", "b": "fr"}
    close = {"a:s4": "f", "b:s4": "f"}
    assert categorical([pentagon, strike], facts=close, languages=languages) == []
    assert len(categorical([pentagon, strike], facts=close, points=close,
                           languages=languages)) == 1


def test_years_given_in_clauses_that_say_the_same_thing_are_a_dispute() -> None:
    # Two statements too different as wholes to be one fact (a compound sentence) give
    # the contract's end in clauses that say the same; "2029." ends its sentence.
    a = claim("a:s4", statement="The 23-year-old passed a medical on Sunday and signed a "
                                "contract until June 2030.")
    b = claim("b:s4", statement="The German club will pay 52 million euros, one of the "
                                "biggest sales ever, and the player signed a contract "
                                "until 2029.")
    [dispute] = categorical([a, b])
    assert dispute.topic == "Year"
    assert [(p.statement, p.claim_ids) for p in dispute.positions] == [
        ("2029", ["b:s4"]), ("2030", ["a:s4"])]


def test_weekdays_in_clauses_that_say_the_same_thing_are_a_dispute() -> None:
    a = claim("a:s6", statement="The bridge on the departmental road collapsed in the "
                                "afternoon of Tuesday, without causing any casualties.")
    b = claim("b:s5", statement="The bridge that connects the district with the regional "
                                "road collapsed on Monday at night, leaving the left bank "
                                "cut off.")
    [dispute] = categorical([a, b])
    assert [p.statement for p in dispute.positions] == ["Monday", "Tuesday"]


def test_clauses_sharing_one_word_or_a_reporting_verb_are_not_one_fact() -> None:
    # One shared word names a thing, not what happened to it.
    assert categorical([claim("a:s1", statement="The bridge collapsed on Tuesday."),
                        claim("b:s1", statement="The bridge reopened on Friday.")]) == []
    # "police said on Monday" dates what was said, not what happened: two statements of
    # different facts, each with such a clause, are not one fact.
    assert categorical([claim("a:s1", statement="Two roads were closed, police said on "
                                                "Monday."),
                        claim("b:s1", statement="Schools will reopen, police said on "
                                                "Tuesday.")]) == []
    assert not same_clause("police", "police")
    # Token-set similarity takes a subset for a match: one word inside another clause is
    # not enough.
    assert not same_clause("bridge", "bridge reopened")
    assert same_clause("signed contract until", "player signed contract until")
    assert not same_clause("", "signed contract until")


def test_a_toll_whose_clause_names_nothing_the_others_report_is_another_incident() -> None:
    # The seeds: the Iraqi army's "no casualties" and the Iranians' "at least 80 dead"
    # are the strike's toll; "a stampede left more than 50 dead" (at the general's
    # funeral) speaks of nothing the other sources report: not a position on it.
    raids = claim("a:s11", qty("no casualties", 0, kind="killed", unit="casualties"),
                  statement="These raids would not have caused casualties, according to "
                            "the Iraqi army, and the Iranians announced at least 80 dead.")
    iranians = claim("b:s12", qty("at least 80 dead", 80, "at least", "killed", "dead"),
                     statement="The Iranians announced at least 80 dead after the raids.")
    stampede = claim("c:s30", qty("more than 50 dead", 50, "more than", "killed", "dead"),
                     statement="But a stampede left more than 50 dead, according to local "
                               "officials.")
    [dispute] = disputes([raids, iranians, stampede])
    assert [p.claim_ids for p in dispute.positions] == [["a:s11"], ["b:s12"]]


def test_a_toll_in_one_word_the_others_do_not_use_still_counts() -> None:
    # One unshared word is a synonym as often as another incident.
    blast = claim("a:s1", qty("12 people", 12, kind="killed", unit="people"),
                  statement="The blast killed 12 people.")
    explosion = claim("b:s1", qty("9 people", 9, kind="killed", unit="people"),
                      statement="The explosion killed 9 people.")
    [dispute] = disputes([blast, explosion])
    assert [p.claim_ids for p in dispute.positions] == [["b:s1"], ["a:s1"]]
    # Two words no other source uses: another incident.
    riot = claim("a:s1", qty("12 people", 12, kind="killed", unit="people"),
                 statement="A stadium riot killed 12 people.")
    assert disputes([riot, explosion]) == []


def test_a_toll_or_count_in_a_statement_naming_a_year_is_that_year_s() -> None:
    now = claim("a:s2", qty("4 people", 4, kind="injured", unit="people"),
                statement="Four people were slightly injured in the fire.")
    before = claim("b:s7", qty("at least 12 injuries", 12, "at least", "injured",
                               "injuries"),
                   statement="In 2019, a fire on the same site caused at least 12 injuries.")
    assert disputes([now, before]) == []
    # Two sources giving different tolls for the same year do disagree.
    before_too = claim("c:s5", qty("8 injured", 8, kind="injured", unit="injured"),
                       statement="The 2019 fire on the same site left 8 injured.")
    [dispute] = disputes([now, before, before_too])
    assert [p.claim_ids for p in dispute.positions] == [["c:s5"], ["b:s7"]]
    # Head counts alike; an amount is compared whatever year its statement names (the
    # year is as often its term as its date).
    rescued = claim("a:s3", qty("45 people", 45, unit="people"),
                    statement="Firefighters rescued 45 people.")
    in_1982 = claim("b:s4", qty("38 people", 38, unit="people"),
                    statement="The worst flood since 1982, which killed 38 people.")
    assert disputes([rescued, in_1982]) == []
    fee = claim("a:s1", qty("45 million euros", 45e6, kind="money", unit="euro"),
                statement="The club paid 45 million euros.")
    term = claim("b:s1", qty("52 million euros", 52e6, kind="money", unit="euro"),
                 statement="The club will pay 52 million euros and he signed until 2029.")
    assert len(disputes([fee, term])) == 1


def test_one_speaker_is_one_position_whatever_the_order_of_the_figures() -> None:
    # The seeds: an outlet's own "more than 12" comes first; the Pentagon's "a dozen"
    # (one outlet) and "more than a dozen" (another, identical to the first figure)
    # follow. The Pentagon's two figures are one position, not two.
    claims = [claim("a:s4", qty("more than 12 missiles", 12, "more than")),
              claim("b:s5", qty("a dozen missiles", 12, "about")),
              claim("c:s4", qty("more than a dozen missiles", 12, "more than")),
              claim("a:s9", qty("6 missiles", 6))]
    speakers = {"b:s5": "the Pentagon", "c:s4": "the Pentagon", "a:s9": "the Iraqi army"}
    [dispute] = disputes(claims, speakers=speakers)
    assert [sorted(p.claim_ids) for p in dispute.positions] == [
        ["a:s9"], ["a:s4", "b:s5", "c:s4"]]
