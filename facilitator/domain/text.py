"""Text normalisation for the pattern analysis: Dutch first, English works too.

A reflection is normalised once, when it arrives (``normalise``), into a
``NormalisedText``: the language it is written in, its terms (single words and
two-word phrases, as stable keys) and the original word forms behind each key,
so that the screen can show the word people actually wrote, never a stem.

How a text becomes terms:

1. It is cut into *segments* at punctuation (``. , ; : ! ? ( ) "`` and dashes
   between spaces); a two-word phrase never spans a segment boundary.
2. Each segment is cut into words.  A word is a run of letters and digits that
   may contain inner hyphens and apostrophes, so ``OR-voorzitter``, ``e-mail``
   and ``auto's`` stay whole.  Emoji and other symbols are not words.
3. The language is guessed from the stop words it contains (Dutch unless the
   English ones clearly dominate).
4. Stop words are dropped, *except* negations and modal verbs (``niet``,
   ``geen``, ``moet``, ``kan``; ``not``, ``should``): they carry meaning in a
   reflection ("niet gehoord", "moet anders"); English contractions such as
   ``don't`` and ``can't`` all become the key ``not``.  Words of one letter and pure
   numbers are dropped too.  A dropped word separates phrases.
5. Each remaining word gets a key: its lemma (simplemma) stemmed with the
   Snowball ``dutch_porter`` stemmer (``english`` for English texts).  Lemma
   then stem joins ``raadslid``/``raadsleden`` and ``luistert``/``luisteren``;
   ``dutch_porter`` keeps ``gemeente`` apart from ``meen``.  A Dutch word of the
   small field lexicon (``field_lexicon``: *AVG* / *privacy* / *gegevensdeling*,
   *jeugdhulp* / *jeugdzorg* …) gets the key of its concept.
6. Two neighbouring kept words form a phrase key ``"key1 key2"`` unless both
   are negations/modals; two kept words joined by "en" ("raad en organisatie")
   form one too (``"key1 en key2"``).

Everything here is pure and deterministic; the lemma and stem look-ups are
cached per word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import simplemma
import snowballstemmer

from .field_lexicon import CONCEPTS_NL

#: Texts longer than this many characters are cut before normalising
#: (reflections are limited to ~1000 characters; this only bounds the work).
MAX_CHARS = 50_000

# -- word lists --------------------------------------------------------------

#: Dutch negations and modal verbs: kept although they are function words.
KEPT_NL = frozenset("""
niet geen nooit niets niks niemand nergens
moet moeten moest moesten gemoeten mag mogen mocht mochten
kan kunnen kon konden kunt zal zullen zult zou zouden wil willen wilde wilden wilt
hoeft hoeven hoefde hoefden
""".split())

#: English negations and modal verbs: kept although they are function words.
KEPT_EN = frozenset("""
not no never nothing nobody none neither nor cannot can't don't doesn't didn't won't
wouldn't shouldn't couldn't isn't aren't wasn't weren't haven't hasn't hadn't mustn't
must should can could may might would shall will need needs ought
""".split())

#: Dutch stop words (function words and the fillers of spoken reflections).
STOP_NL = frozenset("""
aan aangezien af al alle allemaal alles als alsof altijd ander andere anders bij binnen
ben bent bijna blijft daar daarbij daardoor daarin daarna daarom daarop daarvan dan dat de
deze die dit doch doen doet door dus echt eigenlijk een eens elk elke en enige enkele er
erg even ge gedaan geweest gewoon haar had hadden heb hebben hebt heeft heel hem hen het
hier hij hoe hoewel hun ik in is ja je jij jou jouw jullie juist kunt later lijkt maar
me meer meest men met mij mijn misschien na naar nee net nog nu of ofwel om omdat ons
onze ook op over pas per reeds sinds sommige steeds te tegen toch toen tot tussen u uit
uw van veel vaak vanuit via vind vinden vindt voor vooral waar waarbij waarom waarin wanneer
want waren was wat we weer wel welk welke werd werden wie wij word worden wordt zal ze
zeer zelf zich zij zijn zo zoals zodat zonder zowel denk denken denkt zeggen zegt gaan
gaat ging komen komt kwam hele heleboel iets iemand ieder iedere iedereen beetje best
eigen dezelfde hetzelfde zit zitten staat staan mee ermee erop ervan erin hierbij hiervan
""".split()) - KEPT_NL

#: English stop words.
STOP_EN = frozenset("""
a about above after again against all also am an and any are as at be because been
before being below between both but by did do does doing down during each few for from
further get gets got had has have having he her here hers herself him himself his how i
i'm i've if in into is it it's its itself just let let's me more most my myself of off
on once only or other others our ours ourselves out over own same she so some such than
that that's the their theirs them themselves then there there's these they they're this
those through to too under until up us very was we we're were what when where which while
who whom why with you your yours yourself yourselves think feel really quite lot lots
one thing things way something anything everything much many even still yes
""".split()) - KEPT_EN

#: The generic words of the field: what every perspective says in every context in a
#: reflection session of a municipality ("werken", "gemeente", "mensen", "goed" ...).
#: They stay terms (a phrase such as "hybride werken" keeps them) but never lead a
#: shared theme on their own; the session adds its own (see patterns.themes).
GENERIC_NL = frozenset("""
werken werk gemeente gemeenten mensen mens goed goede beter slecht nieuw nieuwe collega
collega's organisatie dingen ding zaken zaak manier vandaag middag tijd jaar jaren keer
prima mooi mooie fijn belangrijk belangrijke groot grote klein kleine
weinig minder maken merken praten zien krijgen houden blijven gebeuren
""".split())


#: Generic words learned from the fixture corpora by ``bench/patterns_generic.py``: words
#: people there use about three or more unrelated subjects (a shared theme, a concern,
#: an everyday remark), beyond ``GENERIC_NL``. Each corpus is learned from on its own
#: (the second one also finds "gemeente", "goed" and "zien" of the hand list, a check
#: of the rule). Regenerate with that script when the corpora grow; a session adds its
#: own generic words too (see patterns.themes).
GENERIC_LEARNED = frozenset("""
lastig team teams elkaar inwoner inwoners
""".split())


def generic_keys() -> frozenset[str]:
    """The term keys of ``GENERIC_NL`` and ``GENERIC_LEARNED`` (cached)."""
    return _generic_keys()


def all_generic(key: str) -> bool:
    """Whether every word of a term key (a word or a phrase) is a generic word of the field:
    "nieuwe collega" says nothing a perspective would call its concern."""
    generic = _generic_keys()
    return all(w in generic for w in key.split(" ") if w not in CONNECTOR_KEY.values())


#: Words that join two kept words into one unit ("raad en organisatie").
CONNECTORS = {"nl": frozenset({"en"}), "en": frozenset({"and"})}
CONNECTOR_KEY = {"nl": "en", "en": "and"}

_NL_ONLY = (STOP_NL | KEPT_NL) - (STOP_EN | KEPT_EN)
_EN_ONLY = (STOP_EN | KEPT_EN) - (STOP_NL | KEPT_NL)

# -- tokenising --------------------------------------------------------------

_SEGMENT_BREAK = re.compile(r"[.!?;:,()\[\]{}\"“”„«»…|/\\\n\r\t]+|\s[-–—]+\s|\s'\s")
_WORD = re.compile(r"[^\W_](?:[^\W_]|[-‐'’](?=[^\W_]))*")
_DIGITS = re.compile(r"^[\d\-‐'’]+$")
_CONTRACTED_NOT = re.compile(r"n['’]t$|^cannot$")
_NEGATION_KEY = "not"


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A text reduced to term keys, with the original forms behind each key.

    ``terms`` holds each key once, in order of first occurrence: single-word
    keys and two-word phrase keys (``"key1 key2"``).  ``forms`` lists every
    occurrence as ``(key, original form)`` so the display can show the most
    frequent original spelling.  ``function_terms`` is the subset of single-word
    keys that are negations or modal verbs.
    """

    lang: str
    terms: tuple[str, ...]
    forms: tuple[tuple[str, str], ...]
    function_terms: frozenset[str]
    n_words: int


