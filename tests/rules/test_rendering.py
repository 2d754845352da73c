"""Rendered text over every golden case request, in Chinese and in English.

Only the requests of ``tests/rules/cases/*.yaml`` are used, never their expectations (those
are checked by ``test_golden_cases.py``). For each request:

* in English (``"lang": "en"``, Django's gettext at the edge), no step explanation or label,
  warning, personal-account explanation, year label or region name says anything in Chinese
  (a bracketed Chinese gloss after an English term, "Deductible (起付标准)", and a document's
  official number, "晋医保发〔2022〕12号", are allowed: the project's catalog uses both);
* in Chinese and in English, every number a step's sentence quotes is one of that step's own
  figures (its ``params``, its ``amount`` and its visit's benefit ``year``), as the sentence
  formats it: money "1200.50" as "1,200.50", a rate
  "0.85" as "85%", dates, months, years and counts as they are; the personal account's
  explanation likewise quotes only its own figures;
* every (code, variant) the cases produce renders in both languages; the templates of
  ``messages.STEPS`` that no case produces are reported, and there may be only a few.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils.translation import trans_real

from calculator.rules import messages as T
from calculator.rules.contract import run_contract
from tests.trace import step_variants

CASES_DIR = Path(__file__).parent / "cases"
CJK = re.compile(r"[\u3400-\u9fff]")
# A Chinese gloss in parentheses after its English words. (A 文号 such as 晋医保发〔2022〕12号 is
# no longer allowed: an English notice names the document in English.)
GLOSS = re.compile(r"\s*[（(][\u3400-\u9fff\u3000-\u303f\uff00-\uffef·、/\s]+[)）]")
NUMBER = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}-\d{2}(?![\d-])|\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?")
# How many STEPS templates the golden cases may leave unexercised. Four of them no data can
# produce today: benefit_year's "*_general" variants with a yearly deductible need a region with
# a 门诊慢性病 pool and an annual general deductible (玉溪's is per visit); they are there so
# that such a region is a data change.
MAX_UNEXERCISED = 8  # 7, and cap_change/lowered_nothing_paid: no document lowers a cap (nor lowered)


def _requests() -> list[Any]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            if "errors" not in case:
                out.append(pytest.param(case["request"], id=f"{path.stem}-{i + 1:02d}"))
    return out


REQUESTS = _requests()


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(repr(value))


def _english(lang: str):
    return trans_real.translation(lang).gettext


def run(request: dict[str, Any], lang: str) -> dict[str, Any]:
    data = {k: v for k, v in request.items() if k != "lang"}
    data["lang"] = lang
    status, body = run_contract(json.dumps(data, default=_json_default), translate_for=_english)
    assert status == 200, body
    return body


def chinese_left(text: str) -> str:
    """The Chinese characters of an English text, outside the allowed glosses."""
    return "".join(CJK.findall(GLOSS.sub("", text)))


# -- the figures a sentence may quote ----------------------------------------------------------
def _yuan(text: str) -> str:
    fen = int((Decimal(text) * 100).to_integral_value())
    return T.yuan(fen)


def _percent(text: str) -> str:
    return f"{(Decimal(text) * 100).normalize():f}%"


def formatted_figures(params: dict[str, Any]) -> set[str]:
    """Every way the renderer writes one of these figures in a sentence."""
    out: set[str] = set()

    def add(name: str, value: Any) -> None:
        if value is None or isinstance(value, bool):
            return
        if isinstance(value, list):
            for v in value:
                add(name, v)
            return
        if isinstance(value, dict):  # an account rule inside the account's figures
            for k, v in value.items():
                add(k, v)
            return
        if isinstance(value, int):
            out.add(T.yuan(value) if name in T.MONEY_FIGURES else str(value))  # a nested figure in fen
            return
        text = str(value)
        if name in T.MONEY_FIGURES:
            out.add(_yuan(text))
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            out.update({text, text[:7]})  # covered_/outside_ months are written "2024-11"
        elif re.fullmatch(r"\d+(\.\d+)?", text):
            out.update({text, _percent(text)})
        else:
            out.add(text)

    for name, value in params.items():
        add(name, value)
    return out


def _name_texts(translate) -> list[str]:
    """Names a sentence fills in from messages.py; a number inside one is not a figure."""
    names = [*T.GROUP_NAMES.values(), *T.ACCOUNT_HOLDERS.values(), *T.LEVEL_NAMES.values(),
             *T.PRICE_CLASS_NAMES.values(), T.PHARMACY_NAME]
    return sorted({translate(n) for n in names}, key=len, reverse=True)


def stray_numbers(text: str, params: dict[str, Any], translate) -> list[str]:
    if params.get("reason"):  # a text of the policy data, quoted whole
        text = text.replace(translate(params["reason"]), " ")
    for name in _name_texts(translate):
        text = text.replace(name, " ")
    # A clause named in English ("Article 9" for 第九条) is a reference, not a figure.
    text = re.sub(r"\bArticle \d+", " ", text)
    allowed = formatted_figures(params)
    return [n for n in NUMBER.findall(text) if n not in allowed]


# -- the tests --------------------------------------------------------------------------------
@pytest.mark.parametrize("request_data", REQUESTS)
def test_english_result_has_no_chinese(request_data):
    body = run(request_data, "en")
    assert body["lang"] == "en"
    problems = []

    def check(where: str, text: str | None) -> None:
        if text is not None and chinese_left(text):
            problems.append(f"{where}: {text!r}")

    check("region_name", body["region_name"])
    for v in body["visits"]:
        for s in v["steps"]:
            check(f"visit {v['index']} {s['code']} label", s["label"])
            check(f"visit {v['index']} {s['code']} explanation", s["explanation"])
    for w in body["warnings"]:
        check(f"warning {w['code']}", w["message"])
    check("personal_account", body["personal_account"]["explanation"])
    for y in body["years"]:
        check(f"year {y['year']}", y["label"])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("request_data", REQUESTS)
def test_sentences_quote_only_their_own_figures(request_data, lang):
    body = run(request_data, lang)
    translate = T.identity if lang.startswith("zh") else _english(lang)
    problems = []
    for v in body["visits"]:
        for s in v["steps"]:
            # The step's own amount and the visit's benefit year are not repeated in params.
            figures = {**s["params"], "amount": s["amount"], "year": v["year"]}
            stray = stray_numbers(s["explanation"], figures, translate)
            if stray:
                problems.append(f"visit {v['index']} {s['code']}: {stray} not in {s['params']}: {s['explanation']}")
    account = body["personal_account"]
    stray = stray_numbers(account["explanation"], account["params"], translate)
    if stray:
        problems.append(f"personal_account {account['variant']}: {stray} not in {account['params']}: {account['explanation']}")
    assert not problems, "\n".join(problems)


def _produced() -> dict[tuple[str, str], tuple[str, str]]:
    """(code, variant) → (Chinese, English) sentence, over every golden request."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for param in REQUESTS:
        request = param.values[0]
        zh, en = run(request, "zh-hans"), run(request, "en")
        # The template variant of each step is the trace's (the answer carries the figures).
        variants = step_variants(json.dumps({k: v for k, v in request.items() if k != "lang"}, default=_json_default))
        for vz, ve, vt in zip(zh["visits"], en["visits"], variants, strict=True):
            for sz, se, (code, variant) in zip(vz["steps"], ve["steps"], vt, strict=True):
                assert sz["code"] == se["code"] == code
                seen.setdefault((code, variant), (sz["explanation"], se["explanation"]))
    return seen


def test_every_produced_template_renders_in_both_languages(capsys):
    seen = _produced()
    unknown = set(seen) - set(T.STEPS)
    assert not unknown, f"steps with no template: {sorted(unknown)}"
    for key, (zh, en) in seen.items():
        assert CJK.search(zh), (key, zh)
        assert "{" not in zh and "{" not in en, (key, zh, en)
        assert en != zh and not chinese_left(en), (key, en)
    never = sorted(set(T.STEPS) - set(seen))
    with capsys.disabled():
        print(f"\nSTEPS templates no golden case produces ({len(never)} of {len(T.STEPS)}):")
        for code, variant in never:
            print(f"  {code}/{variant}")
    assert len(never) <= MAX_UNEXERCISED, never
