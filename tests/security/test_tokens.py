"""Cognito ID-token verification (predictfluence.api.tokens) against a pool on moto's server: what is
refused (wrong signature, tampered claims, expired, another pool, another client, an access token, no
group, alg games) and what is accepted (a valid token; the highest group wins), plus the JWKS cache.

Tokens with chosen claims are signed with moto's own private key (the key behind the pool's JWKS), so a
refusal is the claim's, never the signature's."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import jwt
import pytest

from tests import cognito_pool

cognito, moto_endpoint = cognito_pool.cognito, cognito_pool.moto_endpoint  # the pool's fixtures


def _moto_key() -> jwt.PyJWK:
    import moto

    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    return jwt.PyJWK.from_dict(json.loads(gzip.decompress(path.read_bytes())))


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _sign(claims: dict, key=None, kid: str = "dummy", alg: str = "RS256") -> str:
    signing = key if key is not None else _moto_key().key
    return jwt.encode(claims, signing, algorithm=alg, headers={"kid": kid})


@pytest.fixture()
def valid(cognito):
    return cognito["token"]("val@example.com", "manager")


def test_a_valid_token_is_accepted_with_its_groups_role(cognito, valid):
    from predictfluence.api import tokens

    who = tokens.verify(valid)
    assert (who.email, who.role, who.sub) == ("val@example.com", "manager", _claims(valid)["sub"])


def test_the_highest_group_wins(cognito):
    from predictfluence import identity
    from predictfluence.api import tokens

    token = cognito["token"]("two@example.com", "viewer")
    identity.client().admin_add_user_to_group(UserPoolId=cognito["pool"].user_pool_id, Username="two@example.com",
                                              GroupName="admin")
    assert tokens.verify(token).role == "viewer"  # the token says what the groups were at sign-in
    fresh = cognito["sign_in"]("two@example.com", _password(cognito, "two@example.com"))["IdToken"]
    assert sorted(_claims(fresh)["cognito:groups"]) == ["admin", "viewer"]
    assert tokens.verify(fresh).role == "admin"


def _password(cognito, email: str) -> str:
    from predictfluence import identity

    password = identity.temporary_password()
    identity.client().admin_set_user_password(UserPoolId=cognito["pool"].user_pool_id, Username=email,
                                              Password=password, Permanent=True)
    return password


def test_a_forged_signature_is_refused(cognito, valid):
    from cryptography.hazmat.primitives.asymmetric import rsa

    from predictfluence.api import tokens

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = _sign(_claims(valid), key=other_key)
    with pytest.raises(tokens.TokenError, match="Signature"):
        tokens.verify(forged)
    header, payload, signature = valid.split(".")
    claims = {**_claims(valid), "cognito:groups": ["admin"]}
    tampered = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])
    with pytest.raises(tokens.TokenError, match="Signature"):
        tokens.verify(tampered)


def test_the_control_a_token_signed_with_motos_key_and_the_same_claims_passes(cognito, valid):
    from predictfluence.api import tokens

    assert tokens.verify(_sign(_claims(valid))).email == "val@example.com"


def test_an_expired_token_is_refused_beyond_the_leeway(cognito, valid):
    from predictfluence.api import tokens

    now = int(time.time())
    expired = _sign({**_claims(valid), "iat": now - 7200, "exp": now - tokens.LEEWAY_SECONDS - 5})
    with pytest.raises(tokens.TokenError, match="ExpiredSignature"):
        tokens.verify(expired)
    within = _sign({**_claims(valid), "iat": now - 3600, "exp": now - tokens.LEEWAY_SECONDS + 10})
    assert tokens.verify(within).role == "manager"


def test_another_pools_token_is_refused(cognito, valid):
    from predictfluence import identity
    from predictfluence.api import tokens

    cog = identity.client()
    other = cog.create_user_pool(PoolName="pf-other-pool", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = cog.create_user_pool_client(UserPoolId=other, ClientName="x",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    cog.create_group(UserPoolId=other, GroupName="admin")
    cog.admin_create_user(UserPoolId=other, Username="mal@example.com", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "mal@example.com"}])
    cog.admin_set_user_password(UserPoolId=other, Username="mal@example.com", Password="Aa1!aaaaaaaa", Permanent=True)
    cog.admin_add_user_to_group(UserPoolId=other, Username="mal@example.com", GroupName="admin")
    foreign = cog.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id, AuthParameters={
        "USERNAME": "mal@example.com", "PASSWORD": "Aa1!aaaaaaaa"})["AuthenticationResult"]["IdToken"]
    assert _claims(foreign)["iss"].endswith(other)
    with pytest.raises(tokens.TokenError, match="Audience|Issuer"):
        tokens.verify(foreign)
    # even with this pool's client id as its audience, the issuer gives it away
    with pytest.raises(tokens.TokenError, match="Issuer"):
        tokens.verify(_sign({**_claims(foreign), "aud": cognito["pool"].client_id}))


def test_a_token_for_another_client_of_the_pool_is_refused(cognito, valid):
    from predictfluence import identity
    from predictfluence.api import tokens

    pool = cognito["pool"]
    other = identity.client().create_user_pool_client(
        UserPoolId=pool.user_pool_id, ClientName="another-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    token = identity.client().initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=other, AuthParameters={
        "USERNAME": "val@example.com", "PASSWORD": _password(cognito, "val@example.com")})["AuthenticationResult"]
    assert _claims(token["IdToken"])["aud"] == other
    with pytest.raises(tokens.TokenError, match="Audience"):
        tokens.verify(token["IdToken"])


def test_an_access_token_is_refused(cognito):
    from predictfluence.api import tokens

    result = cognito["sign_in"]("admin@predictfluence.local", cognito["pool"].admin_password)
    access = result["AccessToken"]
    assert _claims(access)["token_use"] == "access"
    with pytest.raises(tokens.TokenError):
        tokens.verify(access)
    # an access token dressed with the client as audience is still not an ID token
    dressed = _sign({**_claims(access), "aud": cognito["pool"].client_id, "email": "admin@predictfluence.local"})
    with pytest.raises(tokens.TokenError, match="token_use"):
        tokens.verify(dressed)


def test_a_token_without_a_group_is_refused(cognito):
    from predictfluence.api import tokens

    token = cognito["token"]("nogroup@example.com", None)
    assert "cognito:groups" not in _claims(token)
    with pytest.raises(tokens.TokenError, match="no group"):
        tokens.verify(token)
    with pytest.raises(tokens.TokenError, match="no group"):
        tokens.verify(_sign({**_claims(token), "cognito:groups": ["owners"]}))


def test_algorithm_games_are_refused(cognito, valid):
    from predictfluence.api import tokens

    unsigned = jwt.encode({**_claims(valid), "cognito:groups": ["admin"]}, None, algorithm="none",
                          headers={"kid": "dummy"})
    with pytest.raises(tokens.TokenError, match="RS256"):
        tokens.verify(unsigned)
    hs = jwt.encode(_claims(valid), "secret-key-long-enough-for-hmac-sha256", algorithm="HS256",
                    headers={"kid": "dummy"})
    with pytest.raises(tokens.TokenError, match="RS256"):
        tokens.verify(hs)
    for garbage in ("a.b.c", "..", "eyJ.eyJ.x"):
        with pytest.raises(tokens.TokenError):
            tokens.verify(garbage)


def test_missing_claims_are_refused(cognito, valid):
    from predictfluence.api import tokens

    for claim in ("exp", "iss", "aud", "sub", "token_use"):
        claims = {k: v for k, v in _claims(valid).items() if k != claim}
        with pytest.raises(tokens.TokenError):
            tokens.verify(_sign(claims))


def test_jwks_is_fetched_once_and_an_unknown_kid_refetches_at_most_once_per_interval(cognito, valid, monkeypatch):
    from predictfluence.api import tokens

    tokens.forget()
    before = tokens.jwks_fetches()
    for _ in range(3):
        tokens.verify(valid)
    assert tokens.jwks_fetches() == before + 1
    unknown = _sign(_claims(valid), kid="rotated-key")
    with pytest.raises(tokens.TokenError, match="no key 'rotated-key'"):
        tokens.verify(unknown)  # the set was just fetched: no refetch within REFETCH_SECONDS
    assert tokens.jwks_fetches() == before + 1
    later = time.monotonic() + tokens.REFETCH_SECONDS + 1
    monkeypatch.setattr(tokens.time, "monotonic", lambda: later)
    for _ in range(5):
        with pytest.raises(tokens.TokenError, match="no key"):
            tokens.verify(unknown)
    assert tokens.jwks_fetches() == before + 2  # one refetch for five forged kids


def test_an_unreachable_jwks_is_an_outage_not_a_refusal(cognito, valid, monkeypatch):
    from predictfluence.api import tokens

    tokens.forget()
    monkeypatch.setenv("PF_COGNITO_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(tokens.JwksUnavailable):
        tokens.verify(valid)
    assert issubclass(tokens.JwksUnavailable, ConnectionError)


def test_no_pool_configured_refuses_every_token(cognito, valid, monkeypatch):
    from predictfluence.api import tokens

    monkeypatch.delenv("PF_COGNITO_USER_POOL_ID")
    with pytest.raises(tokens.TokenError, match="no Cognito user pool"):
        tokens.verify(valid)


def test_api_keys_never_import_the_jwt_stack(db):
    """PyJWT + cryptography (14.5 MB) load at the first request that carries a JWT, not for API keys."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom predictfluence.api.auth import authenticate, create_key\n"
            "key, _ = create_key('viewer')\nassert authenticate('Bearer ' + key) is not None\n"
            "print('jwt' in sys.modules, 'cryptography' in sys.modules)")
    env = {**os.environ, "DATABASE_URL": db.url.render_as_string(hide_password=False)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_authorizer_passes_role_actor_and_identity_and_routing_rebuilds_the_principal(cognito, valid):
    from chalice.app import AuthRequest

    from predictfluence.api.auth import Principal
    from predictfluence.api.authorizer import api_key_authorizer

    answer = api_key_authorizer.func(AuthRequest("TOKEN", f"Bearer {valid}", "arn:aws:execute-api:x"))
    sub = _claims(valid)["sub"]
    assert answer.principal_id == "user:val@example.com"
    assert answer.context == {"role": "manager", "actor": "user:val@example.com", "email": "val@example.com",
                              "user_sub": sub}
    assert Principal.from_context(answer.context) == Principal(key_id=None, role="manager", user_sub=sub,
                                                               email="val@example.com")
    refused = api_key_authorizer.func(AuthRequest("TOKEN", f"Bearer {_sign(_claims(valid), kid='x')}", "arn"))
    assert (refused.principal_id, refused.context) == ("anonymous", {"role": "", "auth_error": "invalid"})


def test_a_direct_invocation_checks_the_token_from_the_header(cognito, valid, db):
    """No authorizer ran (a direct Lambda invocation): the route wrapper verifies the header itself."""
    import json as _json
    from types import SimpleNamespace

    from app import app

    event = {"resource": "/me", "path": "/me", "httpMethod": "GET", "headers": {"Authorization": f"Bearer {valid}"},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "requestContext": {"resourcePath": "/me",
             "httpMethod": "GET", "path": "/me"}, "body": None, "isBase64Encoded": False}
    response = app(event, SimpleNamespace(function_name="api", aws_request_id="r1"))
    body = _json.loads(response["body"])
    assert (response["statusCode"], body["actor"], body["role"]) == (200, "user:val@example.com", "manager")
    forged = app({**event, "headers": {"Authorization": f"Bearer {_sign(_claims(valid), kid='x')}"}},
                 SimpleNamespace(function_name="api", aws_request_id="r2"))
    assert forged["statusCode"] == 401
