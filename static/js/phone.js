// The participant's phone: current step, posting, the own circle, reactions to
// other circles and endorsing conclusions, as the server's rules allow.
import { $, el, format, label, pageData, replaceChildren, stepDescription, stepTitle } from "./dom.js";
import { Live } from "./live.js";
import { Outbox } from "./outbox.js";

const page = pageData();
const T = page.strings;
const lang = document.documentElement.lang;
let state = null;

const live = new Live({
  token: page.token,
  onSnapshot: (snap) => { state = snap; render(); },
  onEvent: (event) => { if (state) { apply(event); render(); } },
  onStatus: (status) => {
    const node = $("[data-connection]");
    node.textContent = status === "connected" ? T.connected : T.offline;
    node.dataset.state = status;
  },
});

let outbox = null;

function can(action) {
  return state && state.can.includes(action);
}

function upsert(list, item) {
  const index = list.findIndex((x) => x.id === item.id);
  if (index >= 0) list[index] = { ...list[index], ...item };
  else list.push(item);
}

function apply(event) {
  if (event.reflection) upsert(state.reflections, event.reflection);
  if (event.removed) state.reflections = state.reflections.filter((r) => r.id !== event.removed);
  if (event.removed_conclusion) {
    state.conclusions = state.conclusions.filter((c) => c.id !== event.removed_conclusion);
  }
  if (event.type === "conclusion") upsert(state.conclusions, event.conclusion);
  if (event.type === "state") state.workshop.state = { ...state.workshop.state, ...event.state };
  if (event.type === "reaction" && event.reaction.participant === state.me.id) {
    state.my_reactions[event.reaction.reflection] = event.reaction;
  }
  if (event.type === "endorsement" && event.endorsement.participant === state.me.id) {
    state.my_endorsements[event.endorsement.conclusion] = event.endorsement;
  }
}

function show(name, visible) {
  $(`[data-section="${name}"]`).hidden = !visible;
}

function render() {
  const w = state.workshop;
  const steps = w.steps;
  const index = steps.findIndex((s) => s.id === w.state.current_step);
  const step = steps[index] || steps[0];
  $("[data-step-count]").textContent = format(T.step_of, { n: Math.max(index, 0) + 1, total: steps.length });
  $("[data-step-title]").textContent = stepTitle(step, lang);
  $("[data-step-description]").textContent = stepDescription(step, lang);
  $("[data-locked]").hidden = !w.state.posting_locked;
  $("[data-my-perspective]").textContent = label(w.perspectives, state.me.perspective, lang);
  if (!outbox) {
    outbox = new Outbox(live, `${page.code}:${state.me.id}`, renderOutbox);
    renderOutbox(outbox.items);
  }
  renderFindings(w);
  show("compose", can("post_reflection"));
  renderCircle();
  renderExchange();
  renderConclusions();
}

function renderFindings(w) {
  const visible = w.findings.length > 0 && step_kind() === "presentation";
  show("findings", visible);
  replaceChildren($("[data-findings]"), w.findings.map((f) =>
    el("li", {}, el("h3", { text: f.title }), el("p", { text: f.text }))));
  const select = $("[data-finding-select]");
  $("[data-finding-field]").hidden = w.findings.length === 0;
  if (select.options.length !== w.findings.length + 1) {
    const first = select.options[0];
    select.replaceChildren(first, ...w.findings.map((f) => el("option", { value: f.id, text: f.title })));
  }
}

function step_kind() {
  const w = state.workshop;
  const step = w.steps.find((s) => s.id === w.state.current_step);
  return step ? step.kind : "welcome";
}

function renderCircle() {
  const mine = state.reflections.filter((r) => r.circle === state.me.circle);
  show("circle", mine.length > 0 || can("post_reflection"));
  const items = mine.map((r) => {
    const controls = [];
    if (can("share_reflection")) {
      controls.push(el("button", {
        type: "button", class: "button button--secondary", "aria-pressed": String(r.shared),
        dataset: { key: `share-${r.id}` },
        onclick: () => share(r),
        text: r.shared ? T.shared : T.share,
      }));
    } else if (r.shared) {
      controls.push(el("span", { class: "badge", text: T.shared }));
    }
    return el("li", { class: "card" + (r.shared ? " card--shared" : "") },
      el("p", { class: "card-text", text: r.text }),
      el("p", { class: "card-meta", text: r.pseudonym || "" }),
      el("div", { class: "card-actions" }, controls));
  });
  replaceChildren($("[data-circle-list]"), items.length ? items : [el("li", { class: "empty", text: T.no_reflections })]);
}

