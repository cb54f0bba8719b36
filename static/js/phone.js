// The participant's phone: current step, posting, the own circle, reactions to
// other circles, questions to other perspectives and their answers, the table's
// harvest and endorsing conclusions, as the server's rules allow.
import { $, announce, el, format, localized, pageData, perspectiveSpan, reconcile, setFieldError, setText, upsert } from "./dom.js";
import { Live, showStatus } from "./live.js";
import { Outbox } from "./outbox.js";

const page = pageData();
const T = page.strings;
const lang = document.documentElement.lang;
const announcer = $("[data-announce]");
let state = null;
let outbox = null;
const DIALOGUE_KINDS = ["exchange", "conclusions", "closing"];

const live = new Live({
  token: page.token,
  onSnapshot: (snap, partial) => {
    const before = state ? kindNow() : null;
    state = partial && state ? { ...state, ...snap } : snap;
    render();
    // questions to one's perspective are personal, so a step's shared snapshot lacks them:
    // entering the dialogue, ask once for the whole one (spread: a room enters at once)
    if (partial && !DIALOGUE_KINDS.includes(before) && DIALOGUE_KINDS.includes(kindNow())) {
      setTimeout(() => live.resync(), Math.random() * 2500);
    }
  },
  onEvent: (event) => { if (state) { apply(event); render(); } },
  onStatus: (status) => { showStatus($("[data-connection]"), status, T); renderOutbox(); },
  // one's own rating, made on another device of one's own
  onNotice: (notice) => { if (state && notice.type === "rating") { keepRating(notice.rating); render(); } },
});

// Rating the findings loads while a rating round is open (a light first load).
let rating = null;
let ratingLoading = false;
function renderRating() {
  if (rating) rating.render();
  else if (!ratingLoading && state.rating && state.rating.open_round) {
    ratingLoading = true;
    import("./rating.js").then((module) => {
      rating = module.createRating({ getState: () => state, getOutbox: () => outbox, live, T, announcer });
      rating.render();
    }).catch(() => { ratingLoading = false; });
  }
}

function can(action) {
  return Boolean(state && state.can.includes(action));
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
  if ("rating_open" in event) state.rating = { ...state.rating, open_round: event.rating_open };
  if (DIALOGUE_TYPES.has(event.type)) dialogueDo("apply", event);
}

function keepRating(r) {
  state.my_ratings = state.my_ratings || {};
  state.my_ratings[r.finding] = { ...(state.my_ratings[r.finding] || {}), [r.round]: { score: r.score, text: r.text } };
}

function show(name, visible) {
  const node = $(`[data-section="${name}"]`);
  if (node.hidden === visible) node.hidden = !visible;
}

function currentStep() {
  const w = state.workshop;
  return w.steps.find((s) => s.id === w.state.current_step) || null;
}

function kindNow() {
  const step = currentStep();
  return step ? step.kind : "welcome";
}

function ensureOutbox() {
  if (outbox) return;
  outbox = new Outbox(live, `${page.code}:${state.me.id}`, {
    onChange: () => { renderOutbox(); if (state) { renderExchange(); renderDialogue(); renderConclusions(); renderRating(); } },
    onDelivered: (item, answer) => {
      if (item.event === "post" && answer.reflection) {
        upsert(state.reflections, answer.reflection);
        announce(announcer, T.posted);
      }
      if (item.event === "react" && answer.reaction) state.my_reactions[answer.reaction.reflection] = answer.reaction;
      if (item.event === "endorse" && answer.endorsement) state.my_endorsements[answer.endorsement.conclusion] = answer.endorsement;
      if (DIALOGUE_SENT.has(item.event)) dialogueDo("delivered", item, answer);
      if (item.event === "rate" && answer.rating) {
        keepRating(answer.rating);
        announce(announcer, T.rating_saved);
      }
      render();
    },
  });
}

// The task of the moment comes right after the step: DOM order and visual order stay
// the same (focus order follows what people see).
const ORDER = {
  welcome: ["findings", "rating", "compose", "circle", "questions", "exchange", "harvest", "conclusions"],
  presentation: ["findings", "rating", "compose", "circle", "questions", "exchange", "harvest", "conclusions"],
  circle: ["compose", "questions", "circle", "rating", "findings", "exchange", "harvest", "conclusions"],
  exchange: ["exchange", "questions", "harvest", "circle", "compose", "rating", "findings", "conclusions"],
  conclusions: ["conclusions", "harvest", "rating", "questions", "exchange", "circle", "compose", "findings"],
  closing: ["conclusions", "harvest", "rating", "questions", "exchange", "circle", "compose", "findings"],
};
let arranged = null;
function arrange(kind) {
  const order = ORDER[kind] || ORDER.welcome;
  if (arranged === order) return;
  arranged = order;
  const active = document.activeElement;
  $(".step-panel").after(...order.map((name) => $(`[data-section="${name}"]`)));
  if (active && active !== document.activeElement && document.contains(active)) active.focus();
}

