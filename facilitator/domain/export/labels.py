"""The words of the exports in Dutch and English.

A small dictionary instead of Babel: the domain runs without Flask, and the
exports need only a few dozen fixed labels.  ``labels(lang)`` returns the
dictionary for a language; every key exists in both languages (a test checks).
"""

from __future__ import annotations

LANGUAGES = ("nl", "en")

NL: dict[str, str] = {
    "report": "Verslag",
    "session": "Sessie",
    "date": "Datum",
    "place": "Plaats",
    "facilitator": "Facilitator",
    "code": "Sessiecode",
    "generated": "Gemaakt op",
    "started": "Begonnen",
    "ended": "Afgesloten",
    "privacy": "Deelnemers staan vermeld met hun perspectief en pseudoniem.",
    "privacy_names": "Deelnemers staan vermeld met hun perspectief, pseudoniem en naam "
                     "(op verzoek van de organisator).",
    "hidden_note": "Verborgen (gemodereerde) reflecties en conclusies zijn weggelaten.",
    "agenda": "Programma",
    "step": "Onderdeel",
    "planned": "Gepland",
    "actual": "Werkelijk",
    "minutes": "min.",
    "participation": "Deelname",
    "participation_perspective": "Deelname per perspectief",
    "participation_circle": "Deelname per kring",
    "perspective": "Perspectief",
    "perspectives": "Perspectieven",
    "circle": "Kring",
    "participants": "Deelnemers",
    "other_perspectives": "Andere perspectieven (kleine groepen samengevoegd)",
    "other_circles": "Andere kringen (kleine kringen samengevoegd)",
    "summary": "Samenvatting",
    "method": "Werkwijze",
    "method_took_part": "{people} namen deel, in {circles} kringen.",
    "method_written": "Samen schreven zij {written}; {shared} daarvan namen de kringen mee "
                      "naar de dialoog tussen perspectieven.",
    "method_small_groups": "Kleine groepen: een cijfer per perspectief staat er alleen als "
                           "minstens {n} verschillende mensen erachter staan. Kleinere groepen "
                           "zijn samengevoegd als ‘andere perspectieven’, alleen als daarin "
                           "minstens {n} mensen uit minstens twee perspectieven zitten; anders "
                           "zijn ze weggelaten. Zo wijst geen cijfer naar één persoon.",
    "method_hidden": "De facilitator verborg {reflections} en {conclusions} "
                     "tijdens de middag; die staan niet in dit verslag.",
    "method_patterns": "Patronen zijn gevonden door de woorden van de reflecties te vergelijken "
                       "tussen perspectieven: wat veel perspectieven noemen, wat één "
                       "perspectief vooral noemt, en waar de reacties uiteenlopen.",
    "circle_line": "{written}, waarvan {shared} meegenomen naar de dialoog.",
    "summary_took_part": "{people} uit {perspectives} namen deel; {shared} gingen de dialoog in.",
    "summary_support": "{n} van de {of} steunen dit",
    "summary_rests_on": "Gebaseerd op reflecties",
    "summary_patterns": "Wat opvalt",
    "summary_findings": "Toetsing van de bevindingen",
    "rating_cell": "{mean} ({n})",
    "rating_before_col": "Vooraf (gemiddeld, aantal)",
    "rating_after_col": "Na de dialoog",
    "rating_shift_col": "Verschuiving",
    "round_before": "vooraf",
    "round_after": "na de dialoog",
    "score_none": "geen mening",
    "rating_reasons": "Toelichtingen",
    "rating_chart": "gemiddelde herkenbaarheid per perspectief (1-5)",
    "rating_before": "vooraf herkent {recognise} van {n} beoordelaars dit (gemiddeld {mean})",
    "rating_after": "na de dialoog {recognise} van {n} (gemiddeld {mean})",
    "rating_moved": "meest verschoven: {moves}",
    "summary_no_conclusions": "Er zijn geen conclusies vastgesteld.",
    "person_one": "persoon", "person_many": "mensen",
    "perspective_one": "perspectief", "perspective_many": "perspectieven",
    "reflection_one": "reflectie", "reflection_many": "reflecties",
    "supporter_one": "steunt dit", "supporter_many": "steunen dit",
    "concern_one": "bedenking", "concern_many": "bedenkingen",
    "conclusion_one": "conclusie", "conclusion_many": "conclusies",
    "privacy_reader": "Reflecties en reacties staan vermeld met het perspectief van de schrijver, "
                      "zonder naam of pseudoniem.",
    "unshared_note": "Alleen reflecties die een kring in de dialoog heeft ingebracht staan in "
                     "dit verslag; de andere tellen alleen mee in de aantallen per kring.",
    "small_group_note": "Een cijfer staat hier alleen bij een perspectief of kring als er "
                        "minstens {n} mensen achter staan; kleinere groepen zijn samengevoegd "
                        "of weggelaten, en hun woorden staan er zonder perspectief bij.",
    "thanks": "Dank voor uw bijdrage aan deze middag. De organisator gebruikt dit verslag bij "
              "het verdere onderzoek en laat u weten wat ermee gebeurt.",
    "participant": "Deelnemer",
    "pseudonym": "Pseudoniem",
    "name": "Naam",
    "reflections": "Reflecties",
    "reflection": "Reflectie",
    "shared": "Meegenomen",
    "shared_long": "meegenomen in de dialoog",
    "shared_at": "Meegenomen om",
    "reactions": "Reacties",
    "reaction": "Reactie",
    "endorsements": "Steun en bedenkingen",
    "findings": "Tussentijdse bevindingen",
    "finding": "Bevinding",
    "circles": "Reflecties per kring",
    "no_reflections": "Geen reflecties.",
    "dialogue": "Reacties tussen perspectieven",
    "dialogue_intro": "Hoe de perspectieven reageerden op de meegenomen reflecties van andere "
                      "kringen.",
    "from_perspective": "Perspectief van de reflectie",
    "by_perspective": "Reagerend perspectief",
    "per_reflection": "Per meegenomen reflectie",
    "comments": "Toelichtingen",
    "no_reactions": "Nog geen reacties.",
    "agree": "Herkenbaar",
    "disagree": "Niet herkenbaar",
    "pass": "Geen mening",
    "patterns": "Patronen tussen perspectieven",
    "pattern_themes": "Gedeelde thema's",
    "pattern_distinctive": "Kenmerkende zorgen",
    "pattern_common_ground": "Gemeenschappelijke grond",
    "pattern_dividing_lines": "Scheidslijnen",
    "pattern_blind_spots": "Blinde vlekken",
    "no_patterns": "Geen patronen gevonden.",
    "counts": "Aantallen",
    "conclusions": "Conclusies",
    "conclusion": "Conclusie",
    "no_conclusions": "Geen conclusies.",
    "draft": "concept",
    "support": "Steun",
    "concern": "Bedenking",
    "support_concern": "Steun en bedenkingen per perspectief",
    "concerns_perspectives": "Betreft",
    "rests_on": "Gebaseerd op de reflecties",
    "total": "Totaal",
    "yes": "ja",
    "no": "nee",
    "text": "Tekst",
    "time": "Tijdstip",
    "id": "Id",
    "kind": "Soort",
    "print_hint": "Kies in de browser Afdrukken en dan Opslaan als PDF (A4).",
    "sheet_reflections": "Reflecties",
    "sheet_reactions": "Reacties",
    "sheet_endorsements": "Steun en bedenkingen",
    "sheet_conclusions": "Conclusies",
    "file_reflections": "reflecties",
    "file_reactions": "reacties",
    "file_endorsements": "steun-en-bedenkingen",
    "file_conclusions": "conclusies",
    "report_file": "verslag",
    "archive_file": "archief",
    "months": "januari februari maart april mei juni juli augustus september oktober "
              "november december",
}

