"""The calculation result as the contract's JSON, with every sentence rendered here.

``to_json(result, translate)``: ``translate`` is the identity for Chinese (the CLI and the
API by default); the edges pass Django's gettext for English. Money leaves the engine
here, as two-decimal strings ("1200.00").
"""

from __future__ import annotations

import datetime as dt
import re
from operator import itemgetter
from typing import Any, Final

from calculator.rules import citations_en, ledger
from calculator.rules import messages as T
from calculator.rules.fen import money, yuan
from calculator.rules.model import CalculationRequest, CalculationResult, Running, Step, VisitResult
from calculator.rules.params import Rate

_MONEY_FIGURES: Final = T.MONEY_FIGURES


def _param_value(name: str, value: Any) -> Any:
    if name in _MONEY_FIGURES:
        return None if value is None else money(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Rate):
        return value.text
    if isinstance(value, dt.date):
        # A rule's date (上海's cohort split on every fund step): date.isoformat formats
        # through printf, slower than the look-up of the text made the first time.
        return _ISO.get(value) or _iso(value)
    if name == "outside":
        return [[a.isoformat(), b.isoformat()] for a, b in value]
    if name in ("others", "other_rules"):
        # Another version's rules for its months (in the year of retirement, or where this
        # rule gives no figure): the member's holder then (null: retiring within them), and the
        # months and their sum where that holder's rule credits a fixed monthly amount.
        return [
            {"from": a.isoformat(), "to": b.isoformat(), "clause": cite.ref, "holder": holder,
             "employed_rule": _param_value("employed_rule", employed), "retired_rule": _param_value("retired_rule", retired),
             "months": months, "total": None if total is None else money(total)}
            for a, b, cite, employed, retired, holder, months, total in value
        ]
    if name == "periods":  # the year of retirement without a start rule: before, of, after its month
        return [{k: _param_value(k, v) for k, v in period.items()} for period in value]
    if name == "joined":  # months credited under a neighbouring version's clause
        return [{"from": a.isoformat(), "to": b.isoformat(), "clause": cite.ref} for a, b, cite in value]
    if isinstance(value, dict):
        return {k: _param_value(k, v) for k, v in value.items()}
    return value


_PLAIN: Final = frozenset({int, str, bool, type(None)})  # what _param_value returns unchanged


def _money_or_none(fen: int | None) -> str | None:
    return None if fen is None else money(fen)


def _param_source(name: str, env: dict[str, Any]) -> str:
    """Python source converting figure ``name`` of ``f`` to its JSON form."""
    if name in _MONEY_FIGURES:
        # A remembered string, else format it (None stays None).
        return f"MN(f[{name!r}])"
    if name in ("ratio", "rate"):
        return f"f[{name!r}].text"
    key = f"P{len(env)}"
    env[key] = lambda value, name=name: _param_value(name, value)
    env["PLAIN"] = _PLAIN
    # A code or count (int, str, None) is its own JSON: converted only when it is not.
    return f"(x if (x := f[{name!r}]).__class__ in PLAIN else {key}(x))"


# Wording placeholders (names made from codes) and the figures each is made from: the
# renderer looks their text up by those figures, making it once per combination.
_WORDING = {
    "year_label": ("year_kind", "year"),
    "level_name": ("level_kind", "level"),
    "group_name": ("group", "split_on"),
    "base_description": ("term", "paid_first"),
    "eligible_description": ("paid_first",),
    "term": ("term",),
    "class_name": ("price_class",),
}


def _placeholder_source(name: str, env: dict[str, Any], wording: list[str]) -> str:
    if name in _MONEY_FIGURES:
        return f"Y(f[{name!r}])"
    if name in ("ratio", "rate"):
        return f"f[{name!r}].percent"
    if name in _WORDING:
        if name not in wording:
            wording.append(name)
        return f"W[{wording.index(name)}]"
    key = f"F{len(env)}"
    env[key] = T._formatter(name)
    return f"{key}(f, t)"


def _wording_source(wording: list[str], env: dict[str, Any]) -> str:
    """Source that sets W, the texts of the wording placeholders, from a per-renderer cache."""
    if not wording:
        return ""
    figures = sorted({figure for name in wording for figure in _WORDING[name]})
    cache: dict[Any, Any] = {}
    env["WCACHE"] = cache
    env["WMAKE"] = lambda f, t, names=tuple(wording): tuple(T._formatter(n)(f, t) for n in names)
    del cache  # the generated function owns it
    key = "(" + "".join(f"f.get({figure!r}), " for figure in figures) + ")"
    # The figures as one tuple in one C call; a step without one of them (an optional
    # figure) takes the slower spelling with f.get.
    env["WKEY"] = itemgetter(*figures)  # (a bare value for a single figure: as good a key)
    env["KeyError"] = KeyError
    return (
        f"    try:\n        k = WKEY(f)\n    except KeyError:\n        k = {key}\n"
        "    W = WCACHE.get(k)\n    if W is None:\n        W = WCACHE[k] = WMAKE(f, t)\n"
    )


