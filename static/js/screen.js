// The projector: large type, one view per kind of agenda step, live updates
// that change text in place (no layout jumps), and a full-screen toggle.
import { $, $all, el, format, inLanguage, localized, pageData, perspectiveLabel, perspectiveSpan, plural, reconcile, replaceChildren, setText, upsert } from "./dom.js";
import { Live, showStatus } from "./live.js";

const page = pageData();
const T = page.strings;
const lang = document.documentElement.lang;
let state = null;

const live = new Live({
  token: page.token,
  onSnapshot: (snap) => { state = snap; render(); },
  onEvent: (event) => { if (state) { apply(event); render(); } },
  onStatus: (status) => showStatus($("[data-connection]"), status, T),
  onNotice: (notice) => { if (notice.type === "rating") scheduleResync(); },
});

let resyncTimer = null;
function scheduleResync() {
  if (resyncTimer) return;
  resyncTimer = setTimeout(() => { resyncTimer = null; live.resync(); }, 800);
}

function apply(event) {
  const a = state.activity;
  if (event.joined) {
    a.participants += 1;
    a.by_perspective[event.joined.perspective] = (a.by_perspective[event.joined.perspective] || 0) + 1;
    const c = a.circles[event.joined.circle] || (a.circles[event.joined.circle] = { name: event.joined.circle_name, members: 0, reflections: 0, shared: 0 });
    c.members += 1;
  }
  if (event.activity && event.activity.kind === "reflection") {
    const c = a.circles[event.activity.circle];
    if (c) c.reflections += 1;
  }
  if (event.activity && event.activity.kind === "reflection_updated") scheduleResync();
  if (event.reflection) upsert(state.reflections, event.reflection);
  if (event.removed) state.reflections = state.reflections.filter((r) => r.id !== event.removed);
  if (event.removed_conclusion) state.conclusions = state.conclusions.filter((c) => c.id !== event.removed_conclusion);
  if (event.type === "conclusion") upsert(state.conclusions, { endorsements: { total: {}, by_perspective: {} }, ...event.conclusion });
  if (event.type === "reaction" || event.type === "endorsement") scheduleResync();
  if ("rating_open" in event) state.rating = { ...state.rating, open_round: event.rating_open };
  if (event.type === "state") {
    const reasonBefore = state.workshop.state.spotlight_reason || null;
    const questionBefore = state.workshop.state.spotlight_question || null;
    state.workshop.state = { ...state.workshop.state, ...event.state };
    // the reason's and the question's text come with a snapshot, not with the state (issue 17)
    if ((state.workshop.state.spotlight_reason || null) !== reasonBefore
      || (state.workshop.state.spotlight_question || null) !== questionBefore) live.resync();
  }
  // a table's harvest reaches the screen once the facilitator shares it (and goes when unshared)
  if (event.type === "harvest") {
    state.harvests = (state.harvests || []).filter((h) => h.id !== event.harvest.id);
    if (event.harvest.shared) state.harvests.push(event.harvest);
  }
}

function currentStep() {
  const w = state.workshop;
  return w.steps.find((x) => x.id === w.state.current_step) || w.steps[0];
}

const VIEWS = { welcome: "welcome", presentation: "presentation", circle: "circle", exchange: "exchange",
  conclusions: "conclusions", closing: "conclusions" };

function render() {
  const w = state.workshop;
  const step = currentStep();
  if (step) localized($("[data-step-title]"), step.title_en, step.title, lang);
  $("[data-blank]").hidden = !w.state.screen_blank;
  const results = state.rating && state.rating.results;
  const recognition = Boolean(w.state.pinned_finding && results);
  $("[data-recognition]").hidden = !recognition;
  const view = recognition ? "recognition" : VIEWS[step ? step.kind : "welcome"] || "welcome";
  $all("[data-view]").forEach((s) => { const hide = s.dataset.view !== view; if (s.hidden !== hide) s.hidden = hide; });
  if (recognition) renderRecognition(results, w.state.pinned_finding);
  if (view === "welcome") renderWelcome();
  if (view === "presentation") renderFinding();
  if (view === "circle") renderCircles();
  if (view === "exchange") renderExchange();
  if (view === "conclusions") renderConclusions(step && step.kind === "closing");
}

