// Team (admins, issue 14.4): the people who sign in (invite by e-mail with a role, change a role, disable or
// enable) and the API keys scripts use (create, revoke) — what `predictfluence users …` / `keys …` do on the CLI.
// A temporary password or a new key is shown once, with a copy button: the API never returns it again.
import { api, itemsOf } from "../api.js";
import * as session from "../session.js";
import { badge, clear, errorBox, field, fmt, h, select, table, toast } from "../ui.js";

export const title = "Team";

const ROLES = [["viewer", "Viewer"], ["manager", "Manager"], ["admin", "Admin"]];
const STATUS = { FORCE_CHANGE_PASSWORD: "Invited (temporary password)", CONFIRMED: "Active" };

function secretBox(label, secret, note, testid) {
  const code = h("code", { "data-testid": testid }, secret);
  const status = h("span", { class: "small", "aria-live": "polite" });
  const copy = h("button", { class: "btn btn-secondary btn-sm", type: "button" }, "Copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      clear(status, "Copied.");
    } catch {
      getSelection().selectAllChildren(code); // no clipboard permission: select it for Ctrl+C
      clear(status, "Selected: press Ctrl+C (⌘C) to copy.");
    }
  });
  return h("div", { class: "alert alert-info", role: "status" }, h("strong", {}, label), h("div", {}, code, " ", copy, " ", status), note);
}

async function act(run, done, onError) {
  try {
    await run();
    done();
  } catch (err) {
    onError(err);
  }
}

function usersSection(users, refresh, out) {
  const me = session.current()?.email?.toLowerCase();
  const email = h("input", { type: "email", name: "invite_email", required: true, autocomplete: "off" });
  const role = select("invite_role", ROLES, "manager");
  const submit = h("button", { class: "btn", type: "submit" }, "Invite");
  const form = h("form", { class: "filters", novalidate: true, "data-testid": "invite-form" },
    field("E-mail", email), field("Role", role), h("div", { class: "field" }, submit));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!email.value.trim()) { email.setAttribute("aria-invalid", "true"); email.focus(); clear(out, h("div", { class: "field-error" }, "Enter the e-mail address to invite.")); return; }
    submit.disabled = true;
    try {
      const invited = await api.post("/users", { email: email.value.trim(), role: role.value });
      await refresh();
      clear(out, secretBox(`Invited ${invited.email} as ${invited.role}. Temporary password:`, invited.temporary_password,
        h("p", { class: "small" }, "Shown once. Give it to them: they choose their own password at their first sign-in."), "temporary-password"));
    } catch (err) {
      clear(out, errorBox(err));
    } finally {
      submit.disabled = false;
    }
  });
  const patch = (u, body, message) => act(
    () => api.patch(`/users/${encodeURIComponent(u.email)}`, body),
    () => { toast(message, "success"); refresh(); },
    (err) => clear(out, errorBox(err)),
  );
  const columns = [
    { label: "E-mail", rowHeader: true, value: (u) => (u.email === me ? `${u.email} (you)` : u.email) },
    {
      label: "Role",
      value: (u) => {
        const s = select("role", u.role ? ROLES : [["", "No role"], ...ROLES], u.role || "", { "aria-label": `Role of ${u.email}` });
        s.addEventListener("change", () => patch(u, { role: s.value }, `${u.email} is now ${s.value}.`));
        return s;
      },
    },
    { label: "Status", value: (u) => STATUS[u.status] || fmt.label(String(u.status || "").toLowerCase()) },
    { label: "Access", value: (u) => (u.enabled ? badge("Enabled", "success") : badge("Disabled", "danger")) },
    { label: "Invited", value: (u) => fmt.date(u.created) },
    {
      label: "",
      srLabel: "Actions",
      // the API refuses an admin disabling their own account (409): no button on one's own row
      value: (u) => (u.email === me && u.enabled ? null : h("button", {
        class: "btn btn-secondary btn-sm", type: "button", "aria-label": `${u.enabled ? "Disable" : "Enable"} ${u.email}`,
        onclick: () => patch(u, { enabled: !u.enabled }, `${u.email} is ${u.enabled ? "disabled: signed out everywhere" : "enabled again"}.`),
      }, u.enabled ? "Disable" : "Enable")),
    },
  ];
  return h("section", { class: "card", "aria-labelledby": "team-users", "data-testid": "team-users" },
    h("div", { class: "card-head" }, h("h2", { id: "team-users" }, "People")),
    h("p", { class: "muted small" }, "Teammates sign in with their e-mail and password. Viewers read; managers also plan, hire and upload; admins also manage the team, keys and models."),
    form, out,
    users.length ? table({ columns, rows: users, caption: "People who can sign in" }) : h("p", {}, "No one yet."));
}

