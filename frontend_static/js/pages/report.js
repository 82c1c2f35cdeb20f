// #/campaigns/:id/report — a print-friendly campaign report (budget, results, cost ratios, per-hire
// table, trend and audience charts), plus the pieces the campaign page shares with it: the campaign's
// charts and the authenticated CSV download.
import { api, apiUrl, auth, itemsOf, pick } from "../api.js";
import { chartWithTable } from "../charts.js";
import { clear, empty, errorBox, fmt, h, kpi, loading, num, table } from "../ui.js";

export const title = "Campaign report";

// Fetch a CSV export with the API key and save it (a plain link would not carry the Authorization header).
// A large export answers JSON instead ({delivery: "link", url}): a presigned S3 GET that downloads the file
// by itself (Content-Disposition: attachment), so the browser just follows it.
export async function downloadCsv(path, query, filename) {
  const url = new URL(apiUrl() + path, window.location.href);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  const res = await fetch(url.toString(), { headers: auth.key ? { Authorization: `Bearer ${auth.key}` } : {} });
  const json = (res.headers.get("Content-Type") || "").startsWith("application/json") ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new Error(`Export failed: ${json?.error?.message || `${res.status} ${res.statusText}`}`);
  const href = json?.delivery === "link" ? json.url : URL.createObjectURL(await res.blob());
  const link = h("a", { href, download: json?.filename || filename, class: "visually-hidden" });
  document.body.append(link);
  link.click();
  setTimeout(() => { if (href.startsWith("blob:")) URL.revokeObjectURL(href); link.remove(); }, 1000);
}

export function exportButton(label, path, query, filename) {
  const button = h("button", { class: "btn btn-secondary btn-sm", type: "button", "data-testid": "export-csv" }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try { await downloadCsv(path, query, filename); } catch (err) { window.alert(err.message); } finally { button.disabled = false; }
  });
  return button;
}

// The campaign's daily engagement (last 90 days) and its hires' audience by country, each a chart + table.
export function campaignCharts(id) {
  const trendBox = h("div", { "data-testid": "campaign-trend" }, loading());
  const audienceBox = h("div", { "data-testid": "campaign-audience" }, loading());
  Promise.allSettled([
    api.get("/analytics/engagement-trend", { campaign_id: id, days: 90 }),
    api.get("/analytics/demographics", { campaign_id: id, dimension: "country" }),
  ]).then(([trend, demo]) => {
    clear(trendBox, trend.status === "rejected" ? errorBox(trend.reason) : trendChart(itemsOf(trend.value)));
    clear(audienceBox, demo.status === "rejected" ? errorBox(demo.reason) : audienceChart(demo.value));
  });
  return { trendBox, audienceBox };
}

function trendChart(points) {
  const days = points.filter((p) => Number(p.posts) > 0 || Number(p.engagements) > 0);
  if (!days.length) return empty("No engagement in the last 90 days", "The campaign's posts feed this chart once their metrics are loaded.");
  return chartWithTable({ title: "Daily engagements", type: "line", labels: points.map((p) => fmt.dateShort(p.date)),
    series: [{ label: "Engagements", values: points.map((p) => num(p.engagements)) }], valueFormat: fmt.compact,
    caption: "Days with engagement, most recent first", rows: days.slice().reverse(),
    columns: [{ label: "Date", value: (p) => fmt.date(p.date) }, { label: "Engagements", num: true, value: (p) => fmt.int(p.engagements) },
      { label: "Eng. rate", num: true, value: (p) => fmt.pct(p.engagement_rate) }, { label: "Views", num: true, value: (p) => fmt.int(p.views) }] });
}

function audienceChart(v) {
  const rows = itemsOf(v);
  if (!rows.length) return empty("No audience data", "None of the hired influencers has audience shares yet.");
  const shown = rows.slice(0, 10);
  return chartWithTable({ title: "Hires' audience by country", type: "bar", horizontal: true, labels: shown.map((r) => r.bucket),
    series: [{ label: "Share", values: shown.map((r) => Number(r.share)) }], valueFormat: fmt.share,
    caption: `Follower-weighted over ${fmt.int(v.influencers)} hired influencers with audience data`, rows,
    columns: [{ label: "Country", value: (r) => r.bucket }, { label: "Share", num: true, value: (r) => fmt.share(r.share) }, { label: "Est. people", num: true, value: (r) => fmt.compact(r.audience) }] });
}

