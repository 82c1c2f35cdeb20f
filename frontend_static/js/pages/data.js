import { api, itemsOf, pick } from "../api.js";
import { navigate } from "../router.js";
import { badge, clear, describeError, empty, errorBox, field, fmt, h, loading, select, statusBadge, table } from "../ui.js";
import { UPLOAD_COLUMNS, UPLOAD_KINDS } from "../options.js";
import { pager } from "../pager.js";
import { exportButton } from "./report.js";

export const title = "Data";
const FINAL = new Set(["loaded", "rejected", "failed"]);
const POLL_MS = 1500;
const POLL_LIMIT_MS = 5 * 60 * 1000;
const LOADS_PAGE_SIZE = 20;

// A pre-signed POST through XMLHttpRequest: fetch() reports no upload progress, XHR's upload events do.
function postWithProgress(url, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); });
    xhr.addEventListener("load", () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`The storage service refused the file (${xhr.status}).`))));
    xhr.addEventListener("error", () => reject(new Error("The upload failed: the storage service could not be reached.")));
    xhr.send(form);
  });
}

async function putFile(target, file, onProgress = () => {}) {
  const url = pick(target, "upload_url", "url", "presigned_url");
  if (target.fields) { // pre-signed POST
    const form = new FormData();
    for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
    form.append("file", file);
    await postWithProgress(url, form, onProgress);
    return;
  }
  const headers = { ...(target.headers || {}) };
  const res = await fetch(url, { method: pick(target, "method") || "PUT", headers, body: file });
  if (!res.ok) throw new Error(`The storage service refused the file (${res.status}).`);
}

// ---- the preview: what a file would load as, before anything loads (POST /imports/preview) ----
const PREVIEW_READ = 1024 * 1024; // the browser reads the file's first 1 MiB
const PREVIEW_BODY = 56 * 1024; // the API takes JSON bodies up to 64 KiB: send the whole lines that fit
const IGNORE = "ignore";

async function headOf(file) {
  // UTF-16 exports (spreadsheet "Unicode text") start with a byte-order mark; the ETL reads them too
  const bytes = new Uint8Array(await file.slice(0, PREVIEW_READ).arrayBuffer());
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : bytes[0] === 0xfe && bytes[1] === 0xff ? "utf-16be" : "utf-8";
  let text = new TextDecoder(encoding).decode(bytes);
  if (file.size > PREVIEW_READ) text = text.slice(0, text.lastIndexOf("\n") + 1);
  const enc = new TextEncoder();
  while (text && enc.encode(JSON.stringify(text)).length > PREVIEW_BODY) {
    const cut = text.lastIndexOf("\n", Math.floor(text.length * 0.8));
    text = cut > 0 ? text.slice(0, cut + 1) : "";
  }
  return text;
}

const pct = (v) => `${Math.round(Number(v || 0) * 100)} %`;

function targetSelect(col, targets, i) {
  const options = [...new Set([...targets, col.target || IGNORE])].map((t) => [t, t === IGNORE ? "ignore (do not load)" : t]);
  return select(`target-${i}`, options, col.target || IGNORE, { id: `map-target-${i}`, "data-header": col.header, "aria-describedby": `map-err-${i}` });
}

function previewView(p, kindLabel) {
  const ambiguous = new Map((p.ambiguous || []).map((a) => [a.header, a.reason]));
  const targets = p.targets || [];
  const rows = (p.columns || []).map((c, i) => ({ ...c, i, reason: ambiguous.get(c.header) }));
  const summary = h("dl", { class: "stat-list preview-summary", "data-testid": "preview-summary" },
    [["Detected kind", `${kindLabel(p.kind)} (${pct(p.kind_confidence)} confidence)`],
      ["Platform", p.platform ? `${p.platform} (from ${p.platform_source})` : "—"],
      ["Rows sampled", fmt.int(p.rows_sampled)],
      ["Mapping", p.saved ? `saved on ${fmt.datetime(p.saved_at)} by ${p.saved_by || "—"}` : "inferred from the header and the values"],
    ].map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v))));
  const grid = table({ caption: "Columns: each header, sample values and the column it loads into", rows, className: "mapping-table",
    columns: [
      { label: "#", num: true, value: (c) => c.index },
      { label: "Header", value: (c) => h("label", { for: `map-target-${c.i}`, class: "cell-main" }, c.header) },
      { label: "Sample values", value: (c) => h("span", { class: "mapping-samples" }, (c.samples || []).slice(0, 3).join(", ") || "—") },
      { label: "Loads into", value: (c) => h("div", {}, targetSelect(c, targets, c.i), h("div", { class: "field-error", id: `map-err-${c.i}`, "data-testid": "mapping-error", "aria-live": "polite" })) },
      { label: "Confidence", num: true, value: (c) => pct(c.confidence) },
      { label: "Why", value: (c) => h("div", {}, c.why || "—", c.reason ? h("div", { class: "mapping-reason", "data-testid": "ambiguous-reason" }, `Ambiguous: ${c.reason}`) : null) },
    ] });
  for (const tr of grid.querySelectorAll("tbody tr")) {
    const sel = tr.querySelector("select");
    if (sel && ambiguous.has(sel.dataset.header)) tr.classList.add("mapping-ambiguous");
  }
  return { summary, grid };
}

