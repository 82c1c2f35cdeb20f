"""GET /health (liveness, public, no database) and GET /health/ready (readiness, with the database)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ok", "degraded"]
    database: str = Field(description='"ok", or "unavailable: <error type>"')
