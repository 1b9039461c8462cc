"""A cache of OPC UA's standard address space (namespace 0) in OPC UA binary, loaded lazily.

asyncua builds namespace 0 (~6,000 nodes) from generated Python on every start: 1.3-2.9 s on
this project's 2-core machine, a good part of a large community's start-up. asyncua's own
cache is a `shelve`, i.e. pickles, and unpickling a file that someone else could write runs
their code. This cache holds the same nodes in OPC UA binary encoding (Part 6), which asyncua
decodes into its own data classes and nothing else, so a tampered file can at worst give wrong
standard nodes, never run code.

Layout (`FORMAT`): a header line, the SHA-256 of the rest, then one record per node:
NodeId, its attributes (AttributeId, DataValue) and its references (ReferenceDescription[]).
The file lives in the user's cache directory (`$XDG_CACHE_HOME/commtwin`, else
`~/.cache/commtwin`), one per asyncua version, never in a run's output folder. Nodes are
decoded when first used (`LazyNodes`); a start touches a few hundred of them.

A file that is missing, truncated, from another asyncua version or fails its digest is
ignored and rebuilt: the server then builds namespace 0 as asyncua does.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import struct
from collections.abc import Iterator, MutableMapping
from importlib.metadata import version
from pathlib import Path

from asyncua import ua
from asyncua.common.utils import Buffer
from asyncua.server.address_space import AddressSpace, AttributeValue, NodeData
from asyncua.server.internal_server import InternalServer
from asyncua.ua import ua_binary

from harness.contract.files import atomic_write_bytes

log = logging.getLogger(__name__)

FORMAT = b"commtwin-opcua-ns0 1"
_U32 = struct.Struct("<I")


def cache_path() -> Path:
    """Where this asyncua version's namespace-0 cache lives."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "commtwin" / f"opcua-ns0-asyncua-{version('asyncua')}.bin"


def encode(nodes: dict[ua.NodeId, NodeData]) -> bytes | None:
    """The nodes in the cache format, or None when a node holds what binary cannot carry (a
    method or value callback: asyncua's fill sets none, but a later version might)."""
    records = []
    for nodeid, nd in nodes.items():
        if nd.call is not None or any(a.value_callback is not None or a.value_setter is not None
                                      for a in nd.attributes.values()):
            return None
        parts = [ua_binary.nodeid_to_binary(nodeid), _U32.pack(len(nd.attributes))]
        for attr, av in nd.attributes.items():
            parts.append(_U32.pack(int(attr)))
            parts.append(ua_binary.struct_to_binary(av.value))
        parts.append(ua_binary.list_to_binary(ua.ReferenceDescription, nd.references))
        body = b"".join(parts)
        key = nodeid.to_string().encode()
        records.append(_U32.pack(len(key)) + key + _U32.pack(len(body)) + body)
    payload = b"".join(records)
    header = FORMAT + b"\n" + version("asyncua").encode() + b"\n"
    return header + hashlib.sha256(payload).digest() + payload


def index(data: bytes) -> dict[str, tuple[int, int]] | None:
    """NodeId string -> (offset, length) of its record body; None if the file is not a valid
    cache for this asyncua version."""
    header = FORMAT + b"\n" + version("asyncua").encode() + b"\n"
    if not data.startswith(header) or len(data) < len(header) + 32:
        return None
    digest, start = data[len(header):len(header) + 32], len(header) + 32
    if hashlib.sha256(memoryview(data)[start:]).digest() != digest:
        return None
    out: dict[str, tuple[int, int]] = {}
    pos = start
    try:
        while pos < len(data):
            (klen,) = _U32.unpack_from(data, pos)
            key = data[pos + 4:pos + 4 + klen].decode()
            pos += 4 + klen
            (blen,) = _U32.unpack_from(data, pos)
            out[key] = (pos + 4, blen)
            pos += 4 + blen
    except (struct.error, UnicodeDecodeError):
        return None
    return out if pos == len(data) else None


def decode(data: bytes, offset: int, length: int) -> NodeData:
    buf = Buffer(data, offset, length)
    nodeid = ua_binary.nodeid_from_binary(buf)
    nd = NodeData(nodeid)
    (n,) = _U32.unpack(buf.read(4))
    for _ in range(n):
        (attr,) = _U32.unpack(buf.read(4))
        nd.attributes[ua.AttributeIds(attr)] = AttributeValue(
            ua_binary.from_binary(ua.DataValue, buf))
    nd.references = ua_binary.from_binary(list[ua.ReferenceDescription], buf)
    return nd


class LazyNodes(MutableMapping[ua.NodeId, NodeData]):
    """asyncua's node dict, with namespace 0 decoded from the cache on first access.

    Like asyncua's shelf loader, iteration and len() cover only the nodes decoded or added so
    far; membership covers the cache too (asyncua's NodeId generator asks `in`)."""

    def __init__(self, data: bytes, where: dict[str, tuple[int, int]]) -> None:
        self._data = data
        self._where = where
        self.cache: dict[ua.NodeId, NodeData] = {}

    def __getitem__(self, key: ua.NodeId) -> NodeData:
        try:
            return self.cache[key]
        except KeyError:
            at = self._where.get(key.to_string()) if isinstance(key, ua.NodeId) else None
            if at is None:
                raise
            node = self.cache[key] = decode(self._data, *at)
            return node

    def __setitem__(self, key: ua.NodeId, value: NodeData) -> None:
        self.cache[key] = value

    def __delitem__(self, key: ua.NodeId) -> None:
        self._where.pop(key.to_string(), None)
        self.cache.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self.cache or (isinstance(key, ua.NodeId) and key.to_string() in self._where)

    def __iter__(self) -> Iterator[ua.NodeId]:
        return iter(self.cache)

    def __len__(self) -> int:
        return len(self.cache)


def load(aspace: AddressSpace, path: Path) -> bool:
    """Point `aspace` at the cached namespace 0; False (and nothing changed) if unusable."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    where = index(data)
    if where is None:
        log.info("OPC UA namespace-0 cache %s is not valid for this asyncua: rebuilding", path)
        return False
    aspace._nodes = LazyNodes(data, where)  # type: ignore[assignment]
    return True


def save(aspace: AddressSpace, path: Path) -> None:
    """Write the cache from a freshly built namespace 0 (before anything else is added)."""
    data = encode(dict(aspace._nodes.items()))
    if data is None:
        log.info("OPC UA namespace 0 holds callbacks: not cached")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
    except OSError as exc:  # a read-only home: start without a cache, every time
        log.info("OPC UA namespace-0 cache not written to %s: %s", path, exc.strerror or exc)


def install(iserver: InternalServer, path: Path | None = None) -> None:
    """Make `iserver.init()` take namespace 0 from the cache at `path` (default
    `cache_path()`), building it as asyncua does and writing the cache when there is none."""
    where = path or cache_path()
    build = iserver.load_standard_address_space

    async def load_or_build(shelf_file: Path | None = None) -> None:
        if await asyncio.to_thread(load, iserver.aspace, where):
            return
        await build()
        await asyncio.to_thread(save, iserver.aspace, where)

    iserver.load_standard_address_space = load_or_build  # type: ignore[method-assign]
