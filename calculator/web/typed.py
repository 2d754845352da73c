"""Amounts and dates as people type them (the calculator's form) or paste them (the import):
read into the contract's plain forms ("1200.50", "2024-03-05"), or said to be ambiguous.

One set of rules for both, so that a figure typed on the page and the same figure in an
imported file are read alike. The contract (the API, a request file) stays strict: a system
sends "1200.50"; a person types "１,２００．５ 元" or "1200。5" (a Chinese IME's full stop).

Never a guess: a space or comma inside an amount is read only as a thousands separator
(groups of exactly three digits before any decimal point): "1 234.50" is 1234.50, but
"120 30" (two figures, or a typo) is refused, not read as 12030.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext

# The IME's ideographic full stop typed for a decimal point ("1234。50", "2024。3。5").
_FULL_STOP = str.maketrans({"。": ".", "｡": "."})
# ASCII digits only (NFKC has made full-width ones ASCII): "١٢٣" is no amount here either.
_GROUPED_COMMA = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?$")
_GROUPED_SPACE = re.compile(r"^[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]*)?$")
_SPACES = re.compile(r"\s+")
_NUMBER_CHARACTERS = frozenset("0123456789., +-")  # what an amount with separators (and a sign) is made of

# A time after the date, as a settlement slip or a hospital system's export gives it
# (结算时间 "2024-03-05 10:30:00", "2024/3/5 10:30", ISO's "2024-03-05T10:30"): the day is the
# date. Part of the anchored patterns (a time on its own, or an impossible one, is no date), so
# matching stays linear however long the text.
_TIME = r"(?:(?:\s+|T)(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?)?"
_LOOSE_DATE = re.compile(r"^([0-9]{4})\s*[./年-]\s*([0-9]{1,2})\s*[./月-]\s*([0-9]{1,2})(?:\s*[日号])?" + _TIME + "$")
_COMPACT_DATE = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})" + _TIME + "$")


def text(value: Any) -> str:
    """A field as typed: full-width forms made plain (NFKC), outer spaces removed."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def amount(value: Any) -> tuple[str, str | None]:
    """(the amount as plain digits, None) or (the text, the problem: "comma" or "space").
    Full-width digits, "¥"/"元", a full stop for the decimal point and thousands separators
    (commas or spaces in groups of three) are read; anything else is left for the contract to
    refuse ("abc" → "必须是金额")."""
    typed = _SPACES.sub(" ", text(value).translate(_FULL_STOP))
    typed = typed.removesuffix("元").strip().removeprefix("¥").strip()
    if not _NUMBER_CHARACTERS.issuperset(typed):
        # A letter or sign among the digits ("12,5O0": O for 0): not a separator's fault; the
        # contract says it is no amount (naming the comma would send the member to the wrong place).
        return typed, None
    if " " in typed:
        if not _GROUPED_SPACE.match(typed):
            return typed, "space"
        typed = typed.replace(" ", "")
    if "," in typed:
        if not _GROUPED_COMMA.match(typed):
            return typed, "comma"
        typed = typed.replace(",", "")
    return typed, None


def date(value: Any) -> str:
    """"2024/3/1", "2024年3月1日", "2024。3。1", "20240301", "2024-03-01 10:30" → "2024-03-01";
    anything else as typed (the contract names what is wrong with it)."""
    typed = text(value).translate(_FULL_STOP)
    match = _LOOSE_DATE.match(typed) or _COMPACT_DATE.match(typed)
    if match:
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return typed


def problem_message(problem: str, label: Any, value: Any) -> str:
    """What ``amount`` found wrong, said as the form says it beside the field."""
    if problem == "comma":
        return gettext(
            "%(label)s“%(value)s”里的逗号用法不对：逗号只能作千位分隔（每三位一个，例如 1,200 或 "
            "12,345.60），小数点请用“.”。"
        ) % {"label": label, "value": text(value)}
    return gettext("%(label)s“%(value)s”中间有空格：请只填一个金额，例如 1200.50。") % {"label": label, "value": text(value)}
