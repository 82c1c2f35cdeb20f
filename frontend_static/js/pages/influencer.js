import { api, itemsOf, pick } from "../api.js";
import { chart, chartWithTable } from "../charts.js";
import { openHireDialog } from "../hire.js";
import { navigate } from "../router.js";
import { avatar, badge, clear, empty, errorBox, fmt, h, num, statusBadge, table } from "../ui.js";
import { erOf, influencerName, snapshotMarker } from "./influencers.js";
import { addToShortlistButton } from "./shortlists.js";

export const title = "Influencer";
const DIMENSIONS = [["country", "Country"], ["age_group", "Age group"], ["gender", "Gender"]];

// audience may be {country: [{bucket, share}]}, {country: {US: 0.4}} or [{dimension, bucket, share}]
export function audienceBy(audience, dim) {
  if (!audience) return [];
  if (Array.isArray(audience)) return audience.filter((a) => a.dimension === dim);
  const v = audience[dim];
  if (Array.isArray(v)) return v;
  if (v && typeof v === "object") return Object.entries(v).map(([bucket, share]) => ({ bucket, share }));
  return [];
}

// The audience-quality check: engagement that looks unusual against tier/platform peers.
export function anomalyWarning(score) {
  const reasons = pick(score || {}, "anomaly_reasons") || [];
  if (!reasons.length) return null;
  return h("div", { class: "alert alert-warning", "data-testid": "anomaly-warning" },
    h("strong", {}, "Unusual engagement — check before hiring"),
    h("ul", {}, reasons.map((r) => h("li", {}, r))));
}

// A cost as the site shows it: a forecast is labelled as one, with its 80% range
// ("$420 forecast ($310–$560)"); without one, the average agreed cost of past hires, labelled too.
export function costText(r, currency) {
  const has = (v) => v !== undefined && v !== null;
  if (has(r.cost_per_post)) {
    const span = has(r.cost_low) && has(r.cost_high) ? ` (${fmt.money(r.cost_low, currency)}–${fmt.money(r.cost_high, currency)})` : "";
    return `${fmt.money(r.cost_per_post, currency)} forecast${span}`;
  }
  if (has(r.past_agreed_cost)) return `${fmt.money(r.past_agreed_cost, currency)} avg. of past hires`;
  return "No forecast yet";
}

// Where a headline figure comes from: post metrics, the influencer's own profile, or an imported snapshot.
export function figureSource(p, figure) {
  const snap = p.latest_snapshot;
  const snapText = (s) => `snapshot · ${s.source} · ${s.as_of}`;
  if (figure === "followers") {
    if (p.followers_source === "snapshot" && snap) return snapText(snap);
    return p.followers_source === "profile" ? "profile" : null;
  }
  if (p.figures_source === "snapshot") return `snapshot · ${p.snapshot_source} · ${p.snapshot_as_of}`;
  if (p.figures_source === "posts") return snap ? `post metrics (snapshot of ${snap.as_of} not used)` : "post metrics";
  return null;
}

// The imported file's own words for the category and country, when they said more than the stored values.
function sourceText(p) {
  const parts = [["category", p.category_source], ["country", p.country_source]]
    .filter(([, text]) => text).map(([what, text]) => `${what} “${text}”`);
  return parts.length ? h("p", { class: "meta", "data-testid": "source-text" }, `as written in the file: ${parts.join(", ")}`) : null;
}

function stat(label, value, source) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value, source ? h("span", { class: "fig-source", "data-testid": "figure-source" }, source) : null));
}

// Imported snapshots over time: a chart when there are two or more, always a table.
function snapshotHistory(p) {
  const snaps = pick(p, "snapshots") || [];
  if (snaps.length === 0) return null;
  const columns = [
    { label: "As of", value: (s) => fmt.date(s.as_of) }, { label: "Source", value: (s) => s.source },
    { label: "Followers", num: true, value: (s) => fmt.int(s.followers) }, { label: "ER", num: true, value: (s) => fmt.pct(s.engagement_rate) },
    { label: "Avg likes", num: true, value: (s) => fmt.int(s.avg_likes) }, { label: "Avg views", num: true, value: (s) => fmt.int(s.avg_views) },
  ];
  return h("section", { class: "card", "data-testid": "snapshot-history" }, h("h2", {}, "Imported snapshots"),
    snaps.length > 1
      ? chartWithTable({ title: "Followers per snapshot", type: "line", labels: snaps.map((s) => fmt.dateShort(s.as_of)), series: [{ label: "Followers", values: snaps.map((s) => num(s.followers)) }], valueFormat: fmt.compact,
        caption: "Imported snapshots, most recent first", rows: snaps.slice().reverse(), columns })
      : table({ caption: "Imported snapshot", rows: snaps, columns }));
}