function render() {
  const w = state.workshop;
  arrange(kindNow());
  const step = currentStep();
  const index = step ? w.steps.indexOf(step) : -1;
  setText($("[data-step-count]"), step ? format(T.step_of, { n: index + 1, total: w.steps.length }) : T.not_started);
  const shown = step || w.steps[0];
  if (shown) {
    localized($("[data-step-title]"), shown.title_en, shown.title, lang);
    localized($("[data-step-description]"), shown.description_en, shown.description, lang);
  }
  // the mixed dialogue table (issue 17): large, so that it is read at a glance
  const table = $("[data-table]");
  table.hidden = !state.table;
  setText(table, state.table ? format(T.your_table, { n: state.table }) : "");
  $("[data-locked]").hidden = !w.state.posting_locked;
  const mine = w.perspectives.find((p) => p.id === state.me.perspective);
  if (mine) localized($("[data-my-perspective]"), mine.label_en, mine.label, lang);
  const circle = (w.circles || []).find((c) => c.id === state.me.circle);
  if (circle) localized($("[data-circle-name]"), circle.name_en, circle.name, lang);
  ensureOutbox();
  renderFindings(w);
  renderRating();
  show("compose", can("post_reflection"));
  renderCircle();
  renderExchange();
  renderDialogue();
  renderConclusions();
  renderOutbox();
}

function renderFindings(w) {
  const visible = w.findings.length > 0 && kindNow() === "presentation";
  show("findings", visible);
  reconcile($("[data-findings]"), visible ? w.findings : [], (f) => f.id, (f) =>
    el("li", {}, el("h3", { text: f.title }), el("p", { text: f.text })));
  const select = $("[data-finding-select]");
  $("[data-finding-field]").hidden = w.findings.length === 0;
  if (select.options.length !== w.findings.length + 1) {
    const first = select.options[0];
    select.replaceChildren(first, ...w.findings.map((f) => el("option", { value: f.id, text: f.title })));
  }
}

function renderCircle() {
  const mine = state.reflections.filter((r) => r.circle === state.me.circle);
  const visible = can("post_reflection") || (can("view_own_circle") && mine.length > 0);
  show("circle", visible);
  $("[data-circle-hint]").hidden = !can("share_reflection");
  const items = mine.length ? mine : [{ id: "empty" }];
  reconcile($("[data-circle-list]"), items, (r) => r.id, (r) => {
    if (r.id === "empty") return el("li", { class: "empty", text: T.no_reflections });
    const controls = [];
    if (can("share_reflection")) {
      controls.push(el("button", {
        type: "button", class: `utrecht-button utrecht-button--secondary-action${r.shared ? " utrecht-button--pressed" : ""}`,
        "aria-pressed": String(Boolean(r.shared)), dataset: { key: `share-${r.id}` },
        onclick: () => share(r.id),
      }, T.share));
    } else if (r.shared) {
      controls.push(el("span", { class: "badge", text: T.shared }));
    }
    const mineText = r.participant === state.me.id ? ` (${T.you})` : "";
    return el("li", { class: `card${r.shared ? " card--shared" : ""}` },
      el("p", { class: "card-text", text: r.text }),
      el("p", { class: "card-meta", text: `${r.pseudonym || ""}${mineText}` }),
      controls.length ? el("div", { class: "card-actions" }, controls) : null,
      reasonsOf(r.id));
  }, { animate: true });
}

async function share(id) {
  const reflection = state.reflections.find((r) => r.id === id);
  if (!reflection) return;
  const answer = await live.call("share", { reflection: id, shared: !reflection.shared });
  if (answer.ok) {
    upsert(state.reflections, answer.reflection);
    render();
    announce(announcer, answer.reflection.shared ? T.shared : T.unshared);
  } else {
    announce(announcer, (answer.error && answer.error.message) || T.offline);
  }
}

function choiceButtons(kinds, chosen, keyPrefix, onChoose) {
  return kinds.map((kind) => el("button", {
    type: "button",
    class: `utrecht-button utrecht-button--secondary-action choice-${kind}${chosen === kind ? " utrecht-button--pressed" : ""}`,
    "aria-pressed": String(chosen === kind), dataset: { key: `${keyPrefix}-${kind}` },
    onclick: () => onChoose(kind),
  }, T[kind]));
}

