import { api, itemsOf, pick } from "../api.js";
import { chartWithTable } from "../charts.js";
import { navigate } from "../router.js";
import { clear, empty, errorBox, fmt, h, loading, num } from "../ui.js";

export const title = "Analytics";
const DIMS = [["country", "Country"], ["age_group", "Age group"], ["gender", "Gender"]];

function section(titleText, body, extra) {
  return h("section", { class: "card" }, h("div", { class: "card-head" }, h("h2", {}, titleText), extra || null), body);
}

export async function render({ root, query, isCurrent }) {
  const dim = DIMS.some(([d]) => d === query.dimension) ? query.dimension : "country";
  const boxes = { trend: h("div", {}, loading()), top: h("div", {}, loading()), demo: h("div", {}, loading()), content: h("div", {}, loading()) };
  const dimToggle = h("div", { class: "segmented", role: "group", "aria-label": "Demographic dimension" },
    DIMS.map(([d, l]) => h("button", { type: "button", "aria-pressed": String(d === dim), onclick: () => navigate("/analytics", { ...query, dimension: d }) }, l)));
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Analytics"), h("p", {}, "Engagement, campaign results, audiences and creative performance."))),
    section("Engagement trend, last 30 days", boxes.trend),
    section("Top campaigns by engagement rate", boxes.top),
    section("Audience demographics", boxes.demo, dimToggle),
    section("Creative performance by content type", boxes.content)));

  const [trend, top, demo, content] = await Promise.allSettled([
    api.get("/analytics/engagement-trend", { days: 30 }),
    api.get("/analytics/top-campaigns", { limit: 10 }),
    api.get("/analytics/demographics", { dimension: dim }),
    api.get("/analytics/content-types"),
  ]);
  if (!isCurrent()) return;
  const fill = (box, r, fn) => clear(box, r.status === "rejected" ? errorBox(r.reason) : fn(r.value));

  fill(boxes.trend, trend, (v) => {
    const pts = itemsOf(v);
    if (!pts.length) return empty("No engagement in the last 30 days", "Post metrics from the last 30 days feed this chart.");
    const er = (p) => pick(p, "engagement_rate", "avg_engagement_rate", "er");
    return chartWithTable({ title: "Daily engagement rate", type: "line", labels: pts.map((p) => fmt.dateShort(p.date)), series: [{ label: "Engagement rate", values: pts.map((p) => num(er(p))) }], valueFormat: (x) => fmt.pct(x, 1),
      caption: "Days with posts, most recent first",
      rows: pts.filter((p) => er(p) !== null && er(p) !== undefined).reverse(), columns: [{ label: "Date", value: (p) => fmt.date(p.date) }, { label: "Eng. rate", num: true, value: (p) => fmt.pct(er(p)) }, { label: "Engagements", num: true, value: (p) => fmt.int(pick(p, "engagements")) }, { label: "Posts", num: true, value: (p) => fmt.int(pick(p, "posts", "post_count")) }] });
  });
  fill(boxes.top, top, (v) => {
    const rows = itemsOf(v);
    if (!rows.length) return empty("No campaign results yet", "Campaigns appear once their influencers have posted.");
    const er = (r) => pick(r, "engagement_rate", "avg_engagement_rate");
    return chartWithTable({ title: "Campaign engagement rate", type: "bar", horizontal: true, labels: rows.map((r) => pick(r, "name", "campaign_name")), series: [{ label: "Engagement rate", values: rows.map((r) => Number(er(r) ?? 0)) }], valueFormat: (x) => fmt.pct(x, 1),
      rows, columns: [{ label: "Campaign", value: (r) => h("a", { href: `#/campaigns/${pick(r, "campaign_id", "id")}` }, pick(r, "name", "campaign_name")) }, { label: "Eng. rate", num: true, value: (r) => fmt.pct(er(r)) }, { label: "Posts", num: true, value: (r) => fmt.int(pick(r, "posts")) }, { label: "CPE", num: true, value: (r) => fmt.money2(pick(r, "cpe")) }] });
  });
  fill(boxes.demo, demo, (v) => {
    const rows = itemsOf(v).slice().sort((a, b) => Number(pick(b, "share") ?? 0) - Number(pick(a, "share") ?? 0));
    if (!rows.length) return empty("No audience data", "Upload audience shares on the Data page.");
    const label = DIMS.find(([d]) => d === dim)[1];
    const many = rows.length > 6; // long lists (countries): top 12 as horizontal bars, every bucket in the table
    const shown = many ? rows.slice(0, 12) : rows;
    return chartWithTable({ title: `Audience by ${label.toLowerCase()}`, type: many ? "bar" : "doughnut", horizontal: many, labels: shown.map((r) => pick(r, "bucket", "value", "label")), series: [{ label: "Share", values: shown.map((r) => Number(pick(r, "share") ?? 0)) }], valueFormat: fmt.share,
      rows, columns: [{ label, value: (r) => pick(r, "bucket", "value", "label") }, { label: "Share of audience", num: true, value: (r) => fmt.share(pick(r, "share")) }, { label: "Est. people", num: true, value: (r) => fmt.compact(pick(r, "audience")) }],
      caption: v.influencers !== undefined ? `Follower-weighted over ${fmt.int(v.influencers)} influencers with audience data` : undefined });
  });
  fill(boxes.content, content, (v) => {
    const rows = itemsOf(v);
    if (!rows.length) return empty("No posts yet", "Creative performance appears once posts are loaded.");
    const er = (r) => pick(r, "avg_engagement_rate", "engagement_rate");
    return chartWithTable({ title: "Engagement rate by content type", type: "bar", labels: rows.map((r) => fmt.label(r.content_type)), series: [{ label: "Avg engagement rate", values: rows.map((r) => Number(er(r) ?? 0)) }], valueFormat: (x) => fmt.pct(x, 1),
      rows, columns: [{ label: "Content type", value: (r) => fmt.label(r.content_type) }, { label: "Posts", num: true, value: (r) => fmt.int(pick(r, "posts", "post_count")) }, { label: "Avg ER", num: true, value: (r) => fmt.pct(er(r)) }, { label: "Avg views", num: true, value: (r) => fmt.int(pick(r, "avg_views")) }] });
  });
}
