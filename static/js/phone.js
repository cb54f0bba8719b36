// The participant's phone: current step, posting, the own circle, reactions to
// other circles, questions to other perspectives and their answers, the table's
// harvest and endorsing conclusions, as the server's rules allow.
import { $, announce, el, format, localized, pageData, perspectiveLabel, perspectiveSpan, reconcile, setFieldError, setText, upsert } from "./dom.js";
import { Live, showStatus } from "./live.js";
import { Outbox } from "./outbox.js";
import { createRating } from "./rating.js";

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
    // The questions put to this phone's perspective are personal (a circle may hold several
    // perspectives) and come only from the exchange on: a step's shared snapshot cannot carry
    // them, so entering the dialogue asks once for the whole snapshot (spread over a few
    // seconds: a whole room enters at once).
    if (partial && !DIALOGUE_KINDS.includes(before) && DIALOGUE_KINDS.includes(kindNow())) {
      setTimeout(() => live.resync(), Math.random() * 2500);
    }
  },
  onEvent: (event) => { if (state) { apply(event); render(); } },
  onStatus: (status) => { showStatus($("[data-connection]"), status, T); renderOutbox(); },
  // one's own rating, made on another device of one's own
  onNotice: (notice) => { if (state && notice.type === "rating") { keepRating(notice.rating); render(); } },
});

