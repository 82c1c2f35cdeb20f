// The Plan view on the campaign page: POST /campaigns/{id}/plan proposes the influencers × content type × posts
// that maximise the forecast within a budget; the manager pins or drops creators, re-plans, and hires the whole
// plan in one call (POST /campaigns/{id}/hires, all or nothing, under the campaign's budget rule).
import { api, itemsOf, pick } from "../api.js";
import { parseHash } from "../router.js";
import { badge, clear, describeError, field, fmt, h, loading, select, table, toast } from "../ui.js";
import { PLATFORMS, TIERS, label, opts } from "../options.js";

const OBJECTIVES = [["engagements", "Engagements"], ["reach", "Reach (followers)"], ["conversions", "Conversions (orders)"]];
const UNITS = { engagements: "engagements", reach: "followers reached", conversions: "orders" };
// An error's field (as the API names it) → the slot next to the control that sets it; the first match wins.
const SLOTS = [
  ["budget", "budget"], ["objective", "objective"],
  ["constraints.posts_per_influencer", "posts"], ["constraints.max_influencers", "max"],
  ["constraints.platform_share", "shares"], ["constraints.tier_share", "tiers"],
  ["constraints.include", "lists"], ["constraints.exclude_hired", "hired"], ["constraints.exclude", "lists"],
  ["filters.platform", "platform"], ["filters.tiers", "tiers"], ["filters.include_flagged", "flagged"],
  ["filters", "filters"], ["constraints", "constraints"],
];

// A refusal of the whole filters / constraints object names the part in its message ("platform_share: …").
const PARTS = [["exclude_hired", "hired"], ["posts_per_influencer", "posts"], ["max_influencers", "max"],
  ["platform_share", "shares"], ["tier_share", "tiers"], ["include", "lists"], ["exclude", "lists"], ["platform", "platform"]];
const slotFor = (name, message = "") => {
  const hit = SLOTS.find(([prefix]) => name === prefix || name.startsWith(`${prefix}.`) || name.startsWith(`${prefix}[`));
  const key = hit ? hit[1] : null;
  if (key !== "constraints" && key !== "filters") return key;
  const part = PARTS.find(([word]) => new RegExp(`\\b${word}\\b`).test(message));
  return part ? part[1] : key;
};
const numberIn = (name, attrs = {}) => h("input", { type: "number", name, inputmode: "decimal", ...attrs });
const valueOf = (input) => (input.value.trim() === "" ? undefined : Number(input.value));
const who = (r) => r.name || (r.handle ? `@${r.handle}` : `#${r.influencer_id}`);
const range = (lo, hi, f) => (lo === undefined || lo === null || hi === undefined || hi === null ? "—" : `${f(lo)} – ${f(hi)}`);

function errorSlot(key) {
  return h("div", { class: "field-error", "data-error-for": key, "aria-live": "polite" });
}

// The form's controls and the error slots next to them.
function buildControls(remaining) {
  const c = {
    budget: numberIn("budget", { min: "0", step: "0.01", value: remaining > 0 ? String(Math.round(remaining * 100) / 100) : null }),
    objective: select("objective", OBJECTIVES, "engagements"),
    postsMin: numberIn("posts_min", { min: "1", step: "1", value: "1" }),
    postsMax: numberIn("posts_max", { min: "1", step: "1", value: "1" }),
    max: numberIn("max_influencers", { min: "1", step: "1", placeholder: "No limit" }),
    platform: select("platform", opts(PLATFORMS, "Any platform"), ""),
    shortlist: select("shortlist", [["", "Any creator"]], ""),
    tiers: TIERS.map(([value, text]) => [value, text, h("input", { type: "checkbox", name: "tiers", value })]),
    shares: PLATFORMS.map((p) => [p,
      numberIn(`share_min_${p}`, { min: "0", max: "100", step: "1", "aria-label": `${label(p)}: minimum share of the cost (%)` }),
      numberIn(`share_max_${p}`, { min: "0", max: "100", step: "1", "aria-label": `${label(p)}: maximum share of the cost (%)` })]),
    flagged: h("input", { type: "checkbox", name: "include_flagged" }),
    hired: h("input", { type: "checkbox", name: "exclude_hired", checked: true }),
  };
  // the plain fields' slots are the error lines field() makes under them (filled in by planSection)
  const slots = Object.fromEntries(["tiers", "shares", "flagged", "hired", "lists", "filters", "constraints"].map((k) => [k, errorSlot(k)]));
  return { c, slots };
}

