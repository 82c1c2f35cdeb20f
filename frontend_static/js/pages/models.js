// Models: the champion and recent versions from GET /models, each measured on its holdout against the
// two baselines (the peer median and persistence, the creator's own recent ER), overall and per history
// segment, with the promotion decision and, when the cost model ran, its figures.
import { api, itemsOf } from "../api.js";
import { retrainPanel } from "./models-retrain.js";
import { badge, clear, empty, errorBox, fmt, h, table } from "../ui.js";

export const title = "Models";

// history segments (predictfluence_ml.peers.SEGMENTS): posts of the content type in the last 90 days
const SEGMENT_LABELS = { none: "No posts of this type", lt5: "1–4 posts", "5to14": "5–14 posts", ge15: "15+ posts" };
const has = (v) => v !== undefined && v !== null && v !== "" && !Number.isNaN(Number(v));
// MAE of an engagement rate (a fraction), in percentage points
const mae = (v) => (has(v) ? `${(Number(v) * 100).toFixed(2)} pp` : "—");
const ratio = (a, b) => (has(a) && has(b) && Number(b) > 0 ? Number(a) / Number(b) : null);

const STATUS_KIND = { champion: "success", challenger: "warning", rejected: "danger", retired: "" };
const statusBadge = (s) => badge(fmt.label(s), STATUS_KIND[s] ?? "");

// "0.93× persistence" with a badge saying whether the model beats that baseline (ratio < 1)
function versus(r, name) {
  if (!has(r)) return "—";
  const beats = Number(r) < 1;
  return h("span", { class: "versus" }, `${Number(r).toFixed(2)}× `,
    badge(beats ? `beats ${name}` : `loses to ${name}`, beats ? "success" : "danger"));
}

export function segments(metrics) {
  const names = Object.keys(metrics || {}).map((k) => /^segment_(.+)_rows$/.exec(k)?.[1]).filter(Boolean);
  const order = Object.keys(SEGMENT_LABELS);
  names.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return names.map((s) => {
    const m = (k) => metrics[`segment_${s}_${k}`];
    return { name: s, label: SEGMENT_LABELS[s] || s, rows: m("rows"), mae: m("mae"), peer: m("baseline_mae"), persistence: m("persistence_mae"),
      vsPeer: ratio(m("mae"), m("baseline_mae")), vsPersistence: m("mae_vs_persistence") ?? ratio(m("mae"), m("persistence_mae")) };
  });
}

const vsPeer = (m) => m.mae_ratio ?? ratio(m.mae, m.baseline_mae);
const vsPersistence = (m) => m.mae_vs_persistence ?? ratio(m.mae, m.persistence_mae);

function baselines(m) {
  return h("dl", { class: "stat-list", "data-testid": "champion-baselines" },
    [["Holdout MAE", mae(m.mae)],
      ["Peer baseline (median of platform × tier × category)", mae(m.baseline_mae)],
      ["Model vs peer baseline", versus(vsPeer(m), "peers")],
      ["Persistence baseline (own last-90-day ER)", mae(m.persistence_mae)],
      ["Model vs persistence", versus(vsPersistence(m), "persistence")],
      ["80% interval coverage", fmt.share(m.interval_coverage)],
      ["Holdout rows", fmt.int(m.holdout_rows)]]
      .map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v))));
}

function segmentTable(m) {
  const rows = segments(m);
  if (!rows.length) return null;
  return table({ caption: "MAE by history segment (posts of the content type in the last 90 days)", rows, className: "segments-table", columns: [
    { label: "History", value: (r) => r.label, rowHeader: true },
    { label: "Rows", num: true, value: (r) => fmt.int(r.rows) },
    { label: "Model MAE", num: true, value: (r) => mae(r.mae) },
    { label: "Peer MAE", num: true, value: (r) => mae(r.peer) },
    { label: "vs peers", num: true, value: (r) => versus(r.vsPeer, "peers") },
    { label: "Persistence MAE", num: true, value: (r) => mae(r.persistence) },
    { label: "vs persistence", num: true, value: (r) => versus(r.vsPersistence, "persistence") },
  ] });
}

