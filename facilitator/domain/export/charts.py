"""Horizontal bar charts as inline SVG (HTML/PDF) and as PNG (Word), without dependencies.

A chart is a ``BarChart``: categories (one row each) and one or more series
(grouped bars per row), with the decimal separator of the report's language
("4,2" in Dutch).  ``svg(chart)`` returns an ``<svg>`` element with no external
resources; ``png(chart)`` draws the same chart for Word with a real TrueType
font (Liberation Sans or DejaVu Sans, the Debian font packages ``./dev``
installs for WeasyPrint, drawn with Pillow, which WeasyPrint brings) at
``PRINT_PT`` points once the picture is placed 16 cm wide. Without Pillow or
those fonts it falls back to a small built-in 5x7 pixel font written with
``zlib``: ASCII, accents where the glyph leaves room, other characters as a
small box; the tables next to every chart carry the exact labels.
"""

from __future__ import annotations

import functools
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field
from html import escape
from typing import Any

#: Okabe-Ito colours: distinguishable with the common forms of colour blindness.
BLUE = "#0072B2"
GREEN = "#009E73"
ORANGE = "#E69F00"
VERMILION = "#D55E00"


@dataclass
class Series:
    """One series of values, one value per category."""

    name: str
    values: list[float]
    color: str = BLUE


@dataclass
class BarChart:
    """A horizontal bar chart: a title, row labels and one or more series."""

    title: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    #: the decimal separator of the report's language: "," in Dutch, "." in English
    decimal: str = "."

    def number(self, value: float) -> str:
        """A value as the chart writes it: ``4`` or ``4,2`` (one decimal)."""
        return _number(value).replace(".", self.decimal)

    def maximum(self) -> float:
        """The largest value of all series (at least 1, so that empty charts draw)."""
        return max([1.0, *(float(v) for s in self.series for v in s.values)])


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- SVG -------------------------------------------------------------------

_SVG_CHAR = 7.0  # estimated width of one character at font-size 12 (sans-serif)


def svg(chart: BarChart, *, width: int = 640) -> str:
    """The chart as a self-contained ``<svg>`` element (no script, no external resources)."""
    nseries = max(len(chart.series), 1)
    bar_h, gap, pad = 14, 10, 8
    longest = max((len(c) for c in chart.categories), default=0)
    label_chars = min(max(longest, 4), 40)
    label_w = int(label_chars * _SVG_CHAR) + pad
    value_w = 44
    plot_w = max(width - label_w - value_w - 2 * pad, 120)
    legend_h = 20 if nseries > 1 else 0
    top = 26 + legend_h
    row_h = nseries * bar_h + gap
    height = top + max(len(chart.categories), 1) * row_h + pad
    biggest = chart.maximum()
    title = escape(chart.title)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'aria-label="{title}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f"<title>{title}</title>",
           f'<text x="{pad}" y="16" font-size="13" font-weight="bold">{title}</text>']
    if nseries > 1:
        x = pad
        for s in chart.series:
            out.append(f'<rect x="{x}" y="26" width="10" height="10" fill="{s.color}"/>')
            out.append(f'<text x="{x + 14}" y="35">{escape(s.name)}</text>')
            x += 14 + int(len(s.name) * _SVG_CHAR) + 16
    plot_x = pad + label_w
    for i, category in enumerate(chart.categories):
        y = top + i * row_h
        label = escape(_shorten(category, label_chars))
        mid = y + (nseries * bar_h) / 2 + 4
        out.append(f'<text x="{plot_x - 6}" y="{mid:.0f}" text-anchor="end">'
                   f"<title>{escape(category)}</title>{label}</text>")
        for j, s in enumerate(chart.series):
            value = float(s.values[i]) if i < len(s.values) else 0.0
            w = plot_w * value / biggest
            by = y + j * bar_h
            out.append(f'<rect x="{plot_x}" y="{by}" width="{w:.1f}" height="{bar_h - 2}" '
                       f'fill="{s.color}"><title>{escape(s.name)}: {chart.number(value)}'
                       "</title></rect>")
            out.append(f'<text x="{plot_x + w + 4:.1f}" y="{by + bar_h - 4}">'
                       f"{chart.number(value)}</text>")
    out.append(f'<line x1="{plot_x}" y1="{top - 4}" x2="{plot_x}" y2="{height - pad}" '
               f'stroke="#555" stroke-width="1"/>')
    out.append("</svg>")
    return "".join(out)


