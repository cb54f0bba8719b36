// The console's dialogue panel (issue 17): mixed tables (size, seed, recompose) with
// their perspectives, the questions grouped by the circle that asked them with their
// answers and supports (one at a time with its answers on the screen), and the tables'
// harvests, each shareable to the screen.
import { $, announce, el, format, perspectiveLabel, reconcile } from "./dom.js";

export function createDialoguePanel({ T, lang, call, announcer }) {
  let state = null;
  const can = (action) => Boolean(state && state.can.includes(action));
  const label = (id) => (id === "all" ? T.all_perspectives
    : perspectiveLabel(state.workshop.perspectives, id, lang) || id);

  function toggle(key, pressed, text, about, onclick) {
    return el("button", {
      type: "button", class: `utrecht-button utrecht-button--secondary-action${pressed ? " utrecht-button--pressed" : ""}`,
      dataset: { key }, "aria-pressed": String(pressed), onclick,
    }, text, el("span", { class: "visually-hidden", text: `: ${about.slice(0, 60)}` }));
  }

  function circleName(id) {
    const def = (state.workshop.circles || []).find((c) => c.id === id);
    if (def) return lang === "en" && def.name_en ? def.name_en : def.name;
    const counted = state.activity.circles[id];
    return counted ? counted.name : id;
  }

  // "Kring Raadslid 2", with the perspective only when the circle's name does not say it
  function heading(circle, perspective) {
    const name = circleName(circle);
    const which = label(perspective);
    const title = format(T.circle_of, { name });
    return name.toLowerCase().includes(which.toLowerCase()) ? title : `${title} · ${which}`;
  }

  function renderTables() {
    const tables = state.tables || [];
    const canCompose = can("compose_tables");
    $("[data-tables-block]").hidden = !(canCompose || tables.length);
    $("[data-tables-form]").hidden = !canCompose;
    reconcile($("[data-console-tables]"), tables.length ? tables : [{ number: "empty" }], (t) => t.number, (t) => {
      if (t.number === "empty") return el("li", { class: "empty", text: T.no_tables });
      const counts = new Map();
      for (const pid of t.perspectives) counts.set(pid, (counts.get(pid) || 0) + 1);
      const parts = Array.from(counts, ([pid, n]) => (n > 1 ? `${label(pid)} (${n})` : label(pid)));
      return el("li", { class: "card" }, el("p", { class: "card-text" },
        el("strong", { text: format(T.table_n, { n: t.number }) }), ` · ${plainCount(t.size)}: ${parts.join(", ")}`));
    });
  }

  const plainCount = (n) => format(n === 1 ? T.participants_one : T.participants_other, { n });

  function renderQuestions() {
    const questions = state.questions || [];
    const spot = state.workshop.state.spotlight_question || null;
    const canSpot = can("spotlight_question");
    const byCircle = new Map();
    for (const q of questions) {
      if (!byCircle.has(q.circle)) byCircle.set(q.circle, []);
      byCircle.get(q.circle).push(q);
    }
    const groups = Array.from(byCircle, ([id, list]) => ({ id, list }));
    reconcile($("[data-console-questions]"), groups.length ? groups : [{ id: "empty" }], (g) => g.id, (g) => {
      if (g.id === "empty") return el("p", { class: "empty", text: T.no_questions });
      const headingId = `asked-${g.id}`;
      const sorted = g.list.slice().sort((a, b) => (b.supports - a.supports));
      return el("section", { class: "group", "aria-labelledby": headingId },
        el("h4", { id: headingId, text: heading(g.id, g.list[0].perspective) }),
        el("ul", { class: "cards" }, sorted.map((q) => {
          const answers = q.answers || [];
          return el("li", { class: `card${spot === q.id ? " card--spotlight" : ""}` },
            el("p", { class: "card-meta", text: [format(T.question_to, { to: label(q.to) }), format(T.supports_n, { n: q.supports || 0 }),
              q.unanswered ? T.unanswered : null, spot === q.id ? T.on_screen : null].filter(Boolean).join(" · ") }),
            el("p", { class: "card-text", text: q.text }),
            answers.length ? el("ul", { class: "reasons answers", "aria-label": T.answers }, answers.map((a) =>
              el("li", {}, el("strong", { text: label(a.perspective) }), `: ${a.text}`,
                a.supports ? el("span", { class: "card-meta", text: ` · ${format(T.supports_n, { n: a.supports })}` }) : null)))
              : null,
            canSpot ? el("div", { class: "card-actions" }, toggle(`qspot-${q.id}`, spot === q.id, T.pin, q.text,
              () => call("spotlight_question", { question: spot === q.id ? null : q.id }))) : null);
        })));
    }, { animate: true });
  }

  function renderHarvests() {
    const harvests = (state.harvests || []).slice().sort((a, b) => a.table - b.table);
    const canShare = can("share_harvest");
    // a harvest of tables since recomposed: its table number now seats other people
    const composition = (state.workshop.state.tables || {}).composition || 0;
    reconcile($("[data-console-harvests]"), harvests.length ? harvests : [{ id: "empty" }], (h) => h.id, (h) => {
      if (h.id === "empty") return el("li", { class: "empty", text: T.none_yet });
      return el("li", { class: `card${h.shared ? " card--spotlight" : ""}` },
        el("p", { class: "card-meta", text: [format(T.table_n, { n: h.table }),
          (h.composition || 0) !== composition ? T.earlier_tables : null, h.shared ? T.on_screen : null].filter(Boolean).join(" · ") }),
        el("p", { class: "card-text", text: h.text }),
        canShare ? el("div", { class: "card-actions" }, toggle(`hshare-${h.id}`, Boolean(h.shared), T.pin, h.text,
          () => call("share_harvest", { harvest: h.id, shared: !h.shared }))) : null);
    }, { animate: true });
  }

  function render(snapshot) {
    state = snapshot;
    const active = can("compose_tables") || (state.tables || []).length || (state.questions || []).length
      || (state.harvests || []).length;
    $("[data-dialogue-panel]").hidden = !active;
    if (!active) return;
    renderTables();
    renderQuestions();
    renderHarvests();
  }

  // Compose (or recompose) the tables; the size field says what is wrong in words.
  const sizeInput = $("#table-size");
  const seedInput = $("#table-seed");
  const sizeError = $("[data-table-size-error]");
  const setSizeError = (message) => {
    sizeError.textContent = message || "";
    sizeError.hidden = !message;
    $("[data-table-size-field]").classList.toggle("utrecht-form-field--invalid", Boolean(message));
    if (message) {
      sizeInput.setAttribute("aria-invalid", "true");
      sizeInput.setAttribute("aria-describedby", "table-size-error");
    } else {
      sizeInput.removeAttribute("aria-invalid");
      sizeInput.removeAttribute("aria-describedby");
    }
  };
  $("[data-tables-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const size = Number(sizeInput.value);
    const data = { size: Number.isInteger(size) ? size : sizeInput.value };
    if (seedInput.value.trim() !== "") data.seed = Number(seedInput.value);
    const answer = await call("tables", data);
    if (answer.ok) {
      setSizeError("");
      announce(announcer, T.tables_composed);
    } else if (answer.error && answer.error.field === "size") {
      setSizeError(answer.error.message);
      sizeInput.focus();
    }
  });

  return { render };
}
