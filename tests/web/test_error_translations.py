"""The page translates the contract's messages; the two lists of texts must match."""

from django.utils import translation

from calculator.rules.contract import MESSAGES
from calculator.web.errors import TEMPLATES, translated


def test_every_contract_message_has_a_translatable_template():
    assert set(TEMPLATES) == set(MESSAGES)
    with translation.override("zh-hans"):
        for code, text in MESSAGES.items():
            assert str(TEMPLATES[code]) == text, code


def test_every_template_is_translated_to_english():
    with translation.override("en"):
        untranslated = [code for code, lazy in TEMPLATES.items() if str(lazy) == MESSAGES[code]]
    assert untranslated == []


def test_message_and_label_are_translated():
    error = {"field": "visits[0].total", "message": "费用总额不能为负数。", "template": MESSAGES["negative"], "params": {"label": "费用总额"}}
    with translation.override("zh-hans"):
        assert translated(error) == "费用总额不能为负数。"
    with translation.override("en"):
        from django.utils.translation import gettext

        assert translated(error) == f"{gettext('费用总额')} cannot be negative."
