import { api, itemsOf, pick } from "../api.js";
import { navigate } from "../router.js";
import { avatar, badge, clear, empty, errorBox, field, fmt, h, loading, select, table } from "../ui.js";
import { CATEGORIES, PLATFORMS, TIERS, opts, suggestInput } from "../options.js";
import { rowSelection } from "./shortlists.js";
import { exportButton } from "./report.js";

export const title = "Influencers";
const VIEW_KEY = "pf.influencers.view";
// The remembered choice; without one, cards on a phone (a 9-column table does not fit) and a table elsewhere.
const currentView = () => localStorage.getItem(VIEW_KEY) || (window.matchMedia("(max-width: 640px)").matches ? "cards" : "table");
const PAGE_SIZES = [25, 50, 100, 200];
const SORTS = [["followers", "Followers"], ["avg_er", "Avg ER"], ["avg_likes", "Avg likes"], ["avg_views", "Avg views"], ["avg_comments", "Avg comments"], ["name", "Name"]];
// Every filter is a URL parameter of the hash (#/influencers?…), so a link reproduces the view.
const FILTER_KEYS = ["platform", "category", "country", "language", "tier", "min_followers", "max_followers", "min_er", "max_er", "figures_source",
  "audience_country", "min_audience_country_share", "audience_age_group", "min_audience_age_group_share", "audience_gender", "min_audience_gender_share",
  "min_growth_30d", "max_growth_30d", "min_growth_90d", "max_growth_90d", "hide_flagged", "q", "sort", "order", "page_size"];
// typed as percents, sent as fractions
const PCT_KEYS = ["min_er", "max_er", "min_audience_country_share", "min_audience_age_group_share", "min_audience_gender_share", "min_growth_30d", "max_growth_30d", "min_growth_90d", "max_growth_90d"];
const AGE_GROUPS = ["13-17", "18-24", "25-34", "35-44", "45+"];
const GENDERS = ["female", "male", "other"];
const SOURCES = [["", "Posts or snapshot"], ["posts", "Post metrics"], ["snapshot", "Imported snapshot"]];
// ER filters are typed as percents and sent as fractions (the API's unit)
const pctIn = (v) => (v === undefined || v === null || v === "" ? "" : String(+(Number(v) * 100).toFixed(4)));
const pctOut = (v) => (v === "" ? "" : String(Number(v) / 100));

// "snapshot · <source> · <as-of>" on figures that come from an imported profile snapshot (no post metrics)
export function snapshotMarker(r) {
  if (!r || r.figures_source !== "snapshot") return null;
  const text = `snapshot · ${r.snapshot_source || "import"} · ${r.snapshot_as_of || "?"}`;
  return h("span", { class: "snap-mark", "data-testid": "snapshot-marker", title: "No post metrics yet: these figures are the latest imported profile snapshot's" }, text);
}

export function influencerName(r) { return r.name || r.handle || `#${r.id}`; }
export const erOf = (r) => pick(r, "avg_engagement_rate", "engagement_rate", "avg_er");