async function share(reflection) {
  const answer = await live.call("share", { reflection: reflection.id, shared: !reflection.shared });
  if (answer.ok) { upsert(state.reflections, answer.reflection); render(); }
  else alert(answer.error.message || T.error);
}

function renderExchange() {
  const others = state.reflections.filter((r) => r.circle !== state.me.circle && r.shared);
  const visible = can("view_shared") && ["exchange", "conclusions", "closing"].includes(step_kind());
  show("exchange", visible);
  if (!visible) return;
  const byPerspective = new Map();
  for (const r of others) {
    if (!byPerspective.has(r.perspective)) byPerspective.set(r.perspective, []);
    byPerspective.get(r.perspective).push(r);
  }
  const groups = [];
  for (const [perspective, list] of byPerspective) {
    groups.push(el("section", { class: "group" },
      el("h3", { text: label(state.workshop.perspectives, perspective, lang) }),
      el("ul", { class: "cards" }, list.map(reactionCard))));
  }
  replaceChildren($("[data-exchange-list]"), groups.length ? groups : [el("p", { class: "empty", text: T.no_reflections })]);
}

function reactionCard(r) {
  const mine = state.my_reactions[r.id];
  const pending = outbox && outbox.items.find((i) => i.event === "react" && i.data.reflection === r.id);
  const chosen = pending ? pending.data.kind : mine && mine.kind;
  const buttons = ["agree", "disagree", "pass"].map((kind) => el("button", {
    type: "button", class: `button button--choice choice-${kind}`, "aria-pressed": String(chosen === kind),
    disabled: !can("react") || undefined, dataset: { key: `react-${r.id}-${kind}` },
    onclick: () => { outbox.add("react", { reflection: r.id, kind }, T[kind]); render(); },
    text: T[kind],
  }));
  return el("li", { class: "card" },
    el("p", { class: "card-text", text: r.text }),
    el("div", { class: "card-actions", role: "group", "aria-label": T.your_reaction }, buttons));
}

function renderConclusions() {
  const visible = can("view_conclusions");
  show("conclusions", visible);
  if (!visible) return;
  const items = state.conclusions.map((c) => {
    const mine = state.my_endorsements[c.id];
    const pending = outbox && outbox.items.find((i) => i.event === "endorse" && i.data.conclusion === c.id);
    const chosen = pending ? pending.data.kind : mine && mine.kind;
    const buttons = ["support", "concern"].map((kind) => el("button", {
      type: "button", class: `button button--choice choice-${kind}`, "aria-pressed": String(chosen === kind),
      disabled: !can("endorse") || undefined, dataset: { key: `endorse-${c.id}-${kind}` },
      onclick: () => { outbox.add("endorse", { conclusion: c.id, kind }, T[kind]); render(); },
      text: T[kind],
    }));
    return el("li", { class: "card" }, el("p", { class: "card-text", text: c.text }),
      el("div", { class: "card-actions", role: "group", "aria-label": T.your_endorsement }, buttons));
  });
  replaceChildren($("[data-conclusion-list]"), items.length ? items : [el("li", { class: "empty", text: T.no_conclusions })]);
}

function renderOutbox(items) {
  const list = $("[data-outbox]");
  const posts = items.filter((i) => i.event === "post");
  replaceChildren(list, posts.map((i) => el("li", { class: `outbox-item outbox-item--${i.state}` },
    el("span", { class: "outbox-text", text: i.summary }),
    el("span", { class: "outbox-state", text: i.state === "failed" ? `${T.failed}: ${i.error || ""}` : i.state === "sending" ? T.sending : T.waiting }),
    i.state === "failed" ? el("button", { type: "button", class: "button button--link", text: "×", "aria-label": T.failed,
      onclick: () => outbox.dismiss(i.id) }) : null)));
  if (state) { renderExchange(); renderConclusions(); }
}

const form = $("[data-compose]");
const textarea = $("#reflection-text");
const counter = $("[data-char-count]");
function updateCount() {
  counter.textContent = format(T.char_count, { n: textarea.value.length, max: textarea.maxLength });
}
textarea.addEventListener("input", updateCount);
updateCount();
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textarea.value.trim();
  const error = $("[data-compose-error]");
  if (!text) {
    error.textContent = T.error;
    error.hidden = false;
    textarea.setAttribute("aria-invalid", "true");
    textarea.focus();
    return;
  }
  error.hidden = true;
  textarea.removeAttribute("aria-invalid");
  const finding = $("[data-finding-select]").value || null;
  outbox.add("post", { text, finding }, text);
  textarea.value = "";
  updateCount();
});
