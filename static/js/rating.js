// Rating the findings on the phone: one finding at a time, the scale in words, the
// reason one tap away. Ratings go through the outbox like posts (kept offline, sent
// once); the server decides which round is open and keeps one rating per round.
import { $, announce, el, format, setText } from "./dom.js";

const SCORES = [5, 4, 3, 2, 1, null];

export function createRating({ getState, getOutbox, live, T, announcer }) {
  let index = null;
  let round = null;
  const section = $('[data-section="rating"]');
  const why = $("[data-rating-why-text]");

  function findings() {
    return getState().workshop.findings || [];
  }

  function mine(finding, which = round) {
    const state = getState();
    const own = (state.my_ratings || {})[finding.id] || {};
    const outbox = getOutbox();
    const pending = outbox && outbox.pending("rate", (d) => d.finding === finding.id && d.round === which);
    return pending ? { ...pending.data, pending: true } : own[which] || null;
  }

  function answerText(rating) {
    return rating.score === null ? T.score_none : `${T[`score_${rating.score}`]} (${rating.score})`;
  }

  function send(finding, score, text) {
    const data = { finding: finding.id, round, score, text };
    getOutbox().add("rate", data, finding.title, (i) => i.data.finding === finding.id && i.data.round === round);
    render();
    announce(announcer, `${T.your_rating}: ${score === null ? T.score_none : T[`score_${score}`]}`);
  }

  function render() {
    const state = getState();
    const open = state.rating && state.rating.open_round;
    const list = findings();
    const visible = Boolean(open) && list.length > 0 && state.can.includes("view_session") && Boolean(state.me);
    if (section.hidden === visible) section.hidden = !visible;
    if (!visible) return;
    if (round !== open) {  // a new round starts at the first finding not rated in it
      round = open;
      const first = list.findIndex((f) => !mine(f));
      index = first < 0 ? 0 : first;
      why.value = "";
    }
    index = Math.min(Math.max(index, 0), list.length - 1);
    const finding = list[index];
    const current = mine(finding);
    setText($("[data-rating-title]"), round === "after" ? T.rate_after : T.rate_before);
    setText($("[data-rating-progress]"), format(T.rating_of, { n: index + 1, total: list.length }));
    setText($("[data-rating-finding]"), finding.title);
    setText($("[data-rating-finding-text]"), finding.text || "");
    const before = round === "after" ? mine(finding, "before") : null;
    const beforeNode = $("[data-rating-before]");
    beforeNode.hidden = !before;
    if (before) setText(beforeNode, format(T.your_first_rating, { answer: answerText(before) }));
    const chosen = current ? current.score : undefined;
    $("[data-rating-scale]").replaceChildren(...SCORES.map((score) => el("button", {
      type: "button",
      class: `utrecht-button utrecht-button--secondary-action rating-choice${chosen === score ? " utrecht-button--pressed" : ""}`,
      "aria-pressed": String(chosen === score),
      dataset: { key: `rate-${finding.id}-${round}-${score}` },
      onclick: () => send(finding, score, why.value.trim()),
    }, score === null ? T.score_none : `${score} · ${T[`score_${score}`]}`)));
    if (document.activeElement !== why && current && current.text !== undefined && why.dataset.finding !== `${finding.id}:${round}`) {
      why.value = current.text || "";
    }
    why.dataset.finding = `${finding.id}:${round}`;
    const pendingNode = $("[data-rating-pending]");
    pendingNode.hidden = !(current && current.pending);
    if (current && current.pending) setText(pendingNode, live.connected ? T.sending : T.waiting);
    $("[data-rating-prev]").disabled = index === 0;
    const last = index === list.length - 1;
    const next = $("[data-rating-next]");
    next.disabled = last;
    $("[data-rating-done]").hidden = !list.every((f) => { const r = mine(f); return r && !r.pending; });
  }

  function move(step) {
    index += step;
    why.value = "";
    why.dataset.finding = "";
    render();
    $("[data-rating-finding]").focus();
  }

  $("[data-rating-finding]").tabIndex = -1;
  $("[data-rating-prev]").addEventListener("click", () => move(-1));
  $("[data-rating-next]").addEventListener("click", () => move(1));
  $("[data-rating-why-save]").addEventListener("click", () => {
    const finding = findings()[index];
    const current = mine(finding);
    send(finding, current ? current.score : null, why.value.trim());
  });
  return { render };
}
