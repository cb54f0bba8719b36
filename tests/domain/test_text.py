"""Text normalisation for the pattern analysis: tokens, stop words, keys, phrases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator.domain.text import (
    MAX_CHARS,
    detect_language,
    most_frequent_form,
    normalise,
    segments,
    term_key,
    tokenize,
)


def test_tokenizer_keeps_hyphenated_and_apostrophe_words_and_drops_emoji():
    words = tokenize("De OR-voorzitter stuurde een e-mail over auto's 🚗🙈 — echt!")
    assert "OR-voorzitter" in words
    assert "e-mail" in words
    assert "auto's" in words
    assert not any("🚗" in w or "🙈" in w for w in words)


def test_segments_break_at_punctuation():
    assert segments("Eerst dit, dan dat. En nu?") == [["Eerst", "dit"], ["dan", "dat"],
                                                       ["En", "nu"]]


def test_stop_words_go_but_negations_and_modals_stay():
    norm = normalise("Er is geen vertrouwen en de raad moet niet alles willen")
    keys = set(norm.terms)
    assert term_key("vertrouwen") in keys
    for kept in ("geen", "moet", "niet", "willen"):
        assert term_key(kept) in keys, kept
        assert term_key(kept) in norm.function_terms
    for stop in ("er", "is", "en", "de", "alles"):
        assert term_key(stop) not in keys


def test_dutch_porter_keeps_gemeente_apart_from_meen_and_joins_inflections():
    assert term_key("gemeente") != "meen"
    assert term_key("gemeente") == term_key("gemeenten")
    assert term_key("raadslid") == term_key("raadsleden")
    assert term_key("luisteren") == term_key("luistert")
    assert term_key("ambtenaar") == term_key("ambtenaren")


def test_two_word_phrases_within_a_segment_only():
    norm = normalise("Vertrouwen herstellen. Werkdruk verlagen")
    v, h = term_key("vertrouwen"), term_key("herstellen")
    w = term_key("werkdruk")
    assert f"{v} {h}" in norm.terms
    assert f"{h} {w}" not in norm.terms          # the full stop separates them
    # a stop word separates too: no phrase across "aan"
    assert f"{term_key('gebrek')} {v}" not in normalise("gebrek aan vertrouwen").terms
    # negation + content word is a phrase ("niet gehoord")
    assert f"{term_key('niet')} {term_key('gehoord')}" in normalise("niet gehoord").terms


def test_phrase_of_two_function_words_is_not_kept():
    norm = normalise("moet niet")
    assert all(" " not in t for t in norm.terms)


def test_language_detection():
    assert normalise("We do not trust the council and the workers are tired").lang == "en"
    assert normalise("Wij vertrouwen de raad niet en de medewerkers zijn moe").lang == "nl"
    assert normalise("").lang == "nl"
    assert detect_language(["vertrouwen"]) == "nl"


def test_english_contractions_become_not():
    norm = normalise("We don't trust them and they can't listen")
    assert "not" in norm.terms
    assert "not" in norm.function_terms


def test_display_forms_are_original_words_not_stems():
    norm = normalise("Vertrouwen is weg. De OR-voorzitter mist vertrouwen")
    forms = {key: form for key, form in norm.forms}
    assert forms[term_key("vertrouwen")] == "vertrouwen"   # sentence capital dropped
    assert forms[term_key("or-voorzitter")] == "OR-voorzitter"
    assert most_frequent_form({"Raad": 2, "raad": 2, "raden": 1}) == "raad"
    assert most_frequent_form({}) == ""


def test_numbers_and_single_letters_are_not_terms():
    norm = normalise("In 2024 kreeg x 3 extra fte")
    assert "2024" not in norm.terms and "x" not in norm.terms
    assert term_key("fte") in norm.terms


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_normalise_never_breaks_and_is_deterministic(text):
    first = normalise(text)
    assert first == normalise(text)
    assert len(set(first.terms)) == len(first.terms)
    assert {key for key, _ in first.forms} == set(first.terms)
    assert first.lang in ("nl", "en")


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["🙂", "🎉🎉", "👍🏽", "—", " "]), st.integers(1, 2000))
def test_emoji_only_and_very_long_texts(chunk, repeat):
    norm = normalise(chunk * repeat)
    assert norm.terms == ()
    long = normalise("vertrouwen " * (MAX_CHARS // 5))
    assert long.terms == (term_key("vertrouwen"),)


def test_mixed_language_text():
    norm = normalise("De raad moet luisteren. The council should listen to werkdruk concerns.")
    assert term_key("werkdruk") in norm.terms or term_key("werkdruk", "en") in norm.terms


def test_a_pair_joined_by_en_stays_one_unit():
    from facilitator.domain.text import normalise

    norm = normalise("Vertrouwen tussen raad en organisatie moet je onderhouden")
    assert "rad en organisatie" in norm.terms
    assert ("rad en organisatie", "raad en organisatie") in norm.forms
    assert not any(" en " in t for t in normalise("raad en niet de organisatie").terms)
