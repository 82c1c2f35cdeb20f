"""Every value form the profiles kind accepts (etl_jobs.values): exact results, clear errors."""

from __future__ import annotations

import datetime as dt

import pytest

from etl_jobs import values as val
from etl_jobs.report import neutralise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("475.8m", 475_800_000),
        ("3.3k", 3_300),
        ("29.0b", 29_000_000_000),
        ("22.2M", 22_200_000),
        ("221.7K", 221_700),
        ("1,234", 1_234),
        ("1,234,567", 1_234_567),
        ("0.89k", 890),
        ("0.01k", 10),
        ("1.2bn", 1_200_000_000),
        ("12 345", 12_345),
        ("12\u00a0345", 12_345),
        (" 42 ", 42),
        ("0", 0),
        ("1.2345k", 1_235),
        ("2.5 M", 2_500_000),
        ("1000.0", 1000),
    ],
)
def test_parse_count_forms(raw: str, expected: int) -> None:
    assert val.parse_count(raw) == expected


@pytest.mark.parametrize("raw", ["", "unknown", "Unknown", "N/A", "n/a", "-", "null", "NULL", "none", "  "])
def test_null_tokens(raw: str) -> None:
    assert val.parse_count(raw) is None
    assert val.parse_rate(raw) is None
    assert val.parse_text(raw) is None
    assert val.is_null(raw)


def test_na_is_not_a_null_token_for_text() -> None:
    assert val.parse_text("NA") == "NA"  # Namibia


@pytest.mark.parametrize(
    "raw", ["#VALUE!", "#N/A", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#value!"]
)
def test_spreadsheet_errors_are_empty(raw: str) -> None:
    assert val.spreadsheet_error(raw) == raw.upper()
    assert val.parse_count(raw) is None
    assert val.parse_amount(raw) is None
    assert val.parse_rate(raw) is None
    assert val.parse_text(raw) is None


def test_not_spreadsheet_error() -> None:
    assert val.spreadsheet_error("#fitness") is None
    assert val.parse_text("#fitness") == "#fitness"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("lots", "not a number: 'lots'"),
        ("-5", "negative count '-5'"),
        ("12.5", "not a whole number: '12.5'"),
        ("3.3x", "unknown suffix 'x' in '3.3x' (expected k, m or b)"),
        ("1,5", "ambiguous number '1,5': commas must group thousands (1,234)"),
        ("1,23,4", "ambiguous number '1,23,4': commas must group thousands (1,234)"),
    ],
)
def test_parse_count_errors(raw: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        val.parse_count(raw)
    assert str(exc.value) == message


def test_parse_count_scale() -> None:
    assert val.parse_count("22.2", scale=1_000_000) == 22_200_000
    assert val.parse_count("0.5", scale=1_000) == 500


def test_parse_amount_keeps_fractions() -> None:
    assert val.parse_amount("8.7m") == 8_700_000.0
    assert val.parse_amount("12.5") == 12.5
    assert val.parse_amount("665.3k") == 665_300.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.39%", 0.0139),
        ("0.20%", 0.002),
        ("0%", 0.0),
        ("100%", 1.0),
        ("1.39", 0.0139),  # bare > 1: percent
        ("4.5", 0.045),
        ("0.0139", 0.0139),  # bare <= 1: already a fraction
        ("1", 1.0),
        (" 3.2 % ", 0.032),
    ],
)
def test_parse_rate(raw: str, expected: float) -> None:
    assert val.parse_rate(raw) == expected


def test_parse_rate_percent_header() -> None:
    assert val.parse_rate("0.89", percent=True) == 0.0089
    assert val.parse_rate("0.89%", percent=True) == 0.0089


@pytest.mark.parametrize(
    ("raw", "message"),
    [("150%", "rate above 100%: '150%'"), ("-1%", "negative rate '-1%'"), ("high", "not a number: 'high'")],
)
def test_parse_rate_errors(raw: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        val.parse_rate(raw)
    assert str(exc.value) == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-10-01", dt.date(2026, 10, 1)),
        ("2026/10/01", dt.date(2026, 10, 1)),
        ("2026-10-01T08:30:00Z", dt.date(2026, 10, 1)),
        ("2026-10-01 08:30", dt.date(2026, 10, 1)),
        ("1 Oct 2026", dt.date(2026, 10, 1)),
        ("October 1, 2026", dt.date(2026, 10, 1)),
    ],
)
def test_parse_date(raw: str, expected: dt.date) -> None:
    assert val.parse_date(raw) == expected


def test_parse_date_rejects_ambiguous() -> None:
    with pytest.raises(ValueError, match="not a date: '01/02/2026'"):
        val.parse_date("01/02/2026")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CÃ´te d'Ivoire", "Côte d'Ivoire"),
        ("SÃ£o Paulo", "São Paulo"),
        ("BeyoncÃ©", "Beyoncé"),
        ("donâ€™t", "don\u2019t"),
        ("Łódź".encode().decode("latin-1"), "Łódź"),  # Å + U+0081: a byte cp1252 leaves undefined
        ("CÃƒÂ´te", "Côte"),  # encoded twice
    ],
)
def test_mojibake_repaired(raw: str, expected: str) -> None:
    assert val.repair_mojibake(raw) == expected
    assert val.parse_text(raw) == expected


@pytest.mark.parametrize(
    "raw", ["Côte d'Ivoire", "São Paulo", "SÃO PAULO", "Åland", "Ñandú", "plain ascii", "Ãrea 51", "Zürich"]
)
def test_correct_text_left_alone(raw: str) -> None:
    assert val.repair_mojibake(raw) == raw


def test_parse_text_collapses_whitespace() -> None:
    assert val.parse_text("  United\u00a0 States ") == "United States"


@pytest.mark.parametrize(
    ("raw", "formula"),
    [
        ('=HYPERLINK("http://x")', True),
        ("+cmd|' /C calc'!A0", True),
        ("@SUM(A1)", True),
        ("-2+3", True),
        ("-5", False),
        ("+3.2", False),
        ("Dance Queen", False),
        ("", False),
    ],
)
def test_formula_detection(raw: str, formula: bool) -> None:
    assert val.looks_like_formula(raw) is formula
    assert neutralise(raw, numbers_are_data=True) == ("'" + raw if formula else raw)
