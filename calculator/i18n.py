"""The edge's translation function for the engine's sentences (Django's gettext).

The engine and its templates (``messages.py``) stay free of Django; the web page, the API
and the command pass one of these to ``report.to_json``. Chinese needs no lookup: the
templates are Chinese already.
"""

from __future__ import annotations

from django.utils import translation

from calculator.rules.messages import Translate, identity


def translate_for(lang: str | None) -> Translate:
    """The translation function for a language code ("en", "zh-hans")."""
    if not lang or lang.lower().startswith("zh"):
        return identity
    return translation.trans_real.translation(lang).gettext


def edge_translate() -> Translate:
    """For the active language of the request being served."""
    return translate_for(translation.get_language())
