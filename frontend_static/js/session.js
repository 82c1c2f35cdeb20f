// Team sign-in (issue 14.3): the site talks to the Cognito user pool named by GET /auth/config directly, as
// Amplify would — fetch POST to the pool's endpoint with AWS's JSON protocol headers — and sends the ID token
// to the API as `Authorization: Bearer <jwt>`. No SDK: four calls (InitiateAuth with USER_PASSWORD_AUTH or
// REFRESH_TOKEN_AUTH, RespondToAuthChallenge, GlobalSignOut) are a few lines each, and the site ships no
// bundler.
//
// Where the tokens live: sessionStorage, not localStorage or a cookie. sessionStorage survives a reload of the
// tab (the session lasts as long as the refresh token, 30 days by default, while the tab stays open) but is
// never shared with other tabs nor written to disk after the tab closes, so a refresh token does not outlive
// the browser window it was issued to, and a shared computer forgets it when the window closes. localStorage
// would keep the refresh token for its whole lifetime and give it to every tab; an HttpOnly cookie would need
// a server of our own (the site is static files on S3/CloudFront). Any script on the origin can read
// sessionStorage, which is why the site's CSP allows only its own scripts (script-src 'self', no inline).
const STORAGE = "pf.session";
const REFRESH_MARGIN_MS = 2 * 60 * 1000; // refresh this long before the ID token expires

export class CognitoError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type; // Cognito's exception name: NotAuthorizedException, InvalidPasswordException, …
  }
}

async function call({ endpoint }, action, body) {
  let res;
  try {
    res = await fetch(`${endpoint.replace(/\/+$/, "")}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError("network", `Could not reach the sign-in service at ${endpoint}.`);
  }
  const text = await res.text();
  let data = {};
  try { data = text ? JSON.parse(text) : {}; } catch { data = {}; }
  if (!res.ok) {
    // "__type" may carry a namespace ("…#NotAuthorizedException"); the header form may carry a ":" suffix
    const raw = data.__type || data.code || res.headers.get("x-amzn-ErrorType") || `http_${res.status}`;
    throw new CognitoError(String(raw).split("#").pop().split(":")[0], data.message || data.Message || `${res.status} ${res.statusText}`);
  }
  return data;
}

export function current() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORAGE) || "null");
    return s && s.idToken && s.refreshToken ? s : null;
  } catch {
    return null;
  }
}

export function bearer() {
  return current()?.idToken || null;
}

export function clear() {
  sessionStorage.removeItem(STORAGE);
}

function save(cfg, email, result, previous) {
  const s = {
    endpoint: cfg.endpoint,
    clientId: cfg.client_id,
    email,
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken || previous?.refreshToken, // REFRESH_TOKEN_AUTH returns none (no rotation)
    expiresAt: Date.now() + Number(result.ExpiresIn || 3600) * 1000,
  };
  sessionStorage.setItem(STORAGE, JSON.stringify(s));
  return s;
}

// The outcome of a step: {done: true} when the tokens are stored, or {challenge, session, username, email} when
// Cognito asks for more (NEW_PASSWORD_REQUIRED for an invited user's first sign-in, SOFTWARE_TOKEN_MFA).
function outcome(cfg, email, answer) {
  if (answer.AuthenticationResult) {
    save(cfg, email, answer.AuthenticationResult);
    return { done: true };
  }
  return {
    challenge: answer.ChallengeName,
    session: answer.Session,
    // the pool's own user name (AWS names it USER_ID_FOR_SRP, moto USERNAME); the e-mail works as an alias
    username: answer.ChallengeParameters?.USER_ID_FOR_SRP || answer.ChallengeParameters?.USERNAME || email,
    email,
  };
}

export async function signIn(cfg, email, password) {
  const answer = await call(cfg, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: cfg.client_id,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  return outcome(cfg, email, answer);
}

export async function respond(cfg, step, responses) {
  const answer = await call(cfg, "RespondToAuthChallenge", {
    ChallengeName: step.challenge,
    ClientId: cfg.client_id,
    Session: step.session,
    ChallengeResponses: { USERNAME: step.username, ...responses },
  });
  return outcome(cfg, step.email, answer);
}

let refreshing = null; // one refresh at a time, shared by the requests that need it

export function refresh() {
  const s = current();
  if (!s) return Promise.reject(new CognitoError("no_session", "Not signed in."));
  if (!refreshing) {
    refreshing = call({ endpoint: s.endpoint }, "InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: s.clientId,
      AuthParameters: { REFRESH_TOKEN: s.refreshToken },
    }).then(
      (answer) => save({ endpoint: s.endpoint, client_id: s.clientId }, s.email, answer.AuthenticationResult, s),
      (err) => {
        if (err.type !== "network") clear(); // revoked, expired or the user disabled: the session is over
        throw err;
      },
    ).finally(() => { refreshing = null; });
  }
  return refreshing;
}

// Before a request: a token that expires within REFRESH_MARGIN_MS is refreshed first.
export async function ensureFresh() {
  const s = current();
  if (s && s.expiresAt - Date.now() < REFRESH_MARGIN_MS) await refresh();
}

// Sign-out revokes the refresh token with GlobalSignOut (every refresh and access token of the user, on every
// device). RevokeToken would revoke this one refresh token only, but moto — the local stack and the tests — does
// not implement it (moto 5.2: NotImplementedError); GlobalSignOut is the same call locally and in AWS, so the
// tested path is the shipped one. The storage is cleared whatever Cognito answers.
export async function signOut() {
  try {
    let s = current();
    if (!s) return;
    if (s.expiresAt <= Date.now()) s = await refresh(); // GlobalSignOut needs a live access token
    await call({ endpoint: s.endpoint }, "GlobalSignOut", { AccessToken: s.accessToken });
  } catch {
    // already revoked or unreachable: nothing more to do here
  } finally {
    clear();
  }
}
