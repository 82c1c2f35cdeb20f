import { api, itemsOf, pick } from "../api.js";
import { chart } from "../charts.js";
import { clear, empty, errorBox, fmt, h, kpi, loading, num, table } from "../ui.js";
import { navigate } from "../router.js";

export const title = "Dashboard";

export async function render({ root, isCurrent }) {
  const kpiBox = h("div", { class: "grid grid-4", "aria-busy": "true" }, loading("Loading KPIs…"));
  const trendBox = h("div", {}, loading());
  const topBox = h("div", {}, loading());
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Dashboard"), h("p", {}, "Your influencer programme at a glance."))),
    h("section", { "aria-label": "Key figures" }, kpiBox),
    h("div", { class: "grid grid-2" },
      h("section", { class: "card" }, h("div", { class: "card-head" }, h("h2", {}, "Engagement rate, last 30 days"), h("a", { href: "#/analytics" }, "Analytics →")), trendBox),
      h("section", { class: "card" }, h("div", { class: "card-head" }, h("h2", {}, "Top campaigns"), h("a", { href: "#/campaigns" }, "All campaigns →")), topBox)),
  ));

  const [kpis, trend, top] = await Promise.allSettled([
    api.get("/analytics/kpis"),
    api.get("/analytics/engagement-trend", { days: 30 }),
    api.get("/analytics/top-campaigns", { limit: 5 }),
  ]);
  if (!isCurrent()) return;

  kpiBox.removeAttribute("aria-busy");
  if (kpis.status === "fulfilled") {
    const k = kpis.value || {};
    clear(kpiBox,
      kpi("Total campaigns", fmt.int(pick(k, "total_campaigns", "campaigns")), k.active_campaigns !== undefined ? `${fmt.int(k.active_campaigns)} active` : "all statuses", "kpi-total-campaigns"),
      kpi("Total influencers", fmt.int(pick(k, "total_influencers", "influencers")), "in the warehouse", "kpi-total-influencers"),
      kpi("Avg engagement rate", fmt.pct(pick(k, "avg_engagement_rate", "avg_er")), k.total_posts !== undefined ? `over ${fmt.int(k.total_posts)} posts` : "per post", "kpi-avg-er"),
      avgCostKpi(k),
      spendKpi(k.by_currency || []));
  } else clear(kpiBox, errorBox(kpis.reason));

  if (trend.status === "fulfilled") {
    const pts = itemsOf(trend.value);
    // the API fills every day of the window, with zeros where nothing was posted: no such day → the empty state
    clear(trendBox, !pts.some((p) => Number(p.posts) > 0 || Number(p.engagements) > 0)
      ? empty("No engagement in the last 30 days", "Upload post metrics on the Data page to see the trend.", h("a", { class: "btn btn-secondary", href: "#/data", "data-needs": "manager" }, "Upload data"))
      : chart({ type: "line", labels: pts.map((p) => fmt.dateShort(p.date || p.day)), series: [{ label: "Engagement rate", values: pts.map((p) => num(pick(p, "engagement_rate", "avg_engagement_rate", "er"))) }], valueFormat: (v) => fmt.pct(v, 1), label: "Daily engagement rate, last 30 days" }));
  } else clear(trendBox, errorBox(trend.reason));

  if (top.status === "fulfilled") {
    const rows = itemsOf(top.value);
    clear(topBox, rows.length === 0
      ? empty("No campaigns yet", "Create a campaign and hire influencers to compare results.", h("a", { class: "btn", href: "#/campaigns/new", "data-needs": "manager" }, "New campaign"))
      : table({
        caption: "Top campaigns by engagement rate",
        rows,
        onRowClick: (r) => navigate(`/campaigns/${pick(r, "campaign_id", "id")}`),
        rowLabel: (r) => `Open campaign ${r.name}`,
        columns: [
          { label: "Campaign", value: (r) => h("div", {}, h("a", { class: "cell-main", href: `#/campaigns/${pick(r, "campaign_id", "id")}` }, pick(r, "name", "campaign_name")), r.brand ? h("div", { class: "cell-sub" }, r.brand) : null) },
          { label: "Eng. rate", num: true, value: (r) => fmt.pct(pick(r, "engagement_rate", "avg_engagement_rate")) },
          { label: "Posts", num: true, value: (r) => fmt.int(pick(r, "posts", "post_count")) },
          { label: "Spent", num: true, value: (r) => fmt.money(pick(r, "spent"), r.currency) },
          { label: "CPE", num: true, value: (r) => fmt.money2(pick(r, "cpe"), r.currency) },
        ],
      }));
  } else clear(topBox, errorBox(top.reason));
}

// Spend against budget per campaign currency: amounts in different currencies are never added up.
function spendKpi(totals) {
  if (!totals.length) return kpi("Spent", "—", "no campaigns yet", "kpi-spend");
  const [first, ...rest] = totals;
  const line = (t) => `${fmt.money(t.spent, t.currency)} of ${fmt.money(t.budget, t.currency)}`;
  const box = kpi(`Spent (${first.currency})`, fmt.money(first.spent, first.currency), `of ${fmt.money(first.budget, first.currency)} budget`, "kpi-spend");
  if (rest.length) box.append(h("ul", { class: "currency-totals", "aria-label": "Spend in other currencies" }, rest.map((t) => h("li", { "data-testid": `kpi-spend-${t.currency}` }, `${t.currency}: ${line(t)}`))));
  return box;
}

// The average cost of a hire, in the one currency of all campaigns; with several currencies it is no amount.
function avgCostKpi(k) {
  const totals = k.by_currency || [];
  if (totals.length > 1) return kpi("Avg cost per influencer", "—", "campaigns in several currencies: see each campaign", "kpi-avg-cost");
  return kpi("Avg cost per influencer", fmt.money(pick(k, "avg_cost_per_influencer", "avg_cost"), totals[0]?.currency || "USD", 2), "hired cost / hires", "kpi-avg-cost");
}
