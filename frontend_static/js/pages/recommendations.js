import { api, itemsOf, pick } from "../api.js";
import { loadCampaigns, openHireDialog } from "../hire.js";
import { navigate } from "../router.js";
import { avatar, badge, clear, empty, errorBox, field, fmt, h, loading, select } from "../ui.js";
import { AUDIENCE_SIZES, CATEGORIES, CONTENT_TYPES, PLATFORMS, opts, suggestInput } from "../options.js";
import { anomalyWarning, costText } from "./influencer.js";
import { influencerName } from "./influencers.js";
import { pager } from "../pager.js";
import { exportButton } from "./report.js";
import { addToShortlistButton } from "./shortlists.js";

export const title = "Recommendations";
const PAGE_SIZE = 20;
const KEYS = ["objective", "platform", "audience_size", "content_type", "category", "campaign_id", "include_flagged"];
// GET /recommendations?objective= — a copy of predictfluence.vocab.RANKING_OBJECTIVES, in its order
// (tests/browser/test_recommendation_objectives.py checks it); the first is the API's default.
export const RANKING_OBJECTIVES = [
  ["engagements_per_dollar", "Engagements per dollar"],
  ["engagements", "Engagements per post"],
  ["engagement_rate", "Engagement rate"],
];
const DEFAULT_OBJECTIVE = RANKING_OBJECTIVES[0][0];
const range = (lo, hi, f) => (lo !== undefined && lo !== null && hi !== undefined && hi !== null ? ` (${f(lo)}–${f(hi)})` : "");
const perDollar = (v) => fmt.num(v, 1);

// objective -> [label, value, low, high, format] of a row
function figure(r, objective) {
  if (objective === "engagements_per_dollar") return ["Engagements per $", r.engagements_per_dollar, r.engagements_per_dollar_low, r.engagements_per_dollar_high, perDollar];
  if (objective === "engagements") return ["Engagements per post", r.expected_engagements, r.expected_engagements_low, r.expected_engagements_high, fmt.int];
  const [lo, hi] = interval(r);
  return ["Predicted ER", pick(r, "predicted_engagement_rate", "predicted_er"), lo, hi, fmt.pct];
}

// All three objectives with their 80 % intervals (the ranked one marked) and the cost of a post.
function figures(r, objective) {
  return h("dl", { class: "stat-list rec-figures", "data-testid": "objective-figures" },
    RANKING_OBJECTIVES.map(([key]) => {
      const [label, v, lo, hi, f] = figure(r, key);
      const ranked = key === objective;
      return h("div", { class: ranked ? "is-objective" : null, "data-objective": key },
        h("dt", {}, label, ranked ? h("span", { class: "badge badge-primary" }, "ranked by") : null),
        h("dd", {}, f(v), h("span", { class: "range" }, range(lo, hi, f))));
    }),
    h("div", { "data-testid": "cost" }, h("dt", {}, "Cost per post"), h("dd", {}, costText(r))));
}

function interval(r) {
  const iv = pick(r, "interval", "er_interval");
  if (Array.isArray(iv)) return iv;
  if (iv && typeof iv === "object") return [pick(iv, "low", "lower"), pick(iv, "high", "upper")];
  return [pick(r, "interval_low", "er_low", "low"), pick(r, "interval_high", "er_high", "high")];
}

function intervalBar(lo, mid, hi, max) {
  if (lo === undefined || lo === null || hi === undefined || hi === null || mid === null || !max) return null;
  const pct = (v) => `${Math.max(0, Math.min(100, (Number(v) / max) * 100))}%`;
  return h("div", { class: "interval-bar", "aria-hidden": "true" },
    h("span", { style: `left:${pct(lo)};width:calc(${pct(hi)} - ${pct(lo)})` }), h("i", { style: `left:${pct(mid)}` }));
}

