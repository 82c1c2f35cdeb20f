"""The site and the API docs page do what the CloudFront CSP (infra/resources.json) expects of them: no
inline event handlers in index.html (`script-src 'self'` blocks them), and Swagger UI does not keep the
API key in localStorage (`persistAuthorization`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        self.handlers += [f"<{tag} {k}=...>" for k in names if k.lower().startswith("on")]
        self.handlers += [f"<{tag} {k}=javascript:...>" for k, v in names.items()
                          if v and v.strip().lower().startswith("javascript:")]
        self._in_inline_script = tag == "script" and "src" not in names

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.inline_scripts.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def test_index_html_has_no_inline_handlers_or_scripts():
    collector = _Collector()
    collector.feed((ROOT / "frontend_static" / "index.html").read_text(encoding="utf-8"))
    assert collector.handlers == [], collector.handlers
    assert collector.inline_scripts == [], collector.inline_scripts


def test_site_javascript_sets_no_inline_handler_attributes():
    """ui.js's h() turns on* functions into addEventListener; a string handler would be an inline one."""
    offenders = []
    for path in sorted((ROOT / "frontend_static" / "js").rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"""setAttribute\(\s*["']on\w+""", text)]
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"""\bon\w+\s*:\s*["'`]""", text)]
    assert offenders == []


def test_swagger_ui_does_not_persist_the_api_key():
    from predictfluence.api import docs

    assert "persistAuthorization" not in docs.PAGE
    assert "SwaggerUIBundle(" in docs.PAGE
