"""Responders: the carers and guards who walk to an incident, as a frozen schema (`[responders]`).

A team has posts (where an on-duty member waits), a duty roster (shifts of the day, each with
how many are on duty) and a walking speed, and answers some incident kinds. Shift hours are
hours of the day; `Responders.day_start_h` says what hour simulated second 0 is. The default
walking speed, 1.2 m/s (72 m/min), is a planning convention for the 15-minute life circle (adults
walk 80–95 m/min, people over 65 about 10 m/min slower), the same as the 15-minute-walk
indicator's. Time spent with the resident before leaving (`attend_s`) is a planning figure, a
parameter like the speed.

A scenario without teams keeps the modelled platform's fixed `platform.travel_time_s`. With a
team answering emergency calls, a virtual run judges indicator 10 as the probability of on site
within the limit over `replications` seeded runs.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from scenarios.base import Frozen, Point2

Role = Literal["carer", "guard"]

#: What each role answers unless the team says otherwise.
DEFAULT_ANSWERS: dict[str, tuple[str, ...]] = {
    "carer": ("emergency_call",),
    "guard": ("intrusion", "gate_forced", "perimeter_tamper"),
}
#: Walking speed of the 15-minute-walk indicator and of responders, m/s.
DEFAULT_WALK_SPEED_M_PER_S = 1.2
#: Replications of a virtual run behind indicator 10's on-site probability. Jiahe with three
#: carers and four calls an hour: 30 runs, some 500 calls, a 95% interval about ±6 points.
DEFAULT_REPLICATIONS = 30


class Shift(Frozen):
    """`count` members on duty from `start_h` to `end_h` (hours of the day, end > start)."""

    start_h: float = Field(ge=0, lt=24, description="hour of the day the shift starts, 0..24")
    end_h: float = Field(gt=0, le=24, description="hour of the day it ends, > start_h, <= 24")
    count: int = Field(ge=0, le=1000, description="members on duty, 0..1000")

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end_h <= self.start_h:
            raise ValueError(f"end_h = {self.end_h}: must be > start_h = {self.start_h}")
        return self


def _whole_day() -> tuple[Shift, ...]:
    return (Shift(start_h=0.0, end_h=24.0, count=1),)


class Team(Frozen):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                    description="team name, unique")
    role: Role = Field(default="carer", description="carer or guard: which incidents it "
                                                    "answers by default")
    answers: tuple[str, ...] | None = Field(
        default=None, description="incident kinds the team walks to; None: the role's own "
                                  "(carer: emergency_call; guard: intrusion, gate_forced, "
                                  "perimeter_tamper)")
    posts: tuple[Point2, ...] = Field(min_length=1, description="where on-duty members wait, "
                                      "m; member i waits at posts[i mod len]")
    shifts: tuple[Shift, ...] = Field(default_factory=_whole_day,
                                      description="the duty roster; hours without a shift have "
                                                  "nobody on duty (default: one, all day)")
    speed_m_per_s: float | None = Field(default=None, gt=0, le=10,
                                        description="walking speed, m/s; None: responders' own")
    attend_s: float | None = Field(default=None, ge=0, le=86_400,
                                   description="time on site before leaving, s; None: "
                                               "responders' own")
    return_to_post: bool = Field(default=True, description="walk back to the post when no call "
                                 "is waiting (false: wait where the last call was)")

    @model_validator(mode="after")
    def _shifts_apart(self) -> Team:
        spans = sorted((s.start_h, s.end_h) for s in self.shifts)
        for (a0, a1), (b0, _b1) in pairwise(spans):
            if b0 < a1:
                raise ValueError(f"shifts {a0:g}-{a1:g} h and {b0:g} h onward overlap")
        return self

    @property
    def incident_kinds(self) -> tuple[str, ...]:
        return DEFAULT_ANSWERS[self.role] if self.answers is None else self.answers

    def on_duty(self, hour: float) -> int:
        """Members on duty at `hour` of the day (0 <= hour < 24)."""
        return next((s.count for s in self.shifts if s.start_h <= hour < s.end_h), 0)

    @property
    def most_on_duty(self) -> int:
        return max((s.count for s in self.shifts), default=0)


class Responders(Frozen):
    teams: tuple[Team, ...] = Field(default=(), description="the responder teams; none: the "
                                                            "platform's fixed travel time")
    speed_m_per_s: float = Field(default=DEFAULT_WALK_SPEED_M_PER_S, gt=0, le=10,
                                 description="walking speed, m/s (1.2 by default)")
    attend_s: float = Field(default=600.0, ge=0, le=86_400,
                            description="time with the resident before leaving, s (600 by "
                                        "default, a planning figure)")
    day_start_h: float = Field(default=0.0, ge=0, lt=24,
                               description="hour of the day at simulated second 0")
    replications: int = Field(default=DEFAULT_REPLICATIONS, ge=1, le=10_000,
                              description="a virtual run with responders for emergency calls: "
                                          "seeded replications (seeds seed, seed + 1, ...) "
                                          "behind indicator 10's on-site probability")

    @model_validator(mode="after")
    def _unique_ids(self) -> Responders:
        ids = [t.id for t in self.teams]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"team ids {dup}: must be unique")
        return self
