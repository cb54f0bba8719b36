"""Learn the field's generic words from the fixture corpora (``GENERIC_LEARNED`` in
facilitator/domain/text.py).

A word is *generic in the field* when people use it about unrelated subjects: in the
sentence pools of ``tests/fixtures/patterns_sessions.py`` (each shared theme, each
distinctive concern, the everyday remarks, the reaction targets is one subject) it
occurs in at least ``MIN_SUBJECTS`` different subjects. Negations and modal verbs are
kept apart anyway; two-word phrases are never generic by themselves. Run::

    python bench/patterns_generic.py          # the learned words, one line each

and copy the words not yet in ``GENERIC_NL`` into ``GENERIC_LEARNED``. Each corpus
(the first: sessions klein-15, middel-40, groot-120; the second: tweede-40, written
independently from other pools) is learned from on its own, and a word generic in
either is listed. ``--corpus first`` learns from the first alone, which is how the
second was scored as held out (see docs/patterns.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import patterns_sessions as fixture  # noqa: E402

from facilitator.domain.text import GENERIC_NL, normalise, term_key  # noqa: E402

#: In this many unrelated subjects or more a word is generic.
MIN_SUBJECTS = 3


CORPORA = {
    "first": (fixture.THEMES, fixture.CONCERNS, fixture.NOISE, fixture.COMMON,
              fixture.DIVIDING),
    "second": (fixture.THEMES_2, fixture.CONCERNS_2, fixture.NOISE_2, fixture.COMMON_2,
               fixture.DIVIDING_2),
}


def subjects(corpus: str) -> dict[str, list[str]]:
    """One learning corpus: subject -> its sentences."""
    themes, concerns, noise, common, dividing = CORPORA[corpus]
    pools = {f"theme:{k}": v["say"] for k, v in themes.items()}
    pools.update({f"concern:{k}": v["say"] for k, v in concerns.items()})
    pools.update({"noise": noise, "common": common, "dividing": dividing})
    return pools


def learn(corpus: str, min_subjects: int = MIN_SUBJECTS) -> dict[str, set[str]]:
    """key -> the word forms seen, for every word in at least ``min_subjects`` subjects."""
    where: dict[str, set[str]] = {}
    forms: dict[str, set[str]] = {}
    for name, sentences in subjects(corpus).items():
        for sentence in sentences:
            norm = normalise(sentence)
            for key, form in norm.forms:
                if " " in key or key in norm.function_terms:
                    continue
                where.setdefault(key, set()).add(name)
                forms.setdefault(key, set()).add(form.lower())
    return {k: forms[k] for k, v in where.items() if len(v) >= min_subjects}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["both", *CORPORA], default="both")
    args = parser.parse_args()
    known = {term_key(w) for w in GENERIC_NL}
    for corpus in CORPORA if args.corpus == "both" else [args.corpus]:
        print(f"# {corpus} corpus")
        for key, forms in sorted(learn(corpus).items()):
            mark = "" if key in known else "   (new)"
            print(f"{key:16} {', '.join(sorted(forms))}{mark}")


if __name__ == "__main__":
    main()
