// Small DOM helpers. User text only ever goes through textContent (never innerHTML).

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $all(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

const reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

function focusKey(parent) {
  const active = document.activeElement;
  return active && active !== document.body && parent.contains(active) && active.dataset ? active.dataset.key : null;
}

function restoreFocus(parent, key) {
  if (!key || parent.contains(document.activeElement)) return;
  const again = parent.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (again) again.focus();
}

// Bring a list in line with `items` while touching as little of the DOM as possible:
// an item whose freshly built node equals the one on the page keeps that very node
// (no flicker, no layout jump, focus stays), changed items are swapped in place, new
// ones fade in (unless the user prefers reduced motion). Every interactive element
// carries a data-key so that focus comes back after its item was rebuilt.
export function reconcile(parent, items, keyOf, build, { animate = false } = {}) {
  const key = focusKey(parent);
  const old = new Map();
  for (const child of Array.from(parent.children)) old.set(child.dataset.id, child);
  const wanted = items.map((item) => {
    const id = String(keyOf(item));
    const fresh = build(item);
    fresh.dataset.id = id;
    const previous = old.get(id);
    if (previous && previous.isEqualNode(fresh)) return previous;
    if (!previous && animate && !(reducedMotion && reducedMotion.matches) && fresh.animate) {
      fresh.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 350, easing: "ease-out" });
    }
    return fresh;
  });
  wanted.forEach((node, index) => {
    const at = parent.children[index];
    if (at !== node) parent.insertBefore(node, at || null);
  });
  while (parent.children.length > wanted.length) parent.lastElementChild.remove();
  restoreFocus(parent, key);
}

// Replace a container's children (for small, non-list content), keeping focus on a
// control that survives (matched by data-key).
export function replaceChildren(parent, children) {
  const key = focusKey(parent);
  parent.replaceChildren(...children);
  restoreFocus(parent, key);
}

// Set text only when it changed (no needless reflow, no repeated announcements).
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

export function pageData() {
  return JSON.parse(document.getElementById("page-data").textContent);
}

export function format(template, params) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

// "%(n)s participant" / "%(n)s participants" from the page's strings.
export function plural(strings, name, n) {
  return format(n === 1 ? strings[`${name}_one`] : strings[`${name}_other`], { n });
}

// A text in the page's language when the organiser gave one, else the Dutch original,
// marked with lang="nl" so that screen readers pronounce it right.
export function localized(node, english, dutch, lang) {
  const useEnglish = lang === "en" && english;
  setText(node, useEnglish ? english : dutch || "");
  if (lang === "en" && !useEnglish && dutch) node.setAttribute("lang", "nl");
  else node.removeAttribute("lang");
}

export function perspectiveLabel(perspectives, id, lang) {
  const p = perspectives.find((x) => x.id === id);
  if (!p) return null;
  return lang === "en" && p.label_en ? p.label_en : p.label;
}

// A span with a perspective's label, marked Dutch when an English label is missing.
export function perspectiveSpan(perspectives, id, lang, fallback) {
  const p = perspectives.find((x) => x.id === id);
  if (!p) return el("span", { text: fallback || id });
  const english = lang === "en" && p.label_en;
  return el("span", { text: english ? p.label_en : p.label, lang: lang === "en" && !english ? "nl" : undefined });
}

export function stepTitle(step, lang) {
  return lang === "en" && step.title_en ? step.title_en : step.title;
}

export function announce(node, message) {
  if (!node) return;
  node.textContent = "";
  window.setTimeout(() => { node.textContent = message; }, 50);
}

// Insert a record by id, or merge it into the one already there.
export function upsert(list, item) {
  const index = list.findIndex((x) => x.id === item.id);
  if (index >= 0) list[index] = { ...list[index], ...item };
  else list.push(item);
}

// Show (or, with an empty message, clear) the error of one form field, the NL
// Design System way: the message under the field, field and control marked
// invalid, and the message named in the control's aria-describedby while it
// shows. ``describedBy`` and ``describedByWithError`` are those id lists.
export function setFieldError({ field, control, error, invalidClass, describedBy, describedByWithError }, message) {
  error.textContent = message || "";
  error.hidden = !message;
  field.classList.toggle("utrecht-form-field--invalid", Boolean(message));
  if (invalidClass) control.classList.toggle(invalidClass, Boolean(message));
  if (message) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", describedByWithError);
  } else {
    control.removeAttribute("aria-invalid");
    control.setAttribute("aria-describedby", describedBy);
  }
}

// A {nl, en} text from the server in the page's language (Dutch when there is
// no English); a plain string stays as it is.
export function inLanguage(value, lang) {
  if (!value) return "";
  if (typeof value === "string") return value;
  return value[lang] || value.nl || value.en || "";
}
