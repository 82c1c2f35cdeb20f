import { api, itemsOf, pick } from "../api.js";
import { chartWithTable, comparisonChartWithTable } from "../charts.js";
import { CATEGORIES, PLATFORMS, opts } from "../options.js";
import { navigate } from "../router.js";
import { clear, empty, errorBox, field, fmt, h, kpi, loading, num, select } from "../ui.js";

export const title = "Analytics";
const DIMS = [["country", "Country"], ["age_group", "Age group"], ["gender", "Gender"]];
const PRESETS = [7, 30, 90];
const DAY = 86400000;

function section(titleText, body, extra) {
  return h("section", { class: "card" }, h("div", { class: "card-head" }, h("h2", {}, titleText), extra || null), body);
}

const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (text, n) => iso(new Date(Date.parse(`${text}T00:00:00Z`) + n * DAY));
const lengthDays = (start, end) => Math.round((Date.parse(end) - Date.parse(start)) / DAY) + 1;

// The view's filters from the URL hash query; the period defaults to the 30 days up to today (UTC).
function filtersOf(query) {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(query.end_date || "") ? query.end_date : iso(new Date());
  const start = /^\d{4}-\d{2}-\d{2}$/.test(query.start_date || "") ? query.start_date : addDays(end, -29);
  return { start_date: start, end_date: end, platform: query.platform || "", campaign_id: query.campaign_id || "", category: query.category || "", compare: query.compare === "previous" ? "previous" : "" };
}

// Δ% mark: "▲ 12.5%" (up), "▼ 3.0%" (down); nothing without a figure to compare with.
function delta(pct, what = "vs previous period") {
  if (pct === null || pct === undefined) return h("span", { class: "delta flat", "data-testid": "delta" }, "–");
  const kind = pct > 0 ? "up" : pct < 0 ? "down" : "flat";
  const text = `${pct > 0 ? "▲" : pct < 0 ? "▼" : ""} ${Math.abs(pct).toFixed(1)}%`.trim();
  return h("span", { class: `delta ${kind}`, "data-testid": "delta", title: what, "aria-label": `${pct > 0 ? "up" : pct < 0 ? "down" : "no change"} ${Math.abs(pct).toFixed(1)}% ${what}` }, text);
}

function filterBar(f, query, campaigns) {
  const go = (changes) => navigate("/analytics", { ...query, ...f, ...changes });
  const dateInput = (name) => h("input", { type: "date", name, value: f[name], required: true, "data-testid": `filter-${name}` });
  const start = dateInput("start_date");
  const end = dateInput("end_date");
  const err = h("div", { class: "field-error", "aria-live": "polite", "data-testid": "period-error" });
  const applyDates = () => {
    if (!start.value || !end.value) return;
    if (end.value < start.value) { err.textContent = "The end date must not be before the start date."; return; }
    if (lengthDays(start.value, end.value) > 366) { err.textContent = "A period is at most 366 days."; return; }
    go({ start_date: start.value, end_date: end.value });
  };
  start.addEventListener("change", applyDates);
  end.addEventListener("change", applyDates);
  const current = lengthDays(f.start_date, f.end_date);
  const presets = h("div", { class: "presets" }, h("span", { class: "presets-label", id: "period-presets" }, "Quick period"),
    h("div", { class: "segmented", role: "group", "aria-labelledby": "period-presets" }, PRESETS.map((n) => h("button", {
      type: "button", "data-testid": `preset-${n}`, "aria-pressed": String(current === n && f.end_date === iso(new Date())),
      onclick: () => go({ start_date: addDays(iso(new Date()), 1 - n), end_date: iso(new Date()) }) }, `${n} days`))));
  const onChange = (name) => (e) => go({ [name]: e.target.value });
  const platform = select("platform", opts(PLATFORMS, "All platforms"), f.platform, { "data-testid": "filter-platform" });
  const campaign = select("campaign_id", [["", "All campaigns"], ...campaigns.map((c) => [String(c.id), c.name])], f.campaign_id, { "data-testid": "filter-campaign" });
  const category = select("category", opts(CATEGORIES, "All categories"), f.category, { "data-testid": "filter-category" });
  platform.addEventListener("change", onChange("platform"));
  campaign.addEventListener("change", onChange("campaign_id"));
  category.addEventListener("change", onChange("category"));
  const compare = h("input", { type: "checkbox", id: "compare-previous", name: "compare", "data-testid": "compare-previous", checked: f.compare ? true : null });
  compare.addEventListener("change", () => go({ compare: compare.checked ? "previous" : "" }));
  return h("form", { class: "filters card analytics-filters", role: "search", "aria-label": "Analytics filters", onsubmit: (e) => { e.preventDefault(); applyDates(); } },
    field("From", start), field("To", end), presets, field("Platform", platform), field("Campaign", campaign), field("Category", category),
    h("div", { class: "field compare-field" }, h("label", { class: "compare-toggle", for: "compare-previous" }, compare, "Compare with previous period")), err);
}