// While a load runs the API reports the rows its ETL has processed so far (GET /etl/loads → rows_processed).
const processed = (l) => `${fmt.int(l.rows_processed || 0)} rows processed`;

function rejectionsOf(report) {
  return itemsOf(pick(report, "rejections", "rejected_rows", "errors") || pick(report?.report || {}, "rejections", "rejected_rows") || []);
}

function reportView(load) {
  const rej = rejectionsOf(load);
  const rejected = Number(pick(load, "rows_rejected") ?? rej.length);
  return h("div", { "data-testid": "load-report", style: "display:flex;flex-direction:column;gap:12px" },
    h("div", { class: "card-head", style: "margin:0" }, h("h2", {}, `Load #${load.id}: ${load.file_key || load.key || ""}`), statusBadge(load.status)),
    h("dl", { class: "stat-list" }, [["Kind", fmt.label(load.kind)], ["Rows in", fmt.int(load.rows_in)], ["Loaded", fmt.int(load.rows_loaded)], ["Rejected", fmt.int(rejected)], ["Started", fmt.datetime(load.started_at)], ["Finished", fmt.datetime(load.finished_at)], ["Uploaded by", load.uploaded_by_label || "—"]]
      .map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v)))),
    load.error || load.reason ? h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, "The file was rejected"), load.error || load.reason) : null,
    rej.length ? h("div", { class: "page-actions" }, h("span", { class: "muted small", "data-testid": "rejections-shown" },
      `Showing ${fmt.int(rej.length)} of ${fmt.int(rejected)} rejected rows${rej.length < rejected ? " — export the CSV for every listed row" : ""}`),
    exportButton("Export CSV", `/etl/loads/${load.id}/rejected.csv`, {}, `load-${load.id}-rejected.csv`)) : null,
    rej.length ? table({ caption: `Rejected rows (${fmt.int(rej.length)} of ${fmt.int(rejected)})`, rows: rej, className: "rejections-table",
      columns: [{ label: "Line", num: true, value: (r) => fmt.int(pick(r, "line", "row")) }, { label: "Column", value: (r) => r.column || "—" }, { label: "Value", value: (r) => (r.value === undefined || r.value === null ? "—" : String(r.value)) }, { label: "Reason", value: (r) => pick(r, "reason", "message", "error") }] })
      : rejected > 0 ? h("p", { class: "muted" }, "Rejected rows were counted but the report has no row details.") : h("p", { class: "muted", "data-testid": FINAL.has(load.status) ? null : "report-progress" }, FINAL.has(load.status) ? "Every row was accepted." : `Waiting for the load to finish: ${processed(load)} so far…`));
}