const number = (value) => Number(value).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

// Findings against perspectives: the mean before the dialogue and, once there are
// ratings after it, the movement (3,2 → 4,1). Every cell says its figure in text.
function renderRecognition(results, pinned) {
  const findings = results.findings.filter((f) => pinned === "all" || f.id === pinned);
  const columns = [];
  for (const f of findings) {
    for (const which of ["before", "after"]) {
      for (const p of f.rounds[which].perspectives) if (p.n && !columns.includes(p.id)) columns.push(p.id);
    }
  }
  const ps = state.workshop.perspectives;
  const head = el("tr", {}, el("td", { text: "" }),
    columns.map((id) => el("th", { scope: "col" }, perspectiveSpan(ps, id, lang, T.other_perspectives))));
  const rows = findings.map((f) => {
    const before = Object.fromEntries(f.rounds.before.perspectives.map((p) => [p.id, p]));
    const after = Object.fromEntries(f.rounds.after.perspectives.map((p) => [p.id, p]));
    return el("tr", {}, el("th", { scope: "row", text: f.title }), columns.map((id) => {
      const b = before[id] && before[id].n ? before[id].mean : null;
      const a = after[id] && after[id].n ? after[id].mean : null;
      const shown = a !== null ? a : b;
      const text = b !== null && a !== null ? `${number(b)} → ${number(a)}` : shown !== null ? number(shown) : "–";
      const td = el("td", { class: "heat", text });
      if (shown !== null) td.style.setProperty("--heat", String((shown - 1) / 4));
      return td;
    }));
  });
  replaceChildren($("[data-recognition-table]"),
    [el("table", { class: "heat-map recognition-map" }, el("thead", {}, head), el("tbody", {}, rows))]);
}

function renderWelcome() {
  const a = state.activity;
  const ps = state.workshop.perspectives;
  setText($("[data-joined-total]"), plural(T, "participants", a.participants));
  reconcile($("[data-joined]"), ps.filter((p) => a.by_perspective[p.id]), (p) => p.id, (p) =>
    el("li", {}, perspectiveSpan(ps, p.id, lang), el("strong", { text: String(a.by_perspective[p.id]) })), { animate: true });
}

function renderFinding() {
  const w = state.workshop;
  const f = w.findings[w.state.finding_index] || w.findings[0];
  setText($("[data-finding-position]"), f ? format(T.finding_of, { n: w.state.finding_index + 1, total: w.findings.length }) : "");
  const title = $("[data-finding-title]");
  if (f) setText(title, f.title);
  else { const s = currentStep(); localized(title, s.title_en, s.title, lang); }
  setText($("[data-finding-text]"), f ? f.text : "");
}

function renderCircles() {
  const circles = state.workshop.circles || [];
  const entries = Object.entries(state.activity.circles).filter(([, c]) => c.members > 0 || c.reflections > 0);
  reconcile($("[data-circles]"), entries, ([id]) => id, ([id, c]) => {
    const def = circles.find((x) => x.id === id);
    const name = def && lang === "en" && def.name_en ? def.name_en : c.name;
    const counts = [plural(T, "reflections", c.reflections)];
    if (c.shared) counts.push(format(T.taken_along_count, { n: c.shared }));
    return el("li", {},
      el("span", { class: "circle-name", text: name, lang: lang === "en" && !(def && def.name_en) ? "nl" : undefined }),
      el("span", { class: "circle-count", text: counts.join(" · ") }));
  }, { animate: true });
}

function reactionLine(summary) {
  if (!summary) return "";
  const t = summary.total || {};
  // The server leaves out figures of too few people, from the totals too (so they cannot be
  // derived); say so rather than show zeros.
  if (summary.withheld && !((t.agree || 0) + (t.disagree || 0) + (t.pass || 0))) return T.withheld;
  const line = `${T.agree}: ${t.agree || 0} · ${T.disagree}: ${t.disagree || 0} · ${T.pass}: ${t.pass || 0}`;
  return summary.withheld ? `${line} (${T.withheld})` : line;
}

const textOf = (value) => inLanguage(value, lang);

// A share (0..1) as a percentage; widths and colours go through the CSSOM,
// which the Content-Security-Policy allows (no inline style attributes).
function percent(share) {
  return `${Math.round((Number(share) || 0) * 100)}%`;
}