function kpis(trend) {
  const t = trend.totals || {};
  const change = trend.change_pct;
  const card = (label, value, key, testid) => kpi(label, value, change ? delta(change[key]) : null, testid);
  return h("div", { class: "analytics-kpis", "data-testid": "period-kpis" },
    card("Posts measured", fmt.int(t.posts), "posts", "kpi-posts"), card("Engagements", fmt.int(t.engagements), "engagements", "kpi-engagements"),
    card("Avg engagement rate", fmt.pct(t.engagement_rate), "engagement_rate", "kpi-er"), card("Views", fmt.int(t.views), "views", "kpi-views"));
}

function trendFigure(v) {
  const pts = itemsOf(v);
  const prev = v.previous ? v.previous.points : null;
  const er = (p) => pick(p, "engagement_rate");
  const has = (p) => Boolean(p) && er(p) !== null && er(p) !== undefined;
  const rows = pts.map((p, i) => ({ ...p, prev: prev ? prev[i] : null })).filter((p) => has(p) || has(p.prev)).reverse();
  if (!rows.length) return empty("No engagement in this period", "Post metrics of the chosen period feed this chart.");
  const columns = [{ label: "Date", value: (p) => fmt.date(p.date) }, { label: "Eng. rate", num: true, value: (p) => fmt.pct(er(p)) }, { label: "Engagements", num: true, value: (p) => fmt.int(p.engagements) }, { label: "Posts", num: true, value: (p) => fmt.int(p.posts) }];
  if (prev) columns.push({ label: "Previous period date", value: (p) => fmt.date(p.prev.date) }, { label: "Previous eng. rate", num: true, value: (p) => fmt.pct(er(p.prev)) });
  return comparisonChartWithTable({ title: "Daily engagement rate", labels: pts.map((p) => fmt.dateShort(p.date)), current: pts.map((p) => num(er(p))), previous: prev ? prev.map((p) => num(er(p))) : null,
    valueFormat: (x) => fmt.pct(x, 1), caption: prev ? "Days with posts, most recent first, beside the same day of the previous period" : "Days with posts, most recent first", rows, columns });
}

function contentFigure(v) {
  const rows = itemsOf(v);
  if (!rows.length) return empty("No posts in this period", "Creative performance appears once posts published in the period are loaded.");
  const er = (r) => pick(r, "avg_engagement_rate");
  const change = v.change_pct;
  const columns = [{ label: "Content type", value: (r) => fmt.label(r.content_type) }, { label: "Posts", num: true, value: (r) => fmt.int(r.posts) }, { label: "Avg ER", num: true, value: (r) => fmt.pct(er(r)) }, { label: "Avg views", num: true, value: (r) => fmt.int(r.avg_views) }];
  if (change) columns.push({ label: "Δ posts", num: true, value: (r) => delta(change[r.content_type]?.posts) }, { label: "Δ avg ER", num: true, value: (r) => delta(change[r.content_type]?.avg_engagement_rate) });
  return chartWithTable({ title: "Engagement rate by content type", type: "bar", labels: rows.map((r) => fmt.label(r.content_type)), series: [{ label: "Avg engagement rate", values: rows.map((r) => Number(er(r) ?? 0)) }], valueFormat: (x) => fmt.pct(x, 1), rows, columns });
}

