"""/users: team accounts in the Cognito user pool (admin role). The CLI (`predictfluence users`) does the
same through the same module (predictfluence.api.team)."""

from __future__ import annotations

from predictfluence import identity
from predictfluence.api import errors, team
from predictfluence.api.auth import Principal
from predictfluence.api.routing import Router
from predictfluence.api.schemas.users import User, UserInvite, UserInvited, UserList, UserUpdate

router = Router(__name__, tag="users")
user_routes = router.blueprint


def _api_error(exc: identity.IdentityError, email: str | None = None) -> errors.ApiError:
    if exc.code == "not_configured":
        return errors.ApiError(409, "not_configured", exc.message)
    if exc.code == "not_found":
        return errors.not_found("user", email)
    if exc.code == "exists":
        return errors.conflict("user_exists", exc.message, {"field": "email", "in": "body"})
    return errors.unprocessable(exc.message, [{"field": "email", "in": "body", "message": exc.message}])


def _user(found: team.TeamUser) -> User:
    return User(email=found.email, role=found.role, status=found.status, enabled=found.enabled, created=found.created)


@router.route("/users", "GET", role="admin", response=UserList, errors=(409,),
              summary="Team members in the user pool: e-mail, role, status, enabled (409 when no pool)")
def list_users() -> UserList:
    try:
        return UserList(items=[_user(u) for u in team.list_users()])
    except identity.IdentityError as exc:
        raise _api_error(exc) from None


@router.route("/users", "POST", role="admin", body=UserInvite, response=UserInvited, status=201, errors=(409,),
              summary="Invite a teammate: a temporary password, in this response only (and e-mailed by Cognito)",
              audit="user.invite", audit_target="user:response.email")
def invite_user(body: UserInvite, principal: Principal) -> UserInvited:
    try:
        found, password = team.invite(body.email, body.role, principal.actor)
    except identity.IdentityError as exc:
        raise _api_error(exc, body.email) from None
    return UserInvited(**_user(found).model_dump(), temporary_password=password)


@router.route("/users/{email}", "PATCH", role="admin", body=UserUpdate, response=User, errors=(404, 409),
              summary="Change a teammate's role and/or disable (sign out everywhere) or enable them",
              audit="user.update", audit_target="user:email")
def update_user(email: str, body: UserUpdate, principal: Principal) -> User:
    if body.enabled is False and principal.email == email:
        raise errors.conflict("self_disable", "an admin cannot disable their own account",
                              {"field": "enabled", "in": "body"})
    try:
        return _user(team.update(email, role=body.role, enabled=body.enabled))
    except identity.IdentityError as exc:
        raise _api_error(exc, email) from None