// Per-perspective figures of a pinned pattern as labelled bars (text and bar).
function perspectiveBars(pattern) {
  const entries = (pattern.perspectives || []).filter((p) => p.share !== undefined || p.rate !== undefined);
  if (!entries.length) return null;
  return el("ul", { class: "pattern-bars" }, entries.slice(0, 12).map((p) => {
    const share = p.share !== undefined ? p.share : p.rate;
    const bar = el("span", { class: "pattern-bar", "aria-hidden": "true" });
    bar.style.width = percent(share);
    const counts = p.seen !== undefined ? `${p.agree ?? 0}/${p.seen}` : p.authors !== undefined ? `${p.authors_using ?? 0}/${p.authors}` : "";
    return el("li", {}, el("span", { class: "pattern-bar-label", text: textOf(p.label) || p.id }),
      el("span", { class: "pattern-bar-track" }, bar),
      el("span", { class: "pattern-bar-value", text: `${percent(share)}${counts ? ` (${counts})` : ""}` }));
  }));
}

// Themes against perspectives as a heat map: every cell also says its share in text.
function perspectiveMap(map) {
  const columns = map.columns || [];
  if (!columns.length || !(map.rows || []).length) return null;
  const head = el("tr", {}, el("td", { text: "" }),
    columns.map((c) => el("th", { scope: "col", text: textOf(c.label) || c.id })));
  const rows = (map.rows || []).map((row) => el("tr", {},
    el("th", { scope: "row", text: textOf(row.label) }),
    columns.map((c) => {
      const cell = row.cells[c.id];
      const td = el("td", { class: "heat", text: cell ? percent(cell.share) : "–" });
      if (cell) td.style.setProperty("--heat", String(Math.max(0, Math.min(1, cell.share))));
      return td;
    })));
  return el("table", { class: "heat-map" }, el("thead", {}, head), el("tbody", {}, rows));
}

function renderExchange() {
  const w = state.workshop;
  const ps = w.perspectives;
  const spot = state.reflections.find((r) => r.id === w.state.spotlight);
  $("[data-spotlight]").hidden = !spot;
  if (spot) {
    replaceChildren($("[data-spotlight-perspective]"), [perspectiveSpan(ps, spot.perspective, lang, T.other_perspectives)]);
    setText($("[data-spotlight-text]"), spot.text);
    setText($("[data-spotlight-reactions]"), reactionLine(spot.reactions));
  }
  const reason = w.state.spotlight_reason ? state.spotlight_reason : null;
  $("[data-reason]").hidden = !reason;
  if (reason) {
    replaceChildren($("[data-reason-perspective]"), [format(T.reason_from, { kind: T[reason.kind] || reason.kind }), " · ",
      perspectiveSpan(ps, reason.perspective, lang, T.other_perspectives)]);
    setText($("[data-reason-text]"), reason.text);
    setText($("[data-reason-about]"), format(T.reason_about, { text: reason.reflection }));
  }
  renderQuestion(ps);
  // mixed dialogue tables by number with their perspectives, no names (issue 17)
  const tables = state.tables || [];
  $("[data-tables]").hidden = !tables.length;
  reconcile($("[data-table-list]"), tables, (t) => t.number, (t) => {
    const labels = [...new Set(t.perspectives)].map((pid) => {
      const p = ps.find((x) => x.id === pid);
      return p ? (lang === "en" && p.label_en ? p.label_en : p.label) : pid;
    });
    return el("li", {}, el("strong", { text: format(T.table_n, { n: t.number }) }), `: ${labels.join(", ")}`);
  });
  const harvests = (state.harvests || []).slice().sort((a, b) => a.table - b.table);
  $("[data-harvests]").hidden = !harvests.length;
  reconcile($("[data-harvest-list]"), harvests, (h) => h.id, (h) =>
    el("li", {}, el("strong", { text: format(T.table_n, { n: h.table }) }), `: ${h.text}`), { animate: true });
  const pinned = w.state.pinned_pattern;
  const pinnedNode = $("[data-pinned]");
  pinnedNode.hidden = !pinned;
  if (pinned) {
    const title = textOf(pinned.title);
    const text = textOf(pinned.explanation) || pinned.text || "";
    const body = pinned.kind === "map" ? perspectiveMap(pinned) : perspectiveBars(pinned);
    // one to three representative reflections (shared ones only: the server chose them)
    const quotes = Array.isArray(pinned.quotes) && pinned.quotes.length && pinned.kind !== "circle_summary"
      ? el("ul", { class: "pinned-quotes" }, pinned.quotes.slice(0, 3).map((q) =>
        el("li", {}, el("blockquote", { text: q.text || "" }), q.label ? el("span", { class: "pinned-quote-by", text: textOf(q.label) }) : null)))
      : null;
    replaceChildren(pinnedNode, [title ? el("h2", { text: title }) : null, el("p", { class: "pinned-text", text }), body, quotes].filter(Boolean));
  }
  const groups = new Map();
  // The server sends the screen shared, visible reflections only: no filtering here.
  for (const r of state.reflections.filter((x) => x.id !== (spot && spot.id))) {
    if (!groups.has(r.perspective)) groups.set(r.perspective, []);
    groups.get(r.perspective).push(r);
  }
  const sharedCount = state.reflections.length;
  $("[data-shared-empty]").hidden = sharedCount > 0;
  reconcile($("[data-shared]"), Array.from(groups, ([id, list]) => ({ id, list })), (g) => g.id, (g) =>
    el("section", { class: "shared-group" },
      el("h2", {}, perspectiveSpan(ps, g.id, lang, T.other_perspectives)),
      el("ul", {}, g.list.map((r) => el("li", {}, el("p", { text: r.text }),
        el("p", { class: "reaction-line", text: reactionLine(r.reactions) }))))), { animate: true });
}

