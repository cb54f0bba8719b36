"""The default programme of a Reflectiesessie De Veranderende Gemeente (13:30-17:00).

Titles, times, kinds and audiences follow the original invitation in
``shared/context/``; descriptions tell participants what to do in each step.
"""

from __future__ import annotations

from .model import Finding, Perspective, Step, StepKind

DEFAULT_TITLE = "Reflectiesessie De Veranderende Gemeente"

#: (id, kind, start, end, title nl, title en, description nl, description en)
_STEPS = [
    ("opening", StepKind.WELCOME, "13:30", "13:45", "Opening en welkom", "Opening and welcome",
     "Welkom! Kies uw perspectief: de positie van waaruit u vandaag reageert.",
     "Welcome! Choose your perspective: the position from which you react today."),
    ("presentatie", StepKind.PRESENTATION, "13:45", "14:30",
     "Presentatie (tussentijdse) resultaten van het Leer- en onderzoekstraject DVG",
     "Presentation of the (interim) results of the DVG learning and research programme",
     "Luister naar de tussentijdse resultaten. Noteer wat u herkent of wat u verrast.",
     "Listen to the interim results. Note what you recognise or what surprises you."),
    ("eigen-kring", StepKind.CIRCLE, "14:30", "15:15",
     "Reflectie op deze resultaten in eigen kring",
     "Reflection on these results in your own circle",
     # says truthfully what happens after the afternoon: the report that is handed on holds
     # only what a circle took into the dialogue; the rest stays in the organiser's research data
     "Reageer vanuit uw eigen perspectief en belangenpositie. Vanmiddag zien alleen uw kring "
     "en de facilitator uw reflecties. Markeer samen wat u meeneemt naar de dialoog: alleen "
     "dat komt, zonder naam, in het verslag. De andere reflecties bewaart de organisator "
     "alleen als onderzoeksgegevens.",
     "React from your own perspective and position. This afternoon only your circle and the "
     "facilitator see your reflections. Together, mark what you take into the dialogue: only "
     "that goes, without your name, into the report. The organiser keeps the other "
     "reflections only as research data."),
    ("dialoog", StepKind.EXCHANGE, "15:30", "16:15",
     "Uitwisselen van reflecties en 'dialoog tussen perspectieven'",
     "Exchanging reflections and the 'dialogue between perspectives'",
     "Lees de reflecties van andere kringen. Herkent u ze vanuit uw perspectief?",
     "Read the reflections of other circles. Do you recognise them from your perspective?"),
    ("conclusies", StepKind.CONCLUSIONS, "16:15", "16:45",
     "Algemene conclusies n.a.v. 'dialoog tussen perspectieven'",
     "General conclusions from the 'dialogue between perspectives'",
     "Steunt u de conclusies? Geef aan waar u steun of een bedenking hebt.",
     "Do you support the conclusions? Say where you give support or have a concern."),
    ("afsluiting", StepKind.CLOSING, "16:45", "17:00", "Afsluiting", "Closing",
     "Dank voor uw bijdrage. De conclusies worden met u gedeeld.",
     "Thank you for your contribution. The conclusions will be shared with you."),
]

#: (id, Dutch label, English label) from the invitation's audiences and stakeholders.
_PERSPECTIVES = [
    ("raadslid", "Raadslid", "Council member"),
    ("bestuurder", "Burgemeester / wethouder", "Mayor / alderman"),
    ("gemeentesecretaris", "Gemeentesecretaris", "Town clerk"),
    ("directeur", "Directeur / leidinggevende", "Director / line manager"),
    ("manager", "Manager", "Manager"),
    ("medewerker", "Uitvoerend medewerker / ambtenaar", "Civil servant"),
    ("beleidsadviseur", "Beleidsadviseur", "Policy adviser"),
    ("hr-adviseur", "HR- of organisatieadviseur", "HR or organisational adviser"),
    ("bedrijfsvoering", "Bedrijfsvoering (financiën, IT)", "Operations (finance, IT)"),
    ("or-lid", "OR- of GO-lid", "Works council member"),
    ("vakbond", "Vakbond", "Trade union"),
    ("koepel", "Koepelorganisatie", "Umbrella organisation"),
    ("burger", "Burger", "Citizen"),
    ("belangengroep", "Belangengroep", "Interest group"),
    ("ondernemer", "Ondernemer", "Business owner"),
    ("onderzoeker", "Onderzoeker / anders", "Researcher / other"),
]

_FINDINGS = [
    ("f1", "Verandering verloopt zelden volgens plan",
     "In de casestudies lopen verandertrajecten vaker via informele netwerken en "
     "onverwachte gebeurtenissen dan via het vastgestelde plan."),
    ("f2", "Betekenisgeving verschilt per positie",
     "Raad, bestuur, management en medewerkers geven verschillende betekenissen aan "
     "dezelfde verandering; die verschillen blijven vaak onbesproken."),
    ("f3", "Vertrouwen als voorwaarde",
     "Waar medewerkers en bestuur elkaar vertrouwen, krijgen veranderingen meer ruimte "
     "om zich te ontwikkelen."),
]


def default_steps() -> list[Step]:
    """The six steps of the default programme, 13:30-17:00."""
    return [Step(id=i, kind=k.value, planned_start=s, planned_end=e, title=t, title_en=te,
                 description=d, description_en=de)
            for i, k, s, e, t, te, d, de in _STEPS]


def default_perspectives() -> list[Perspective]:
    """The sixteen default perspectives with Dutch and English labels."""
    return [Perspective(id=i, label=nl, label_en=en) for i, nl, en in _PERSPECTIVES]


def example_findings() -> list[Finding]:
    """Three example findings for the demo session."""
    return [Finding(id=i, title=t, text=x) for i, t, x in _FINDINGS]
