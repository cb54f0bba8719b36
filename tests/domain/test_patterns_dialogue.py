"""The dialogue in the patterns (issue 17, item 4): what each perspective asks most,
questions no one answered as a blind spot, the reasons behind *niet herkenbaar* beside a
dividing line, table harvests in the themes; with the small-group rule and only what the
audience may see. Also the generic words a session shows by itself (issue 14)."""

from __future__ import annotations

import json

from facilitator.domain.model import Answer, Harvest, Question, Reaction
from facilitator.domain.patterns import analyse_workshop

from .test_patterns import Session

SIX = [("raad", "Raadsleden", "Councillors"), ("amb", "Ambtenaren", "Civil servants"),
       ("or", "OR-leden", "Works council"), ("vak", "Vakbond", "Union"),
       ("mt", "Management", "Management"), ("griffie", "Griffie", "Clerk's office")]


def _ask(s: Session, person, to: str, text: str, supporters=()) -> Question:
    q = Question(id=s._id("q"), participant=person.id, perspective=person.perspective,
                 circle=person.circle, to=to, text=text, created_at=f"{s._n:08d}",
                 supporters=list(supporters))
    s.data.questions.append(q)
    return q


def _answer(s: Session, person, question: Question, text: str) -> None:
    s.data.answers.append(Answer(id=s._id("a"), question=question.id, participant=person.id,
                                 perspective=person.perspective, circle=person.circle,
                                 text=text, created_at=""))


def dialogue_session() -> tuple[Session, dict]:
    """Raadsleden (4) ask the Ambtenaren about werkdruk, the one Griffie member about the
    agenda; Ambtenaren answer one question; the rest stays open."""
    s = Session(SIX)
    people = {pid: [s.person(pid) for _ in range(n)]
              for pid, n in (("raad", 4), ("amb", 5), ("or", 3), ("vak", 3), ("mt", 4),
                             ("griffie", 1))}
    raad, amb = people["raad"], people["amb"]
    q1 = _ask(s, raad[0], "amb", "Hoe merken jullie de werkdruk op de afdeling?",
              supporters=[raad[1].id, raad[2].id])
    _ask(s, raad[1], "amb", "wat zou de werkdruk echt verlagen volgens jullie??")
    _ask(s, raad[2], "amb", "Werkdruk: waar zit het m in, regels of te weinig mensen?")
    _ask(s, raad[3], "griffie", "Kan de agenda van de raad eerder rond zijn?")
    _ask(s, people["griffie"][0], "raad", "Waarom komen de raadsvragen altijd op vrijdag?")
    _answer(s, amb[0], q1, "Vooral door vacatures die open blijven staan")
    return s, people


def test_what_each_perspective_asks_most_and_its_most_supported_question():
    s, _people = dialogue_session()
    result = analyse_workshop(s.data)
    asks = {a["id"]: a for a in result["dialogue"]["asks"]}
    assert asks["raad"]["questions"] == 4 and asks["raad"]["askers"] == 4
    assert asks["raad"]["terms"][0].lower() == "werkdruk"
    assert asks["raad"]["top_question"]["supporters"] == 2
    assert "werkdruk op de afdeling" in asks["raad"]["top_question"]["text"]
    # the console sees the one Griffie member, marked as a small group
    assert asks["griffie"]["small_group"] is True


def test_questions_nobody_answered_are_a_blind_spot_per_addressed_perspective():
    s, _people = dialogue_session()
    result = analyse_workshop(s.data)
    open_items = {b["perspective"]: b for b in result["blind_spots"]
                  if b["kind"] == "unanswered_questions"}
    assert set(open_items) == {"amb", "griffie", "raad"}
    assert open_items["amb"]["counts"]["questions"] == 2
    assert open_items["amb"]["text"] == "2 vragen aan Ambtenaren bleven onbeantwoord."
    assert len(open_items["amb"]["questions"]) == 2
    # a question to a perspective nobody came for is listed too
    s.data.workshop.perspectives[-1].id = "griffie"
    _ask(s, _people["raad"][0], "absent-one", "Wie spreekt hier voor de inwoners?")
    result = analyse_workshop(s.data)
    assert "absent-one" in {b.get("perspective") for b in result["blind_spots"]
                            if b["kind"] == "unanswered_questions"}


