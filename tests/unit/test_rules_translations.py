"""English for every sentence the rules engine can say, and for the policy data's own texts.

``calculator/rules/messages.py`` marks each Chinese template with ``N_``; the English lives in
``calculator/rules/locale/en`` (the rules app's catalog) and, for msgids the web layer also
uses, in the project's ``locale/en`` (LOCALE_PATHS, which wins on duplicates). The policy
data's user-facing texts (notices, assumptions, ``none_reason``, the personal account's
``none``, region names) are translated in either catalog.

Under ``translation.override("en")`` each must have a translation that differs from the
msgid, keeps exactly the msgid's ``{placeholders}``, and says nothing in Chinese. The project's
catalog glosses a few official terms with the Chinese in brackets ("Deductible (起付标准)") so
a reader can find them on the settlement slip, and names documents by their official number
("document 晋医保发〔2022〕12号"); those two are allowed in the merged catalogs, and nothing
Chinese at all in the rules app's own catalog.
"""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import pytest
from django.utils import translation

from calculator.rules import messages as T
from calculator.rules.registry import load_policies

CJK = re.compile(r"[\u3400-\u9fff]")
# A bracketed Chinese gloss after an English term: "Deductible (起付标准)", "Yuxi (玉溪市)";
# and a policy document's official number: "document 晋医保发〔2022〕12号".
GLOSS = re.compile(r"\s*[（(][\u3400-\u9fff\u3000-\u303f\uff00-\uffef·、/\s]+[)）]|[\u3400-\u9fff]+〔\d{4}〕\d+号")
RULES_LOCALE = Path(T.__file__).resolve().parent / "locale"


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def message_texts() -> list[str]:
    """Every N_ string of messages.py: its public dicts and module-level strings."""
    found: list[str] = []
    for name in sorted(vars(T)):
        if name.startswith("_") or name[0].islower():
            continue
        found += _strings(getattr(T, name))
    return list(dict.fromkeys(found))


def data_texts() -> list[str]:
    """The policy data's texts a user sees (loaded from the registry, not the YAML)."""
    found: list[str] = []
    for region in load_policies().values():
        found.append(region.name)
        for version in region.versions:
            found += [n.message for n in version.notices]
            for name, param in version.params.items():
                if param.cite.assumption:
                    found.append(param.cite.assumption)
                if name == "annual_cap" and param.value.none_reason:
                    found.append(param.value.none_reason)
                if name == "personal_account":
                    found += [rule.reason for rule in param.value.rules.values() if rule.kind == "none"]
    return list(dict.fromkeys(found))


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


MESSAGES = message_texts()
DATA = data_texts()


def test_every_catalogue_of_messages_py_is_collected():
    # The dicts and strings the renderer reads: a new one must not escape this test.
    expected = (
        len(T.STEPS) + len(T.NOTICES) + len(T.ACCOUNT) + len(T.STEP_LABELS) + len(T.STEP_LABEL_VARIANTS)
    )
    assert len(MESSAGES) >= expected - 6, len(MESSAGES)  # a few labels share a msgid
    for template in (*T.STEPS.values(), *T.NOTICES.values(), *T.ACCOUNT.values(), *T.YEAR_LABELS.values(),
                     *T.BASE_DESCRIPTIONS.values(), *T.TERMS.values(), T.ACCOUNT_PERIOD, T.FUTURE_VISIT):
        assert template in MESSAGES, template


def _check(text: str) -> list[str]:
    with translation.override("en"):
        english = translation.gettext(text)
    problems = []
    if english == text:
        problems.append("no English translation")
    elif CJK.search(GLOSS.sub("", english)):
        problems.append(f"Chinese in the English: {english!r}")
    if placeholders(english) != placeholders(text):
        problems.append(f"placeholders {sorted(placeholders(english))} != {sorted(placeholders(text))}: {english!r}")
    return problems


@pytest.mark.parametrize("text", MESSAGES, ids=lambda s: s[:24])
def test_message_template_has_english(text):
    assert not _check(text), _check(text)


@pytest.mark.parametrize("text", DATA, ids=lambda s: s[:24])
def test_policy_data_text_has_english(text):
    assert not _check(text), _check(text)


def test_rules_catalog_is_plain_english():
    """The rules app's own catalog: every msgid above is in it, with no Chinese at all."""
    mo = RULES_LOCALE / "en" / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), "run `manage.py compilemessages` (make compilemessages)"
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # noqa: SLF001 - reading a catalog's entries
    entries = {k: v for k, v in catalog.items() if k}
    missing = [m for m in MESSAGES if m not in entries]
    assert not missing, missing
    chinese = {k: v for k, v in entries.items() if CJK.search(v)}
    assert not chinese, chinese
    bad = {k: v for k, v in entries.items() if placeholders(k) != placeholders(v)}
    assert not bad, bad


def test_an_article_number_is_said_in_english_and_other_references_stay_as_written():
    from calculator.rules.messages import ARTICLE, article_text

    def english(text):
        return "Article {number}" if text == ARTICLE else text

    assert [article_text(a, english) for a in ("第九条", "第十条", "第十六条", "第二十一条", "第二十条")] == [
        "Article 9", "Article 10", "Article 16", "Article 21", "Article 20",
    ]
    # Not a plain article number: kept as the document writes it; Chinese keeps its own form.
    assert article_text("二、（四）3", english) == "二、（四）3"
    assert article_text("第八条（二）", english) == "第八条（二）"
    assert article_text("第九条") == "第九条"
