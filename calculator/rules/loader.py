"""Load the policy data files and refuse anything doubtful, loudly.

Each file under ``data/<region>/`` is one rule version of one region. Every figure in it
carries a citation: the document (issuer, title, 文号), the article, the verbatim quote and,
where the calculator reads something into it, the assumption (the sentences a member reads are
the engine's own, ``messages.py``). What this module refuses is listed in
``docs/rules-authoring.md``; each refusal raises :class:`PolicyDataError` naming the file
and the key, so a bad data diff fails at start-up and in ``tests/rules``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from calculator.rules import params as P

# The loaded form (policy.py), named here too: the loader's callers import it from here.
from calculator.rules.policy import (  # noqa: F401
    PERIOD,
    PERIOD_OPEN,
    PERIOD_SEPARATOR,
    Citation,
    Document,
    Notice,
    Param,
    Region,
    Version,
)

RULES_DIR = Path(__file__).resolve().parent
DATA_DIR = RULES_DIR / "data"
SOURCES_DIR = RULES_DIR / "sources"
RESEARCH_FILE = "policy-sources.md"

STATUSES = ("official", "secondary")
GROUPS = P.GROUPS
LEVELS = P.LEVELS


class PolicyDataError(ValueError):
    """The policy data is wrong; the message names the file and the key."""


_MONEY = "money"
_RATE = "rate"

ALLOWED_TOP = {
    "region",
    "id",
    "title",
    "effective_from",
    "effective_to",
    "status",
    "documents",
    "notices",
    "parameters",
}
ALLOWED_DOC = {"issuer", "title", "doc_no", "status", "source", "url", "note"}
ALLOWED_CITE = {"document", "article", "quote", "assumption", "assumption_on"}
ALLOWED_NOTICE = {"code", "message", "from", "to", "cite", "covered_only", "paid_only", "levels", "categories"}
ALLOWED_REGION = {"code", "name", "province", "aliases"}

_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def _relative(path: Path, root: Path) -> str:
    """A data file's name as the messages give it: its path under the data folder
    ("wuhan/2023-04-10.yaml"; three regions have a 2023-01-01.yaml)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return f"{path.parent.name}/{path.name}"


class _Ctx:
    """Where we are in a file, for error messages."""

    def __init__(self, path: Path, root: Path | None = None):
        self.path = path
        self.name = _relative(path, root if root is not None else path.parent.parent)

    def fail(self, where: str, message: str) -> PolicyDataError:
        return PolicyDataError(f"{self.name}: {where}: {message}")


class _DuplicateKey(Exception):
    """A mapping gives the same key twice (YAML itself would keep the later value)."""

    def __init__(self, mapping: yaml.MappingNode, key: Any, first: yaml.Node, again: yaml.Node):
        super().__init__(key)
        self.mapping, self.key, self.first, self.again = mapping, key, first, again


class _YamlLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a scalar that looks like a date but is not a real
    one (``2023-13-10``, ``2023-02-30``) stays a string instead of raising a bare
    ValueError, so the field check names the file and the key; and that a mapping giving
    the same key twice is refused instead of keeping the later value silently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            # Checked before merge keys ("<<") are flattened: a key given explicitly may
            # override a merged one, but not another explicit one.
            seen: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)  # cached: built once
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # unhashable: the base class names it
                    break
                if first is not key_node:
                    raise _DuplicateKey(node, key, first, key_node)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _read_yaml(ctx: _Ctx, path: Path) -> Any:
    """Parse one data file; unreadable text or bad YAML names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ctx.fail("file", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ctx.fail("file", f"cannot be read ({exc.strerror or exc})") from None
    loader = _YamlLoader(text)
    root: yaml.Node | None = None
    try:
        root = loader.get_single_node()
        return None if root is None else loader.construct_document(root)
    except _DuplicateKey as exc:
        # Named as written in the file ("1", "2023-04-10"), like the other field paths.
        name = exc.again.value if isinstance(exc.again, yaml.ScalarNode) else str(exc.key)
        where = _node_where(root, exc.mapping) if root is not None else ""
        first, again = exc.first.start_mark, exc.again.start_mark
        if first.line == again.line:  # a flow mapping: {1: "0.75", 1: "0.8"}
            at = f"line {first.line + 1}, column {first.column + 1}, again at column {again.column + 1}"
        else:
            at = f"line {first.line + 1}, again on line {again.line + 1}"
        raise ctx.fail(
            f"{where}.{name}" if where else name,
            f"duplicate key {name!r} ({at}); YAML would keep only the later value",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise ctx.fail(where, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ctx.fail("file", f"not valid YAML: {exc}") from None
    except RecursionError:
        raise ctx.fail("file", "not valid policy data: values nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits (Python's own limit)
        raise ctx.fail("file", f"not valid policy data: a value cannot be read ({exc})") from None
    finally:
        loader.dispose()


def _node_where(root: yaml.Node, target: yaml.Node) -> str:
    """The field path of ``target`` in the document, as the messages write it
    ("parameters.deductible.amounts", "notices[0]", "[3]"); "" for the top level."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    seen: set[int] = set()
    while stack:
        node, where = stack.pop()
        if node is target:
            return where
        if id(node) in seen:  # anchors and aliases may share (or loop back to) a node
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                stack.append((value_node, f"{where}.{name}" if where else str(name)))
        elif isinstance(node, yaml.SequenceNode):
            for i in reversed(range(len(node.value))):
                stack.append((node.value[i], f"{where}[{i}]"))
    return f"line {target.start_mark.line + 1}"


