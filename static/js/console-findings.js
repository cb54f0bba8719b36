// The console's findings panel: open and close the rating rounds, live counts and
// means per perspective before and after the dialogue, the reasons grouped by
// perspective, and a finding's results on the screen or as a draft conclusion.
import { $, el, format, perspectiveSpan, reconcile, replaceChildren } from "./dom.js";

export function createFindingsPanel({ T, lang, call }) {
  const number = (value) => (value === null || value === undefined ? "–"
    : Number(value).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }));

  function roundButton(which, open) {
    const isOpen = open === which;
    return el("button", {
      type: "button", class: `utrecht-button utrecht-button--secondary-action${isOpen ? " utrecht-button--pressed" : ""}`,
      "aria-pressed": String(isOpen), dataset: { key: `round-${which}` },
      onclick: () => call("rating_round", { round: which, open: !isOpen }),
    }, isOpen ? T[`close_${which}`] : T[`open_${which}`]);
  }

  function draftText(f) {
    const before = f.rounds.before;
    const after = f.rounds.after;
    const parts = [`“${f.title}”`];
    if (before.n) parts.push(`${T.before}: ${number(before.mean)}`);
    if (after.n) parts.push(`${T.after}: ${number(after.mean)}`);
    return parts.join(" · ");
  }

  function findingCard(f, ps, pinned) {
    const before = Object.fromEntries(f.rounds.before.perspectives.map((p) => [p.id, p]));
    const after = Object.fromEntries(f.rounds.after.perspectives.map((p) => [p.id, p]));
    const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const rows = ids.map((id) => el("tr", {},
      el("th", { scope: "row" }, perspectiveSpan(ps, id, lang, T.other_perspectives)),
      el("td", { text: before[id] ? `${number(before[id].mean)} (${before[id].n})` : "–" }),
      el("td", { text: after[id] ? `${number(after[id].mean)} (${after[id].n})` : "–" })));
    const reasons = (f.reasons || []).map((group) => el("li", {},
      el("strong", {}, perspectiveSpan(ps, group.id, lang, T.other_perspectives)),
      el("ul", {}, group.texts.map((t) => el("li", { text: `${t.score === null ? T.score_none : t.score} · ${t.text}` })))));
    const onScreen = pinned === f.id;
    return el("li", { class: "card" },
      el("h3", { class: "nl-heading nl-heading--level-3", text: f.title }),
      el("p", { class: "card-meta", text: `${T.before}: ${format(T.raters, { n: f.rounds.before.n })} · ${T.after}: ${format(T.raters, { n: f.rounds.after.n })}` }),
      rows.length ? el("table", { class: "utrecht-table compact-table" },
        el("thead", {}, el("tr", {}, el("td", {}), el("th", { scope: "col", text: T.before }), el("th", { scope: "col", text: T.after }))),
        el("tbody", {}, rows)) : null,
      reasons.length ? el("details", {}, el("summary", { text: T.why_list }), el("ul", { class: "reasons" }, reasons)) : null,
      el("div", { class: "card-actions" },
        el("button", {
          type: "button", class: `utrecht-button utrecht-button--secondary-action${onScreen ? " utrecht-button--pressed" : ""}`,
          "aria-pressed": String(onScreen), dataset: { key: `pin-finding-${f.id}` },
          onclick: () => call("pin_finding", { finding: onScreen ? null : f.id }),
        }, T.on_screen),
        el("button", {
          type: "button", class: "utrecht-button utrecht-button--secondary-action", dataset: { key: `draft-finding-${f.id}` },
          onclick: () => call("conclude", { text: draftText(f), draft: true }),
        }, T.finding_to_conclusion)));
  }

  function render(state) {
    const panel = $("[data-findings-panel]");
    const results = state.rating && state.rating.results;
    panel.hidden = !results || !results.findings.length;
    if (panel.hidden) return;
    const open = state.rating.open_round;
    const pinned = state.workshop.state.pinned_finding;
    replaceChildren($("[data-rounds]"), [roundButton("before", open), roundButton("after", open),
      el("button", {
        type: "button", class: `utrecht-button utrecht-button--secondary-action${pinned === "all" ? " utrecht-button--pressed" : ""}`,
        "aria-pressed": String(pinned === "all"), dataset: { key: "pin-findings-all" },
        onclick: () => call("pin_finding", { finding: pinned === "all" ? null : "all" }),
      }, T.findings_on_screen)]);
    reconcile($("[data-findings-results]"), results.findings, (f) => f.id,
      (f) => findingCard(f, state.workshop.perspectives, pinned));
  }

  return { render };
}
