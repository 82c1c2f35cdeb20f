// "Hire to campaign" dialog, shared by the profile and the recommendations pages.
import { api, itemsOf, pick } from "./api.js";
import { clear, describeError, field, fmt, h, select, toast } from "./ui.js";

let campaignsCache = null;

export async function loadCampaigns(force) {
  if (!campaignsCache || force) {
    const resp = await api.get("/campaigns", { page_size: 200 });
    campaignsCache = itemsOf(resp).filter((c) => c.status !== "archived" && c.status !== "completed");
  }
  return campaignsCache;
}
export function forgetCampaigns() { campaignsCache = null; }

// influencer: {id, handle, name}; campaignId preselects a campaign, cost prefills the agreed cost
export async function openHireDialog(influencer, { campaignId, cost: suggestedCost, onHired } = {}) {
  const campaigns = await loadCampaigns(true);
  const who = influencer.name || influencer.handle || `#${influencer.id}`;
  const dialog = h("dialog", { "aria-labelledby": "hire-title" });
  const status = h("div", { "aria-live": "polite" });
  if (campaigns.length === 0) {
    dialog.append(h("form", { method: "dialog" },
      h("h2", { id: "hire-title" }, `Hire ${who}`),
      h("p", { class: "muted" }, "There is no open campaign to hire into yet."),
      h("div", { class: "form-actions" }, h("button", { class: "btn btn-secondary", value: "cancel" }, "Close"), h("a", { class: "btn", href: "#/campaigns/new" }, "Create a campaign"))));
  } else {
    const campaignSel = select("campaign_id", campaigns.map((c) => [c.id, `${c.name}${c.brand ? " · " + c.brand : ""}`]), campaignId ?? campaigns[0].id, { required: true });
    const cost = h("input", { type: "number", name: "agreed_cost", min: "0", step: "0.01", required: true, inputmode: "decimal", placeholder: "e.g. 500",
      value: suggestedCost !== undefined && suggestedCost !== null ? String(Math.round(Number(suggestedCost) * 100) / 100) : null });
    const overspend = h("input", { type: "checkbox", name: "allow_overspend" });
    const overspendRow = h("label", { class: "checkbox", hidden: true }, overspend, "Hire even though it exceeds the campaign budget");
    const budgetHint = h("div", { class: "small muted" });
    const showBudget = () => {
      const c = campaigns.find((x) => String(x.id) === campaignSel.value);
      const remaining = c ? pick(c, "remaining") ?? (c.spent !== undefined ? c.budget - c.spent : undefined) : undefined;
      budgetHint.textContent = c ? `Budget ${fmt.money(c.budget, c.currency)}${remaining !== undefined ? ` · ${fmt.money(remaining, c.currency)} remaining` : ""}` : "";
    };
    campaignSel.addEventListener("change", showBudget);
    showBudget();
    const submit = h("button", { class: "btn", type: "submit" }, "Hire");
    const form = h("form", { novalidate: true },
      h("h2", { id: "hire-title" }, `Hire ${who}`),
      field("Campaign", campaignSel),
      budgetHint,
      field("Agreed cost", cost, { hint: suggestedCost !== undefined && suggestedCost !== null ? "Prefilled with the average cost of this influencer's past hires." : undefined }),
      overspendRow,
      status,
      h("div", { class: "form-actions" }, h("button", { class: "btn btn-secondary", type: "button", onclick: () => dialog.close() }, "Cancel"), submit));
    dialog.append(form);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clear(status);
      const value = Number(cost.value);
      if (cost.value === "" || Number.isNaN(value) || value < 0) {
        cost.setAttribute("aria-invalid", "true");
        document.getElementById(`${cost.id}-err`).textContent = "Enter the agreed cost (0 or more).";
        cost.focus();
        return;
      }
      cost.removeAttribute("aria-invalid");
      document.getElementById(`${cost.id}-err`).textContent = "";
      submit.disabled = true;
      const cid = campaignSel.value;
      try {
        const body = { influencer_id: Number(influencer.id), agreed_cost: value };
        if (overspend.checked) body.allow_overspend = true;
        await api.post(`/campaigns/${cid}/influencers`, body);
        dialog.close();
        const c = campaigns.find((x) => String(x.id) === cid);
        toast(`${who} hired to ${c?.name || "the campaign"}.`, "info", { href: `#/campaigns/${cid}`, text: "Open campaign" });
        if (onHired) onHired(cid);
      } catch (err) {
        const d = describeError(err);
        if (err.status === 409 && /budget|overspend/i.test(`${err.code} ${err.message}`)) {
          overspendRow.hidden = false;
          const c = campaigns.find((x) => String(x.id) === cid);
          const det = err.details && typeof err.details === "object" && !Array.isArray(err.details) ? err.details : {};
          clear(status, h("div", { class: "alert alert-warning", role: "alert" }, h("strong", {}, "Over budget"),
            det.remaining !== undefined
              ? `This hire costs ${fmt.money2(value, c?.currency)} but only ${fmt.money2(det.remaining, c?.currency)} of the budget remains. Lower the cost, or tick the box to hire anyway.`
              : `${err.message} Tick the box to hire anyway.`));
        } else {
          clear(status, h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, d.title), d.message, d.lines.length ? h("ul", {}, d.lines.map((l) => h("li", {}, l))) : null));
        }
        submit.disabled = false;
      }
    });
  }
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector("input[name=agreed_cost]");
  if (first) first.focus();
}
