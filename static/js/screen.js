// The projector: large type, one view per kind of agenda step, live updates
// that change text in place (no layout jumps), and a full-screen toggle.
import { $, $all, el, label, pageData, replaceChildren, stepTitle } from "./dom.js";
import { Live } from "./live.js";

const page = pageData();
const T = page.strings;
const lang = document.documentElement.lang;
let state = null;

const live = new Live({
  token: page.token,
  onSnapshot: (snap) => { state = snap; render(); },
  onEvent: (event) => { if (state) { apply(event); render(); } },
  onStatus: () => {},
});

function upsert(list, item) {
  const index = list.findIndex((x) => x.id === item.id);
  if (index >= 0) list[index] = { ...list[index], ...item };
  else list.push(item);
}

let resyncTimer = null;
function scheduleResync() {
  if (resyncTimer) return;
  resyncTimer = setTimeout(() => { resyncTimer = null; live.resync(); }, 1000);
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
  if (event.type === "state") state.workshop.state = event.state;
}

function kindNow() {
  const w = state.workshop;
  const s = w.steps.find((x) => x.id === w.state.current_step);
  return s ? s : w.steps[0];
}

function render() {
  const w = state.workshop;
  const step = kindNow();
  $("[data-step-title]").textContent = stepTitle(step, lang);
  $("[data-blank]").hidden = !w.state.screen_blank;
  const view = { welcome: "welcome", presentation: "presentation", circle: "circle", exchange: "exchange",
    conclusions: "conclusions", closing: "conclusions" }[step.kind];
  $all("[data-view]").forEach((s) => { s.hidden = s.dataset.view !== view; });
  if (view === "welcome") renderWelcome();
  if (view === "presentation") renderFinding();
  if (view === "circle") renderCircles();
  if (view === "exchange") renderExchange();
  if (view === "conclusions") renderConclusions();
}

function renderWelcome() {
  const a = state.activity;
  const ps = state.workshop.perspectives;
  $("[data-joined-total]").textContent = `${a.participants} ${T.participants}`;
  replaceChildren($("[data-joined]"), ps.filter((p) => a.by_perspective[p.id]).map((p) =>
    el("li", {}, el("span", { text: label(ps, p.id, lang) }), el("strong", { text: String(a.by_perspective[p.id]) }))));
}

function renderFinding() {
  const w = state.workshop;
  const f = w.findings[w.state.finding_index] || w.findings[0];
  $("[data-finding-position]").textContent = f ? `${w.state.finding_index + 1} / ${w.findings.length}` : "";
  $("[data-finding-title]").textContent = f ? f.title : stepTitle(kindNow(), lang);
  $("[data-finding-text]").textContent = f ? f.text : "";
}

function renderCircles() {
  const circles = Object.entries(state.activity.circles);
  replaceChildren($("[data-circles]"), circles.map(([, c]) => el("li", {},
    el("span", { class: "circle-name", text: c.name }),
    el("span", { class: "circle-count", text: `${c.reflections} ${T.reflections}` }),
    el("span", { class: "circle-shared", text: c.shared ? `${c.shared} ${T.shared.toLowerCase()}` : "" }))));
}

function reactionLine(summary) {
  if (!summary) return "";
  const t = summary.total;
  return `${T.agree}: ${t.agree || 0} · ${T.disagree}: ${t.disagree || 0} · ${T.pass}: ${t.pass || 0}`;
}

function renderExchange() {
  const w = state.workshop;
  const ps = w.perspectives;
  const spot = state.reflections.find((r) => r.id === w.state.spotlight);
  $("[data-spotlight]").hidden = !spot;
  if (spot) {
    $("[data-spotlight-perspective]").textContent = label(ps, spot.perspective, lang);
    $("[data-spotlight-text]").textContent = spot.text;
    $("[data-spotlight-reactions]").textContent = reactionLine(spot.reactions);
  }
  const pinned = w.state.pinned_pattern;
  const pinnedNode = $("[data-pinned]");
  pinnedNode.hidden = !pinned;
  if (pinned) {
    replaceChildren(pinnedNode, [el("p", { class: "pinned-text", text: (pinned.explanation && (pinned.explanation[lang] || pinned.explanation.nl)) || "" })]);
  }
  const groups = new Map();
  for (const r of state.reflections.filter((x) => x.shared)) {
    if (!groups.has(r.perspective)) groups.set(r.perspective, []);
    groups.get(r.perspective).push(r);
  }
  replaceChildren($("[data-shared]"), Array.from(groups, ([perspective, list]) => el("section", { class: "shared-group" },
    el("h2", { text: label(ps, perspective, lang) }),
    el("ul", {}, list.map((r) => el("li", {}, el("p", { text: r.text }), el("p", { class: "reaction-line", text: reactionLine(r.reactions) })))))));
}

function renderConclusions() {
  const ps = state.workshop.perspectives;
  replaceChildren($("[data-conclusions]"), state.conclusions.map((c) => {
    const by = c.endorsements.by_perspective || {};
    const bars = Object.entries(by).map(([pid, counts]) => el("li", {},
      el("span", { text: label(ps, pid, lang) || T.other_perspectives }),
      el("span", { text: `${T.support} ${counts.support || 0} · ${T.concern} ${counts.concern || 0}` })));
    return el("li", {}, el("p", { class: "conclusion-text", text: c.text }),
      el("p", { class: "reaction-line", text: `${T.support}: ${c.endorsements.total.support || 0} · ${T.concern}: ${c.endorsements.total.concern || 0}` }),
      el("ul", { class: "support-by-perspective" }, bars));
  }));
}

$("[data-fullscreen]").addEventListener("click", () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
});