function keysSection(keys, refresh, out) {
  const name = h("input", { type: "text", name: "key_name", required: true, autocomplete: "off", maxlength: "200" });
  const role = select("key_role", ROLES, "viewer");
  const submit = h("button", { class: "btn", type: "submit" }, "Create key");
  const form = h("form", { class: "filters", novalidate: true, "data-testid": "key-create-form" },
    field("Name (what uses it)", name), field("Role of the key", role), h("div", { class: "field" }, submit));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!name.value.trim()) { name.setAttribute("aria-invalid", "true"); name.focus(); clear(out, h("div", { class: "field-error" }, "Name the key after what will use it.")); return; }
    submit.disabled = true;
    try {
      const created = await api.post("/keys", { name: name.value.trim(), role: role.value });
      await refresh();
      clear(out, secretBox(`Key “${created.name}” (${created.role}):`, created.key,
        h("p", { class: "small" }, "Shown once. Store it where the script reads its secrets."), "new-key"));
    } catch (err) {
      clear(out, errorBox(err));
    } finally {
      submit.disabled = false;
    }
  });
  const revokeButton = (k) => {
    if (k.revoked_at) return null;
    const b = h("button", { class: "btn btn-secondary btn-sm", type: "button", "aria-label": `Revoke key ${k.name || k.prefix}` }, "Revoke");
    b.addEventListener("click", () => {
      if (b.dataset.armed !== "1") { // a second click confirms: revoking cannot be undone
        b.dataset.armed = "1";
        b.textContent = "Click again to revoke";
        return;
      }
      act(() => api.del(`/keys/${k.id}`), () => { toast(`Key ${k.name || k.prefix} revoked.`, "success"); refresh(); }, (err) => clear(out, errorBox(err)));
    });
    return b;
  };
  const columns = [
    { label: "Name", rowHeader: true, value: (k) => k.name || "—" },
    { label: "Key", value: (k) => h("code", {}, `${k.prefix}…`) },
    { label: "Role", value: (k) => fmt.label(k.role) },
    { label: "Created", value: (k) => h("div", {}, fmt.datetime(k.created_at), k.created_by_label ? h("div", { class: "cell-sub" }, `by ${k.created_by_label}`) : null) },
    { label: "Last used", value: (k) => fmt.datetime(k.last_used_at) },
    { label: "State", value: (k) => (k.revoked_at ? badge(`Revoked ${fmt.date(k.revoked_at)}`, "danger") : badge("Active", "success")) },
    { label: "", srLabel: "Actions", value: revokeButton },
  ];
  return h("section", { class: "card", "aria-labelledby": "team-keys", "data-testid": "team-keys" },
    h("div", { class: "card-head" }, h("h2", { id: "team-keys" }, "API keys")),
    h("p", { class: "muted small" }, "For scripts and other tools (Authorization: Bearer pfk_…). People sign in with their e-mail instead."),
    form, out,
    keys.length ? table({ columns, rows: keys, caption: "API keys: role, use and state" }) : h("p", {}, "No keys yet."));
}

export async function render({ root, isCurrent }) {
  const page = h("div", { class: "page" });
  const usersOut = h("div", { "aria-live": "polite" });
  const keysOut = h("div", { "aria-live": "polite" });
  const users = h("div", {});
  const keys = h("div", {});
  const loadUsers = async () => {
    try {
      const rows = itemsOf(await api.get("/users"));
      if (isCurrent()) clear(users, usersSection(rows, loadUsers, usersOut));
    } catch (err) {
      if (!isCurrent()) return;
      if (err.code === "not_configured") { // no user pool in this deployment: keys are the only way in
        clear(users, h("section", { class: "card", "aria-labelledby": "team-users", "data-testid": "team-users" },
          h("h2", { id: "team-users" }, "People"),
          h("div", { class: "alert alert-info", role: "status" }, h("strong", {}, "No user pool is configured"),
            "This deployment has no Cognito user pool (PF_COGNITO_USER_POOL_ID), so no one signs in with an e-mail: use API keys.")));
      } else {
        clear(users, errorBox(err, loadUsers));
      }
    }
  };
  const loadKeys = async () => {
    const rows = itemsOf(await api.get("/keys"));
    if (isCurrent()) clear(keys, keysSection(rows, loadKeys, keysOut));
  };
  await Promise.all([loadUsers(), loadKeys()]);
  clear(root, clear(page,
    h("div", { class: "page-head" }, h("h1", {}, "Team")),
    users, keys));
}
