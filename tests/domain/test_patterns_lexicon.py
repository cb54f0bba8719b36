"""The field lexicon (``facilitator/domain/field_lexicon.py``): words that people in
municipal work use for the same concern count as one term."""

from __future__ import annotations

from facilitator.domain.field_lexicon import CONCEPTS_NL
from facilitator.domain.patterns import analyse_workshop
from facilitator.domain.text import normalise, term_key

from .test_patterns import Session
from .test_patterns_dialogue import SIX


def test_words_of_one_concept_share_a_key_and_keep_what_was_written():
    assert term_key("avg") == term_key("privacy") == term_key("gegevensdeling")
    assert term_key("jeugdhulp") == term_key("jeugdzorg")
    assert term_key("ombuigingen") == term_key("bezuinigingen")
    norm = normalise("De AVG wordt als excuus gebruikt, privacy en gegevensdeling: wie weet het?")
    written = [form for key, form in norm.forms if key == term_key("privacy")]
    assert written == ["AVG", "privacy", "gegevensdeling"]
    # two words of one concept joined by "en" are not a phrase of the concept with itself
    assert f"{term_key('privacy')} en {term_key('privacy')}" not in norm.terms
    # unrelated words stay apart, and English text is left alone
    assert term_key("gegevens") != term_key("privacy")
    assert normalise("Privacy matters, and so does data sharing.").lang == "en"


def test_every_group_is_distinct_and_single_words():
    words = [w for group in CONCEPTS_NL for w in group]
    assert len(words) == len(set(words))
    assert all(" " not in w and w == w.lower() for w in words)


def test_a_concern_written_in_three_words_is_one_distinctive_concern():
    """Four of five information managers each write about privacy in their own words
    (AVG, privacy, gegevensdeling, persoonsgegevens); no word alone reaches three
    writers, the concept does; nobody else writes about it."""
    s = Session(SIX[:4])
    ict = ["De AVG wordt als excuus gebruikt om niks te delen",
           "privacy staat voorop maar niemand weet wat mag",
           "gegevensdeling met de ketenpartners is nog steeds niet geregeld 🙄",
           "persoonsgegevens mailen we nog gewoon rond, echt zorgelijk",
           "prima middag, dank Jeroen"]
    for text in ict:
        s.write(s.person("vak"), text)
    filler = ["de koffie was koud", "fijne middag, dank Petra", "ik ben benieuwd naar het vervolg",
              "mooi gesprek aan tafel", "de zaal was te warm", "goed georganiseerd",
              "thuiswerken gaat prima bij ons"]
    for pid in ("raad", "amb", "or"):
        for text in filler:
            s.write(s.person(pid), text)
    result = analyse_workshop(s.data)
    concern = next(d for d in result["distinctive"] if d["perspective"] == "vak")
    assert concern["key"] == term_key("privacy")
    assert concern["counts"]["authors_using"] == 4 and concern["counts"]["others_using"] == 0
    written = {"AVG", "privacy", "gegevensdeling", "persoonsgegevens"}
    assert concern["term"] in written
    # the other words people used for it are named beside it
    assert set(concern["related"]) == written - {concern["term"]}
    assert all(f"“{w}”" in concern["explanation"]["nl"] for w in concern["related"])