export async function render({ root, query, isCurrent, onLeave }) {
  let timer = null;
  onLeave(() => clearTimeout(timer));
  const kindSel = select("kind", UPLOAD_KINDS, query.kind || "influencers");
  const fileInput = h("input", { type: "file", name: "file", accept: ".csv,text/csv", required: true });
  const uploadStatus = h("div", { "aria-live": "polite", "data-testid": "upload-status" });
  const columnsHint = h("p", { class: "small muted", "data-testid": "columns-hint", style: "margin:10px 0 0" });
  const showColumns = () => {
    const cols = UPLOAD_COLUMNS[kindSel.value] || [];
    clear(columnsHint, "Columns: ", cols.map((c, i) => [i ? ", " : "", c.endsWith("*") ? h("b", {}, c.slice(0, -1)) : c]), cols.some((c) => c.endsWith("*")) ? " (bold = required; extra columns are ignored)" : "");
  };
  kindSel.addEventListener("change", showColumns);
  showColumns();
  const submit = h("button", { class: "btn", type: "submit" }, "Upload CSV");
  const form = h("form", { class: "card", novalidate: true, "aria-label": "Upload a CSV", "data-needs": "manager" },
    h("h2", {}, "Upload a CSV"),
    h("p", { class: "muted", style: "margin:6px 0 14px" }, "Files go straight to the raw bucket through a one-time link; the ETL validates every row, loads the good ones and reports the rest."),
    h("div", { class: "form-grid" }, field("File kind", kindSel), h("div", { class: "field" }, h("label", { for: "upload-file" }, "CSV file"), h("div", { class: "drop" }, fileInput))),
    columnsHint,
    uploadStatus,
    h("div", { class: "form-actions" }, submit));
  fileInput.id = "upload-file";
  const previewBox = h("section", { class: "card", hidden: true, "data-testid": "preview", "aria-label": "Preview of the file" });
  const reportBox = h("section", { class: "card", hidden: true });
  const loadsBox = h("div", {}, loading("Loading recent loads…"));
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Data"), h("p", {}, "Upload CSVs and follow each load."))),
    form, previewBox, reportBox,
    h("section", { class: "card" }, h("div", { class: "card-head" }, h("h2", {}, "Recent loads"), h("button", { class: "btn btn-secondary btn-sm", type: "button", onclick: () => refreshLoads() }, "Refresh")), loadsBox)));

  async function showReport(id) {
    reportBox.hidden = false;
    clear(reportBox, loading("Loading the report…"));
    try {
      const load = await api.get(`/etl/loads/${id}`);
      if (!isCurrent()) return null;
      clear(reportBox, reportView(load));
      return load;
    } catch (err) { if (isCurrent()) clear(reportBox, errorBox(err)); return null; }
  }

  async function refreshLoads() {
    try {
      const page = Math.max(1, Number.parseInt(query.loads_page, 10) || 1);
      const resp = await api.get("/etl/loads", { page_size: LOADS_PAGE_SIZE, page });
      const loads = itemsOf(resp);
      if (!isCurrent()) return [];
      const pages = pager({ page, pageSize: LOADS_PAGE_SIZE, total: resp.page_info ? resp.page_info.total : loads.length, shown: loads.length,
        noun: "loads", onPage: (p) => navigate("/data", { ...query, loads_page: p }) });
      clear(loadsBox, loads.length === 0 ? empty("No loads yet", "Upload a CSV above; its load appears here.") : table({
        caption: "Most recent loads first", rows: loads, className: "loads-table",
        onRowClick: (l) => navigate("/data", { load: l.id }), rowLabel: (l) => `Open the report of load ${l.id}`,
        columns: [
          { label: "File", value: (l) => h("div", {}, h("a", { class: "cell-main", href: `#/data?load=${l.id}` }, String(l.file_key || "").split("/").pop()), h("div", { class: "cell-sub" }, l.file_key)) },
          { label: "Kind", value: (l) => fmt.label(l.kind) },
          { label: "Status", value: (l) => (l.status === "processing"
            ? h("div", {}, statusBadge(l.status), h("div", { class: "cell-sub", "data-testid": "rows-processed" }, processed(l)))
            : statusBadge(l.status)) },
          { label: "Rows in", num: true, value: (l) => fmt.int(l.rows_in) },
          { label: "Loaded", num: true, value: (l) => fmt.int(l.rows_loaded) },
          { label: "Rejected", num: true, value: (l) => fmt.int(l.rows_rejected) },
          { label: "Started", value: (l) => fmt.datetime(l.started_at) },
          { label: "Uploaded by", value: (l) => h("span", { class: "small", title: l.uploaded_by || "" }, l.uploaded_by_label || "—") },
          { label: "Actions", value: (l) => (FINAL.has(l.status)
            ? h("button", { class: "btn btn-secondary btn-sm", type: "button", "data-testid": "rerun-load", "data-needs": "manager", "aria-label": `Re-run load ${l.id}`, onclick: (e) => rerun(l, e.currentTarget) }, "Re-run")
            : "—") },
        ] }), loads.length ? pages : null);
      followRunning(loads);
      return loads;
    } catch (err) { if (isCurrent()) clear(loadsBox, errorBox(err)); return []; }
  }

  // Loads that are processing (from this page or any other upload): refresh the list — and the open report
  // when it is one of them — every POLL_MS until none is left.
  let listTimer = null;
  onLeave(() => clearTimeout(listTimer));
  function followRunning(loads) {
    clearTimeout(listTimer);
    if (!loads.some((l) => l.status === "processing")) return;
    listTimer = setTimeout(async () => {
      if (!isCurrent()) return;
      const shown = query.load ? loads.find((l) => String(l.id) === String(query.load) && l.status === "processing") : null;
      await refreshLoads();
      if (shown && isCurrent()) await showReport(query.load);
    }, POLL_MS);
  }

  // A manager re-runs a load: the API puts its S3 object back on the ETL queue (forced). The page then
  // polls until a load of the same file is final again with a new start time (or a new load id).
  async function rerun(load, button) {
    button.disabled = true;
    clear(uploadStatus, loading(`Queuing load #${load.id} for a re-run…`));
    try {
      await api.post(`/etl/loads/${load.id}/rerun`);
      clear(uploadStatus, h("div", { class: "alert alert-info", "data-testid": "rerun-status" }, h("strong", {}, `Load #${load.id} queued for a re-run`), "Waiting for the ETL to load the file again…"));
      watchRerun(load, Date.now());
    } catch (err) {
      const d = describeError(err);
      clear(uploadStatus, h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, d.title), d.message));
      button.disabled = false;
    }
  }

  function watchRerun(before, started) {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!isCurrent()) return;
      const loads = await refreshLoads();
      const again = loads.find((l) => l.file_key === before.file_key && FINAL.has(l.status) && (l.id !== before.id || l.started_at !== before.started_at));
      if (again) {
        clear(uploadStatus, h("div", { class: "alert alert-info", "data-testid": "rerun-status", "data-done": "true" }, h("strong", {}, `Load #${again.id} re-run: ${fmt.label(again.status)}`), `${fmt.int(again.rows_loaded)} rows loaded, ${fmt.int(again.rows_rejected)} rejected.`));
        navigate("/data", { load: again.id }, { replace: true });
        return;
      }
      if (Date.now() - started < POLL_LIMIT_MS) watchRerun(before, started);
      else clear(uploadStatus, h("div", { class: "alert alert-warning" }, "The re-run has not finished after 5 minutes. Use Refresh to check again."));
    }, POLL_MS);
  }

  function watch(key, started) {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!isCurrent()) return;
      const loads = await refreshLoads();
      const mine = loads.find((l) => l.file_key === key || String(l.file_key || "").endsWith(key));
      if (mine) {
        clear(uploadStatus, h("div", { class: "alert alert-info" }, h("strong", {}, `Load #${mine.id}: ${fmt.label(mine.status)}`), FINAL.has(mine.status) ? `${fmt.int(mine.rows_loaded)} rows loaded, ${fmt.int(mine.rows_rejected)} rejected.` : `Processing: ${processed(mine)}…`));
        if (FINAL.has(mine.status)) { navigate("/data", { load: mine.id }, { replace: true }); return; }
      }
      if (Date.now() - started < POLL_LIMIT_MS) watch(key, started);
      else clear(uploadStatus, h("div", { class: "alert alert-warning" }, "The load has not finished after 5 minutes. Use Refresh to check again."));
    }, POLL_MS);
  }

  const kindLabel = (k) => (UPLOAD_KINDS.find(([v]) => v === k) || [k, k || "unknown"])[1];
  let previewed = null;

  async function showPreview(file) {
    previewBox.hidden = false;
    clear(previewBox, loading(`Reading ${file.name}…`));
    try {
      const p = await api.post("/imports/preview", { file_name: file.name, head: await headOf(file) });
      if (!isCurrent() || fileInput.files[0] !== file) return;
      previewed = { file, p };
      if (p.kind && UPLOAD_KINDS.some(([v]) => v === p.kind)) { kindSel.value = p.kind; showColumns(); }
      const { summary, grid } = previewView(p, kindLabel);
      const mappable = p.kind === "profiles";
      const topError = h("div", { class: "field-error", "data-testid": "mapping-top-error", "aria-live": "polite" });
      const save = h("button", { class: "btn", type: "button", "data-testid": "save-and-load" }, "Save mapping and load");
      save.addEventListener("click", () => saveAndLoad(save, topError));
      clear(previewBox, h("div", { class: "card-head" }, h("h2", {}, `Preview: ${file.name}`), p.ready ? badge("ready", "success") : badge("needs a decision", "warning")),
        h("p", { class: "muted preview-note" }, "Nothing is loaded yet. Check each column's target; change it or ignore the column, then save the mapping and load."),
        summary, p.ambiguous?.length ? h("div", { class: "alert alert-warning", "data-testid": "ambiguous" }, h("strong", {}, "Ambiguous columns"), p.ambiguous.map((a) => h("div", {}, `${a.header}: ${a.reason}`))) : null,
        grid, topError, mappable ? h("div", { class: "form-actions" }, save) : h("p", { class: "muted" }, "Files of this kind load with their own columns; use Upload CSV."));
    } catch (err) {
      if (isCurrent()) clear(previewBox, errorBox(err));
    }
  }

  function chosenMapping(p) {
    const mapping = Object.fromEntries(Object.entries(p.mapping || {}).filter(([k]) => k.startsWith("@")));
    for (const sel of previewBox.querySelectorAll("select[data-header]")) mapping[sel.dataset.header] = sel.value;
    return mapping;
  }

  function showMappingErrors(err, topError) {
    const details = Array.isArray(err?.details) ? err.details : [];
    for (const d of details) {
      const header = String(d.field || "").startsWith("mapping.") ? d.field.slice(8) : null;
      const sel = header === null ? null : [...previewBox.querySelectorAll("select[data-header]")].find((s) => s.dataset.header === header);
      const box = sel ? document.getElementById(sel.getAttribute("aria-describedby")) : topError;
      box.textContent = [box.textContent, d.message].filter(Boolean).join("; ");
      if (sel) sel.setAttribute("aria-invalid", "true");
    }
    if (!details.length) topError.textContent = describeError(err).message;
  }

  async function saveAndLoad(button, topError) {
    if (!previewed) return;
    const { file, p } = previewed;
    for (const el of previewBox.querySelectorAll(".field-error")) el.textContent = "";
    for (const el of previewBox.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    button.disabled = true;
    try {
      await api.put(`/imports/mappings?signature=${encodeURIComponent(p.header_signature)}`,
        { kind: "profiles", header: p.header, mapping: chosenMapping(p), source_name: file.name.slice(0, 200) });
    } catch (err) {
      showMappingErrors(err, topError);
      button.disabled = false;
      return;
    }
    kindSel.value = "profiles";
    await upload(file);
    button.disabled = false;
  }

  fileInput.addEventListener("change", () => {
    const file = fileInput.files[0];
    previewed = null;
    if (file) showPreview(file);
    else previewBox.hidden = true;
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = fileInput.files[0];
    const err = document.getElementById(`${fileInput.id}-err`);
    if (!file) {
      clear(uploadStatus, h("div", { class: "field-error" }, "Choose a CSV file to upload."));
      fileInput.focus();
      return;
    }
    if (err) err.textContent = "";
    await upload(file);
  });

  async function upload(file) {
    if (!/\.csv$/i.test(file.name)) {
      clear(uploadStatus, h("div", { class: "field-error" }, "Only .csv files can be uploaded."));
      return;
    }
    submit.disabled = true;
    clear(uploadStatus, loading(`Uploading ${file.name}…`));
    try {
      const target = await api.post("/uploads", { kind: kindSel.value, filename: file.name, content_length: file.size });
      await putFile(target, file, (sent, total) => clear(uploadStatus, h("div", { "data-testid": "upload-progress" },
        h("progress", { value: String(sent), max: String(total), "aria-label": `Uploading ${file.name}` }), ` ${fmt.int(sent)} of ${fmt.int(total)} bytes sent`)));
      const key = pick(target, "key", "file_key", "object_key");
      clear(uploadStatus, h("div", { class: "alert alert-info", "data-testid": "upload-done" }, h("strong", {}, `${file.name} uploaded`), "Waiting for the ETL to load it…"));
      form.reset();
      previewed = null;
      watch(key, Date.now());
    } catch (e2) {
      const d = describeError(e2);
      clear(uploadStatus, h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, d.title), d.message));
    } finally {
      submit.disabled = false;
    }
  }

  await refreshLoads();
  if (query.load && isCurrent()) await showReport(query.load);
}
