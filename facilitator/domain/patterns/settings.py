"""The thresholds of the analysis and the ids it shares."""

from __future__ import annotations

from dataclasses import dataclass

_KIND_INDEX = {"agree": 0, "disagree": 1, "pass": 2}
_ENDORSE_INDEX = {"support": 0, "concern": 1}


@dataclass(frozen=True)
class PatternSettings:
    """The thresholds of the analysis (see docs/patterns.md for what each one does)."""

    #: Fewest participants of a perspective behind a figure shown on screen/export.
    min_group: int = 3
    #: Fewest reactions of a perspective to a reflection before its rate counts.
    min_reactions: int = 3
    #: Shared themes: fewest authors, fewest perspectives, least share of all authors.
    theme_min_authors: int = 3
    theme_min_perspectives: int = 2
    theme_min_share: float = 0.2
    max_themes: int = 10
    #: Distinctive concerns: fewest authors in the perspective, false discovery rate,
    #: strength of the informative Dirichlet prior (as a fraction of all counts), and how
    #: many times more often than the others (smoothed shares) the perspective uses it.
    distinct_min_authors: int = 3
    distinct_fdr: float = 0.05
    distinct_prior: float = 0.1
    distinct_min_ratio: float = 1.5
    #: ... and at least this share of the perspective's writers use it: a concern is
    #: characteristic of the perspective, not of a few of its members.
    distinct_min_share: float = 1 / 3
    max_distinct_per_perspective: int = 5
    #: Common ground: least consensus score (geometric mean of smoothed rates), FDR.
    common_min_score: float = 0.6
    common_fdr: float = 0.05
    max_common: int = 10
    #: Dividing lines: least spread of smoothed agree rates, FDR.
    dividing_min_spread: float = 0.3
    dividing_fdr: float = 0.05
    #: ... and at most this many lines as strong expected by chance (the same
    #: permutation null) per reflection tested: one in 2,000 reflections.
    dividing_chance_per_row: float = 1 / 2000
    max_dividing: int = 10
    #: Split within one perspective: fewest (dis)agree reactions, band around 50 %.
    split_min: int = 6
    split_band: float = 0.1
    max_splits: int = 5
    #: Many passes: fewest reactions, least pass share, FDR.
    unclear_min_seen: int = 6
    unclear_min_share: float = 0.4
    unclear_fdr: float = 0.05
    max_unclear: int = 5
    #: Supporting reflections listed per item.
    max_examples: int = 12
    #: Below these the text or reaction analyses are flagged as too thin to interpret.
    min_text_authors: int = 6
    min_reactions_total: int = 10
