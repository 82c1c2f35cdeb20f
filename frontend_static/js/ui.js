// DOM helpers, formatting and the shared states (loading, empty, error).
import { ApiError } from "./api.js";

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "html") el.innerHTML = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---- formatting ----
const nf = new Intl.NumberFormat("en-US");
const cf = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const dash = "—";
const isNum = (v) => v !== undefined && v !== null && v !== "" && !Number.isNaN(Number(v));

export const fmt = {
  int: (v) => (isNum(v) ? nf.format(Math.round(Number(v))) : dash),
  num: (v, d = 1) => (isNum(v) ? Number(v).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 }) : dash),
  compact: (v) => (isNum(v) ? cf.format(Number(v)) : dash),
  // rates are fractions in the API (0.0139 = 1.39 %)
  pct: (v, d = 2) => (isNum(v) ? `${(Number(v) * 100).toFixed(d)}%` : dash),
  share: (v) => (isNum(v) ? `${(Number(v) * 100).toFixed(1)}%` : dash),
  money: (v, currency = "USD", d = 0) => {
    if (!isNum(v)) return dash;
    try {
      return new Intl.NumberFormat("en-US", { style: "currency", currency: currency || "USD", maximumFractionDigits: d, minimumFractionDigits: d }).format(Number(v));
    } catch { return `${Number(v).toFixed(d)} ${currency}`; }
  },
  money2: (v, currency) => fmt.money(v, currency, 2),
  date: (v) => {
    if (!v) return dash;
    const d = new Date(v.length === 10 ? `${v}T00:00:00` : v);
    return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" });
  },
  dateShort: (v) => {
    if (!v) return dash;
    const d = new Date(String(v).length === 10 ? `${v}T00:00:00` : v);
    return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleDateString("en-US", { month: "short", day: "numeric" });
  },
  datetime: (v) => {
    if (!v) return dash;
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  },
  label: (v) => (v ? String(v).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()) : dash),
};

