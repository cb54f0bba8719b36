// The facilitator console: agenda and timer, live counts, every reflection,
// spotlight and moderation, patterns and conclusions. Keyboard shortcuts
// follow a presentation clicker: → / Space / PageDown next, ← / PageUp previous,
// B or . blanks the screen, S spotlights the selected reflection. Single-key
// shortcuts can be switched off (WCAG 2.1.4), every shortcut has a button, and
// no shortcut fires while focus is in a text field.
import { $, announce, el, format, inLanguage, localized, pageData, perspectiveSpan, plural, reconcile, replaceChildren, setFieldError, setText, stepTitle, upsert } from "./dom.js";
import { createDialoguePanel } from "./console-dialogue.js";
import { createFindingsPanel } from "./console-findings.js";
import { Live, showStatus } from "./live.js";

const page = pageData();
const T = page.strings;
const lang = document.documentElement.lang;
const announcer = $("[data-announce]");
let state = null;
const selected = new Set();
let patterns = null;
let patternsFailed = false;

const live = new Live({
  token: page.token,
  onSnapshot: (snap) => { state = snap; render(); schedulePatterns(); },
  onEvent: (event) => { if (state) { apply(event); render(); schedulePatterns(); } },
  onStatus: (status) => showStatus($("[data-connection]"), status, T),
  onNotice: (notice) => {
    if (notice.type === "rating") scheduleResync();
    if (notice.type === "phones") renderPhones(notice.connected);
  },
});

// Phones connected now (one server process knows them all; with several workers no
// notice comes and the line stays empty). None: maybe the network keeps guests apart.
function renderPhones(connected) {
  setText($("[data-phones]"), plural(T, "phones", connected));
  $("[data-phones-hint]").hidden = connected > 0;
}

function can(action) {
  return Boolean(state && state.can.includes(action));
}

