"""Serves frontend_static/ plus a `config.js` that tells the site where the API is, under the
Content-Security-Policy the site gets from CloudFront in AWS (`site_csp`).

config.js is generated per stack and served from memory, so the source tree is never written and two
stacks on different ports never point each other's site at the wrong API. (In AWS the deployment writes
config.js into the site bucket.)"""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from predictfluence.config import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "infra" / "resources.json"


def config_js(api_url: str) -> bytes:
    return f"window.PREDICTFLUENCE_CONFIG = {json.dumps({'apiUrl': api_url})};\n".encode()


def site_csp(connect_src: list[str]) -> str:
    """The Content-Security-Policy CloudFront sends with the site (infra/resources.json, the response
    headers policy), with `connect-src` naming the local API and S3 endpoint instead of AWS's hosts, so
    the site runs locally under the policy it gets in AWS."""

    def find(node: object) -> str | None:
        if isinstance(node, dict):
            csp = node.get("ContentSecurityPolicy")
            if isinstance(csp, dict) and isinstance(csp.get("ContentSecurityPolicy"), dict):
                return csp["ContentSecurityPolicy"]["Fn::Sub"]
            node = list(node.values())
        if isinstance(node, list):
            return next((found for child in node if (found := find(child)) is not None), None)
        return None

    policy = find(json.loads(TEMPLATE.read_text(encoding="utf-8")))
    if policy is None:
        raise LookupError(f"no ContentSecurityPolicy in {TEMPLATE}")
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    return "; ".join(f"connect-src {' '.join(connect_src)}" if d.startswith("connect-src ") else d
                     for d in directives)


class _SiteHandler(SimpleHTTPRequestHandler):
    config_body: bytes = b""
    csp: str = ""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?", 1)[0] == "/config.js":
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(self.config_body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(self.config_body)
            return
        super().do_GET()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature from the base class
        pass


class StaticSite:
    def __init__(self, site_dir: Path, host: str, port: int, api_url: str, s3_url: str) -> None:
        handler_cls = type("SiteHandler", (_SiteHandler,), {"config_body": config_js(api_url),
                                                            "csp": site_csp([api_url, s3_url])})
        handler = functools.partial(handler_cls, directory=str(site_dir))
        self.server = ThreadingHTTPServer((host, port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="static-site", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
