"""Predictfluence's tools: everything that runs on a developer's machine and never in Lambda.

- `cli/` — the `predictfluence` console script (pyproject.toml points at `predictfluence_tools.cli:main`);
- `devstack/` — the local stack behind `make run` (moto, Chalice's local server, the SQS dispatcher);
- `demo/` and `synthetic` — demo CSVs and synthetic ML histories (numpy);
- `localdb` — the embedded PostgreSQL (pgserver) used when DATABASE_URL is unset;
- `migrate` — the Alembic runner; `scratchdb` — throw-away databases; `stats` — table row counts;
- `buckets` — creating S3 buckets.

The arrows point one way: the tools import the runtime (`predictfluence`, `predictfluence_ml`,
`functions`, `etl_jobs`, `app`), the runtime never imports the tools (tests/package/test_imports.py walks
the imports). `layers/tools` has no requirements.txt, so infra/package.py never builds it as a Lambda
layer, and the function zip holds only what infra/package.py's allow-list names.
"""
