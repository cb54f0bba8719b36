"""Tests of the exports, and ``make_session``: a realistic session built in memory.

``make_session()`` is also used by ``bench/export.py`` (with 2,000 reflections).
The session has several perspectives and circles (one circle grouping two
perspectives, one split by size), shared and hidden reflections, reactions
across circles (one to a hidden reflection), conclusions (one hidden, one
draft) with support and concerns, display names, a formula-injection text,
HTML/Markdown syntax, Dutch accents and emoji.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from facilitator.domain.model import (
    Answer,
    CircleDef,
    Conclusion,
    Endorsement,
    Finding,
    Harvest,
    LiveState,
    Participant,
    Perspective,
    Question,
    Reaction,
    Reflection,
    Step,
    Workshop,
    WorkshopData,
)

#: Markers the tests look for.
HIDDEN_MARKER = "VERBORGEN-GEHEIM"
#: A table note the facilitator never shared with the room.
UNSHARED_HARVEST = "aan onze tafel bleef het stil, niemand durfde echt"
QUESTION_TEXTS = [
    "Hoe merken jullie eigenlijk wat er op de werkvloer speelt??",
    "waarom duurt besluitvorming bij jullie zo lang, wat houdt het tegen",
    "Wat hebben jullie nodig om eerder aan tafel te zitten?",
    "Wie bepaalt bij jullie de agenda , echt?",
]
ANSWER_TEXTS = [
    "Eerlijk gezegd vaak pas als het misgaat, via de krant of de OR.",
    "Omdat we alles willen afstemmen met iedereen, dat kost tijd",
    "Een vaste plek in het overleg, niet pas achteraf een informatiebijeenkomst",
]
HARVEST_TEXTS = [
    "Iedereen wil regie, maar niemand wil de eerste stap zetten.",
    "Vertrouwen groeit als de raad vaker op de werkvloer komt kijken",
]
HIDDEN_CONCLUSION_MARKER = "VERBORGEN-CONCLUSIE"
INJECTION = '=HYPERLINK("http://example.invalid/x","Klik hier")'
NAMES = ["Anna de Vries", "Bram Öztürk", "Chloë Jansen", "Daan van 't Hof"]

SPECIAL_TEXTS = [
    "Één ding is zeker: de raad wil méér regie, maar durft het niet te zeggen 🙂",
    INJECTION,
    "+31 6 1234 5678 bellen voor overleg",
    "-minder bureaucratie, meer vertrouwen",
    "@iedereen: lees het rapport! 🚀",
    "\tingesprongen tekst met tab",
    "Eerste regel\nTweede regel met <b>vet</b> & <script>alert('x')</script>",
    "Tabel | kolom * ster _ onder # hekje [link](http://example.invalid)",
    "Ideeën over coördinatie: café-overleg, naïef? Zeker niet. € 10.000,–",
]

WORDS = ("verandering vertrouwen raad bestuur medewerkers regie ruimte netwerk informeel plan "
         "betekenis ervaring gemeente burgers uitvoering beleid samenwerking tijd geld "
         "cultuur leiderschap dialoog perspectief verschil herkenning").split()

PERSPECTIVES = [
    ("raadslid", "Raadslid", "Council member"),
    ("bestuurder", "Burgemeester / wethouder", "Mayor / alderman"),
    ("medewerker", "Uitvoerend medewerker / ambtenaar", "Civil servant"),
    ("bedrijfsvoering", "Bedrijfsvoering (financiën, IT)", "Operations (finance, IT)"),
    ("vakbond", "Vakbond", "Trade union"),
    ("burger", "Burger", "Citizen"),
    ("onderzoeker", "Onderzoeker / anders", "Researcher / other"),
]

START = datetime(2026, 3, 12, 12, 30, tzinfo=UTC)  # 13:30 in Amsterdam


def _at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def make_workshop() -> Workshop:
    """The workshop: programme with planned and actual times, perspectives, circles, findings."""
    steps = [
        Step(id="opening", title="Opening en welkom", title_en="Opening and welcome",
             kind="welcome", planned_start="13:30", planned_end="13:45",
             actual_start=_at(0), actual_end=_at(17)),
        Step(id="presentatie", title="Presentatie tussentijdse resultaten",
             title_en="Presentation of interim results", kind="presentation",
             planned_start="13:45", planned_end="14:30", actual_start=_at(17),
             actual_end=_at(62)),
        Step(id="eigen-kring", title="Reflectie in eigen kring",
             title_en="Reflection in your own circle", kind="circle", planned_start="14:30",
             planned_end="15:15", actual_start=_at(62), actual_end=_at(110)),
        Step(id="dialoog", title="Dialoog tussen perspectieven",
             title_en="Dialogue between perspectives", kind="exchange",
             planned_start="15:30", planned_end="16:15", actual_start=_at(120),
             actual_end=_at(163)),
        Step(id="conclusies", title="Algemene conclusies", title_en="General conclusions",
             kind="conclusions", planned_start="16:15", planned_end="16:45",
             actual_start=_at(163), actual_end=_at(195)),
        Step(id="afsluiting", title="Afsluiting", title_en="Closing", kind="closing",
             planned_start="16:45", planned_end="17:00", actual_start=_at(195)),
    ]
    perspectives = [Perspective(id=i, label=nl, label_en=en) for i, nl, en in PERSPECTIVES]
    circles = [CircleDef(id="politiek", name="Politiek & bestuur", name_en="Politics",
                         perspectives=["raadslid", "bestuurder"], max_size=6)]
    circles += [CircleDef(id=p.id, name=p.label, name_en=p.label_en, perspectives=[p.id],
                          max_size=2 if p.id == "medewerker" else 4) for p in perspectives[2:]]
    findings = [
        Finding(id="f1", title="Verandering verloopt zelden volgens plan",
                text="Informele netwerken sturen méér dan het plan."),
        Finding(id="f2", title="Betekenisgeving verschilt per positie", text=""),
    ]
    return Workshop(
        code="ABC123", title="Reflectiesessie De Veranderende Gemeente — Zwolle", date="2026-03-12",
        place="Stadhuis Zwolle, raadszaal", facilitator_name="Fatima El Idrissi",
        created_at=_at(-600), started_at=_at(0), ended_at=_at(210), steps=steps,
        perspectives=perspectives, circles=circles, findings=findings,
        state=LiveState(current_step="afsluiting"), facilitator_token="FACILITATOR-SECRET-TOKEN",
        screen_token="SCREEN-SECRET-TOKEN-123", version=42)


def make_session(reflections: int = 60, per_perspective: int = 3, seed: int = 7,
                 conclusions: int = 4, reactions: tuple[int, int] = (1, 6)) -> WorkshopData:
    """A realistic session: ``reflections`` reflections by ``per_perspective`` people each.

    Each shared reflection gets between ``reactions[0]`` and ``reactions[1]``
    reactions from other circles.
    """
    rng = random.Random(seed)
    workshop = make_workshop()
    participants: list[Participant] = []
    serial = 0
    for perspective in workshop.perspectives:
        base = workshop.base_circle_for(perspective.id)
        for _ in range(per_perspective):
            serial += 1
            members = sum(1 for p in participants
                          if workshop.base_circle_for(p.perspective).id == base.id)
            number = members // base.max_size + 1
            circle = base.id if number == 1 else f"{base.id}-{number}"
            name = NAMES[(serial - 1) % len(NAMES)] if serial % 3 == 1 else ""
            participants.append(Participant(
                id=f"p{serial:04d}", token=f"participant-secret-token-{serial:04d}",
                pseudonym=f"{['Merel', 'Eik', 'Reiger', 'Linde'][serial % 4]} {serial}",
                perspective=perspective.id, circle=circle,
                circle_name=base.name if number == 1 else f"{base.name} {number}",
                name=name, joined_at=_at(-10 + serial * 0.01), lang="nl"))

    items: list[Reflection] = []
    for i in range(reflections):
        author = participants[(i * 7 + rng.randrange(len(participants))) % len(participants)]
        if i < len(SPECIAL_TEXTS):
            text = SPECIAL_TEXTS[i]
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 40))).capitalize()
            text = f"{text} (r{i})"
        hidden = i % 17 == 5
        if hidden:
            text = f"{HIDDEN_MARKER} {i}: ongepaste opmerking"
        shared = not hidden and (i < len(SPECIAL_TEXTS) or rng.random() < 0.25)
        created = 64 + 45 * i / max(reflections, 1)
        items.append(Reflection.from_dict({
            "id": f"r{i:05d}", "participant": author.id, "perspective": author.perspective,
            "circle": author.circle, "text": text, "created_at": _at(created),
            "finding": rng.choice([None, "f1", "f2"]), "client_id": f"c{i}" if i % 2 else None,
            "pseudonym": author.pseudonym, "seq": i + 1, "shared": shared,
            "shared_at": _at(created + 5) if shared else None, "hidden": hidden}))
    # one hidden reflection that was shared before it was hidden
    items[5].shared = True

    reaction_items: list[Reaction] = []
    kinds = ["agree", "agree", "disagree", "pass"]
    for r in items:
        if not r.shared:
            continue
        others = [p for p in participants if p.circle != r.circle]
        for p in rng.sample(others, k=min(len(others), rng.randint(*reactions))):
            text = rng.choice(["", "", "Herkenbaar vanuit de uitvoering.", "Klopt niet 🤔",
                               "=1+1"])
            reaction_items.append(Reaction(
                id=f"{r.id}:{p.id}", reflection=r.id, participant=p.id,
                perspective=p.perspective, circle=p.circle, kind=rng.choice(kinds),
                created_at=_at(125 + rng.random() * 30), text=text))

    visible_shared = [r.id for r in items if r.shared and not r.hidden]
    conclusion_items = [
        Conclusion(id=f"k{n}", text=f"Conclusie {n}: vertrouwen is de voorwaarde voor ruimte "
                   f"in verandering — ‘samen’ {n}", created_at=_at(165 + n),
                   reflections=visible_shared[n:n + 3] + ["r00005"],
                   perspectives=["raadslid", "medewerker"] if n % 2 else [])
        for n in range(1, conclusions + 1)]
    conclusion_items.append(Conclusion(id="k-hidden", text=f"{HIDDEN_CONCLUSION_MARKER} weg",
                                       created_at=_at(170), hidden=True))
    conclusion_items.append(Conclusion(id="k-draft", text="Nog te bespreken: de rol van de raad",
                                       created_at=_at(171), draft=True))
    endorsements: list[Endorsement] = []
    for c in conclusion_items:
        if c.draft:
            continue
        for p in participants:
            roll = rng.random()
            if roll < 0.15:
                continue
            kind = "support" if roll < 0.75 else "concern"
            text = rng.choice(["", "", "Mee eens, mits de raad meedoet.", "-zorg over tijd"])
            endorsements.append(Endorsement(
                id=f"{c.id}:{p.id}", conclusion=c.id, participant=p.id,
                perspective=p.perspective, kind=kind, created_at=_at(180 + rng.random() * 10),
                text=text))
    questions, answers, harvests = _dialogue(participants, workshop, seed)
    return WorkshopData(workshop=workshop, participants=participants, reflections=items,
                        reactions=reaction_items, conclusions=conclusion_items,
                        endorsements=endorsements, questions=questions, answers=answers,
                        harvests=harvests, seq=len(items) + len(reaction_items) + 17)


def _dialogue(participants: list[Participant], workshop: Workshop,
              seed: int) -> tuple[list[Question], list[Answer], list[Harvest]]:
    """The exchange of issue 17: per perspective a question to the next one (and one to
    all), a round per 30 people; answers to two in three, supporters from the asking
    circle; a note per table of six, every third never shared. Its own random stream
    keeps the rest of the session as it was."""
    rng = random.Random(seed + 1)
    ids = [p.id for p in workshop.perspectives]
    questions: list[Question] = []
    answers: list[Answer] = []
    by_perspective = {pid: [p for p in participants if p.perspective == pid] for pid in ids}
    targets = [(r, pid) for r in range(max(1, len(participants) // 30)) for pid in ids + ["all"]]
    for n, (round_, pid) in enumerate(targets):
        mine = by_perspective[pid if pid != "all" else ids[0]]
        asker = mine[round_ % len(mine)]
        to = "all" if pid == "all" else ids[(ids.index(pid) + 1) % len(ids)]
        mates = [p.id for p in participants if p.circle == asker.circle]
        questions.append(Question(
            id=f"q{n}", participant=asker.id, perspective=asker.perspective,
            circle=asker.circle, to=to, text=QUESTION_TEXTS[n % len(QUESTION_TEXTS)] + f" (v{n})",
            created_at=_at(121 + n % 30),
            supporters=rng.sample(mates, k=rng.randint(0, len(mates)))))
        if n % 3 == 2:
            continue  # unanswered: a blind spot
        pool = [p for p in participants if (to == "all" and p.circle != asker.circle)
                or p.perspective == to]
        for k, who in enumerate(rng.sample(pool, k=min(len(pool), rng.randint(1, 2)))):
            answers.append(Answer(
                id=f"a{n}-{k}", question=f"q{n}", participant=who.id,
                perspective=who.perspective, circle=who.circle,
                text=ANSWER_TEXTS[(n + k) % len(ANSWER_TEXTS)] + f" (a{n}-{k})",
                created_at=_at(130 + (n + k) % 30),
                supporters=rng.sample(mates, k=rng.randint(0, len(mates)))))
    harvests = []
    for n in range(max(3, len(participants) // 6)):
        who = participants[(n * 3) % len(participants)]
        shared = n % 3 != 2
        text = HARVEST_TEXTS[n % 2] + f" (t{n + 1})" if shared else UNSHARED_HARVEST
        harvests.append(Harvest(id=f"h{n}", table=n + 1, participant=who.id,
                                perspective=who.perspective, text=text,
                                created_at=_at(150 + n % 10), shared=shared))
    return questions, answers, harvests


def pooled_group(people: Counter, pid: str, min_group: int = 3) -> str | None:
    """Test oracle for the small-group rule: a perspective's own id with at least
    ``min_group`` people; else "_other" when the small perspectives together hold at
    least ``min_group`` people from at least two perspectives; else None (left out)."""
    if people[pid] >= min_group:
        return pid
    small = [n for n in people.values() if 0 < n < min_group]
    return "_other" if len(small) >= 2 and sum(small) >= min_group else None
