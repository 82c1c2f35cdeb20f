import { api } from "../api.js";
import { forgetCampaigns } from "../hire.js";
import { navigate } from "../router.js";
import { clear, describeError, errorBox, field, h, select, toast } from "../ui.js";
import { CAMPAIGN_STATUSES, OBJECTIVES, label } from "../options.js";

export const title = (ctx) => (ctx.params.id ? "Edit campaign" : "New campaign");

export function validateCampaign(v) {
  const errors = {};
  if (!v.name) errors.name = "Give the campaign a name.";
  else if (v.name.length > 200) errors.name = "Keep the name under 200 characters.";
  if (v.budget === "") errors.budget = "Enter a budget (0 or more).";
  else if (Number.isNaN(Number(v.budget)) || Number(v.budget) < 0) errors.budget = "The budget must be a number, 0 or more.";
  if (!/^[A-Z]{3}$/.test(v.currency)) errors.currency = "Use a 3-letter currency code, e.g. USD.";
  if (v.start_date && v.end_date && v.end_date < v.start_date) errors.end_date = "The end date must be on or after the start date.";
  return errors;
}

export async function render({ root, params, isCurrent }) {
  const editing = Boolean(params.id);
  let c = { name: "", brand: "", objective: "awareness", status: "draft", start_date: "", end_date: "", budget: "", currency: "USD" };
  if (editing) {
    c = { ...c, ...(await api.get(`/campaigns/${params.id}`)) };
    if (!isCurrent()) return;
  }
  const inputs = {
    name: h("input", { name: "name", required: true, maxlength: "200", value: c.name ?? "", autocomplete: "off" }),
    brand: h("input", { name: "brand", maxlength: "200", value: c.brand ?? "" }),
    objective: select("objective", [["", "—"], ...OBJECTIVES.map((o) => [o, label(o)])], c.objective),
    status: select("status", CAMPAIGN_STATUSES.map((s) => [s, label(s)]), c.status),
    start_date: h("input", { type: "date", name: "start_date", value: c.start_date ?? "" }),
    end_date: h("input", { type: "date", name: "end_date", value: c.end_date ?? "" }),
    budget: h("input", { type: "number", name: "budget", min: "0", step: "0.01", inputmode: "decimal", required: true, value: c.budget ?? "" }),
    currency: h("input", { name: "currency", maxlength: "3", value: c.currency ?? "USD", style: "text-transform:uppercase" }),
  };
  const formError = h("div", { "aria-live": "assertive" });
  const submit = h("button", { class: "btn", type: "submit" }, editing ? "Save changes" : "Create campaign");
  const form = h("form", { novalidate: true, class: "card", "aria-label": editing ? "Edit campaign" : "New campaign", "data-needs": "manager" },
    h("div", { class: "form-grid" },
      field("Name", inputs.name, { className: "full" }),
      field("Brand", inputs.brand), field("Objective", inputs.objective),
      field("Start date", inputs.start_date), field("End date", inputs.end_date),
      field("Budget", inputs.budget), field("Currency", inputs.currency),
      field("Status", inputs.status)),
    formError,
    h("div", { class: "form-actions" }, h("a", { class: "btn btn-secondary", href: editing ? `#/campaigns/${params.id}` : "#/campaigns" }, "Cancel"), submit));

  const showErrors = (errors) => {
    for (const [k, el] of Object.entries(inputs)) {
      const msg = errors[k] || "";
      document.getElementById(`${el.id}-err`).textContent = msg;
      if (msg) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
    }
    const firstBad = Object.keys(inputs).find((k) => errors[k]);
    if (firstBad) inputs[firstBad].focus();
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(formError);
    const v = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]));
    v.currency = v.currency.toUpperCase();
    const errors = validateCampaign(v);
    showErrors(errors);
    if (Object.keys(errors).length) {
      clear(formError, h("div", { class: "alert alert-error", role: "alert" }, `Please fix ${Object.keys(errors).length} field${Object.keys(errors).length > 1 ? "s" : ""} above.`));
      return;
    }
    const body = { name: v.name, brand: v.brand || null, objective: v.objective || null, status: v.status, start_date: v.start_date || null, end_date: v.end_date || null, budget: Number(v.budget), currency: v.currency };
    submit.disabled = true;
    try {
      const saved = editing ? await api.patch(`/campaigns/${params.id}`, body) : await api.post("/campaigns", body);
      forgetCampaigns();
      toast(editing ? "Campaign saved." : `Campaign “${body.name}” created.`);
      navigate(`/campaigns/${saved?.id ?? params.id}`);
    } catch (err) {
      submit.disabled = false;
      // map server-side field errors onto the fields
      const serverErrors = {};
      for (const d of Array.isArray(err.details) ? err.details : []) {
        const f = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : d.field;
        if (f && inputs[f]) serverErrors[f] = d.msg || d.message;
      }
      if (err.status === 409) serverErrors.name = serverErrors.name || err.message;
      showErrors(serverErrors);
      const dsc = describeError(err);
      clear(formError, Object.keys(serverErrors).length ? h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, dsc.title), dsc.message) : errorBox(err));
    }
  });

  clear(root, h("div", { class: "page", style: "max-width:820px" },
    h("div", {}, h("div", { class: "breadcrumb" }, h("a", { href: "#/campaigns" }, "Campaigns"), editing ? [" / ", h("a", { href: `#/campaigns/${params.id}` }, c.name)] : null),
      h("h1", {}, editing ? `Edit ${c.name}` : "New campaign")),
    h("p", { class: "alert alert-info", "data-unless": "manager", "data-testid": "needs-manager" }, "Creating and editing campaigns needs the manager role; ask an admin."),
    form));
  inputs.name.focus();
}
