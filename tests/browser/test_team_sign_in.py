"""Team sign-in in the browser (issue 14.3, 14.4): e-mail + password against the local Cognito pool (moto),
the messages for a wrong password / unknown address / disabled account, the invited user's forced first
password, a session that survives a reload and refreshes its ID token, sign-out that revokes the refresh
token, and the Team page (invite, role, disable, API keys).

Cognito's refusals are HTTP 400 answers from the pool's endpoint: a test that provokes one allows it.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.conftest import PageProblems, Stack

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Chosen-Passw0rd-#1"


def wait_idle(pg: Any) -> None:
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


def sign_in(pg: Any, stack: Stack, email: str, password: str) -> None:
    pg.goto(stack.web_url + "#/signin")
    pg.get_by_label("Email").fill(email)
    pg.get_by_label("Password", exact=True).fill(password)
    pg.get_by_role("button", name="Sign in").click()


def stored(pg: Any) -> dict[str, Any] | None:
    return pg.evaluate("JSON.parse(sessionStorage.getItem('pf.session'))")


def refresh_refused(stack: Stack, refresh_token: str) -> str:
    with pytest.raises(ClientError) as refused:
        stack.cognito().initiate_auth(ClientId=stack.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": refresh_token})
    return refused.value.response["Error"]["Code"]


def new_user(stack: Stack, role: str) -> tuple[str, str]:
    return stack.create_user(f"{role}-{uuid.uuid4().hex[:6]}@browser.test", role)


def test_wrong_password_and_unknown_address_read_the_same(signed_out_page, stack: Stack, problems: PageProblems) -> None:
    pg = signed_out_page
    problems.allow(stack.pool.endpoint)  # Cognito's 400s
    email, password = new_user(stack, "manager")
    sign_in(pg, stack, email, "Not-the-Passw0rd!")
    alert = pg.get_by_test_id("signin-status").get_by_role("alert")
    expect(alert).to_contain_text("Wrong email or password")
    sign_in(pg, stack, "nobody-" + email, "Not-the-Passw0rd!")
    expect(alert).to_contain_text("Wrong email or password")  # the same words: no user enumeration
    assert stored(pg) is None
    # the right password signs in; the session is in sessionStorage only
    sign_in(pg, stack, email, password)
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)
    session = stored(pg)
    assert session["email"] == email and session["idToken"].count(".") == 2 and session["refreshToken"]
    assert pg.evaluate("document.body.dataset.role") == "manager"
    expect(pg.locator("#api-target")).to_have_text(f"{email} · API: {stack.api_url}")  # who is signed in
    assert pg.evaluate("localStorage.getItem('pf.session')") is None
    assert pg.evaluate("sessionStorage.getItem('pf.apiKey')") is None


def test_reload_keeps_the_session_refresh_renews_it_and_sign_out_revokes_it(signed_out_page, stack: Stack,
                                                                            problems: PageProblems) -> None:
    pg = signed_out_page
    email, password = new_user(stack, "viewer")
    sign_in(pg, stack, email, password)
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)
    pg.wait_for_load_state("networkidle")  # nothing in flight when the page reloads
    first = stored(pg)
    pg.reload()
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)
    assert re.search(r"#/$", pg.url) and stored(pg)["idToken"] == first["idToken"]
    # an ID token about to expire is refreshed (REFRESH_TOKEN_AUTH) before the next request
    pg.evaluate("() => { const s = JSON.parse(sessionStorage.getItem('pf.session')); s.expiresAt = Date.now();"
                " sessionStorage.setItem('pf.session', JSON.stringify(s)); }")
    pg.get_by_role("link", name="Campaigns", exact=True).click()
    pg.get_by_role("heading", name="Campaigns", exact=True).wait_for()
    wait_idle(pg)
    renewed = stored(pg)
    assert renewed["idToken"] != first["idToken"] and renewed["refreshToken"] == first["refreshToken"]
    assert renewed["expiresAt"] > first["expiresAt"]
    pg.wait_for_load_state("networkidle")
    # an ID token the API refuses (401) is refreshed once and the request retried: the page still renders
    problems.allow("401")
    pg.evaluate("() => { const s = JSON.parse(sessionStorage.getItem('pf.session')); s.idToken = 'e30.e30.not-signed';"
                " sessionStorage.setItem('pf.session', JSON.stringify(s)); }")
    pg.get_by_role("link", name="Dashboard", exact=True).click()
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)
    pg.wait_for_load_state("networkidle")
    assert stored(pg)["idToken"].count(".") == 2 and stored(pg)["idToken"] != "e30.e30.not-signed"
    assert re.search(r"#/$", pg.url)
    problems.allowed.clear()
    # sign-out: the storage is empty and Cognito refuses the refresh token from then on
    pg.get_by_role("button", name="Sign out").click()
    pg.get_by_label("Email").wait_for()
    assert stored(pg) is None
    assert refresh_refused(stack, first["refreshToken"]) == "NotAuthorizedException"
    pg.goto(stack.web_url + "#/campaigns")
    pg.wait_for_url(re.compile(r"#/signin"))


def test_the_api_key_link_still_signs_in_with_a_key(signed_out_page, stack: Stack, api_key: str) -> None:
    pg = signed_out_page
    pg.goto(stack.web_url + "#/signin?next=/campaigns")
    pg.get_by_test_id("use-api-key").click()
    pg.get_by_label("API key").wait_for()
    assert axe_violations(pg, "html") == []
    pg.get_by_label("API key").fill(api_key)
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_role("heading", name="Campaigns", exact=True).wait_for()
    assert pg.evaluate("sessionStorage.getItem('pf.apiKey')") == api_key and stored(pg) is None


def test_team_invite_first_password_role_change_and_disable(admin_page, signed_out_page, stack: Stack,
                                                            problems: PageProblems) -> None:
    admin, pg = admin_page, signed_out_page
    problems.allow(stack.pool.endpoint)  # the weak password and the disabled sign-in are Cognito 400s
    email = f"invited-{uuid.uuid4().hex[:6]}@browser.test"
    admin.goto(stack.web_url + "#/team")
    wait_idle(admin)
    admin.get_by_label("E-mail").fill(email)
    admin.get_by_label("Role", exact=True).select_option("viewer")
    admin.get_by_role("button", name="Invite").click()
    temporary = admin.get_by_test_id("temporary-password").inner_text()
    assert len(temporary) >= 12
    row = admin.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("Invited (temporary password)")
    expect(admin.get_by_label(f"Role of {email}")).to_have_value("viewer")
    me = stack.user("admin")[0]  # the signed-in admin: marked, and no button to disable oneself
    expect(admin.get_by_role("row").filter(has_text=me)).to_contain_text(f"{me} (you)")
    assert admin.get_by_role("button", name=f"Disable {me}").count() == 0

    # the invited user's first sign-in asks for a new password; the policy is enforced with a clear message
    assert axe_violations(admin, "html") == []  # the Team page with the temporary password shown
    sign_in(pg, stack, email, temporary)
    pg.get_by_role("heading", name="Choose a new password").wait_for()
    assert axe_violations(pg, "html") == []
    pg.get_by_label("New password", exact=True).fill("short")
    pg.get_by_label("Repeat the new password").fill("shorter")
    pg.get_by_role("button", name="Set password and sign in").click()
    expect(pg.get_by_test_id("signin-status")).to_have_text("The two passwords differ.")
    pg.get_by_label("Repeat the new password").fill("short")
    pg.get_by_role("button", name="Set password and sign in").click()
    expect(pg.get_by_test_id("signin-status").get_by_role("alert")).to_contain_text(
        "That password does not meet the password policy")
    pg.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    pg.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    pg.get_by_role("button", name="Set password and sign in").click()
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)
    assert pg.evaluate("document.body.dataset.role") == "viewer"

    # the admin makes them a manager: visible in the list, and in the site at their next sign-in
    admin.reload()
    wait_idle(admin)
    expect(admin.get_by_role("row").filter(has_text=email)).to_contain_text("Active")
    admin.get_by_label(f"Role of {email}").select_option("manager")
    expect(admin.get_by_text(f"{email} is now manager.")).to_be_visible()
    expect(admin.get_by_label(f"Role of {email}")).to_have_value("manager")
    pg.get_by_role("button", name="Sign out").click()
    sign_in(pg, stack, email, NEW_PASSWORD)
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)
    assert pg.evaluate("document.body.dataset.role") == "manager"
    refresh_token = stored(pg)["refreshToken"]

    # disabled: signed out everywhere (the refresh token is refused) and refused at the sign-in form
    admin.get_by_role("button", name=f"Disable {email}").click()
    expect(admin.get_by_role("row").filter(has_text=email)).to_contain_text("Disabled")
    assert refresh_refused(stack, refresh_token) == "NotAuthorizedException"
    sign_in(pg, stack, email, NEW_PASSWORD)
    expect(pg.get_by_test_id("signin-status").get_by_role("alert")).to_contain_text("This account is disabled")
    assert stored(pg) is None


def test_team_page_creates_and_revokes_an_api_key(admin_page, stack: Stack) -> None:
    pg = admin_page
    pg.goto(stack.web_url + "#/team")
    wait_idle(pg)
    pg.get_by_label("Name (what uses it)").fill("Nightly export")
    pg.get_by_label("Role of the key").select_option("viewer")
    pg.get_by_role("button", name="Create key").click()
    key = pg.get_by_test_id("new-key").inner_text()
    assert key.startswith("pfk_")
    pg.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.web_url.rstrip("/"))
    pg.get_by_role("button", name="Copy").click()
    expect(pg.get_by_text("Copied.")).to_be_visible()
    assert pg.evaluate("navigator.clipboard.readText()") == key
    assert stack.api("GET", "/me", key)["role"] == "viewer"  # the key shown works
    row = pg.get_by_test_id("team-keys").get_by_role("row").filter(has_text="Nightly export")
    expect(row).to_contain_text("Active")
    revoke = pg.get_by_role("button", name="Revoke key Nightly export")
    revoke.click()
    expect(revoke).to_have_text("Click again to revoke")
    revoke.click()
    expect(row).to_contain_text("Revoked")


@pytest.mark.parametrize(("error", "title"), [
    ({"type": "NotAuthorizedException", "message": "Incorrect username or password."}, "Wrong email or password"),
    ({"type": "UserNotFoundException", "message": "User does not exist."}, "Wrong email or password"),
    ({"type": "NotAuthorizedException", "message": "User is disabled."}, "This account is disabled"),
    ({"type": "NotAuthorizedException", "message": "Password attempts exceeded"}, "Too many attempts"),
    ({"type": "TooManyRequestsException", "message": "Rate exceeded"}, "Too many attempts"),
    ({"type": "PasswordResetRequiredException", "message": "Password reset required for the user"},
     "Your password must be reset"),
    ({"type": "InvalidPasswordException", "message": "Password does not conform to policy: Password not long enough"},
     "That password does not meet the password policy"),
    ({"type": "network", "message": "Could not reach the sign-in service at x."}, "Cannot reach the sign-in service"),
])
def test_sign_in_messages_for_cognitos_answers(signed_out_page, stack: Stack, error: dict[str, str],
                                               title: str) -> None:
    """The messages for answers moto cannot provoke (AWS locks an account after repeated failures, rate limits,
    forces a password reset), read from the sign-in page's own module."""
    pg = signed_out_page
    pg.goto(stack.web_url + "#/signin")
    pg.get_by_label("Email").wait_for()
    got = pg.evaluate("async (e) => (await import('./js/pages/signin.js')).signInMessage(e)", error)
    assert got[0] == title