// The question the facilitator put on the screen, with its answers ("Vraag van … aan …").
// An answer to a question to all names its perspective only under the small-group rule.
function renderQuestion(ps) {
  const q = state.workshop.state.spotlight_question ? state.spotlight_question : null;
  $("[data-question]").hidden = !q;
  if (!q) return;
  const name = (id) => (id === "all" ? T.all_perspectives : perspectiveLabel(ps, id, lang) || T.other_perspective);
  setText($("[data-question-title]"), format(T.question_from_to, { from: name(q.perspective), to: name(q.to) }));
  setText($("[data-question-text]"), q.text);
  const answers = q.answers.length ? q.answers : [{ id: "none" }];
  reconcile($("[data-question-answers]"), answers, (a) => a.id, (a) => (a.id === "none"
    ? el("li", { class: "empty", text: T.no_answers })
    : el("li", {}, el("strong", { text: name(a.perspective) }), `: ${a.text}`)), { animate: true });
}

function renderConclusions(closing) {
  const ps = state.workshop.perspectives;
  setText($("[data-conclusions-title]"), closing ? T.thanks : T.general_conclusions);
  const list = state.conclusions;
  $("[data-conclusions-empty]").hidden = list.length > 0;
  reconcile($("[data-conclusions]"), list, (c) => c.id, (c) => {
    const endorsements = c.endorsements || { total: {}, by_perspective: {} };
    const by = endorsements.by_perspective || {};
    const total = endorsements.total || {};
    const bars = Object.entries(by).map(([pid, counts]) => el("li", {},
      perspectiveSpan(ps, pid, lang, T.other_perspectives),
      el("span", { text: `${T.support} ${counts.support || 0} · ${T.concern} ${counts.concern || 0}` })));
    return el("li", {}, el("p", { class: "conclusion-text", text: c.text }),
      el("p", { class: "reaction-line", text: `${T.support}: ${total.support || 0} · ${T.concern}: ${total.concern || 0}`
        + (endorsements.withheld ? ` (${T.withheld})` : "") }),
      bars.length ? el("ul", { class: "support-by-perspective" }, bars) : null);
  }, { animate: true });
}

const fullscreenButton = $("[data-fullscreen]");
if (fullscreenButton) {
  if (!document.fullscreenEnabled) fullscreenButton.hidden = true;
  fullscreenButton.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else document.documentElement.requestFullscreen().catch(() => {});
  });
  document.addEventListener("fullscreenchange", () => {
    fullscreenButton.setAttribute("aria-pressed", String(Boolean(document.fullscreenElement)));
  });
}