def segments(text: str) -> list[list[str]]:
    """Split ``text`` into segments (at punctuation) of words in their original form."""
    text = text or ""
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS]
        head = cut.rsplit(None, 1)[0]
        text = head if head != cut else cut
    out: list[list[str]] = []
    for part in _SEGMENT_BREAK.split(text):
        words = _WORD.findall(part)
        if words:
            out.append(words)
    return out


def tokenize(text: str) -> list[str]:
    """The words of ``text`` in their original form (hyphenated words stay whole)."""
    return [w for seg in segments(text) for w in seg]


def detect_language(words: list[str]) -> str:
    """'en' when English function words clearly outnumber Dutch ones, else 'nl'."""
    nl = en = 0
    for word in words:
        low = word.lower()
        if low in _NL_ONLY:
            nl += 1
        elif low in _EN_ONLY:
            en += 1
    return "en" if en > nl and en >= 2 else "nl"


_STEMMERS = {"nl": snowballstemmer.stemmer("dutch_porter"),
             "en": snowballstemmer.stemmer("english")}


def _stem_key(word: str, lang: str) -> str:
    lemma = simplemma.lemmatize(word, lang=lang).lower() or word
    return _STEMMERS[lang].stemWord(lemma) or lemma


@lru_cache(maxsize=1)
def _concepts_nl() -> dict[str, str]:
    """Stem key -> the key of its concept (``field_lexicon.CONCEPTS_NL``)."""
    out: dict[str, str] = {}
    for group in CONCEPTS_NL:
        head = _stem_key(group[0], "nl")
        for word in group:
            out[_stem_key(word, "nl")] = head
    return out