function topFigure(v) {
  const rows = itemsOf(v);
  if (!rows.length) return empty("No campaign results yet", "Campaigns appear once their influencers have posted.");
  const er = (r) => pick(r, "avg_engagement_rate");
  return chartWithTable({ title: "Campaign engagement rate", type: "bar", horizontal: true, labels: rows.map((r) => r.name), series: [{ label: "Engagement rate", values: rows.map((r) => Number(er(r) ?? 0)) }], valueFormat: (x) => fmt.pct(x, 1),
    rows, columns: [{ label: "Campaign", value: (r) => h("a", { href: `#/campaigns/${r.campaign_id}` }, r.name) }, { label: "Eng. rate", num: true, value: (r) => fmt.pct(er(r)) }, { label: "Posts", num: true, value: (r) => fmt.int(r.posts) }, { label: "CPE", num: true, value: (r) => fmt.money2(r.cpe, r.currency) }] });
}

function demoFigure(v, dim) {
  const rows = itemsOf(v).slice().sort((a, b) => Number(b.share ?? 0) - Number(a.share ?? 0));
  if (!rows.length) return empty("No audience data", "Upload audience shares on the Data page.");
  const label = DIMS.find(([d]) => d === dim)[1];
  const many = rows.length > 6; // long lists (countries): top 12 as horizontal bars, every bucket in the table
  const shown = many ? rows.slice(0, 12) : rows;
  return chartWithTable({ title: `Audience by ${label.toLowerCase()}`, type: many ? "bar" : "doughnut", horizontal: many, labels: shown.map((r) => r.bucket), series: [{ label: "Share", values: shown.map((r) => Number(r.share ?? 0)) }], valueFormat: fmt.share,
    rows, columns: [{ label, value: (r) => r.bucket }, { label: "Share of audience", num: true, value: (r) => fmt.share(r.share) }, { label: "Est. people", num: true, value: (r) => fmt.compact(r.audience) }],
    caption: v.influencers !== undefined ? `Follower-weighted over ${fmt.int(v.influencers)} influencers with audience data` : undefined });
}

export async function render({ root, query, isCurrent }) {
  const dim = DIMS.some(([d]) => d === query.dimension) ? query.dimension : "country";
  const f = filtersOf(query);
  const boxes = { filters: h("div", {}, loading()), kpis: h("div", {}, loading()), trend: h("div", {}, loading()), top: h("div", {}, loading()), demo: h("div", {}, loading()), content: h("div", {}, loading()) };
  const dimToggle = h("div", { class: "segmented", role: "group", "aria-label": "Demographic dimension" },
    DIMS.map(([d, l]) => h("button", { type: "button", "aria-pressed": String(d === dim), onclick: () => navigate("/analytics", { ...query, dimension: d }) }, l)));
  const period = `${fmt.date(f.start_date)} – ${fmt.date(f.end_date)}`;
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Analytics"), h("p", {}, "Engagement, campaign results, audiences and creative performance."))),
    boxes.filters,
    section(`This period: ${period}${f.compare ? " vs the previous period" : ""}`, boxes.kpis),
    section(f.end_date === iso(new Date()) ? `Engagement trend, last ${lengthDays(f.start_date, f.end_date)} days` : `Engagement trend, ${period}`, boxes.trend),
    section("Top campaigns by engagement rate (posts published in the period)", boxes.top),
    section("Audience demographics", boxes.demo, dimToggle),
    section("Creative performance by content type (posts published in the period)", boxes.content)));

  const shared = { platform: f.platform, campaign_id: f.campaign_id, category: f.category };
  const dated = { ...shared, start_date: f.start_date, end_date: f.end_date, compare: f.compare };
  const [campaigns, trend, top, demo, content] = await Promise.allSettled([
    api.get("/campaigns", { page_size: 200, sort: "name", order: "asc" }),
    api.get("/analytics/engagement-trend", dated),
    api.get("/analytics/top-campaigns", { limit: 10, start_date: f.start_date, end_date: f.end_date, platform: f.platform, category: f.category }),
    api.get("/analytics/demographics", { dimension: dim, ...shared }),
    api.get("/analytics/content-types", dated),
  ]);
  if (!isCurrent()) return;
  const fill = (box, r, fn) => clear(box, r.status === "rejected" ? errorBox(r.reason) : fn(r.value));
  clear(boxes.filters, filterBar(f, query, campaigns.status === "fulfilled" ? itemsOf(campaigns.value) : []));
  fill(boxes.kpis, trend, kpis);
  fill(boxes.trend, trend, trendFigure);
  fill(boxes.top, top, topFigure);
  fill(boxes.demo, demo, (v) => demoFigure(v, dim));
  fill(boxes.content, content, contentFigure);
}
