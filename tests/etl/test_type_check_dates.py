"""The date checks of the set-based path (etl_jobs.type_checks) against Python's calendar: every day of
2000–2028 and every impossible day 29–31 of those months, as a date and as a timestamp cell (issue 16.8
replaced make_date + interval per cell by text comparisons)."""

from __future__ import annotations

import datetime as dt

import pytest

from etl_jobs.type_checks import EARLIEST_DATE, cell_check


def _candidates() -> list[str]:
    return [f"{y:04d}-{m:02d}-{d:02d}" for y in (1999, *range(2000, 2029)) for m in range(1, 13) for d in range(1, 32)]


def _expected(text: str, tomorrow: dt.date, days_ahead: int) -> str | None:
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return "not a real calendar day"
    last = tomorrow + dt.timedelta(days=days_ahead - 1)
    return None if dt.date.fromisoformat(EARLIEST_DATE) <= day <= last else "out of range"


@pytest.mark.parametrize(("type_", "suffix", "days_ahead"), [
    ("date", "", 1), ("timestamp", "T10:00:00Z", 1), ("plan_date", "", 3653)])
def test_calendar_days_and_range(db, type_, suffix, days_ahead):
    values = [d + suffix for d in _candidates()]
    with db.connect() as conn:
        today = conn.exec_driver_sql("SELECT current_date").scalar_one()
        got = dict(conn.exec_driver_sql(
            f"SELECT v, {cell_check('day', type_, True, 'v')} FROM unnest(%s::text[]) v",  # noqa: S608 - generated check
            ("{" + ",".join(values) + "}",)).all())
    tomorrow = today + dt.timedelta(days=1)
    wrong = {}
    for v in values:
        want, have = _expected(v, tomorrow, days_ahead), got[v]
        if (have and "out of range" in have and want == "out of range") or have == want:
            continue
        wrong[v] = (want, have)
    assert not wrong, dict(list(wrong.items())[:10])
    assert (got["2024-02-29" + suffix], got["2000-02-29" + suffix]) == (None, None)  # leap years (2000: by 400)
    assert {got[d + suffix] for d in ("2023-02-29", "2024-02-30", "2026-04-31", "2026-11-31")} == {"not a real calendar day"}
