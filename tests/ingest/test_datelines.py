"""Wire datelines: the agency they credit, and the sentence without them."""

from __future__ import annotations

import pytest
from factsum.ingest.datelines import wire_credit, without_dateline


@pytest.mark.parametrize(("text", "credit"), [
    ("Hospitals hit\n\nMADRID, Nov 10 (ETW) - A ransomware attack", "etw"),
    ("MADRID, 10. Nov. (ETW) – Ein Ransomware-Angriff", "etw"),
    ("LONDON (Reuters) - Three hospitals", "reuters"),
    ("SÃO PAULO (AP) — Police said", "ap"),
    ("Olaf Scholz (SPD) - the chancellor spoke", None),
    ("Jeanne Bulant avec AFP", None),
])
def test_the_agency_a_dateline_credits(text: str, credit: str | None) -> None:
    assert wire_credit(text) == credit


def test_a_sentence_without_its_dateline() -> None:
    assert without_dateline("BREVANNES, France, June 12 (CPW) - More than 1,500 residents "
                            "were ordered to leave.") == ("More than 1,500 residents were "
                                                          "ordered to leave.")
    assert without_dateline("LISBOA, 30 out (MFW) – a elétrica anunciou") == \
        "A elétrica anunciou"
    unchanged = "The mayor (SPD) - who spoke first - said nothing."
    assert without_dateline(unchanged) == unchanged
