"""GET /me: who the caller is (an API key or a signed-in user)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from predictfluence.vocab import ApiRole


class Me(BaseModel):
    role: ApiRole = Field(description="the caller's role: what the site shows (the API enforces it either way)")
    name: str | None = Field(default=None, description="the key's name, when it was given one; a user's e-mail")
    key_id: int | None = Field(default=None, description="the API key's id; null for a signed-in user")
    email: str | None = Field(default=None, description="the signed-in user's e-mail; null for an API key")
    actor: str = Field(description="who the caller's writes are recorded as: user:<email> or key:<id>")
