// The facilitator console: agenda and timer, live counts, every reflection,
// spotlight and moderation, patterns and conclusions. Keyboard shortcuts
// follow a presentation clicker: → / Space / PageDown next, ← / PageUp previous,
// B or . blanks the screen, S spotlights the selected reflection.
import { $, $all, el, format, label, pageData, replaceChildren, stepTitle } from "./dom.js";
import { Live } from "./live.js";

const page = pageData();
const T = page.strings;
const lang = document.documentElement.lang;
let state = null;
const selected = new Set();
let patterns = null;

const live = new Live({
  token: page.token,
  onSnapshot: (snap) => { state = snap; render(); schedulePatterns(); },
  onEvent: (event) => { if (state) { apply(event); render(); schedulePatterns(); } },
  onStatus: (status) => {
    const node = $("[data-connection]");
    node.textContent = status === "connected" ? T.connected : T.offline;
    node.dataset.state = status;
  },
});

function upsert(list, item) {
  const index = list.findIndex((x) => x.id === item.id);
  if (index >= 0) list[index] = { ...list[index], ...item };
  else list.push(item);
}

function apply(event) {
  const a = state.activity;
  switch (event.type) {
    case "participant_joined": {
      const p = event.participant;
      upsert(state.participants, p);
      a.participants += 1;
      a.by_perspective[p.perspective] = (a.by_perspective[p.perspective] || 0) + 1;
      const c = a.circles[p.circle] || (a.circles[p.circle] = { name: p.circle_name, members: 0, reflections: 0, shared: 0 });
      c.members += 1;
      break;
    }
    case "reflection": {
      upsert(state.reflections, event.reflection);
      const c = a.circles[event.reflection.circle];
      if (c) c.reflections += 1;
      break;
    }
    case "reflection_updated": {
      const before = state.reflections.find((r) => r.id === event.reflection.id);
      const c = a.circles[event.reflection.circle];
      if (c && before && before.shared !== event.reflection.shared) c.shared += event.reflection.shared ? 1 : -1;
      upsert(state.reflections, event.reflection);
      break;
    }
    case "reaction": a.reactions += 1; break;
    case "endorsement": scheduleResync(); break;
    case "conclusion": upsert(state.conclusions, { endorsements: { total: {}, by_perspective: {} }, ...event.conclusion }); break;
    case "state": state.workshop.state = event.state; break;
    case "step":
    case "programme": live.resync(); break;
    default: break;
  }
}

// Aggregates (support per conclusion) come exact from a fresh snapshot, at most once a second.
let resyncTimer = null;
function scheduleResync() {
  if (resyncTimer) return;
  resyncTimer = setTimeout(() => { resyncTimer = null; live.resync(); }, 1000);
}

function currentIndex() {
  return state.workshop.steps.findIndex((s) => s.id === state.workshop.state.current_step);
}

function render() {
  const w = state.workshop;
  const current = currentIndex();
  replaceChildren($("[data-agenda]"), w.steps.map((s, i) => el("li", { class: i === current ? "agenda-item agenda-item--current" : "agenda-item" },
    el("button", { type: "button", class: "button button--link", "aria-current": i === current ? "step" : undefined,
      dataset: { key: `step-${s.id}` }, onclick: () => step(s.id) },
      `${s.planned_start || ""}–${s.planned_end || ""} ${stepTitle(s, lang)}`),
    el("span", { class: "kind", text: s.kind }))));
  $("[data-action=lock]").setAttribute("aria-pressed", String(w.state.posting_locked));
  $("[data-action=blank]").setAttribute("aria-pressed", String(w.state.screen_blank));
  const kind = current >= 0 ? w.steps[current].kind : "welcome";
  $("[data-finding-controls]").hidden = !(kind === "presentation" && w.findings.length);
  $("[data-finding-position]").textContent = w.findings.length ? `${w.state.finding_index + 1} / ${w.findings.length}` : "";
  renderTimer();
  renderActivity();
  renderReflections(kind);
  renderConclusions();
}

function renderTimer() {
  const w = state.workshop;
  const s = w.steps[currentIndex()];
  const node = $("[data-timer]");
  if (!s || !w.state.step_started_at) { node.textContent = ""; return; }
  const elapsed = Math.floor((Date.now() - Date.parse(w.state.step_started_at)) / 60000);
  const [sh, sm] = (s.planned_start || "0:0").split(":").map(Number);
  const [eh, em] = (s.planned_end || "0:0").split(":").map(Number);
  const planned = eh * 60 + em - (sh * 60 + sm);
  const over = planned > 0 && elapsed > planned;
  node.textContent = `${elapsed} min ${T.elapsed} · ${planned > 0 ? planned : "–"} min ${T.planned}${over ? ` · ${elapsed - planned} min ${T.overrun}` : ""}`;
  node.classList.toggle("timer--over", over);
}
setInterval(() => { if (state) renderTimer(); }, 15000);

