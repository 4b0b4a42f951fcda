// Small browser helpers called from Blazor through IJSRuntime.
window.portal = {
  copy: async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
  },
};