const rating = createRating({ getState: () => state, getOutbox: () => outbox, live, T, announcer });

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
  applyDialogue(event);
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
    onChange: () => { renderOutbox(); if (state) { renderExchange(); renderQuestions(); renderHarvest(); renderConclusions(); rating.render(); } },
    onDelivered: (item, answer) => {
      if (item.event === "post" && answer.reflection) {
        upsert(state.reflections, answer.reflection);
        announce(announcer, T.posted);
      }
      if (item.event === "react" && answer.reaction) state.my_reactions[answer.reaction.reflection] = answer.reaction;
      if (item.event === "endorse" && answer.endorsement) state.my_endorsements[answer.endorsement.conclusion] = answer.endorsement;
      if (item.event === "ask" && answer.question) {
        mergeQuestion(listOf("questions"), answer.question);
        announce(announcer, T.question_sent);
      }
      if (item.event === "answer" && answer.answer) {
        addAnswer(answer.answer);
        announce(announcer, T.answer_sent);
      }
      if (item.event === "harvest" && answer.harvest) {
        upsert(listOf("harvests"), answer.harvest);
        announce(announcer, T.harvest_sent);
      }
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
  rating.render();
  show("compose", can("post_reflection"));
  renderCircle();
  renderExchange();
  renderQuestions();
  renderHarvest();
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
// Questions to another perspective (or to all), prepared in the circle and put in the
// exchange; circle-mates support them and the answers they get. Asking, answering and
// a table's harvest go through the outbox with a client id (nothing lost or doubled);
// a support is a toggle, sent at once like marking a reflection.
const answerDrafts = new Map();
const answerErrors = new Map();

function listOf(name) {
  if (!Array.isArray(state[name])) state[name] = [];
  return state[name];
}

function mergeQuestion(list, q) {
  const known = list.some((x) => x.id === q.id);
  upsert(list, known ? q : { answers: [], unanswered: true, ...q });
}

function addAnswer(a) {
  let fresh = false;
  for (const list of [listOf("questions"), listOf("questions_to_me")]) {
    const q = list.find((x) => x.id === a.question);
    if (!q) continue;
    q.answers = q.answers || [];
    fresh = fresh || !q.answers.some((x) => x.id === a.id);
    upsert(q.answers, a);
    q.unanswered = false;
  }
  return fresh;
}

function applyDialogue(event) {
  if (event.type === "question") {
    const q = event.question;
    if (q.circle === state.me.circle) {
      mergeQuestion(listOf("questions"), q);
    } else {
      const fresh = !listOf("questions_to_me").some((x) => x.id === q.id);
      mergeQuestion(listOf("questions_to_me"), q);
      if (fresh) announce(announcer, T.new_question);
    }
  }
  if (event.type === "answer") {
    const mineAsked = listOf("questions").some((q) => q.id === event.answer.question);
    if (addAnswer(event.answer) && mineAsked && event.answer.perspective !== state.me.perspective) {
      announce(announcer, T.new_answer);
    }
  }
  if (event.type === "harvest" && state.table != null && event.harvest.table === state.table) {
    upsert(listOf("harvests"), event.harvest);
  }
}

function label(id) {
  if (id === "all") return T.all_perspectives;
  return perspectiveLabel(state.workshop.perspectives, id, lang) || T.other_perspective;
}

// An item still in the outbox: sending, waiting, or refused (then it can be removed).
function pendingCard(item) {
  const failed = item.state === "failed";
  let status = live.connected ? T.sending : T.waiting;
  if (failed) status = `${T.failed}: ${item.error || T.error}`;
  return el("li", { class: `card outbox-item outbox-item--${failed ? "failed" : "waiting"}` },
    el("p", { class: "card-text", text: item.summary }),
    el("p", { class: "pending", text: status }),
    failed ? el("button", {
      type: "button", class: "utrecht-button utrecht-button--subtle", dataset: { key: `dismiss-${item.id}` },
      onclick: () => outbox.dismiss(item.id),
    }, T.dismiss, el("span", { class: "visually-hidden", text: `: ${item.summary.slice(0, 40)}` })) : null);
}

function supportButton(key, pressed, about, onclick) {
  return el("button", {
    type: "button", class: `utrecht-button utrecht-button--secondary-action${pressed ? " utrecht-button--pressed" : ""}`,
    "aria-pressed": String(pressed), dataset: { key }, onclick,
  }, T.support_plus, el("span", { class: "visually-hidden", text: `: ${about.slice(0, 60)}` }));
}

function answersList(q, mayRate) {
  const answers = q.answers || [];
  if (!answers.length) return el("p", { class: "card-meta", text: T.no_answers });
  const mine = state.my_answer_supports || [];
  return el("ul", { class: "reasons answers", "aria-label": T.answers }, answers.map((a) => {
    const supported = mine.includes(a.id);
    return el("li", { class: "reason-item" },
      el("strong", { text: label(a.perspective) }), ": ", el("span", { text: a.text }),
      a.supports ? el("span", { class: "card-meta", text: ` · ${format(T.supports_n, { n: a.supports })}` }) : null,
      mayRate && can("support_answer") ? el("div", { class: "card-actions" },
        supportButton(`asup-${a.id}`, supported, a.text, () => supportAnswer(q.id, a.id, !supported))) : null);
  }));
}

function fillAddressees() {
  const select = $("[data-question-to]");
  const options = state.workshop.perspectives.filter((p) => p.id !== state.me.perspective);
  const key = options.map((p) => p.id).join(" ");
  if (select.dataset.options === key) return;
  const chosen = select.value;
  select.dataset.options = key;
  select.replaceChildren(el("option", { value: "all", text: T.all_perspectives }),
    ...options.map((p) => el("option", { value: p.id, text: label(p.id) })));
  if (chosen && (chosen === "all" || options.some((p) => p.id === chosen))) select.value = chosen;
}

function renderQuestions() {
  if (!state) return;
  const mine = listOf("questions");
  const toMe = listOf("questions_to_me");
  const canAsk = can("ask_question");
  const dialogue = DIALOGUE_KINDS.includes(kindNow());
  show("questions", canAsk || (can("view_questions") && (mine.length > 0 || (dialogue && toMe.length > 0))));
  $("[data-ask]").hidden = !canAsk;
  if (canAsk) fillAddressees();
  const pending = outbox ? outbox.items.filter((i) => i.event === "ask") : [];
  const supported = state.my_supports || [];
  // the circle's best questions rise: most supported first, then oldest first
  const sorted = mine.slice().sort((a, b) => (b.supports - a.supports) || String(a.created_at).localeCompare(String(b.created_at)));
  const items = [...sorted, ...pending.map((i) => ({ id: `pending-${i.id}`, pending: i }))];
  reconcile($("[data-my-questions]"), items.length ? items : [{ id: "empty" }], (q) => q.id, (q) => {
    if (q.id === "empty") return el("li", { class: "empty", text: T.no_questions });
    if (q.pending) return pendingCard(q.pending);
    const on = supported.includes(q.id);
    return el("li", { class: "card" },
      el("p", { class: "card-meta", text: format(T.question_to, { to: label(q.to) }) }),
      el("p", { class: "card-text", text: q.text }),
      el("p", { class: "card-meta", text: format(T.supports_n, { n: q.supports || 0 }) }),
      can("support_question") ? el("div", { class: "card-actions" },
        supportButton(`qsup-${q.id}`, on, q.text, () => supportQuestion(q.id, !on))) : null,
      answersList(q, true));
  }, { animate: true });
  $("[data-to-me-block]").hidden = !dialogue;
  reconcile($("[data-questions-to-me]"), dialogue ? (toMe.length ? toMe : [{ id: "empty" }]) : [], (q) => q.id, (q) => {
    if (q.id === "empty") return el("li", { class: "empty", text: T.no_questions_to_you });
    return el("li", { class: "card" },
      el("p", { class: "card-meta", text: format(T.question_from_to, { from: label(q.perspective), to: label(q.to) }) }),
      el("p", { class: "card-text", text: q.text }),
      answersList(q, false),
      can("answer_question") ? answerForm(q) : null);
  }, { animate: true });
}

function answerForm(q) {
  const fieldId = `answer-${q.id}`;
  const errorId = `answer-error-${q.id}`;
  const error = answerErrors.get(q.id) || "";
  const area = el("textarea", {
    id: fieldId, class: `utrecht-textarea reason-text${error ? " utrecht-textarea--invalid" : ""}`, rows: "2", maxlength: "280",
    dataset: { key: `answer-text-${q.id}` }, "aria-invalid": error ? "true" : undefined,
    "aria-describedby": error ? errorId : undefined,
    oninput: (e) => answerDrafts.set(q.id, e.target.value),
  });
  area.value = answerDrafts.get(q.id) || "";
  const pending = outbox && outbox.pending("answer", (d) => d.question === q.id);
  return el("div", { class: "reason" },
    el("label", { for: fieldId, class: "reason-label", text: T.your_answer }),
    el("p", { class: "utrecht-form-field-error-message field-error", id: errorId, text: error, hidden: !error }),
    area,
    el("button", {
      type: "button", class: "utrecht-button utrecht-button--secondary-action",
      dataset: { key: `answer-send-${q.id}` }, onclick: () => sendAnswer(q.id),
    }, T.send_answer, el("span", { class: "visually-hidden", text: `: ${q.text.slice(0, 60)}` })),
    pending ? el("p", { class: "pending", text: live.connected ? T.sending : T.waiting }) : null);
}

function sendAnswer(id) {
  const text = (answerDrafts.get(id) || "").trim().slice(0, 280);
  if (!text) {
    answerErrors.set(id, T.empty_answer);
    renderQuestions();
    const area = document.getElementById(`answer-${id}`);
    if (area) area.focus();
    return;
  }
  answerErrors.delete(id);
  answerDrafts.delete(id);
  outbox.add("answer", { question: id, text }, text);
  renderQuestions();
  announce(announcer, live.connected ? T.sending : T.waiting);
}

async function supportQuestion(id, on) {
  const answer = await live.call("support", { question: id, supported: on });
  if (!answer.ok) { announce(announcer, (answer.error && answer.error.message) || T.offline); return; }
  mergeQuestion(listOf("questions"), answer.question);
  state.my_supports = (state.my_supports || []).filter((x) => x !== id).concat(on ? [id] : []);
  renderQuestions();
  announce(announcer, format(T.supports_n, { n: answer.question.supports }));
}

async function supportAnswer(questionId, id, on) {
  const answer = await live.call("support_answer", { answer: id, supported: on });
  if (!answer.ok) { announce(announcer, (answer.error && answer.error.message) || T.offline); return; }
  addAnswer(answer.answer);
  state.my_answer_supports = (state.my_answer_supports || []).filter((x) => x !== id).concat(on ? [id] : []);
  renderQuestions();
  announce(announcer, format(T.supports_n, { n: answer.answer.supports }));
}

const askForm = $("[data-ask]");
const questionText = $("#question-text");

function setQuestionError(message) {
  setFieldError({
    field: $("[data-question-field]"), control: questionText, error: $("[data-question-error]"),
    invalidClass: "utrecht-textarea--invalid", describedBy: "question-hint",
    describedByWithError: "question-hint question-error",
  }, message);
}

askForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = questionText.value.trim();
  if (!text) {
    setQuestionError(T.empty_question);
    questionText.focus();
    return;
  }
  if (!outbox) return;
  setQuestionError("");
  outbox.add("ask", { to: $("[data-question-to]").value || "all", text }, text);
  questionText.value = "";
  questionText.focus();  // ready for the next question; the list below says it is on its way
  renderQuestions();
  announce(announcer, live.connected ? T.sending : T.waiting);
});

