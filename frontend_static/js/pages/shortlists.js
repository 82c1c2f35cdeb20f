// Shortlists: named lists of creators shared by the workspace (GET/POST /shortlists, /shortlists/{id}), a note per
// creator; from a list: compare (#/compare?ids=…), plan a campaign from its members (#/campaigns/{id}?shortlist=…:
// the Plan section sends filters.influencer_ids) or hire them in one action (POST /campaigns/{id}/hires, the costs
// prefilled with each creator's cost forecast). addToShortlist() is the dialog the other pages open.
import { api, itemsOf } from "../api.js";
import { loadCampaigns } from "../hire.js";
import { navigate } from "../router.js";
import { badge, clear, describeError, empty, field, fmt, h, select, table, toast } from "../ui.js";
import { exportButton } from "./report.js";

export const title = (ctx) => (ctx.params.id ? "Shortlist" : "Shortlists");
const who = (r) => r.name || `@${r.handle}`;

function failure(err) {
  const d = describeError(err);
  return h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, d.title), ` ${d.message}`,
    d.lines.length ? h("ul", {}, d.lines.map((l) => h("li", {}, l))) : null);
}

function modal(titleText, form) {
  const dialog = h("dialog", { "aria-labelledby": "dlg-title" }, h("h2", { id: "dlg-title" }, titleText), form);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

// The "Add to shortlist" dialog: an existing list or a new one by name. ids: influencer ids; onAdded(list).
export async function addToShortlist(ids, { onAdded } = {}) {
  const lists = itemsOf(await api.get("/shortlists", { page_size: 200 }));
  const NEW = "new";
  const choice = select("shortlist", [[NEW, "A new shortlist…"], ...lists.map((l) => [l.id, `${l.name} (${l.size})`])], lists.length ? lists[0].id : NEW);
  const name = h("input", { type: "text", name: "shortlist_name", maxlength: "200", autocomplete: "off" });
  const nameField = field("New shortlist name", name);
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { class: "btn", type: "submit", "data-testid": "shortlist-add-submit" }, "Add");
  const sync = () => { nameField.hidden = choice.value !== NEW; };
  choice.addEventListener("change", sync);
  sync();
  const form = h("form", { novalidate: true, "data-testid": "shortlist-dialog" },
    h("p", { class: "muted" }, `${ids.length} creator${ids.length === 1 ? "" : "s"} selected.`),
    field("Shortlist", choice), nameField, status,
    h("div", { class: "form-actions" }, h("button", { class: "btn btn-secondary", type: "button", onclick: () => dialog.close() }, "Cancel"), submit));
  const dialog = modal("Add to shortlist", form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const list = choice.value === NEW
        ? await api.post("/shortlists", { name: name.value.trim(), influencer_ids: ids })
        : await api.post(`/shortlists/${choice.value}/items`, { influencer_ids: ids });
      dialog.close();
      toast(`Added to ${list.name}.`, "info", { href: `#/shortlists/${list.id}`, text: "Open shortlist" });
      if (onAdded) onAdded(list);
    } catch (err) {
      clear(status, failure(err));
      submit.disabled = false;
    }
  });
}

// A button that opens the dialog for one creator (profile, recommendations).
export function addToShortlistButton(influencerId, label = "Add to shortlist") {
  return h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-needs": "manager", "data-testid": "add-to-shortlist",
    onclick: () => addToShortlist([Number(influencerId)]).catch((err) => toast(describeError(err).message, "error")) }, label);
}

export async function render(ctx) {
  if (ctx.params.id) return renderOne(ctx);
  const data = await api.get("/shortlists", { page_size: 200 });
  if (!ctx.isCurrent()) return;
  const lists = itemsOf(data);
  const name = h("input", { type: "text", name: "name", maxlength: "200", required: true, autocomplete: "off" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "toolbar", novalidate: true, "data-needs": "manager", "aria-label": "New shortlist" },
    field("New shortlist", name), h("button", { class: "btn", type: "submit" }, "Create"), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const list = await api.post("/shortlists", { name: name.value.trim() });
      navigate(`/shortlists/${list.id}`);
    } catch (err) { clear(status, failure(err)); }
  });
  clear(ctx.root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Shortlists"), h("p", {}, "Lists of creators shared by the workspace."))),
    form,
    lists.length === 0
      ? h("div", { class: "card" }, empty("No shortlists yet", "Select creators on the Influencers page and add them to a shortlist.", h("a", { class: "btn btn-secondary", href: "#/influencers" }, "Find influencers")))
      : table({ caption: "Shortlists", rows: lists, onRowClick: (l) => navigate(`/shortlists/${l.id}`), rowLabel: (l) => `Open ${l.name}`,
        columns: [
          { label: "Name", value: (l) => h("a", { class: "cell-main", href: `#/shortlists/${l.id}` }, l.name) },
          { label: "Creators", num: true, value: (l) => fmt.int(l.size) },
          { label: "Created", value: (l) => fmt.date(l.created_at) },
          { label: "By", value: (l) => l.created_by || "—" },
        ] })));
}

