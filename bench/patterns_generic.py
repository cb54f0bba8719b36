"""Learn the field's generic words from the fixture corpora (``GENERIC_LEARNED`` in
facilitator/domain/text.py).

A word is *generic in the field* when people use it about unrelated subjects: in the
sentence pools of ``tests/fixtures/patterns_sessions.py`` (each shared theme, each
distinctive concern, the everyday remarks, the reaction targets is one subject) it
occurs in at least ``MIN_SUBJECTS`` different subjects. Negations and modal verbs are
kept apart anyway; two-word phrases are never generic by themselves. Run::

    python bench/patterns_generic.py          # the learned words, one line each

and copy the words not yet in ``GENERIC_NL`` into ``GENERIC_LEARNED`` (the session
``tweede-40`` is written from other pools and is not learned from: it checks that
the list does not only fit the sessions it came from).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import patterns_sessions as fixture  # noqa: E402

from facilitator.domain.text import GENERIC_NL, normalise, term_key  # noqa: E402

#: In this many unrelated subjects or more a word is generic.
MIN_SUBJECTS = 3


def subjects() -> dict[str, list[str]]:
    """The learning corpus: subject -> its sentences (the first fixture's pools only)."""
    pools = {f"theme:{k}": v["say"] for k, v in fixture.THEMES.items()}
    pools.update({f"concern:{k}": v["say"] for k, v in fixture.CONCERNS.items()})
    pools.update({"noise": fixture.NOISE, "common": fixture.COMMON,
                  "dividing": fixture.DIVIDING})
    return pools


def learn(min_subjects: int = MIN_SUBJECTS) -> dict[str, set[str]]:
    """key -> the word forms seen, for every word in at least ``min_subjects`` subjects."""
    where: dict[str, set[str]] = {}
    forms: dict[str, set[str]] = {}
    for name, sentences in subjects().items():
        for sentence in sentences:
            norm = normalise(sentence)
            for key, form in norm.forms:
                if " " in key or key in norm.function_terms:
                    continue
                where.setdefault(key, set()).add(name)
                forms.setdefault(key, set()).add(form.lower())
    return {k: forms[k] for k, v in where.items() if len(v) >= min_subjects}


def main() -> None:
    known = {term_key(w) for w in GENERIC_NL}
    for key, forms in sorted(learn().items()):
        mark = "" if key in known else "   (new)"
        print(f"{key:16} {', '.join(sorted(forms))}{mark}")


if __name__ == "__main__":
    main()
