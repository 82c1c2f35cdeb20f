import { api, itemsOf, pick } from "../api.js";
import { navigate } from "../router.js";
import { clear, empty, errorBox, field, fmt, h, select, statusBadge, table } from "../ui.js";
import { CAMPAIGN_STATUSES, opts } from "../options.js";
import { pager } from "../pager.js";

const PAGE_SIZE = 200;

export const title = "Campaigns";

export async function render({ root, query, isCurrent }) {
  const statusSel = select("status", opts(CAMPAIGN_STATUSES, "All statuses"), query.status);
  const search = h("input", { type: "search", name: "q", value: query.q || "", placeholder: "Name or brand", maxlength: "100" });
  const apply = () => navigate("/campaigns", { status: statusSel.value, q: search.value.trim() });
  const page = Math.max(1, Number.parseInt(query.page, 10) || 1);
  statusSel.addEventListener("change", apply);
  const filters = h("form", { class: "filters card", role: "search", "aria-label": "Filter campaigns" },
    field("Search", search, { className: "span-2" }), field("Status", statusSel),
    h("div", { class: "actions" }, h("button", { class: "btn", type: "submit" }, "Apply")));
  filters.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  const list = h("div", {});
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, "Campaigns"), h("p", {}, "Budgets, hires and results per campaign.")),
      h("div", { class: "page-actions" }, h("a", { class: "btn", href: "#/campaigns/new", "data-needs": "manager" }, "New campaign"))),
    filters,
    list));
  let resp;
  try {
    resp = await api.get("/campaigns", { status: query.status, q: query.q, page_size: PAGE_SIZE, page });
  } catch (err) {
    if (isCurrent()) clear(list, errorBox(err));
    return;
  }
  if (!isCurrent()) return;
  const rows = itemsOf(resp);
  if (rows.length === 0) {
    clear(list, h("div", { class: "card" }, empty(query.status || query.q ? "No campaigns match" : "No campaigns yet", "A campaign holds a budget and the influencers you hire for it.", h("a", { class: "btn", href: "#/campaigns/new", "data-needs": "manager" }, "Create your first campaign"))));
    return;
  }
  const total = resp.page_info ? resp.page_info.total : rows.length;
  clear(list, table({
    caption: `${fmt.int(total)} campaign${total === 1 ? "" : "s"}`,
    rows,
    className: "campaign-table",
    onRowClick: (r) => navigate(`/campaigns/${r.id}`),
    rowLabel: (r) => `Open campaign ${r.name}`,
    columns: [
      { label: "Campaign", value: (r) => h("div", {}, h("a", { class: "cell-main", href: `#/campaigns/${r.id}` }, r.name), h("div", { class: "cell-sub" }, [r.brand, fmt.label(r.objective)].filter((x) => x && x !== "—").join(" · ") || "—")) },
      { label: "Status", value: (r) => statusBadge(r.status) },
      { label: "Dates", value: (r) => `${fmt.date(r.start_date)} – ${fmt.date(r.end_date)}` },
      { label: "Budget", num: true, value: (r) => fmt.money(r.budget, r.currency) },
      { label: "Spent", num: true, value: (r) => fmt.money(pick(r, "spent"), r.currency) },
      { label: "Influencers", num: true, value: (r) => fmt.int(pick(r, "influencer_count")) },
    ],
  }), pager({ page, pageSize: PAGE_SIZE, total, shown: rows.length, noun: "campaigns",
    onPage: (p) => navigate("/campaigns", { status: query.status, q: query.q, page: p }) }));
}
