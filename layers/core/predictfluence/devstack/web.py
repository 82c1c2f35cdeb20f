"""Serves frontend_static/ and the generated config.js that tells the site where the API is."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature from the base class
        pass


def write_config_js(site_dir: Path, api_url: str) -> Path:
    path = site_dir / "config.js"
    path.write_text(f"window.PREDICTFLUENCE_CONFIG = {json.dumps({'apiUrl': api_url})};\n", encoding="utf-8")
    return path


class StaticSite:
    def __init__(self, site_dir: Path, host: str, port: int) -> None:
        handler = functools.partial(_QuietHandler, directory=str(site_dir))
        self.server = ThreadingHTTPServer((host, port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="static-site", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
