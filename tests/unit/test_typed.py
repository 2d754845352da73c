"""calculator/web/typed.py: amounts and dates as people type them, read by the form, the import
and the command's person options alike (never guessed; in linear time)."""

from __future__ import annotations

import time

import pytest

from calculator.web import typed


@pytest.mark.parametrize(
    "value, expected",
    [
        ("１,２００．５ 元", ("1200.5", None)),  # full-width, 元
        ("¥ 1,200", ("1200", None)),
        ("1234。50", ("1234.50", None)),  # an input method's 。 for the point
        ("1 234.50", ("1234.50", None)),  # spaces grouping thousands
        ("120 30", ("120 30", "space")),  # two figures or a typo: never 12030
        ("120.50 30", ("120.50 30", "space")),
        ("1,2", ("1,2", "comma")),
        ("-5", ("-5", None)),  # the contract says 不能为负数
        ("١٢٣", ("١٢٣", None)),  # not ASCII digits: the contract says 必须是金额
        ("12,5O0", ("12,5O0", None)),  # a letter O for 0: the contract says 必须是金额, not the comma's fault
        ("1 2OO", ("1 2OO", None)),  # nor the space's
    ],
)
def test_amounts_as_typed(value, expected):
    assert typed.amount(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-03-05 10:30:00", "2024-03-05"),  # a slip's 结算时间 after the date
        ("2024/3/5 9:05", "2024-03-05"),
        ("2024-03-05T10:30", "2024-03-05"),
        ("2024年3月5号", "2024-03-05"),
        ("2024。3。5", "2024-03-05"),
        ("20240305 10:30", "2024-03-05"),
        ("2024-03-05 25:99", "2024-03-05 25:99"),  # an impossible time: not a date, as typed
        ("T10:30", "T10:30"),  # a time alone is no date (it was read as "")
        ("3/5/2024 10:30", "3/5/2024 10:30"),  # month-first is not guessed
    ],
)
def test_dates_as_typed(value, expected):
    assert typed.date(value) == expected


@pytest.mark.parametrize("value", ["2024-03-05" + " " * 200_000 + "x", "1" + " " * 200_000 + "1", "2024" + " " * 100_000 + "-" + " " * 100_000 + "x"])
def test_long_runs_of_spaces_are_read_in_linear_time(value):
    # A time pattern tried at every space of a 200,000-space run held a worker for minutes.
    started = time.monotonic()
    typed.date(value)
    typed.amount(value)
    assert time.monotonic() - started < 1