// *Wat ons opviel*: a table's harvest, by any member of that table.
function renderHarvest() {
  if (!state) return;
  const seated = state.table !== null && state.table !== undefined;
  const canPost = seated && can("post_harvest");
  const list = seated ? listOf("harvests") : [];
  show("harvest", canPost || list.length > 0);
  setText($("[data-harvest-table]"), seated ? format(T.table_n, { n: state.table }) : "");
  $("[data-harvest-form]").hidden = !canPost;
  const pending = outbox ? outbox.items.filter((i) => i.event === "harvest") : [];
  const items = [...list, ...pending.map((i) => ({ id: `pending-${i.id}`, pending: i }))];
  reconcile($("[data-harvests]"), items.length ? items : [{ id: "empty" }], (h) => h.id, (h) => {
    if (h.id === "empty") return el("li", { class: "empty", text: T.no_harvests });
    if (h.pending) return pendingCard(h.pending);
    return el("li", { class: "card" }, el("p", { class: "card-text", text: h.text }),
      h.shared ? el("span", { class: "badge", text: T.on_screen }) : null);
  }, { animate: true });
}

const harvestText = $("#harvest-text");

function setHarvestError(message) {
  setFieldError({
    field: $("[data-harvest-field]"), control: harvestText, error: $("[data-harvest-error]"),
    invalidClass: "utrecht-textarea--invalid", describedBy: "harvest-hint",
    describedByWithError: "harvest-hint harvest-error",
  }, message);
}

$("[data-harvest-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = harvestText.value.trim();
  if (!text) {
    setHarvestError(T.empty_harvest);
    harvestText.focus();
    return;
  }
  if (!outbox || state.table == null) return;
  setHarvestError("");
  outbox.add("harvest", { table: state.table, text }, text);
  harvestText.value = "";
  harvestText.focus();
  renderHarvest();
  announce(announcer, live.connected ? T.sending : T.waiting);
});
