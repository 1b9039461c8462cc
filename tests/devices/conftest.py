"""Building one device of a kind in a fresh SimPy environment, as the world would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import simpy

import devices
from devices import Device
from scenarios import Device as DeviceSpec
from sim.streams import stream

Make = Callable[..., tuple[simpy.Environment, Device]]


def make_device(kind: str, seed: int = 1, **params: Any) -> tuple[simpy.Environment, Device]:
    env = simpy.Environment()
    spec = DeviceSpec(id=f"{kind}-1", kind=kind, position=(0.0, 0.0), gateway="gw", unit=1,
                      **params)
    return env, devices.build(env, spec, stream(seed, f"device/{spec.id}"))


@pytest.fixture
def make() -> Make:
    return make_device


def write(env: simpy.Environment, device: Device, name: str, value: Any) -> None:
    """An outside write, applied at the current instant (as `World.write` does)."""
    device.submit_write(name, value)
    while env.peek() <= env.now:
        env.step()