def test_the_screen_gets_counts_not_texts_and_small_askers_pooled():
    s, _people = dialogue_session()
    screen = analyse_workshop(s.data, audience="screen")
    text = json.dumps(screen, ensure_ascii=False)
    for q in s.data.questions:
        assert q.text not in text
    asks = {a["id"]: a for a in screen["dialogue"]["asks"]}
    assert "top_question" not in asks["raad"]
    # one Griffie asker is below the minimum: never named on the screen
    assert "griffie" not in asks
    unanswered = [b for b in screen["blind_spots"] if b["kind"] == "unanswered_questions"]
    assert unanswered and all("questions" not in b for b in unanswered)
    assert {b["counts"]["questions"] for b in unanswered if b["perspective"] == "amb"} == {2}


def _dividing_session() -> tuple[Session, object]:
    s = Session(SIX[:4])
    people = {pid: [s.person(pid) for _ in range(6)] for pid, *_ in SIX[:4]}
    filler = [s.write(people[pid][i], f"gewone opmerking nummer {pid} {i} over de dag")
              for pid in ("raad", "amb", "or", "vak") for i in range(6)]
    target = s.write(people["or"][0], "Meer regels en controle zijn nodig in de uitvoering")
    for person in people["raad"]:
        s.react(person, target, "agree")
    reasons = ["Nog meer regels geeft alleen meer regeldruk", "de regeldruk is nu al te hoog!",
               "controle kost ons dagen per maand", "dat wordt wéér regeldruk 🙄", "", ""]
    for i, person in enumerate(people["amb"]):
        s.data.reactions.append(Reaction(
            id=s._id("x"), reflection=target.id, participant=person.id,
            perspective="amb", circle="amb", kind="disagree", created_at=f"{i}",
            text=reasons[i]))
    for r in filler:
        for j, pid in enumerate(("raad", "amb", "vak")):
            for k, person in enumerate(people[pid][:4]):
                s.react(person, r, ("agree", "disagree")[(j + k + len(r.id)) % 2])
    return s, target


def test_reasons_behind_not_recognised_stand_beside_the_dividing_line():
    s, target = _dividing_session()
    console = analyse_workshop(s.data)
    line = next(d for d in console["dividing_lines"] if d["target"] == f"r:{target.id}")
    reasons = {e["id"]: e for e in line["reasons"]}
    assert reasons["amb"]["reasons"] == 4
    assert reasons["amb"]["terms"] == ["regeldruk"]
    assert len(reasons["amb"]["texts"]) == 3
    assert "4 gaven een reden bij ‘niet herkenbaar’ (Ambtenaren)" in line["text"]
    screen = analyse_workshop(s.data, audience="screen")
    line = next(d for d in screen["dividing_lines"] if d["target"] == f"r:{target.id}")
    assert line["reasons"][0]["reasons"] == 4 and "texts" not in line["reasons"][0]
    assert "Nog meer regels" not in json.dumps(screen, ensure_ascii=False)


def test_harvests_naming_a_theme_are_counted_shared_ones_only_on_the_screen():
    s = Session(SIX[:4])
    said = ["Het vertrouwen is broos", "zonder vertrouwen geen verandering",
            "vertrouwen krijg je door te doen wat je zegt", "de koffie was koud"]
    for pid, *_ in SIX[:4]:
        for i in range(4):
            s.write(s.person(pid), f"{said[i]} ({pid})")
    person = s.data.participants[0]
    for i, shared in enumerate((True, False)):
        s.data.harvests.append(Harvest(id=f"h{i}", table=1, participant=person.id,
                                       perspective=person.perspective,
                                       text="Aan tafel ging het steeds over vertrouwen",
                                       created_at="", shared=shared))
    console = analyse_workshop(s.data)
    theme = next(t for t in console["themes"] if t["term"] == "vertrouwen")
    assert theme["harvests"] == ["h0", "h1"] and theme["counts"]["harvests"] == 2
    screen = analyse_workshop(s.data, audience="screen")
    theme = next(t for t in screen["themes"] if t["term"] == "vertrouwen")
    assert theme["harvests"] == ["h0"]


