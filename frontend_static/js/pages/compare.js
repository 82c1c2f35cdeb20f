// Compare 2–5 creators side by side (GET /influencers/compare?ids=…): figures, ER with its interval, cost
// forecast, flags, audience mix, and the 30-day engagement trend overlaid in one chart.
import { api } from "../api.js";
import { chartWithTable } from "../charts.js";
import { badge, empty, fmt, h, clear, num } from "../ui.js";
import { addToShortlistButton } from "./shortlists.js";

export const title = "Compare";
const who = (r) => r.name || `@${r.handle}`;

function erInterval(r) {
  const scored = r.scores.filter((s) => s.interval_low != null);
  if (!scored.length) return "—";
  const best = scored.reduce((a, b) => (b.predicted_engagement_rate > a.predicted_engagement_rate ? b : a));
  return `${fmt.pct(best.predicted_engagement_rate)} (${fmt.pct(best.interval_low)}–${fmt.pct(best.interval_high)}, ${best.content_type})`;
}

function audienceMix(r) {
  const parts = Object.entries(r.audience).filter(([, buckets]) => buckets.length)
    .map(([dim, buckets]) => h("div", {}, h("span", { class: "cell-sub" }, `${fmt.label(dim)}: `),
      buckets.slice(0, 3).map((b) => `${b.bucket} ${fmt.share(b.share)}`).join(", ")));
  return parts.length ? h("div", {}, parts) : "—";
}

const ROWS = [
  ["Platform", (r) => fmt.label(r.platform)],
  ["Followers", (r) => fmt.int(r.followers)],
  ["Avg ER", (r) => fmt.pct(r.avg_engagement_rate)],
  ["Predicted ER (80 % interval)", erInterval],
  ["Avg likes", (r) => fmt.int(r.avg_likes)],
  ["Avg views", (r) => fmt.int(r.avg_views)],
  ["Cost / post (80 % interval)", (r) => (r.cost_per_post == null ? "—" : `${fmt.money(r.cost_per_post)} (${fmt.money(r.cost_low)}–${fmt.money(r.cost_high)}, ${r.cost_content_type})`)],
  ["Flags", (r) => (r.flags.length ? badge(r.flags.join(", "), "warning") : "None")],
  ["Audience", audienceMix],
];

export async function render({ root, query, isCurrent }) {
  const ids = String(query.ids || "").split(",").filter(Boolean);
  if (ids.length < 2 || ids.length > 5) {
    clear(root, h("div", { class: "page" }, h("h1", {}, "Compare"), h("div", { class: "card" },
      empty("Pick 2 to 5 creators", "Select rows on the Influencers page or a shortlist, then choose Compare.", h("a", { class: "btn btn-secondary", href: "#/influencers" }, "Find influencers")))));
    return;
  }
  const data = await api.get("/influencers/compare", { ids: ids.join(",") });
  if (!isCurrent()) return;
  const items = data.items;
  const grid = h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Comparison" },
    h("table", { "data-testid": "compare-table" }, h("caption", {}, "Creators side by side"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Figure"), items.map((r) => h("th", { scope: "col" },
        h("a", { href: `#/influencers/${r.id}` }, who(r)), " ", addToShortlistButton(r.id, "Shortlist"))))),
      h("tbody", {}, ROWS.map(([label, value]) => h("tr", {}, h("th", { scope: "row" }, label), items.map((r) => h("td", {}, value(r))))))));
  const dates = items[0].trend.map((p) => p.date);
  const trend = chartWithTable({
    title: "Engagements per day, last 30 days", type: "line", labels: dates.map(fmt.dateShort), side: false,
    series: items.map((r) => ({ label: who(r), values: r.trend.map((p) => num(p.engagements)) })),
    valueFormat: fmt.compact,
    columns: [{ label: "Date", value: (row) => fmt.dateShort(row.date) }, ...items.map((r, i) => ({ label: who(r), num: true, value: (row) => fmt.int(row.values[i]) }))],
    rows: dates.map((date, d) => ({ date, values: items.map((r) => r.trend[d]?.engagements) })),
  });
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Compare"), h("p", {}, `${items.length} creators side by side.`))),
    h("section", { class: "card" }, grid),
    h("section", { class: "card", "aria-labelledby": "cmp-trend" }, h("h2", { id: "cmp-trend" }, "30-day trend"), trend)));
}