def _sentence_source(
    template: str, env: dict[str, Any], wording: list[str], values: dict[str, str], lines: list[str], tail: str | None = None,
) -> str:
    """An f-string expression for ``template``: each placeholder's text is computed once into
    a local (``lines``), and the sentence is then built in one go (no chain of ``+``).
    ``tail``: a local holding text that ends the sentence, joined in the same go."""
    fmt = []
    for literal, name, _spec, _conv in T.string.Formatter().parse(template):
        if literal:
            fmt.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            local = values.get(name)
            if local is None:
                local = values[name] = f"v{len(values)}"
                lines.append(f"    {local} = {_placeholder_source(name, env, wording)}\n")
            fmt.append("{" + local + "}")
    if tail is not None:
        fmt.append("{" + tail + "}")
    # repr() escapes the literal text; the fields are only generated local names.
    return "f" + repr("".join(fmt))


_OPTIONAL = frozenset({"split_on"})
_FIGURE_READ = re.compile(r"\bf\['([a-z_][a-z0-9_]*)'\]")  # f['base'] in a generated renderer

# Steps whose figures are the rule's own, not the visit's running totals: a per-visit
# deductible met in full says the same words with the same figures on every visit at that
# level (山西: on nearly every visit). Their JSON is made once per combination of the figures
# named here (every figure the sentence, the label and the params read) and shared: the
# answer is never mutated after it is made (report._running shares the same way).
_SHARED = {("deductible", "per_visit_crossed"): ("level", "level_kind", "term")}


def _build_step_renderer(code: str, variant: str, translate: T.Translate) -> Any:
    """One function per step code, variant and language that makes the step's JSON:
    the sentence (compiled template) and the params (converters decided here), with the
    label fixed, so a step costs one call. The variant chose the template; the answer
    carries the figures it was chosen by (``params``), not the variant's name: some 30 bytes
    a step, 3–4 % of a 1,000-visit answer."""
    source, env = step_renderer_source(code, variant, translate)
    # The source is built only from repr() literals and generated names.
    exec(source, env)  # noqa: S102
    return env["render"]


def step_renderer_source(code: str, variant: str, translate: T.Translate) -> tuple[str, dict[str, Any]]:
    """The source of a step's renderer (``def render(s, t)``) and the names it reads (its
    environment): executed here at first use, or, in Chinese, written out by
    ``scripts/gen_step_renderers.py`` into ``steps_zh.py`` to be compiled with the engine."""
    env: dict[str, Any] = {
        "__builtins__": {}, "M": money, "MN": _money_or_none, "Y": yuan,
    }
    wording: list[str] = []
    values: dict[str, str] = {}
    lines: list[str] = []
    # The fund step's sentence ends with the member's share at the ratio, said only where
    # there is one: joined inside the sentence's f-string (``+ tail`` would copy it twice).
    tail_template = T.fund_copay(variant) if code == "fund" else None
    tail_local = "tail" if tail_template is not None else None
    explanation = _sentence_source(translate(T.STEPS[code, variant]), env, wording, values, lines, tail=tail_local)
    if tail_template is not None:
        tail_lines: list[str] = []
        tail = _sentence_source(translate(tail_template), env, wording, values, tail_lines)
        body = "".join("    " + line for line in tail_lines)
        lines.append(f"    if f['copay']:\n{body}        tail = {tail}\n    else:\n        tail = ''\n")
    names = T.PARAM_NAMES[code, variant]
    params = ", ".join(f"{name!r}: {_param_source(name, env)}" for name in names if name not in _OPTIONAL)
    optional = "".join(
        f"    if f.get({name!r}) is not None:\n        p[{name!r}] = {_param_source(name, env)}\n"
        for name in names if name in _OPTIONAL  # carried only where the sentence quotes it
    )
    label_source = repr(T.step_label(T.Step_key(code, variant), translate))
    if code in ("deductible", "deductible_change"):
        # Labelled with what the document calls it (上海: 自负段), by the step's term.
        terms = T.TERM_LABELS if code == "deductible" else T.TERM_CHANGE_LABELS
        env["LABELS"] = {term: T.step_label(T.Step_key(code, variant, {"term": term}), translate) for term in terms}
        label_source = f"LABELS.get(f.get('term'), {label_source})"
    shared = _SHARED.get((code, variant))
    memo = ""
    if shared is not None:
        env["SHARED"], env["len"] = {}, len
        memo = (
            "    key = (amount, clause" + "".join(f", f[{name!r}]" for name in shared) + ")\n"
            "    made = SHARED.get(key)\n"
            "    if made is not None:\n        return made\n"
        )
    body = (
        _wording_source(wording, env)
        + "".join(lines)
        + f"    p = {{{params}}}\n"
        + optional
        + f"    out = {{'code': {code!r}, 'label': {label_source}, "
        "'amount': None if amount is None else M(amount), 'clause': clause, "
        f"'explanation': {explanation}, 'params': p}}\n"
        + ("    if len(SHARED) < 1000:\n        SHARED[key] = out\n" if shared is not None else "")
        + "    return out\n"
    )
    # Each figure is read from the step once, into a local: the sentence and the params
    # quote the same figures (f['base'] twice was two look-ups). Every figure read with
    # f[...] is one the step always has, so reading them all up front changes nothing but the
    # count of look-ups; an optional one (_OPTIONAL), read only where the step has it, stays.
    read = sorted(set(_FIGURE_READ.findall(body)) - _OPTIONAL)
    body = _FIGURE_READ.sub(lambda m: m.group(0) if m.group(1) in _OPTIONAL else "g_" + m.group(1), body)
    source = (
        "def render(s, t):\n"
        "    amount = s.amount\n    f = s.figures\n    clause = s.clause\n"  # model.Step (compiled: native fields)
        + memo
        + "".join(f"    g_{name} = f[{name!r}]\n" for name in read)
        + body
    )
    return source, env


