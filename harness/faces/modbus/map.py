"""A device kind's point map as Modbus tables: pymodbus blocks, register images, write decoding.

Pure translation between `devices.Point` rows and the four Modbus tables; the gateway server and
the reference platform both use it, so both sides read the map the same way. Bit tables use
pymodbus' bit addressing: coil/discrete-input address a lives in bit a % 16 of block word a // 16;
`points_in` still answers per bit, since a reply carries only the bits the request asked for.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData

from devices import CodecError, Point, Table, Value, WordOrder, decode_point, encode_point

#: Function code -> the table it addresses.
FC_TABLE: dict[int, Table] = {1: Table.COIL, 5: Table.COIL, 15: Table.COIL,
                              2: Table.DISCRETE_INPUT,
                              3: Table.HOLDING_REGISTER, 6: Table.HOLDING_REGISTER,
                              16: Table.HOLDING_REGISTER, 22: Table.HOLDING_REGISTER,
                              23: Table.HOLDING_REGISTER,
                              4: Table.INPUT_REGISTER}
TABLE_ORDER = (Table.COIL, Table.DISCRETE_INPUT, Table.HOLDING_REGISTER, Table.INPUT_REGISTER)


class WriteRefused(Exception):
    """A write the map cannot take; `code` is the Modbus exception code to answer."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class TableMap:
    """The points of one device kind in one table, indexed by address."""

    table: Table
    points: tuple[Point, ...]

    @functools.cached_property
    def by_address(self) -> dict[int, Point]:
        return {addr: p for p in self.points for addr in p.span()}

    @functools.cached_property
    def _spans(self) -> tuple[tuple[Point, int, int], ...]:
        # (point, first address, end address): computed once, read on every request.
        return tuple((p, p.address, p.address + p.count) for p in self.points)

    @functools.cached_property
    def _points_in_cache(self) -> dict[tuple[int, int], list[str] | None]:
        return {}

    def sim_blocks(self) -> list[SimData]:
        """pymodbus blocks: mapped addresses valid, gaps invalid (exception 02)."""
        if self.table.is_bit:
            words = sorted({p.address // 16 for p in self.points}) or [0]
            return [SimData(w, count=1, datatype=SimType.BITS,
                            readonly=not any(p.writable for p in self.points
                                             if p.address // 16 == w))
                    for w in words]
        if not self.points:
            return [SimData(0)]  # an INVALID block: every access answers exception 02
        return [SimData(p.address, count=p.count, datatype=SimType.REGISTERS,
                        readonly=not p.writable) for p in self.points]

    def fill(self, image: list[int], start: int, values: Mapping[str, Value],
             word_order: WordOrder) -> None:
        """Write the current values into a pymodbus block image starting at `start`.

        Points absent from `values` are left as they are (a read fills only what it touches).
        """
        if self.table.is_bit:
            for p in self.points:
                if p.name not in values:
                    continue
                word, bit = divmod(p.address, 16)
                i = word - start
                if 0 <= i < len(image):
                    if values[p.name]:
                        image[i] |= 1 << bit
                    else:
                        image[i] &= ~(1 << bit) & 0xFFFF
            return
        for p, lo, hi in self._spans:
            i = lo - start
            if p.name in values and i >= 0 and i + hi - lo <= len(image):
                image[i:i + hi - lo] = encode_point(p, values[p.name], word_order)

    def points_in(self, address: int, count: int) -> list[str] | None:
        """Names of the points a read of `count` units (bits or registers) at `address`
        carries, or None if the range touches an unmapped address (exception 02).

        Exact, for bits too: pymodbus' blocks hold 16 bits per word, but a reply carries only
        the bits asked for, and a point counts as seen only if it was in the reply.
        """
        # A platform polls the same few spans over and over: answer those from a table.
        key = (address, count)
        try:
            return self._points_in_cache[key]
        except KeyError:
            names = self._points_in(address, count)
            if len(self._points_in_cache) < 4096:
                self._points_in_cache[key] = names
            return names

    def _points_in(self, address: int, count: int) -> list[str] | None:
        lo, hi = address, address + count
        index = self.by_address
        # Register gaps are invalid blocks that pymodbus refuses before we are asked; bits are
        # mapped 16 to a block word, so an unmapped bit beside a mapped one is ours to refuse.
        if any(a not in index for a in range(lo, hi)):
            return None
        return [p.name for p, first, end in self._spans if first < hi and end > lo]

    def decode_write(self, address: int, written: Sequence[int | bool],
                     word_order: WordOrder) -> list[tuple[Point, Value]]:
        """Written words/bits -> (point, value) pairs, or `WriteRefused` with the code."""
        index = self.by_address
        out: list[tuple[Point, Value]] = []
        if self.table.is_bit:
            for offset, bit in enumerate(written):
                p = index.get(address + offset)
                if p is None or not p.writable:
                    raise WriteRefused(2, f"no writable point at {self.table.value} "
                                          f"{address + offset}")
                out.append((p, bool(bit)))
            return out
        end = address + len(written)
        addr = address
        while addr < end:
            p = index.get(addr)
            if p is None or not p.writable:
                raise WriteRefused(2, f"no writable point at {self.table.value} {addr}")
            if p.address != addr or p.address + p.count > end:
                raise WriteRefused(2, f"write covers part of {p.name} ({p.count} registers)")
            words = [int(w) for w in written[addr - address: addr - address + p.count]]
            try:
                out.append((p, decode_point(p, words, word_order)))
            except CodecError as exc:
                raise WriteRefused(3, str(exc)) from None
            addr += p.count
        return out


def table_maps(points: Sequence[Point]) -> dict[Table, TableMap]:
    return {t: TableMap(t, tuple(sorted((p for p in points if p.table is t),
                                        key=lambda p: p.address)))
            for t in TABLE_ORDER}
