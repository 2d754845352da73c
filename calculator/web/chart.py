"""The small inline SVG chart: the fund's cumulative payment against the annual cap.

Display only. The figures plotted are the engine's own (each visit's ``cap.used_after`` and
``cap.annual_cap``); this module only turns them into coordinates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from calculator.web.templatetags.yuan import yuan_formatter

WIDTH = 360
HEIGHT = 240
LEFT = 14
RIGHT = 14
TOP = 44
BOTTOM = 40


@dataclass
class Point:
    x: float
    y: float
    label: str
    amount: str
    show_label: bool
    below: bool = False  # near the cap line: write the value under the point
    marker: bool = True  # False for the corner of a step, which is not a visit
    number: int = 0  # the visit's number (1-based), written beside its point
    number_dy: float = -8  # where the number sits above the point (staggered when crowded)
    number_drawn: bool = True  # False where crowded points leave it no room (the legend has it)

    @property
    def x_anchor(self) -> str:
        if self.x < LEFT + 20:
            return "start"
        return "end" if self.x > WIDTH - RIGHT - 20 else "middle"

    @property
    def number_x(self) -> float:
        return self.x - 6

    @property
    def number_y(self) -> float:
        return self.y + self.number_dy


@dataclass
class Chart:
    key: str
    title: str
    description: str
    cap: str
    cap_y: float
    points: list[Point] = field(default_factory=list)
    cap_label_right: bool = False  # the cap's label at the right end (points crowd the left)
    chronic: bool = False  # 门诊慢性病: its own cap, named so (not the general annual cap)
    cap_line: str = ""  # the cap as a line of points: a step where it changed within the year
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_x: int = WIDTH - RIGHT
    base_y: float = HEIGHT - BOTTOM

    @property
    def cap_label_y(self) -> float:
        return self.cap_y - 10

    @property
    def cap_label_x(self) -> int:
        return self.right_x if self.cap_label_right else self.left

    @property
    def cap_label_anchor(self) -> str:
        return "end" if self.cap_label_right else "start"

    @property
    def x_label_y(self) -> float:
        return self.base_y + 22

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def cap_change_day(visit: dict[str, Any]) -> str:
    """The day the visit's new cap applies from: the engine's cap_change step says it (a new
    rule's first day, the first day as a retiree, or the later of both); else the visit's date."""
    for step in visit["steps"]:
        if step["code"] == "cap_change":
            days = [step["params"].get(name) for name in ("effective_from", "group_from")]
            days = [d for d in days if d]
            if days:
                return max(days)
    return visit["date"]


def build_charts(result: dict[str, Any], year_labels: dict[int, str]) -> list[Chart]:
    """One chart per benefit year (and per 门诊慢性病 cap), visits in date order."""
    yuan = yuan_formatter()
    visits = {v["index"]: v for v in result["visits"]}
    series: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for index in result["calculation_order"]:
        visit = visits[index]
        cap = visit["cap"]
        if cap["annual_cap"] is None or cap["used_after"] is None:
            continue
        series.setdefault((visit["year"], visit["category"]), []).append(visit)
    years = {y["year"]: y for y in result["years"]}
    charts = []
    for (year, category), items in series.items():
        cap_amount = float(items[-1]["cap"]["annual_cap"])
        top = max([float(v["cap"]["annual_cap"]) for v in items] + [float(v["cap"]["used_after"]) for v in items]) or 1.0
        plot_h = HEIGHT - TOP - BOTTOM
        plot_w = WIDTH - LEFT - RIGHT

        def y_of(value: float, top: float = top, plot_h: int = plot_h) -> float:
            return TOP + plot_h * (1 - value / top)

        # x is the date within the benefit year, so the chart reads as progress through the
        # year; the line is a staircase: flat between visits, a step up at each payment.
        bounds = years.get(year)
        first_day = dt.date.fromisoformat(bounds["from"]) if bounds else dt.date.fromisoformat(items[0]["date"])
        last_day = dt.date.fromisoformat(bounds["to"]) if bounds else dt.date.fromisoformat(items[-1]["date"])
        span = max((last_day - first_day).days, 1)

        def x_of(day: str, first_day: dt.date = first_day, span: int = span, plot_w: int = plot_w) -> float:
            return LEFT + plot_w * (dt.date.fromisoformat(day) - first_day).days / span

        previous_y = y_of(float(items[0]["cap"]["used_before"]))
        # The line starts at the year's first day; only visits get a dot (each one numbered).
        points = [Point(LEFT, previous_y, "", items[0]["cap"]["used_before"], False, marker=False)]
        visit_points = []
        for visit in items:
            x = x_of(visit["date"])
            points.append(Point(x, previous_y, "", visit["cap"]["used_before"], False, marker=False))
            previous_y = y_of(float(visit["cap"]["used_after"]))
            visit_points.append(
                Point(x, previous_y, visit["date"][5:], visit["cap"]["used_after"], False, number=visit["index"] + 1)
            )
            points.append(visit_points[-1])
        _choose_labels(visit_points)
        year_label = year_labels.get(year, str(year))
        kind = _("门诊慢性病") if category == "chronic" else _("普通门诊")
        title = _("%(year)s %(kind)s：统筹基金累计支付与年度限额") % {"year": year_label, "kind": kind}
        step = _("第 %(number)s 次（%(date)s）后累计 %(amount)s")
        steps_text = _("；").join(
            step % {"number": v["index"] + 1, "date": v["date"], "amount": yuan(v["cap"]["used_after"])}
            for v in items
        )
        described = _("门诊慢性病限额 %(cap)s。%(steps)s。尚余 %(remaining)s。") if category == "chronic" else _(
            "年度最高支付限额 %(cap)s。%(steps)s。尚余 %(remaining)s。"
        )
        steps_text = steps_text[:1].upper() + steps_text[1:]  # a sentence's start in English ("After visit 1 …")
        # The cap a visit was paid under (武汉 retirees: 4,000 until 2023-04-09, 4,500 from the
        # 优化方案; a member who retires in the year): the line steps where it changed, and the
        # description names each change, so no visit sits "under" a cap it was not paid under.
        changes = [(cap_change_day(v), v["cap"]["annual_cap"]) for i, v in enumerate(items)
                   if i and v["cap"]["annual_cap"] != items[i - 1]["cap"]["annual_cap"]]
        cap_text = yuan(items[0]["cap"]["annual_cap"])
        if changes:
            cap_text += _("（%(changes)s）") % {
                "changes": _("；").join(_("%(date)s 起 %(cap)s") % {"date": day, "cap": yuan(cap)} for day, cap in changes)
            }
        description = described % {
            "cap": cap_text,
            "steps": steps_text,
            "remaining": yuan(items[-1]["cap"]["remaining"]),
        }
        cap_y = y_of(cap_amount)
        cap_points = [(float(LEFT), y_of(float(items[0]["cap"]["annual_cap"])))]
        for day, cap in changes:
            x = x_of(day)
            cap_points += [(x, cap_points[-1][1]), (x, y_of(float(cap)))]
        cap_points.append((float(WIDTH - RIGHT), cap_y))
        for p in points:
            p.below = p.y < cap_y + 30
        _place_numbers(visit_points)
        near_cap = [p for p in visit_points if p.below]
        # The cap's label goes to the end of the line with fewer points near it.
        cap_label_right = sum(p.x < WIDTH / 2 for p in near_cap) > sum(p.x >= WIDTH / 2 for p in near_cap)
        if changes:
            cap_label_right = True  # the label names the last cap: it goes where the line is at it
        charts.append(
            Chart(
                key=f"{year}-{category}",
                title=title,
                description=description,
                cap=items[-1]["cap"]["annual_cap"],
                cap_y=cap_y,
                points=points,
                cap_label_right=cap_label_right,
                chronic=category == "chronic",
                cap_line=" ".join(f"{x:.1f},{y:.1f}" for x, y in cap_points),
            )
        )
    return charts


LABEL_GAP = 72  # px between labelled points, so dates and amounts never overlap


# A visit number's width (13px bold digits, .chart-number) and the space kept clear before it:
# a number ends 6px left of its point, so the next one on the same line needs its own width
# and this space from the last point (12px was one digit's: two-digit numbers ran together,
# "3133 3537", on a 40-visit chart).
DIGIT_WIDTH = 8
NUMBER_SPACE = 3
NUMBER_LEVELS = 4


def _choose_labels(points: list[Point]) -> None:
    """Every visit's point carries its number (the legend under the chart gives each
    number's date and running total); dates on the axis for the last visit and, going back,
    every visit far enough from the one written after it, the first visit included whenever
    it fits."""
    next_x = None
    for point in reversed(points):
        if next_x is None or next_x - point.x >= LABEL_GAP:
            point.show_label = True
            next_x = point.x
    if points and not points[0].show_label:
        # The first visit too: give it the place of the next labelled one if that is closer
        # than the gap, so the start of the year is always read.
        for point in points[1:]:
            if point.show_label:
                if point.x - points[0].x < LABEL_GAP and point is not points[-1]:
                    point.show_label = False
                    points[0].show_label = True
                break


def _place_numbers(points: list[Point]) -> None:
    """Each visit's number beside its point: above it, or under it near the cap line;
    numbers of visits close together are staggered so that none covers another. Where
    visits crowd so that no line has room, the number is left off the chart (its point is
    drawn; the legend under the chart lists every visit by number): never written over another."""
    last_x: list[float] = []  # the x of the last number written on each level
    for point in points:
        if not point.number:
            continue
        width = DIGIT_WIDTH * len(str(point.number))
        point.number_drawn = False
        for level in range(NUMBER_LEVELS):
            if level == len(last_x):
                last_x.append(-1e9)
            if point.x - last_x[level] >= width + NUMBER_SPACE:
                last_x[level] = point.x
                point.number_dy = (18 + 14 * level) if point.below else (-8 - 14 * level)
                point.number_drawn = True
                break
