"""Code health of the policy data: everything loads, and every kind of bad data is refused.

Each refusal test takes the real 徐州 file, breaks one thing, and expects the loader to
name the problem. So a policy change that slips in a typo, a paraphrased quote or an
overlapping date range fails here and at start-up.
"""

import copy
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from calculator.rules.loader import DATA_DIR, SOURCES_DIR, Loader, PolicyDataError
from calculator.rules.registry import load_policies

XUZHOU = DATA_DIR / "xuzhou" / "2023-01-01.yaml"
SHARED = Path(__file__).resolve().parents[3] / "shared"


def test_all_policy_data_loads():
    regions = load_policies()
    assert set(regions) == {"xuzhou", "shanxi", "shanghai", "wuhan", "yuxi", "yunnan", "neimenggu"}
    # The versions POLICY_NOTES.md lists, with their dates.
    spans = {
        code: [(v.effective_from.isoformat(), v.effective_to and v.effective_to.isoformat()) for v in r.versions]
        for code, r in regions.items()
    }
    assert spans == {
        "xuzhou": [("2023-01-01", "2027-12-31")],
        "shanxi": [("2023-01-01", "2027-12-31")],
        "shanghai": [("2023-07-01", "2026-12-31")],
        "wuhan": [("2023-02-01", "2023-04-09"), ("2023-04-10", None)],
        "yuxi": [("2023-01-01", "2024-10-31"), ("2024-11-01", None)],
        "yunnan": [("2024-11-01", None)],
        "neimenggu": [("2022-10-01", None)],
    }


def test_every_parameter_has_a_citation_with_quote_and_article():
    for region in load_policies().values():
        for version in region.versions:
            for param in version.params.values():
                cite = param.cite
                assert cite.quote.strip() and cite.article.strip(), cite.ref
                assert cite.document.status in ("official", "secondary")


