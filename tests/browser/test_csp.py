"""The site is served under the Content-Security-Policy that CloudFront sends in AWS (issue 10.10), so every
browser test in this package also proves the site needs no inline script and talks only to its API and S3."""

from __future__ import annotations

import re
import urllib.request

from predictfluence_tools.devstack.web import site_csp


def test_the_site_is_served_under_the_templates_policy(stack):
    with urllib.request.urlopen(stack.web_url, timeout=10) as response:
        csp = response.headers["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"].split()[0] == stack.api_url
    assert csp == site_csp(directives["connect-src"].split())


def test_index_html_has_no_inline_handler_or_script():
    from tests.browser.conftest import SITE

    html = (SITE / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<[^>]*\son[a-z]+\s*=", html, re.IGNORECASE) is None  # onclick=, onerror=, …
    for tag in html.lower().split("<script")[1:]:
        assert "src=" in tag.split(">", 1)[0], "an inline <script> would be blocked by script-src 'self'"
