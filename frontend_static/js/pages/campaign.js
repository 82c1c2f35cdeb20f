import { api, itemsOf, pick } from "../api.js";
import { forgetCampaigns } from "../hire.js";
import { navigate } from "../router.js";
import { clear, describeError, empty, errorBox, fmt, h, loading, select, statusBadge, table, toast } from "../ui.js";
import { HIRE_STATUSES, label } from "../options.js";
import { influencerName } from "./influencers.js";
import { planSection } from "./plan.js";
import { campaignCharts, exportButton } from "./report.js";

export const title = "Campaign";

export async function render(ctx) {
  const { root, params, isCurrent } = ctx;
  const id = params.id;
  const [campR, sumR, infR] = await Promise.allSettled([api.get(`/campaigns/${id}`), api.get(`/campaigns/${id}/summary`), api.get(`/campaigns/${id}/influencers`)]);
  if (!isCurrent()) return;
  if (campR.status === "rejected") {
    const err = campR.reason;
    clear(root, h("div", { class: "page" }, h("div", { class: "breadcrumb" }, h("a", { href: "#/campaigns" }, "Campaigns")),
      err.status === 404 ? h("div", { class: "card" }, empty("Campaign not found", `There is no campaign with id ${id}.`, h("a", { class: "btn btn-secondary", href: "#/campaigns" }, "Back to campaigns"))) : errorBox(err)));
    return;
  }
  const c = campR.value;
  document.title = `${c.name} · Predictfluence`;
  const cur = c.currency || "USD";

  const summaryBox = h("section", { "aria-label": "Campaign summary" });
  if (sumR.status === "fulfilled") {
    const s = sumR.value || {};
    const roi = s.roi || s;
    const groups = [
      ["Budget", [
        ["Budget", fmt.money(pick(s, "budget") ?? c.budget, cur), "budget"],
        ["Spent", fmt.money(pick(s, "spent"), cur), "spent"],
        ["Remaining", fmt.money(pick(s, "remaining"), cur), "remaining"],
        ["Influencers", fmt.int(pick(s, "influencer_count")), "influencer-count"]]],
      ["Engagement", [
        ["Avg engagement", fmt.pct(pick(s, "avg_engagement_rate", "avg_engagement")), "avg-engagement"],
        ["Avg views", fmt.int(pick(s, "avg_views")), "avg-views"],
        ["CPE", fmt.money2(pick(s, "cpe"), cur), "cpe"],
        ["CPM", fmt.money2(pick(s, "cpm"), cur), "cpm"]]],
      ["Return", [
        ["Clicks", fmt.int(pick(roi, "clicks")), "clicks"],
        ["Orders", fmt.int(pick(roi, "orders")), "orders"],
        ["Revenue", fmt.money(pick(roi, "revenue"), cur), "revenue"],
        ["ROAS", pick(roi, "roas") !== undefined ? `${fmt.num(roi.roas, 2)}×` : "—", "roas"],
        ["CPA", fmt.money2(pick(roi, "cpa"), cur), "cpa"]]],
    ];
    clear(summaryBox, h("div", { class: "grid grid-3", "data-testid": "campaign-summary" }, groups.map(([g, items]) => h("div", { class: "card" },
      h("h2", { style: "margin-bottom:10px" }, g),
      h("dl", { class: "stat-list two" }, items.map(([k, v, t]) => h("div", { "data-testid": `summary-${t}` }, h("dt", {}, k), h("dd", {}, v))))))));
  } else clear(summaryBox, errorBox(sumR.reason));

  const hiresBox = h("section", { class: "card" });
  const rows = infR.status === "fulfilled" ? itemsOf(infR.value) : [];
  const refresh = () => navigate(`/campaigns/${id}`, { t: Date.now() }, { replace: true });
  const changeStatus = async (r, status, sel) => {
    sel.disabled = true;
    try {
      await api.patch(`/campaigns/${id}/influencers/${pick(r, "influencer_id", "id")}`, { status });
      toast(`${influencerName(r)} is now ${status}.`);
      refresh();
    } catch (err) {
      sel.disabled = false;
      sel.value = pick(r, "status", "hire_status");
      toast(`${describeError(err).title}: ${err.message}`, "error");
    }
  };
  const remove = async (r) => {
    if (!window.confirm(`Remove ${influencerName(r)} from ${c.name}?`)) return;
    try {
      await api.del(`/campaigns/${id}/influencers/${pick(r, "influencer_id", "id")}`);
      toast(`${influencerName(r)} removed.`);
      refresh();
    } catch (err) { toast(`${describeError(err).title}: ${err.message}`, "error"); }
  };
  clear(hiresBox, h("div", { class: "card-head" }, h("h2", {}, "Influencer performance"), h("div", { class: "page-actions" }, exportButton("Export CSV", `/campaigns/${id}/report.csv`, {}, `campaign-${id}-report.csv`),
    h("a", { class: "btn btn-secondary btn-sm", href: `#/recommendations?campaign_id=${id}` }, "Find influencers"))),
    infR.status === "rejected" ? errorBox(infR.reason) :
      rows.length === 0 ? empty("No influencers hired yet", "Use Recommendations or an influencer's profile to hire into this campaign.", h("a", { class: "btn", href: `#/recommendations?campaign_id=${id}` }, "See recommendations")) :
        table({
          caption: "Hired influencers and their results in this campaign",
          rows,
          className: "hires-table",
          columns: [
            { label: "Influencer", value: (r) => h("div", {}, h("a", { class: "cell-main", href: `#/influencers/${pick(r, "influencer_id", "id")}` }, influencerName(r)), h("div", { class: "cell-sub" }, `@${r.handle || "—"} · ${fmt.label(r.platform)}`)) },
            { label: "Status", value: (r) => {
              const s = pick(r, "status", "hire_status");
              const sel = select("status", HIRE_STATUSES.map((x) => [x, label(x)]), s, { "aria-label": `Hire status of ${influencerName(r)}`, class: "hire-status", style: "min-width:130px", disabled: !["manager", "admin"].includes(document.body.dataset.role) });
              sel.addEventListener("change", () => changeStatus(r, sel.value, sel));
              return sel;
            } },
            { label: "Cost", num: true, value: (r) => fmt.money(pick(r, "agreed_cost", "cost"), cur) },
            { label: "Hired by", value: (r) => h("span", { class: "small", title: r.hired_by || "" }, r.hired_by_label || "—") },
            { label: "Posts", num: true, value: (r) => fmt.int(pick(r, "posts", "post_count")) },
            { label: "Engagements", num: true, value: (r) => fmt.int(pick(r, "engagements")) },
            { label: "ER", num: true, value: (r) => fmt.pct(pick(r, "engagement_rate", "avg_engagement_rate")) },
            { label: "Views", num: true, value: (r) => fmt.int(pick(r, "views")) },
            { label: "CPE", num: true, value: (r) => fmt.money2(pick(r, "cpe"), cur) },
            { label: "Clicks", num: true, value: (r) => fmt.int(pick(r, "clicks")) },
            { label: "Orders", num: true, value: (r) => fmt.int(pick(r, "orders")) },
            { label: "Revenue", num: true, value: (r) => fmt.money(pick(r, "revenue"), cur) },
            { label: "ROAS", num: true, value: (r) => (pick(r, "roas") !== undefined ? `${fmt.num(r.roas, 2)}×` : "—") },
            { label: "CPA", num: true, value: (r) => fmt.money2(pick(r, "cpa"), cur) },
            { label: "", value: (r) => h("button", { class: "btn btn-ghost btn-sm", type: "button", "data-needs": "manager", onclick: () => remove(r), "aria-label": `Remove ${influencerName(r)}` }, "Remove") },
          ],
        }));

  const del = async () => {
    if (!window.confirm(`Delete ${c.name}? A campaign with hires is archived instead.`)) return;
    try {
      await api.del(`/campaigns/${id}`);
      forgetCampaigns();
      toast(`${c.name} deleted.`);
      navigate("/campaigns");
    } catch (err) { toast(`${describeError(err).title}: ${err.message}`, "error"); }
  };

  clear(root, h("div", { class: "page", "data-testid": "campaign-page" },
    h("div", {},
      h("div", { class: "breadcrumb" }, h("a", { href: "#/campaigns" }, "Campaigns"), " / ", c.name),
      h("div", { class: "page-head" },
        h("div", {}, h("h1", {}, c.name, " ", statusBadge(c.status)),
          h("p", {}, [c.brand, c.objective ? `Objective: ${label(c.objective)}` : null, c.start_date || c.end_date ? `${fmt.date(c.start_date)} – ${fmt.date(c.end_date)}` : null].filter(Boolean).join(" · ") || "No details yet"),
          authorship(c)),
        h("div", { class: "page-actions" },
          h("a", { class: "btn btn-secondary", href: `#/campaigns/${id}/report`, "data-testid": "open-report" }, "Report"),
          h("a", { class: "btn btn-secondary", href: `#/campaigns/${id}/edit`, "data-needs": "manager" }, "Edit"),
          h("button", { class: "btn btn-danger", type: "button", "data-needs": "manager", onclick: del }, "Delete")))),
    summaryBox,
    chartsSection(id),
    hiresBox,
    planSection({ campaign: c, remaining: remainingBudget(c, sumR), onHired: refresh })));
}

