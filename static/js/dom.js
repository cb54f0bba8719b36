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

// Replace a list's children without moving focus away from a control that survives.
export function replaceChildren(parent, children) {
  const active = document.activeElement;
  const key = active && active.dataset ? active.dataset.key : null;
  parent.replaceChildren(...children);
  if (key) {
    const again = parent.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

export function pageData() {
  return JSON.parse(document.getElementById("page-data").textContent);
}

export function format(template, params) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

export function label(perspectives, id, lang) {
  const p = perspectives.find((x) => x.id === id);
  if (!p) return id === "_other" ? null : id;
  return lang === "en" && p.label_en ? p.label_en : p.label;
}

export function stepTitle(step, lang) {
  return lang === "en" && step.title_en ? step.title_en : step.title;
}

export function stepDescription(step, lang) {
  return lang === "en" && step.description_en ? step.description_en : step.description;
}
