"""CCTV camera (视频监控 indicator 4): online state, image availability (出图率) and its
GB/T 28181 record as read-only points.

Text metadata is served as UINT16 input registers, two UTF-8 bytes per register, high byte
first, NUL-padded (`devices.points.pack_text`): the 20-digit device id takes 10 registers, the
name 16 (32 bytes: 10 CJK characters or 32 ASCII). The administrative division (GB/T 2260, 6
digits) is a UINT32 number. A camera without a `gb_id` in the scenario gets a compliant one
derived from its unit id with division 00000000 (type 132, network 7, serial = unit),
which the metadata indicator rightly flags as non-compliant: give real cameras a `gb_id`.

`camera_offline` and `camera_image_loss` are conditions that clear by themselves (the camera
reboots, the lens is cleaned) after the scenario's `clear_after_s`.

`online` and `image_ok` change at the instant an outage starts or ends — a `camera_offline`
incident or an `offline` fault (no longer registered), a `camera_image_loss` incident (no usable
image) — so online rate and image availability (出图率) are measured from those intervals.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_table, check_point_map
from devices.points import Access, DataType, Point, Table, pack_text, text_points
from scenarios import Device as DeviceSpec

ID_WORDS = 10
NAME_WORDS = 16


class CctvCamera(Device):
    KIND = "cctv_camera"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_table(("offline", "camera not registered / no stream"),
                     ("image_loss", "stream up but no usable image (black, frozen, blocked)")),
        Point("online", DataType.BOOL, Access.R, Table.DISCRETE_INPUT, 8,
              description="1 while the camera is registered and streaming"),
        Point("image_ok", DataType.BOOL, Access.R, Table.DISCRETE_INPUT, 9,
              description="1 while the image is available (counts toward 出图率)"),
        *text_points("gb_id", 20, ID_WORDS, "GB/T 28181 device id, 20 ASCII digits"),
        *text_points("name", 30, NAME_WORDS, "camera name"),
        Point("division_code", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 46,
              description="GB/T 2260 administrative division (6 digits)"),
    )
    ALARMS = ("offline", "image_loss")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "camera_offline": IncidentSpec("offline", None, "the camera drops off the network"),
        "camera_image_loss": IncidentSpec("image_loss", None, "the camera's image is lost"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self.gb_id = spec.gb_id or f"{0:08d}01132 7{spec.unit:06d}".replace(" ", "")
        name = (spec.name or spec.id).encode("utf-8")[:2 * NAME_WORDS].decode("utf-8", "ignore")
        for prefix, text, words in (("gb_id", self.gb_id, ID_WORDS), ("name", name, NAME_WORDS)):
            for i, w in enumerate(pack_text(text, words)):
                self._values[f"{prefix}_w{i}"] = w
        self._values["division_code"] = int(self.gb_id[:6])
        self._refresh_availability()

    # `Device.online` is the device-level fault flag (`sim.faults` clears it while an `offline`
    # fault lasts). A camera turns it into its `online` point, so it is a property here: the
    # assignment is the only signal a fault gives.
    @property
    def online(self) -> bool:
        return self._reachable

    @online.setter
    def online(self, reachable: bool) -> None:
        self._reachable = reachable
        if hasattr(self, "_values"):  # Device.__init__ assigns it before the points exist
            self._refresh_availability()

    def _set(self, name: str, value: Value) -> None:
        super()._set(name, value)
        if name in ("offline", "image_loss"):
            self._refresh_availability()

    def _refresh_availability(self) -> None:
        # Stored, not computed on read: a stored point's every change reaches the observers
        # (the world's trace), so an outage is on record with its start and end.
        online = self._reachable and not self._values["offline"]
        self._set("online", online)
        self._set("image_ok", online and not self._values["image_loss"])


check_point_map(CctvCamera.KIND, CctvCamera.POINTS)
