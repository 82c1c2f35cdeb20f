"""The generating parameters of the synthetic data: every effect size lives here (docs/data-generation.md).

Multipliers are relative to the reference post: an Instagram image, lifestyle category, 10k followers,
average audience fit, average creator quality, organic (not sponsored).
"""

from __future__ import annotations

# --- accounts ---------------------------------------------------------------------------------------

PLATFORMS: tuple[str, ...] = ("instagram", "tiktok", "youtube", "twitter", "twitch")
PLATFORM_WEIGHTS: tuple[float, ...] = (0.38, 0.27, 0.15, 0.12, 0.08)

CATEGORIES: tuple[str, ...] = (
    "beauty", "fashion", "fitness", "food", "gaming", "tech", "travel", "parenting", "finance", "lifestyle",
)  # fmt: skip
CATEGORY_WEIGHTS: tuple[float, ...] = (0.13, 0.13, 0.11, 0.11, 0.11, 0.09, 0.09, 0.07, 0.06, 0.10)
# Twitch is mostly gaming: a Twitch account is re-drawn as gaming with this probability.
TWITCH_GAMING_SHARE = 0.7

# (country, weight, language ISO 639-1)
COUNTRIES: tuple[tuple[str, float, str], ...] = (
    ("United States", 0.27, "en"),
    ("India", 0.10, "hi"),
    ("Brazil", 0.09, "pt"),
    ("United Kingdom", 0.06, "en"),
    ("Indonesia", 0.06, "id"),
    ("Mexico", 0.05, "es"),
    ("Spain", 0.04, "es"),
    ("Germany", 0.04, "de"),
    ("France", 0.04, "fr"),
    ("Italy", 0.03, "it"),
    ("Canada", 0.03, "en"),
    ("Philippines", 0.03, "en"),
    ("Nigeria", 0.03, "en"),
    ("Turkey", 0.03, "tr"),
    ("Japan", 0.03, "ja"),
    ("South Korea", 0.02, "ko"),
    ("Australia", 0.02, "en"),
    ("Argentina", 0.02, "es"),
    ("Côte d'Ivoire", 0.01, "fr"),
)
# Share of English-language accounts in non-English countries (bilingual creators).
ENGLISH_SWITCH = 0.15

# Followers: truncated Pareto, F = MIN_FOLLOWERS * U^(-1/alpha), drawn with stratified uniforms so the
# tier proportions hold even for small samples (alpha 0.6: ~75% nano, 15% micro, 7% mid, 1% macro, 2% mega).
MIN_FOLLOWERS = 1_000
MAX_FOLLOWERS = 400_000_000
FOLLOWER_ALPHA = 0.6

# Posting frequency (posts / day): platform base x lognormal(0, FREQ_SIGMA), clipped.
POSTS_PER_DAY: dict[str, float] = {
    "instagram": 0.25,
    "tiktok": 0.45,
    "youtube": 0.1,
    "twitter": 0.6,
    "twitch": 0.25,
}
FREQ_SIGMA = 0.6
FREQ_CLIP = (0.02, 3.0)

# --- content ----------------------------------------------------------------------------------------

CONTENT_TYPES: tuple[str, ...] = (
    "image", "carousel", "reel", "story", "video", "short", "live", "text", "clip",
)  # fmt: skip
# Platform content mix (mean of each creator's Dirichlet preference, concentration CONTENT_CONCENTRATION).
CONTENT_MIX: dict[str, dict[str, float]] = {
    "instagram": {"image": 0.28, "carousel": 0.22, "reel": 0.32, "story": 0.15, "live": 0.03},
    "tiktok": {"video": 0.85, "carousel": 0.08, "live": 0.07},
    "youtube": {"video": 0.55, "short": 0.38, "live": 0.07},
    "twitter": {"text": 0.55, "image": 0.30, "video": 0.15},
    "twitch": {"live": 0.75, "clip": 0.25},
}
CONTENT_CONCENTRATION = 8.0
VIDEO_TYPES: frozenset[str] = frozenset({"reel", "story", "video", "short", "live", "clip"})

# Days a post is tracked (daily metric rows) and the daily retention of its engagement: the share of
# the lifetime engagement arriving on day k after posting is r^k normalised over the tracked days.
TRACKED_DAYS: dict[str, int] = {
    "image": 7, "carousel": 7, "reel": 10, "story": 1, "video": 10, "short": 10, "live": 3, "text": 3,
    "clip": 7,
}  # fmt: skip
DAILY_RETENTION: dict[str, float] = {
    "image": 0.40, "carousel": 0.45, "reel": 0.55, "story": 0.0, "video": 0.60, "short": 0.55,
    "live": 0.20, "text": 0.30, "clip": 0.50,
}  # fmt: skip

