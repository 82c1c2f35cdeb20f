"""axe-core accessibility checks for the browser tests.

axe-core is a dev dependency of the site (frontend_static/package.json; `make install` runs `npm ci`), never
served: the tests inject it through the DevTools protocol, which the site's CSP does not govern. Missing, it
skips a test locally and fails it in CI (tests/_require.py).
"""

from __future__ import annotations

from typing import Any

from tests._require import require
from tests.browser.conftest import ROOT

AXE = ROOT / "frontend_static" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any, selector: str, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe-core's violations inside `selector` (minus the `exclude` selectors): id, impact and the nodes."""
    require(AXE.exists(), f"axe-core is not installed ({AXE}): make install (npm ci in frontend_static)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "async ([sel, exclude]) => (await axe.run({include: [sel], exclude})).violations"
        ".map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' '))}))",
        [selector, list(exclude)],
    )