def test_a_word_said_along_with_other_themes_is_generic_in_the_session():
    """'afdeling' runs through the reflections on three themes and is no theme itself
    (it is in no word list: the session shows it)."""
    s = Session(SIX[:4])
    themes = ["De werkdruk op mijn afdeling is te hoog", "vertrouwen op de afdeling groeit",
              "hybride werken: de afdeling ziet elkaar weinig"]
    plain = ["De werkdruk blijft een punt, vacatures staan open", "vertrouwen moet je verdienen",
             "hybride werken bevalt prima", "de koffie was koud", "fijne middag, dank Petra",
             "ik ben benieuwd naar het vervolg", "mooi gesprek aan tafel"]
    for pid, *_ in SIX[:4]:
        for i in range(10):
            text = themes[i] if i < 3 else plain[i - 3]
            s.write(s.person(pid), text + f" ({pid}{i})")
    result = analyse_workshop(s.data)
    terms = [t["term"].lower() for t in result["themes"]]
    assert {"werkdruk", "vertrouwen", "hybride werken"} <= set(terms)
    assert "afdeling" not in terms
    assert result["generic"]["session"] == ["afdeling"]


def test_a_phrase_of_generic_words_only_is_never_a_distinctive_concern():
    """Four of five union members write 'nieuwe collega's' and 'cao'; nobody else does:
    the cao is their concern, the generic phrase is not."""
    s = Session(SIX[:4])
    union = ["Als nieuwe collega's merken we dat de cao achterloopt",
             "nieuwe collega's vragen ons vaak naar de cao", "De cao is voor nieuwe collega's "
             "onduidelijk", "nieuwe collega's en de cao, daar moet iets gebeuren", "prima middag"]
    for text in union:
        s.write(s.person("vak"), text)
    filler = ["de koffie was koud", "fijne middag, dank Petra", "ik ben benieuwd naar het vervolg",
              "mooi gesprek aan tafel", "de zaal was te warm", "goed georganiseerd"]
    for pid in ("raad", "amb", "or"):
        for text in filler:
            s.write(s.person(pid), text)
    result = analyse_workshop(s.data)
    terms = {d["term"].lower() for d in result["distinctive"]}
    related = {r.lower() for d in result["distinctive"] for r in d["related"]}
    assert "cao" in terms
    assert not (terms | related) & {"nieuwe collega's", "nieuwe", "collega's", "nieuwe collega"}


def test_a_dividing_line_is_about_positions_not_passes():
    """Six councillors recognise a reflection, six civil servants say 'niet herkenbaar',
    and ten OR members all say 'geen mening': the OR does not reject it, so the line runs
    between the councillors and the civil servants."""
    s = Session(SIX[:3])
    author = s.person("raad")
    target = s.write(author, "De raad moet eerlijker zijn over wat haalbaar is met dit budget.")
    for _ in range(6):
        s.react(s.person("raad"), target, "agree")
        s.react(s.person("amb"), target, "disagree")
    for _ in range(10):
        s.react(s.person("or"), target, "pass")
    result = analyse_workshop(s.data)
    line = next(i for i in result["dividing_lines"] if i["kind"] == "dividing")
    assert (line["high"], line["low"]) == ("raad", "amb")
    assert "6 van 6" in line["explanation"]["nl"] and "0 van 6" in line["explanation"]["nl"]