# --- engagement rate (lifetime engagements / followers per post) -------------------------------------

ER_BASE = 0.035  # reference post
FOLLOWER_ELASTICITY = -0.18  # ER x (followers / 10k) ^ elasticity: smaller accounts engage more
ER_FOLLOWER_REF = 10_000
PLATFORM_ER: dict[str, float] = {
    "tiktok": 1.6,
    "instagram": 1.0,
    "youtube": 0.75,
    "twitch": 0.55,
    "twitter": 0.35,
}
CONTENT_ER: dict[str, float] = {
    "reel": 1.35, "video": 1.30, "short": 1.35, "clip": 1.20, "carousel": 1.15, "image": 1.0, "live": 0.85,
    "text": 0.70, "story": 0.45,
}  # fmt: skip
CATEGORY_ER: dict[str, float] = {
    "beauty": 1.15, "fashion": 1.05, "fitness": 1.10, "food": 1.00, "gaming": 1.20, "tech": 0.85,
    "travel": 0.95, "parenting": 1.10, "finance": 0.80, "lifestyle": 1.00,
}  # fmt: skip
# Audience fit = the audience share of the category's target age group; ER x exp(FIT_BETA x (fit - FIT_REF)).
CATEGORY_TARGET_AGE: dict[str, str] = {
    "beauty": "18-24", "fashion": "18-24", "gaming": "18-24", "fitness": "25-34", "food": "25-34",
    "tech": "25-34", "travel": "25-34", "lifestyle": "25-34", "parenting": "35-44", "finance": "35-44",
}  # fmt: skip
FIT_BETA = 1.5
FIT_REF = 0.30
QUALITY_SIGMA = 0.35  # persistent per-creator effect: lognormal(0, sigma)
SPONSORED_ER = 0.85
POST_NOISE_SIGMA = 0.45  # per-post lognormal noise (mean 1)
ER_CAP = 0.6

# How lifetime engagements split into likes / comments / shares / saves.
ENGAGEMENT_SPLIT: dict[str, tuple[float, float, float, float]] = {
    "instagram": (0.86, 0.05, 0.04, 0.05),
    "tiktok": (0.80, 0.06, 0.08, 0.06),
    "youtube": (0.90, 0.07, 0.02, 0.01),
    "twitter": (0.70, 0.10, 0.18, 0.02),
    "twitch": (0.75, 0.20, 0.04, 0.01),
}
CAROUSEL_SAVES_BOOST = 2.0  # carousels get saved more (the split is renormalised)

# Views (video types): lifetime views / followers by platform, x sqrt(quality x noise).
VIEW_RATE: dict[str, float] = {
    "tiktok": 0.9,
    "instagram": 0.45,
    "youtube": 0.35,
    "twitter": 0.15,
    "twitch": 0.08,
}
# Reach: lifetime reach / followers; impressions = reach x frequency (>= 1).
REACH_RATE: dict[str, float] = {
    "tiktok": 0.6,
    "instagram": 0.3,
    "youtube": 0.3,
    "twitter": 0.2,
    "twitch": 0.1,
}
IMPRESSION_FREQUENCY: dict[str, float] = {
    "tiktok": 1.3, "instagram": 1.5, "youtube": 1.2, "twitter": 1.6, "twitch": 1.1,
}  # fmt: skip

# --- audience ---------------------------------------------------------------------------------------

AGE_GROUPS: tuple[str, ...] = ("13-17", "18-24", "25-34", "35-44", "45+")
GENDERS: tuple[str, ...] = ("female", "male", "other")
PLATFORM_AGE: dict[str, tuple[float, ...]] = {
    "instagram": (0.06, 0.31, 0.32, 0.17, 0.14),
    "tiktok": (0.16, 0.38, 0.26, 0.12, 0.08),
    "youtube": (0.08, 0.22, 0.28, 0.22, 0.20),
    "twitter": (0.04, 0.24, 0.34, 0.20, 0.18),
    "twitch": (0.12, 0.42, 0.30, 0.11, 0.05),
}
# Category tilt of the age profile (multiplies the platform profile before the Dirichlet draw).
CATEGORY_AGE_TILT: dict[str, tuple[float, ...]] = {
    "beauty": (1.2, 1.4, 1.0, 0.7, 0.5), "fashion": (1.2, 1.4, 1.0, 0.7, 0.5),
    "gaming": (1.6, 1.4, 0.9, 0.6, 0.4), "fitness": (0.6, 1.0, 1.4, 1.0, 0.7),
    "food": (0.6, 0.9, 1.2, 1.2, 1.1), "tech": (0.7, 1.0, 1.4, 1.1, 0.8),
    "travel": (0.5, 1.0, 1.4, 1.1, 0.9), "parenting": (0.2, 0.5, 1.3, 1.8, 1.1),
    "finance": (0.3, 0.7, 1.2, 1.5, 1.4), "lifestyle": (0.8, 1.1, 1.2, 1.0, 0.8),
}  # fmt: skip
AGE_CONCENTRATION = 12.0
CATEGORY_FEMALE: dict[str, float] = {
    "beauty": 0.82, "fashion": 0.72, "fitness": 0.52, "food": 0.58, "gaming": 0.28, "tech": 0.30,
    "travel": 0.55, "parenting": 0.78, "finance": 0.35, "lifestyle": 0.62,
}  # fmt: skip
OTHER_GENDER = 0.02
# Country audience: the creator's home country takes Beta-distributed share; the rest spreads over a few
# other countries (by weight) and "Other".
HOME_SHARE_BETA = (6.0, 3.0)
OTHER_COUNTRY_BUCKETS = 3
OTHER_BUCKET = "Other"