function costModel(m) {
  if (!has(m.cost_mae) && !has(m.cost_baseline_mae) && !has(m.cost_interval_coverage)) return null;
  return h("section", { class: "card", "data-testid": "cost-model" }, h("h2", {}, "Cost model (forecast cost of a post)"),
    h("p", { class: "muted small" }, "Measured on held-out hires against a rate card: the median cost per 1,000 followers of each platform's training hires."),
    h("dl", { class: "stat-list" },
      [["Cost MAE", fmt.money(m.cost_mae)], ["Rate-card baseline MAE", fmt.money(m.cost_baseline_mae)],
        ["Model vs rate card", versus(m.cost_mae_ratio ?? ratio(m.cost_mae, m.cost_baseline_mae), "the rate card")],
        ["80% interval coverage", fmt.share(m.cost_interval_coverage)]]
        .map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v)))));
}

function champion(c) {
  const m = c.metrics || {};
  return h("section", { class: "card", "data-testid": "champion" },
    h("h2", {}, `Champion: ${c.version} `, statusBadge(c.status)),
    h("p", { class: "muted small", "data-testid": "champion-trained" }, `${fmt.label(c.kind)} model, trained ${fmt.datetime(c.trained_at)} on ${rowsOf(c)}.`),
    c.decision ? h("p", { "data-testid": "decision" }, h("strong", {}, "Decision: "), c.decision) : null,
    baselines(m), segmentTable(m));
}

// "3,538 training rows, 912 holdout rows" (influencer × content type × window examples)
const rowsOf = (v) => `${has(v.train_rows) ? fmt.int(v.train_rows) : "—"} training rows, ${has(v.holdout_rows) ? fmt.int(v.holdout_rows) : "—"} holdout rows`;

function versions(items) {
  return table({ caption: "Recent versions, newest first", rows: items, className: "versions-table", columns: [
    { label: "Version", value: (v) => v.version, rowHeader: true },
    { label: "Kind", value: (v) => fmt.label(v.kind) },
    { label: "Status", value: (v) => statusBadge(v.status) },
    { label: "Trained", value: (v) => fmt.datetime(v.trained_at) },
    { label: "Training rows", num: true, value: (v) => (has(v.train_rows) ? fmt.int(v.train_rows) : "—") },
    { label: "Holdout rows", num: true, value: (v) => (has(v.holdout_rows) ? fmt.int(v.holdout_rows) : "—") },
    { label: "MAE", num: true, value: (v) => mae(v.metrics?.mae) },
    { label: "vs peers", num: true, value: (v) => versus(vsPeer(v.metrics || {}), "peers") },
    { label: "vs persistence", num: true, value: (v) => versus(vsPersistence(v.metrics || {}), "persistence") },
    { label: "Cost MAE", num: true, value: (v) => fmt.money(v.metrics?.cost_mae) },
    { label: "Decision", value: (v) => h("span", { class: "small" }, v.decision || "—") },
  ] });
}

export async function render({ root, isCurrent }) {
  let resp;
  try {
    resp = await api.get("/models", { limit: 20 });
  } catch (err) {
    if (isCurrent()) clear(root, h("div", { class: "page" }, h("h1", {}, "Models"), errorBox(err)));
    return;
  }
  if (!isCurrent()) return;
  const items = itemsOf(resp);
  const head = h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Models"),
    h("p", {}, "How well the engagement model predicts, measured on data it never saw, against what a manager would guess without it: the peers' median and the creator's own recent engagement rate (persistence). A version becomes champion only when it beats both, and the champion before it.")));
  const retrain = retrainPanel(items, { isCurrent, onDone: () => render({ root, isCurrent }) });
  if (!items.length && !resp?.champion) {
    clear(root, h("div", { class: "page" }, head, retrain, h("div", { class: "card" },
      empty("No models yet", "Nothing has been trained. An admin can start a retraining (POST /models/retrain or `predictfluence train`) once data is loaded."))));
    return;
  }
  clear(root, h("div", { class: "page", "data-testid": "models-page" }, head, retrain,
    resp?.champion ? champion(resp.champion) : h("div", { class: "alert alert-warning" }, "No champion: no version has beaten the baselines yet."),
    resp?.champion ? costModel(resp.champion.metrics || {}) : null,
    h("section", { class: "card" }, h("h2", {}, "Versions"), versions(items))));
}