function renderExchange() {
  if (!state) return;
  const visible = can("view_shared") && ["exchange", "conclusions", "closing"].includes(kindNow());
  show("exchange", visible);
  const ps = state.workshop.perspectives;
  // The server sends only what this phone may see (docs/security.md): no filtering here.
  const others = visible ? state.reflections.filter((r) => r.circle !== state.me.circle) : [];
  const groups = new Map();
  for (const r of others) {
    if (!groups.has(r.perspective)) groups.set(r.perspective, []);
    groups.get(r.perspective).push(r);
  }
  const items = groups.size ? Array.from(groups, ([perspective, list]) => ({ id: perspective, list })) : [{ id: "empty" }];
  reconcile($("[data-exchange-list]"), visible ? items : [], (g) => g.id, (g) => {
    if (g.id === "empty") return el("p", { class: "empty", text: T.no_shared });
    const headingId = `exchange-${g.id}`;
    return el("section", { class: "group", "aria-labelledby": headingId },
      el("h3", { id: headingId }, perspectiveSpan(ps, g.id, lang, T.other_perspectives)),
      el("ul", { class: "cards" }, g.list.map(reactionCard)));
  }, { animate: true });
}

function reactionCard(r) {
  const mine = state.my_reactions[r.id];
  const pending = outbox && outbox.pending("react", (d) => d.reflection === r.id);
  const chosen = pending ? pending.data.kind : mine && mine.kind;
  let actions;
  if (can("react")) {
    const groupLabel = `${T.your_reaction}: ${r.text.slice(0, 60)}`;
    actions = el("div", { class: "choice-buttons", role: "group", "aria-label": groupLabel },
      choiceButtons(["agree", "disagree", "pass"], chosen, `react-${r.id}`, (kind) => react(r.id, kind)));
  } else if (chosen) {
    actions = el("p", { class: "card-meta", text: `${T.your_reaction}: ${T[chosen]}` });
  }
  return el("li", { class: "card" },
    el("p", { class: "card-text", text: r.text }),
    actions || null,
    can("react") && chosen ? reasonForm(r.id, chosen, mine) : null,
    pending ? el("p", { class: "pending", text: live.connected ? T.sending : T.waiting }) : null);
}

// "Waarom?" after a reaction (issue 17): asked after *niet herkenbaar*, offered after
// the other two. The typed text is kept per reflection, so a rebuilt card keeps it.
const reasonDrafts = new Map();

function reasonForm(id, kind, mine) {
  const fieldId = `reason-${id}`;
  const area = el("textarea", {
    id: fieldId, class: "utrecht-textarea reason-text", rows: "2", maxlength: "280",
    dataset: { key: `reason-text-${id}` },
    oninput: (e) => reasonDrafts.set(id, e.target.value),
  });
  area.value = reasonDrafts.has(id) ? reasonDrafts.get(id) : (mine && mine.text) || "";
  return el("div", { class: "reason" },
    el("label", { for: fieldId, class: "reason-label", text: kind === "disagree" ? T.why : T.why_optional }),
    area,
    el("button", {
      type: "button", class: "utrecht-button utrecht-button--secondary-action",
      dataset: { key: `reason-send-${id}` },
      onclick: () => sendReason(id, kind),
    }, T.send_reason));
}

function sendReason(id, kind) {
  const text = (reasonDrafts.has(id) ? reasonDrafts.get(id) : "").trim().slice(0, 280);
  outbox.add("react", { reflection: id, kind, text }, text || T[kind], (i) => i.data.reflection === id);
  reasonDrafts.delete(id);
  renderExchange();
  announce(announcer, T.reason_sent);
}

function react(id, kind) {
  const mine = state.my_reactions[id];
  const text = reasonDrafts.get(id) ?? (mine && mine.text) ?? "";
  outbox.add("react", text ? { reflection: id, kind, text } : { reflection: id, kind }, T[kind],
    (i) => i.data.reflection === id);
  renderExchange();
  announce(announcer, `${T.your_reaction}: ${T[kind]}`);
}

// The reasons the own circle's reflections got: no names, a perspective only when the
// server names one (the small-group rule), otherwise "another perspective".
function reasonsOf(reflectionId) {
  const list = (state.reasons || []).filter((x) => x.reflection === reflectionId);
  if (!list.length) return null;
  const ps = state.workshop.perspectives;
  return el("ul", { class: "reasons", "aria-label": T.reasons_heading }, list.map((x) =>
    el("li", { class: "reason-item" },
      el("span", { class: "badge", text: T[x.kind] }), " ",
      perspectiveSpan(ps, x.perspective, lang, T.other_perspective), ": ",
      el("span", { text: x.text }))));
}

