"""The SVG and PNG bar charts."""

from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree

from facilitator.domain.export import charts

SVG = "{http://www.w3.org/2000/svg}"


def chart():
    return charts.BarChart(
        title="Steun & bedenkingen <per> perspectief",
        categories=["Raadslid", "Bedrijfsvoering (financiën, IT)", "Burger 🙂", "Leeg"],
        series=[charts.Series("Steun", [3, 5, 12, 0], charts.GREEN),
                charts.Series("Bedenking", [1, 0, 3, 0], charts.VERMILION)])


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Check the PNG structure and CRCs; return width, height and the raw RGB rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = 0
    kinds = []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        kinds.append(kind)
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 2)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    raw = zlib.decompress(idat)
    assert len(raw) == height * (width * 3 + 1)
    return width, height, raw


def test_pixel_png_is_valid_and_draws_bars_in_the_series_colours():
    width, height, raw = decode_png(charts.pixel_png(chart(), width=400, scale=2))
    assert width == 800 and height > 100
    pixels = bytes(b for i in range(height)
                   for b in raw[i * (width * 3 + 1) + 1:(i + 1) * (width * 3 + 1)])
    assert bytes.fromhex("009E73") in pixels and bytes.fromhex("D55E00") in pixels
    assert bytes.fromhex("222222") in pixels  # the text


def test_png_of_an_empty_chart():
    for draw in (charts.png, charts.pixel_png):
        width, height, _ = decode_png(draw(charts.BarChart("Leeg", [], [])))
        assert width > 0 and height > 0


def test_word_charts_use_a_real_font_readable_at_print_size():
    """With the Debian fonts ./dev installs, Word's PNG is drawn in Liberation Sans or
    DejaVu Sans at 9 pt once placed 16 cm wide (the bitmap font was tiny and blocky)."""
    from io import BytesIO

    from PIL import Image

    assert charts.font_file("regular") and charts.font_file("bold")
    image = Image.open(BytesIO(charts.png(chart())))
    assert image.format == "PNG"
    dpi = image.info["dpi"][0]
    assert round(image.width / dpi * 2.54, 1) == charts.PRINT_CM == 16.0  # docx: Cm(16)
    assert charts.PRINT_PT >= 9 and charts.TITLE_PT > charts.PRINT_PT
    # a TrueType font is smoothed: many greys between ink and paper, unlike the pixel font
    colours = {c for _, c in image.getcolors(1 << 24)}
    greys = {c for c in colours if len(set(c)) == 1 and 0x30 < c[0] < 0xE0}
    assert len(greys) > 20
    assert (0x00, 0x9E, 0x73) in colours and (0xD5, 0x5E, 0x00) in colours
    # a label's capitals are as tall as in 9 pt type (cap height about 0.73 em)
    label = Image.open(BytesIO(charts.png(charts.BarChart("", ["HHHH"], [
        charts.Series("x", [1])])))).convert("L")
    left = label.width // 16  # inside the label, left of the axis and the bars
    ink_rows = [y for y in range(label.height)
                if min(label.getpixel((x, y)) for x in range(left)) < 0x80]
    em = charts.PRINT_PT / 72 * dpi
    assert 0.65 * em <= max(ink_rows) - min(ink_rows) + 1 <= 0.8 * em


def test_chart_numbers_use_the_language_decimal_separator():
    dutch = charts.BarChart("Gemiddelde", ["Raadslid"], [charts.Series("vooraf", [4.2])],
                            decimal=",")
    english = charts.BarChart("Mean", ["Councillor"], [charts.Series("before", [4.2])])
    assert ">4,2<" in charts.svg(dutch) and "4.2" not in charts.svg(dutch)
    assert ">4.2<" in charts.svg(english)
    assert dutch.number(3.0) == "3" and dutch.number(0.83) == "0,8"


def test_svg_is_well_formed_and_escaped():
    svg = charts.svg(chart())
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Steun & bedenkingen <per> perspectief"
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any("Bedrijfsvoering (financiën, IT)" in t for t in texts)
    assert "12" in texts
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 8
    widths = {r.find(f"{SVG}title").text: float(r.get("width")) for r in bars}
    assert widths["Steun: 12"] > widths["Steun: 5"] > widths["Steun: 3"] > 0
    assert "<script" not in svg and "href" not in svg


def test_long_labels_are_shortened_with_the_full_label_kept():
    long = "Een heel erg lange naam van een perspectief die niet past in de kolom"
    root = ElementTree.fromstring(charts.svg(charts.BarChart("T", [long], [charts.Series("x",
                                                                                         [1])])))
    label = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    assert label.find(f"{SVG}title").text == long
    assert "".join(label.itertext()).endswith("…")


def test_pixel_font_covers_dutch_text():
    # accented lower case letters get their accent, unknown characters a box
    assert charts._glyph("ë")[0] == ".#.#."
    assert charts._glyph("é")[2:7] == charts._glyph("e")[2:7]
    assert charts._glyph("🙂") == charts._glyph("□")
    for char in "AZaz09.,:;-+/()'!?&%#*_=<>@|·…€":
        assert charts._glyph(char) != charts._glyph("□"), char


def test_every_report_chart_writes_numbers_in_the_report_language():
    from facilitator.domain.export.report import build

    from . import make_session

    data = make_session(reflections=20)
    for lang, sep in (("nl", ","), ("en", ".")):
        report = build(data, lang=lang)
        found = [report.participation_chart, report.circle_chart,
                 *(c.chart for c in report.conclusions),
                 *(f.chart for f in report.findings if f.chart)]
        assert found and all(chart.decimal == sep for chart in found)