function apply(event) {
  const a = state.activity;
  switch (event.type) {
    case "participant_joined": {
      const p = event.participant;
      if (!state.participants.some((x) => x.id === p.id)) {
        a.participants += 1;
        a.by_perspective[p.perspective] = (a.by_perspective[p.perspective] || 0) + 1;
        const c = a.circles[p.circle] || (a.circles[p.circle] = { name: p.circle_name, members: 0, reflections: 0, shared: 0 });
        c.members += 1;
      }
      upsert(state.participants, p);
      break;
    }
    case "reflection": {
      if (!state.reflections.some((r) => r.id === event.reflection.id)) {
        const c = a.circles[event.reflection.circle];
        if (c) c.reflections += 1;
      }
      upsert(state.reflections, event.reflection);
      break;
    }
    case "reflection_updated": {
      const before = state.reflections.find((r) => r.id === event.reflection.id);
      const c = a.circles[event.reflection.circle];
      if (c && before && before.shared !== event.reflection.shared) c.shared += event.reflection.shared ? 1 : -1;
      upsert(state.reflections, event.reflection);
      break;
    }
    case "reaction": a.reactions += 1; if (event.reaction.text) scheduleResync(); break;
    case "endorsement": scheduleResync(); break;
    case "conclusion": upsert(state.conclusions, { endorsements: { total: {}, by_perspective: {} }, ...event.conclusion }); break;
    case "state":
      state.workshop.state = { ...state.workshop.state, ...event.state };
      scheduleResync();  // a rating round opened or closed by hand changes what is open
      break;
    // the dialogue (issue 17): questions with their answers, tables and harvests come
    // exact (answers inside their question, tables by number) from a fresh snapshot
    case "question":
    case "answer":
    case "harvest":
    case "tables": scheduleResync(); break;
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

function kindNow() {
  const index = currentIndex();
  return index >= 0 ? state.workshop.steps[index].kind : "welcome";
}

function setPressed(button, pressed) {
  button.setAttribute("aria-pressed", String(pressed));
  button.classList.toggle("utrecht-button--pressed", pressed);
}

function render() {
  const w = state.workshop;
  const current = currentIndex();
  reconcile($("[data-agenda]"), w.steps, (s) => s.id, (s) => {
    const i = w.steps.indexOf(s);
    return el("li", { class: i === current ? "agenda-item agenda-item--current" : "agenda-item" },
      el("button", {
        type: "button", class: "utrecht-button utrecht-button--subtle", "aria-current": i === current ? "step" : undefined,
        dataset: { key: `step-${s.id}` }, onclick: () => step(s.id),
      }, el("span", { class: "agenda-text" },
        s.planned_start ? el("span", { class: "agenda-time", text: `${s.planned_start}–${s.planned_end || ""}` }) : null,
        el("span", { text: stepTitle(s, lang), lang: lang === "en" && !s.title_en ? "nl" : undefined }))),
      el("span", { class: "kind", text: T[`kind_${s.kind}`] || s.kind }));
  });
  const now = current >= 0 ? w.steps[current] : null;
  const currentNode = $("[data-current-step]");
  if (now) {
    localized(currentNode, now.title_en, now.title, lang);
    currentNode.prepend(`${format(T.step_of, { n: current + 1, total: w.steps.length })}: `);
  } else {
    setText(currentNode, T.not_started);
  }
  setPressed($("[data-action=lock]"), Boolean(w.state.posting_locked));
  setPressed($("[data-action=blank]"), Boolean(w.state.screen_blank));
  const kind = kindNow();
  $("[data-finding-controls]").hidden = !(kind === "presentation" && w.findings.length);
  setText($("[data-finding-position]"), w.findings.length ? format(T.finding_of, { n: w.state.finding_index + 1, total: w.findings.length }) : "");
  setText($("[data-screen-state]"), w.state.screen_blank ? T.screen_blanked : T.screen_live);
  renderTimer();
  renderActivity();
  renderReflections();
  renderConclusions();
  renderReasons();
  findingsPanel.render(state);
  dialoguePanel.render(state);
  if (patterns) renderPatterns();
}

function minutes(hhmm) {
  const [h, m] = (hhmm || "").split(":").map(Number);
  return Number.isFinite(h) && Number.isFinite(m) ? h * 60 + m : null;
}

function renderTimer() {
  const w = state.workshop;
  const s = w.steps[currentIndex()];
  const node = $("[data-timer]");
  if (!s || !w.state.step_started_at) { setText(node, ""); return; }
  const elapsed = Math.max(0, Math.floor((Date.now() - Date.parse(w.state.step_started_at)) / 60000));
  const start = minutes(s.planned_start);
  const end = minutes(s.planned_end);
  const planned = start !== null && end !== null && end > start ? end - start : null;
  let text = planned ? format(T.timer, { elapsed, planned }) : format(T.timer_unplanned, { elapsed });
  const over = planned !== null && elapsed > planned;
  if (over) text += ` · ${format(T.timer_over, { over: elapsed - planned })}`;
  setText(node, text);
  node.classList.toggle("timer--over", over);
}
setInterval(() => { if (state) renderTimer(); }, 10000);

function renderActivity() {
  const a = state.activity;
  const ps = state.workshop.perspectives;
  setText($("[data-total]"), plural(T, "participants", a.participants));
  const present = ps.filter((p) => a.by_perspective[p.id]);
  const absent = ps.length - present.length;
  setText($("[data-absent]"), absent ? plural(T, "absent", absent) : "");
  reconcile($("[data-by-perspective]"), present, (p) => p.id, (p) => el("tr", { class: "utrecht-table__row" },
    el("th", { scope: "row", class: "utrecht-table__header-cell" }, perspectiveSpan(ps, p.id, lang)),
    el("td", { class: "utrecht-table__cell utrecht-table__cell--numeric-data", text: String(a.by_perspective[p.id] || 0) })));
  const circles = state.workshop.circles || [];
  const circleName = (id, c) => {
    const def = circles.find((x) => x.id === id);
    return def && lang === "en" && def.name_en ? def.name_en : c.name;
  };
  reconcile($("[data-by-circle]"), Object.entries(a.circles), ([id]) => id, ([id, c]) => el("tr", { class: "utrecht-table__row" },
    el("th", { scope: "row", class: "utrecht-table__header-cell", text: circleName(id, c) }),
    el("td", { class: "utrecht-table__cell", text: String(c.members) }),
    el("td", { class: "utrecht-table__cell", text: String(c.reflections) }),
    el("td", { class: "utrecht-table__cell", text: String(c.shared) })));
}

function toggleButton(key, pressed, label, onclick) {
  return el("button", {
    type: "button", class: `utrecht-button utrecht-button--secondary-action${pressed ? " utrecht-button--pressed" : ""}`,
    dataset: { key }, "aria-pressed": String(pressed), onclick,
  }, label);
}

function renderReflections() {
  const ps = state.workshop.perspectives;
  const spot = state.workshop.state.spotlight;
  const canSpot = can("spotlight");
  const canShare = can("share_reflection");
  const list = state.reflections.slice().reverse();
  for (const id of Array.from(selected)) if (!list.some((r) => r.id === id)) selected.delete(id);
  setText($("[data-selected-count]"), selected.size ? format(T.selected_count, { n: selected.size }) : "");
  const items = list.length ? list : [{ id: "empty" }];
  reconcile($("[data-reflections]"), items, (r) => r.id, (r) => {
    if (r.id === "empty") return el("li", { class: "empty", text: T.no_reflections });
    const checkboxId = `sel-${r.id}`;
    const flags = [r.shared ? T.shared : null, r.hidden ? T.hidden : null, spot === r.id ? T.on_screen : null].filter(Boolean);
    return el("li", { class: `card${r.hidden ? " card--hidden" : ""}${r.shared ? " card--shared" : ""}${spot === r.id ? " card--spotlight" : ""}` },
      el("div", { class: "select" },
        el("input", {
          type: "checkbox", id: checkboxId, class: "utrecht-checkbox utrecht-checkbox--html-input",
          checked: selected.has(r.id) || undefined, dataset: { key: checkboxId },
          onchange: (e) => { if (e.target.checked) selected.add(r.id); else selected.delete(r.id); renderReflections(); },
        }),
        el("label", { for: checkboxId, class: "card-meta" },
          el("span", { class: "visually-hidden", text: `${T.select}: ` }),
          perspectiveSpan(ps, r.perspective, lang), ` · ${r.pseudonym || ""}${flags.length ? ` · ${flags.join(" · ")}` : ""}`)),
      el("p", { class: "card-text", text: r.text }),
      el("div", { class: "card-actions" },
        canShare ? toggleButton(`share-${r.id}`, Boolean(r.shared), T.share, () => call("share", { reflection: r.id, shared: !r.shared })) : null,
        canSpot && r.shared && !r.hidden ? toggleButton(`spot-${r.id}`, spot === r.id, T.spotlight,
          () => call("spotlight", { reflection: spot === r.id ? null : r.id })) : null,
        toggleButton(`hide-${r.id}`, Boolean(r.hidden), T.hide, () => call("hide", { reflection: r.id, hidden: !r.hidden }))));
  }, { animate: true });
}

// The reasons behind reactions (issue 17), grouped by the perspective that gave them;
// one at a time can go on the screen.
function renderReasons() {
  const groups = Object.entries(state.reasons || {});
  $("[data-reasons-panel]").hidden = !groups.length;
  const ps = state.workshop.perspectives;
  const spot = state.workshop.state.spotlight_reason;
  const canSpot = can("spotlight_reason");
  reconcile($("[data-reasons]"), groups, ([pid]) => pid, ([pid, list]) => {
    const headingId = `reasons-${pid}`;
    return el("section", { class: "group", "aria-labelledby": headingId },
      el("h3", { id: headingId }, perspectiveSpan(ps, pid, lang)),
      el("ul", { class: "cards" }, list.map((x) => el("li", { class: `card${spot === x.id ? " card--spotlight" : ""}` },
        el("p", { class: "card-meta", text: T[x.kind] || x.kind }),
        el("p", { class: "card-text", text: x.text }),
        canSpot ? el("div", { class: "card-actions" }, toggleButton(`reason-${x.id}`, spot === x.id, T.spotlight,
          () => call("spotlight_reason", { reaction: spot === x.id ? null : x.id }))) : null))));
  });
}

function renderConclusions() {
  const items = state.conclusions.length ? state.conclusions : [{ id: "empty" }];
  reconcile($("[data-conclusions]"), items, (c) => c.id, (c) => {
    if (c.id === "empty") return el("li", { class: "empty", text: T.no_conclusions });
    const total = (c.endorsements && c.endorsements.total) || {};
    return el("li", { class: `card${c.hidden ? " card--hidden" : ""}` },
      el("p", { class: "card-text", text: c.text }),
      el("p", { class: "card-meta", text: `${T.support}: ${total.support || 0} · ${T.concern}: ${total.concern || 0}${c.draft ? ` · ${T.draft}` : ""}${c.hidden ? ` · ${T.hidden}` : ""}` }),
      el("div", { class: "card-actions" },
        c.draft ? el("button", { type: "button", class: "utrecht-button utrecht-button--secondary-action", dataset: { key: `publish-${c.id}` },
          onclick: () => call("edit_conclusion", { conclusion: c.id, draft: false }) }, T.publish) : null,
        toggleButton(`hidec-${c.id}`, Boolean(c.hidden), T.hide, () => call("edit_conclusion", { conclusion: c.id, hidden: !c.hidden }))));
  });
}

const findingsPanel = createFindingsPanel({ T, lang, call });
const dialoguePanel = createDialoguePanel({ T, lang, call, announcer });

async function call(name, data) {
  const answer = await live.call(name, data);
  if (!answer.ok) {
    const code = answer.error && answer.error.code;
    announce(announcer, code === "offline" || code === "timeout" ? T.offline : (answer.error && answer.error.message) || T.error);
  }
  return answer;
}

async function step(target) {
  const answer = await call("step", { step: target });
  if (answer.ok && state) {
    const s = state.workshop.steps.find((x) => x.id === answer.current_step);
    if (s) announce(announcer, format(T.now_showing, { title: stepTitle(s, lang) }));
  }
}

async function toggleBlank() {
  const blank = !state.workshop.state.screen_blank;
  const answer = await call("screen", { blank });
  if (answer.ok) announce(announcer, blank ? T.screen_blanked : T.screen_live);
}

function spotlightSelected() {
  const id = Array.from(selected).pop();
  if (!id) { announce(announcer, T.select_first); return; }
  call("spotlight", { reflection: id });
}

$("[data-action=previous]").addEventListener("click", () => step("previous"));
$("[data-action=next]").addEventListener("click", () => step("next"));
$("[data-action=lock]").addEventListener("click", () => call("lock", { locked: !state.workshop.state.posting_locked }));
$("[data-action=blank]").addEventListener("click", toggleBlank);
$("[data-action=spotlight-selected]").addEventListener("click", spotlightSelected);
$("[data-action=spotlight-clear]").addEventListener("click", () => call("spotlight", { reflection: null }));
$("[data-action=finding-prev]").addEventListener("click", () => call("screen", { finding_index: Math.max(0, state.workshop.state.finding_index - 1) }));
$("[data-action=finding-next]").addEventListener("click", () => call("screen", { finding_index: Math.min(state.workshop.findings.length - 1, state.workshop.state.finding_index + 1) }));

const shortcutsToggle = $("[data-shortcuts-toggle]");
try {
  shortcutsToggle.checked = localStorage.getItem("facilitator-shortcuts") !== "off";
} catch { /* no storage: shortcuts stay on */ }
shortcutsToggle.addEventListener("change", () => {
  try { localStorage.setItem("facilitator-shortcuts", shortcutsToggle.checked ? "on" : "off"); } catch { /* ignore */ }
});

const TEXT_INPUT = "textarea, select, [contenteditable]:not([contenteditable=false]), input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset])";

document.addEventListener("keydown", (event) => {
  const target = event.target instanceof Element ? event.target : document.body;
  if (!state || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
  if (target.closest(TEXT_INPUT)) return;  // never while typing
  const clicker = { PageDown: "next", PageUp: "previous" };
  if (clicker[event.key]) { event.preventDefault(); step(clicker[event.key]); return; }
  if (!shortcutsToggle.checked) return;
  const key = event.key;
  if (key === "ArrowRight" || key === "ArrowLeft") {
    event.preventDefault();
    step(key === "ArrowRight" ? "next" : "previous");
  } else if (key === " ") {
    if (target.closest("button, a, input, summary, [role=button]")) return;  // Space activates the control itself
    event.preventDefault();
    step("next");
  } else if (key === "b" || key === "B" || key === ".") {
    event.preventDefault();
    toggleBlank();
  } else if (key === "s" || key === "S") {
    event.preventDefault();
    spotlightSelected();
  }
});

$("[data-conclusion-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const textarea = $("#conclusion-text");
  const error = $("[data-conclusion-error]");
  const field = $("[data-conclusion-field]");
  const showError = (message) => setFieldError({
    field, control: textarea, error, invalidClass: "utrecht-textarea--invalid",
    describedBy: "conclusion-hint", describedByWithError: "conclusion-hint conclusion-error",
  }, message);
  if (!textarea.value.trim()) {
    showError(T.empty_conclusion);
    textarea.focus();
    return;
  }
  const answer = await call("conclude", { text: textarea.value, reflections: Array.from(selected), draft: $("[data-conclusion-draft]").checked });
  if (answer.ok) {
    textarea.value = "";
    showError("");
    selected.clear();
    upsert(state.conclusions, { endorsements: { total: {}, by_perspective: {} }, ...answer.conclusion });
    render();
    announce(announcer, T.conclusion_added);
  } else {
    showError((answer.error && answer.error.message) || T.error);
    textarea.focus();
  }
});

// Patterns: recomputed on the server at most once every three seconds while events
// arrive. Any event (a join, a step change, a hide, a share, a reaction ...) marks the
// panel stale; one that arrives while a request runs or during the pause is not lost:
// the panel asks once more when the pause ends (a trailing debounce).
let patternTimer = null;
let patternsStale = false;
function schedulePatterns() {
  patternsStale = true;
  if (patternTimer) return;
  patternTimer = setTimeout(async () => {
    patternsStale = false;
    const answer = await live.call("patterns", {});
    if (answer.ok && answer.patterns) {
      patterns = answer.patterns;
      patternsFailed = false;
    } else if (answer.error && answer.error.code !== "offline") {
      patternsFailed = true;
    }
    renderPatterns();
    setTimeout(() => {
      patternTimer = null;
      if (patternsStale) schedulePatterns();
    }, 3000);
  }, patterns ? 1500 : 300);
}

const PATTERN_GROUPS = ["manual", "themes", "common_ground", "dividing_lines", "distinctive", "blind_spots", "asks", "circles"];

// The dialogue (patterns.dialogue.asks): per asking perspective, not a pattern to pin.
function askCard(a) {
  return el("li", { class: "card" },
    el("p", { class: "card-text" }, el("strong", { text: textOf(a.label) || a.id })),
    el("p", { class: "card-text", text: format(T.asks_count, { questions: a.questions, askers: a.askers }) }),
    a.terms && a.terms.length ? el("p", { class: "card-text", text: format(T.asks_about, { terms: a.terms.join(", ") }) }) : null,
    a.top_question ? el("p", { class: "card-meta", text: format(T.asks_top, { n: a.top_question.supporters, text: a.top_question.text }) }) : null,
    a.small_group ? el("p", { class: "card-meta", text: T.small_group }) : null);
}

const textOf = (value) => inLanguage(value, lang);

function renderPatterns() {
  const root = $("[data-patterns]");
  if (!patterns) {
    if (patternsFailed) replaceChildren(root, [el("p", { class: "empty", text: T.patterns_unavailable })]);
    return;
  }
  const pinned = state && state.workshop.state.pinned_pattern;
  const canPin = can("pin_pattern");
  const canConclude = can("write_conclusion");
  const sections = [];
  for (const group of PATTERN_GROUPS) {
    const source = group === "asks" ? (patterns.dialogue || {}).asks : patterns[group];
    const items = Array.isArray(source) ? source : [];
    if (!items.length) continue;
    sections.push({ id: group, items });
  }
  const summary = textOf(patterns.explanation);
  const nodes = [];
  if (canPin) {
    const mapPinned = Boolean(pinned && pinned.id === "map:themes");
    nodes.push(el("div", { class: "card-actions" }, toggleButton("pin-map", mapPinned, T.pin_map,
      () => call("pin_pattern", { pattern: mapPinned ? null : "map:themes" }))));
  }
  if (patternsFailed) nodes.push(el("p", { class: "hint", text: T.patterns_stale }));
  if (summary) nodes.push(el("p", { class: "hint", text: summary }));
  if (!sections.length) nodes.push(el("p", { class: "empty", text: T.none_yet }));
  for (const { id, items } of sections) {
    nodes.push(el("section", { class: "patterns-group", "aria-labelledby": `patterns-${id}` },
      el("h3", { id: `patterns-${id}`, text: T[`patterns_${id}`] || id }),
      id === "asks" ? el("ul", { class: "cards" }, items.map(askCard)) :
      el("ul", { class: "cards" }, items.slice(0, 4).map((p) => {
        const isPinned = Boolean(pinned && pinned.id === p.id);
        const title = textOf(p.title);
        const explanation = textOf(p.explanation) || p.text || "";
        return el("li", { class: "card" },
          title ? el("p", { class: "card-text" }, el("strong", { text: title })) : null,
          el("p", { class: "card-text", text: explanation }),
          p.small_group ? el("p", { class: "card-meta", text: T.small_group }) : null,
          p.too_few ? el("p", { class: "card-meta", text: T.too_few }) : null,
          el("div", { class: "card-actions" },
            canPin ? toggleButton(`pin-${p.id}`, isPinned, T.pin, () => call("pin_pattern", { pattern: isPinned ? null : p.id })) : null,
            canConclude ? el("button", {
              type: "button", class: "utrecht-button utrecht-button--secondary-action", dataset: { key: `conclude-${p.id}` },
              onclick: () => call("pattern_conclusion", { pattern: p.id, lang }),
            }, T.to_conclusion) : null));
      }))));
  }
  replaceChildren(root, nodes);
}

// Grouping by hand: the selected reflections become a named pattern.
$("[data-group-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("#group-name");
  const error = $("[data-group-error]");
  const field = $("[data-group-field]");
  const showError = (message) => setFieldError({
    field, control: input, error,
    describedBy: "group-hint", describedByWithError: "group-hint group-error",
  }, message);
  if (!input.value.trim() || !selected.size) {
    showError(T.group_needs_selection);
    input.focus();
    return;
  }
  const answer = await call("group", { name: input.value, reflections: Array.from(selected) });
  if (answer.ok) {
    input.value = "";
    showError("");
    patternTimer = null;
    schedulePatterns();
    announce(announcer, T.group_added);
  } else {
    showError((answer.error && answer.error.message) || T.error);
    input.focus();
  }
});
