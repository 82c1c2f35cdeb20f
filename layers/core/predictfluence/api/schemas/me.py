"""GET /me: who the caller's API key is."""

from __future__ import annotations

from pydantic import BaseModel, Field

from predictfluence.vocab import ApiRole


class Me(BaseModel):
    role: ApiRole = Field(description="the key's role: what the site shows (the API enforces it either way)")
    name: str | None = Field(default=None, description="the key's name, when it was given one")
    key_id: int