async function renderOne(ctx) {
  const list = await api.get(`/shortlists/${ctx.params.id}`);
  if (!ctx.isCurrent()) return;
  document.title = `${list.name} · Predictfluence`;
  const chosen = new Set(list.items.map((r) => r.id));
  const actions = h("div", { class: "toolbar shortlist-actions" });
  const reload = () => renderOne(ctx);
  const showActions = () => {
    const ids = [...chosen];
    const n = ids.length;
    clear(actions,
      h("span", { class: "small muted", "data-testid": "shortlist-selected" }, `${n} of ${list.items.length} selected`),
      h("a", { class: `btn btn-secondary btn-sm ${n >= 2 && n <= 5 ? "" : "disabled"}`, "aria-disabled": n >= 2 && n <= 5 ? null : "true",
        href: n >= 2 && n <= 5 ? `#/compare?ids=${ids.join(",")}` : null, "data-testid": "shortlist-compare" }, "Compare (2–5)"),
      planLink(list), h("button", { type: "button", class: "btn btn-sm", "data-needs": "manager", disabled: n === 0,
        "data-testid": "shortlist-hire", onclick: () => hireDialog(list.items.filter((r) => chosen.has(r.id))) }, "Hire into a campaign…"));
  };
  const rename = h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-needs": "manager", onclick: async () => {
    const next = window.prompt("New name", list.name);
    if (!next || next.trim() === list.name) return;
    try { await api.patch(`/shortlists/${list.id}`, { name: next.trim() }); reload(); } catch (err) { toast(describeError(err).message, "error"); }
  } }, "Rename");
  const remove = h("button", { type: "button", class: "btn btn-danger btn-sm", "data-needs": "manager", onclick: async () => {
    if (!window.confirm(`Delete the shortlist ${list.name}? The creators stay in the database.`)) return;
    await api.del(`/shortlists/${list.id}`);
    navigate("/shortlists");
  } }, "Delete");
  const noteInput = (r) => {
    // viewers read the notes; only managers and admins may change them (the API refuses the others)
    const readOnly = !["manager", "admin"].includes(document.body.dataset.role);
    const input = h("input", { type: "text", name: `note_${r.id}`, maxlength: "2000", value: r.note || "", "aria-label": `Note on ${who(r)}`, class: "note-input", readonly: readOnly });
    input.addEventListener("change", async () => {
      try { await api.patch(`/shortlists/${list.id}/items/${r.id}`, { note: input.value }); toast("Note saved."); } catch (err) { toast(describeError(err).message, "error"); }
    });
    return input;
  };
  const box = (r) => {
    const cb = h("input", { type: "checkbox", checked: true, "aria-label": `Select ${who(r)}`, "data-testid": "shortlist-row-select" });
    cb.addEventListener("change", () => { if (cb.checked) chosen.add(r.id); else chosen.delete(r.id); showActions(); });
    return cb;
  };
  const takeOff = (r) => h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-needs": "manager", "aria-label": `Remove ${who(r)}`,
    onclick: async () => { await api.del(`/shortlists/${list.id}/items/${r.id}`); reload(); } }, "Remove");
  showActions();
  clear(ctx.root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("a", { href: "#/shortlists", class: "small" }, "← Shortlists"), h("h1", {}, list.name),
      h("p", {}, `${list.items.length} creators · created ${fmt.date(list.created_at)}${list.created_by ? ` by ${list.created_by}` : ""}`)), h("div", { class: "toolbar" },
        exportButton("Export CSV", `/shortlists/${list.id}/items.csv`, {}, `shortlist-${list.id}.csv`), rename, remove)),
    actions,
    list.items.length === 0
      ? h("div", { class: "card" }, empty("This shortlist is empty", "Add creators from the Influencers page, a profile or the recommendations."))
      : table({ caption: `Creators on ${list.name}`, rows: list.items, className: "shortlist-table",
        columns: [
          { label: "", srLabel: "Select", value: box },
          { label: "Influencer", value: (r) => h("div", {}, h("a", { class: "cell-main", href: `#/influencers/${r.id}` }, who(r)), h("div", { class: "cell-sub" }, `@${r.handle} · ${fmt.label(r.platform)}`)) },
          { label: "Followers", num: true, value: (r) => fmt.int(r.followers) },
          { label: "Avg ER", num: true, value: (r) => fmt.pct(r.avg_engagement_rate) },
          { label: "Avg likes", num: true, value: (r) => fmt.int(r.avg_likes) },
          { label: "Avg views", num: true, value: (r) => fmt.int(r.avg_views) },
          { label: "Flags", value: (r) => (r.flags.length ? badge(r.flags.join(", "), "warning") : "—") },
          { label: "Cost / post", num: true, value: (r) => (r.cost_per_post == null ? "—" : h("div", {}, fmt.money(r.cost_per_post),
            h("div", { class: "cell-sub" }, `${fmt.money(r.cost_low)}–${fmt.money(r.cost_high)}`))) },
          { label: "Note", value: noteInput },
          { label: "", srLabel: "Remove", value: takeOff },
        ] })));
}