export const ratio = (v) => (v === undefined || v === null ? "—" : `${fmt.num(v, 2)}×`);

export async function render({ root, params, isCurrent }) {
  const id = params.id;
  clear(root, loading("Loading the report…"));
  const [campR, sumR, infR] = await Promise.allSettled([api.get(`/campaigns/${id}`), api.get(`/campaigns/${id}/summary`), api.get(`/campaigns/${id}/influencers`)]);
  if (!isCurrent()) return;
  if (campR.status === "rejected" || sumR.status === "rejected") { clear(root, errorBox(campR.reason || sumR.reason)); return; }
  const c = campR.value;
  const s = sumR.value;
  const cur = c.currency;
  document.title = `${c.name} report · Predictfluence`;
  const figures = [
    ["Budget", fmt.money(s.budget, cur)], ["Spent", fmt.money(s.spent, cur)], ["Remaining", fmt.money(s.remaining, cur)],
    ["Hires", fmt.int(s.influencer_count)], ["Engagements", fmt.int(s.engagements)], ["Avg engagement", fmt.pct(s.avg_engagement_rate)],
    ["Views", fmt.int(s.views)], ["CPE", fmt.money2(s.cpe, cur)], ["CPM", fmt.money2(s.cpm, cur)],
    ["Clicks", fmt.int(s.clicks)], ["Orders", fmt.int(s.orders)], ["Revenue", fmt.money(s.revenue, cur)],
    ["ROAS", ratio(s.roas)], ["CPA", fmt.money2(s.cpa, cur)],
  ];
  const hires = infR.status === "fulfilled" ? itemsOf(infR.value) : [];
  const charts = campaignCharts(id);
  const print = h("button", { class: "btn", type: "button" }, "Print");
  print.addEventListener("click", () => window.print());
  clear(root, h("div", { class: "page report-page", "data-testid": "report-page" },
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, `${c.name} — campaign report`),
        h("p", {}, [c.brand, `${fmt.date(c.start_date)} – ${fmt.date(c.end_date)}`, `Currency: ${cur}`, `Generated ${fmt.datetime(new Date().toISOString())}`].filter(Boolean).join(" · "))),
      h("div", { class: "page-actions no-print" }, h("a", { class: "btn btn-secondary", href: `#/campaigns/${id}` }, "Back to campaign"),
        exportButton("Export CSV", `/campaigns/${id}/report.csv`, {}, `campaign-${id}-report.csv`), print)),
    h("section", { class: "report-figures", "aria-label": "Campaign figures" }, figures.map(([k, v]) => kpi(k, v, null, `report-${k.toLowerCase().replace(/ /g, "-")}`))),
    h("section", { class: "card" }, h("h2", {}, "Engagement over time"), charts.trendBox),
    h("section", { class: "card" }, h("h2", {}, "Audience of the hires"), charts.audienceBox),
    h("section", { class: "card" }, h("h2", {}, `Hires (${fmt.int(hires.length)})`), hires.length === 0 ? empty("No hires", "Nobody is hired for this campaign yet.") :
      table({ caption: "Per-hire performance", rows: hires, columns: hireColumns(cur) }))));
}

// Per-hire result columns shared by the campaign page and the report.
export function hireColumns(cur) {
  return [
    { label: "Influencer", value: (r) => `@${r.handle}` },
    { label: "Status", value: (r) => fmt.label(pick(r, "hire_status", "status")) },
    { label: "Cost", num: true, value: (r) => fmt.money(r.agreed_cost, cur) },
    { label: "Engagements", num: true, value: (r) => fmt.int(r.engagements) },
    { label: "Views", num: true, value: (r) => fmt.int(r.views) },
    { label: "Clicks", num: true, value: (r) => fmt.int(r.clicks) },
    { label: "Orders", num: true, value: (r) => fmt.int(r.orders) },
    { label: "Revenue", num: true, value: (r) => fmt.money(r.revenue, cur) },
    { label: "ROAS", num: true, value: (r) => ratio(r.roas) },
    { label: "CPA", num: true, value: (r) => fmt.money2(r.cpa, cur) },
  ];
}
