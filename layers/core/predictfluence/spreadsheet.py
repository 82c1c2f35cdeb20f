"""Spreadsheet safety for CSV cells: which text a spreadsheet would run as a formula, and `neutralise`
(a leading `'`, OWASP's advice against CSV / formula injection). Shared by the ETL's load reports and the
API's CSV exports."""

from __future__ import annotations

import re

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would evaluate the text as a formula (CSV / formula injection).

    Such text is kept as data; exports neutralise it with `neutralise`. Numbers with a sign (``-5``,
    ``+3.2``) are not formulas.
    """
    if not text or not text.startswith(FORMULA_PREFIXES):
        return False
    return not _NUMBER.match(text.strip())


def neutralise(value: str | None, *, numbers_are_data: bool = False) -> str | None:
    """A cell that a spreadsheet would run as a formula gets a leading `'` (CSV/formula injection,
    OWASP's advice).

    Which cells, depends on what the cell is:

    - a **rejected cell in a report** (`numbers_are_data=False`) is the raw text of a value the load
      refused, shown as text: every cell starting with `=`, `+`, `-`, `@`, a tab or CR gets the `'`,
      `-3` included (it was rejected — a negative count — and stays the text the file held);
    - a **loaded value in an export** (`numbers_are_data=True`, e.g. a name the profiles loader flagged
      as formula-like) is data: a signed number (`-5`, `+3.2`) is a number to a spreadsheet, not a
      formula, and keeps its value; formula-looking text (`-2+3`, `=HYPERLINK(…)`) gets the `'`.
    """
    if not value:
        return value
    formula = looks_like_formula(value) if numbers_are_data else value.startswith(FORMULA_PREFIXES)
    return "'" + value if formula else value