@pytest.fixture()
def no_pool(monkeypatch: pytest.MonkeyPatch, stack: Stack) -> Any:
    """The in-process API without a user pool (PF_COGNITO_USER_POOL_ID unset), for this test only."""
    from predictfluence.config import reset_settings

    monkeypatch.delenv("PF_COGNITO_USER_POOL_ID")
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


def test_without_a_pool_only_the_key_form_shows(no_pool, signed_out_page, stack: Stack, problems: PageProblems) -> None:
    from predictfluence.api.auth import create_key

    assert stack.api("GET", "/auth/config", "") == {"cognito": None}
    pg = signed_out_page
    pg.goto(stack.web_url + "#/signin")
    pg.get_by_label("API key").wait_for()
    assert pg.get_by_label("Email").count() == 0 and pg.get_by_test_id("use-api-key").count() == 0
    pg.get_by_label("API key").fill(create_key("admin", "no pool")[0])
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_role("heading", name="Dashboard").wait_for()
    # the Team page explains that people cannot be invited, and still manages keys
    problems.allow("/users")  # GET /users answers 409 not_configured
    pg.goto(stack.web_url + "#/team")
    wait_idle(pg)
    expect(pg.get_by_test_id("team-users")).to_contain_text("No user pool is configured")
    expect(pg.get_by_test_id("team-keys").get_by_role("row").filter(has_text="no pool")).to_contain_text("Active")


