"""Fen as text: the contract's two-decimal string ("1200.00") and a sentence's yuan ("1,200").

A module of its own so that the engine's compiled build compiles it (scripts/build_engine.py):
a result formats some twenty amounts a visit. Both remember what they made (a result repeats
its standards, caps and running totals); the texts are built from ready parts, not by
int.__format__ parsing a format spec for every amount a request has not met before.
"""

from __future__ import annotations

from typing import Any, Final

# How many texts each remembers: on reaching it, it starts again. Bounded (a long-running
# worker would otherwise hold 200,000 texts, some 20 MB, or stop learning once full); the
# standing amounts (caps, standards, 0.00) are back after a few visits. Measured on requests
# not met before: the bench's times the same for 8,192 and 200,000; instructions 1 % fewer
# at 65,536 than here (about 2 MB a cache at 16,384, four times that at 65,536).
# Final: compiled, a module-level name is otherwise looked up in the module's dict at every use
# (two look-ups an amount); a Final one is a C static.
_REMEMBERED: Final = 16_384
_YUAN_TEXT: Final[dict[int, str]] = {}
_MONEY_TEXT: Final[dict[int, str]] = {}
# Amounts under 1,000 元 (most of a visit's): by position in a list, no hashing and no int
# object made to look one up (800 KB of slots a list, filled as amounts are met; at most
# 100,000 texts, some 6 MB, a list; the dicts hold the rest, bounded as above).
_BELOW: Final = 100_000
_MONEY_BELOW: Final[list[str | None]] = [None] * _BELOW
_YUAN_BELOW: Final[list[str | None]] = [None] * _BELOW
_CENTS: Final = tuple(f".{cents:02d}" for cents in range(100))
_THOUSANDS: Final = tuple(f",{part:03d}" for part in range(1000))
# Whole yuan under 1,000 and three-digit groups as ready texts: a text not yet made is then
# joined from parts, not converted from an int.
_WHOLE: Final = tuple(str(whole) for whole in range(1000))
_PADDED: Final = tuple(f"{part:03d}" for part in range(1000))


# yuan and money spell out the same list look-up: it is the hot path (some twenty amounts a
# visit), where a shared helper taking the list and the maker would be a call more an amount.
def yuan(fen: int) -> str:
    """Fen as yuan for a sentence: 120000 → "1,200", 18050 → "180.50"."""
    if 0 <= fen < _BELOW:
        text = _YUAN_BELOW[fen]
        if text is None:
            text = _YUAN_BELOW[fen] = _yuan_text(fen)
        return text
    # A text remembered from an earlier amount, or made (a direct call: through a Callable
    # passed in, it was a generic call an amount) and remembered. The int is boxed once, as the
    # key of both look-ups (typed Any: compiled, an int would be boxed again for each).
    key: Any = fen
    text = _YUAN_TEXT.get(key)
    return text if text is not None else _kept(_YUAN_TEXT, key, _yuan_text(fen))


def _kept(texts: dict[int, str], key: Any, text: str) -> str:
    """``text`` remembered under ``key``; the dict starts afresh when full."""
    if len(texts) >= _REMEMBERED:
        texts.clear()
    texts[key] = text
    return text


def _yuan_text(fen: int) -> str:
    # // and % (not divmod): compiled, a machine-integer operation each; divmod is a generic
    # call that makes two int objects and a tuple.
    size = abs(fen)
    whole = size // 100
    cents = size % 100
    # Joined in one f-string (compiled: one new string, where each + made one).
    if whole < 1000:
        if not cents:
            text = _WHOLE[whole]
        else:
            text = f"{_WHOLE[whole]}{_CENTS[cents]}"
    elif whole < 1_000_000:
        text = f"{_WHOLE[whole // 1000]}{_THOUSANDS[whole % 1000]}{_CENTS[cents] if cents else ''}"
    else:
        text = f"{whole:,}{_CENTS[cents] if cents else ''}"
    return "-" + text if fen < 0 else text


def money(fen: int) -> str:
    """Fen as the contract's two-decimal string: 120000 → "1200.00". A result repeats the
    same few amounts (standards, caps, running totals), so the strings are remembered."""
    if 0 <= fen < _BELOW:
        text = _MONEY_BELOW[fen]
        if text is None:
            text = _MONEY_BELOW[fen] = _money_text(fen)
        return text
    key: Any = fen  # as in yuan
    text = _MONEY_TEXT.get(key)
    return text if text is not None else _kept(_MONEY_TEXT, key, _money_text(fen))


def _money_text(fen: int) -> str:
    size = abs(fen)  # // and %: see _yuan_text
    whole = size // 100
    cents = size % 100
    if whole < 1000:
        text = f"{_WHOLE[whole]}{_CENTS[cents]}"
    elif whole < 1_000_000:
        text = f"{_WHOLE[whole // 1000]}{_PADDED[whole % 1000]}{_CENTS[cents]}"
    else:
        text = f"{whole}{_CENTS[cents]}"
    return "-" + text if fen < 0 else text
