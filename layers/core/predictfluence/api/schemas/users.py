"""Team sign-in: the public sign-in configuration and the users API (Cognito user pool)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from predictfluence.api.schemas.common import BodyModel
from predictfluence.vocab import ApiRole

# An e-mail address: one @, a dot in the domain, no spaces, slashes or control characters (the same shape
# as the {email} path parameter of PATCH /users/{email}, predictfluence.api.routing.EMAIL_PATTERN).
Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254,
                                         pattern=r"^[^@\s/\x00-\x1f]+@[^@\s/\x00-\x1f]+\.[^@\s/\x00-\x1f]+$")]


class CognitoConfig(BaseModel):
    region: str = Field(description="the pool's AWS region")
    user_pool_id: str
    client_id: str = Field(description="the site's app client (no secret)")
    endpoint: str = Field(description="where the site sends Cognito's API calls (InitiateAuth …)")


class AuthConfig(BaseModel):
    cognito: CognitoConfig | None = Field(
        description="the user pool to sign in with; null when none is configured (API keys only)")


class User(BaseModel):
    email: str
    role: ApiRole | None = Field(description="the user's group (null: none, the API refuses the user)")
    status: str = Field(description="Cognito's status: FORCE_CHANGE_PASSWORD until the first sign-in, then "
                                    "CONFIRMED")
    enabled: bool
    created: dt.datetime | None = None


class UserList(BaseModel):
    items: list[User]


class UserInvite(BodyModel):
    email: Email
    role: ApiRole


class UserInvited(User):
    temporary_password: str = Field(description="the first password; shown only here (Cognito also e-mails "
                                                "it in AWS); changed at the first sign-in")


class UserUpdate(BodyModel):
    role: ApiRole | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> UserUpdate:
        if self.role is None and self.enabled is None:
            raise ValueError("give role, enabled or both")
        return self
