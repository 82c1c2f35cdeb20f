"""The closed vocabularies, each written once, as a `Literal`; its tuple is derived from it.

Everything else derives from here: the CHECK constraints of predictfluence.models (and so the
migrations), the pydantic fields of predictfluence.api.schemas (and so the OpenAPI enums), api.auth's
role ranks, the follower tiers of predictfluence.tiers, the ETL's loader registry and allow-lists, the
CLI's choices and the demo generator's files. The order of each tuple is meaningful and public: it is
the order of the OpenAPI enums and of the SQL `IN (…)` lists the migrations created (changing either
needs a migration), roles rank from least to most privileged, tiers run from smallest to largest, and
CSV kinds are in load order (a kind comes after the kinds its rows reference). The web app keeps copies
in frontend_static/js (tests/browser/test_contract.py checks them); tests/test_vocab.py fails if a
vocabulary is written out anywhere else in the Python code.
"""

from __future__ import annotations

from typing import Literal, get_args

CampaignStatus = Literal["draft", "active", "paused", "completed", "archived"]
CAMPAIGN_STATUSES: tuple[CampaignStatus, ...] = get_args(CampaignStatus)

# A hire is a row of campaign_influencer.
HireStatus = Literal["proposed", "contracted", "live", "completed", "cancelled"]
HIRE_STATUSES: tuple[HireStatus, ...] = get_args(HireStatus)

# Least to most privileged: a role may do what every role before it may do.
ApiRole = Literal["viewer", "manager", "admin"]
API_ROLES: tuple[ApiRole, ...] = get_args(ApiRole)

# Smallest to largest; the follower thresholds live in predictfluence.tiers.
FollowerTier = Literal["nano", "micro", "mid", "macro", "mega"]
FOLLOWER_TIERS: tuple[FollowerTier, ...] = get_args(FollowerTier)

AudienceDimension = Literal["country", "age_group", "gender"]
AUDIENCE_DIMENSIONS: tuple[AudienceDimension, ...] = get_args(AudienceDimension)

# The CSV contract's kinds (etl_jobs.spec defines their columns), in load order. `profiles` (public
# profile snapshots) is the one kind the demo generator does not write.
CsvKind = Literal["influencers", "campaigns", "posts", "post_metrics", "audience", "hires", "conversions",
                  "profiles"]
CSV_KINDS: tuple[CsvKind, ...] = get_args(CsvKind)

# An etl_load row: `processing` until the batch ends in one of the other three.
LoadStatus = Literal["processing", "loaded", "rejected", "failed"]
LOAD_STATUSES: tuple[LoadStatus, ...] = get_args(LoadStatus)

# A model_version row (at most one champion per model kind).
ModelStatus = Literal["champion", "challenger", "rejected", "retired"]
MODEL_STATUSES: tuple[ModelStatus, ...] = get_args(ModelStatus)

# What GET /recommendations ranks by (influencer_score columns): expected engagements per dollar of the
# forecast cost of a post (the default), expected engagements per post, or the predicted engagement rate.
RankingObjective = Literal["engagements_per_dollar", "engagements", "engagement_rate"]
RANKING_OBJECTIVES: tuple[RankingObjective, ...] = get_args(RankingObjective)

# What POST /campaigns/{id}/plan maximises: expected engagements (posts × engagements per post), reach
# (followers of the chosen influencers, once each) or expected conversions (posts × historical orders per
# sponsored post).
PlanObjective = Literal["engagements", "reach", "conversions"]
PLAN_OBJECTIVES: tuple[PlanObjective, ...] = get_args(PlanObjective)

# How the planner's solve ended: proven optimal, or the time limit stopped it (the gap says how far).
PlanStatus = Literal["optimal", "time_limit"]
PLAN_STATUSES: tuple[PlanStatus, ...] = get_args(PlanStatus)

# The content-category taxonomy imported influencers are filed under (etl_jobs.normalise maps exports'
# category text onto it; the source text is kept in influencer.category_source). "Other" is for text
# that names none of these.
Category = Literal["Beauty", "Fashion", "Fitness", "Health", "Food", "Gaming", "Travel", "Tech", "Music", "Dance",
                   "Lifestyle", "Sports", "Education", "Entertainment", "Comedy", "Film & TV", "News",
                   "Business", "Parenting", "Pets", "Art", "Autos", "Science", "Other"]
CATEGORIES: tuple[Category, ...] = get_args(Category)
OTHER_CATEGORY: Category = "Other"
