"""Code health of the policy data: everything loads, and every kind of bad data is refused.

Each refusal test takes the real 徐州 file, breaks one thing, and expects the loader to
name the problem. So a policy change that slips in a typo, a paraphrased quote or an
overlapping date range fails here and at start-up.
"""

import copy
import datetime as dt
import shutil
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
                assert cite.quote.strip() and cite.article.strip() and cite.explanation.strip(), cite.ref
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
        (lambda r: r["parameters"]["deductible"]["cite"].update(explanation="{typo} 元"), "unknown placeholder"),
        (lambda r: r.update(effective_to=dt.date(2022, 1, 1)), "ends before it starts"),
        (lambda r: r.update(status="rumour"), "must be one of"),
        (lambda r: r["documents"]["xzgg-2022-8"].update(source="missing.txt"), "not found"),
        (lambda r: r["documents"]["xzgg-2022-8"].update(status="secondary"), "needs the url"),
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