// The request body from the form and the pinned / dropped lists (absent keys take the API's defaults).
function requestBody(c, include, exclude) {
  const filters = { include_flagged: c.flagged.checked };
  if (c.platform.value) filters.platform = c.platform.value;
  const tiers = c.tiers.filter(([, , box]) => box.checked).map(([value]) => value);
  if (tiers.length) filters.tiers = tiers;
  const posts = {};
  if (valueOf(c.postsMin) !== undefined) posts.min = valueOf(c.postsMin);
  if (valueOf(c.postsMax) !== undefined) posts.max = valueOf(c.postsMax);
  const constraints = { posts_per_influencer: posts, exclude_hired: c.hired.checked };
  if (valueOf(c.max) !== undefined) constraints.max_influencers = valueOf(c.max);
  const shares = {};
  for (const [p, lo, hi] of c.shares) {
    const share = {};
    if (valueOf(lo) !== undefined) share.min = valueOf(lo) / 100;
    if (valueOf(hi) !== undefined) share.max = valueOf(hi) / 100;
    if (Object.keys(share).length) shares[p] = share;
  }
  if (Object.keys(shares).length) constraints.platform_share = shares;
  if (include.size) constraints.include = [...include.keys()];
  if (exclude.size) constraints.exclude = [...exclude.keys()];
  const body = { objective: c.objective.value, filters, constraints };
  if (valueOf(c.budget) !== undefined) body.budget = valueOf(c.budget);
  return body;
}

// [{field, message}] from an API error: a list of details, one detail object, or the error alone.
function fieldErrors(err) {
  const d = err.details;
  const list = Array.isArray(d) ? d : d && typeof d === "object" && d.field ? [d] : [];
  return list.filter((x) => x && typeof x === "object" && (x.field || Array.isArray(x.loc)))
    .map((x) => ({ field: x.field || x.loc.filter((p) => p !== "body").join("."), message: x.message || x.msg || err.message }));
}

function totals(plan, cur) {
  const f = plan.forecast || {};
  const unit = UNITS[plan.objective] || f.unit || "";
  const share = Math.round((f.interval ?? 0.8) * 100);
  const ci = plan.cost_interval || {};
  const gap = plan.optimality_gap;
  const stat = (k, main, sub, testid) => h("div", { "data-testid": testid }, h("dt", {}, k),
    h("dd", {}, main, sub ? h("span", { class: "plan-sub muted" }, sub) : null));
  return h("dl", { class: "stat-list plan-totals", "data-testid": "plan-totals" },
    stat(`Forecast ${unit}`, fmt.int(f.total), h("span", { "data-testid": "plan-interval" }, `${share} % interval: ${range(f.low, f.high, fmt.int)}`), "plan-forecast"),
    stat("Cost (forecast)", fmt.money(plan.cost_total, cur), `${share} % interval: ${range(ci.low, ci.high, (v) => fmt.money(v, cur))}`, "plan-cost"),
    stat("Remaining after hiring", fmt.money(plan.remaining_after, cur), `of the campaign's budget; plan budget ${fmt.money(plan.budget, cur)}`, "plan-remaining"),
    stat("Status", fmt.label(plan.status), `optimality gap ${gap === undefined || gap === null ? "—" : fmt.share(gap)}`, "plan-status"),
    stat("Candidates", fmt.int(plan.candidates), candidatesNote(plan), "plan-candidates"));
}

// "the best of N" when the pool was cut before solving (docs/ml.md, "The pool cut"), and the solve time
function candidatesNote(plan) {
  const cut = plan.candidates_total > plan.candidates ? `the best of ${fmt.int(plan.candidates_total)}` : null;
  const solved = plan.solve_ms !== undefined ? `solved in ${fmt.num(plan.solve_ms, 0)} ms` : null;
  return [cut, solved].filter(Boolean).join("; ") || null;
}