def test_a_disabled_users_open_session_ends(signed_in, stack: Stack, problems: PageProblems) -> None:
    """Disabled while signed in: the API refuses the still-valid ID token, Cognito the refresh token (the
    global sign-out), so the next page goes back to the sign-in form saying the session ended."""
    from urllib.parse import quote

    from predictfluence.api.auth import create_key

    email, password = new_user(stack, "manager")
    pg = signed_in("manager", user=(email, password))
    pg.goto(stack.web_url + "#/campaigns")
    pg.get_by_role("heading", name="Campaigns", exact=True).wait_for()
    wait_idle(pg)
    pg.wait_for_load_state("networkidle")
    admin_key = create_key("admin", "disables a user")[0]
    assert stack.api("PATCH", f"/users/{quote(email)}", admin_key, {"enabled": False})["enabled"] is False
    problems.allow("401")
    problems.allow(stack.pool.endpoint)  # the refused refresh
    pg.get_by_role("link", name="Dashboard", exact=True).click()
    pg.get_by_text("Your session ended. Sign in again to continue.").wait_for()
    assert stored(pg) is None


def test_a_user_with_an_authenticator_app_types_the_code(signed_out_page, stack: Stack) -> None:
    """TOTP MFA (optional in the pool): after the password the site asks for the app's code
    (SOFTWARE_TOKEN_MFA). moto checks no real code unless told to, so any six digits pass here."""
    email, password = new_user(stack, "viewer")
    idp = stack.cognito()
    access = stack.password_sign_in(email, password)["AccessToken"]
    idp.associate_software_token(AccessToken=access)
    idp.verify_software_token(AccessToken=access, UserCode="123456")
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    pg = signed_out_page
    sign_in(pg, stack, email, password)
    pg.get_by_role("heading", name="Two-step verification").wait_for()
    assert stored(pg) is None  # no tokens before the code
    pg.get_by_label("Code").fill("123456")
    pg.get_by_role("button", name="Verify").click()
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)
    assert stored(pg)["email"] == email and pg.evaluate("document.body.dataset.role") == "viewer"
