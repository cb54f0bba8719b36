"""Page weight: what a phone downloads on its first load of the phone page.

Starts the app in-process (Flask test client, temporary SQLite), joins a
session like a phone does, fetches the phone page (``/p/<code>``) and every
stylesheet, script and ES module import it loads (and any ``url()`` in the CSS,
such as fonts), and reports raw and gzip sizes per file and in total.  Gzip is
measured at level 6, what servers and proxies use by default; the budget is
60 KB compressed in total (HTML, CSS, JS, fonts).  HTTP headers are not counted.

    python bench/page_weight.py              # table for the phone page (and the pick page)
    python bench/page_weight.py --json       # the same as JSON
    python bench/page_weight.py --budget 60  # exit 1 when the phone page is over 60 KB gzip

Results are also written to ``bench/results/page_weight.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KB = 1024
IMPORT = re.compile(r"""(?:^|[;\s])import\s+(?:[^"';]+?\s+from\s+)?["']([^"']+)["']""", re.M)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


class _Resources(HTMLParser):
    """Stylesheets and scripts a page loads (what the browser fetches before it is usable)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(("css", a["href"]))
        elif tag == "link" and (a.get("rel") or "") in ("icon", "preload", "modulepreload") \
                and a.get("href") and not a["href"].startswith("data:"):
            self.urls.append(("other", a["href"]))
        elif tag == "script" and a.get("src"):
            self.urls.append(("module" if a.get("type") == "module" else "js", a["src"]))


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _fetch(client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    data = response.get_data()
    response.close()
    return data


def weigh(client, page_url: str) -> dict:
    """Sizes of one page and everything it loads on a first (cold-cache) visit."""
    html = _fetch(client, page_url)
    parser = _Resources()
    parser.feed(html.decode("utf-8"))
    files = [{"url": page_url, "kind": "html", "raw": len(html), "gzip": gz(html)}]
    seen = {page_url}
    queue = [(kind, urljoin(page_url, url)) for kind, url in parser.urls]
    while queue:
        kind, url = queue.pop(0)
        if url in seen or urlsplit(url).scheme not in ("", "http", "https"):
            continue
        seen.add(url)
        data = _fetch(client, urlsplit(url).path)
        files.append({"url": urlsplit(url).path, "kind": kind, "raw": len(data), "gzip": gz(data)})
        text = data.decode("utf-8", "replace")
        if kind == "module":  # static imports load before the module runs
            queue += [("module", urljoin(url, m)) for m in IMPORT.findall(text)]
        elif kind == "css":  # fonts and images the CSS asks for
            queue += [("font" if re.search(r"\.(woff2?|ttf|otf)$", u) else "other",
                       urljoin(url, u)) for u in CSS_URL.findall(text) if not u.startswith("data:")]
    total_raw = sum(f["raw"] for f in files)
    total_gzip = sum(f["gzip"] for f in files)
    by_kind: dict[str, dict[str, int]] = {}
    for f in files:
        entry = by_kind.setdefault(f["kind"], {"files": 0, "raw": 0, "gzip": 0})
        entry["files"] += 1
        entry["raw"] += f["raw"]
        entry["gzip"] += f["gzip"]
    return {"page": page_url, "files": files, "by_kind": by_kind, "requests": len(files),
            "total_raw": total_raw, "total_gzip": total_gzip}


def measure() -> dict:
    from facilitator import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"STORE": f"sqlite:///{tmp}/weight.db", "TESTING": True,
                          "ASYNC_MODE": "threading", "SECRET_KEY": "page-weight",
                          "ORGANISER_TOKEN": "page-weight-organiser"})
        workshop = app.extensions["facilitator.ops"].create_demo()
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl-NL,nl;q=0.9"
        pick = weigh(client, f"/j/{workshop.code}")
        joined = client.post(f"/j/{workshop.code}", data={"perspective": "raadslid"})
        assert joined.status_code == 302, joined.status_code
        phone = weigh(client, f"/p/{workshop.code}")
    return {"budget_kb": 60, "phone": phone, "pick": pick}


def table(result: dict) -> str:
    lines = [f"{result['page']}: {result['requests']} requests",
             f"  {'file':<52}{'raw KB':>9}{'gzip KB':>9}"]
    for f in result["files"]:
        lines.append(f"  {f['url'][:51]:<52}{f['raw'] / KB:>9.1f}{f['gzip'] / KB:>9.1f}")
    for kind, entry in sorted(result["by_kind"].items()):
        lines.append(f"  {'(' + kind + ', ' + str(entry['files']) + ' files)':<52}"
                     f"{entry['raw'] / KB:>9.1f}{entry['gzip'] / KB:>9.1f}")
    lines.append(f"  {'TOTAL':<52}{result['total_raw'] / KB:>9.1f}"
                 f"{result['total_gzip'] / KB:>9.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--budget", type=float, default=None,
                        help="exit 1 when the phone page exceeds this many KB gzip")
    args = parser.parse_args(argv)
    result = measure()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "page_weight.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(table(result["phone"]))
        print()
        print(table(result["pick"]))
        phone = result["phone"]
        print(f"\nPhone page first load: {phone['total_gzip'] / KB:.1f} KB gzip "
              f"({phone['total_raw'] / KB:.1f} KB raw) in {phone['requests']} requests; "
              f"budget {result['budget_kb']} KB gzip.")
    if args.budget is not None and result["phone"]["total_gzip"] > args.budget * KB:
        print(f"over budget: {result['phone']['total_gzip'] / KB:.1f} KB > {args.budget} KB",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
