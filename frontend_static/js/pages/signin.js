// Sign-in: e-mail and password against the team's Cognito user pool (GET /auth/config names it), the forced
// first-password change of an invited user, and — behind "Use an API key", or alone when no pool is configured —
// the API-key form developers use.
import { api, apiUrl, auth, configMissing, setApiUrl } from "../api.js";
import { href, navigate } from "../router.js";
import * as session from "../session.js";
import { clear, errorBox, field, h } from "../ui.js";

export const title = "Sign in";

const POLICY = "At least 12 characters, with upper- and lower-case letters, a number and a symbol.";
const WRONG = ["Wrong email or password", "Check both and try again."];
const LOCKED = ["Too many attempts", "Sign-in is paused for this account after repeated failures: wait a few minutes, then try again."];

// Cognito's answer → [title, text]. An unknown address gets the wrong-password words: the form never tells
// whether an address has an account.
export function signInMessage(err) {
  const m = String(err?.message || "");
  switch (err?.type) {
    case "NotAuthorizedException":
      if (/disabled/i.test(m)) return ["This account is disabled", "Ask an admin of your team to enable it again."];
      if (/attempts exceeded|locked|too many/i.test(m)) return LOCKED;
      if (/session/i.test(m)) return ["The sign-in took too long", "Start again with the same e-mail and password."];
      return WRONG;
    case "UserNotFoundException": return WRONG;
    case "TooManyRequestsException": case "LimitExceededException": case "TooManyFailedAttemptsException": return LOCKED;
    case "PasswordResetRequiredException": return ["Your password must be reset", "Ask an admin of your team to invite you again."];
    case "UserNotConfirmedException": return ["This account is not confirmed yet", "Ask an admin of your team to invite you again."];
    case "InvalidPasswordException": return ["That password does not meet the password policy", `${POLICY} (${m})`];
    case "CodeMismatchException": case "ExpiredCodeException": return ["Wrong code", "Type the current code from your authenticator app."];
    case "network": return ["Cannot reach the sign-in service", m];
    default: return ["Sign-in failed", m];
  }
}

const alertBox = ([title, text]) => h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, title), text);

function goNext(query) {
  const next = query.next && query.next !== "/signin" && !query.next.startsWith("/signin?") ? query.next : "/";
  navigate(next.split("?")[0], Object.fromEntries(new URLSearchParams(next.split("?")[1] || "")));
}

// The API must accept the new credential too (a user without a group, or disabled there, is refused).
async function checkWithApi(status, query, onRefused) {
  try {
    await api.get("/me", undefined, { silent401: true });
    goNext(query);
  } catch (err) {
    await session.signOut(); // revokes a refused user's tokens (nothing to do for a key)
    auth.clear();
    if (err.status === 401 || err.status === 403) clear(status, alertBox(onRefused(err)));
    else clear(status, errorBox(err));
    return false;
  }
  return true;
}

function busy(button, on, label) {
  button.disabled = on;
  button.textContent = on ? "Checking…" : label;
}

function required(input, status, message) {
  if (input.value.trim()) { input.removeAttribute("aria-invalid"); return true; }
  input.setAttribute("aria-invalid", "true");
  clear(status, h("div", { class: "field-error" }, message));
  input.focus();
  return false;
}

const refusedUser = (err) => ["Signed in, but the API refused this account", `${err.message} Ask an admin of your team to check your role.`];

function passwordForm(cfg, box, query) {
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const status = h("div", { "aria-live": "polite", "data-testid": "signin-status" });
  const submit = h("button", { class: "btn", type: "submit" }, "Sign in");
  const form = h("form", { novalidate: true, "data-testid": "password-form" },
    field("Email", email), field("Password", password), status, submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(status);
    if (!required(email, status, "Enter your e-mail address.") || !required(password, status, "Enter your password.")) return;
    busy(submit, true, "Sign in");
    auth.clear(); // a key (or a session) from before in this tab must not linger beside the new session
    try {
      const step = await session.signIn(cfg, email.value.trim(), password.value);
      if (step.done) { await checkWithApi(status, query, refusedUser); busy(submit, false, "Sign in"); return; }
      challengeForm(cfg, box, query, step);
    } catch (err) {
      clear(status, alertBox(signInMessage(err)));
      busy(submit, false, "Sign in");
      password.select();
    }
  });
  return [form, email];
}

