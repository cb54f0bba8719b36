"""A small field lexicon: words that people in Dutch municipal work use for the same
concern, counted as one term by the pattern analysis.

Why: in a session of 40 a concern is often written by three or four people, each in
their own words ("de AVG", "privacy", "gegevensdeling"). Lemma and stem merge only
spelling and inflection, so no single word reached the three writers a distinctive
concern needs. A group below is one concept: every word in it gets the key of the
group's first word (``text.term_key``), and the analysis shows the form people wrote
most.

How it was built (be honest about it): by hand, from the vocabulary of Dutch
municipalities (abbreviations and official terms next to everyday words, and terms
one law or policy field uses for the same thing), not from any session's data. The
first group was prompted by a missed concern in the quality fixture
(``tests/fixtures/patterns_sessions.py``: "AVG" / "privacy" / "gegevensdeling"); the
other groups were added as the same kind of field knowledge, and groups that would merely
repeat a fixture's accepted forms (wachtlijst / wachttijd, kaders / kaderstelling) were
deliberately left out, so the quality bench does not flatter itself.

Rules for a group: the words name the same concern in a session about municipal work,
and none of them is common in an unrelated sense (so not "raad", which is also advice,
nor "gegevens" on its own). Single words only: phrases ("wet maatschappelijke
ondersteuning") are not merged. Grow the list from real sessions, with a reason per
group.
"""

from __future__ import annotations

#: Dutch concept groups; the first word names the concept's key.
CONCEPTS_NL: tuple[tuple[str, ...], ...] = (
    # privacy and the sharing of personal data (the AVG is the Dutch GDPR)
    ("privacy", "avg", "gdpr", "gegevensbescherming", "persoonsgegevens", "gegevensdeling",
     "privacywetgeving"),
    # youth care: "jeugdhulp" is the Jeugdwet's term, "jeugdzorg" the everyday one
    ("jeugdzorg", "jeugdhulp"),
    # cuts: "ombuiging" is the budget term for a "bezuiniging"
    ("bezuiniging", "ombuiging", "bezuinigingsopgave", "ombuigingsopgave"),
    # too few staff
    ("personeelstekort", "onderbezetting", "onderbezet", "capaciteitstekort"),
    # the works council and its abbreviation
    ("ondernemingsraad", "or"),
    # the management team and its abbreviation
    ("managementteam", "mt"),
    # workload
    ("werkdruk", "werkbelasting"),
    # red tape
    ("regeldruk", "bureaucratie", "papierwerk", "rompslomp"),
    # housing shortage
    ("woningtekort", "woningnood"),
    # refugees with a residence permit: both terms are in municipal use
    ("statushouders", "statushouder", "vergunninghouders", "vergunninghouder"),
)