# -- PNG -------------------------------------------------------------------

# A 5x7 pixel font drawn for this module: 9 rows per glyph (0-1 ascender and
# accent room, capitals on rows 0-6, lower case x-height on rows 2-6, descenders
# on rows 7-8).  Rows left out at the end are empty.
_GLYPHS: dict[str, tuple[str, ...]] = {
    " ": (),
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "a": (".....", ".....", ".###.", "....#", ".####", "#...#", ".####"),
    "b": ("#....", "#....", "####.", "#...#", "#...#", "#...#", "####."),
    "c": (".....", ".....", ".###.", "#....", "#....", "#...#", ".###."),
    "d": ("....#", "....#", ".####", "#...#", "#...#", "#...#", ".####"),
    "e": (".....", ".....", ".###.", "#...#", "#####", "#....", ".###."),
    "f": ("..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."),
    "g": (".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", ".###."),
    "h": ("#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"),
    "i": ("..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."),
    "j": ("...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "k": ("#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."),
    "l": (".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "m": (".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"),
    "n": (".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"),
    "o": (".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."),
    "p": (".....", ".....", "####.", "#...#", "#...#", "#...#", "####.", "#....", "#...."),
    "q": (".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", "....#"),
    "r": (".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."),
    "s": (".....", ".....", ".####", "#....", ".###.", "....#", "####."),
    "t": (".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."),
    "u": (".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"),
    "v": (".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "w": (".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."),
    "x": (".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "y": (".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###."),
    "z": (".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"),
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("####.", "....#", "....#", ".###.", "....#", "....#", "####."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    ".": (".....", ".....", ".....", ".....", ".....", ".##..", ".##.."),
    ",": (".....", ".....", ".....", ".....", ".....", ".##..", ".##..", "..#..", ".#..."),
    ":": (".....", ".....", ".##..", ".##..", ".....", ".##..", ".##.."),
    ";": (".....", ".....", ".##..", ".##..", ".....", ".##..", ".##..", "..#..", ".#..."),
    "-": (".....", ".....", ".....", ".###.", "....."),
    "+": (".....", "..#..", "..#..", "#####", "..#..", "..#.."),
    "/": ("....#", "....#", "...#.", "..#..", ".#...", "#....", "#...."),
    "\\": ("#....", "#....", ".#...", "..#..", "...#.", "....#", "....#"),
    "(": ("...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."),
    ")": (".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."),
    "[": (".###.", ".#...", ".#...", ".#...", ".#...", ".#...", ".###."),
    "]": (".###.", "...#.", "...#.", "...#.", "...#.", "...#.", ".###."),
    "'": ("..#..", "..#..", ".#..."),
    '"': (".#.#.", ".#.#."),
    "!": ("..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
    "&": (".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"),
    "%": ("##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"),
    "#": (".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."),
    "*": (".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#.."),
    "_": (".....", ".....", ".....", ".....", ".....", ".....", "#####"),
    "=": (".....", ".....", "#####", ".....", "#####"),
    "<": ("...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."),
    ">": (".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."),
    "@": (".###.", "#...#", "#.###", "#.#.#", "#.###", "#....", ".####"),
    "|": ("..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "·": (".....", ".....", ".....", ".##..", ".##.."),
    "…": (".....", ".....", ".....", ".....", ".....", ".....", "#.#.#"),
    "€": (".###.", "#....", "####.", "#....", "####.", "#....", ".###."),
    "□": (".....", "#####", "#...#", "#...#", "#...#", "#####"),
}
_SIMILAR = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "×": "x", "•": "·"}
#: Accents drawn on rows 0-1 above lower-case letters.
_ACCENTS = {
    "\u0301": ("...#.", "..#.."),  # acute
    "\u0300": (".#...", "..#.."),  # grave
    "\u0308": (".#.#.", "....."),  # diaeresis
    "\u0302": ("..#..", ".#.#."),  # circumflex
    "\u0303": (".#.#.", "#.#.."),  # tilde
}
_ROWS = 9
_ADVANCE = 6  # 5 pixels and one of spacing


def _glyph(char: str) -> tuple[str, ...]:
    char = _SIMILAR.get(char, char)
    if char in _GLYPHS:
        return _GLYPHS[char]
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[:1], decomposed[1:]
    if base in _GLYPHS and base != char:
        rows = list(_GLYPHS[base]) + ["....."] * (_ROWS - len(_GLYPHS[base]))
        accent = next((_ACCENTS[m] for m in marks if m in _ACCENTS), None)
        if accent and base.islower():
            rows[0], rows[1] = accent
        return tuple(rows)
    if char == "ß":
        return _GLYPHS["B"]
    return _GLYPHS["□"]


@functools.lru_cache(maxsize=512)
def _strokes(char: str) -> tuple[tuple[int, int, int], ...]:
    """A glyph as horizontal strokes (row, first column, column after the last)."""
    strokes = []
    for r, row in enumerate(_glyph(char)):
        for match in re.finditer("#+", row):
            strokes.append((r, match.start(), match.end()))
    return tuple(strokes)


def _text_width(text: str) -> int:
    return len(text) * _ADVANCE


def _hex(color: str) -> bytes:
    color = color.lstrip("#")
    return bytes(int(color[i:i + 2], 16) for i in (0, 2, 4))


class _Canvas:
    """An RGB canvas in logical pixels, each drawn as ``scale`` x ``scale`` device pixels."""

    def __init__(self, width: int, height: int, scale: int) -> None:
        self.scale = scale
        self.width, self.height = width * scale, height * scale
        self.pixels = bytearray(b"\xff" * (self.width * self.height * 3))

    def rect(self, x: int, y: int, w: int, h: int, color: bytes) -> None:
        s = self.scale
        x0, x1 = max(x * s, 0), min((x + w) * s, self.width)
        y0, y1 = max(y * s, 0), min((y + h) * s, self.height)
        if x1 <= x0 or y1 <= y0:
            return
        line = color * (x1 - x0)
        for row in range(y0, y1):
            start = (row * self.width + x0) * 3
            self.pixels[start:start + len(line)] = line

    def text(self, x: int, y: int, text: str, color: bytes) -> None:
        for i, char in enumerate(text):
            for row, start, end in _strokes(char):
                self.rect(x + i * _ADVANCE + start, y + row, end - start, 1, color)

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[r * stride:(r + 1) * stride])
                       for r in range(self.height))

        def chunk(kind: bytes, data: bytes) -> bytes:
            crc = zlib.crc32(kind + data) & 0xFFFFFFFF
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        # pHYs: 150 dpi at scale 2, so Word sizes the image sensibly before any resize.
        ppm = int(round(75 * self.scale / 0.0254))
        phys = struct.pack(">IIB", ppm, ppm, 1)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"pHYs", phys)
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def png(chart: BarChart, *, width: int = 520, scale: int = 2) -> bytes:
    """The chart as PNG bytes for Word: with a TrueType font where one is found (see the
    module docstring), else with the pixel font (``width`` logical pixels at ``scale``)."""
    if font_file("regular") and font_file("bold"):
        return _truetype_png(chart)
    return pixel_png(chart, width=width, scale=scale)


def pixel_png(chart: BarChart, *, width: int = 520, scale: int = 2) -> bytes:
    """The chart drawn with the built-in pixel font (no Pillow, no font files)."""
    ink, axis = _hex("#222222"), _hex("#555555")
    nseries = max(len(chart.series), 1)
    bar_h, gap, pad = 10, 6, 8
    label_chars = min(max((len(c) for c in chart.categories), default=4), 32)
    label_w = label_chars * _ADVANCE
    value_w = 5 * _ADVANCE
    plot_w = max(width - label_w - value_w - 4 * pad, 80)
    legend_h = 14 if nseries > 1 else 0
    title = _shorten(chart.title, (width - 2 * pad) // _ADVANCE)
    top = pad + 14 + legend_h
    row_h = nseries * bar_h + gap
    height = top + max(len(chart.categories), 1) * row_h + pad
    canvas = _Canvas(width, height, scale)
    canvas.text(pad, pad, title, ink)
    if nseries > 1:
        x = pad
        for s in chart.series:
            canvas.rect(x, pad + 14, 8, 8, _hex(s.color))
            canvas.text(x + 11, pad + 13, s.name, ink)
            x += 11 + _text_width(s.name) + 10
    plot_x = pad + label_w + pad
    biggest = chart.maximum()
    for i, category in enumerate(chart.categories):
        y = top + i * row_h
        label = _shorten(category, label_chars)
        canvas.text(plot_x - pad // 2 - _text_width(label), y + (nseries * bar_h - 7) // 2,
                    label, ink)
        for j, s in enumerate(chart.series):
            value = float(s.values[i]) if i < len(s.values) else 0.0
            w = int(round(plot_w * value / biggest))
            by = y + j * bar_h
            canvas.rect(plot_x, by, w, bar_h - 2, _hex(s.color))
            canvas.text(plot_x + w + 3, by, chart.number(value), ink)
    canvas.rect(plot_x - 1, top - 3, 1, height - top - pad + 3, axis)
    return canvas.png()


# -- PNG with a TrueType font (Pillow) --------------------------------------------

#: The picture's width in Word (docx places charts 16 cm wide) and its resolution.
PRINT_CM, PRINT_DPI = 16.0, 200
#: The size of the labels, and of the title, in points once printed at ``PRINT_CM``.
PRINT_PT, TITLE_PT = 9.0, 10.5
_FONT_DIRS = ("/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/liberation2",
              "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF",
              "/Library/Fonts", "C:/Windows/Fonts")
_FONT_NAMES = {"regular": ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "arial.ttf"),
               "bold": ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "arialbd.ttf")}


@functools.lru_cache(maxsize=4)
def font_file(kind: str) -> str | None:
    """The path of the TrueType font the PNG charts use (``regular``/``bold``), or None
    when Pillow or every candidate font is missing (then the pixel font draws)."""
    try:
        import PIL.ImageFont  # noqa: F401 - only whether it is there
    except ImportError:  # pragma: no cover - weasyprint brings Pillow
        return None
    from pathlib import Path

    for name in _FONT_NAMES[kind]:
        for folder in _FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return str(path)
    return None


def _truetype_png(chart: BarChart) -> bytes:
    """The chart drawn with Pillow at ``PRINT_DPI``, sized so that its text prints at
    ``PRINT_PT`` points when Word places it ``PRINT_CM`` wide."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    px_per_pt = PRINT_DPI / 72
    width = int(PRINT_CM / 2.54 * PRINT_DPI)
    font = ImageFont.truetype(font_file("regular"), int(PRINT_PT * px_per_pt))
    bold = ImageFont.truetype(font_file("bold"), int(TITLE_PT * px_per_pt))
    line = int(PRINT_PT * px_per_pt * 1.4)
    nseries = max(len(chart.series), 1)
    pad, bar_h, gap = line // 2, int(line * 0.8), line // 2
    label_w = min(max((font.getlength(c) for c in chart.categories), default=0),
                  width * 0.4)
    value_w = font.getlength("0000,0")
    plot_x = pad + int(label_w) + pad
    plot_w = max(width - plot_x - int(value_w) - 2 * pad, width // 5)
    legend_h = line if nseries > 1 else 0
    top = pad + line + legend_h + gap // 2
    row_h = nseries * bar_h + gap
    height = top + max(len(chart.categories), 1) * row_h + pad
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((pad, pad), _fit(chart.title, bold, width - 2 * pad), font=bold, fill="#222222")
    x = pad
    for s in chart.series if nseries > 1 else []:
        y = pad + line + gap // 4
        draw.rectangle([x, y, x + bar_h // 2, y + bar_h // 2], fill=s.color)
        draw.text((x + bar_h, y - bar_h // 6), s.name, font=font, fill="#222222")
        x += bar_h + int(font.getlength(s.name)) + line
    biggest = chart.maximum()
    for i, category in enumerate(chart.categories):
        y = top + i * row_h
        label = _fit(category, font, label_w)
        draw.text((plot_x - pad // 2, y + nseries * bar_h / 2), label, font=font,
                  fill="#222222", anchor="rm")
        for j, s in enumerate(chart.series):
            value = float(s.values[i]) if i < len(s.values) else 0.0
            w = int(round(plot_w * value / biggest))
            by = y + j * bar_h
            if w:
                draw.rectangle([plot_x, by, plot_x + w, by + bar_h - 3], fill=s.color)
            draw.text((plot_x + w + pad // 3, by + (bar_h - 3) / 2), chart.number(value),
                      font=font, fill="#222222", anchor="lm")
    draw.line([plot_x - 1, top - gap // 2, plot_x - 1, height - pad], fill="#555555", width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(PRINT_DPI, PRINT_DPI), optimize=False)
    return out.getvalue()


def _fit(text: str, font: Any, room: float) -> str:
    """``text`` shortened with an ellipsis to fit ``room`` pixels in ``font``."""
    if font.getlength(text) <= room:
        return text
    while text and font.getlength(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"