def _sorted_names(keys: Any) -> list[str]:
    return sorted(str(k) for k in keys)


def _keys(ctx: _Ctx, where: str, mapping: Any, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(mapping, dict):
        raise ctx.fail(where, "must be a mapping")
    unknown = set(mapping) - allowed
    if unknown:
        raise ctx.fail(where, f"unknown key(s) {_sorted_names(unknown)}")
    missing = required - set(mapping)
    if missing:
        raise ctx.fail(where, f"missing key(s) {_sorted_names(missing)}")
    return mapping


def _text(ctx: _Ctx, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ctx.fail(where, "must be a non-empty string")
    return value


def _flag(ctx: _Ctx, where: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ctx.fail(where, f"must be true or false, got {raw!r}"[:200])
    return raw


def _date(ctx: _Ctx, where: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        # YAML reads "2023-01-01 10:00" as a timestamp: a rule starts on a day, not at an hour.
        raise ctx.fail(where, f"a date without a time of day (YYYY-MM-DD), got {value.isoformat(sep=' ')!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ctx.fail(where, f"not a real date: {value!r} (check the month and the day)") from None
    raise ctx.fail(where, f"not a date (YYYY-MM-DD): {value!r}")


def _decimal(ctx: _Ctx, where: str, value: Any, kind: str) -> Decimal:
    # Figures are written as quoted strings so YAML never turns them into floats.
    if not isinstance(value, str):
        raise ctx.fail(where, f"figures must be quoted decimal strings, got {value!r}")
    if len(value) > 40:
        raise ctx.fail(where, f"not a plausible figure: {value[:40]!r}…")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ctx.fail(where, f"not a decimal: {value!r}") from None
    if not number.is_finite() or number.is_signed():
        raise ctx.fail(where, f"must be a finite, non-negative number: {value!r}")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if kind == _RATE:
        # A rate is a fraction: "1e30" and "75" are refused, and so is a rate finer than
        # 0.01 % ("1e-30"), which no policy gives.
        if number > 1:
            raise ctx.fail(where, f"a rate is a fraction between 0 and 1: {value!r}")
        if exponent < -4:
            raise ctx.fail(where, f"a rate has at most four decimals: {value!r}")
        return number
    # Money is in fen: a third decimal ("3500.005") would be rounded away silently, so it
    # is refused, not rounded; and no outpatient figure comes near 100 million yuan
    # (refuses "1e30" before any arithmetic on it).
    if exponent < -2:
        raise ctx.fail(where, f"money has at most two decimals (fen): {value!r}")
    if number >= Decimal("100000000"):
        raise ctx.fail(where, f"figure too large for an outpatient rule (at most 99,999,999.99): {value!r}")
    return number.quantize(Decimal("0.01"))  # the engine carries money in fen


def _levels(ctx: _Ctx, where: str, value: Any, kind: str) -> dict[int, Decimal]:
    if not isinstance(value, dict) or any(k.__class__ is not int for k in value) or set(value) != set(LEVELS):
        raise ctx.fail(where, "must give exactly the keys 1, 2 and 3")
    return {int(k): _decimal(ctx, f"{where}.{k}", v, kind) for k, v in value.items()}


def _groups(ctx: _Ctx, where: str, value: Any, inner) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise ctx.fail(where, "must map status groups to values")
    unknown = set(value) - set(GROUPS)
    if unknown:
        raise ctx.fail(where, f"unknown status group(s) {_sorted_names(unknown)}")
    if "employed" not in value:
        raise ctx.fail(where, "must give the employed figure")
    return {g: inner(f"{where}.{g}", v) for g, v in value.items()}


class Loader:
    """Reads and validates every data file; keeps the source texts for quote checks."""

    def __init__(self, data_dir: Path = DATA_DIR, sources_dir: Path = SOURCES_DIR):
        self.data_dir = data_dir
        self.sources_dir = sources_dir
        self._source_cache: dict[str, str] = {}

    # -- sources ------------------------------------------------------------------------
    def _source_text(self, ctx: _Ctx, where: str, name: str) -> str:
        if name not in self._source_cache:
            if "/" in name or "\\" in name or name.startswith("."):
                raise ctx.fail(where, f"source {name!r} must be a file name in sources/, not a path")
            path = self.sources_dir / name
            if not path.is_file():
                raise ctx.fail(where, f"source file {name!r} not found in sources/")
            try:
                self._source_cache[name] = _squash(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise ctx.fail(where, f"source file {name!r} cannot be read as UTF-8 text ({exc})") from None
        return self._source_cache[name]

    # -- pieces -------------------------------------------------------------------------
    def _document(self, ctx: _Ctx, key: str, raw: Any) -> Document:
        where = f"documents.{key}"
        raw = _keys(ctx, where, raw, ALLOWED_DOC, {"issuer", "title", "doc_no", "status", "source"})
        status = raw["status"]
        if status not in STATUSES:
            raise ctx.fail(f"{where}.status", f"must be one of {STATUSES}")
        if status == "secondary":
            if not raw.get("url"):
                raise ctx.fail(where, "a secondary source needs the url of the re-post")
            if raw["source"] != RESEARCH_FILE:
                raise ctx.fail(where, f"a secondary source is quoted from {RESEARCH_FILE}")
        doc = Document(
            key=key,
            issuer=_text(ctx, f"{where}.issuer", raw["issuer"]),
            title=_text(ctx, f"{where}.title", raw["title"]),
            doc_no=_text(ctx, f"{where}.doc_no", raw["doc_no"]),
            status=status,
            source=_text(ctx, f"{where}.source", raw["source"]),
            url=raw.get("url"),
            note=raw.get("note"),
        )
        self._source_text(ctx, where, doc.source)  # the source must exist
        return doc

    def _citation(self, ctx: _Ctx, where: str, raw: Any, docs: dict[str, Document], ref: str) -> Citation:
        raw = _keys(ctx, where, raw, ALLOWED_CITE, {"document", "article", "quote"})
        doc_key = raw["document"]
        if not isinstance(doc_key, str) or doc_key not in docs:
            raise ctx.fail(f"{where}.document", f"unknown document {doc_key!r}")
        doc = docs[doc_key]
        quote = _text(ctx, f"{where}.quote", raw["quote"])
        haystack = self._source_text(ctx, where, doc.source)
        # Quotes are verbatim: whitespace aside, they must stand in the source as written.
        # Official quotes are checked against the policy document; secondary ones against
        # the research file that holds the re-post.
        if _squash(quote) not in haystack:
            raise ctx.fail(f"{where}.quote", f"not found verbatim in {doc.source}: {quote[:40]}…")
        assumption = raw.get("assumption")
        if assumption is not None:
            _text(ctx, f"{where}.assumption", assumption)
        assumption_on = raw.get("assumption_on")
        if assumption_on is not None:
            if assumption is None:
                raise ctx.fail(f"{where}.assumption_on", "needs an assumption")
            # The situations an assumption can be about alone (a step or notice code that the
            # ledger passes as it cites the clause): above the cap; registered care elsewhere;
            # the personal account paying a visit's 全自费 part.
            _one_of(ctx, f"{where}.assumption_on", assumption_on, ("over_cap", "offsite-filed", "account_excluded"))
        return Citation(
            ref=ref,
            document=doc,
            article=_text(ctx, f"{where}.article", raw["article"]),
            quote=quote,
            assumption=assumption,
            assumption_on=assumption_on,
        )

    def _param(self, ctx: _Ctx, name: str, raw: Any, docs: dict[str, Document], version_id: str) -> Param:
        where = f"parameters.{name}"
        if name not in PARAM_SPECS:
            raise ctx.fail(where, "unknown parameter")
        _, parse = PARAM_SPECS[name]
        if not isinstance(raw, dict):
            raise ctx.fail(where, "must be a mapping")
        if "cite" not in raw:
            raise ctx.fail(where, "missing key(s) ['cite']")
        cite = self._citation(ctx, f"{where}.cite", raw["cite"], docs, f"{version_id}/{name}")
        value = parse(ctx, where, {k: v for k, v in raw.items() if k != "cite"})
        return Param(name=name, value=value, cite=cite)

    def _notice(self, ctx: _Ctx, i: int, raw: Any, docs: dict[str, Document], version_id: str) -> Notice:
        where = f"notices[{i}]"
        raw = _keys(ctx, where, raw, ALLOWED_NOTICE, {"code", "message"})
        code = _text(ctx, f"{where}.code", raw["code"])
        cite = None
        if "cite" in raw:
            cite = self._citation(ctx, f"{where}.cite", raw["cite"], docs, f"{version_id}/notice:{code}")
        return Notice(
            code=code,
            message=_text(ctx, f"{where}.message", raw["message"]),
            applies_from=_date(ctx, f"{where}.from", raw["from"]) if "from" in raw else None,
            applies_to=_date(ctx, f"{where}.to", raw["to"]) if "to" in raw else None,
            cite=cite,
            covered_only=_flag(ctx, f"{where}.covered_only", raw.get("covered_only", False)),
            paid_only=_flag(ctx, f"{where}.paid_only", raw.get("paid_only", False)),
            levels=self._levels(ctx, f"{where}.levels", raw["levels"]) if "levels" in raw else None,
            categories=self._categories(ctx, f"{where}.categories", raw["categories"]) if "categories" in raw else None,
        )

    @staticmethod
    def _categories(ctx: _Ctx, where: str, raw: Any) -> tuple[str, ...]:
        if not isinstance(raw, list) or not raw:
            raise ctx.fail(where, "must be a non-empty list of visit categories (general, chronic)")
        return tuple(_one_of(ctx, f"{where}[{i}]", category, ("general", "chronic")) for i, category in enumerate(raw))

    @staticmethod
    def _levels(ctx: _Ctx, where: str, raw: Any) -> tuple[int, ...]:
        if not isinstance(raw, list) or not raw:
            raise ctx.fail(where, "must be a non-empty list of levels (1, 2, 3)")
        return tuple(_one_of(ctx, f"{where}[{i}]", level, (1, 2, 3)) for i, level in enumerate(raw))

    def load_version(self, path: Path) -> Version:
        ctx = _Ctx(path, self.data_dir)
        raw = _read_yaml(ctx, path)
        try:
            return self._version(ctx, path, raw)
        except PolicyDataError:
            raise
        except Exception as exc:  # noqa: BLE001 - a shape no check foresaw: still name the file
            raise ctx.fail("file", f"unexpected data ({type(exc).__name__}: {exc})") from None

    def _version(self, ctx: _Ctx, path: Path, raw: Any) -> Version:
        raw = _keys(ctx, "top level", raw, ALLOWED_TOP, ALLOWED_TOP - {"notices", "effective_to"})
        version_id = _text(ctx, "id", raw["id"])
        _one_of(ctx, "status", raw["status"], STATUSES)
        docs_raw = raw["documents"]
        if not isinstance(docs_raw, dict) or not docs_raw:
            raise ctx.fail("documents", "must list at least one document")
        docs = {k: self._document(ctx, k, v) for k, v in docs_raw.items()}
        params_raw = raw["parameters"]
        if not isinstance(params_raw, dict):
            raise ctx.fail("parameters", "must be a mapping")
        missing = {n for n, (req, _) in PARAM_SPECS.items() if req} - set(params_raw)
        if missing:
            raise ctx.fail("parameters", f"missing required parameter(s) {sorted(missing)}")
        params = {n: self._param(ctx, n, v, docs, version_id) for n, v in params_raw.items()}
        notices_raw = raw.get("notices") or []
        if not isinstance(notices_raw, list):
            raise ctx.fail("notices", "must be a list")
        notices = tuple(self._notice(ctx, i, n, docs, version_id) for i, n in enumerate(notices_raw))
        start = _date(ctx, "effective_from", raw["effective_from"])
        end = raw.get("effective_to")
        end = None if end is None else _date(ctx, "effective_to", end)
        if end is not None and end < start:
            raise ctx.fail("effective_to", "ends before it starts")
        version = Version(
            region=_text(ctx, "region", raw["region"]),
            id=version_id,
            title=_text(ctx, "title", raw["title"]),
            effective_from=start,
            effective_to=end,
            status=raw["status"],
            params=params,
            notices=notices,
            path=ctx.name,
            july_june=params["benefit_year"].value.july_june,
        )
        _check_cross(ctx, version)
        return version

    def _regions_meta(self) -> tuple[_Ctx, dict[str, dict]]:
        regions_path = self.data_dir / "regions.yaml"
        ctx = _Ctx(regions_path, self.data_dir)
        if not regions_path.is_file():
            raise ctx.fail("file", f"missing from the data folder {self.data_dir}")
        raw = _read_yaml(ctx, regions_path)
        if not isinstance(raw, list) or not raw:
            raise ctx.fail("top level", "must be a list of regions")
        meta: dict[str, dict] = {}
        for i, entry in enumerate(raw):
            entry = _keys(ctx, f"[{i}]", entry, ALLOWED_REGION, ALLOWED_REGION)
            code = entry["code"]
            if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
                raise ctx.fail(f"[{i}].code", f"must be a lower-case code such as wuhan, got {code!r}")
            if code in meta:
                raise ctx.fail(f"[{i}].code", f"duplicate region {code}")
            _text(ctx, f"[{i}].name", entry["name"])
            _text(ctx, f"[{i}].province", entry["province"])
            aliases = entry["aliases"]
            if aliases is not None and not isinstance(aliases, list):
                raise ctx.fail(f"[{i}].aliases", "must be a list of names (or empty)")
            for j, alias in enumerate(aliases or ()):
                _text(ctx, f"[{i}].aliases[{j}]", alias)
            meta[code] = entry
        return ctx, meta

    def load_all(self) -> dict[str, Region]:
        ctx, meta = self._regions_meta()
        by_region: dict[str, list[Version]] = {code: [] for code in meta}
        seen_ids: dict[str, str] = {}
        for path in sorted(self.data_dir.glob("*/*")):
            if path.suffix != ".yaml" and path.is_file() and not path.name.startswith("."):
                # A rule file named .yml (or .txt…) would be left out without a word.
                raise _Ctx(path, self.data_dir).fail("file", "not read: a rule version's file must end in .yaml")
        for path in sorted(self.data_dir.glob("*/*.yaml")):
            version = self.load_version(path)
            vctx = _Ctx(path, self.data_dir)
            if version.region != path.parent.name:
                raise vctx.fail("region", f"file lives under {path.parent.name}/ but says {version.region}")
            if version.region not in by_region:
                raise vctx.fail("region", f"{version.region!r} is not in regions.yaml")
            if version.id in seen_ids:
                raise vctx.fail("id", f"duplicate version id {version.id} (also in {seen_ids[version.id]})")
            seen_ids[version.id] = version.path
            by_region[version.region].append(version)
        regions: dict[str, Region] = {}
        all_aliases: set[str] = set()
        for code, entry in meta.items():
            versions = by_region[code]
            if not versions:
                raise ctx.fail(code, "region has no rule version")
            _check_dates(versions)
            _share_identical_citations(versions)
            aliases = tuple(entry["aliases"] or ())
            for alias in aliases + (code,):
                if alias.lower() in all_aliases:
                    raise ctx.fail(code, f"alias {alias!r} used twice")
                all_aliases.add(alias.lower())
            regions[code] = Region(
                code=code,
                name=entry["name"],
                province=entry["province"],
                aliases=aliases,
                versions=tuple(versions),
            )
        return regions


def _share_identical_citations(versions: list[Version]) -> None:
    """Parameters and notices that cite the same words of the same document with the same
    reading (徐州's policy range and non-designated care, both 第十二条; 武汉's 细则 第十二条 cited
    again by the 优化方案; 内蒙古's rates and its re-post notice) cite one clause, the first: an
    answer lists each clause text once (issue 6), and a step or a notice refers to it by that
    clause's reference. A re-post's passage is shared within its own version only: the print
    marks a rule whose passages are re-posted by the references under it (enquiries
    _print_rules)."""
    first: dict[tuple[Any, ...], Citation] = {}

    def shared(version: Version, cite: Citation, none_reason: Any) -> Citation:
        # Identical as an answer lists them (two version files may each describe the same
        # document with a note of their own), and read the same way; a cap's reason for having
        # none is said under its clause's reference, so it counts too.
        shown = cite.as_dict()
        del shown["ref"]
        scope = None if cite.status == "official" else version.id
        return first.setdefault((scope, tuple(shown.items()), cite.assumption_on, none_reason), cite)

    for i, version in enumerate(versions):
        for name, param in list(version.params.items()):
            cite = shared(version, param.cite, getattr(param.value, "none_reason", None))
            if cite is not param.cite:
                version.params[name] = replace(param, cite=cite)
        notices = tuple(
            n if n.cite is None or (cite := shared(version, n.cite, None)) is n.cite else replace(n, cite=cite)
            for n in version.notices
        )
        if notices != version.notices:
            versions[i] = replace(version, notices=notices)


def _check_dates(versions: list[Version]) -> None:
    """Versions must be sorted by date in file order and must not overlap. The message
    names the later file (by its path under the data folder) and the earlier one."""
    for earlier, later in zip(versions, versions[1:]):
        if later.effective_from <= earlier.effective_from:
            raise PolicyDataError(
                f"{later.path}: effective_from: versions {earlier.id} ({earlier.path}) and {later.id} "
                "are not sorted by date (files are read in name order)"
            )
        if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
            raise PolicyDataError(
                f"{later.path}: effective_from: versions {earlier.id} ({earlier.path}) and {later.id} overlap"
            )


# ---------------------------------------------------------------------------------------
# Per-parameter value checks: each parser declares its parameter's keys once, validates
# them and returns the typed, frozen object the rest of the code reads (params.py).


def _one_of(ctx: _Ctx, where: str, value: Any, options: tuple) -> Any:
    if value not in options:
        raise ctx.fail(where, f"must be one of {options}, got {value!r}")
    return value


def _money(ctx: _Ctx, where: str, value: Any) -> int:
    return P.fen(_decimal(ctx, where, value, _MONEY))


def _rate(ctx: _Ctx, where: str, value: Any) -> P.Rate:
    return P.Rate.of(_decimal(ctx, where, value, _RATE))


def _p_benefit_year(ctx, where, v):
    _keys(ctx, where, v, {"value"}, {"value"})
    return P.BenefitYear(july_june=_one_of(ctx, f"{where}.value", v["value"], ("calendar", "july_june")) == "july_june")


def _p_policy_range(ctx, where, v):
    _keys(ctx, where, v, set(), set())
    return P.PolicyRange()


def _p_deductible(ctx, where, v):
    basis = _one_of(ctx, f"{where}.basis", v.get("basis"), ("annual", "per_visit", "none"))
    term = v.get("term", "起付标准")
    if term not in ("起付标准", "自负段"):
        raise ctx.fail(f"{where}.term", "must be 起付标准 or 自负段")
    if basis == "none":
        _keys(ctx, where, v, {"basis"}, {"basis"})
        return P.Deductible(basis="none")
    if basis == "annual":
        _keys(ctx, where, v, {"basis", "amounts", "term"}, {"basis", "amounts"})
        return P.Deductible(basis=basis, by_group=_groups(ctx, f"{where}.amounts", v["amounts"], lambda w, x: _money(ctx, w, x)), term=term)
    _keys(ctx, where, v, {"basis", "amounts", "keyed_by", "term"}, {"basis", "amounts", "keyed_by"})
    keyed_by = _one_of(ctx, f"{where}.keyed_by", v["keyed_by"], ("level", "price_class"))
    amounts = {k: P.fen(x) for k, x in _levels(ctx, f"{where}.amounts", v["amounts"], _MONEY).items()}
    return P.Deductible(basis=basis, by_key=amounts, keyed_by=keyed_by, term=term)


def _p_fund_ratio(ctx, where, v):
    _keys(ctx, where, v, {"keyed_by", "rates"}, {"keyed_by", "rates"})
    keyed_by = _one_of(ctx, f"{where}.keyed_by", v["keyed_by"], ("level", "price_class"))
    rates = _groups(
        ctx, f"{where}.rates", v["rates"],
        lambda w, x: {k: P.Rate.of(r) for k, r in _levels(ctx, w, x, _RATE).items()},
    )
    return P.FundRatio(keyed_by=keyed_by, rates=rates)


def _p_annual_cap(ctx, where, v):
    _keys(ctx, where, v, {"amounts", "above_cap", "none_reason"}, {"amounts", "above_cap"})
    above = _one_of(ctx, f"{where}.above_cap", v["above_cap"], ("member", "inpatient_transfer", "not_applicable"))
    if v["amounts"] is None:
        reason = _text(ctx, f"{where}.none_reason", v.get("none_reason"))
        if above != "not_applicable":
            raise ctx.fail(f"{where}.above_cap", "without a cap, above_cap is not_applicable")
        return P.AnnualCap(by_group=None, above_cap=above, none_reason=reason)
    if above == "not_applicable":
        raise ctx.fail(f"{where}.above_cap", "a cap needs above_cap: member or inpatient_transfer")
    return P.AnnualCap(by_group=_groups(ctx, f"{where}.amounts", v["amounts"], lambda w, x: _money(ctx, w, x)), above_cap=above)


def _p_pharmacy(ctx, where, v):
    basis = _one_of(ctx, f"{where}.basis", v.get("basis"), ("level_one", "prescriber", "own_ratio"))
    if basis == "own_ratio":
        _keys(ctx, where, v, {"basis", "rates"}, {"basis", "rates"})
        return P.Pharmacy(basis=basis, rates=_groups(ctx, f"{where}.rates", v["rates"], lambda w, x: _rate(ctx, w, x)))
    _keys(ctx, where, v, {"basis"}, {"basis"})
    return P.Pharmacy(basis=basis)


def _p_internet(ctx, where, v):
    _keys(ctx, where, v, {"basis"}, {"basis"})
    return P.Internet(basis=_one_of(ctx, f"{where}.basis", v["basis"], ("physical_level", "not_specified")))


def _p_non_designated(ctx, where, v):
    _keys(ctx, where, v, set(), set())
    return P.NonDesignated()


def _p_account_use(ctx, where, v):
    _keys(ctx, where, v, {"pays_excluded", "order"}, {"pays_excluded", "order"})
    return P.AccountUse(
        pays_excluded=_one_of(ctx, f"{where}.pays_excluded", v["pays_excluded"], (True, False)),
        order=_one_of(ctx, f"{where}.order", v["order"], ("after_fund", "current_year_first")),
    )


def _account_rule(ctx, where, v) -> P.AccountRule:
    rule = _account_rule_kind(ctx, where, {k: x for k, x in v.items() if k != "called"} if isinstance(v, dict) else v)
    if isinstance(v, dict) and "called" in v:
        # The document's own name for the credit (it is not called 个人账户 there): only a
        # monthly or yearly amount is ever named so.
        if rule.kind not in ("monthly", "yearly"):
            raise ctx.fail(f"{where}.called", "only a monthly or yearly amount can carry the document's own name")
        rule = P.AccountRule(kind=rule.kind, amount=rule.amount, called=_text(ctx, f"{where}.called", v["called"]))
    return rule


def _account_rule_kind(ctx, where, v) -> P.AccountRule:
    if not isinstance(v, dict) or len(v) != 1:
        raise ctx.fail(where, "give exactly one of monthly_share_of_base, monthly, yearly, monthly_by_age, yearly_by_age, none (and optionally called)")
    (kind, value), = v.items()
    if kind == "monthly_share_of_base":
        return P.AccountRule(kind=kind, rate=_rate(ctx, f"{where}.{kind}", value))
    if kind in ("monthly", "yearly"):
        return P.AccountRule(kind=kind, amount=_money(ctx, f"{where}.{kind}", value))
    if kind in ("monthly_by_age", "yearly_by_age"):
        if not isinstance(value, list) or not value:
            raise ctx.fail(f"{where}.{kind}", "must be a list of {up_to_age, amount} bands")
        bands = []
        for i, band in enumerate(value):
            band = _keys(ctx, f"{where}.{kind}[{i}]", band, {"up_to_age", "amount"}, {"amount"})
            up_to = band.get("up_to_age")
            if up_to is not None and (up_to.__class__ is not int or not 0 <= up_to <= 150):
                raise ctx.fail(f"{where}.{kind}[{i}].up_to_age", f"must be a whole number of years (0-150), got {up_to!r}")
            bands.append(P.AgeBand(up_to, _money(ctx, f"{where}.{kind}[{i}].amount", band["amount"])))
        if bands[-1].up_to_age is not None:
            raise ctx.fail(f"{where}.{kind}", "the last band must be open-ended (no up_to_age)")
        return P.AccountRule(kind=kind, bands=tuple(bands))
    if kind == "none":
        return P.AccountRule(kind=kind, reason=_text(ctx, f"{where}.none", value))
    raise ctx.fail(where, f"unknown account rule {kind!r}")


def _p_personal_account(ctx, where, v):
    _keys(ctx, where, v, {"employed", "retired", "flexible_employed", "flexible_retired"}, {"employed", "retired"})
    return P.PersonalAccount(rules={k: _account_rule(ctx, f"{where}.{k}", x) for k, x in v.items()})


def _p_class_b(ctx, where, v):
    _keys(ctx, where, v, {"rate"}, {"rate"})
    return P.FirstSelfPay(rate=None if v["rate"] is None else _rate(ctx, f"{where}.rate", v["rate"]))


def _p_offsite(ctx, where, v):
    _keys(ctx, where, v, {"filed", "unfiled_first_self_pay"}, {"filed", "unfiled_first_self_pay"})
    rate = v["unfiled_first_self_pay"]
    return P.Offsite(
        filed=_one_of(ctx, f"{where}.filed", v["filed"], ("same_as_local",)),
        unfiled_rate=None if rate is None else _rate(ctx, f"{where}.unfiled_first_self_pay", rate),
    )


def _p_inpatient(ctx, where, v):
    _keys(ctx, where, v, {"covered"}, {"covered"})
    return P.InpatientStay(covered=_one_of(ctx, f"{where}.covered", v["covered"], (False,)))


def _p_chronic(ctx, where, v):
    keys = {"deductible", "fund_ratio", "cap_first", "cap_each_additional", "cap_max"}
    _keys(ctx, where, v, keys, keys)
    return P.Chronic(
        deductible=_money(ctx, f"{where}.deductible", v["deductible"]),
        fund_ratio=_rate(ctx, f"{where}.fund_ratio", v["fund_ratio"]),
        cap_first=_money(ctx, f"{where}.cap_first", v["cap_first"]),
        cap_each_additional=_money(ctx, f"{where}.cap_each_additional", v["cap_each_additional"]),
        cap_max=_money(ctx, f"{where}.cap_max", v["cap_max"]),
    )


def _p_retiree_start(ctx, where, v):
    _keys(ctx, where, v, {"basis"}, {"basis"})
    return P.RetireeStart(basis=_one_of(ctx, f"{where}.basis", v["basis"], ("next_month", "retirement_date")))


def _p_cohorts(ctx, where, v):
    _keys(ctx, where, v, {"split_on", "before", "on_or_after"}, {"split_on", "before", "on_or_after"})
    return P.RetireeCohorts(
        split_on=_date(ctx, f"{where}.split_on", v["split_on"]),
        before=_one_of(ctx, f"{where}.before", v["before"], GROUPS),
        on_or_after=_one_of(ctx, f"{where}.on_or_after", v["on_or_after"], GROUPS),
    )


def _p_price_class(ctx, where, v):
    _keys(ctx, where, v, {"map"}, {"map"})
    m = v["map"]
    if (
        not isinstance(m, dict)
        or any(x.__class__ is not int for x in (*m, *m.values()))
        or set(m) != set(LEVELS)
        or not set(m.values()) <= set(LEVELS)
    ):
        raise ctx.fail(f"{where}.map", "must map levels 1, 2, 3 to price classes 1, 2, 3")
    return P.PriceClassDefault(by_level={int(k): int(x) for k, x in m.items()})


# name -> (required?, parser)
PARAM_SPECS: dict[str, tuple[bool, Callable[..., Any]]] = {
    "benefit_year": (True, _p_benefit_year),
    "policy_range": (True, _p_policy_range),
    "deductible": (True, _p_deductible),
    "fund_ratio": (True, _p_fund_ratio),
    "annual_cap": (True, _p_annual_cap),
    "pharmacy": (True, _p_pharmacy),
    "internet": (True, _p_internet),
    "non_designated": (True, _p_non_designated),
    "account_use": (True, _p_account_use),
    "personal_account": (True, _p_personal_account),
    "class_b_first_self_pay": (False, _p_class_b),
    "offsite": (False, _p_offsite),
    "inpatient_stay": (False, _p_inpatient),
    "chronic": (False, _p_chronic),
    "retiree_start": (False, _p_retiree_start),
    "retiree_cohorts": (False, _p_cohorts),
    "price_class_default": (False, _p_price_class),
}


def _check_cross(ctx: _Ctx, v: Version) -> None:
    """Checks across parameters: every status group the engine can reach has a figure."""
    groups = {"employed", "retired"}
    cohorts = v.param("retiree_cohorts")
    if cohorts:
        groups = {"employed", cohorts.value.before, cohorts.value.on_or_after}
    ded = v.params["deductible"].value
    tables = [("fund_ratio.rates", v.params["fund_ratio"].value.rates)]
    if ded.basis == "annual":
        tables.append(("deductible.amounts", ded.by_group))
    if v.params["annual_cap"].value.by_group is not None:
        tables.append(("annual_cap.amounts", v.params["annual_cap"].value.by_group))
    if v.params["pharmacy"].value.basis == "own_ratio":
        tables.append(("pharmacy.rates", v.params["pharmacy"].value.rates))
    for where, table in tables:
        if set(table) != groups:
            raise ctx.fail(f"parameters.{where}", f"must give exactly the groups {sorted(groups)}")
    keyed = v.params["fund_ratio"].value.keyed_by
    if keyed == "price_class" and not v.param("price_class_default"):
        raise ctx.fail("parameters", "fund_ratio keyed by price_class needs price_class_default")
    if ded.basis == "per_visit" and ded.keyed_by != keyed:
        raise ctx.fail("parameters.deductible.keyed_by", "must match fund_ratio.keyed_by")
