// The phone's part of the dialogue (issue 17), loaded once the session gets there:
// questions to another perspective (or to all), prepared in the circle and put in the
// exchange; circle-mates support them and the answers they get; the addressed
// perspective answers; a table posts what struck it (*Wat ons opviel*). Asking,
// answering and a harvest go through the outbox with a client id (nothing lost or
// doubled); a support is a toggle, sent at once like marking a reflection.
import { $, announce, el, format, perspectiveLabel, reconcile, setFieldError, setText, upsert } from "./dom.js";

const DIALOGUE_KINDS = ["exchange", "conclusions", "closing"];

// Fetch the forms and lists with their strings (in the page's language), put them into
// the page's empty sections, and start.
export async function loadDialogue(context) {
  const response = await fetch(`/p/${encodeURIComponent(context.code)}/dialogue`,
    { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`dialogue part: ${response.status}`);
  const part = await response.json();
  Object.assign(context.T, part.strings);
  const parsed = new DOMParser().parseFromString(part.html, "text/html");
  for (const template of parsed.querySelectorAll("template[data-part]")) {
    $(`[data-section="${template.dataset.part}"]`).replaceChildren(document.importNode(template.content, true));
  }
  return createDialogue(context);
}

function createDialogue({ getState, getOutbox, live, T, lang, announcer, can, kindNow, show }) {
  const answerDrafts = new Map();
  const answerErrors = new Map();

  function listOf(name) {
    const state = getState();
    if (!Array.isArray(state[name])) state[name] = [];
    return state[name];
  }

  function mergeQuestion(list, q) {
    const known = list.some((x) => x.id === q.id);
    upsert(list, known ? q : { answers: [], unanswered: true, ...q });
  }

  // An answer into its question (the circle's own, or one put to this perspective);
  // true when it is new.
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

  // A live event: a question or answer (of the own circle, or put to this perspective),
  // or a harvest of the own table.
  function apply(event) {
    const state = getState();
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

  // What the outbox got acknowledged: a question, an answer, a harvest.
  function delivered(item, answer) {
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
  }

  function label(id) {
    if (id === "all") return T.all_perspectives;
    return perspectiveLabel(getState().workshop.perspectives, id, lang) || T.other_perspective;
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
        onclick: () => getOutbox().dismiss(item.id),
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
    const mine = getState().my_answer_supports || [];
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
    const options = getState().workshop.perspectives.filter((p) => p.id !== getState().me.perspective);
    const key = options.map((p) => p.id).join(" ");
    if (select.dataset.options === key) return;
    const chosen = select.value;
    select.dataset.options = key;
    select.replaceChildren(el("option", { value: "all", text: T.all_perspectives }),
      ...options.map((p) => el("option", { value: p.id, text: label(p.id) })));
    if (chosen && (chosen === "all" || options.some((p) => p.id === chosen))) select.value = chosen;
  }

  function renderQuestions() {
    if (!getState()) return;
    const mine = listOf("questions");
    const toMe = listOf("questions_to_me");
    const canAsk = can("ask_question");
    const dialogue = DIALOGUE_KINDS.includes(kindNow());
    show("questions", canAsk || (can("view_questions") && (mine.length > 0 || (dialogue && toMe.length > 0))));
    $("[data-ask]").hidden = !canAsk;
    if (canAsk) fillAddressees();
    const pending = getOutbox() ? getOutbox().items.filter((i) => i.event === "ask") : [];
    const supported = getState().my_supports || [];
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
    const pending = getOutbox() && getOutbox().pending("answer", (d) => d.question === q.id);
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
    getOutbox().add("answer", { question: id, text }, text);
    renderQuestions();
    announce(announcer, live.connected ? T.sending : T.waiting);
  }

  async function supportQuestion(id, on) {
    const answer = await live.call("support", { question: id, supported: on });
    if (!answer.ok) { announce(announcer, (answer.error && answer.error.message) || T.offline); return; }
    mergeQuestion(listOf("questions"), answer.question);
    getState().my_supports = (getState().my_supports || []).filter((x) => x !== id).concat(on ? [id] : []);
    renderQuestions();
    announce(announcer, format(T.supports_n, { n: answer.question.supports }));
  }

  async function supportAnswer(questionId, id, on) {
    const answer = await live.call("support_answer", { answer: id, supported: on });
    if (!answer.ok) { announce(announcer, (answer.error && answer.error.message) || T.offline); return; }
    addAnswer(answer.answer);
    getState().my_answer_supports = (getState().my_answer_supports || []).filter((x) => x !== id).concat(on ? [id] : []);
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
    if (!getOutbox()) return;
    setQuestionError("");
    getOutbox().add("ask", { to: $("[data-question-to]").value || "all", text }, text);
    questionText.value = "";
    questionText.focus();  // ready for the next question; the list below says it is on its way
    renderQuestions();
    announce(announcer, live.connected ? T.sending : T.waiting);
  });

  // *Wat ons opviel*: a table's harvest, by any member of that table.
  function renderHarvest() {
    if (!getState()) return;
    const seated = getState().table !== null && getState().table !== undefined;
    const canPost = seated && can("post_harvest");
    const list = seated ? listOf("harvests") : [];
    show("harvest", canPost || list.length > 0);
    setText($("[data-harvest-table]"), seated ? format(T.table_n, { n: getState().table }) : "");
    $("[data-harvest-form]").hidden = !canPost;
    const pending = getOutbox() ? getOutbox().items.filter((i) => i.event === "harvest") : [];
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
    if (!getOutbox() || getState().table == null) return;
    setHarvestError("");
    getOutbox().add("harvest", { table: getState().table, text }, text);
    harvestText.value = "";
    harvestText.focus();
    renderHarvest();
    announce(announcer, live.connected ? T.sending : T.waiting);
  });

  return {
    apply,
    delivered,
    render() {
      if (!getState()) return;
      renderQuestions();
      renderHarvest();
    },
  };
}