def test_source_copies_match_shared_originals():
    """calculator/rules/sources/ holds copies of ../shared; they must not drift."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    for path in sorted((SHARED / "policies").glob("*.txt")):
        assert (SOURCES_DIR / path.name).read_bytes() == path.read_bytes(), path.name
    research = SHARED / "research" / "policy-sources.md"
    assert (SOURCES_DIR / "policy-sources.md").read_bytes() == research.read_bytes()


# -- refusals -------------------------------------------------------------------------


def _raw():
    return yaml.safe_load(XUZHOU.read_text(encoding="utf-8"))


def _load(tmp_path, raw, name="2023-01-01.yaml"):
    folder = tmp_path / raw.get("region", "xuzhou")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return Loader(data_dir=tmp_path).load_version(path)


def test_unmodified_copy_loads(tmp_path):
    version = _load(tmp_path, _raw())
    assert version.id == "xuzhou-2023"


# Every other refusal docs/rules-authoring.md lists, each a case of test_bad_data_is_refused.
def _cite(r, name="deductible"):
    return r["parameters"][name]["cite"]


MORE_REFUSALS = [
    # An assumption about one situation needs the assumption, and a situation the ledger knows.
    (lambda r: _cite(r).update(assumption_on="over_cap"), "needs an assumption"),
    (lambda r: _cite(r).update(assumption="读法。", assumption_on="visit"), "must be one of"),
    (lambda r: r["parameters"]["deductible"].update(term="门槛"), "must be 起付标准 or 自负段"),
    # Age bands: a list, the last open-ended.
    (lambda r: r["parameters"]["personal_account"].update(retired={"monthly_by_age": []}), "must be a list of {up_to_age, amount} bands"),
    (
        lambda r: r["parameters"]["personal_account"].update(retired={"monthly_by_age": [{"up_to_age": 69, "amount": "106"}]}),
        "the last band must be open-ended",
    ),
    (lambda r: r["parameters"]["personal_account"].update(retired={"monthly": "100", "yearly": "1200"}), "give exactly one of"),
    (lambda r: r["documents"]["xzgg-2022-8"].update(source="../policies/000_02b1edad473c2580.txt"), "must be a file name in sources/, not a path"),
    (lambda r: r.update(documents={}), "must list at least one document"),
    # The cap and what happens above it go together.
    (lambda r: r["parameters"]["annual_cap"].update(above_cap="not_applicable"), "a cap needs above_cap"),
    (
        lambda r: r["parameters"].update(annual_cap={"amounts": None, "above_cap": "member", "none_reason": "没有限额。", "cite": _cite(r, "annual_cap")}),
        "without a cap, above_cap is not_applicable",
    ),
    # Rates by price class need the level → class map; a per-visit deductible follows the rates' key.
    (lambda r: r["parameters"]["fund_ratio"].update(keyed_by="price_class"), "needs price_class_default"),
    (
        lambda r: r["parameters"].update(deductible={"basis": "per_visit", "keyed_by": "price_class", "amounts": {1: "80", 2: "50", 3: "30"}, "cite": _cite(r)}),
        "must match fund_ratio.keyed_by",
    ),
    (
        lambda r: r["parameters"].update(price_class_default={"map": {1: 3, 2: 2, 3: 4}, "cite": _cite(r)}),
        "must map levels 1, 2, 3 to price classes 1, 2, 3",
    ),
]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r.update(reference="x"), "unknown key"),
        (lambda r: r["parameters"]["deductible"].update(amout="1"), "unknown key"),
        (lambda r: r["parameters"]["deductible"]["cite"].update(refrence="x"), "unknown key"),
        (lambda r: r["parameters"]["deductible"].pop("cite"), "missing key(s) ['cite']"),
        (lambda r: r["parameters"]["deductible"]["cite"].pop("quote"), "missing key(s) ['quote']"),
        (lambda r: r["parameters"]["deductible"]["cite"].pop("article"), "missing key(s) ['article']"),
        (lambda r: r["parameters"].pop("annual_cap"), "missing required parameter"),
        (lambda r: r["parameters"].update(fund_cap={}), "unknown parameter"),
        # A paraphrase is not a quote: 700 → 800 is not in the document.
        (
            lambda r: r["parameters"]["deductible"]["cite"].update(
                quote="2023年1月1日起,一个统筹年度内门诊统筹起付标准为800元"
            ),
            "not found verbatim",
        ),
        (lambda r: r["parameters"]["deductible"]["amounts"].update(employed=700), "quoted decimal strings"),
        (lambda r: r["parameters"]["deductible"]["amounts"].update(employed="-1"), "non-negative"),
        (lambda r: r["parameters"]["fund_ratio"]["rates"]["employed"].update({1: "75"}), "between 0 and 1"),
        (lambda r: r["parameters"]["fund_ratio"]["rates"]["employed"].pop(2), "exactly the keys 1, 2 and 3"),
        (lambda r: r["parameters"]["annual_cap"]["amounts"].pop("retired"), "must give exactly the groups"),
        (lambda r: r["parameters"]["deductible"]["cite"].update(document="nope"), "unknown document"),
        # Sentences are the engine's own templates (messages.py): the data carries none.
        (lambda r: r["parameters"]["deductible"]["cite"].update(explanation="{typo} 元"), "explanation"),
        (lambda r: r.update(effective_to=dt.date(2022, 1, 1)), "ends before it starts"),
        (lambda r: r.update(status="rumour"), "must be one of"),
        (lambda r: r["documents"]["xzgg-2022-8"].update(source="missing.txt"), "not found"),
        (lambda r: r["documents"]["xzgg-2022-8"].update(status="secondary"), "needs the url"),
        *MORE_REFUSALS,
    ],
)
def test_bad_data_is_refused(tmp_path, mutate, message):
    raw = _raw()
    mutate(raw)
    with pytest.raises(PolicyDataError) as excinfo:
        _load(tmp_path, raw)
    assert message in str(excinfo.value)


def _two_versions(tmp_path, first_end, second_start, swap=False):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    for other in data.glob("xuzhou/*.yaml"):
        other.unlink()
    a = _raw()
    a["effective_to"] = first_end
    b = copy.deepcopy(a)
    b["id"] = "xuzhou-next"
    b["effective_from"] = second_start
    b["effective_to"] = None
    if swap:
        a["id"], b["id"] = b["id"], a["id"]
        a, b = b, a
    (data / "xuzhou" / "1.yaml").write_text(yaml.safe_dump(a, allow_unicode=True), encoding="utf-8")
    (data / "xuzhou" / "2.yaml").write_text(yaml.safe_dump(b, allow_unicode=True), encoding="utf-8")
    return Loader(data_dir=data)


def test_adjacent_versions_load(tmp_path):
    regions = _two_versions(tmp_path, dt.date(2024, 12, 31), dt.date(2025, 1, 1)).load_all()
    assert [v.id for v in regions["xuzhou"].versions] == ["xuzhou-2023", "xuzhou-next"]


def test_overlapping_versions_are_refused(tmp_path):
    with pytest.raises(PolicyDataError, match="overlap"):
        _two_versions(tmp_path, dt.date(2025, 1, 1), dt.date(2025, 1, 1)).load_all()


def test_unsorted_versions_are_refused(tmp_path):
    with pytest.raises(PolicyDataError, match="not sorted"):
        _two_versions(tmp_path, dt.date(2024, 12, 31), dt.date(2025, 1, 1), swap=True).load_all()


# -- faults in a copy of the whole data folder (issue 9) ------------------------------
# Each fault is written into a temporary copy of calculator/rules/data/ as raw text (so
# YAML reads it exactly as an author's typo would be read) and the whole folder is loaded,
# as start-up does. The message must name the file by its path under the data folder
# (three regions have a 2023-01-01.yaml) and the field, and no other exception type may
# escape.

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def data_copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def _edit(data: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = data / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, (rel, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _fault(data: Path) -> str:
    with pytest.raises(PolicyDataError) as excinfo:
        Loader(data_dir=data).load_all()
    return str(excinfo.value)


def test_the_copy_loads(data_copy):
    assert set(Loader(data_dir=data_copy).load_all()) == set(load_policies())


def test_messages_name_the_path_under_the_data_folder(data_copy):
    # yuxi, xuzhou and shanxi all have a 2023-01-01.yaml: the region folder tells them apart.
    _edit(data_copy, "yuxi/2023-01-01.yaml", "title:", "titel:")
    message = _fault(data_copy)
    assert message.startswith("yuxi/2023-01-01.yaml: top level: unknown key(s) ['titel']"), message


@pytest.mark.parametrize(
    "rel, old, new, field, fragment",
    [
        # YAML reads 2023-13-10 as a timestamp and fails with a bare ValueError: not any more.
        ("wuhan/2023-04-10.yaml", "effective_from: 2023-04-10", "effective_from: 2023-13-10",
         "effective_from", "not a real date: '2023-13-10'"),
        ("wuhan/2023-04-10.yaml", "effective_from: 2023-04-10", "effective_from: 2023-02-30",
         "effective_from", "not a real date: '2023-02-30'"),
        ("wuhan/2023-04-10.yaml", "effective_from: 2023-04-10", "effective_from: '2023-13-10'",
         "effective_from", "not a real date: '2023-13-10'"),
        ("wuhan/2023-04-10.yaml", "effective_from: 2023-04-10", "effective_from: 10.4.2023",
         "effective_from", "not a date (YYYY-MM-DD)"),
        ("xuzhou/2023-01-01.yaml", "effective_to: 2027-12-31", "effective_to: 2027-12-32",
         "effective_to", "not a real date: '2027-12-32'"),
        # YAML reads a date with a time of day as a timestamp (audit: a TypeError naming no field).
        ("xuzhou/2023-01-01.yaml", "effective_from: 2023-01-01", "effective_from: 2023-01-01T10:00:00",
         "effective_from", "a date without a time of day (YYYY-MM-DD), got '2023-01-01 10:00:00'"),
        ("shanghai/2023-07-01.yaml", "effective_to: ", "effective_to: 2026-12-31 10:00:00 #",
         "effective_to", "a date without a time of day"),
    ],
    ids=["month-13", "february-30", "quoted-month-13", "not-iso", "day-32", "timestamp", "timestamp-to"],
)
def test_impossible_dates_are_refused_naming_file_and_field(data_copy, rel, old, new, field, fragment):
    _edit(data_copy, rel, old, new)
    message = _fault(data_copy)
    assert message.startswith(f"{rel}: {field}: "), message
    assert fragment in message, message


def test_an_impossible_date_in_a_notice_names_the_notice(data_copy):
    _edit(data_copy, "wuhan/2023-04-10.yaml", "notices:\n", "notices:\n  - {code: x, message: y, from: 2024-02-30}\n")
    message = _fault(data_copy)
    assert message.startswith("wuhan/2023-04-10.yaml: notices[0].from: not a real date: '2024-02-30'"), message


def test_a_notice_flag_that_is_not_true_or_false_names_the_notice(data_copy):
    # covered_only: "yes" would be a string (truthy) read as a flag: refused, naming the field.
    _edit(data_copy, "shanxi/2023-01-01.yaml", "covered_only: true", 'covered_only: "yes"')
    message = _fault(data_copy)
    assert message.startswith("shanxi/2023-01-01.yaml: notices[0].covered_only: must be true or false"), message


@pytest.mark.parametrize(
    "old, new, field, fragment",
    [
        # Money: at most 99,999,999.99 and at most two decimals; never rounded.
        ('employed: "700"', 'employed: "1e30"', "parameters.deductible.amounts.employed", "too large"),
        ('employed: "700"', 'employed: "100000000"', "parameters.deductible.amounts.employed", "too large"),
        ('employed: "700"', 'employed: "3500.005"', "parameters.deductible.amounts.employed", "at most two decimals"),
        ('employed: "700"', 'employed: "700.000"', "parameters.deductible.amounts.employed", "at most two decimals"),
        ('employed: "700"', 'employed: "NaN"', "parameters.deductible.amounts.employed", "finite, non-negative"),
        ('employed: "700"', 'employed: "Infinity"', "parameters.deductible.amounts.employed", "finite, non-negative"),
        ('employed: "700"', 'employed: "-0"', "parameters.deductible.amounts.employed", "non-negative"),
        ('employed: "700"', 'employed: "7OO"', "parameters.deductible.amounts.employed", "not a decimal"),
        ('employed: "700"', 'employed: "' + "9" * 5000 + '"', "parameters.deductible.amounts.employed", "not a plausible figure"),
        ('employed: "700"', "employed: 700.5", "parameters.deductible.amounts.employed", "quoted decimal strings"),
        # Rates: fractions with at most four decimals, whatever the notation.
        ('employed: {1: "0.75"', 'employed: {1: "1e30"', "parameters.fund_ratio.rates.employed.1", "between 0 and 1"),
        ('employed: {1: "0.75"', 'employed: {1: "1e-30"', "parameters.fund_ratio.rates.employed.1", "at most four decimals"),
        ('employed: {1: "0.75"', 'employed: {1: "0.755555"', "parameters.fund_ratio.rates.employed.1", "at most four decimals"),
        ('employed: {1: "0.75"', 'employed: {1: "sNaN"', "parameters.fund_ratio.rates.employed.1", "finite"),
    ],
    ids=[
        "money-1e30", "money-100-million", "money-3-decimals", "money-trailing-zero-decimal", "money-nan",
        "money-infinity", "money-minus-zero", "money-letters", "money-5000-digits", "money-yaml-float",
        "rate-1e30", "rate-1e-30", "rate-6-decimals", "rate-snan",
    ],
)
def test_overflowing_and_over_precise_figures_are_refused(data_copy, old, new, field, fragment):
    _edit(data_copy, "xuzhou/2023-01-01.yaml", old, new)
    message = _fault(data_copy)
    assert message.startswith(f"xuzhou/2023-01-01.yaml: {field}: "), message
    assert fragment in message, message
    assert len(message) < 300, "a figure is quoted back, not pasted whole"


def test_two_decimals_and_the_largest_figure_still_load(data_copy):
    _edit(data_copy, "xuzhou/2023-01-01.yaml", 'employed: "700"', 'employed: "99999999.99"')
    regions = Loader(data_dir=data_copy).load_all()
    assert regions["xuzhou"].versions[0].params["deductible"].value.by_group["employed"] == 9_999_999_999  # fen


@pytest.mark.parametrize(
    "rel, old, new, where",
    [
        ("regions.yaml", "- code: wuhan\n", "- code: wuhan\n  name: [unclosed\n", "regions.yaml: line "),
        ("regions.yaml", "  aliases: [武汉, 武汉市]", "  aliases: [武汉, 武汉市", "regions.yaml: line "),
        ("regions.yaml", "- code: xuzhou", "- code: xuzhou\n\t- tab", "regions.yaml: line "),
        ("shanxi/2023-01-01.yaml", "effective_from:", "effective_from: : :\n  - x\n effective_fro:", "shanxi/2023-01-01.yaml: line "),
        ("yuxi/2024-11-01.yaml", "title:", 'title: "unterminated\ntitle2:', "yuxi/2024-11-01.yaml: line "),
        ("wuhan/2023-02-01.yaml", "region: wuhan", "region: &a wuhan\nother: *b", "wuhan/2023-02-01.yaml: line "),
    ],
    ids=["regions-flow", "regions-unclosed-list", "regions-tab", "version-mapping", "version-unterminated-string", "version-unknown-alias"],
)
def test_yaml_syntax_errors_name_the_file_and_line(data_copy, rel, old, new, where):
    _edit(data_copy, rel, old, new)
    message = _fault(data_copy)
    assert message.startswith(where), message
    assert "not valid YAML" in message, message


@pytest.mark.parametrize(
    "rel, old, new, fragment",
    [
        # An unquoted integer past Python's 4,300-digit limit, in a rule file and in regions.yaml.
        ("xuzhou/2023-01-01.yaml", 'employed: "700"', "employed: " + "9" * 5000, "a value cannot be read"),
        ("regions.yaml", "- code: xuzhou", "- code: xuzhou\n  extra: " + "1" * 4400, "a value cannot be read"),
        # Lists nested 20,000 deep.
        ("xuzhou/2023-01-01.yaml", 'employed: "700"', "employed: " + "[" * 20000 + "]" * 20000, "nested too deeply"),
    ],
    ids=["integer-5000-digits", "regions-integer-4400-digits", "nested-20000"],
)
def test_values_python_cannot_read_name_the_file(data_copy, rel, old, new, fragment):
    _edit(data_copy, rel, old, new)
    message = _fault(data_copy)
    assert message.startswith(f"{rel}: "), message
    assert fragment in message and len(message) < 400, message


def test_a_file_that_is_not_utf8_is_named(data_copy):
    path = data_copy / "neimenggu/2022-10-01.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    message = _fault(data_copy)
    assert message.startswith("neimenggu/2022-10-01.yaml: file: not UTF-8 text"), message


def test_a_missing_regions_file_is_named(data_copy):
    (data_copy / "regions.yaml").unlink()
    assert _fault(data_copy).startswith("regions.yaml: file: missing")


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("- code: wuhan", "- code: [wuhan]", "[3].code"),
        ("- code: wuhan", "- code: 12", "[3].code"),
        ("- code: wuhan", "- code: xuzhou", "[3].code"),
        ("  name: 武汉市", "  name: ''", "[3].name"),
        ("  aliases: [武汉, 武汉市]", "  aliases: 武汉", "[3].aliases"),
        ("  aliases: [武汉, 武汉市]", "  aliases: [武汉, {a: 1}]", "[3].aliases[1]"),
        ("  aliases: [武汉, 武汉市]", "  aliases: [武汉, 徐州]", "wuhan"),
        ("  aliases: [武汉, 武汉市]", "  aliases: [武汉, XUZHOU]", "wuhan"),
    ],
    ids=["code-list", "code-number", "code-twice", "name-empty", "aliases-string", "alias-mapping", "alias-twice", "alias-case"],
)
def test_bad_regions_file_entries_name_the_entry(data_copy, old, new, field):
    _edit(data_copy, "regions.yaml", old, new)
    message = _fault(data_copy)
    assert message.startswith(f"regions.yaml: {field}: "), message


@pytest.mark.parametrize(
    "old, new, field, fragment",
    [
        ("    value: calendar\n    cite:\n      document: xzgg-2022-8", "    value: calendar\n    cite:\n      document: [xzgg-2022-8]",
         "parameters.benefit_year.cite.document", "unknown document"),
        ("      retired: \"350\"", "      retired: \"350\"\n      1: \"5\"", "parameters.deductible.amounts", "unknown status group(s) ['1']"),
        ('employed: {1: "0.75"', 'employed: {"1": "0.75"', "parameters.fund_ratio.rates.employed", "exactly the keys 1, 2 and 3"),
        ("region: xuzhou", "region: [xuzhou]", "region", "non-empty string"),
        ("status: official\n", "status: [official]\n", "status", "must be one of"),
        # The document's own name for a credit goes with an amount only (武汉 第六条), never
        # with "none" (a reason, no figure) or a share of the base.
        ('      none: "徐州文件规定退休人员', '      called: 补助\n      none: "徐州文件规定退休人员',
         "parameters.personal_account.retired.called", "only a monthly or yearly amount"),
    ],
    ids=["document-list", "mixed-group-keys", "level-keys-quoted", "region-list", "status-list", "called-without-amount"],
)
def test_odd_shapes_are_refused_with_the_field(data_copy, old, new, field, fragment):
    _edit(data_copy, "xuzhou/2023-01-01.yaml", old, new)
    message = _fault(data_copy)
    assert message.startswith(f"xuzhou/2023-01-01.yaml: {field}: "), message
    assert fragment in message, message


@pytest.mark.parametrize(
    "rel, old, new, expected",
    [
        ("wuhan/2023-04-10.yaml", "effective_from: 2023-04-10\n", "effective_from: 2023-04-10\neffective_from: 2023-04-11\n",
         "wuhan/2023-04-10.yaml: effective_from: duplicate key 'effective_from' (line 8, again on line 9)"),
        ("xuzhou/2023-01-01.yaml", '      retired: "350"\n', '      retired: "350"\n      retired: "360"\n',
         "xuzhou/2023-01-01.yaml: parameters.deductible.amounts.retired: duplicate key 'retired' (line 50, again on line 51)"),
        ("xuzhou/2023-01-01.yaml", 'employed: {1: "0.75", 2: "0.65", 3: "0.60"}', 'employed: {1: "0.75", 2: "0.65", 3: "0.60", 1: "0.8"}',
         "xuzhou/2023-01-01.yaml: parameters.fund_ratio.rates.employed.1: duplicate key '1' (line 59, column 18, again at column 51)"),
        ("regions.yaml", "  name: 徐州市\n", "  name: 徐州市\n  name: 徐州\n",
         "regions.yaml: [0].name: duplicate key 'name' (line 5, again on line 6)"),
    ],
    ids=["version-top-level", "version-nested", "version-flow-mapping", "regions-entry"],
)
def test_duplicate_keys_are_refused_naming_file_key_and_line(data_copy, rel, old, new, expected):
    # YAML itself keeps the later value silently; a data file must give each key once.
    _edit(data_copy, rel, old, new)
    message = _fault(data_copy)
    assert message.startswith(expected), message
    assert message.endswith("YAML would keep only the later value"), message


def test_an_unforeseen_shape_still_names_the_file(data_copy, monkeypatch):
    from calculator.rules import loader

    def boom(ctx, where, v):
        raise KeyError("something no check foresaw")

    required, _ = loader.PARAM_SPECS["internet"]
    monkeypatch.setitem(loader.PARAM_SPECS, "internet", (required, boom))
    message = _fault(data_copy)
    assert message.startswith("neimenggu/2022-10-01.yaml: file: unexpected data (KeyError"), message


def test_overlapping_versions_name_both_files(data_copy):
    _edit(data_copy, "wuhan/2023-02-01.yaml", "effective_to: 2023-04-09", "effective_to: 2023-04-10")
    message = _fault(data_copy)
    assert message.startswith("wuhan/2023-04-10.yaml: effective_from: "), message
    assert "wuhan/2023-02-01.yaml" in message and "overlap" in message


# -- start-up and the command stop on a fault, with the message and no traceback ------


def _manage(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "calculator.settings",
        "DJANGO_DEBUG": "1",  # no secret key needed for this check
        "CALCULATOR_DATA_DIR": str(data),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


BROKEN_DATE = ("wuhan/2023-04-10.yaml", "effective_from: 2023-04-10", "effective_from: 2023-13-10")
EXPECTED = "wuhan/2023-04-10.yaml: effective_from: not a real date: '2023-13-10'"


def test_start_up_stops_with_the_message_and_exit_2(data_copy):
    _edit(data_copy, *BROKEN_DATE)
    result = _manage(data_copy, "check")
    assert result.returncode == 2, result
    assert EXPECTED in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_start_up_stops_on_a_yaml_error_in_regions_file(data_copy):
    _edit(data_copy, "regions.yaml", "- code: wuhan\n", "- code: wuhan\n  name: [unclosed\n")
    result = _manage(data_copy, "check")
    assert result.returncode == 2, result
    assert "regions.yaml: line " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


_REQUEST = '{"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2024-03-01", "level": 3, "total": "1"}]}'


def _assert_command_and_start_up_stop(data_copy, expected: str) -> None:
    """`manage.py calculate` exits 2 with the fault as a JSON error, no traceback, and with the
    same message as start-up (`manage.py check`, also exit 2)."""
    result = _manage(data_copy, "calculate", "-", stdin=_REQUEST)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr + result.stdout
    errors = json.loads(result.stdout)["errors"]
    assert errors[0]["field"] == "(policy data)"
    assert expected in errors[0]["message"]
    start_up = _manage(data_copy, "check")
    assert start_up.returncode == 2, start_up
    assert "Traceback" not in start_up.stderr + start_up.stdout
    assert errors[0]["message"] == start_up.stderr.strip()  # the same message as start-up


def test_calculate_command_exits_2_with_the_same_message_as_json(data_copy):
    _edit(data_copy, *BROKEN_DATE)
    _assert_command_and_start_up_stop(data_copy, EXPECTED)
    # The good data (no CALCULATOR_DATA_DIR override) still calculates.
    ok = _manage(DATA_DIR, "calculate", "-", stdin=_REQUEST)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_calculate_command_exits_2_on_a_duplicate_key(data_copy):
    _edit(data_copy, "wuhan/2023-04-10.yaml", "effective_from: 2023-04-10\n",
          "effective_from: 2023-04-10\neffective_from: 2023-04-11\n")
    expected = "wuhan/2023-04-10.yaml: effective_from: duplicate key 'effective_from' (line 8, again on line 9)"
    assert _fault(data_copy).startswith(expected)
    _assert_command_and_start_up_stop(data_copy, expected)


def test_ready_stops_in_process(monkeypatch, capsys):
    from django.apps import apps

    from calculator.rules import registry

    def broken():
        raise PolicyDataError("wuhan/2023-04-10.yaml: effective_from: not a real date: '2023-13-10'")

    monkeypatch.setattr(registry, "load_policies", broken)
    monkeypatch.setattr(sys, "argv", ["gunicorn"])
    with pytest.raises(SystemExit) as excinfo:
        apps.get_app_config("rules").ready()
    assert excinfo.value.code == 2
    assert "wuhan/2023-04-10.yaml: effective_from" in capsys.readouterr().err


def test_data_dir_setting(monkeypatch, tmp_path):
    from calculator.rules import registry

    monkeypatch.delenv("CALCULATOR_DATA_DIR", raising=False)
    assert registry.data_dir() == DATA_DIR
    monkeypatch.setenv("CALCULATOR_DATA_DIR", str(tmp_path))
    assert registry.data_dir() == tmp_path


@pytest.mark.parametrize("levels", ["levels: 3", "levels: []", "levels: [4]"], ids=["not-a-list", "empty", "no-such-level"])
def test_a_notices_levels_must_be_a_list_of_known_levels(data_copy, levels):
    # A notice that concerns visits at some levels only (徐州 县级医院: level 3) names real levels.
    _edit(data_copy, "xuzhou/2023-01-01.yaml", "    levels: [3]", f"    {levels}")
    message = _fault(data_copy)
    assert message.startswith("xuzhou/2023-01-01.yaml: notices[0].levels"), message


@pytest.mark.parametrize(
    "categories", ["categories: chronic", "categories: []", "categories: [special]"], ids=["not-a-list", "empty", "no-such-category"]
)
def test_a_notices_categories_must_be_a_list_of_known_categories(data_copy, categories):
    # A notice that concerns 门诊慢性病 visits only (玉溪 from 2024-11-01) names real categories.
    _edit(data_copy, "yuxi/2024-11-01.yaml", "    categories: [chronic]", f"    {categories}")
    message = _fault(data_copy)
    assert message.startswith("yuxi/2024-11-01.yaml: notices[1].categories"), message


def _unlisted_region(data: Path) -> None:
    (data / "atlantis").mkdir()
    shutil.copy(data / "xuzhou/2023-01-01.yaml", data / "atlantis/2023-01-01.yaml")
    _edit(data, "atlantis/2023-01-01.yaml", "region: xuzhou", "region: atlantis")


@pytest.mark.parametrize(
    "fault, fragment",
    [
        # A version under another region's folder, a region missing from regions.yaml, a
        # duplicate id, a region with no version, a code that is not lower-case.
        (lambda d: _edit(d, "xuzhou/2023-01-01.yaml", "region: xuzhou", "region: shanxi"), "xuzhou/2023-01-01.yaml: region: file lives under xuzhou/ but says shanxi"),
        (lambda d: _unlisted_region(d), "'atlantis' is not in regions.yaml"),
        (lambda d: shutil.copy(d / "xuzhou/2023-01-01.yaml", d / "xuzhou/2028-01-01.yaml"), "duplicate version id xuzhou-2023"),
        (lambda d: [p.unlink() for p in (d / "neimenggu").glob("*.yaml")], "neimenggu: region has no rule version"),
        (lambda d: _edit(d, "regions.yaml", "- code: xuzhou", "- code: Xuzhou"), "must be a lower-case code such as wuhan"),
        # A rule file that is not .yaml would be left out without a word.
        (lambda d: (d / "xuzhou/2023-01-01.yaml").rename(d / "xuzhou/2023-01-01.yml"), "xuzhou/2023-01-01.yml: file: not read: a rule version's file must end in .yaml"),
    ],
    ids=["folder", "unlisted-region", "duplicate-id", "no-version", "code-case", "yml-file"],
)
def test_a_folder_level_fault_is_refused_by_name(data_copy, fault, fragment):
    fault(data_copy)
    assert fragment in _fault(data_copy)


def test_identical_clauses_are_one_clause():
    # Issue 6: clause texts appear once per answer. Two parameters citing the same words of the
    # same document with the same reading (徐州 第十二条 for the policy range and for
    # non-designated care; 武汉's 优化方案 citing the 细则's 第十二条 and 第八条 again) share one
    # clause, the first one's reference.
    from calculator.rules.registry import load_policies

    for region in load_policies().values():
        seen: dict[tuple, str] = {}
        for version in region.versions:
            # Notices too (内蒙古's re-post notice cites the passage its rates cite); a re-post's
            # passage is one clause within its version.
            cites = [p.cite for p in version.params.values()] + [n.cite for n in version.notices if n.cite is not None]
            for cite in cites:
                shown = cite.as_dict()
                ref = shown.pop("ref")
                key = (None if cite.status == "official" else version.id, tuple(shown.items()), cite.assumption_on)
                assert seen.setdefault(key, ref) == ref, (region.code, ref, seen[key])
    wuhan = {v.id: v for v in load_policies()["wuhan"].versions}
    assert wuhan["wuhan-2023-04"].params["policy_range"].cite.ref == "wuhan-2023-02/policy_range"
    xuzhou = load_policies()["xuzhou"].versions[0]
    assert xuzhou.params["non_designated"].cite is xuzhou.params["policy_range"].cite


def test_an_answer_lists_each_clause_text_once():
    # 徐州 with a non-designated visit (第十二条 twice before) and 武汉 on both sides of 2023-04-10.
    import json

    from calculator.rules.contract import run_contract

    for body in (
        {"region": "xuzhou", "status": "employed", "age": 40, "visits": [
            {"date": "2024-03-01", "level": 2, "total": "500", "excluded": "50"},
            {"date": "2024-03-02", "level": 2, "total": "300", "setting": "non_designated"}]},
        {"region": "wuhan", "status": "employed", "age": 40, "account_balance": "100", "visits": [
            {"date": "2023-03-01", "level": 1, "total": "500", "excluded": "50"},
            {"date": "2023-05-01", "level": 1, "total": "300", "excluded": "60"}]},
    ):
        status, result = run_contract(json.dumps(body))
        assert status == 200, result
        texts = [(c["title"], c["article"], c["quote"], c["assumption"]) for c in result["clauses"].values()]
        assert len(texts) == len(set(texts)), body["region"]
