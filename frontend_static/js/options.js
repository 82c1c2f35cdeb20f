// Allow-listed values shared by filters and forms (mirrors the API's allow-lists).
export const PLATFORMS = ["instagram", "tiktok", "youtube"];
export const TIERS = [
  ["nano", "Nano (< 10k)"], ["micro", "Micro (10k–50k)"], ["mid", "Mid (50k–500k)"],
  ["macro", "Macro (500k–1M)"], ["mega", "Mega (≥ 1M)"],
];
export const CATEGORIES = ["beauty", "fashion", "fitness", "food", "gaming", "lifestyle", "parenting", "pets", "tech", "travel"];
export const CONTENT_TYPES = ["image", "video", "reel", "story", "carousel", "short", "live"];
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
    "hired_at"
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
