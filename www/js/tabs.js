// One tabs component (WAI-ARIA tabs, manual activation): a tablist of buttons and one tab panel
// whose content is rendered for the selected tab. Arrow keys move between tabs, Home and End go to
// the first and the last; the selected tab is the only one in the tab order.
import { h, mount } from "./dom.js";

/**
 * tabs({ label, items: [{ key, label }], tabId(key), panelId(key), render(key), onSelect?(key, opts) })
 * → { tablist, panel, select(key, { focus, ...opts }) }. Place tablist and panel yourself; nothing is
 * rendered before the first select(). onSelect runs before render, with select's options.
 */
export function tabs({ label, items, tabId, panelId, render, onSelect }) {
  const panel = h("div.tab-panel", { role: "tabpanel" });
  const buttons = items.map((t) =>
    h(
      "button.tab",
      { type: "button", role: "tab", id: tabId(t.key), "aria-controls": panelId(t.key), dataset: { tab: t.key } },
      t.label,
    ),
  );
  const select = (key, opts = {}) => {
    items.forEach((t, i) => {
      const on = t.key === key;
      buttons[i].setAttribute("aria-selected", String(on));
      buttons[i].tabIndex = on ? 0 : -1;
      if (on && opts.focus) buttons[i].focus();
    });
    panel.id = panelId(key);
    panel.setAttribute("aria-labelledby", tabId(key));
    onSelect?.(key, opts);
    mount(panel, render(key));
  };
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => select(items[i].key));
    b.addEventListener("keydown", (ev) => {
      const d = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
      if (ev.key === "Home" || ev.key === "End") {
        ev.preventDefault();
        select(items[ev.key === "Home" ? 0 : items.length - 1].key, { focus: true });
      } else if (d) {
        ev.preventDefault();
        select(items[(i + d + items.length) % items.length].key, { focus: true });
      }
    });
  });
  const tablist = h("div.tabs", { role: "tablist", "aria-label": label }, buttons);
  return { tablist, panel, select };
}