export async function render({ root, query, isCurrent }) {
  let campaigns = [];
  try { campaigns = await loadCampaigns(true); } catch { campaigns = []; }
  if (!isCurrent()) return;
  const [categoryInput, categoryList] = suggestInput(h, "category", CATEGORIES, query.category, "Any category");
  const inputs = {
    objective: select("objective", RANKING_OBJECTIVES, query.objective || DEFAULT_OBJECTIVE),
    platform: select("platform", opts(PLATFORMS, "Any platform"), query.platform),
    audience_size: select("audience_size", opts(AUDIENCE_SIZES, "Any size"), query.audience_size),
    content_type: select("content_type", opts(CONTENT_TYPES, "Any content"), query.content_type),
    category: categoryInput,
    campaign_id: select("campaign_id", [["", "No campaign"], ...campaigns.map((c) => [c.id, c.name])], query.campaign_id),
    include_flagged: h("input", { type: "checkbox", name: "include_flagged", "data-testid": "include-flagged", checked: query.include_flagged === "true" ? true : null }),
  };
  const value = (k) => (k === "include_flagged" ? (inputs[k].checked ? "true" : "") : inputs[k].value);
  const form = h("form", { class: "filters card", "aria-label": "Recommendation filters" },
    field("Rank by", inputs.objective, { hint: "Per dollar uses the forecast cost of a post", className: "span-2" }),
    field("Platform", inputs.platform), field("Audience size", inputs.audience_size), field("Content type", inputs.content_type),
    field("Category", inputs.category), categoryList, field("For campaign", inputs.campaign_id, { hint: "Hire buttons use this campaign" }),
    h("div", { class: "field" }, h("label", { class: "toggle" }, inputs.include_flagged, " Include flagged accounts"),
      h("div", { class: "small muted" }, "Off: accounts flagged for unusual (likely bought) engagement are left out")),
    h("div", { class: "actions" }, h("button", { class: "btn", type: "submit" }, "Recommend")));
  const apply = () => navigate("/recommendations", Object.fromEntries(KEYS.map((k) => [k, value(k)])));
  const page = Math.max(1, Number.parseInt(query.page, 10) || 1);
  const params = { ...Object.fromEntries(KEYS.map((k) => [k, query[k]])), limit: PAGE_SIZE, page };
  form.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  for (const k of KEYS) inputs[k].addEventListener("change", apply);
  const results = h("div", {}, loading("Ranking influencers…"));
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Recommendations"), h("p", {}, "Influencers ranked by what you choose — expected engagements per dollar by default — with 80% ranges, a cost forecast and the reasons behind each prediction."))),
    form, results));

  let resp;
  try {
    resp = await api.get("/recommendations", { ...Object.fromEntries(KEYS.map((k) => [k, query[k]])), limit: PAGE_SIZE, page });
  } catch (err) {
    if (isCurrent()) clear(results, errorBox(err));
    return;
  }
  if (!isCurrent()) return;
  const rows = itemsOf(resp);
  // Items that carry only the influencer id get its name, handle and reach from the profile.
  const bare = rows.filter((r) => !r.handle && pick(r, "influencer_id", "id") !== undefined);
  if (bare.length) {
    const profiles = await Promise.allSettled(bare.map((r) => api.get(`/influencers/${pick(r, "influencer_id", "id")}`)));
    if (!isCurrent()) return;
    profiles.forEach((p, i) => {
      if (p.status !== "fulfilled") return;
      const { handle, name, platform, category, country, followers, follower_tier } = p.value;
      Object.assign(bare[i], { handle, name, platform, category, country, followers, follower_tier });
    });
  }
  if (rows.length === 0) {
    clear(results, h("div", { class: "card" }, empty("No recommendations", "Nothing matches these filters yet, or the models have not scored influencers. Widen the filters or check Data for recent loads.")));
    return;
  }
  const objective = resp?.objective || query.objective || DEFAULT_OBJECTIVE;
  const meta = [];
  if (resp && resp.model_version) meta.push(`Scores from model ${resp.model_version.version}, trained ${fmt.date(resp.model_version.trained_at)}.`);
  if (resp && resp.campaign_remaining_budget !== undefined && resp.campaign_remaining_budget !== null) {
    const c = campaigns.find((x) => String(x.id) === String(query.campaign_id));
    meta.push(`${c ? c.name : "The campaign"} has ${fmt.money(resp.campaign_remaining_budget, c?.currency)} left; influencers already hired, or whose cost (the forecast, else the average of past hires) is above that, are left out.`);
  }
  const max = Math.max(...rows.map((r) => { const [, v, , hi] = figure(r, objective); return Number(hi ?? v ?? 0); })) * 1.1;
  const campaignId = query.campaign_id;
  const pages = pager({ page, pageSize: PAGE_SIZE, shown: rows.length, hasMore: resp.has_more, noun: "influencers",
    onPage: (p) => navigate("/recommendations", { ...Object.fromEntries(KEYS.map((k) => [k, query[k]])), page: p }) });
  clear(results, meta.length ? h("p", { class: "muted small", "data-testid": "recommendations-meta", style: "margin:0 0 12px" }, meta.join(" ")) : null,
    h("div", { class: "page-actions" }, exportButton("Export CSV", "/recommendations.csv", params, "recommendations.csv")),
    h("ol", { class: "rec-list", "data-testid": "recommendations" }, rows.map((r, i) => {
    const id = pick(r, "influencer_id", "id");
    const [label, v, lo, hi, f] = figure(r, objective);
    const person = { id, handle: r.handle, name: r.name };
    const flagged = (pick(r, "anomaly_reasons") || []).length > 0;
    return h("li", { class: `card rec${flagged ? " rec-flagged" : ""}`, "data-testid": "recommendation", "data-flagged": flagged ? "true" : null },
      h("div", { class: "rank", "aria-label": `Rank ${pick(r, "rank") ?? i + 1}` }, `#${pick(r, "rank") ?? i + 1}`),
      h("div", { class: "body" },
        h("div", { class: "row" },
          h("div", { class: "who", style: "display:flex;gap:10px;align-items:center;min-width:0" }, avatar(influencerName(r)),
            h("div", {}, h("div", { class: "cell-main" }, influencerName(r)), h("div", { class: "cell-sub" }, `@${r.handle || "—"} · ${fmt.label(r.platform)} · ${fmt.compact(r.followers)} followers`))),
          h("div", { class: "prediction", "data-testid": "ranked-value" }, h("div", { class: "small muted" }, `${label}${r.content_type ? " · " + fmt.label(r.content_type) : ""}`),
            h("b", {}, f(v)), " ", h("span", { class: "muted small" }, range(lo, hi, f)),
            intervalBar(lo, v, hi, max))),
        figures(r, objective),
        h("div", { class: "tags" }, flagged ? h("span", { class: "badge badge-danger", "data-testid": "flagged-badge" }, "Flagged") : null, r.past_agreed_cost !== undefined && r.past_agreed_cost !== null ? badge(`Past hires avg. ${fmt.money(r.past_agreed_cost)}`) : null, r.category ? badge(fmt.label(r.category), "primary") : null, pick(r, "follower_tier", "tier") ? badge(fmt.label(pick(r, "follower_tier", "tier"))) : null, r.performance_tier ? badge(`${fmt.label(r.performance_tier)} performer`, "success") : null, r.country ? badge(r.country) : null),
        r.rationale ? h("p", { class: "rationale" }, r.rationale) : null,
        anomalyWarning(r),
        h("div", { class: "page-actions" },
          h("a", { class: "btn btn-secondary btn-sm", href: `#/influencers/${id}` }, "View details"),
          addToShortlistButton(id),
          h("button", { class: "btn btn-sm", type: "button", "data-testid": "hire", "data-needs": "manager", onclick: () => openHireDialog(person, { campaignId, cost: r.past_agreed_cost }) }, campaignId ? "Hire to campaign" : "Hire…"))));
  })), pages);
}