class _Variants(dict):
    """Renderers of one step code, by variant, made on first use."""

    def __init__(self, code: str, translate: T.Translate):
        super().__init__()
        self.code = code
        self.translate = translate

    def __missing__(self, variant: str) -> Any:
        render = None
        if self.translate is T.identity:
            # Chinese: the same renderer written out as a module (compiled with the engine),
            # where it is current (steps_zh.py; imported here, as it imports this module).
            from calculator.rules import steps_zh

            render = steps_zh.CURRENT.get((self.code, variant))
        if render is None:
            render = _build_step_renderer(self.code, variant, self.translate)
        self[variant] = render
        return render


class _Codes(dict):
    """Renderers of one language: ``renderers[code][variant](step, translate)``."""

    def __init__(self, translate: T.Translate):
        super().__init__()
        self.translate = translate

    def __missing__(self, code: str) -> _Variants:
        variants = self[code] = _Variants(code, self.translate)
        return variants


_RENDERERS: Final[dict[Any, _Codes]] = {}


def _renderers(translate: T.Translate) -> _Codes:
    codes = _RENDERERS.get(translate)
    if codes is None:
        codes = _RENDERERS[translate] = _Codes(translate)
    return codes


def step_json(step: Step, translate: T.Translate) -> dict[str, Any]:
    return _renderers(translate)[step.code][step.variant](step, translate)


_RUNNING: Final[tuple[dict[Running, dict[str, Any]], dict[Running, dict[str, Any]]]] = ({}, {})


def _running(r: Running, *, cap: bool) -> dict[str, Any]:
    """A running total as JSON. Visits after the deductible is met repeat the same figures,
    so equal ones share one (never mutated) dict (a Running is a tuple: its own key)."""
    made = _RUNNING[cap]
    out = made.get(r)
    if out is not None:
        return out
    out = _running_json(r, cap)
    if len(made) < 50_000:
        made[r] = out
    return out


def _running_json(r: Running, cap: bool) -> dict[str, Any]:
    if cap:
        out = {
            "annual_cap": None if r.standard is None else money(r.standard),
            "used_before": None if r.used_before is None else money(r.used_before),
            "used_after": None if r.used_after is None else money(r.used_after),
            "remaining": None if r.remaining is None else money(r.remaining),
        }
    else:
        out = {
            "basis": r.basis,
            "standard": None if r.standard is None else money(r.standard),
            "applied": money(r.applied),
            "used_before": None if r.used_before is None else money(r.used_before),
            "used_after": None if r.used_after is None else money(r.used_after),
            "remaining": None if r.remaining is None else money(r.remaining),
        }
    return out


_ISO: Final[dict[dt.date, str]] = {}


def _iso(day: dt.date) -> str:
    """A visit date as JSON text, remembered (a result repeats its dates)."""
    text = _ISO[day] = day.isoformat()
    if len(_ISO) > 50_000:
        _ISO.clear()
    return text


