// Audit log (admins): who did what, when and from where — GET /audit, filtered and paged in the URL.
import { api, itemsOf } from "../api.js";
import { navigate } from "../router.js";
import { clear, empty, errorBox, field, fmt, h, select, table } from "../ui.js";
import { opts } from "../options.js";
import { pager } from "../pager.js";

const PAGE_SIZE = 50;
// Action prefixes the API records (docs/api.md "Audit log"); GET /audit matches an action or its prefix.
const ACTIONS = [
  ["campaign", "Campaigns"], ["hire", "Hires"], ["hires.bulk", "Hire all"], ["plan.request", "Plans"],
  ["upload.create", "Uploads"], ["etl.rerun", "ETL re-runs"], ["key", "API keys"], ["user", "Users"],
  ["mapping", "Mappings"], ["shortlist", "Shortlists"], ["retrain.request", "Retraining"],
];
const TARGETS = ["campaign", "upload", "etl_load", "key", "user", "mapping", "shortlist", "model"];
const FILTERS = ["actor", "action", "target_type", "target_id", "start_date", "end_date"];

export const title = "Audit log";

function details(d) {
  if (!d) return "—";
  return Object.entries(d).map(([k, v]) => `${k}: ${v && typeof v === "object" ? JSON.stringify(v) : v}`).join(", ");
}

function target(r) {
  if (!r.target_type) return "—";
  const id = r.target_id || "";
  if (r.target_type === "campaign" && id) return h("a", { href: `#/campaigns/${encodeURIComponent(id)}` }, `campaign ${id}`);
  if (r.target_type === "shortlist" && id) return h("a", { href: `#/shortlists/${encodeURIComponent(id)}` }, `shortlist ${id}`);
  return h("span", { class: "cell-sub", title: id }, `${fmt.label(r.target_type)} ${id.length > 40 ? id.slice(0, 40) + "…" : id}`);
}

export async function render({ root, query, isCurrent }) {
  const controls = {
    actor: h("input", { type: "search", name: "actor", value: query.actor || "", placeholder: "key:12 or user:ana@example.com", maxlength: "320" }),
    action: select("action", opts(ACTIONS, "All actions"), query.action),
    target_type: select("target_type", opts(TARGETS, "Any target"), query.target_type),
    target_id: h("input", { type: "search", name: "target_id", value: query.target_id || "", placeholder: "id", maxlength: "500" }),
    start_date: h("input", { type: "date", name: "start_date", value: query.start_date || "" }),
    end_date: h("input", { type: "date", name: "end_date", value: query.end_date || "" }),
  };
  const page = Math.max(1, Number.parseInt(query.page, 10) || 1);
  const current = Object.fromEntries(FILTERS.map((k) => [k, query[k]]));
  const apply = () => navigate("/audit", Object.fromEntries(FILTERS.map((k) => [k, controls[k].value.trim()])));
  const filters = h("form", { class: "filters card", role: "search", "aria-label": "Filter the audit log" },
    field("Who", controls.actor, { className: "span-2" }), field("Action", controls.action),
    field("Target", controls.target_type), field("Target id", controls.target_id),
    field("From", controls.start_date), field("To", controls.end_date),
    h("div", { class: "actions" }, h("button", { class: "btn", type: "submit" }, "Apply")));
  filters.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  const list = h("div", {});
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, "Audit log"), h("p", {}, "Every change made through the API: who, when, what and from where. Entries cannot be edited or deleted."))),
    filters, list));
  let resp;
  try {
    resp = await api.get("/audit", { ...current, page, page_size: PAGE_SIZE });
  } catch (err) {
    if (isCurrent()) clear(list, errorBox(err));
    return;
  }
  if (!isCurrent()) return;
  const rows = itemsOf(resp);
  if (rows.length === 0) {
    clear(list, h("div", { class: "card" }, empty(FILTERS.some((k) => query[k]) ? "No entries match" : "No entries yet", "Changes to campaigns, hires, uploads, keys and users appear here.")));
    return;
  }
  const total = resp.page_info ? resp.page_info.total : rows.length;
  clear(list, table({
    caption: `${fmt.int(total)} entr${total === 1 ? "y" : "ies"}`,
    rows,
    className: "audit-table",
    columns: [
      { label: "When", value: (r) => fmt.datetime(r.at) },
      { label: "Who", value: (r) => h("div", {}, h("a", { class: "cell-main", href: `#/audit?actor=${encodeURIComponent(r.actor)}`, title: r.actor }, r.actor_label), h("div", { class: "cell-sub" }, fmt.label(r.role))) },
      { label: "Action", value: (r) => h("code", {}, r.action) },
      { label: "Target", value: target },
      { label: "Details", value: (r) => h("span", { class: "small" }, details(r.details)) },
      { label: "From", value: (r) => r.source_ip || "—" },
    ],
  }), pager({ page, pageSize: PAGE_SIZE, total, shown: rows.length, noun: "entries",
    onPage: (p) => navigate("/audit", { ...current, page: p }) }));
}