function renderConclusions() {
  if (!state) return;
  const visible = can("view_conclusions");
  show("conclusions", visible);
  $("[data-endorse-hint]").hidden = !can("endorse");
  const list = visible ? state.conclusions : [];
  const items = list.length ? list : [{ id: "empty" }];
  reconcile($("[data-conclusion-list]"), visible ? items : [], (c) => c.id, (c) => {
    if (c.id === "empty") return el("li", { class: "empty", text: T.no_conclusions });
    const mine = state.my_endorsements[c.id];
    const pending = outbox && outbox.pending("endorse", (d) => d.conclusion === c.id);
    const chosen = pending ? pending.data.kind : mine && mine.kind;
    let actions = null;
    if (can("endorse")) {
      actions = el("div", { class: "choice-buttons", role: "group", "aria-label": `${T.your_endorsement}: ${c.text.slice(0, 60)}` },
        choiceButtons(["support", "concern"], chosen, `endorse-${c.id}`, (kind) => endorse(c.id, kind)));
    } else if (chosen) {
      actions = el("p", { class: "card-meta", text: `${T.your_endorsement}: ${T[chosen]}` });
    }
    return el("li", { class: "card" }, el("p", { class: "card-text", text: c.text }), actions,
      pending ? el("p", { class: "pending", text: live.connected ? T.sending : T.waiting }) : null);
  }, { animate: true });
}

function endorse(id, kind) {
  outbox.add("endorse", { conclusion: id, kind }, T[kind], (i) => i.data.conclusion === id);
  renderConclusions();
  announce(announcer, `${T.your_endorsement}: ${T[kind]}`);
}

function renderOutbox() {
  if (!outbox) return;
  const list = $("[data-outbox]");
  const posts = outbox.items.filter((i) => i.event === "post");
  list.hidden = posts.length === 0;
  reconcile(list, posts, (i) => i.id, (i) => {
    let status = live.connected ? T.sending : T.waiting;
    if (i.state === "failed") status = `${T.failed}: ${i.error || T.error}`;
    return el("li", { class: `outbox-item outbox-item--${i.state === "failed" ? "failed" : "waiting"}` },
      el("span", { class: "outbox-text", text: i.summary }),
      el("span", { class: "outbox-state", text: status }),
      i.state === "failed" ? el("button", {
        type: "button", class: "utrecht-button utrecht-button--subtle", dataset: { key: `dismiss-${i.id}` },
        onclick: () => outbox.dismiss(i.id),
      }, T.dismiss, el("span", { class: "visually-hidden", text: `: ${i.summary.slice(0, 40)}` })) : null);
  });
}

const form = $("[data-compose]");
const textarea = $("#reflection-text");
const counter = $("[data-char-count]");
const composeError = $("[data-compose-error]");

function updateCount() {
  setText(counter, format(T.char_count, { n: textarea.value.length, max: textarea.maxLength }));
}
textarea.addEventListener("input", updateCount);
updateCount();

function setComposeError(message) {
  setFieldError({
    field: $("[data-compose-field]"), control: textarea, error: composeError,
    invalidClass: "utrecht-textarea--invalid", describedBy: "reflection-hint reflection-count",
    describedByWithError: "reflection-hint reflection-error reflection-count",
  }, message);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textarea.value.trim();
  if (!text) {
    setComposeError(T.empty_reflection);
    textarea.focus();
    return;
  }
  if (!outbox) return;
  setComposeError("");
  const finding = $("[data-finding-select]").value || null;
  outbox.add("post", { text, finding }, text);
  textarea.value = "";
  updateCount();
  announce(announcer, live.connected ? T.sending : T.waiting);
});

// -- the dialogue (issue 17) ------------------------------------------------------
// Questions, answers and the table's harvest live in phone-dialogue.js, loaded with its
// forms and strings once needed (a light first load); what comes before waits in `early`.
const DIALOGUE_SENT = new Set(["ask", "answer", "harvest"]);
const DIALOGUE_TYPES = new Set(["question", "answer", "harvest"]);
let dialogue = null;
let dialogueLoading = false;
let early = [];

function dialogueDo(what, ...args) {
  if (dialogue) dialogue[what](...args);
  else if (early && early.length < 1000) early.push([what, args]);
  else early = null;  // too much to replay: the module reads a fresh snapshot instead
}

function renderDialogue() {
  if (dialogue) { dialogue.render(); return; }
  const needed = can("ask_question") || can("view_questions") || can("post_harvest")
    || (state.table !== null && state.table !== undefined)
    || (outbox && outbox.items.some((i) => DIALOGUE_SENT.has(i.event)));
  if (!needed || dialogueLoading) return;
  dialogueLoading = true;
  import("./phone-dialogue.js")
    .then((module) => module.loadDialogue({
      code: page.code, getState: () => state, getOutbox: () => outbox, live, T, lang, announcer,
      can, kindNow, show }))
    .then((loaded) => {
      dialogue = loaded;
      if (early) early.forEach(([what, args]) => dialogue[what](...args));
      else live.resync();
      early = [];
      dialogue.render();
    })
    .catch(() => { dialogueLoading = false; });
}
