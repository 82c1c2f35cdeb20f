// Allow-listed values shared by filters and forms (mirrors the API's allow-lists).
export const PLATFORMS = ["instagram", "tiktok", "youtube", "twitter", "twitch"];
export const TIERS = [
  ["nano", "Nano (< 10k)"], ["micro", "Micro (10k–50k)"], ["mid", "Mid (50k–500k)"],
  ["macro", "Macro (500k–1M)"], ["mega", "Mega (≥ 1M)"],
];
// Suggestions only (the category and country fields accept any value the data holds).
export const CATEGORIES = ["beauty", "fashion", "finance", "fitness", "food", "gaming", "lifestyle", "parenting", "tech", "travel"];
export const CONTENT_TYPES = ["image", "carousel", "reel", "story", "video", "short", "live", "text", "clip"];
export const CAMPAIGN_STATUSES = ["draft", "active", "paused", "completed", "archived"];
export const HIRE_STATUSES = ["proposed", "contracted", "live", "completed", "cancelled"];
export const OBJECTIVES = ["awareness", "engagement", "traffic", "conversions", "launch"];
export const AUDIENCE_SIZES = [
  ["nano", "Nano (< 10k)"], ["micro", "Micro (10k–50k)"], ["mid", "Mid (50k–500k)"], ["macro", "Macro (500k–1M)"], ["mega", "Mega (≥ 1M)"],
];
export const UPLOAD_KINDS = [
  ["influencers", "Influencers"], ["campaigns", "Campaigns"], ["posts", "Posts"], ["post_metrics", "Post metrics (daily)"],
  ["audience", "Audience shares"], ["hires", "Hires"], ["conversions", "Conversions (daily)"], ["profiles", "Profile snapshots"],
];
// A text input with a suggestion list (<datalist>): free text, suggested values.
export function suggestInput(h, name, values, value, placeholder) {
  const listId = `dl-${name}`;
  return [
    h("input", { type: "text", name, list: listId, value: value || "", placeholder, maxlength: "64", autocomplete: "off" }),
    h("datalist", { id: listId }, values.map((v) => h("option", { value: v }))),
  ];
}
export const label = (s) => s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, " ");
export const opts = (values, anyLabel) => [["", anyLabel], ...values.map((v) => (Array.isArray(v) ? v : [v, label(v)]))];

// CSV columns per kind (`*` = required). Mirrors etl_jobs/spec.py; tests/browser/test_contract.py checks it.
export const UPLOAD_COLUMNS = {
  "influencers": [
    "platform*",
    "handle*",
    "name",
    "category",
    "country",
    "language",
    "followers"
  ],
  "campaigns": [
    "name*",
    "brand",
    "objective",
    "status",
    "start_date",
    "end_date",
    "budget",
    "currency"
  ],
  "posts": [
    "platform*",
    "post_id*",
    "handle*",
    "posted_at*",
    "content_type*",
    "sponsored",
    "campaign"
  ],
  "post_metrics": [
    "platform*",
    "post_id*",
    "date*",
    "likes",
    "comments",
    "shares",
    "saves",
    "views",
    "reach",
    "impressions"
  ],
  "audience": [
    "platform*",
    "handle*",
    "dimension*",
    "bucket*",
    "share*"
  ],
  "hires": [
    "campaign*",
    "platform*",
    "handle*",
    "status",
    "agreed_cost",
    "hired_at",
    "overspend"
  ],
  "conversions": [
    "campaign*",
    "platform*",
    "handle*",
    "date*",
    "clicks",
    "orders",
    "revenue"
  ],
  "profiles": [
    "handle*",
    "platform",
    "name",
    "category",
    "country",
    "followers*",
    "posts",
    "avg_likes",
    "avg_views",
    "engagement_rate",
    "as_of"
  ]
};
