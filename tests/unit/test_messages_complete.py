"""Every Chinese text marked for translation has English (scripts/check_messages.py).

The script extracts every marked text (gettext, {% translate %}, the engine's N_ and P_) from a
copy of the sources with makemessages and asks the site's English catalogs for each: a text
added without its English fails here, naming the file and line.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_marked_chinese_text_has_english():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_messages.py")], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # It did look: hundreds of texts (the page, the engine's templates, the errors).
    count = int(done.stdout.split()[0])
    assert count > 500, done.stdout


def _script():
    spec = importlib.util.spec_from_file_location("check_messages", ROOT / "scripts" / "check_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_check_names_a_text_without_english(tmp_path):
    # A text no catalog translates is listed with its place (a singular one and a plural one
    # whose plural form differs); one that has English is not: the check can fail.
    from django.utils import translation

    check_messages = _script()
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: templates/web/home.html:3\nmsgid "一句还没有英文的话"\nmsgstr ""\n\n'
        '#: calculator/web/results.py:9\nmsgid "统筹基金支付"\nmsgstr ""\n\n'
        '#: templates/web/home.html:7\nmsgid "共 %(n)s 次"\nmsgid_plural "共 %(n)s 次就诊"\nmsgstr[0] ""\n',
        encoding="utf-8",
    )
    found = check_messages.entries(po)
    assert [e["msgid"] for e in found] == ["一句还没有英文的话", "统筹基金支付", "共 %(n)s 次"]
    lacking = check_messages.missing(found, translation.trans_real.translation("en"))
    assert [(e["msgid"], e["places"]) for e in lacking] == [
        ("一句还没有英文的话", ["templates/web/home.html:3"]), ("共 %(n)s 次", ["templates/web/home.html:7"]),
    ]


def test_notices_listed_once_for_several_visits_do_not_speak_of_one_visit():
    # A notice is listed once with every visit it concerns ("涉及第 4、5 次就诊"): its text
    # cannot say 本次 ("this visit"), in Chinese or in English.
    from calculator.rules.messages import NOTICES

    assert [code for code, text in NOTICES.items() if "本次" in text] == []
    from calculator.i18n import plain_translate_for, translate_for

    for translate in (plain_translate_for("en"), translate_for("en")):  # the API's and the page's
        english = {code: translate(text) for code, text in NOTICES.items()}
        assert [code for code, text in english.items() if "this visit" in text.lower()] == []
