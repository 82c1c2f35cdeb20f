// The API client: base URL from config.js, the bearer (a team member's Cognito ID token from session.js, or an
// API key) from sessionStorage, one error type.
import * as session from "./session.js";

const KEY_STORAGE = "pf.apiKey";
const URL_STORAGE = "pf.apiUrl"; // set only when config.js is missing and the user typed a URL

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function configMissing() {
  return !window.PREDICTFLUENCE_CONFIG || !window.PREDICTFLUENCE_CONFIG.apiUrl;
}

export function apiUrl() {
  const fromConfig = window.PREDICTFLUENCE_CONFIG && window.PREDICTFLUENCE_CONFIG.apiUrl;
  const url = fromConfig || sessionStorage.getItem(URL_STORAGE) || "";
  return url.replace(/\/+$/, "");
}

export function setApiUrl(url) {
  sessionStorage.setItem(URL_STORAGE, url.trim().replace(/\/+$/, ""));
}

export const auth = {
  // what the API gets as `Authorization: Bearer …`: the signed-in user's ID token, else the API key
  get key() { return session.bearer() || sessionStorage.getItem(KEY_STORAGE); },
  set(key) { session.clear(); sessionStorage.setItem(KEY_STORAGE, key.trim()); },
  clear() { sessionStorage.removeItem(KEY_STORAGE); session.clear(); },
};

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

function buildUrl(path, query) {
  const url = new URL(apiUrl() + path, window.location.href);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === "") continue;
    url.searchParams.set(k, v);
  }
  return url.toString();
}

async function parseBody(res) {
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return text; }
}

// A user's ID token is refreshed shortly before it expires, and once more on a 401 (then the request is retried
// once); a refresh Cognito refuses ends the session (the unauthorized handler sends the user to the sign-in page).
export async function request(method, path, { query, body, silent401 = false } = {}) {
  try { await session.ensureFresh(); } catch { /* the API answers 401 below, and that decides */ }
  try {
    return await send(method, path, query, body);
  } catch (err) {
    if (err.status !== 401) throw err;
    if (session.current() && await session.refresh().then(() => true, () => false)) {
      try { return await send(method, path, query, body); } catch (again) {
        if (again.status === 401 && !silent401) onUnauthorized(again);
        throw again;
      }
    }
    if (!silent401) onUnauthorized(err);
    throw err;
  }
}

// Read-your-writes: for a while after one of this page's writes succeeded, reads ask the API for the writer
// (X-Read-Your-Writes), so that a list reloaded right after a change shows it even when the API reads from a
// replica (predictfluence.api.read_routing; the window is its READ_YOUR_WRITES_SECONDS).
const READ_YOUR_WRITES_MS = 10_000;
let lastWriteAt = -Infinity;

async function send(method, path, query, body) {
  if (!apiUrl()) throw new ApiError(0, "no_config", "The API address is not configured (config.js is missing).");
  const headers = { Accept: "application/json" };
  if (auth.key) headers.Authorization = `Bearer ${auth.key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (Date.now() - lastWriteAt < READ_YOUR_WRITES_MS) headers["X-Read-Your-Writes"] = "1";
  let res;
  try {
    res = await fetch(buildUrl(path, query), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "network", `Could not reach the API at ${apiUrl()}. Check that it is running and allows this site's origin.`);
  }
  const data = await parseBody(res);
  if (!res.ok) {
    const e = data && typeof data === "object" && data.error ? data.error : null;
    // the API's shape {"error": {code, message, details}}; API Gateway's own answers are {"message": ...}
    const gateway = data && typeof data === "object" ? data.message || data.Message : null;
    const message = e?.message || gateway || (typeof data === "string" && data.length < 200 ? data : null) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, e?.code || `http_${res.status}`, message, e?.details);
  }
  if (method !== "GET") lastWriteAt = Date.now();
  return data;
}

export const api = {
  get: (path, query, opts) => request("GET", path, { query, ...opts }),
  post: (path, body) => request("POST", path, { body }),
  put: (path, body) => request("PUT", path, { body }),
  patch: (path, body) => request("PATCH", path, { body }),
  del: (path) => request("DELETE", path),
};

// Responses may be a bare list or a page object ({items, total, ...}); read both.
export function itemsOf(resp) {
  if (Array.isArray(resp)) return resp;
  if (!resp || typeof resp !== "object") return [];
  for (const k of ["items", "results", "data", "points", "buckets", "rows", "loads", "campaigns", "influencers"]) {
    if (Array.isArray(resp[k])) return resp[k];
  }
  return [];
}

// First defined field among several names (keeps the UI tolerant of small naming differences).
export function pick(obj, ...names) {
  if (!obj) return undefined;
  for (const n of names) {
    if (obj[n] !== undefined && obj[n] !== null) return obj[n];
  }
  return undefined;
}