function planTable(plan, cur, { pin, drop, include, exclude }) {
  const money = (v) => fmt.money(v, cur);
  return table({
    caption: "The plan: creators, content type and posts, with the forecast cost and outcome of each pick",
    rows: plan.items || [],
    className: "plan-table",
    columns: [
      { label: "Creator", value: (r) => h("div", {},
        h("a", { class: "cell-main", href: `#/influencers/${r.influencer_id}` }, who(r)), " ",
        r.pinned || include.has(r.influencer_id) ? badge("Pinned", "primary") : null,
        exclude.has(r.influencer_id) ? badge("Dropped", "danger") : null,
        h("div", { class: "cell-sub" }, `@${r.handle || "—"} · ${fmt.compact(r.followers)} followers`)) },
      { label: "Platform", value: (r) => fmt.label(r.platform) },
      { label: "Tier", value: (r) => fmt.label(pick(r, "follower_tier", "tier")) },
      { label: "Content type", value: (r) => fmt.label(r.content_type) },
      { label: "Posts", num: true, value: (r) => fmt.int(r.posts) },
      { label: "Cost", num: true, value: (r) => h("div", {}, money(r.cost), " ", badge("Forecast"),
        h("div", { class: "cell-sub" }, `${money(r.cost_per_post)}/post · 80 %: ${range(r.cost_low, r.cost_high, money)}`)) },
      { label: `Forecast ${UNITS[plan.objective] || ""}`.trim(), num: true, value: (r) => h("div", {}, fmt.int(r.forecast),
        h("div", { class: "cell-sub" }, `80 %: ${range(r.forecast_low, r.forecast_high, fmt.int)}`)) },
      { label: "Why", value: (r) => h("span", { class: "plan-why" }, r.why || "—") },
      { label: "Change", value: (r) => h("div", { class: "plan-actions" },
        h("button", { type: "button", class: "btn btn-secondary btn-sm", disabled: include.has(r.influencer_id), "aria-label": `Pin ${who(r)}`, onclick: () => pin(r) }, "Pin"),
        h("button", { type: "button", class: "btn btn-ghost btn-sm", disabled: exclude.has(r.influencer_id), "aria-label": `Drop ${who(r)}`, onclick: () => drop(r) }, "Drop")) },
    ],
  });
}

// One influencer per hire: a creator planned for two content types is one hire at the sum of their costs.
function hiresOf(plan) {
  const cost = new Map();
  for (const r of plan.items || []) cost.set(r.influencer_id, (cost.get(r.influencer_id) || 0) + Number(r.cost));
  return [...cost].map(([influencer_id, c]) => ({ influencer_id, agreed_cost: Math.round(c * 100) / 100 }));
}

function overBudgetText(err, total, cur) {
  const d = err.details && typeof err.details === "object" && !Array.isArray(err.details) ? err.details : {};
  return d.remaining !== undefined
    ? `The plan costs ${fmt.money2(total, cur)} but only ${fmt.money2(d.remaining, cur)} of the campaign budget remains. Nothing was hired: lower the budget and re-plan.`
    : `${err.message} Nothing was hired.`;
}

