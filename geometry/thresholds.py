"""The bars the coverage indicators are held to: shares in [0, 1], one per indicator.

They are stated once, in the tier profiles (`scenarios/data/acceptance/profiles/`); `GROWTH` is
the growth tier (成长型) read from its profile, the default wherever a caller names no tier.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from scenarios.acceptance import Profile, load_profile


@dataclass(frozen=True)
class Thresholds:
    gigabit_fiber: float
    mobile_5g: float
    broadcast_tv: float
    video_coverage: float
    video_metadata: float
    smart_lighting: float
    household_meters: float
    sports_walk: float
    high_altitude: float
    fire_detection: float

    @classmethod
    def from_profile(cls, profile: Profile, **overrides: float) -> Thresholds:
        """The profile's bars for these indicators, with any given one replaced."""
        return cls(**{f.name: overrides.get(f.name, profile.thresholds[f.name])
                      for f in fields(cls)})


#: The growth tier's bars, as its profile states them.
GROWTH = Thresholds.from_profile(load_profile("growth"))
