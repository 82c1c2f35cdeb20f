// Hash routing: `#/influencers/42?tab=audience`. Hash URLs work on any static host (S3 website
// hosting has no rewrite rule that would send `/influencers/42` back to index.html), are deep-linkable
// and give the browser's back button for free through `hashchange`.

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, qs = ""] = raw.split("?");
  const query = Object.fromEntries(new URLSearchParams(qs));
  return { path: path.replace(/\/+$/, "") || "/", query };
}

export function href(path, query = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();
  return `#${path}${qs ? "?" + qs : ""}`;
}

export function navigate(path, query, { replace = false } = {}) {
  const target = href(path, query);
  if (target === window.location.hash) return;
  if (replace) {
    history.replaceState(null, "", target);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    window.location.hash = target;
  }
}

// routes: [[pattern, loader]] where pattern is "/campaigns/:id"
export function match(routes, path) {
  for (const [pattern, loader, name] of routes) {
    const names = [];
    const re = new RegExp("^" + pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return "([^/]+)"; }) + "$");
    const m = path.match(re);
    if (m) return { loader, name, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}
