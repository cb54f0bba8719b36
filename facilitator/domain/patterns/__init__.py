"""Patterns in a session: shared themes, distinctive concerns, common ground,
dividing lines and blind spots.

Plain Python and numpy, deterministic and explainable: every item carries the
counts behind it, a one-sentence explanation in Dutch and English and the
reflections that support it.  ``docs/patterns.md`` explains each analysis in
plain words; the thresholds live in ``PatternSettings``.

One module per kind of pattern:

* ``themes``       shared themes (and the text analysis that feeds both text kinds)
* ``distinctive``  distinctive concerns of one perspective
* ``reactions``    the reaction table and common ground
* ``dividing``     dividing lines, splits within one perspective, many passes
* ``blind_spots``  absent and silent perspectives, unreflected findings
* ``dialogue``     what each perspective asks, unanswered questions, reasons, harvests
* ``summaries``    the per-perspective summary
* ``manual``       patterns grouped by hand, drafts of conclusions
* ``engine``       ``PatternEngine``: the state kept between runs (normalised text)
* ``index``        the incremental text index; ``stats`` the statistics;
  ``context``      who looks (a ``privacy.Viewer``) and the item shape.

Use a ``PatternEngine`` per workshop and call ``analyse`` whenever the
patterns are needed; the engine keeps per-author term counts up to date
incrementally, so a recomputation only redoes the (vectorised) statistics.

What an audience sees follows from the rules table through
``privacy.Viewer``: the console (``Role.FACILITATOR``) sees everything, with
``small_group: true`` on the figures the screen would pool; the projector
(``Role.SCREEN``) and a report's reader (``Role.READER``) see only shared,
visible reflections, and every per-perspective figure goes through
``privacy.pool_assignment`` (distinct people, a pool only from two
perspectives with at least ``min_group`` people).
"""

from ..privacy import OTHER
from .context import AUDIENCES, OTHER_LABEL
from .engine import PatternEngine, analyse_workshop
from .manual import make_manual_pattern, pattern_to_conclusion_draft
from .settings import PatternSettings

__all__ = ["AUDIENCES", "OTHER", "OTHER_LABEL", "PatternEngine", "PatternSettings",
           "analyse_workshop", "make_manual_pattern", "pattern_to_conclusion_draft"]