def is_concept(key: str) -> bool:
    """True for the key of a field-lexicon concept (its words are written differently)."""
    return key in _concept_heads()


@lru_cache(maxsize=1)
def _concept_heads() -> frozenset[str]:
    return frozenset(_concepts_nl().values())


@lru_cache(maxsize=200_000)
def term_key(word: str, lang: str = "nl") -> str:
    """The key of one lower-case word: its simplemma lemma, stemmed (dutch_porter / english);
    a Dutch word of the field lexicon gets its concept's key (*AVG*, *privacy* and
    *gegevensdeling* one term; see ``field_lexicon``)."""
    lang = lang if lang in _STEMMERS else "nl"
    key = _stem_key(word, lang)
    return _concepts_nl().get(key, key) if lang == "nl" else key


def is_stopword(word: str, lang: str = "nl") -> bool:
    """True for a lower-case function word that is dropped (negations and modals are kept)."""
    return word in (STOP_EN if lang == "en" else STOP_NL)


def is_kept_function_word(word: str, lang: str = "nl") -> bool:
    """True for a lower-case negation or modal verb (kept, but not a theme on its own)."""
    return word in (KEPT_EN if lang == "en" else KEPT_NL)


@lru_cache(maxsize=200_000)
def classify(word: str, lang: str = "nl") -> tuple[str, bool] | None:
    """``(key, is negation/modal)`` for a lower-case word, or None when it is dropped."""
    if len(word) < 2 or (word[0].isdigit() and _DIGITS.match(word)) or is_stopword(word, lang):
        return None
    kept = is_kept_function_word(word, lang)
    if kept and _CONTRACTED_NOT.search(word):
        return _NEGATION_KEY, True
    return term_key(word, lang), kept


def normalise(text: str) -> NormalisedText:
    """Normalise one reflection text (see the module docstring for the steps)."""
    segs = segments(text)
    lang = detect_language([w for seg in segs for w in seg])
    terms: dict[str, None] = {}
    forms: list[tuple[str, str]] = []
    function: set[str] = set()
    n_words = 0
    for seg in segs:
        n_words += len(seg)
        prev_key = prev_form = ""
        prev_kept = False
        # "raad en organisatie": a pair joined by "en" stays one unit (key "raad en organisatie")
        bridge: tuple[str, str] | None = None
        for position, word in enumerate(seg):
            low = word.lower()
            info = classify(low, lang)
            if info is None:
                bridge = (prev_key, prev_form) if low in CONNECTORS.get(lang, ()) \
                    and prev_key and not prev_kept else None
                prev_key = ""
                continue
            key, kept = info
            # a capital at the start of a sentence is not part of the word
            form = low if position == 0 and word[1:] == low[1:] else word
            if kept:
                function.add(key)
            terms[key] = None
            forms.append((key, form))
            if bridge is not None and not kept and bridge[0] != key:
                joined = f"{bridge[0]} {CONNECTOR_KEY[lang]} {key}"
                terms[joined] = None
                forms.append((joined, f"{bridge[1]} {seg[position - 1].lower()} {form}"))
            bridge = None
            if prev_key and not (prev_kept and kept) and prev_key != key:
                phrase = prev_key + " " + key
                terms[phrase] = None
                forms.append((phrase, prev_form + " " + form))
            prev_key, prev_form, prev_kept = key, form, kept
    return NormalisedText(lang=lang, terms=tuple(terms), forms=tuple(forms),
                          function_terms=frozenset(function), n_words=n_words)


@lru_cache(maxsize=1)
def _generic_keys() -> frozenset[str]:
    return frozenset(term_key(w, "nl") for w in GENERIC_NL | GENERIC_LEARNED)


def most_frequent_form(forms: Mapping[str, int]) -> str:
    """The most frequent original form; ties go to the lower-case, then alphabetically first."""
    if not forms:
        return ""
    return min(forms.items(), key=lambda kv: (-kv[1], kv[0] != kv[0].lower(), kv[0]))[0]
