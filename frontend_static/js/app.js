// Shell: routing, navigation state, sign-in guard.
import { api, auth, apiUrl, configMissing, setUnauthorizedHandler } from "./api.js";
import { destroyCharts } from "./charts.js";
import { match, navigate, parseHash } from "./router.js";
import { current, signOut } from "./session.js";
import { clear, empty, errorBox, h, loading } from "./ui.js";

const ROUTES = [
  ["/", () => import("./pages/dashboard.js"), "dashboard"],
  ["/signin", () => import("./pages/signin.js"), "signin"],
  ["/influencers", () => import("./pages/influencers.js"), "influencers"],
  ["/influencers/:id", () => import("./pages/influencer.js"), "influencers"],
  ["/campaigns", () => import("./pages/campaigns.js"), "campaigns"],
  ["/campaigns/new", () => import("./pages/campaign-form.js"), "campaigns"],
  ["/campaigns/:id/edit", () => import("./pages/campaign-form.js"), "campaigns"],
  ["/campaigns/:id/report", () => import("./pages/report.js"), "campaigns"],
  ["/campaigns/:id", () => import("./pages/campaign.js"), "campaigns"],
  ["/recommendations", () => import("./pages/recommendations.js"), "recommendations"],
  ["/shortlists", () => import("./pages/shortlists.js"), "shortlists"],
  ["/shortlists/:id", () => import("./pages/shortlists.js"), "shortlists"],
  ["/compare", () => import("./pages/compare.js"), "shortlists"],
  ["/analytics", () => import("./pages/analytics.js"), "analytics"],
  ["/models", () => import("./pages/models.js"), "models"],
  ["/data", () => import("./pages/data.js"), "data"],
  ["/team", () => import("./pages/team.js"), "team"],
  ["/audit", () => import("./pages/audit.js"), "audit"],
];

const main = document.getElementById("main");
const nav = document.getElementById("sidenav");
const toggle = document.querySelector(".nav-toggle");
const signout = document.getElementById("signout");
let renderSeq = 0;
let cleanup = null;

function updateChrome(name) {
  for (const a of nav.querySelectorAll("a[data-nav]")) {
    if (a.dataset.nav === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  signout.hidden = !auth.key;
  document.body.classList.toggle("bare", name === "signin");
  const who = current()?.email; // the signed-in person (none for an API key)
  document.getElementById("api-target").textContent = [who, apiUrl() ? `API: ${apiUrl()}` : ""].filter(Boolean).join(" · ");
  nav.classList.remove("open");
  toggle.setAttribute("aria-expanded", "false");
}

let lastPath = null;

// The key's role (GET /me), once per key: body[data-role] lets styles.css hide the actions the role may not take
// ([data-needs=manager], [data-needs=admin]); the API refuses them either way. Unknown, every such action stays hidden.
let roleOf = { key: null, role: null };
async function loadRole() {
  if (roleOf.key === auth.key && roleOf.role) return;
  const me = await api.get("/me");
  roleOf = { key: auth.key, role: me.role };
  document.body.dataset.role = me.role;
}

async function render() {
  const seq = ++renderSeq;
  const { path, query } = parseHash();
  // Same page, new query (a filter changed): give focus back to the same control after the re-render.
  // A new page: start at the top, with focus on the content for keyboard and screen-reader users.
  const samePage = path === lastPath;
  const focusedName = samePage && main.contains(document.activeElement) ? document.activeElement.getAttribute("name") : null;
  lastPath = path;
  const route = match(ROUTES, path);
  delete document.body.dataset.ready; // set again when this route has rendered (tests and tools wait on it)
  if (typeof cleanup === "function") { try { cleanup(); } catch { /* ignore */ } }
  cleanup = null;
  destroyCharts();
  if (route && route.name !== "signin" && (!auth.key || !apiUrl())) {
    navigate("/signin", { next: window.location.hash.replace(/^#/, "") || "/" }, { replace: true });
    return;
  }
  updateChrome(route?.name);
  if (!route) {
    clear(main, h("div", { class: "page" }, h("div", { class: "card" }, empty("Page not found", `Nothing lives at ${path}.`, h("a", { class: "btn", href: "#/" }, "Go to the dashboard")))));
    document.title = "Not found · Predictfluence";
    document.body.dataset.ready = window.location.hash;
    return;
  }
  clear(main, loading());
  const ctx = {
    root: main,
    params: route.params,
    query,
    isCurrent: () => seq === renderSeq,
    onLeave: (fn) => { cleanup = fn; },
  };
  try {
    if (route.name !== "signin") await loadRole();
    else { roleOf = { key: null, role: null }; delete document.body.dataset.role; }
    const mod = await route.loader();
    if (!ctx.isCurrent()) return;
    // the module's title first; a page that knows a better one (a profile's name) sets it while rendering
    if (mod.title) document.title = `${typeof mod.title === "function" ? mod.title(ctx) : mod.title} · Predictfluence`;
    await mod.render(ctx);
    if (!ctx.isCurrent()) return;
    document.body.dataset.ready = window.location.hash;
    if (focusedName) main.querySelector(`[name="${CSS.escape(focusedName)}"]`)?.focus();
    else if (!samePage) { window.scrollTo(0, 0); if (!main.contains(document.activeElement)) main.focus({ preventScroll: true }); }
  } catch (err) {
    if (!ctx.isCurrent()) return;
    if (err?.status === 401) return; // handled by the unauthorized handler
    console.warn(err); // eslint-disable-line no-console
    clear(main, h("div", { class: "page" }, errorBox(err, () => render())));
    document.body.dataset.ready = window.location.hash;
  }
}

setUnauthorizedHandler(() => {
  auth.clear();
  navigate("/signin", { next: window.location.hash.replace(/^#/, ""), expired: "1" }, { replace: true });
});

toggle.addEventListener("click", () => {
  const open = nav.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});
signout.addEventListener("click", async () => { await signOut(); auth.clear(); navigate("/signin"); }); // revokes a user's refresh token
window.addEventListener("hashchange", render);
if (configMissing()) console.info("Predictfluence: config.js missing; the sign-in page asks for the API address."); // eslint-disable-line no-console
render();
