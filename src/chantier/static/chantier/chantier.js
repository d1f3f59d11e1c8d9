// Ask before destructive actions that are plain links or buttons with data-confirm.
document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
});

// Progress grid (billing/statement_form.html): Enter moves to the next line's input,
// "100 %" sets a line to a cumulative 100 %, a chapter's % applies to its lines.
document.addEventListener("keydown", (event) => {
  const input = event.target.closest && event.target.closest("[data-progress-grid] [data-progress]");
  if (!input || event.key !== "Enter") return;
  event.preventDefault();
  const all = Array.from(input.form.querySelectorAll("[data-progress]"));
  const next = all[all.indexOf(input) + (event.shiftKey ? -1 : 1)];
  if (next) { next.focus(); next.select(); }
});
document.addEventListener("click", (event) => {
  const full = event.target.closest("[data-progress-grid] [data-full]");
  const apply = event.target.closest("[data-progress-grid] [data-apply-section]");
  const setRow = (row, value) => {
    row.querySelector("select").value = "cumulative_percent";
    const input = row.querySelector("[data-progress]");
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  if (full) setRow(full.closest("tr"), "100");
  if (apply) {
    const body = apply.closest("tbody");
    const value = body.querySelector("[data-section-percent]").value.trim();
    if (!value) return;
    body.querySelectorAll("tr").forEach((row) => { if (row.querySelector("[data-progress]")) setRow(row, value); });
  }
});
