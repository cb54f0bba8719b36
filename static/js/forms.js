// Forms: an error summary takes focus when the page loads, so screen reader and
// keyboard users land on what needs fixing (NL Design System guidance).
const summary = document.querySelector("[data-focus-on-load]");
if (summary) summary.focus();
