"""Client side of the live benchmarks, in its own process: Modbus pollers (twin and bare,
interleaved so both see the same conditions), incident watchers, OPC UA sessions.

Reads a JSON spec on stdin (written by `live_world.run_clients`), prints one JSON report on
stdout. Every stamp is `time.monotonic()`, the clock the server process stamps with.
Bounded: every loop ends at the spec's `end` instant; every request has a timeout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from typing import Any

from asyncua import Client, ua
from pymodbus.client import AsyncModbusTcpClient

logging.disable(logging.WARNING)  # a timed-out request must not print a traceback per poll


def summary(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"n": 0}
    s = sorted(ms)
    return {"n": len(s), "p50_ms": s[len(s) // 2], "p99_ms": s[min(len(s) - 1, int(len(s) * .99))],
            "max_ms": s[-1]}


async def connect(port: int) -> AsyncModbusTcpClient:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=3, retries=0)
    await client.connect()
    return client


class Recorder:
    """Latencies (ms) by name, and by minute since `t_start` for the soak."""

    def __init__(self, t_start: float) -> None:
        self.t_start = t_start
        self.lat: dict[str, list[float]] = {}
        self.minutes: dict[int, dict[str, Any]] = {}
        self.errors = 0

    def add(self, name: str, ms: float, at: float) -> None:
        self.lat.setdefault(name, []).append(ms)
        minute = self.minutes.setdefault(int((at - self.t_start) // 60), {"lat": [], "n": 0})
        if name.startswith("twin"):
            minute["lat"].append(ms)
            minute["n"] += 1

    def note(self, name: str, at: float) -> None:
        minute = self.minutes.setdefault(int((at - self.t_start) // 60), {"lat": [], "n": 0})
        minute[name] = minute.get(name, 0) + 1


async def poller(rec: Recorder, tag: str, twin: dict[str, int], bare_port: int | None,
                 period_s: float, start: float, end: float) -> None:
    """Read `twin`'s registers every `period_s` (and the bare server's, right after), from
    `start` (callers stagger it: pollers started together would poll in bursts)."""
    tc = await connect(twin["port"])
    bc = await connect(bare_port) if bare_port else None
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    next_at = time.monotonic()
    flip = False
    try:
        while (now := time.monotonic()) < end:
            order = [("twin", tc, twin["unit"], twin["address"]), ("bare", bc, 1, 0)]
            flip = not flip  # alternate who goes first: the first read after a sleep pays
            for name, client, unit, addr in (order if flip else order[::-1]):  # for waking up
                if client is None:
                    continue
                t0 = time.monotonic()
                try:
                    rr = await client.read_input_registers(addr, count=twin["count"],
                                                           device_id=unit)
                    if rr.isError():
                        rec.errors += 1
                except Exception:
                    rec.errors += 1
                    continue
                t1 = time.monotonic()
                rec.add(f"{name} {tag}", (t1 - t0) * 1000, t1)
            next_at += period_s
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if now > next_at + 1:  # fell far behind: do not burst to catch up
                next_at = time.monotonic()
    finally:
        tc.close()
        if bc is not None:
            bc.close()


async def watcher(rec: Recorder, clients: dict[int, AsyncModbusTcpClient],
                  incident: dict[str, Any]) -> None:
    """Poll an incident's alarm bit back to back from just before its scheduled instant; the
    first answer carrying it is when it was on the wire (to within one round trip)."""
    at = incident["at_wall"]
    await asyncio.sleep(max(0.0, at - 0.02 - time.monotonic()))
    client = clients[incident["port"]]
    while time.monotonic() < at + 2.0:
        try:
            rr = await client.read_discrete_inputs(incident["address"], count=1,
                                                   device_id=incident["unit"])
        except Exception:
            rec.errors += 1
            continue
        now = time.monotonic()
        if not rr.isError() and rr.bits[0]:
            rec.add("incident on wire (modbus)", (now - at) * 1000, now)
            return
    rec.errors += 1  # never seen


class Handler:
    def __init__(self, rec: Recorder, alarms: dict[str, float], t0: float) -> None:
        self.rec, self.alarms, self.t0 = rec, alarms, t0
        self.seen: set[str] = set()
        self.first: set[str] = set()  # the initial value of each item is not a change

    def datachange_notification(self, node: Any, val: Any, data: Any) -> None:
        now = time.monotonic()
        key = node.nodeid.to_string()
        if key not in self.first:
            self.first.add(key)
            return
        at = self.alarms.get(key)
        if at is not None:
            if val and key not in self.seen:
                self.seen.add(key)
                self.rec.add("incident notified (opcua)", (now - at) * 1000, now)
            return
        # a computed value changes at a period boundary of simulated time (speed 1: 1 s)
        sample = self.t0 + int(now - self.t0)
        self.rec.add("computed notified (opcua)", (now - sample) * 1000, now)
        self.rec.note("notifications", now)


async def session(rec: Recorder, spec: dict[str, Any], nodes: list[str],
                  alarms: dict[str, float], reads: list[str], end: float) -> None:
    client = Client(spec["url"], timeout=30)
    await client.connect()
    try:
        handler = Handler(rec, alarms, spec["t0"])
        sub = await client.create_subscription(spec["publishing_ms"], handler)
        wanted = [client.get_node(ua.NodeId.from_string(n)) for n in nodes]
        for i in range(0, len(wanted), 500):
            await sub.subscribe_data_change(wanted[i:i + 500], queuesize=1)
        to_read = [client.get_node(ua.NodeId.from_string(n)) for n in reads]
        while (now := time.monotonic()) < end:
            if to_read:
                t0 = time.monotonic()
                await client.read_values(to_read)
                t1 = time.monotonic()
                rec.add("opcua read", (t1 - t0) * 1000, t1)
            await asyncio.sleep(min(1.0, max(0.0, end - now)))
        await sub.delete()
    finally:
        await client.disconnect()


async def amain(spec: dict[str, Any]) -> dict[str, Any]:
    end = spec["end"]
    rec = Recorder(spec["start"])
    tasks: list[Any] = []
    alarms = {i["nodeid"]: i["at_wall"] for i in spec["incidents"]}
    for k, nodes in enumerate(spec["opcua_sessions"]):
        tasks.append(session(rec, spec, nodes + (list(alarms) if k == 0 else []),
                             alarms, spec.get("opcua_reads", [[]] * 99)[k], end))
    watch_clients = {port: await connect(port) for port in {i["port"] for i in spec["incidents"]}}
    tasks += [watcher(rec, watch_clients, i) for i in spec["incidents"]]
    for phase in spec["phases"]:  # [{tag, start, end, pollers: [...], bare, period_s}]
        n = len(phase["pollers"])
        for k, p in enumerate(phase["pollers"]):  # phases spread over one period, as real
            # platforms' pollers are; in step, 100 pollers are a burst of 100 requests
            offset = phase["period_s"] * k / n if phase.get("stagger", True) else 0.0
            tasks.append(poller(rec, phase["tag"], p, spec["bare_port"] if phase["bare"] else None,
                                phase["period_s"], phase["start"] + offset, phase["end"]))
    await asyncio.gather(*tasks)
    for c in watch_clients.values():
        c.close()
    return {"latency": {k: summary(v) for k, v in rec.lat.items()},
            "minutes": {m: {"requests": d["n"], **summary(d["lat"]),
                            "notifications": d.get("notifications", 0)}
                        for m, d in sorted(rec.minutes.items())},
            "errors": rec.errors}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(amain(json.load(sys.stdin)))))