// ---- states ----
export function loading(text = "Loading…") {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

export function empty(title, text, action) {
  // an h2 (styled as a small heading): an empty state can follow a page's h1 directly without skipping a level
  return h("div", { class: "empty" }, h("h2", { class: "empty-title" }, title), text ? h("p", {}, text) : null, action || null);
}

export function describeError(err) {
  if (err instanceof ApiError) {
    const lines = [];
    const d = err.details;
    if (Array.isArray(d)) {
      for (const item of d) {
        if (typeof item === "string") lines.push(item);
        else if (item && typeof item === "object") {
          const where = Array.isArray(item.loc) ? item.loc.filter((x) => x !== "body").join(".") : item.field || item.column || "";
          lines.push(`${where ? where + ": " : ""}${item.msg || item.message || item.reason || JSON.stringify(item)}`);
        }
      }
    } else if (d && typeof d === "object") {
      for (const [k, v] of Object.entries(d)) lines.push(`${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`);
    }
    return { title: titleFor(err), message: err.message, lines };
  }
  return { title: "Something went wrong", message: String(err?.message || err), lines: [] };
}

function titleFor(err) {
  switch (err.status) {
    case 0: return "Cannot reach the API";
    case 400: case 422: return "Please check the input";
    case 401: return "Sign-in needed";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 409: return "Conflict";
    default: return err.status >= 500 ? "The server had a problem" : "Request failed";
  }
}

export function errorBox(err, retry) {
  const { title, message, lines } = describeError(err);
  return h("div", { class: "alert alert-error", role: "alert" },
    h("strong", {}, title),
    h("span", {}, message),
    lines.length ? h("ul", {}, lines.map((l) => h("li", {}, l))) : null,
    retry ? h("div", { style: "margin-top:8px" }, h("button", { class: "btn btn-secondary btn-sm", type: "button", onclick: retry }, "Try again")) : null,
  );
}

export function toast(message, kind = "info", link) {
  const box = document.getElementById("toasts");
  const t = h("div", { class: `toast ${kind}` }, message, link ? [" ", h("a", { href: link.href }, link.text)] : null);
  box.append(t);
  setTimeout(() => t.remove(), 6000);
}

// ---- table ----
// columns: [{label, value(row) -> node|string, num?: bool, sub?(row)}]
// sort: {key, order} of the current order; onSort(key) for columns with a sortKey (header buttons).
export function table({ columns, rows, caption, onRowClick, rowLabel, className, sort, onSort }) {
  const header = (c) => {
    // a column without a visible heading (row actions) still has one for screen readers
    const label = c.label === "" ? h("span", { class: "visually-hidden" }, c.srLabel || "Actions") : c.label;
    if (!c.sortKey || !onSort) return h("th", { scope: "col", class: c.num ? "num" : null }, label);
    const active = sort && sort.key === c.sortKey;
    const ariaSort = active ? (sort.order === "asc" ? "ascending" : "descending") : null;
    return h("th", { scope: "col", class: c.num ? "num" : null, "aria-sort": ariaSort },
      h("button", { type: "button", class: "th-sort", onclick: () => onSort(c.sortKey) }, c.label,
        h("span", { "aria-hidden": "true", class: active ? "arrow on" : "arrow" }, active && sort.order === "asc" ? "▲" : "▼")));
  };
  const thead = h("thead", {}, h("tr", {}, columns.map(header)));
  const tbody = h("tbody", {}, rows.map((r) => {
    const tr = h("tr", { class: onRowClick ? "clickable" : null },
      columns.map((c, i) => {
        const v = c.value(r);
        const cell = h(i === 0 && c.rowHeader ? "th" : "td", { class: c.num ? "num" : null, scope: i === 0 && c.rowHeader ? "row" : null });
        append(cell, [v instanceof Node ? v : (v ?? "—")]);
        return cell;
      }));
    if (onRowClick) {
      // the whole row is a mouse target; keyboard and screen-reader users use the link in its first cell
      if (rowLabel) tr.title = rowLabel(r);
      tr.addEventListener("click", (e) => { if (!e.target.closest("a,button,select,input")) onRowClick(r, e); });
    }
    return tr;
  }));
  // focusable and named: a wrap that scrolls (wide or tall tables) can be scrolled from the keyboard
  return h("div", { class: `table-wrap ${className || ""}`, tabindex: "0", role: "region", "aria-label": caption || "Table" },
    h("table", {}, caption ? h("caption", {}, caption) : null, thead, tbody));
}

export function badge(text, kind) {
  return h("span", { class: `badge ${kind ? "badge-" + kind : ""}` }, text);
}

const STATUS_KIND = {
  active: "success", loaded: "success", live: "success", completed: "primary", contracted: "primary",
  processing: "warning", proposed: "warning", paused: "warning", draft: "", rejected: "danger",
  failed: "danger", cancelled: "danger", archived: "",
};
export function statusBadge(status) {
  return badge(fmt.label(status || "unknown"), STATUS_KIND[status] ?? "");
}

export function avatar(name, large) {
  const words = String(name || "?").replace(/^@/, "").split(/[\s._-]+/).filter((w) => /^\p{L}/u.test(w));
  const initials = (words.length > 1 ? words[0][0] + words[1][0] : (words[0] || "?").slice(0, 2)).toUpperCase();
  let hash = 0;
  for (const ch of String(name)) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h("span", { class: `avatar ${large ? "lg" : ""}`, style: `background:hsl(${hash % 360} 55% 28%)`, "aria-hidden": "true" }, initials);
}

let fieldSeq = 0;
export function field(label, control, { hint, error, className } = {}) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const err = h("div", { class: "field-error", id: `${id}-err`, "aria-live": "polite" }, error || "");
  control.setAttribute("aria-describedby", `${id}-err`);
  return h("div", { class: `field ${className || ""}` }, h("label", { for: id }, label), control, hint ? h("div", { class: "small muted" }, hint) : null, err);
}

export function select(name, options, value, attrs = {}) {
  return h("select", { name, ...attrs }, options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value ?? "") ? true : null }, label)));
}

export function kpi(label, value, hint, testid) {
  return h("div", { class: "card kpi", "data-testid": testid }, h("span", { class: "label" }, label), h("span", { class: "value" }, value), hint ? h("span", { class: "hint" }, hint) : null);
}

// A number for charts; null (a gap, not a zero) when the API has no value for that point.
export const num = (v) => (v === null || v === undefined || v === "" ? null : Number(v));
