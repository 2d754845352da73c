"""Explanation templates, compiled once at load time into plain string builders.

A template such as ``"{year_label}起付标准 {standard} 元"`` becomes the equivalent of
``lambda year_label=None, standard=None, …: year_label + "起付标准 " + yuan(standard) + " 元"``:
rendering a result's thousands of sentences then costs a call and a few concatenations each
instead of a ``str.format`` call with Decimal formatting. Placeholders named in ``TEXT_FIELDS`` take a
ready string; every other placeholder is money and is shown in yuan ("700", "180.50").
"""

from __future__ import annotations

import string
from collections.abc import Callable
from decimal import Decimal

TEXT_FIELDS = frozenset(
    {"year_label", "level_name", "group_name", "ratio", "rate", "class_name", "retired_on", "start", "count"}
)


def yuan(amount: Decimal | str) -> str:
    """Money in an explanation: "700" for 700.00, "180.50" otherwise. Engine money is
    always in fen already (two decimals), so no rounding happens here."""
    return str(amount).removesuffix(".00")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def compile_template(template: str, names: set[str] | frozenset[str] = frozenset()) -> Callable[..., str]:
    """Compile a template into a function taking its figures as keyword arguments.

    ``names`` are all the placeholders the parameter allows (the engine may pass any of
    them); the function concatenates the literal text with the ones this template uses."""
    parts: list[str] = []
    used: set[str] = set()
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(repr(literal))
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"placeholder {{{name}}} must be a plain name, without format or conversion")
        used.add(name)
        # Money: str() of a fen amount, "700.00" shown as "700" (a C call, no Python frame).
        parts.append(name if name in TEXT_FIELDS else f"str({name}).removesuffix('.00')")
    params = ", ".join(f"{n}=None" for n in sorted(set(names) | used))
    source = f"lambda {params}: " + (" + ".join(parts) if parts else "''")
    # The source is built only from repr() literals and identifier placeholders.
    return eval(source, {"__builtins__": {"str": str}})  # noqa: S307
