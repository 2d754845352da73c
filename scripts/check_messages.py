"""List the user-facing Chinese texts that have no English translation (`make messages`).

Django's ``makemessages`` cannot maintain this project's catalogs as they are: it does not know
the engine's markers (``N_``, ``P_`` in ``calculator/rules/messages.py``), and with
``--no-obsolete`` it would drop every translation it did not extract itself (the policy data's
texts, the engine's templates, entries kept in the project catalog for texts of the apps): on
2026-11-30 it would have removed some 400 English translations. So the catalogs are edited by
hand, and this script finds what is missing:

1. it copies the source (``calculator/``, ``templates/``; no catalogs) to a temporary folder and
   runs ``makemessages`` there with the engine's keywords, which writes one fresh catalog of
   every marked text (``gettext``, ``{% translate %}``, ``N_``, ``P_``, ``gettext_noop`` …);
2. for each text written in Chinese it asks the site's merged English catalogs (every app's
   ``locale/en`` and the project's) for a translation, with its context and plural.

It prints the missing ones with where they are used, and exits 1 if there are any (0 when
every text has English). The project's catalogs are not touched. Add a translation by hand
to the catalog of the app that uses the text (the engine's to ``calculator/rules/locale``),
then ``make compilemessages``. The policy data's texts are checked by the tests
(``tests/rules/test_rendering.py``), not here: makemessages does not read YAML.

    .venv/bin/python scripts/check_messages.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("calculator", "templates")
KEYWORDS = ("--keyword=N_", "--keyword=P_:1c,2")
CJK = re.compile(r"[\u3400-\u9fff]")


def extract(workdir: Path) -> Path:
    """Run makemessages over a copy of the sources; the fresh catalog's path."""
    for name in SOURCES:
        shutil.copytree(
            ROOT / name, workdir / name,
            ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc", "*.mo", "*.po"),
        )
    (workdir / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # makemessages has no --keyword option: its xgettext options, extended, in a subclass.
    program = (
        "import django; from django.conf import settings\n"
        "settings.configure(USE_I18N=True); django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.core.management.commands.makemessages import Command\n"
        f"Command.xgettext_options = Command.xgettext_options + {list(KEYWORDS)!r}\n"
        "call_command(Command(), locale=['en'], no_wrap=True, ignore_patterns=['__pycache__'], verbosity=0)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=workdir, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"makemessages failed:\n{done.stderr}")
    return workdir / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    text = "".join(re.findall(r'^"(.*)"$', "\n".join(lines), re.M))
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text)


def entries(po: Path) -> list[dict[str, object]]:
    """The catalog's entries: context, msgid, plural, and the places (#: comments)."""
    out = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        places: list[str] = []
        current = None
        for line in block.splitlines():
            if line.startswith("#:"):
                places += line[2:].split()
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and current:
                fields[current].append(line)
            else:
                key, _, rest = line.partition(" ")
                current = key
                fields[key] = [rest]
        if "msgid" not in fields:
            continue
        msgid = _unquote(fields["msgid"])
        if not msgid:
            continue  # the header
        out.append({
            "context": _unquote(fields["msgctxt"]) if "msgctxt" in fields else None,
            "msgid": msgid,
            "plural": _unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None,
            "places": places,
        })
    return out


def english_catalog():
    """The site's merged English catalogs (every app's and the project's, compiled)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calculator.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # no key or hosts needed to read catalogs
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation

    return translation.trans_real.translation("en")


def missing(found: list[dict[str, object]], catalog=None) -> list[dict[str, object]]:
    """The entries written in Chinese that the English catalogs do not translate."""
    catalog = catalog if catalog is not None else english_catalog()
    lacking = []
    for entry in found:
        msgid, context, plural = entry["msgid"], entry["context"], entry["plural"]
        if not CJK.search(str(msgid)):
            continue  # no Chinese to translate (a format, a code)
        if plural is not None:
            # The singular form: without a translation it is the msgid itself (the plural
            # form would fall back to msgid_plural, which may differ).
            text = catalog.npgettext(context, msgid, plural, 1) if context else catalog.ngettext(msgid, plural, 1)
        else:
            text = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        if text == msgid:
            lacking.append(entry)
    return lacking


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="messages-") as tmp:
        found = entries(extract(Path(tmp)))
    lacking = missing(found)
    chinese = sum(1 for e in found if CJK.search(str(e["msgid"])))
    if not lacking:
        print(f"{chinese} texts in Chinese, each with an English translation.")
        return 0
    print(f"{len(lacking)} of {chinese} texts in Chinese have no English translation:\n")
    for entry in lacking:
        context = f" (context {entry['context']!r})" if entry["context"] else ""
        print(f"- {entry['msgid']}{context}")
        for place in entry["places"][:3]:
            print(f"    {place}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