function renderActivity() {
  const a = state.activity;
  const ps = state.workshop.perspectives;
  $("[data-total]").textContent = `${a.participants} ${T.participants}`;
  replaceChildren($("[data-by-perspective]"), ps.map((p) => el("tr", {},
    el("th", { scope: "row", text: label(ps, p.id, lang) }), el("td", { text: String(a.by_perspective[p.id] || 0) }))));
  replaceChildren($("[data-by-circle]"), Object.entries(a.circles).map(([, c]) => el("tr", {},
    el("th", { scope: "row", text: c.name }), el("td", { text: String(c.members) }),
    el("td", { text: String(c.reflections) }), el("td", { text: String(c.shared) }))));
}

function renderReflections(kind) {
  const ps = state.workshop.perspectives;
  const spot = state.workshop.state.spotlight;
  const canSpot = ["exchange", "conclusions", "closing"].includes(kind);
  const items = state.reflections.slice().reverse().map((r) => el("li", {
    class: `card${r.hidden ? " card--hidden" : ""}${r.shared ? " card--shared" : ""}${spot === r.id ? " card--spotlight" : ""}` },
    el("label", { class: "select" },
      el("input", { type: "checkbox", checked: selected.has(r.id) || undefined, dataset: { key: `sel-${r.id}` },
        onchange: (e) => { if (e.target.checked) selected.add(r.id); else selected.delete(r.id); } }),
      el("span", { class: "card-meta", text: `${label(ps, r.perspective, lang)} · ${r.pseudonym || ""}${r.shared ? ` · ${T.shared}` : ""}${r.hidden ? ` · ${T.hidden}` : ""}` })),
    el("p", { class: "card-text", text: r.text }),
    el("div", { class: "card-actions" },
      el("button", { type: "button", class: "button button--secondary", dataset: { key: `share-${r.id}` },
        "aria-pressed": String(r.shared), onclick: () => call("share", { reflection: r.id, shared: !r.shared }),
        text: r.shared ? T.unshare : T.share }),
      canSpot && r.shared && !r.hidden ? el("button", { type: "button", class: "button button--secondary", dataset: { key: `spot-${r.id}` },
        "aria-pressed": String(spot === r.id), onclick: () => call("spotlight", { reflection: spot === r.id ? null : r.id }),
        text: spot === r.id ? T.unspotlight : T.spotlight }) : null,
      el("button", { type: "button", class: "button button--secondary", dataset: { key: `hide-${r.id}` },
        onclick: () => call("hide", { reflection: r.id, hidden: !r.hidden }), text: r.hidden ? T.unhide : T.hide }))));
  replaceChildren($("[data-reflections]"), items.length ? items : [el("li", { class: "empty", text: T.no_reflections })]);
}

function renderConclusions() {
  const items = state.conclusions.map((c) => el("li", { class: `card${c.hidden ? " card--hidden" : ""}` },
    el("p", { class: "card-text", text: c.text }),
    el("p", { class: "card-meta", text: `${T.support}: ${c.endorsements.total.support || 0} · ${T.concern}: ${c.endorsements.total.concern || 0}${c.draft ? ` · ${T.draft}` : ""}` }),
    el("div", { class: "card-actions" },
      c.draft ? el("button", { type: "button", class: "button button--secondary", onclick: () => call("edit_conclusion", { conclusion: c.id, draft: false }), text: T.publish }) : null,
      el("button", { type: "button", class: "button button--secondary", onclick: () => call("edit_conclusion", { conclusion: c.id, hidden: !c.hidden }), text: c.hidden ? T.unhide : T.hide }))));
  replaceChildren($("[data-conclusions]"), items.length ? items : [el("li", { class: "empty", text: T.no_conclusions })]);
}

async function call(name, data) {
  const answer = await live.call(name, data);
  if (!answer.ok) announce(answer.error.message || T.error);
  return answer;
}

function announce(message) {
  const node = $("[data-connection]");
  node.textContent = message;
  setTimeout(() => { node.textContent = live.connected ? T.connected : T.offline; }, 5000);
}

function step(target) {
  return call("step", { step: target });
}