export async function render({ root, query, isCurrent }) {
  const q = { sort: "followers", order: "desc", page: "1", page_size: "50", ...query };
  const view = currentView();

  const form = h("form", { class: "filters card", role: "search", "aria-label": "Filter influencers" });
  const inputs = {
    q: h("input", { type: "search", name: "q", value: q.q || "", placeholder: "Handle or name (3+ letters)", maxlength: "100" }),
    // multi-select: the URL holds a comma list (platform=instagram,tiktok)
    platform: h("select", { name: "platform", multiple: true, size: "3", "data-testid": "filter-platform" }, PLATFORMS.map((v) => h("option", { value: v, selected: (q.platform || "").split(",").includes(v) ? true : null }, fmt.label(v)))),
    category: suggestInput(h, "category", CATEGORIES, q.category, "Any; a, b for several"),
    country: h("input", { type: "text", name: "country", value: q.country || "", placeholder: "e.g. US, DE", maxlength: "300" }),
    language: h("input", { type: "text", name: "language", value: q.language || "", placeholder: "e.g. en", maxlength: "32" }),
    audience_country: h("input", { type: "text", name: "audience_country", value: q.audience_country || "", placeholder: "e.g. US", maxlength: "64" }),
    min_audience_country_share: h("input", { type: "number", name: "min_audience_country_share", min: "0", max: "100", step: "any", value: pctIn(q.min_audience_country_share), placeholder: "Min %" }),
    audience_age_group: select("audience_age_group", opts(AGE_GROUPS, "Any age"), q.audience_age_group),
    min_audience_age_group_share: h("input", { type: "number", name: "min_audience_age_group_share", min: "0", max: "100", step: "any", value: pctIn(q.min_audience_age_group_share), placeholder: "Min %" }),
    audience_gender: select("audience_gender", opts(GENDERS, "Any gender"), q.audience_gender),
    min_audience_gender_share: h("input", { type: "number", name: "min_audience_gender_share", min: "0", max: "100", step: "any", value: pctIn(q.min_audience_gender_share), placeholder: "Min %" }),
    min_growth_30d: h("input", { type: "number", name: "min_growth_30d", min: "-100", step: "any", value: pctIn(q.min_growth_30d), placeholder: "Min %" }),
    max_growth_30d: h("input", { type: "number", name: "max_growth_30d", min: "-100", step: "any", value: pctIn(q.max_growth_30d), placeholder: "Max %" }),
    min_growth_90d: h("input", { type: "number", name: "min_growth_90d", min: "-100", step: "any", value: pctIn(q.min_growth_90d), placeholder: "Min %" }),
    max_growth_90d: h("input", { type: "number", name: "max_growth_90d", min: "-100", step: "any", value: pctIn(q.max_growth_90d), placeholder: "Max %" }),
    hide_flagged: h("input", { type: "checkbox", name: "hide_flagged", "data-testid": "hide-flagged", checked: q.hide_flagged === "true" ? true : null }),
    tier: select("tier", opts(TIERS, "All tiers"), q.tier),
    min_er: h("input", { type: "number", name: "min_er", min: "0", max: "100", step: "any", value: pctIn(q.min_er), placeholder: "Min %" }),
    max_er: h("input", { type: "number", name: "max_er", min: "0", max: "100", step: "any", value: pctIn(q.max_er), placeholder: "Max %" }),
    figures_source: select("figures_source", SOURCES, q.figures_source || ""),
    min_followers: h("input", { type: "number", name: "min_followers", min: "0", step: "1", value: q.min_followers || "", placeholder: "Min" }),
    max_followers: h("input", { type: "number", name: "max_followers", min: "0", step: "1", value: q.max_followers || "", placeholder: "Max" }),
    sort: select("sort", SORTS, q.sort),
    order: select("order", [["desc", "Descending"], ["asc", "Ascending"]], q.order),
    page_size: select("page_size", PAGE_SIZES.map((n) => [n, `${n} per page`]), q.page_size),
  };
  const rangeErr = h("div", { class: "field-error", "aria-live": "polite" });
  form.append(
    field("Search", inputs.q, { className: "span-2" }),
    field("Platforms", inputs.platform, { hint: "Ctrl/⌘-click for several" }), field("Categories", inputs.category[0]), inputs.category[1],
    field("Countries", inputs.country), field("Language", inputs.language), field("Tier", inputs.tier),
    field("Min followers", inputs.min_followers), field("Max followers", inputs.max_followers),
    field("Min ER %", inputs.min_er), field("Max ER %", inputs.max_er), field("Figures from", inputs.figures_source),
    field("Audience country", inputs.audience_country), field("Min share of audience %", inputs.min_audience_country_share),
    field("Audience age", inputs.audience_age_group), field("Min share in age %", inputs.min_audience_age_group_share),
    field("Audience gender", inputs.audience_gender), field("Min share of gender %", inputs.min_audience_gender_share),
    field("Min growth 30 d %", inputs.min_growth_30d), field("Max growth 30 d %", inputs.max_growth_30d),
    field("Min growth 90 d %", inputs.min_growth_90d), field("Max growth 90 d %", inputs.max_growth_90d),
    h("div", { class: "field" }, h("label", { class: "toggle" }, inputs.hide_flagged, " Hide flagged"), h("div", { class: "small muted" }, "Leave out accounts with an audience-quality flag")),
    field("Sort by", inputs.sort), field("Order", inputs.order), field("Page size", inputs.page_size),
    h("div", { class: "actions" }, h("button", { class: "btn", type: "submit" }, "Apply"), h("a", { class: "btn btn-ghost", href: "#/influencers" }, "Reset")),
    rangeErr,
  );
  // a filter's URL value: comma lists for the multi-selects, "true" or nothing for the toggle
  const valueOf = (k) => {
    const el = Array.isArray(inputs[k]) ? inputs[k][0] : inputs[k];
    if (k === "hide_flagged") return el.checked ? "true" : "";
    if (k === "platform") return [...el.selectedOptions].map((o) => o.value).join(",");
    if (k === "category" || k === "country") return el.value.split(",").map((v) => v.trim()).filter(Boolean).join(",");
    return el.value.trim();
  };
  const apply = () => {
    const next = {};
    for (const k of FILTER_KEYS) next[k] = valueOf(k);
    for (const k of PCT_KEYS) next[k] = pctOut(next[k]);
    if (next.min_er && next.max_er && Number(next.min_er) > Number(next.max_er)) {
      rangeErr.textContent = "Min ER must not exceed max ER.";
      inputs.min_er.setAttribute("aria-invalid", "true");
      return;
    }
    for (const span of ["30d", "90d"]) {
      const lo = next[`min_growth_${span}`], hi = next[`max_growth_${span}`];
      if (lo && hi && Number(lo) > Number(hi)) {
        rangeErr.textContent = `Min growth must not exceed max growth (${span.replace("d", " days")}).`;
        inputs[`min_growth_${span}`].setAttribute("aria-invalid", "true");
        return;
      }
    }
    for (const [dim, label] of [["country", "an audience country"], ["age_group", "an audience age"], ["gender", "an audience gender"]]) {
      if (next[`min_audience_${dim}_share`] && !next[`audience_${dim}`]) {
        rangeErr.textContent = `A minimum share needs ${label}.`;
        inputs[`min_audience_${dim}_share`].setAttribute("aria-invalid", "true");
        return;
      }
    }
    if (next.q && next.q.length < 3) {
      rangeErr.textContent = "Type at least 3 characters to search.";
      inputs.q.setAttribute("aria-invalid", "true");
      inputs.q.focus();
      return;
    }
    if (next.min_followers && next.max_followers && Number(next.min_followers) > Number(next.max_followers)) {
      rangeErr.textContent = "Min followers must not exceed max followers.";
      inputs.min_followers.setAttribute("aria-invalid", "true");
      return;
    }
    next.page = "1";
    navigate("/influencers", next);
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); apply(); });
  for (const k of ["platform", "tier", "figures_source", "audience_age_group", "audience_gender", "hide_flagged", "sort", "order", "page_size"]) inputs[k].addEventListener("change", apply);

  const viewToggle = h("div", { class: "segmented", role: "group", "aria-label": "View" },
    ["table", "cards"].map((v) => h("button", { type: "button", "aria-pressed": String(view === v), "data-view": v, onclick: () => { localStorage.setItem(VIEW_KEY, v); renderResults(); updateToggle(); } }, v === "table" ? "Table" : "Cards")));
  const updateToggle = () => { for (const b of viewToggle.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.view === currentView())); };
  const summary = h("span", { class: "muted", "aria-live": "polite" });
  const results = h("div", {}, loading("Loading influencers…"));
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  // every match of the current filters (all pages), in the current order: the CSV, or a link to it in S3 when large
  const filters = Object.fromEntries(Object.entries(q).filter(([k]) => FILTER_KEYS.includes(k) && k !== "page_size"));
  const exportCsv = exportButton("Export CSV", "/influencers.csv", filters, "influencers.csv");
  exportCsv.title = "Every influencer matching these filters, all pages";

  const selection = rowSelection(); // checkboxes on the table's rows → Compare / Add to shortlist
  clear(root, h("div", { class: "page" },
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Influencers"), h("p", {}, "Find creators by platform, niche, market, size, audience and growth."))),
    form,
    h("div", { class: "toolbar" }, summary, h("div", { class: "page-actions" }, exportCsv, viewToggle)),
    selection.bar,
    results,
    pager,
  ));

  let data;
  try {
    data = await api.get("/influencers", Object.fromEntries(Object.entries(q).filter(([k]) => FILTER_KEYS.includes(k) || k === "page")));
  } catch (err) {
    if (!isCurrent()) return;
    clear(results, errorBox(err));
    return;
  }
  if (!isCurrent()) return;
  const rows = itemsOf(data);
  const info = data.page_info || data;
  const total = Number(pick(info, "total", "count") ?? rows.length);
  const page = Number(pick(info, "page") ?? q.page);
  const size = Number(pick(info, "page_size") ?? q.page_size);
  // a filtered list counts up to 5,000 matches: past that total_exact is false and total is a lower bound
  const capped = info.total_exact === false;
  const pages = capped ? Math.max(page + (rows.length >= size ? 1 : 0), Math.ceil(total / size)) : Math.max(1, Math.ceil(total / size));
  const pagesText = capped ? `${fmt.int(pages)}+` : fmt.int(pages);
  const first = total === 0 ? 0 : (page - 1) * size + 1;
  summary.textContent = total === 0 ? "No influencers" : `Showing ${fmt.int(first)}–${fmt.int(first + rows.length - 1)} of ${fmt.int(total)}${capped ? "+" : ""} influencers`;
  summary.dataset.testid = "result-summary";

  function renderResults() {
    const v = currentView() === "cards" ? "cards" : "table";
    if (rows.length === 0) {
      clear(results, h("div", { class: "card" }, empty("No influencers match these filters", "Try widening the follower range or clearing the search.", h("a", { class: "btn btn-secondary", href: "#/influencers" }, "Clear filters"))));
      return;
    }
    const open = (r) => navigate(`/influencers/${r.id}`);
    if (v === "cards") {
      clear(results, h("ul", { class: "inf-cards", "data-testid": "influencer-cards", style: "list-style:none;margin:0;padding:0" }, rows.map((r) => h("li", {},
        h("button", { type: "button", class: "card inf-card", "data-testid": "influencer-card", onclick: () => open(r) },
          h("div", { class: "who" }, avatar(influencerName(r)), h("div", { class: "names" }, h("div", { class: "cell-main" }, influencerName(r)), h("div", { class: "cell-sub" }, `@${r.handle} · ${fmt.label(r.platform)}`))),
          h("div", { class: "tags" }, r.category ? badge(fmt.label(r.category), "primary") : null, r.follower_tier ? badge(fmt.label(r.follower_tier)) : null, r.country ? badge(r.country) : null),
          h("div", { class: "metrics" },
            h("span", {}, h("b", {}, fmt.compact(r.followers)), "followers"),
            h("span", {}, h("b", {}, fmt.pct(erOf(r))), "avg ER"),
            h("span", {}, h("b", {}, fmt.compact(pick(r, "avg_likes"))), "avg likes"),
            h("span", {}, h("b", {}, fmt.compact(pick(r, "avg_views"))), "avg views"),
            h("span", {}, h("b", {}, fmt.compact(pick(r, "avg_comments"))), "avg comments")),
          snapshotMarker(r))))));
    } else {
      clear(results, table({
        caption: `Influencers, page ${page} of ${pagesText}`,
        rows,
        onRowClick: open,
        rowLabel: (r) => `Open ${influencerName(r)}`,
        className: "influencer-table",
        sort: { key: q.sort, order: q.order },
        // a header click sorts by that column; clicking the current one flips the order
        onSort: (key) => navigate("/influencers", { ...q, sort: key, order: key === q.sort && q.order === "desc" ? "asc" : "desc", page: "1" }),
        columns: [
          selection.column,
          { label: "Influencer", sortKey: "name", value: (r) => h("div", { class: "who", style: "display:flex;gap:10px;align-items:center" }, avatar(influencerName(r)), h("div", {}, h("a", { class: "cell-main", href: `#/influencers/${r.id}` }, influencerName(r)), h("div", { class: "cell-sub" }, `@${r.handle}`), snapshotMarker(r))) },
          { label: "Platform", value: (r) => fmt.label(r.platform) },
          { label: "Category", value: (r) => fmt.label(r.category) },
          { label: "Country", value: (r) => r.country || "—" },
          { label: "Tier", value: (r) => (r.follower_tier ? badge(fmt.label(r.follower_tier)) : "—") },
          { label: "Followers", sortKey: "followers", num: true, value: (r) => fmt.int(r.followers) },
          { label: "Avg ER", sortKey: "avg_er", num: true, value: (r) => fmt.pct(erOf(r)) },
          { label: "Avg likes", sortKey: "avg_likes", num: true, value: (r) => fmt.int(pick(r, "avg_likes")) },
          { label: "Avg views", sortKey: "avg_views", num: true, value: (r) => fmt.int(pick(r, "avg_views")) },
          { label: "Avg comments", sortKey: "avg_comments", num: true, value: (r) => fmt.int(pick(r, "avg_comments")) },
        ],
      }));
    }
  }
  renderResults();

  const go = (p) => navigate("/influencers", { ...q, page: String(p) });
  clear(pager,
    h("button", { class: "btn btn-secondary btn-sm", type: "button", disabled: page <= 1, onclick: () => go(page - 1), "aria-label": "Previous page" }, "← Previous"),
    h("span", { class: "info", "data-testid": "page-info" }, `Page ${page} of ${pagesText}`),
    h("button", { class: "btn btn-secondary btn-sm", type: "button", disabled: page >= pages, onclick: () => go(page + 1), "aria-label": "Next page" }, "Next →"));
}
