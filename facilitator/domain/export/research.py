"""The research package: the session's records as tables a researcher can merge.

Built only for the research preset (the organiser's own data, ``onderzoek``):
participants (a pseudonymous id per person), the session with its programme and
findings, reflections, reactions, endorsements, the ratings of the findings (one
row per rating: score empty for *geen mening*) and the conclusion-to-reflection
links, each with a ``step_id`` (the programme step it was given in) and stable
codes (``agree``/``disagree``/``pass``, ``support``/``concern``, perspective and
circle ids) beside the labels, so that Dutch and English exports merge. Column
names are the same in every language; the ``codebook`` table explains each in
the report's language. These tables are not pooled: they are not for handing on.
Hidden (moderated) records are left out, as in every export.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import privacy
from ..model import WorkshopData
from .labels import labels
from .report import Report, Table, parse_time

#: column -> (Dutch, English) meaning, for the codebook.
CODEBOOK: dict[str, tuple[str, str]] = {
    "session_id": ("Sessiecode", "Session code"),
    "participant_id": ("Pseudonieme code van een deelnemer (P001, ...), gelijk in alle tabellen",
                       "Pseudonymous code of a participant (P001, ...), the same in every table"),
    "pseudonym": ("Pseudoniem dat de deelnemer zag", "Pseudonym the participant saw"),
    "perspective_id": ("Vaste code van het perspectief", "Stable code of the perspective"),
    "perspective": ("Naam van het perspectief in de taal van de export",
                    "Name of the perspective in the export's language"),
    "circle_id": ("Vaste code van de kring", "Stable code of the circle"),
    "circle": ("Naam van de kring", "Name of the circle"),
    "joined_at": ("Moment van aanmelden (lokale tijd)", "Moment of joining (local time)"),
    "step_id": ("Programmaonderdeel waarin het gebeurde", "Programme step in which it happened"),
    "step_order": ("Volgorde in het programma (1, 2, ...)", "Order in the programme (1, 2, ...)"),
    "kind": ("Vaste code: agree, disagree, pass (reacties) of support, concern (steun)",
             "Stable code: agree, disagree, pass (reactions) or support, concern (endorsements)"),
    "kind_label": ("De code in woorden", "The code in words"),
    "title": ("Titel", "Title"),
    "text": ("Tekst zoals getypt", "Text as typed"),
    "planned_start": ("Geplande begintijd (UU:MM)", "Planned start (HH:MM)"),
    "planned_end": ("Geplande eindtijd (UU:MM)", "Planned end (HH:MM)"),
    "actual_start": ("Werkelijke begintijd (lokale tijd)", "Actual start (local time)"),
    "actual_end": ("Werkelijke eindtijd (lokale tijd)", "Actual end (local time)"),
    "finding_id": ("Vaste code van een tussentijdse bevinding",
                   "Stable code of an interim finding"),
    "reflection_id": ("Vaste code van een reflectie", "Stable code of a reflection"),
    "reflection_number": ("Nummer van de reflectie in het verslag (#n)",
                          "Number of the reflection in the report (#n)"),
    "shared": ("1 = meegenomen naar de dialoog, 0 = alleen in de eigen kring",
               "1 = taken into the dialogue, 0 = own circle only"),
    "created_at": ("Moment van plaatsen (lokale tijd)", "Moment of posting (local time)"),
    "shared_at": ("Moment van meenemen (lokale tijd)", "Moment of sharing (local time)"),
    "reaction_id": ("Vaste code van een reactie", "Stable code of a reaction"),
    "conclusion_id": ("Vaste code van een conclusie", "Stable code of a conclusion"),
    "endorsement_id": ("Vaste code van steun of een bedenking", "Stable code of an endorsement"),
    "draft": ("1 = concept", "1 = draft"),
    "rating_id": ("Vaste code van een beoordeling (bevinding, ronde, deelnemer)",
                  "Stable code of a rating (finding, round, participant)"),
    "round": ("Vaste code: before (vóór de dialoog) of after (na de dialoog)",
              "Stable code: before (the dialogue) or after (it)"),
    "score": ("1 (helemaal niet herkenbaar) tot 5 (zeer herkenbaar); leeg = geen mening",
              "1 (not recognisable at all) to 5 (very recognisable); empty = no opinion"),
    "finding_title": ("Titel van de bevinding", "Title of the finding"),
    "updated_at": ("Moment van de laatste wijziging (lokale tijd)",
                   "Moment of the last change (local time)"),
    "record": ("Vaste code van de soort rij: question (vraag), answer (antwoord), reason "
               "(reden bij een reactie) of harvest (tafelnotitie, Wat ons opviel)",
               "Stable code of the kind of row: question, answer, reason (the text of a "
               "reaction) or harvest (a table's note, what struck us)"),
    "record_id": ("Vaste code van de vraag, het antwoord, de reactie of de tafelnotitie",
                  "Stable code of the question, answer, reaction or table note"),
    "question_id": ("Vaste code van de vraag (bij een vraag en zijn antwoorden)",
                    "Stable code of the question (on a question and its answers)"),
    "question_code": ("Nummer van de vraag in het verslag (V1, ...)",
                      "Number of the question in the report (Q1, ...)"),
    "to_perspective_id": ("Vaste code van het perspectief aan wie de vraag gesteld is; all = "
                          "alle perspectieven", "Stable code of the perspective the question "
                          "was put to; all = every perspective"),
    "supports": ("Aantal leden van de vragende kring dat de vraag of het antwoord steunt",
                 "Members of the asking circle supporting the question or answer"),
    "table_number": ("Nummer van de gemengde dialoogtafel", "Number of the mixed dialogue "
                     "table"),
    "key": ("Gegeven", "Field"),
    "value": ("Waarde", "Value"),
    "table": ("Tabel", "Table"),
    "column": ("Kolom", "Column"),
    "meaning": ("Betekenis", "Meaning"),
}

#: the warning of the codebook and of every sheet that holds text the room never saw
NOT_POOLED = {lang: labels(lang)["not_pooled"] for lang in ("nl", "en")}


def _step_of(data: WorkshopData) -> Any:
    """A function: moment -> id of the programme step that was open then ("" if none)."""
    spans = []
    for step in data.workshop.steps:
        start, end = parse_time(step.actual_start), parse_time(step.actual_end)
        if start is not None:
            spans.append((start, end, step.id))

    def step_of(value: str | None) -> str:
        moment = parse_time(value)
        if moment is None:
            return ""
        for start, end, sid in spans:
            if start <= moment and (end is None or moment < end):
                return sid
        return ""

    return step_of


def tables(data: WorkshopData, report: Report) -> list[Table]:
    """The research tables of a session (see the module docstring)."""
    lang = report.lang
    t = report.t
    workshop = data.workshop
    step_of = _step_of(data)
    pid = {p.id: f"P{i:03d}" for i, p in enumerate(data.participants, start=1)}
    for r in data.reflections:  # authors without a participant record (restored data)
        pid.setdefault(r.participant, f"P{len(pid) + 1:03d}")
    circles = {s.id: s.name for s in report.circles}
    circles.update({c.id: c.name for c in report.circle_rows})

    def label(perspective: str) -> str:
        found = workshop.perspective(perspective)
        return found.label_for(lang) if found else perspective

    def when(value: str | None) -> datetime | None:
        return parse_time(value)

    numbers = {r.id: r.number for r in report.reflections}
    titles = {f.id: f.title for f in workshop.findings}
    visible = [r for r in data.reflections if privacy.is_visible(r)]
    shown = {r.id for r in visible}
    conclusions = [c for c in data.conclusions if privacy.is_visible(c)]
    kept = {c.id for c in conclusions}

    out = [
        Table("participants", "participants", "participants",
              ["participant_id", "pseudonym", "perspective_id", "perspective", "circle_id",
               "circle", "joined_at"],
              [[pid[p.id], p.pseudonym, p.perspective, label(p.perspective), p.circle,
                circles.get(p.circle, p.circle_name or p.circle), when(p.joined_at)]
               for p in data.participants]),
        Table("session", "session", "session", ["key", "value"],
              [["session_id", workshop.code], ["title", workshop.title],
               ["date", workshop.date], ["place", workshop.place],
               ["facilitator", workshop.facilitator_name],
               ["started_at", report.started], ["ended_at", report.ended]]),
        Table("programme", "programme", "programme",
              ["step_id", "step_order", "kind", "title", "planned_start", "planned_end",
               "actual_start", "actual_end"],
              [[s.id, i, s.kind, s.title_en if lang == "en" and s.title_en else s.title,
                s.planned_start, s.planned_end, when(s.actual_start), when(s.actual_end)]
               for i, s in enumerate(workshop.steps, start=1)]),
        Table("findings", "findings", "findings", ["finding_id", "title", "text"],
              [[f.id, f.title, f.text] for f in workshop.findings]),
        Table("reflections_data", "reflections_data", "reflections_data",
              ["reflection_id", "reflection_number", "participant_id", "perspective_id",
               "circle_id", "step_id", "finding_id", "shared", "created_at", "shared_at",
               "text"],
              [[r.id, numbers.get(r.id), pid[r.participant], r.perspective, r.circle,
                step_of(r.created_at), r.finding or "", int(bool(r.shared)),
                when(r.created_at), when(r.shared_at), r.text] for r in visible]),
        Table("reactions_data", "reactions_data", "reactions_data",
              ["reaction_id", "reflection_id", "participant_id", "perspective_id", "circle_id",
               "step_id", "kind", "kind_label", "created_at", "text"],
              [[x.id, x.reflection, pid.get(x.participant, ""), x.perspective, x.circle,
                step_of(x.created_at), x.kind, t.get(x.kind, x.kind), when(x.created_at),
                x.text or ""] for x in data.reactions if x.reflection in shown]),
        Table("endorsements_data", "endorsements_data", "endorsements_data",
              ["endorsement_id", "conclusion_id", "participant_id", "perspective_id",
               "step_id", "kind", "kind_label", "created_at", "text"],
              [[e.id, e.conclusion, pid.get(e.participant, ""), e.perspective,
                step_of(e.created_at), e.kind, t.get(e.kind, e.kind), when(e.created_at),
                e.text or ""] for e in data.endorsements if e.conclusion in kept]),
        Table("ratings", "ratings", "ratings",
              ["rating_id", "participant_id", "perspective_id", "perspective", "circle_id",
               "finding_id", "finding_title", "round", "score", "text", "created_at",
               "updated_at"],
              [[r.id, pid.setdefault(r.participant, f"P{len(pid) + 1:03d}"), r.perspective,
                label(r.perspective), r.circle, r.finding, titles.get(r.finding, ""), r.round,
                r.score, r.text or "", when(r.created_at), when(r.updated_at or r.created_at)]
               for r in data.ratings]),
        Table("conclusion_links", "conclusion_links", "conclusion_links",
              ["conclusion_id", "reflection_id", "draft", "text"],
              [[c.id, r, int(bool(c.draft)), c.text] for c in conclusions
               for r in c.reflections if r in shown]),
    ]
    out.append(_dialogue_table(data, report, pid, step_of))
    # the sheets with text the room never saw carry the warning themselves: a sheet is
    # copied on its own, without the codebook
    unseen = {"reflections_data": any(not r.shared for r in visible),
              "dialogue_data": any(not h.shared for h in data.harvests),
              "ratings": any(r.text for r in data.ratings)}
    for table in out:
        if unseen.get(table.key):
            table.warning = NOT_POOLED[lang]
    index = 0 if lang == "nl" else 1
    codebook = [["*", "*", NOT_POOLED[lang]]]
    for table in out:
        for column in table.columns:
            meaning = CODEBOOK.get(column, ("", ""))[index]
            codebook.append([table.filename, column, meaning])
    out.append(Table("codebook", "codebook", "codebook", ["table", "column", "meaning"],
                     codebook))
    return out


def _dialogue_table(data: WorkshopData, report: Report, pid: dict[str, str],
                    step_of: Any) -> Table:
    """One row per question, answer, reason (a reaction's text on a visible reflection)
    and table harvest, with stable codes (issue 17): the dialogue as data."""
    codes = {q.id: q.code for q in report.exchange.questions} if report.exchange else {}
    shown = {r.id for r in data.reflections if privacy.is_visible(r)}
    columns = ["record", "record_id", "question_id", "question_code", "reflection_id",
               "participant_id", "perspective_id", "circle_id", "to_perspective_id",
               "table_number", "kind", "supports", "shared", "step_id", "created_at", "text"]

    def row(record: str, item: Any, **values: Any) -> list[Any]:
        values.update(record=record, record_id=item.id,
                      participant_id=pid.get(item.participant, ""),
                      perspective_id=item.perspective, step_id=step_of(item.created_at),
                      created_at=parse_time(item.created_at), text=item.text or "")
        return [values.get(column, "") for column in columns]

    rows = [row("question", q, question_id=q.id, question_code=codes.get(q.id, ""),
                circle_id=q.circle, to_perspective_id=q.to, supports=len(set(q.supporters)))
            for q in data.questions]
    rows += [row("answer", a, question_id=a.question, question_code=codes.get(a.question, ""),
                 circle_id=a.circle, supports=len(set(getattr(a, "supporters", []) or [])))
             for a in data.answers]
    rows += [row("reason", x, reflection_id=x.reflection, circle_id=x.circle, kind=x.kind)
             for x in data.reactions if x.reflection in shown and (x.text or "").strip()]
    rows += [row("harvest", h, table_number=h.table, shared=int(bool(h.shared)))
             for h in data.harvests]
    return Table("dialogue_data", "dialogue_data", "dialogue_data", columns, rows)