function toggleBlank() {
  return call("screen", { blank: !state.workshop.state.screen_blank });
}

function spotlightSelected() {
  const id = Array.from(selected).pop();
  if (id) call("spotlight", { reflection: id });
}

$("[data-action=previous]").addEventListener("click", () => step("previous"));
$("[data-action=next]").addEventListener("click", () => step("next"));
$("[data-action=lock]").addEventListener("click", () => call("lock", { locked: !state.workshop.state.posting_locked }));
$("[data-action=blank]").addEventListener("click", toggleBlank);
$("[data-action=finding-prev]").addEventListener("click", () => call("screen", { finding_index: Math.max(0, state.workshop.state.finding_index - 1) }));
$("[data-action=finding-next]").addEventListener("click", () => call("screen", { finding_index: Math.min(state.workshop.findings.length - 1, state.workshop.state.finding_index + 1) }));

const shortcutsToggle = $("[data-shortcuts-toggle]");
shortcutsToggle.checked = localStorage.getItem("facilitator-shortcuts") !== "off";
shortcutsToggle.addEventListener("change", () => localStorage.setItem("facilitator-shortcuts", shortcutsToggle.checked ? "on" : "off"));

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (!state || event.altKey || event.ctrlKey || event.metaKey) return;
  if (target.closest("input, textarea, select, [contenteditable]")) return;  // never while typing
  const clicker = { PageDown: "next", PageUp: "previous" };
  const single = { ArrowRight: "next", " ": "next", ArrowLeft: "previous" };
  if (clicker[event.key]) { event.preventDefault(); step(clicker[event.key]); return; }
  if (!shortcutsToggle.checked) return;
  if (single[event.key]) {
    if (event.key === " " && target.closest("button, a")) return;
    event.preventDefault();
    step(single[event.key]);
  } else if (event.key === "b" || event.key === "B" || event.key === ".") {
    event.preventDefault();
    toggleBlank();
  } else if (event.key === "s" || event.key === "S") {
    event.preventDefault();
    spotlightSelected();
  }
});

$("[data-conclusion-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const textarea = $("#conclusion-text");
  const error = $("[data-conclusion-error]");
  const answer = await call("conclude", { text: textarea.value, reflections: Array.from(selected), draft: $("[data-conclusion-draft]").checked });
  if (answer.ok) {
    textarea.value = "";
    error.hidden = true;
    selected.clear();
    render();
  } else {
    error.textContent = answer.error.message;
    error.hidden = false;
    textarea.focus();
  }
});

// Patterns: recomputed on the server at most once every two seconds while events arrive.
let patternTimer = null;
function schedulePatterns() {
  if (patternTimer) return;
  patternTimer = setTimeout(async () => {
    patternTimer = null;
    const answer = await live.call("patterns", {});
    if (answer.ok) { patterns = answer.patterns; renderPatterns(); }
  }, 2000);
}

function renderPatterns() {
  const root = $("[data-patterns]");
  if (!patterns) return;
  const groups = [["themes", "Themes"], ["common_ground", "Common ground"], ["dividing_lines", "Dividing lines"],
    ["distinctive", "Distinctive"], ["blind_spots", "Blind spots"]];
  const pinned = state.workshop.state.pinned_pattern;
  const sections = [];
  for (const [key] of groups) {
    const items = patterns[key] || [];
    if (!items.length) continue;
    sections.push(el("ul", { class: "cards patterns" }, items.slice(0, 8).map((p) => el("li", { class: "card" },
      el("p", { class: "card-text", text: (p.explanation && (p.explanation[lang] || p.explanation.nl)) || p.id }),
      p.small_group ? el("p", { class: "card-meta", text: T.too_few }) : null,
      el("div", { class: "card-actions" },
        el("button", { type: "button", class: "button button--secondary", dataset: { key: `pin-${p.id}` },
          onclick: () => call("pin_pattern", { pattern: pinned && pinned.id === p.id ? null : p.id }),
          text: pinned && pinned.id === p.id ? T.unpin : T.pin }),
        el("button", { type: "button", class: "button button--secondary",
          onclick: () => call("conclude", { text: (p.explanation && (p.explanation[lang] || p.explanation.nl)) || p.id, reflections: p.reflections || [], draft: true }),
          text: T.to_conclusion }))))));
  }
  replaceChildren(root, sections.length ? sections : [el("p", { class: "empty", text: T.none_yet })]);
}

$all("[data-action]").forEach((b) => b.setAttribute("type", "button"));
