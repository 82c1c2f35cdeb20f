// A page control under a list: "Showing 201–208 of 208" and Previous / Next. No list is cut silently.
import { fmt, h } from "./ui.js";

// page: 1-based; total: rows in all pages (null when unknown: `hasMore` says whether a next page exists).
export function pager({ page, pageSize, total = null, shown, hasMore, onPage, noun = "rows" }) {
  const first = shown ? (page - 1) * pageSize + 1 : 0;
  const last = (page - 1) * pageSize + shown;
  const more = total === null ? Boolean(hasMore) : last < total;
  const text = total === null ? `Showing ${fmt.int(first)}–${fmt.int(last)} ${noun}${more ? " (more follow)" : ""}`
    : `Showing ${fmt.int(first)}–${fmt.int(last)} of ${fmt.int(total)} ${noun}`;
  const prev = h("button", { class: "btn btn-secondary btn-sm", type: "button", disabled: page <= 1 ? true : null, "data-testid": "pager-prev" }, "Previous");
  const next = h("button", { class: "btn btn-secondary btn-sm", type: "button", disabled: more ? null : true, "data-testid": "pager-next" }, "Next");
  prev.addEventListener("click", () => onPage(page - 1));
  next.addEventListener("click", () => onPage(page + 1));
  return h("nav", { class: "pager", "aria-label": `Pages of ${noun}` }, h("span", { class: "pager-status", "data-testid": "pager-status", "aria-live": "polite" }, text), prev, next);
}