def visit_json(v: VisitResult, translate: T.Translate, renderers: _Codes | None = None) -> dict[str, Any]:
    r = renderers if renderers is not None else _renderers(translate)
    made_deductible, made_cap = _RUNNING
    # One unpacking each instead of an attribute look-up per field (both are NamedTuples).
    (visit, version_id, year, status_group, policy_range, fund_paid, member_paid, share, deductible, cap,
     over_cap_handling, account_paid, cash_paid, steps, notices, future) = v
    index, date, level, setting, total, _excluded, _class_b, _price_class, _offsite, _stay, category = visit
    out = {
        "index": index,
        "date": _ISO.get(date) or _iso(date),
        "version": version_id,
        "year": year,
        "status_group": status_group,
        "setting": setting,
        "level": level,
        "category": category,
        "total": money(total),
        "policy_range": money(policy_range),
        "fund_paid": money(fund_paid),
        "member_paid": money(member_paid),
        "member_share": {
            # ledger.SHARE_REASONS, in order; spelt out (no comprehension frame per visit).
            "excluded": money(share["excluded"]),
            "first_self_pay": money(share["first_self_pay"]),
            "account_segment": money(share["account_segment"]),
            "deductible": money(share["deductible"]),
            "copay": money(share["copay"]),
            "over_cap": money(share["over_cap"]),
            "not_covered": money(share["not_covered"]),
        },
        # A total this visit moved (applied: field 2) is new: made, not looked up and kept.
        "deductible": _running_json(deductible, False) if deductible[2] else made_deductible.get(deductible) or _running(deductible, cap=False),
        "cap": _running_json(cap, True) if cap[2] else made_cap.get(cap) or _running(cap, cap=True),
        "over_cap_handling": over_cap_handling,
        "account_paid": money(account_paid),
        "cash_paid": money(cash_paid),
        "steps": [r[s.code][s.variant](s, translate) for s in steps],
        "notices": notices,
    }
    if future:
        # Only where true: "future": false on every visit was 15 KB of a 1,000-visit answer.
        out["future"] = True
    return out


def _account_json(result: CalculationResult, translate: T.Translate) -> dict[str, Any]:
    a = result.account
    text = T.render_account(a, translate)
    return {
        "annual_allocation": None if a.annual is None else money(a.annual),
        "monthly_allocation": None if a.monthly is None else money(a.monthly),
        "months": a.figures.get("months") if a.annual is not None else None,
        "reason": text if a.annual is None else None,
        "variant": a.variant,
        "clause": a.clause,
        "version": a.version_id,
        "explanation": text,
        # A figure that is a sentence of the policy data (why there is no allocation) is in
        # the answer's language like the explanation that quotes it.
        "params": {k: translate(v) if k in ("reason", "called") and isinstance(v, str) else _param_value(k, v) for k, v in a.figures.items()},
    }


def year_label(kind: str, year: int, translate: T.Translate = T.identity) -> str:
    return translate(T.YEAR_LABELS[kind]).format(year=year)


def result_json(request: CalculationRequest, translate: T.Translate = T.identity) -> dict[str, Any]:
    """The contract's JSON for a parsed request: each visit's JSON is made as soon as the
    ledger has calculated it (see ledger.calculate's ``each``), the rest at the end."""
    renderers = _renderers(translate)
    result = ledger.calculate(request, each=lambda v: visit_json(v, translate, renderers))
    return to_json(result, translate, request.lang, visits_made=True)


def to_json(result: CalculationResult, translate: T.Translate = T.identity, lang: str = "zh-hans", *, visits_made: bool = False) -> dict[str, Any]:
    """``visits_made``: the result's visits are already their JSON (result_json)."""
    renderers = _renderers(translate)
    out = {
        "region": result.region_code,
        "region_name": translate(result.region_name),
        "status": result.request.status,
        "lang": lang,
        "visits": result.visits if visits_made else [visit_json(v, translate, renderers) for v in result.visits],
        "calculation_order": result.order,
        "totals": {k: money(v) for k, v in result.totals.items()},
        "years": [
            {
                "year": y.year,
                "label": year_label(y.year_kind, y.year, translate),
                "from": y.start.isoformat(),
                "to": y.end.isoformat(),
                "deductible_used": money(y.deductible_used),
                "fund_paid": money(y.fund_paid),
                "annual_cap": None if y.annual_cap is None else money(y.annual_cap),
                # What is left of that cap after the year's fund payments (never below 0).
                "cap_remaining": None if y.annual_cap is None else money(max(0, y.annual_cap - y.fund_paid)),
                "deductible_basis": y.deductible_basis,
                # The annual deductible as it stands at the year's last general visit and what
                # is left of it (null where the rule then counts none by the year).
                "deductible_standard": None if y.deductible_standard is None else money(y.deductible_standard),
                "deductible_remaining": None if y.deductible_standard is None else money(max(0, y.deductible_standard - y.deductible_used)),
                "chronic": None if y.chronic is None else {k: None if x is None else money(x) for k, x in y.chronic.items()},
            }
            for y in result.years
        ],
        "personal_account": _account_json(result, translate),
        "rules": [_rule_json(v, translate) for v in result.versions],
        "clauses": {ref: _clause_json(cite, translate) for ref, cite in sorted(result.clauses.items())},
        "warnings": _warnings_json(result, translate),
    }
    return out


