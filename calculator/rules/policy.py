"""The policy data's loaded form: documents, citations, parameters, rule versions, regions.

Plain frozen records (no Django), made by ``loader.py`` from the data files and read by the
ledger on every visit; kept in a module of their own so that the engine's compiled build
compiles them too (scripts/build_engine.py): the ledger then reads a citation's reference or a
version's parameters as a field, not through a look-up by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    key: str
    issuer: str
    title: str
    doc_no: str
    status: str
    source: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Citation:
    ref: str  # "xuzhou-2023/deductible"
    document: Document
    article: str
    quote: str
    assumption: str | None = None
    # The step code whose situation the assumption is about (e.g. "over_cap": what is
    # done above the cap); None: it concerns every use of the clause.
    assumption_on: str | None = None

    @property
    def status(self) -> str:
        return self.document.status

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "issuer": self.document.issuer,
            "title": self.document.title,
            "doc_no": self.document.doc_no,
            "article": self.article,
            "quote": self.quote,
            "status": self.status,
            "source": self.document.url or self.document.source,
            # Kept for the contract's compatibility: sentences are the engine's own templates
            # (messages.py, by step code and variant), not the data's.
            "explanation_template": None,
            "assumption": self.assumption,
        }


@dataclass(frozen=True)
class Param:
    """One parameter of a rule version: its typed value (params.py) and its citation."""

    name: str
    value: Any  # one of params.ParamValue
    cite: Citation


@dataclass(frozen=True)
class Notice:
    code: str
    message: str
    applies_from: dt.date | None
    applies_to: dt.date | None
    cite: Citation | None
    # Only on visits the fund covers: a report of other rates or caps does not concern a
    # non-designated visit or a hospital stay the rules exclude (POLICY_NOTES: a notice goes
    # on results it may affect).
    covered_only: bool = False
    # Only on visits the fund pays something of: a reading that the fund may in fact pay less
    # (内蒙古: the outpatient cap counts toward the inpatient one) cannot concern a nil payment.
    paid_only: bool = False
    # Only on visits at these levels (None: any): a note about which level to enter (徐州: 县级医院
    # count as 二级) concerns the visits whose level it would change, not a pharmacy's.
    levels: tuple[int, ...] | None = None
    # Only on visits of these categories (None: any): 玉溪 from 2024-11-01 keeps the 细则's
    # 门诊慢性病 rule, which concerns the 门诊慢性病 visits only.
    categories: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Version:
    region: str
    id: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    params: dict[str, Param]
    notices: tuple[Notice, ...]
    path: str
    july_june: bool = False  # the benefit year runs 1 July – 30 June (上海), else calendar

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def flexible_account_rules(self) -> bool:
        """Whether its personal-account rule has rules of its own for flexible-employment
        workers or retirees (武汉 细则第六条); elsewhere the field is not used."""
        return not {"flexible_employed", "flexible_retired"}.isdisjoint(self.params["personal_account"].value.rules)

    def param(self, name: str) -> Param | None:
        return self.params.get(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "region": self.region,
            "title": self.title,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "status": self.status,
        }


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    province: str
    aliases: tuple[str, ...]
    versions: tuple[Version, ...] = field(default=())

    def version_on(self, day: dt.date) -> Version | None:
        for version in self.versions:
            if version.covers(day):
                return version
        return None

    def coverage_text(self, translate: Callable[[str], str] = str) -> str:
        """The periods the data covers ("2023-02-01 至 2023-04-09、2023-04-10 起"), in
        ``translate``'s language (each part a msgid of its own)."""
        t = translate
        return t(PERIOD_SEPARATOR).join(
            t(PERIOD) % {"start": v.effective_from.isoformat(), "end": v.effective_to.isoformat()} if v.effective_to
            else t(PERIOD_OPEN) % {"start": v.effective_from.isoformat()}
            for v in self.versions
        )


# A period of a region's rules, as the messages and the regions listing say it (msgids).
PERIOD = "%(start)s 至 %(end)s"
PERIOD_OPEN = "%(start)s 起"
PERIOD_SEPARATOR = "、"
