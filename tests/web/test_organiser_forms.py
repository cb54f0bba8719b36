"""The organiser edits a session and a series template in forms (issue 15, item 2):
the page's own form is read the way a browser sends it, changed, and posted back.
Rows are added, moved and removed by buttons that post the form (no JavaScript);
saving checks every row on the server and shows each error at its field, in the
user's language; hostile posts get a 4xx with field errors, never a 500. YAML and
JSON stay available in the advanced part."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import yaml

from tests.conftest import ORGANISER

NL = {"Accept-Language": "nl"}
EN = {"Accept-Language": "en"}


class FormReader(HTMLParser):
    """The fields a browser would send for ``<form id="spec-form">``: text inputs,
    hidden inputs, checked boxes, selected options and textareas, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "spec-form":
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._first_option, self._selected = a["name"], None, False
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a and not self._selected:
                self.pairs.append((self._select, a.get("value", "")))
                self._selected = True
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            if not self._selected:
                self.pairs.append((self._select, self._first_option or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.pairs.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def form_of(page: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.convert_charrefs = True
    reader.feed(page)
    fields: dict[str, list[str]] = {}
    for name, value in reader.pairs:
        fields.setdefault(name, []).append(value)
    return fields


def post(client, url, fields, op="save", headers=NL, **extra):
    data = {**fields, "op": op, **extra}
    return client.post(url, data=data, headers=headers)


def logged_in(client):
    assert client.post("/organiser/login", data={"token": ORGANISER}).status_code == 302
    return client


def steps_of(api, code):
    return api.get(f"/sessions/{code}").json["steps"]


def test_saving_the_form_unchanged_keeps_the_session(client, make_session, ops):
    s = make_session(title="Reflectiesessie Zwolle")
    logged_in(client)
    before = ops.workshop(s.code)
    page = client.get(f"/organiser/{s.code}", headers=NL).get_data(as_text=True)
    form = page[page.index('id="spec-form"'):]
    # Enter in a field presses the form's first button: it must save, not move a step
    assert re.search(r'<button type="submit" name="op" value="(\w+)"', form).group(1) == "save"
    fields = form_of(page)
    assert fields["programme[2].title"] == ["Reflectie op deze resultaten in eigen kring"]
    assert fields["programme[2].kind"] == ["circle"]
    response = post(client, f"/organiser/{s.code}", fields)
    assert response.status_code == 302
    after = ops.workshop(s.code)
    assert [(x.id, x.title, x.kind, x.planned_start) for x in after.steps] == \
        [(x.id, x.title, x.kind, x.planned_start) for x in before.steps]
    assert [p.id for p in after.perspectives] == [p.id for p in before.perspectives]
    assert after.series is None  # a session outside a series, as before


def test_a_post_without_the_lists_changes_only_what_it_has(client, make_session, ops):
    s = make_session(findings=[{"title": "Regels knellen in de uitvoering"}])
    logged_in(client)
    response = client.post(f"/organiser/{s.code}", data={"title": "Sessie Hattem", "op": "save"})
    assert response.status_code == 302
    workshop = ops.workshop(s.code)
    assert workshop.title == "Sessie Hattem"
    assert len(workshop.steps) == 6 and len(workshop.findings) == 1


def test_add_a_step_move_it_up_set_times_and_titles_then_save(client, make_session, api,
                                                               ops):
    s = make_session(title="Sessie Deventer")
    logged_in(client)
    url = f"/organiser/{s.code}"
    fields = form_of(client.get(url, headers=NL).get_data(as_text=True))
    added = post(client, url, fields, op="add:programme")
    assert added.status_code == 200  # shown again, not saved yet
    page = added.get_data(as_text=True)
    assert 'id="field-programme-6-title"' in page and "autofocus" in page
    assert len(steps_of(api, s.code)) == 6
    fields = form_of(page)
    moved = post(client, url, fields, op="up:programme:6")
    page = moved.get_data(as_text=True)
    # the moved row's button keeps the focus, for the next press
    assert re.search(r'id="field-programme-5-up"[^>]*autofocus', page)
    fields = form_of(page)
    assert fields["programme[5].title"] == [""] and fields["programme[6].title"] == ["Afsluiting"]
    fields["programme[5].title"] = ["Koffie en thee"]
    fields["programme[5].title_en"] = ["Coffee and tea"]
    fields["programme[5].kind"] = ["exchange"]
    fields["programme[5].start"] = ["16:40"]
    fields["programme[5].end"] = ["16:45"]
    fields["programme[4].end"] = ["16:40"]
    saved = post(client, url, fields)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    steps = steps_of(api, s.code)
    assert [x["title"] for x in steps][4:] == [
        "Algemene conclusies n.a.v. 'dialoog tussen perspectieven'", "Koffie en thee",
        "Afsluiting"]
    coffee = steps[5]
    assert (coffee["kind"], coffee["planned_start"], coffee["planned_end"]) == \
        ("exchange", "16:40", "16:45")
    assert ops.workshop(s.code).steps[5].title_en == "Coffee and tea"
    assert steps[4]["planned_end"] == "16:40"
    assert steps[0]["id"] == "opening"  # kept steps keep their ids


def test_a_step_added_and_left_empty_is_dropped_and_remove_removes(client, make_session, api):
    s = make_session()
    logged_in(client)
    url = f"/organiser/{s.code}"
    fields = form_of(post(client, url, form_of(client.get(url).get_data(as_text=True)),
                          op="add:programme").get_data(as_text=True))
    fields = form_of(post(client, url, fields, op="remove:programme:1").get_data(as_text=True))
    assert post(client, url, fields).status_code == 302
    titles = [x["title"] for x in steps_of(api, s.code)]
    assert len(titles) == 5 and not titles[1].startswith("Presentatie")


def test_errors_show_at_their_fields_in_the_users_language(client, make_session, ops):
    s = make_session()
    logged_in(client)
    url = f"/organiser/{s.code}"
    fields = form_of(client.get(url).get_data(as_text=True))
    fields["programme[2].start"] = ["1430"]          # no colon
    fields["programme[3].title"] = ["   "]           # only spaces
    fields["perspectives[0].label"] = [""]
    response = post(client, url, fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="error-programme-2-start">Gebruik een tijd zoals 13:30.' in page
    assert 'aria-describedby="error-programme-2-start" aria-invalid="true"' in page
    assert 'id="error-programme-3-title">' in page
    assert 'id="error-perspectives-0-label">' in page
    assert 'href="#field-programme-2-start"' in page  # the summary links to the field
    assert 'value="1430"' in page  # what was typed stays in the form
    assert ops.workshop(s.code).steps[2].planned_start == "14:30"  # nothing saved
    english = post(client, url, fields, headers=EN).get_data(as_text=True)
    assert 'id="error-programme-2-start">Use a time like 13:30.' in english


def test_circles_from_checkboxes_and_a_shared_perspective_is_refused(client, make_session, ops):
    s = make_session()
    logged_in(client)
    url = f"/organiser/{s.code}"
    fields = form_of(post(client, url, form_of(client.get(url).get_data(as_text=True)),
                          op="add:circles").get_data(as_text=True))
    fields["circles[0].name"] = ["Bestuur en raad"]
    fields["circles[0].perspectives"] = ["raadslid", "bestuurder"]
    fields["circles[0].max_size"] = ["10"]
    assert post(client, url, fields).status_code == 302
    grouped = [c for c in ops.workshop(s.code).circles if len(c.perspectives) > 1]
    assert [(c.name, c.perspectives, c.max_size) for c in grouped] == \
        [("Bestuur en raad", ["raadslid", "bestuurder"], 10)]
    fields = form_of(post(client, url, form_of(client.get(url).get_data(as_text=True)),
                          op="add:circles").get_data(as_text=True))
    assert fields["circles[0].perspectives"] == ["raadslid", "bestuurder"]  # boxes ticked
    fields["circles[1].name"] = ["Griffie"]
    fields["circles[1].perspectives"] = ["raadslid", "manager"]
    response = post(client, url, fields)
    assert response.status_code == 422
    assert 'id="error-circles-1-perspectives">Een perspectief kan maar in één kring zitten.' \
        in response.get_data(as_text=True)


def test_findings_and_perspectives_rows(client, make_session, ops):
    s = make_session()
    logged_in(client)
    url = f"/organiser/{s.code}"
    fields = form_of(client.get(url).get_data(as_text=True))
    fields = form_of(post(client, url, fields, op="add:findings").get_data(as_text=True))
    fields["findings[0].title"] = ["Raadsleden voelen zich laat betrokken bij de verandering"]
    fields["findings[0].text"] = ["Uit de interviews: 7 van de 11 raadsleden noemden dit."]
    fields = form_of(post(client, url, fields, op="add:perspectives").get_data(as_text=True))
    fields["perspectives[16].label"] = ["Griffier"]
    fields["perspectives[16].label_en"] = ["Clerk of the council"]
    assert post(client, url, fields).status_code == 302
    workshop = ops.workshop(s.code)
    assert [(f.id, f.title) for f in workshop.findings] == [
        ("f1", "Raadsleden voelen zich laat betrokken bij de verandering")]
    assert (workshop.perspectives[-1].id, workshop.perspectives[-1].label_en) == \
        ("griffier", "Clerk of the council")
    # removing the last finding leaves the focus on "add a finding"
    fields = form_of(client.get(url).get_data(as_text=True))
    page = post(client, url, fields, op="remove:findings:0").get_data(as_text=True)
    assert re.search(r'value="add:findings"[^>]*autofocus', page)
    assert post(client, url, form_of(page)).status_code == 302
    assert ops.workshop(s.code).findings == []


def test_hostile_posts_get_field_errors_never_a_500(client, make_session, ops):
    s = make_session()
    logged_in(client)
    url = f"/organiser/{s.code}"
    good = form_of(client.get(url).get_data(as_text=True))
    cases = [
        ({"programme[999999].title": ["x"]}, "save", "programme"),
        ({"programme[0].onclick": ["alert(1)"]}, "save", "programme"),
        ({"programme[0].kind": ["hacker"]}, "save", "programme[0].kind"),
        ({"programme[1].title": ["x" * 5000]}, "save", "programme[1].title"),
        ({"programme[2].end": ["25:99"]}, "save", "programme[2].end"),
        ({"circles[0].name": ["Kring"], "circles[0].perspectives": ["bestaat-niet"]}, "save",
         "circles[0].perspectives"),
        ({"circles[0].name": ["Kring"], "circles[0].max_size": ["veel"]}, "save",
         "circles[0].max_size"),
        # a digit to str.isdigit() that int() refuses (superscript two)
        ({"circles[0].name": ["Kring"], "circles[0].max_size": ["²"]}, "save",
         "circles[0].max_size"),
        ({"programme[0].title": ["<script>x</script>"], "programme[0].start": ["7"]}, "save",
         "programme[0].start"),
        ({}, "up:programme:999", "spec-form"),
        ({}, "drop table", "spec-form"),
        ({}, "remove:findings", "spec-form"),
    ]
    for change, op, field in cases:
        response = post(client, url, {**good, **change}, op=op)
        assert 400 <= response.status_code < 500, (change, op)
        page = response.get_data(as_text=True)
        target = "field-" + field.replace(".", "-").replace("[", "-").replace("]", "") \
            if field != "spec-form" else field
        assert f'href="#{target}"' in page, (change, op)
        assert "<script>x" not in page, (change, op)
    # a programme with no step at all
    no_steps = {k: v for k, v in good.items() if not k.startswith("programme[")}
    response = post(client, url, no_steps)
    assert response.status_code == 422
    assert 'id="error-programme">' in response.get_data(as_text=True)
    assert len(ops.workshop(s.code).steps) == 6
    # an identifier that is no identifier is made from the name instead
    response = post(client, url, {**good, "perspectives[0].id": ["<script>x</script>"]})
    assert response.status_code == 302
    assert ops.workshop(s.code).perspectives[0].id == "raadslid"


def test_yaml_and_json_stay_for_power_users(client, make_session, ops):
    s = make_session()
    logged_in(client)
    url = f"/organiser/{s.code}"
    downloaded = client.get(f"{url}/spec?format=json")
    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["Content-Disposition"]
    spec = json.loads(downloaded.data)
    assert [x["id"] for x in spec["programme"]][:2] == ["opening", "presentatie"]
    assert yaml.safe_load(client.get(f"{url}/spec").data) == spec
    assert client.get(f"{url}/spec?format=exe").status_code == 400
    # a form change with the YAML untouched: the form wins
    fields = form_of(client.get(url).get_data(as_text=True))
    fields["programme[0].title"] = ["Inloop met koffie"]
    assert post(client, url, fields).status_code == 302
    assert ops.workshop(s.code).steps[0].title == "Inloop met koffie"
    # a changed YAML text replaces the form
    fields = form_of(client.get(url).get_data(as_text=True))
    spec["programme"] = spec["programme"][:2]
    fields["spec"] = [yaml.safe_dump(spec, allow_unicode=True)]
    assert post(client, url, fields).status_code == 302
    assert len(ops.workshop(s.code).steps) == 2
    # an imported JSON file too
    spec["findings"] = [{"title": "Ambtenaren missen ruimte om te experimenteren"}]
    fields = form_of(client.get(url).get_data(as_text=True))
    data = {**fields, "op": "save",
            "spec_file": (io.BytesIO(json.dumps(spec).encode()), "sessie.json")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert [f.title for f in ops.workshop(s.code).findings] == [
        "Ambtenaren missen ruimte om te experimenteren"]


def test_series_template_in_forms_and_a_session_from_it(client, api):
    logged_in(client)
    created = client.post("/organiser/series", data={"title": "DVG Reflectiesessies 2027"},
                          headers=NL)
    assert created.status_code == 302
    url = created.location
    series_id = url.rstrip("/").split("/")[-1]
    page = client.get(url, headers=NL).get_data(as_text=True)
    assert "Sjabloon voor nieuwe sessies" in page
    fields = form_of(page)
    fields = form_of(post(client, url, fields, op="add:findings").get_data(as_text=True))
    fields["findings[0].title"] = ["Verandering komt vaak van bovenaf"]
    fields["programme[0].title"] = ["Welkom in de raadzaal"]
    fields["programme[0].title_en"] = ["Welcome to the council chamber"]
    assert post(client, url, fields).status_code == 302
    template = api.get(f"/series/{series_id}", ORGANISER).json["template"]
    assert template["findings"][0]["title"] == "Verandering komt vaak van bovenaf"
    assert template["programme"][0]["title_en"] == "Welcome to the council chamber"
    # an error in the template shows at its field, nothing saved
    fields = form_of(client.get(url).get_data(as_text=True))
    fields["programme[1].start"] = ["half twee"]
    response = post(client, url, fields)
    assert response.status_code == 422
    assert 'id="error-programme-1-start">Gebruik een tijd zoals 13:30.' in \
        response.get_data(as_text=True)
    # a session of the series starts from the template
    made = client.post(f"{url}/sessions", data={"date": "2027-03-11", "place": "Zwolle",
                                                "municipality": "Zwolle"})
    assert made.status_code == 302
    code = made.location.rstrip("/").split("/")[-1]
    session = api.get(f"/sessions/{code}").json
    assert session["steps"][0]["title"] == "Welkom in de raadzaal"
    page = client.get(made.location, headers=NL).get_data(as_text=True)
    assert "DVG Reflectiesessies 2027" in page  # the session links back to its series
    bad = client.post(f"{url}/sessions", data={"date": "2027-02-30"}, headers=NL)
    assert bad.status_code == 422
    assert 'id="error-date"' in bad.get_data(as_text=True)
    assert client.get("/organiser/series/geen-reeks").status_code == 404
    assert client.post("/organiser/series", data={"title": " "}).status_code == 422


def test_series_template_as_yaml_for_power_users(client, api):
    logged_in(client)
    url = client.post("/organiser/series", data={"title": "Deiningssessies"}).location
    series_id = url.rstrip("/").split("/")[-1]
    spec = yaml.safe_load(client.get(f"{url}/template?format=yaml").data)
    assert spec["programme"][0]["kind"] == "welcome"
    fields = form_of(client.get(url).get_data(as_text=True))
    spec["perspectives"] = [{"label": "Raadslid"}, {"label": "Wethouder"},
                            {"label": "OR-lid", "label_en": "Works council member"}]
    spec["circles"] = [{"name": "Bestuur", "perspectives": ["raadslid", "wethouder"]}]
    fields["spec"] = [yaml.safe_dump(spec, allow_unicode=True)]
    assert post(client, url, fields).status_code == 302
    template = api.get(f"/series/{series_id}", ORGANISER).json["template"]
    assert [p["id"] for p in template["perspectives"]] == ["raadslid", "wethouder", "or-lid"]
    assert template["circles"][0]["perspectives"] == ["raadslid", "wethouder"]
    # broken YAML, an alias bomb and an unknown key: the error at the YAML field, nothing saved
    for text in ("programme: [unclosed\n", "a: &a [1]\nb: *a\n", "programma: []\n"):
        fields = form_of(client.get(url).get_data(as_text=True))
        fields["spec"] = [text]
        response = post(client, url, fields)
        assert response.status_code == 422, text
        page = response.get_data(as_text=True)
        assert 'id="error-spec"' in page and 'href="#field-spec"' in page, text
    assert api.get(f"/series/{series_id}", ORGANISER).json["template"] == template
