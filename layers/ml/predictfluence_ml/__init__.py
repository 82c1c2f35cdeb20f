"""Predictfluence's ML layer (ships in the *ml* Lambda layer with scikit-learn, scipy, numpy, joblib).

Stage per module: `features` (SQL → numpy), `dataset` (time-split training / holdout sets), `training`
(the model bundle), `evaluation` (metrics vs the peer baseline), `registry` (S3 artifacts +
`model_version`), `rationale`, `anomaly`, `clusters`, `scoring` (batch → `influencer_score`) and
`retrain` (the whole run). No pandas anywhere: the retrain function cannot carry both libraries
(docs/architecture.md, decision D1).
"""