EN: dict[str, str] = {
    "report": "Report",
    "session": "Session",
    "date": "Date",
    "place": "Place",
    "facilitator": "Facilitator",
    "code": "Session code",
    "generated": "Generated on",
    "started": "Started",
    "ended": "Closed",
    "privacy": "Participants are listed by their perspective and pseudonym.",
    "privacy_names": "Participants are listed by their perspective, pseudonym and name "
                     "(at the organiser's request).",
    "hidden_note": "Hidden (moderated) reflections and conclusions are left out.",
    "agenda": "Programme",
    "step": "Item",
    "planned": "Planned",
    "actual": "Actual",
    "minutes": "min",
    "participation": "Participation",
    "participation_perspective": "Participation per perspective",
    "participation_circle": "Participation per circle",
    "perspective": "Perspective",
    "perspectives": "Perspectives",
    "circle": "Circle",
    "participants": "Participants",
    "other_perspectives": "Other perspectives (small groups merged)",
    "other_circles": "Other circles (small circles merged)",
    "summary": "Summary",
    "method": "Method",
    "method_took_part": "{people} took part, in {circles} circles.",
    "method_written": "Together they wrote {written}; the circles took {shared} of them into "
                      "the dialogue between perspectives.",
    "method_small_groups": "Small groups: a figure per perspective is shown only when at least "
                           "{n} different people stand behind it. Smaller groups are merged as "
                           "‘other perspectives’, only when that holds at least {n} people from "
                           "at least two perspectives; otherwise they are left out. So no figure "
                           "points at one person.",
    "method_hidden": "The facilitator hid {reflections} and {conclusions} during "
                     "the afternoon; they are not in this report.",
    "method_patterns": "Patterns were found by comparing the words of the reflections across "
                       "perspectives: what many perspectives mention, what one perspective "
                       "mentions most, and where the reactions diverge.",
    "circle_line": "{written}, {shared} of them taken into the dialogue.",
    "summary_took_part": "{people} from {perspectives} took part; {shared} went into the "
                         "dialogue.",
    "summary_support": "{n} of the {of} support this",
    "summary_rests_on": "Based on reflections",
    "summary_patterns": "What stands out",
    "summary_findings": "The findings put to the test",
    "rating_cell": "{mean} ({n})",
    "rating_before_col": "Before (mean, raters)",
    "rating_after_col": "After the dialogue",
    "rating_shift_col": "Shift",
    "round_before": "before",
    "round_after": "after the dialogue",
    "score_none": "no opinion",
    "rating_reasons": "Reasons given",
    "rating_chart": "mean recognition per perspective (1-5)",
    "rating_before": "before, {recognise} of {n} raters recognise it (mean {mean})",
    "rating_after": "after the dialogue {recognise} of {n} (mean {mean})",
    "rating_moved": "moved most: {moves}",
    "summary_no_conclusions": "No conclusions were drawn.",
    "person_one": "person", "person_many": "people",
    "perspective_one": "perspective", "perspective_many": "perspectives",
    "reflection_one": "reflection", "reflection_many": "reflections",
    "supporter_one": "supports this", "supporter_many": "support this",
    "concern_one": "concern", "concern_many": "concerns",
    "conclusion_one": "conclusion", "conclusion_many": "conclusions",
    "privacy_reader": "Reflections and reactions are listed with the writer's perspective, "
                      "without a name or pseudonym.",
    "unshared_note": "Only reflections that a circle brought into the dialogue are in this "
                     "report; the others count only in the figures per circle.",
    "small_group_note": "A figure is shown for a perspective or circle only when at least {n} "
                        "people stand behind it; smaller groups are merged or left out, and "
                        "their words appear without a perspective.",
    "thanks": "Thank you for taking part this afternoon. The organiser uses this report in "
              "the further research and will let you know what comes of it.",
    "participant": "Participant",
    "pseudonym": "Pseudonym",
    "name": "Name",
    "reflections": "Reflections",
    "reflection": "Reflection",
    "shared": "Taken into the dialogue",
    "shared_long": "taken into the dialogue",
    "shared_at": "Taken at",
    "reactions": "Reactions",
    "reaction": "Reaction",
    "endorsements": "Support and concerns",
    "findings": "Interim findings",
    "finding": "Finding",
    "circles": "Reflections per circle",
    "no_reflections": "No reflections.",
    "dialogue": "Reactions across perspectives",
    "dialogue_intro": "How the perspectives reacted to the reflections other circles took into "
                      "the dialogue.",
    "from_perspective": "Perspective of the reflection",
    "by_perspective": "Reacting perspective",
    "per_reflection": "Per reflection taken into the dialogue",
    "comments": "Comments",
    "no_reactions": "No reactions yet.",
    "agree": "Recognisable",
    "disagree": "Not recognisable",
    "pass": "No opinion",
    "patterns": "Patterns across perspectives",
    "pattern_themes": "Shared themes",
    "pattern_distinctive": "Distinctive concerns",
    "pattern_common_ground": "Common ground",
    "pattern_dividing_lines": "Dividing lines",
    "pattern_blind_spots": "Blind spots",
    "no_patterns": "No patterns found.",
    "counts": "Counts",
    "conclusions": "Conclusions",
    "conclusion": "Conclusion",
    "no_conclusions": "No conclusions.",
    "draft": "draft",
    "support": "Support",
    "concern": "Concern",
    "support_concern": "Support and concerns per perspective",
    "concerns_perspectives": "Concerns",
    "rests_on": "Based on the reflections",
    "total": "Total",
    "yes": "yes",
    "no": "no",
    "text": "Text",
    "time": "Time",
    "id": "Id",
    "kind": "Kind",
    "print_hint": "In the browser, choose Print and then Save as PDF (A4).",
    "sheet_reflections": "Reflections",
    "sheet_reactions": "Reactions",
    "sheet_endorsements": "Support and concerns",
    "sheet_conclusions": "Conclusions",
    "file_reflections": "reflections",
    "file_reactions": "reactions",
    "file_endorsements": "endorsements",
    "file_conclusions": "conclusions",
    "report_file": "report",
    "archive_file": "archive",
    "months": "January February March April May June July August September October "
              "November December",
}

LABELS: dict[str, dict[str, str]] = {"nl": NL, "en": EN}


def normalise_lang(lang: str | None) -> str:
    """'en' for an English tag ('en', 'en-GB', 'EN_us'), otherwise Dutch ('nl').

    Dutch is the default: any other or missing language gives the Dutch export,
    so a stray ``?lang=`` never breaks a download.
    """
    base = (lang if isinstance(lang, str) else "nl").replace("_", "-").split("-")[0].lower()
    return base if base in LABELS else "nl"


def labels(lang: str | None) -> dict[str, str]:
    """The label dictionary for ``lang`` (see ``normalise_lang``)."""
    return LABELS[normalise_lang(lang)]
