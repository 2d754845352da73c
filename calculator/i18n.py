"""The edge's translation function for the engine's sentences (Django's gettext).

The engine and its templates (``messages.py``) stay free of Django; the web page, the API
and the command pass one of these to ``report.to_json``. Chinese needs no lookup: the
templates are Chinese already.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils import translation

from calculator.rules.messages import Translate, identity

_RULES_LOCALE = Path(__file__).resolve().parent / "rules" / "locale"
# A bracketed gloss made only of Chinese characters and punctuation: " (医保年度)", "（住院）".
_GLOSS = re.compile(r"\s*[（(][\u3400-\u9fff\u3000-\u303f\uff00-\uffef·、/+\s]+[)）]")


def strip_glosses(text: str) -> str:
    """English text without the site's bracketed Chinese glosses ("Paid in cash (个人现金支付)"
    → "Paid in cash"), for programs reading an English answer."""
    return _GLOSS.sub("", text)


def translate_for(lang: str | None) -> Translate:
    """The translation function for a language code ("en", "zh-hans")."""
    if not lang or lang.lower().startswith("zh"):
        return identity
    return translation.trans_real.translation(lang).gettext


@lru_cache(maxsize=8)
def plain_translate_for(lang: str | None) -> Translate:
    """For the JSON API and the command: the engine's own English (``calculator/rules/locale``)
    before the site's. The site's catalog glosses the settlement slip's terms for people
    holding a Chinese slip ("Deductible (起付标准)"); a program reading the answer gets the
    plain English term, and an English answer carries no Chinese but the documents' own words
    (titles, quotes, 文号). Texts the engine's catalog lacks come from the site's, without its
    glosses. One function per language, so the renderers made for it are kept."""
    if not lang or lang.lower().startswith("zh"):
        return identity
    site = translation.trans_real.translation(lang).gettext
    own = gettext_module.translation("django", localedir=str(_RULES_LOCALE), languages=[lang], fallback=True)
    catalog: dict[Any, str] = getattr(own, "_catalog", {})

    def translate(text: str) -> str:
        own_text = catalog.get(text)
        if own_text:
            return own_text
        # The site's English, without its bracketed Chinese glosses ("Wuhan (武汉市)").
        shown = site(text)
        return strip_glosses(shown) if shown is not text else shown

    return translate


def edge_translate() -> Translate:
    """For the active language of the request being served."""
    return translate_for(translation.get_language())
