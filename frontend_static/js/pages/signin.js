import { api, apiUrl, auth, configMissing, setApiUrl } from "../api.js";
import { navigate } from "../router.js";
import { clear, errorBox, field, h } from "../ui.js";

export const title = "Sign in";

export async function render({ root, query }) {
  const keyInput = h("input", { type: "password", name: "api_key", autocomplete: "current-password", required: true, placeholder: "pf_…" });
  const urlInput = configMissing() ? h("input", { type: "url", name: "api_url", required: true, placeholder: "https://…/api", value: apiUrl() }) : null;
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { class: "btn", type: "submit" }, "Sign in");
  const form = h("form", { novalidate: true },
    urlInput ? field("API address", urlInput, { hint: "config.js is missing, so type the API's base URL." }) : null,
    field("API key", keyInput, { hint: "Ask an admin for a key: predictfluence keys create --role manager" }),
    status,
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(status);
    if (urlInput) {
      if (!urlInput.value.trim()) { clear(status, h("div", { class: "field-error" }, "Enter the API address.")); urlInput.focus(); return; }
      setApiUrl(urlInput.value);
    }
    if (!keyInput.value.trim()) {
      keyInput.setAttribute("aria-invalid", "true");
      clear(status, h("div", { class: "field-error" }, "Enter your API key."));
      keyInput.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Checking…";
    auth.set(keyInput.value);
    try {
      await api.get("/analytics/kpis", undefined, { silent401: true });
      navigate(query.next && query.next !== "/signin" ? query.next.split("?")[0] : "/", Object.fromEntries(new URLSearchParams((query.next || "").split("?")[1] || "")));
    } catch (err) {
      auth.clear();
      if (err.status === 401 || err.status === 403) {
        clear(status, h("div", { class: "alert alert-error", role: "alert" }, h("strong", {}, "That key was not accepted"), "Check the key and try again."));
      } else {
        clear(status, errorBox(err));
      }
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });
  clear(root, h("div", { class: "signin" },
    h("div", { class: "card" },
      h("div", {}, h("h1", {}, "Sign in to Predictfluence"), h("p", { class: "muted", style: "margin:6px 0 0" }, "Micro-influencer analytics for your campaigns.")),
      configMissing() ? h("div", { class: "alert alert-warning", role: "alert" },
        h("strong", {}, "config.js is missing"),
        "This site was deployed without its configuration. Copy ", h("code", {}, "config.example.js"), " to ", h("code", {}, "config.js"),
        " with the API address, or enter the address below for this session.") : null,
      query.expired ? h("div", { class: "alert alert-info" }, "Your session ended. Sign in again to continue.") : null,
      form,
    )));
  (urlInput && !urlInput.value ? urlInput : keyInput).focus();
}