def _rule_json(version: Any, translate: T.Translate) -> dict[str, Any]:
    """A rule version as the answer lists it: its title as the calculator names it (the
    document's title, with the calculator's own note where one is needed: （据转载）); an English
    answer adds ``title_en``, that title described in English (null where none is known), as
    its clauses do."""
    out = version.as_dict()
    if translate is not T.identity:
        out["title_en"] = citations_en.title_description(out["title"]) or None
    return out


def _warnings_json(result: CalculationResult, translate: T.Translate) -> list[dict[str, Any]]:
    """The notices and assumptions, each caveat once: the ledger lists a caveat raised under
    another clause than the first time as a notice of its own (``code:ref``, each with the visits
    its clause governs); where both say the same words (武汉's retired-on-missing under the 细则's
    and the 优化方案's 第七条; 玉溪's unregistered off-site care under the 细则 and the 省办法)
    they are one warning here, with the visits of both, ``clause`` the first clause and
    ``clauses`` every clause it rests on. The visits' ``notices`` name the warning's code."""
    merged: list[dict[str, Any]] = []
    by_words: dict[tuple[str, str], dict[str, Any]] = {}
    renamed: dict[str, str] = {}
    for n in result.notices:
        # The Chinese words decide (an English answer translates equal words equally).
        words = T.render_notice(n)
        first = by_words.get((n.kind, words))
        if first is None:
            entry = {
                "code": n.code,
                "kind": n.kind,
                "message": words if translate is T.identity else T.render_notice(n, translate),
                "clause": n.clause,
                "clauses": [n.clause] if n.clause else [],
                "visits": n.visits,
            }
            by_words[(n.kind, words)] = entry
            merged.append(entry)
            continue
        first["visits"] = sorted(set(first["visits"]) | set(n.visits))
        if n.clause and n.clause not in first["clauses"]:
            first["clauses"].append(n.clause)
            if first["clause"] is None:
                first["clause"] = n.clause  # ``clause`` is the first of ``clauses``
        renamed[n.code] = first["code"]
    if renamed:
        # The visits are their JSON already (result_json) or VisitResults: Any, as both (the
        # compiled module checks a declared type on every item).
        visits: Any = result.visits
        for v in visits:
            codes = v["notices"] if isinstance(v, dict) else v.notices
            if any(code in renamed for code in codes):
                kept: list[str] = []
                for code in codes:
                    code = renamed.get(code, code)
                    if code not in kept:
                        kept.append(code)
                codes[:] = kept
    return merged


_CLAUSES: Final[dict[tuple[int, Any], tuple[Any, dict[str, Any]]]] = {}


def _clause_json(cite: Any, translate: T.Translate = T.identity) -> dict[str, Any]:
    """A clause as the answer lists it: the document's title, number, article and the quote
    stay as the document has them (Chinese); the calculator's own reading of it (its
    assumption) is in the answer's language. ``explanation_template`` is kept for
    compatibility and is null: sentences come from the engine's templates (messages.py)."""
    # Citations are loaded once per process and never change: their JSON is made once per language.
    key = (id(cite), translate)
    made = _CLAUSES.get(key)
    if made is None or made[0] is not cite:
        out = cite.as_dict()
        out["explanation_template"] = None
        if out["assumption"]:
            out["assumption"] = translate(out["assumption"])
        if out["doc_no"]:
            out["doc_no"] = translate(out["doc_no"])  # "所存文本未载文号" says there is none
        # An English answer names the issuer and the article in English and describes the
        # title, beside the document's own words (as the English pages do); null where no
        # English name is known. A Chinese answer has the document's own words only.
        if translate is not T.identity:
            out["issuer_en"] = citations_en.issuer_description(out["issuer"]) or None
            out["title_en"] = citations_en.title_description(out["title"]) or None
            out["article_en"] = citations_en.article_label_en(out["article"] or "") or None
        made = _CLAUSES[key] = (cite, out)
    return made[1]