// The Plan section for one campaign. remaining: the campaign's remaining budget (prefills the budget field);
// onHired: called after a successful hire all (the campaign page reloads its hires).
export function planSection({ campaign, remaining, onHired }) {
  const cur = campaign.currency || "USD";
  const { c, slots } = buildControls(remaining);
  const include = new Map(); // influencer id → name
  const exclude = new Map();
  const lists = h("div", { class: "plan-lists" });
  const status = h("div", { class: "plan-status", "aria-live": "polite" });
  const results = h("div", { "data-testid": "plan-results" });
  const submit = h("button", { class: "btn", type: "submit", "data-testid": "plan-submit" }, "Plan");
  let plan = null;
  let plannedWith = ""; // the pinned and dropped ids the shown plan was made with
  const tweaks = () => JSON.stringify([[...include.keys()].sort(), [...exclude.keys()].sort()]);

  const chip = (map, id, name, what) => h("li", { class: "chip" }, name,
    h("button", { type: "button", class: "chip-x", "aria-label": `Remove ${name} from ${what}`, onclick: () => { map.delete(id); showLists(); showPlan(); } }, "×"));
  const showLists = () => clear(lists,
    h("div", { "data-testid": "plan-pinned" }, h("span", { class: "label" }, "Pinned (always in the plan)"),
      include.size ? h("ul", { class: "chips" }, [...include].map(([id, n]) => chip(include, id, n, "pinned"))) : h("span", { class: "small muted" }, "none")),
    h("div", { "data-testid": "plan-dropped" }, h("span", { class: "label" }, "Dropped (never in the plan)"),
      exclude.size ? h("ul", { class: "chips" }, [...exclude].map(([id, n]) => chip(exclude, id, n, "dropped"))) : h("span", { class: "small muted" }, "none")),
    plan && (include.size || exclude.size) ? h("p", { class: "small muted" }, "Re-plan to apply the pinned and dropped creators.") : null,
    slots.lists);
  const pin = (r) => { exclude.delete(r.influencer_id); include.set(r.influencer_id, who(r)); showLists(); showPlan(); };
  const drop = (r) => { include.delete(r.influencer_id); exclude.set(r.influencer_id, who(r)); showLists(); showPlan(); };

  const clearErrors = () => {
    for (const el of Object.values(slots)) el.textContent = "";
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  };
  const controlsOf = { budget: [c.budget], objective: [c.objective], posts: [c.postsMin, c.postsMax], max: [c.max], platform: [c.platform] };
  const showError = (err) => {
    const placed = fieldErrors(err).map(({ field: name, message }) => {
      const key = slotFor(name, message);
      if (!key) return false;
      slots[key].textContent = [slots[key].textContent, message].filter(Boolean).join(" ");
      for (const el of controlsOf[key] || []) el.setAttribute("aria-invalid", "true");
      return true;
    });
    if (!placed.some(Boolean)) {
      const d = describeError(err);
      clear(status, h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, d.title), " ", d.message));
    } else clear(status, h("p", { class: "small field-error" }, "The plan was not made: see the message next to the field."));
  };

  const hireAll = async (button) => {
    button.disabled = true;
    const hires = hiresOf(plan);
    try {
      const resp = await api.post(`/campaigns/${campaign.id}/hires`, { hires, overspend: false });
      toast(`${hires.length} influencer${hires.length === 1 ? "" : "s"} hired to ${campaign.name}; ${fmt.money(resp.remaining_budget, cur)} of the budget left.`);
      if (onHired) onHired();
    } catch (err) {
      button.disabled = false;
      const over = err.status === 409 && err.code === "over_budget";
      const d = describeError(err);
      clear(status, h("div", { class: "alert alert-error", role: "alert", "data-testid": "plan-hire-error" },
        h("strong", {}, over ? "Over budget" : d.title), " ", over ? overBudgetText(err, plan.cost_total, cur) : `${d.message} Nothing was hired.`));
    }
  };
  function showPlan() {
    if (!plan) return;
    const items = plan.items || [];
    const n = hiresOf(plan).length;
    const stale = tweaks() !== plannedWith; // pinned or dropped since: hire what a re-plan proposes, not this
    const hireButton = h("button", { class: "btn", type: "button", "data-testid": "plan-hire-all", "data-needs": "manager", disabled: n === 0 || stale,
      "aria-describedby": stale ? "plan-stale" : null },
      `Hire all ${n} for ${fmt.money(plan.cost_total, cur)}`);
    hireButton.addEventListener("click", () => hireAll(hireButton));
    clear(results, h("h3", {}, "The plan"),
      totals(plan, cur),
      items.length ? planTable(plan, cur, { pin, drop, include, exclude }) : h("p", { class: "muted" }, "The plan is empty."),
      Number(plan.remaining_after) < 0 ? h("div", { class: "alert alert-warning", "data-testid": "plan-over-budget" },
        h("strong", {}, "More than the campaign has left."), ` This plan costs ${fmt.money(-plan.remaining_after, cur)} more than the campaign's remaining budget, so Hire all will be refused: lower the budget and re-plan.`) : null,
      h("div", { class: "form-actions" }, stale ? h("span", { id: "plan-stale", class: "small muted" }, "Re-plan to hire with your pinned and dropped creators.") : null, hireButton),
      plan.model_version ? h("p", { class: "small muted" }, `Forecasts from model ${plan.model_version.version}.`) : null);
  }

  const tierBoxes = h("fieldset", { class: "plan-fieldset" }, h("legend", {}, "Tiers (none ticked: all)"),
    h("div", { class: "plan-checks" }, c.tiers.map(([, text, box]) => h("label", { class: "checkbox" }, box, text))), slots.tiers);
  const shareGrid = h("fieldset", { class: "plan-fieldset plan-shares" }, h("legend", {}, "Share of the plan's cost per platform (%, min – max)"),
    h("div", { class: "share-grid" }, c.shares.map(([p, lo, hi]) => h("div", { class: "share-row" }, h("span", {}, label(p)), lo, hi))), slots.shares);
  const form = h("form", { class: "plan-form", novalidate: true, "aria-label": "Plan settings", "data-testid": "plan-form" },
    h("div", { class: "form-grid plan-grid" },
      field("Budget", c.budget, { hint: `Prefilled with the campaign's remaining budget (${fmt.money(remaining, cur)}).` }),
      field("Objective", c.objective),
      field("Posts per influencer, min", c.postsMin), field("Posts per influencer, max", c.postsMax),
      field("Max influencers", c.max), field("Platform", c.platform),
      field("From shortlist", c.shortlist, { hint: "Plan only from the shortlist's creators." })),
    tierBoxes, shareGrid,
    h("div", { class: "plan-checks" },
      h("div", {}, h("label", { class: "checkbox" }, c.flagged, "Include flagged accounts (unusual, likely bought engagement)"), slots.flagged),
      h("div", {}, h("label", { class: "checkbox" }, c.hired, "Leave out influencers already hired for this campaign"), slots.hired)),
    slots.filters, slots.constraints,
    lists,
    h("div", { class: "form-actions" }, submit));
  // field() made an error line under each control: use those as the slots for the plain fields
  for (const [key, el] of [["budget", c.budget], ["objective", c.objective], ["posts", c.postsMax], ["max", c.max], ["platform", c.platform]]) {
    slots[key] = form.querySelector(`[id="${el.id}-err"]`);
    slots[key].dataset.errorFor = key;
  }
  c.postsMin.setAttribute("aria-describedby", c.postsMax.getAttribute("aria-describedby"));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    submit.disabled = true;
    clear(status, loading("Planning…"));
    try {
      const body = requestBody(c, include, exclude);
      await seedFromShortlist(c.shortlist, body);
      plannedWith = tweaks();
      plan = await api.post(`/campaigns/${campaign.id}/plan`, body);
      clear(status, h("p", { class: "small muted" }, `Plan ready: ${hiresOf(plan).length} influencers.`));
      submit.textContent = "Re-plan";
      showLists();
      showPlan();
    } catch (err) {
      plan = null; // no stale plan to hire from
      clear(status);
      clear(results);
      showError(err);
    } finally {
      submit.disabled = false;
    }
  });
  showLists();
  fillShortlists(c.shortlist);
  return h("section", { class: "card plan", "aria-labelledby": "plan-title", "data-testid": "plan-section", "data-needs": "manager" },
    h("div", { class: "card-head" }, h("h2", { id: "plan-title" }, "Plan"),
      h("span", { class: "small muted" }, "The creators that maximise the forecast within a budget")),
    form, status, results);
}

// The shortlists to plan from; the one in the hash (#/campaigns/{id}?shortlist=…, the shortlist page's link) preselected.
function fillShortlists(sel) {
  api.get("/shortlists", { page_size: 200 }).then((resp) => {
    const wanted = parseHash().query.shortlist;
    for (const l of itemsOf(resp)) sel.append(h("option", { value: l.id, selected: String(l.id) === wanted ? true : null }, `${l.name} (${l.size})`));
  }).catch(() => {});
}

// filters.influencer_ids: the chosen shortlist's members (an empty list plans from nobody: the API refuses it).
async function seedFromShortlist(sel, body) {
  if (!sel.value) return;
  const list = await api.get(`/shortlists/${sel.value}`);
  body.filters.influencer_ids = list.items.map((r) => r.id);
}
