"""Serves frontend_static/ plus a `config.js` that tells the site where the API is.

config.js is generated per stack and served from memory, so the source tree is never written and two
stacks on different ports never point each other's site at the wrong API. (In AWS the deployment writes
config.js into the site bucket.)"""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def config_js(api_url: str) -> bytes:
    return f"window.PREDICTFLUENCE_CONFIG = {json.dumps({'apiUrl': api_url})};\n".encode()


class _SiteHandler(SimpleHTTPRequestHandler):
    config_body: bytes = b""

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
    def __init__(self, site_dir: Path, host: str, port: int, api_url: str) -> None:
        handler_cls = type("SiteHandler", (_SiteHandler,), {"config_body": config_js(api_url)})
        handler = functools.partial(handler_cls, directory=str(site_dir))
        self.server = ThreadingHTTPServer((host, port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="static-site", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
