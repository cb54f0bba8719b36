"""Helpers for the browser tests: the JSON API, axe-core, focus and screenshots."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"viewport": {"width": 375, "height": 740}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 1}
SMALL_PHONE = {**PHONE, "viewport": {"width": 320, "height": 640}}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}


class Api:
    """A small JSON client for /api with bearer tokens (standard library only)."""

    def __init__(self, base: str, organiser: str) -> None:
        self.base = base
        self.organiser = organiser

    def call(self, method: str, path: str, token: str | None = None,
             body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + "/api" + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:  # 4xx answers carry a JSON body
            return exc.code, json.loads(exc.read() or b"null")

    def create_session(self, **spec: Any) -> dict[str, Any]:
        spec.setdefault("title", "Reflectiesessie De Veranderende Gemeente")
        status, body = self.call("POST", "/sessions", self.organiser, spec)
        assert status == 201, body
        return body

    def join(self, code: str, perspective: str) -> dict[str, Any]:
        status, body = self.call("POST", f"/sessions/{code}/participants", None,
                                 {"perspective": perspective})
        assert status == 201, body
        return body

    def goto(self, session: dict[str, Any], kind: str) -> None:
        code = session["code"]
        _, public = self.call("GET", f"/sessions/{code}")
        step = next(s for s in public["steps"] if s["kind"] == kind)
        status, body = self.call("POST", f"/sessions/{code}/steps/current",
                                 session["facilitator_token"], {"step": step["id"]})
        assert status == 200, body

    def post(self, code: str, token: str, text: str) -> dict[str, Any]:
        status, body = self.call("POST", f"/sessions/{code}/reflections", token, {"text": text})
        assert status == 201, body
        return body

    def share(self, code: str, token: str, reflection: str) -> None:
        status, body = self.call("POST", f"/sessions/{code}/reflections/{reflection}/share",
                                 token, {"shared": True})
        assert status == 200, body

    def reflections(self, session: dict[str, Any]) -> list[dict[str, Any]]:
        status, body = self.call("GET", f"/sessions/{session['code']}/reflections",
                                 session["facilitator_token"])
        assert status == 200, body
        return body

    def snapshot(self, session: dict[str, Any]) -> dict[str, Any]:
        status, body = self.call("GET", f"/sessions/{session['code']}/snapshot",
                                 session["facilitator_token"])
        assert status == 200, body
        return body


_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({
      target: n.target, summary: n.failureSummary, html: n.html.slice(0, 240) })) }));
}"""


class Axe:
    """Runs axe-core (served from node_modules at /vendor/axe.min.js) and keeps what it finds."""

    def __init__(self, base: str) -> None:
        self.url = base + "/vendor/axe.min.js"
        self.found: list[str] = []
        self.runs = 0

    def inject(self, page) -> None:
        for frame in page.frames:
            if frame.is_detached() or frame.url in ("", "about:blank"):
                continue
            if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
                frame.add_script_tag(url=self.url)

    def check(self, page, label: str) -> list[dict[str, Any]]:
        """Run axe with the WCAG 2.0/2.1 A and AA tags; remember violations under ``label``."""
        page.wait_for_load_state("load")
        self.inject(page)
        violations = page.evaluate(_AXE_RUN, AXE_TAGS)
        self.runs += 1
        for v in violations:
            nodes = "; ".join(f"{n['target']} {n['html']!r} -> {n['summary']}" for n in v["nodes"])
            self.found.append(f"[{label}] {v['id']} ({v['impact']}): {v['help']} :: {nodes}")
        return violations

    def assert_clean(self) -> None:
        assert self.runs > 0
        assert not self.found, "axe found violations:\n" + "\n".join(self.found)


_FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== "none";
  const r = el.getBoundingClientRect();
  const text = el.innerText || el.value || el.getAttribute("aria-label") || "";
  return { tag: el.tagName, id: el.id, text: text.slice(0, 60),
           visible: outline || shadow, width: r.width, height: r.height };
}"""


def focused(page) -> dict[str, Any] | None:
    """The focused element with whether its focus indicator is visible."""
    return page.evaluate(_FOCUS_STYLE)


def tab_to(page, predicate, limit: int = 80, key: str = "Tab") -> dict[str, Any]:
    """Press Tab until ``predicate(focused)`` holds; every stop must show its focus."""
    wrapped = 0
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now is None:  # past the last control focus leaves the page once, then wraps
            wrapped += 1
            assert wrapped <= 1, "focus fell back to the page body"
            continue
        assert now["visible"], f"focus is not visible on {now}"
        if predicate(now):
            return now
    raise AssertionError("never reached the wanted element with the keyboard")


def text_is(pattern: str):
    """A predicate for tab_to: the focused element's text matches ``pattern``."""
    regex = re.compile(pattern, re.I)
    return lambda now: bool(regex.search(now["text"] or ""))


def shot(page, folder: Path, name: str, full_page: bool = True) -> None:
    """A screenshot into the git-ignored screenshots/ folder."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page, animations="disabled")
