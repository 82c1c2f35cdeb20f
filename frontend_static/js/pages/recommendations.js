import { api, itemsOf, pick } from "../api.js";
import { loadCampaigns, openHireDialog } from "../hire.js";
import { navigate } from "../router.js";
import { avatar, badge, clear, empty, errorBox, field, fmt, h, loading, select } from "../ui.js";
import { AUDIENCE_SIZES, CATEGORIES, CONTENT_TYPES, PLATFORMS, opts, suggestInput } from "../options.js";
import { anomalyWarning } from "./influencer.js";
import { influencerName } from "./influencers.js";

export const title = "Recommendations";
const KEYS = ["platform", "audience_size", "content_type", "category", "campaign_id", "include_flagged"];

function interval(r) {
  const iv = pick(r, "interval", "er_interval");
  if (Array.isArray(iv)) return iv;
  if (iv && typeof iv === "object") return [pick(iv, "low", "lower"), pick(iv, "high", "upper")];
  return [pick(r, "interval_low", "er_low", "low"), pick(r, "interval_high", "er_high", "high")];
}

function intervalBar(lo, mid, hi, max) {
  if (lo === undefined || hi === undefined || !max) return null;
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
    platform: select("platform", opts(PLATFORMS, "Any platform"), query.platform),
    audience_size: select("audience_size", opts(AUDIENCE_SIZES, "Any size"), query.audience_size),
    content_type: select("content_type", opts(CONTENT_TYPES, "Any content"), query.content_type),
    category: categoryInput,
    campaign_id: select("campaign_id", [["", "No campaign"], ...campaigns.map((c) => [c.id, c.name])], query.campaign_id),
    include_flagged: h("input", { type: "checkbox", name: "include_flagged", "data-testid": "include-flagged", checked: query.include_flagged === "true" ? true : null }),
  };
  const value = (k) => (k === "include_flagged" ? (inputs[k].checked ? "true" : "") : inputs[k].value);
  const form = h("form", { class: "filters card", "aria-label": "Recommendation filters" },
    field("Platform", inputs.platform), field("Audience size", inputs.audience_size), field("Content type", inputs.content_type),
    field("Category", inputs.category), categoryList, field("For campaign", inputs.campaign_id, { hint: "Hire buttons use this campaign" }),
    h("div", { class: "field" }, h("label", { class: "toggle" }, inputs.include_flagged, " Include flagged accounts"),
      h("div", { class: "small muted" }, "Off: accounts flagged for unusual (likely bought) engagement are left out")),
    h("div", { class: "actions" }, h("button", { class: "btn", type: "submit" }, "Recommend")));
  const apply = () => navigate("/recommendations", Object.fromEntries(KEYS.map((k) => [k, value(k)])));
  form.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  for (const k of KEYS) inputs[k].addEventListener("change", apply);
  const results = h("div", {}, loading("Ranking influencers…"));
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Recommendations"), h("p", {}, "Influencers ranked by predicted engagement rate, with the reasons behind each prediction."))),
    form, results));

  let resp;
  try {
    resp = await api.get("/recommendations", Object.fromEntries(KEYS.map((k) => [k, query[k]])));
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
  const predicted = (r) => pick(r, "predicted_engagement_rate", "predicted_er");
  const meta = [];
  if (resp && resp.model_version) meta.push(`Scores from model ${resp.model_version.version}, trained ${fmt.date(resp.model_version.trained_at)}.`);
  if (resp && resp.campaign_remaining_budget !== undefined && resp.campaign_remaining_budget !== null) {
    const c = campaigns.find((x) => String(x.id) === String(query.campaign_id));
    meta.push(`${c ? c.name : "The campaign"} has ${fmt.money(resp.campaign_remaining_budget, c?.currency)} left; influencers already hired or estimated above that are left out.`);
  }
  const max = Math.max(...rows.map((r) => Number(interval(r)[1] ?? predicted(r) ?? 0))) * 1.1;
  const campaignId = query.campaign_id;
  clear(results, meta.length ? h("p", { class: "muted small", "data-testid": "recommendations-meta", style: "margin:0 0 12px" }, meta.join(" ")) : null,
    h("ol", { class: "rec-list", "data-testid": "recommendations" }, rows.map((r, i) => {
    const id = pick(r, "influencer_id", "id");
    const [lo, hi] = interval(r);
    const person = { id, handle: r.handle, name: r.name };
    const flagged = (pick(r, "anomaly_reasons") || []).length > 0;
    return h("li", { class: `card rec${flagged ? " rec-flagged" : ""}`, "data-testid": "recommendation", "data-flagged": flagged ? "true" : null },
      h("div", { class: "rank", "aria-label": `Rank ${pick(r, "rank") ?? i + 1}` }, `#${pick(r, "rank") ?? i + 1}`),
      h("div", { class: "body" },
        h("div", { class: "row" },
          h("div", { class: "who", style: "display:flex;gap:10px;align-items:center;min-width:0" }, avatar(influencerName(r)),
            h("div", {}, h("div", { class: "cell-main" }, influencerName(r)), h("div", { class: "cell-sub" }, `@${r.handle || "—"} · ${fmt.label(r.platform)} · ${fmt.compact(r.followers)} followers`))),
          h("div", { class: "prediction" }, h("div", { class: "small muted" }, `Predicted ER${r.content_type ? " · " + fmt.label(r.content_type) : ""}`),
            h("b", {}, fmt.pct(predicted(r))), " ", h("span", { class: "muted small" }, lo !== undefined ? `(${fmt.pct(lo)} – ${fmt.pct(hi)})` : ""),
            intervalBar(lo, predicted(r), hi, max))),
        h("div", { class: "tags" }, flagged ? h("span", { class: "badge badge-danger", "data-testid": "flagged-badge" }, "Flagged") : null, r.estimated_cost !== undefined && r.estimated_cost !== null ? badge(`Est. cost ${fmt.money(r.estimated_cost)}`) : null, r.category ? badge(fmt.label(r.category), "primary") : null, pick(r, "follower_tier", "tier") ? badge(fmt.label(pick(r, "follower_tier", "tier"))) : null, r.performance_tier ? badge(`${fmt.label(r.performance_tier)} performer`, "success") : null, r.country ? badge(r.country) : null),
        r.rationale ? h("p", { class: "rationale" }, r.rationale) : null,
        anomalyWarning(r),
        h("div", { class: "page-actions" },
          h("a", { class: "btn btn-secondary btn-sm", href: `#/influencers/${id}` }, "View details"),
          h("button", { class: "btn btn-sm", type: "button", "data-testid": "hire", onclick: () => openHireDialog(person, { campaignId, cost: r.estimated_cost }) }, campaignId ? "Hire to campaign" : "Hire…"))));
  })));
}