// "Plan from this list": the campaign page's Plan section, seeded with the list (it reads ?shortlist=).
function planLink(list) {
  const wrap = h("span", { class: "plan-from", "data-needs": "manager" });
  loadCampaigns(true).then((campaigns) => {
    if (!campaigns.length) return;
    const sel = select("plan_campaign", campaigns.map((c) => [c.id, c.name]), campaigns[0].id, { "aria-label": "Campaign to plan" });
    const go = h("button", { type: "button", class: "btn btn-secondary btn-sm", "data-testid": "shortlist-plan",
      onclick: () => navigate(`/campaigns/${sel.value}`, { shortlist: String(list.id) }) }, "Plan from this list");
    clear(wrap, sel, go);
  }).catch(() => {});
  return wrap;
}

// Hire the chosen creators in one call (POST /campaigns/{id}/hires, all or nothing under the budget rule);
// each cost is prefilled with the creator's cost forecast per post.
async function hireDialog(rows) {
  const campaigns = await loadCampaigns(true);
  const status = h("div", { "aria-live": "polite" });
  if (!campaigns.length) { toast("There is no open campaign to hire into.", "error"); return; }
  const campaign = select("campaign_id", campaigns.map((c) => [c.id, c.name]), campaigns[0].id);
  const costs = rows.map((r) => [r, h("input", { type: "number", min: "0", step: "0.01", name: `cost_${r.id}`, required: true,
    value: r.cost_per_post == null ? null : String(Math.round(r.cost_per_post * 100) / 100), "aria-label": `Agreed cost for ${who(r)}` })]);
  const submit = h("button", { class: "btn", type: "submit", "data-testid": "shortlist-hire-submit" }, `Hire ${rows.length}`);
  const form = h("form", { novalidate: true },
    field("Campaign", campaign),
    h("p", { class: "small muted" }, "Costs are prefilled with each creator's forecast cost per post."),
    h("ul", { class: "hire-costs" }, costs.map(([r, input]) => h("li", {}, h("span", {}, who(r)), input))),
    status,
    h("div", { class: "form-actions" }, h("button", { class: "btn btn-secondary", type: "button", onclick: () => dialog.close() }, "Cancel"), submit));
  const dialog = modal("Hire into a campaign", form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const hires = costs.map(([r, input]) => ({ influencer_id: r.id, agreed_cost: Number(input.value) }));
    if (costs.some(([, input]) => input.value === "" || Number(input.value) < 0)) { clear(status, failure(new Error("Enter every agreed cost (0 or more)."))); return; }
    submit.disabled = true;
    try {
      await api.post(`/campaigns/${campaign.value}/hires`, { hires });
      dialog.close();
      toast(`${hires.length} hired.`, "info", { href: `#/campaigns/${campaign.value}`, text: "Open campaign" });
    } catch (err) { clear(status, failure(err)); submit.disabled = false; }
  });
}

// Row selection for the Influencers table: a checkbox column and a bar with "Compare" and "Add to shortlist".
// The selection lives for the session's page views (kept across pages and filters until cleared).
const picked = new Map(); // id → name
export function rowSelection() {
  const bar = h("div", { class: "selection-bar", "aria-live": "polite", "data-testid": "selection-bar" });
  const show = () => {
    const ids = [...picked.keys()];
    const n = ids.length;
    const canCompare = n >= 2 && n <= 5;
    clear(bar, h("span", { class: "small muted", "data-testid": "selection-count" }, n ? `${n} selected` : "Select rows to compare or shortlist"),
      h("a", { class: `btn btn-secondary btn-sm ${canCompare ? "" : "disabled"}`, href: canCompare ? `#/compare?ids=${ids.join(",")}` : null,
        "aria-disabled": canCompare ? null : "true", "data-testid": "selection-compare" }, "Compare (2–5)"),
      h("button", { type: "button", class: "btn btn-sm", "data-needs": "manager", disabled: n === 0, "data-testid": "selection-shortlist",
        onclick: () => addToShortlist(ids, { onAdded: () => { picked.clear(); show(); for (const cb of document.querySelectorAll("[data-testid=row-select]")) cb.checked = false; } })
          .catch((err) => toast(describeError(err).message, "error")) }, "Add to shortlist"),
      n ? h("button", { type: "button", class: "btn btn-secondary btn-sm", onclick: () => { picked.clear(); show(); for (const cb of document.querySelectorAll("[data-testid=row-select]")) cb.checked = false; } }, "Clear") : null);
  };
  show();
  const column = { label: "", srLabel: "Select", value: (r) => {
    const cb = h("input", { type: "checkbox", checked: picked.has(r.id) ? true : null, "aria-label": `Select ${who(r)}`, "data-testid": "row-select" });
    cb.addEventListener("change", () => { if (cb.checked) picked.set(r.id, who(r)); else picked.delete(r.id); show(); });
    return cb;
  } };
  return { bar, column };
}
