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


def test_png_is_valid_and_draws_bars_in_the_series_colours():
    width, height, raw = decode_png(charts.png(chart(), width=400, scale=2))
    assert width == 800 and height > 100
    pixels = bytes(b for i in range(height)
                   for b in raw[i * (width * 3 + 1) + 1:(i + 1) * (width * 3 + 1)])
    assert bytes.fromhex("009E73") in pixels and bytes.fromhex("D55E00") in pixels
    assert bytes.fromhex("222222") in pixels  # the text


def test_png_of_an_empty_chart():
    width, height, _ = decode_png(charts.png(charts.BarChart("Leeg", [], [])))
    assert width > 0 and height > 0


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