export async function render({ root, params, isCurrent }) {
  const id = params.id;
  const [profileR, similarR] = await Promise.allSettled([api.get(`/influencers/${id}`), api.get(`/influencers/${id}/similar`, { limit: 6 })]);
  if (!isCurrent()) return;
  if (profileR.status === "rejected") {
    const err = profileR.reason;
    clear(root, h("div", { class: "page" }, h("div", { class: "breadcrumb" }, h("a", { href: "#/influencers" }, "Influencers")),
      err.status === 404 ? h("div", { class: "card" }, empty("Influencer not found", `There is no influencer with id ${id}.`, h("a", { class: "btn btn-secondary", href: "#/influencers" }, "Back to influencers"))) : errorBox(err)));
    return;
  }
  const p = profileR.value;
  document.title = `${influencerName(p)} · Predictfluence`;
  const trend = itemsOf(pick(p, "trend", "engagement_trend", "daily") || []);
  const campaigns = itemsOf(pick(p, "campaigns", "hires") || []);
  const scores = pick(p, "scores") || [];
  // headline: the overall score when there is one, else the content type with the best prediction
  const best = scores.slice().sort((a, b) => (b.predicted_engagement_rate ?? 0) - (a.predicted_engagement_rate ?? 0))[0];
  const score = pick(p, "score", "current_score") || scores.find((s) => s.content_type === "all") || best;
  const hireBtn = h("button", { class: "btn", type: "button", "data-needs": "manager", onclick: () => openHireDialog(p, { onHired: () => navigate(`/influencers/${id}`, { hired: Date.now() }, { replace: true }) }) }, "Hire to campaign");

  const similarBox = h("div", {});
  if (similarR.status === "fulfilled") {
    const sim = itemsOf(similarR.value);
    clear(similarBox, sim.length === 0 ? empty("No lookalikes yet", "Similar influencers appear after the models have been trained.") :
      table({ caption: "Similar influencers", rows: sim, onRowClick: (r) => navigate(`/influencers/${pick(r, "id", "influencer_id")}`), rowLabel: (r) => `Open ${influencerName(r)}`,
        columns: [
          { label: "Influencer", value: (r) => h("a", { class: "cell-main", href: `#/influencers/${pick(r, "id", "influencer_id")}` }, influencerName(r)) },
          { label: "Platform", value: (r) => fmt.label(r.platform) },
          { label: "Followers", num: true, value: (r) => fmt.compact(r.followers) },
          { label: "Avg ER", num: true, value: (r) => fmt.pct(erOf(r)) },
        ] }));
  } else clear(similarBox, errorBox(similarR.reason));

  const audienceCards = DIMENSIONS.map(([dim, label]) => {
    const rows = audienceBy(pick(p, "audience", "audience_breakdown"), dim).slice().sort((a, b) => b.share - a.share);
    return h("section", { class: "card" }, h("h2", {}, `Audience by ${label.toLowerCase()}`),
      rows.length === 0 ? empty("No audience data", "Upload an audience CSV for this influencer.") :
        h("div", {}, chart({ type: dim === "country" ? "bar" : "doughnut", labels: rows.map((r) => r.bucket), series: [{ label: "Share", values: rows.map((r) => Number(r.share)) }], valueFormat: fmt.share, label: `Audience by ${label}`, small: true, horizontal: dim === "country" }),
          table({ caption: `Audience by ${label.toLowerCase()}`, rows, columns: [{ label, value: (r) => r.bucket }, { label: "Share", num: true, value: (r) => fmt.share(r.share) }] })));
  });

  clear(root, h("div", { class: "page", "data-testid": "influencer-profile" },
    h("div", {},
      h("div", { class: "breadcrumb" }, h("a", { href: "#/influencers" }, "Influencers"), " / ", influencerName(p)),
      h("div", { class: "page-head" },
        h("div", { class: "profile-head" }, avatar(influencerName(p), true),
          h("div", {}, h("h1", {}, influencerName(p)),
            h("div", { class: "meta" }, badge(`@${p.handle}`), badge(fmt.label(p.platform), "primary"), p.category ? badge(fmt.label(p.category)) : null, p.country ? badge(p.country) : null, p.follower_tier ? badge(`${fmt.label(p.follower_tier)} tier`) : null),
            sourceText(p))),
        h("div", { class: "page-actions" }, addToShortlistButton(id), hireBtn))),
    snapshotMarker(p),
    h("dl", { class: "stat-list", "data-testid": "profile-stats" },
      stat("Followers", fmt.int(p.followers), figureSource(p, "followers")),
      [["Avg engagement rate", fmt.pct(erOf(p))], ["Avg likes", fmt.int(pick(p, "avg_likes"))], ["Avg views", fmt.int(pick(p, "avg_views"))], ["Avg comments", fmt.int(pick(p, "avg_comments"))]]
        .map(([k, v]) => stat(k, v, figureSource(p, "averages"))),
      stat("Posts", fmt.int(p.figures_source === "snapshot" && p.snapshot_posts != null ? p.snapshot_posts : pick(p, "posts", "posts_count", "post_count")), p.figures_source === "snapshot" && p.snapshot_posts != null ? figureSource(p, "averages") : null),
      [...(score ? [[`Predicted ER${score.content_type && score.content_type !== "all" ? ` · ${fmt.label(score.content_type)}` : ""}`, fmt.pct(pick(score, "predicted_engagement_rate", "predicted_er"))], ["Performance tier", fmt.label(pick(score, "performance_tier"))],
          ...(score.cost_per_post !== undefined && score.cost_per_post !== null ? [[`Cost per post${score.content_type && score.content_type !== "all" ? ` · ${fmt.label(score.content_type)}` : ""}`, costText(score)]] : [])] : [])]
        .map(([k, v]) => stat(k, v, k.startsWith("Cost per post") ? "forecast" : null))),
    score && score.rationale ? h("div", { class: "alert alert-info" }, h("strong", {}, `Why this prediction${score.content_type && score.content_type !== "all" ? ` (${fmt.label(score.content_type).toLowerCase()} posts)` : ""}`), score.rationale) : null,
    anomalyWarning(score),
    scores.length > 1 ? h("section", { class: "card" }, h("h2", {}, "Predicted engagement by content type"),
      table({ caption: "Model predictions per content type, best first", rows: scores.slice().sort((a, b) => (b.predicted_engagement_rate ?? 0) - (a.predicted_engagement_rate ?? 0)), columns: [
        { label: "Content type", value: (s) => fmt.label(s.content_type) },
        { label: "Predicted ER", num: true, value: (s) => fmt.pct(pick(s, "predicted_engagement_rate", "predicted_er")) },
        { label: "80% range", num: true, value: (s) => (s.interval_low !== undefined && s.interval_low !== null ? `${fmt.pct(s.interval_low)} – ${fmt.pct(s.interval_high)}` : "—") },
        { label: "Tier", value: (s) => fmt.label(s.performance_tier) },
        ...(scores.some((s) => s.cost_per_post !== undefined && s.cost_per_post !== null) ? [{ label: "Cost per post (forecast)", num: true, value: (s) => costText(s) }] : []),
      ] })) : null,
    snapshotHistory(p),
    h("section", { class: "card" }, h("h2", {}, "Engagement rate, last 30 days"),
      trend.length === 0 ? empty("No posts in the last 30 days", "The trend appears once post metrics arrive.") :
        chartWithTable({ title: "Daily engagement rate", type: "line", labels: trend.map((t) => fmt.dateShort(t.date)), series: [{ label: "Engagement rate", values: trend.map((t) => num(pick(t, "engagement_rate", "avg_engagement_rate"))) }], valueFormat: (v) => fmt.pct(v, 1),
          caption: "Days with posts, most recent first",
          rows: trend.filter((t) => num(pick(t, "engagement_rate", "avg_engagement_rate")) !== null).reverse(), columns: [{ label: "Date", value: (t) => fmt.date(t.date) }, { label: "Eng. rate", num: true, value: (t) => fmt.pct(pick(t, "engagement_rate", "avg_engagement_rate")) }] })),
    h("div", { class: "grid grid-3" }, audienceCards),
    h("div", { class: "grid grid-2" },
      h("section", { class: "card" }, h("h2", {}, "Campaigns"),
        campaigns.length === 0 ? empty("Not in any campaign yet", "Hire this influencer to one of your campaigns.", null) :
          table({ caption: "Campaigns this influencer is in", rows: campaigns, onRowClick: (c) => navigate(`/campaigns/${pick(c, "campaign_id", "id")}`), rowLabel: (c) => `Open campaign ${pick(c, "name", "campaign_name")}`,
            columns: [
              { label: "Campaign", value: (c) => h("a", { class: "cell-main", href: `#/campaigns/${pick(c, "campaign_id", "id")}` }, pick(c, "name", "campaign_name")) },
              { label: "Status", value: (c) => statusBadge(pick(c, "hire_status", "status")) },
              { label: "Agreed cost", num: true, value: (c) => fmt.money(pick(c, "agreed_cost", "cost"), c.currency) },
            ] })),
      h("section", { class: "card" }, h("h2", {}, "Similar influencers"), similarBox)),
  ));
}
