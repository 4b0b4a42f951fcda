// On phones MudBlazor turns table rows into cards and shows each cell's data-label as its caption. Cells written
// without a DataLabel would be anonymous values (two unlabelled dates per order), so this gives every body cell that
// has none the text of its column header. It runs on every DOM change, because Blazor renders rows after load.
(() => {
  const label = (table) => {
    const heads = table.querySelectorAll(':scope > thead > tr > th');
    if (heads.length === 0) return;
    const names = [];
    heads.forEach((th) => {
      const span = th.colSpan || 1;
      for (let i = 0; i < span; i++) names.push(th.textContent.trim());
    });
    table.querySelectorAll(':scope > tbody > tr').forEach((tr) => {
      let column = 0;
      for (const td of tr.children) {
        const name = names[column];
        if (name && !td.getAttribute('data-label') && td.colSpan === 1) td.setAttribute('data-label', name);
        column += td.colSpan || 1;
      }
    });
  };
  let queued = false;
  const run = () => {
    queued = false;
    document.querySelectorAll('table.mud-table-root').forEach(label);
  };
  const schedule = () => {
    if (!queued) { queued = true; requestAnimationFrame(run); }
  };
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', schedule);
  schedule();
})();
