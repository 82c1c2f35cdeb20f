// "Retrain now" for admins (POST /models/retrain, 202): the run is asynchronous and records nothing until it
// registers a version, so progress is GET /models polled until a version newer than the newest one shown appears.
// A failed run registers none: after POLL_LIMIT polls the panel says so instead of waiting forever.
import { api, itemsOf } from "../api.js";
import { clear, errorBox, fmt, h } from "../ui.js";

const POLL_MS = 3000;
const POLL_LIMIT = 200; // 10 minutes at 3 s

const newest = (items) => items.reduce((a, v) => (a === null || v.id > a ? v.id : a), null);

export function retrainPanel(items, { isCurrent, onDone }) {
  const before = newest(items);
  const last = items.find((v) => v.id === before);
  const status = h("div", { "aria-live": "polite", "data-testid": "retrain-status", class: "small" });
  const button = h("button", { class: "btn", type: "button", "data-testid": "retrain" }, "Retrain now");
  const progress = h("progress", { "aria-label": "Retraining", hidden: true });
  const poll = async (n) => {
    if (!isCurrent()) return;
    let found;
    try {
      found = itemsOf(await api.get("/models", { limit: 20 })).find((v) => before === null || v.id > before);
    } catch (err) {
      progress.hidden = true; button.disabled = false;
      clear(status, errorBox(err));
      return;
    }
    if (found) {
      progress.hidden = true;
      clear(status, `Trained ${found.version} (${fmt.label(found.status)}) at ${fmt.datetime(found.trained_at)}.`);
      onDone();
    } else if (n >= POLL_LIMIT) {
      progress.hidden = true; button.disabled = false;
      clear(status, "No new version after 10 minutes: the run may have failed (a failed run records no version; see the retrain function's logs).");
    } else {
      clear(status, `Training… still running (checked ${n + 1} time${n ? "s" : ""}).`);
      setTimeout(() => poll(n + 1), POLL_MS);
    }
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    clear(status, "Starting…");
    try {
      await api.post("/models/retrain");
    } catch (err) {
      button.disabled = false;
      clear(status, errorBox(err));
      return;
    }
    progress.hidden = false;
    poll(0);
  });
  return h("section", { class: "card", "data-needs": "admin", "data-testid": "retrain-panel", "aria-label": "Retraining" },
    h("div", { class: "card-head" }, h("h2", {}, "Retraining"), button),
    h("p", { class: "muted small" }, last
      ? `The newest version, ${last.version}, was trained ${fmt.datetime(last.trained_at)} and measured on ${fmt.int(last.metrics?.holdout_rows)} held-out rows.`
      : "No version has been trained yet."),
    progress, status);
}
