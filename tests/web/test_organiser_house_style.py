"""The report's house style set in the session's form (issue 16): a dark colour and a
PNG logo, checked by ``export.style``, shown at their fields when wrong, used by the
report; never sent to phones or the screen."""

from __future__ import annotations

import base64
import io
import struct
import zlib

from tests.web.test_organiser_forms import NL, form_of, logged_in


def png(width: int = 40, height: int = 20) -> bytes:
    """A small valid PNG (one dark-blue colour)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x0b\x3d\x60" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def send(client, url, fields, **files):
    data = {**{k: v for k, v in fields.items()}, "op": "save", **files}
    return client.post(url, data=data, headers=NL, content_type="multipart/form-data")


def test_colour_and_logo_from_the_form_reach_the_report(client, make_session, ops, api):
    s = make_session(title="Reflectiesessie Kampen")
    logged_in(client)
    url = f"/organiser/{s.code}"
    page = client.get(url, headers=NL).get_data(as_text=True)
    assert '<label class="utrecht-form-label" for="field-report_colour">Huiskleur</label>' in page
    fields = form_of(page)
    fields["report_colour"] = ["#0b3d60"]
    saved = send(client, url, fields, report_logo_file=(io.BytesIO(png()), "logo-kampen.png"))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:400]
    workshop = ops.workshop(s.code)
    assert workshop.report_colour == "#0B3D60"
    assert base64.b64decode(workshop.report_logo.split(",", 1)[1]) == png()
    # the page shows the logo it has and offers to remove it
    page = client.get(url, headers=NL).get_data(as_text=True)
    assert 'alt="Het huidige logo"' in page and 'name="report_logo_remove"' in page
    report = client.get(f"/organiser/{s.code}/export?format=html&preset=bestuur",
                        headers=NL).get_data(as_text=True)
    assert "#0B3D60" in report and "data:image/png;base64," in report
    # phones and the screen never get the logo
    assert "report_logo" not in api.get(f"/sessions/{s.code}").json
    # saving again without a file keeps the logo; the box removes it
    fields = form_of(page)
    assert send(client, url, fields).status_code == 302
    assert ops.workshop(s.code).report_logo
    fields["report_logo_remove"] = ["1"]
    assert send(client, url, fields).status_code == 302
    assert ops.workshop(s.code).report_logo == ""


def test_a_light_colour_or_a_wrong_file_shows_at_its_field(client, make_session, ops):
    s = make_session()
    logged_in(client)
    url = f"/organiser/{s.code}"
    fields = form_of(client.get(url, headers=NL).get_data(as_text=True))
    fields["report_colour"] = ["#FFE600"]  # geel: onleesbaar op wit
    light = send(client, url, fields)
    assert light.status_code == 422
    page = light.get_data(as_text=True)
    assert 'id="error-report_colour"' in page and "te licht" in page
    assert 'aria-describedby="hint-report_colour error-report_colour"' in page
    assert ops.workshop(s.code).report_colour == ""
    fields["report_colour"] = [""]
    for name, content in (("logo.jpg", b"\xff\xd8\xff\xe0 geen png"),
                          ("enorm.png", png() + b"\0" * 120_000)):
        wrong = send(client, url, fields, report_logo_file=(io.BytesIO(content), name))
        assert wrong.status_code == 422, name
        assert 'id="error-report_logo"' in wrong.get_data(as_text=True)
    assert ops.workshop(s.code).report_logo == ""