// "Created by Ana · 3 Nov 2026 — last edited by ops key · 5 Nov 2026" (who: the key's name or the user's e-mail).
function authorship(c) {
  const parts = [];
  if (c.created_by_label) parts.push(`Created by ${c.created_by_label} · ${fmt.date(c.created_at)}`);
  if (c.updated_by_label && (c.updated_by !== c.created_by || c.updated_at !== c.created_at)) {
    parts.push(`last edited by ${c.updated_by_label} · ${fmt.date(c.updated_at)}`);
  }
  return parts.length ? h("p", { class: "small muted", "data-testid": "campaign-authorship" }, parts.join(" — ")) : null;
}

// The campaign's engagement trend and its hires' audience, side by side.
function chartsSection(id) {
  const { trendBox, audienceBox } = campaignCharts(id);
  return h("div", { class: "grid grid-2", "data-testid": "campaign-charts" },
    h("section", { class: "card" }, h("h2", {}, "Engagement over time"), trendBox),
    h("section", { class: "card" }, h("h2", {}, "Audience of the hires"), audienceBox));
}

// The summary's remaining budget, else the campaign's budget less its spend.
function remainingBudget(c, sumR) {
  const fromSummary = sumR.status === "fulfilled" ? pick(sumR.value, "remaining") : undefined;
  return fromSummary !== undefined ? Number(fromSummary) : Number(c.budget) - Number(c.spent || 0);
}
