"""The session's house style in its reports: a colour dark enough for text, a small
PNG logo; checked when the organiser sets them, used by HTML/PDF and Word."""

from __future__ import annotations

import base64
import io
import zipfile

import docx
import pytest
from PIL import Image

from facilitator.domain import spec
from facilitator.domain.errors import Invalid
from facilitator.domain.export import pdf, render, style
from facilitator.domain.export.archive import from_archive, to_archive
from facilitator.domain.export.report import build

from . import make_session


def png(width: int = 240, height: int = 80, colour: str = "#0072B2") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def data_url(data: bytes) -> str:
    return style.LOGO_PREFIX + base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def styled():
    data = make_session(reflections=20)
    spec.apply_spec(data.workshop, {"report_colour": "#7a1f3d",
                                    "report_logo": data_url(png())}, partial=True)
    return data


def test_the_spec_checks_the_colour_and_the_logo():
    workshop = make_session(reflections=10).workshop
    for value, field in [("rood", "report_colour"), ("#12345", "report_colour"),
                         ("#FFD700", "report_colour"),  # gold on white: 1.4 to 1
                         ("https://example.org/logo.png", "report_logo"),
                         ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "report_logo"),
                         (data_url(b"GIF89a" + bytes(40)), "report_logo"),
                         (style.LOGO_PREFIX + "!!niet-base64!!", "report_logo"),
                         (data_url(png(2400, 10)), "report_logo"),
                         (data_url(png() + bytes(style.MAX_LOGO_BYTES)), "report_logo")]:
        with pytest.raises(Invalid) as caught:
            spec.apply_spec(workshop, {field: value}, partial=True)
        assert caught.value.params["field"] == field, value
    spec.apply_spec(workshop, {"report_colour": "#0b3d60", "report_logo": ""}, partial=True)
    assert workshop.report_colour == "#0B3D60" and workshop.report_logo == ""
    assert style.contrast("#000000") == pytest.approx(21) and style.contrast("#FFFFFF") == 1


def test_html_and_pdf_use_the_colour_and_show_the_logo(styled):
    page = render(styled, "html", preset="bestuur").content.decode()
    assert "#7A1F3D" in page and "#0b3d60" not in page
    assert f'<img class="logo" alt="" src="{styled.workshop.report_logo}">' in page
    raw = pdf.render(build(styled, preset="bestuur"), compress=False)
    assert b"/Subtype /Image" in raw


def test_word_uses_the_colour_for_headings_and_shows_the_logo(styled):
    content = render(styled, "docx", preset="bestuur").content
    document = docx.Document(io.BytesIO(content))
    for name in ("Title", "Heading 1", "Heading 2"):
        assert str(document.styles[name].font.color.rgb) == "7A1F3D"
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        body = z.read("word/document.xml").decode()
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert 'descr="Logo"' in body.split("<w:pStyle w:val=\"Title\"/>")[0]  # above the title
    assert png() in media


def test_without_a_house_style_the_report_keeps_its_own():
    data = make_session(reflections=10)
    report = build(data)
    assert report.colour == style.DEFAULT_COLOUR and report.logo is None
    assert "<img" not in render(data, "html").content.decode()


def test_the_archive_keeps_the_house_style(styled):
    back = from_archive(to_archive(styled))
    assert back.workshop.report_colour == "#7A1F3D"
    assert style.logo_bytes(back.workshop.report_logo) == png()


def test_phones_and_the_screen_never_get_the_logo(styled):
    from facilitator.domain.rules import Role
    from facilitator.domain.views import workshop_view

    for role in (Role.PARTICIPANT, Role.SCREEN, Role.FACILITATOR):
        view = workshop_view(styled.workshop, role)
        assert "report_logo" not in view and view["report_colour"] == "#7A1F3D"
