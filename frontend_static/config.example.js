// Copy to config.js (gitignored) or let `make run` / the deploy step generate it.
// apiUrl: the API's base URL without a trailing slash (API Gateway stage URL in AWS,
// Chalice's local server locally).
window.PREDICTFLUENCE_CONFIG = {
  apiUrl: "http://127.0.0.1:8000",
};