# --- campaigns, hires, conversions -------------------------------------------------------------------

BRANDS: dict[str, tuple[str, ...]] = {
    "beauty": ("Lumière Cosmetics", "Glow & Co", "Velvet Bloom"),
    "fashion": ("Northstitch", "Atelier Nove", "Urban Loom"),
    "fitness": ("PeakFuel", "IronLeaf Nutrition", "StrideWear"),
    "food": ("Harvest Table", "Spice Route Foods", "Brewster Coffee"),
    "gaming": ("PixelForge", "Nimbus Peripherals", "Quest Arcade"),
    "tech": ("Voltix", "Orbit Audio", "Cobalt Devices"),
    "travel": ("Wayfarer Stays", "Skylane Air", "Nomad Packs"),
    "parenting": ("Little Sprout", "Cradle & Co", "Tiny Steps Toys"),
    "finance": ("Ledgerly", "CoinNest", "Brightpath Bank"),
    "lifestyle": ("Homely Goods", "Sunday Candle Co", "Verde Living"),
}
OBJECTIVES: tuple[str, ...] = ("awareness", "engagement", "traffic", "conversions", "sales")
CAMPAIGN_DAYS = (14, 60)  # duration range
HIRES_PER_CAMPAIGN = (4, 24)
# Agreed cost per deliverable post = rate x (followers / 1000) ^ COST_EXPONENT x lognormal(0, COST_SIGMA).
COST_PER_1K: dict[str, float] = {
    "instagram": 10.0,
    "tiktok": 8.0,
    "youtube": 20.0,
    "twitter": 4.0,
    "twitch": 7.0,
}
COST_EXPONENT = 0.9
COST_SIGMA = 0.25
MIN_COST = 50.0
POSTS_PER_HIRE = (1, 3)
OVER_BUDGET_SHARE = 0.1  # campaigns whose hires exceed their budget (by up to 15%)
# Clicks per (organic) engagement of a sponsored post; conversion rate per click and order value by category.
CLICKS_PER_ENGAGEMENT: dict[str, float] = {
    "instagram": 0.25,
    "tiktok": 0.15,
    "youtube": 0.45,
    "twitter": 0.30,
    "twitch": 0.28,
}
CONVERSION_RATE: dict[str, float] = {
    "beauty": 0.050, "fashion": 0.040, "fitness": 0.040, "food": 0.065, "gaming": 0.032, "tech": 0.016,
    "travel": 0.005, "parenting": 0.045, "finance": 0.020, "lifestyle": 0.040,
}  # fmt: skip
ORDER_VALUE: dict[str, float] = {
    "beauty": 45.0, "fashion": 70.0, "fitness": 60.0, "food": 35.0, "gaming": 55.0, "tech": 180.0,
    "travel": 600.0, "parenting": 50.0, "finance": 120.0, "lifestyle": 60.0,
}  # fmt: skip
CLICK_RETENTION = 0.5  # clicks of a sponsored post on day k after posting ~ r^k
CONVERSION_TAIL_DAYS = 14

# --- suspicious engagement ---------------------------------------------------------------------------

SUSPICIOUS_SHARE = 0.02
BOUGHT_LIKES_MULTIPLIER = (3.0, 8.0)  # extra likes = multiplier x organic likes, arriving on days 0-1
BOUGHT_FOLLOWERS_SHARE = 0.5  # of the suspicious accounts, the share that also bought followers
FOLLOWER_JUMP = (2.0, 5.0)  # reported followers = organic x jump (reach and organic engagement stay organic)


def as_dict() -> dict[str, object]:
    """All parameters (for `_truth.json`)."""
    out: dict[str, object] = {}
    for key, value in globals().items():
        if key.isupper():
            out[key] = sorted(value) if isinstance(value, frozenset) else value
    return out
