"""Every Chinese text marked for translation has English (scripts/check_messages.py).

The script extracts every marked text (gettext, {% translate %}, the engine's N_ and P_) from a
copy of the sources with makemessages and asks the site's English catalogs for each: a text
added without its English fails here, naming the file and line.
"""

from __future__ import annotations

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


def test_the_check_names_a_text_without_english(tmp_path, monkeypatch):
    # A template with a text no catalog translates is listed with its place, and the script
    # exits 1: the check can fail.
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import check_messages
    finally:
        sys.path.pop(0)
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: templates/web/home.html:3\nmsgid "一句还没有英文的话"\nmsgstr ""\n\n'
        '#: calculator/web/results.py:9\nmsgid "统筹基金支付"\nmsgstr ""\n',
        encoding="utf-8",
    )
    found = check_messages.entries(po)
    assert [e["msgid"] for e in found] == ["一句还没有英文的话", "统筹基金支付"]
    lacking = check_messages.missing(found)
    assert [(e["msgid"], e["places"]) for e in lacking] == [("一句还没有英文的话", ["templates/web/home.html:3"])]