// NEW_PASSWORD_REQUIRED (an invited user's first sign-in with the temporary password) or SOFTWARE_TOKEN_MFA.
function challengeForm(cfg, box, query, step) {
  const status = h("div", { "aria-live": "polite", "data-testid": "signin-status" });
  const newPassword = step.challenge === "NEW_PASSWORD_REQUIRED";
  if (!newPassword && step.challenge !== "SOFTWARE_TOKEN_MFA") {
    clear(box, alertBox(["This sign-in needs a step the site does not offer", `Cognito asked for ${step.challenge}.`]));
    return;
  }
  const first = h("input", newPassword
    ? { type: "password", name: "new_password", autocomplete: "new-password", required: true }
    : { type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, pattern: "[0-9]{6}" });
  const confirm = newPassword ? h("input", { type: "password", name: "confirm_password", autocomplete: "new-password", required: true }) : null;
  const label = newPassword ? "Set password and sign in" : "Verify";
  const submit = h("button", { class: "btn", type: "submit" }, label);
  const form = h("form", { novalidate: true, "data-testid": "challenge-form" },
    newPassword
      ? h("p", { class: "muted" }, `Welcome, ${step.email}. Choose your own password to replace the temporary one.`)
      : h("p", { class: "muted" }, "Type the 6-digit code from your authenticator app."),
    newPassword ? field("New password", first, { hint: POLICY }) : field("Code", first),
    confirm ? field("Repeat the new password", confirm) : null,
    status, submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(status);
    if (!required(first, status, newPassword ? "Enter a new password." : "Enter the code.")) return;
    if (confirm && confirm.value !== first.value) {
      confirm.setAttribute("aria-invalid", "true");
      clear(status, h("div", { class: "field-error" }, "The two passwords differ."));
      confirm.focus();
      return;
    }
    busy(submit, true, label);
    try {
      const next = await session.respond(cfg, step, newPassword ? { NEW_PASSWORD: first.value } : { SOFTWARE_TOKEN_MFA_CODE: first.value.trim() });
      if (next.done) { await checkWithApi(status, query, refusedUser); busy(submit, false, label); return; }
      challengeForm(cfg, box, query, next);
    } catch (err) {
      clear(status, alertBox(signInMessage(err)));
      busy(submit, false, label);
      if (err.type === "NotAuthorizedException") clear(box, alertBox(signInMessage(err)), h("a", { href: href("/signin", query) }, "Sign in again"));
    }
  });
  clear(box, h("h2", {}, newPassword ? "Choose a new password" : "Two-step verification"), form);
  first.focus();
}

function keyForm(query) {
  const keyInput = h("input", { type: "password", name: "api_key", autocomplete: "current-password", required: true, placeholder: "pf_…" });
  const urlInput = configMissing() ? h("input", { type: "url", name: "api_url", required: true, placeholder: "https://…/api", value: apiUrl() }) : null;
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { class: "btn", type: "submit" }, "Sign in");
  const form = h("form", { novalidate: true, "data-testid": "key-form" },
    urlInput ? field("API address", urlInput, { hint: "config.js is missing, so type the API's base URL." }) : null,
    field("API key", keyInput, { hint: "For developers and API clients: an admin creates keys on the Team page." }),
    status,
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(status);
    if (urlInput) {
      if (!required(urlInput, status, "Enter the API address.")) return;
      setApiUrl(urlInput.value);
    }
    if (!required(keyInput, status, "Enter your API key.")) return;
    busy(submit, true, "Sign in");
    auth.set(keyInput.value);
    if (!(await checkWithApi(status, query, () => ["That key was not accepted", "Check the key and try again."]))) busy(submit, false, "Sign in");
  });
  return [form, urlInput && !urlInput.value ? urlInput : keyInput];
}

// The pool to sign in with, or null (no pool configured, no API address, or an API without /auth/config).
async function cognitoConfig() {
  if (configMissing() && !apiUrl()) return null;
  try {
    return (await api.get("/auth/config", undefined, { silent401: true }))?.cognito || null;
  } catch {
    return null;
  }
}

export async function render({ root, query, isCurrent }) {
  const cfg = await cognitoConfig();
  if (!isCurrent()) return;
  const useKey = !cfg || query.method === "key";
  const box = h("div", {});
  const rest = Object.fromEntries(Object.entries(query).filter(([k]) => k !== "method"));
  let focus;
  if (useKey) {
    const [form, first] = keyForm(query);
    focus = first;
    clear(box, form, cfg ? h("p", { class: "small" }, h("a", { href: href("/signin", rest) }, "Sign in with your e-mail and password")) : null);
  } else {
    const [form, first] = passwordForm(cfg, box, query);
    focus = first;
    clear(box, form, h("p", { class: "small" }, h("a", { href: href("/signin", { ...rest, method: "key" }), "data-testid": "use-api-key" }, "Use an API key")));
  }
  clear(root, h("div", { class: "signin" },
    h("div", { class: "card" },
      h("div", {}, h("h1", {}, "Sign in to Predictfluence"), h("p", { class: "muted", style: "margin:6px 0 0" }, "Micro-influencer analytics for your campaigns.")),
      configMissing() ? h("div", { class: "alert alert-warning", role: "alert" },
        h("strong", {}, "config.js is missing"),
        "This site was deployed without its configuration. Copy ", h("code", {}, "config.example.js"), " to ", h("code", {}, "config.js"),
        " with the API address, or enter the address below for this session.") : null,
      query.expired ? h("div", { class: "alert alert-info" }, "Your session ended. Sign in again to continue.") : null,
      box,
    )));
  focus.focus();
}
