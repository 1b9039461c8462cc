"""The namespace-0 cache: the same standard nodes as asyncua builds, never code, rebuilt when bad.

Independent reference: asyncua's own build of namespace 0 (`fill_address_space`), compared in
OPC UA binary, i.e. as a client receives it. A client we did not write (asyncua's) then reads
and browses standard nodes of a server whose namespace 0 came from the cache.
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from asyncua import Server, ua
from asyncua.server.address_space import NodeData
from asyncua.ua import ua_binary

from harness.faces.opcua import ns0cache
from harness.faces.opcua.server import OpcUaServer
from sim import World
from tests.harness._opcua_support import client, scenario


def _wire(nd: NodeData) -> tuple[bytes, dict[int, bytes], bytes]:
    return (ua_binary.nodeid_to_binary(nd.nodeid),
            {int(k): ua_binary.struct_to_binary(v.value) for k, v in nd.attributes.items()},
            ua_binary.list_to_binary(ua.ReferenceDescription, nd.references))


@pytest.fixture(scope="module")
def built() -> dict[ua.NodeId, NodeData]:
    """Namespace 0 as asyncua builds it, without any cache."""
    server = Server()
    asyncio.run(server.iserver.load_standard_address_space())
    return dict(server.iserver.aspace._nodes.items())


def test_every_standard_node_reads_back_as_asyncua_built_it(
        built: dict[ua.NodeId, NodeData]) -> None:
    data = ns0cache.encode(built)
    assert data is not None
    where = ns0cache.index(data)
    assert where is not None and len(where) == len(built) > 5000
    for nodeid, nd in built.items():
        assert _wire(ns0cache.decode(data, *where[nodeid.to_string()])) == _wire(nd), nodeid


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield tmp_path / "cache" / "commtwin"


async def _serve(tmp_path: Path) -> OpcUaServer:
    world = World(scenario(), seed=0)
    world.live_clock(1.0)
    server = OpcUaServer(world, out_dir=tmp_path / "out", port=0, insecure=True)
    await server.start()
    return server


async def test_second_start_serves_the_cached_standard_nodes(cache_dir: Path,
                                                             tmp_path: Path) -> None:
    first = await _serve(tmp_path)
    await first.stop()
    path = ns0cache.cache_path()
    assert path.parent == cache_dir and path.is_file()
    assert not (tmp_path / "out" / "opcua" / path.name).exists()  # never in the run's folder
    second = await _serve(tmp_path)
    try:
        assert isinstance(second.server.iserver.aspace._nodes, ns0cache.LazyNodes)
        async with client(second.endpoint.url, "vera") as c:
            uris = await c.get_node(ua.ObjectIds.Server_NamespaceArray).read_value()
            assert uris[0] == "http://opcfoundation.org/UA/" and "urn:commtwin:" in uris[-1]
            state = await c.get_node(ua.ObjectIds.Server_ServerStatus_State).read_value()
            assert state == ua.ServerState.Running
            subtypes = await c.get_node(ua.ObjectIds.BaseEventType).get_children(
                refs=ua.ObjectIds.HasSubtype)
            assert ua.NodeId(ua.ObjectIds.ConditionType) in [n.nodeid for n in subtypes]
            # the twin's own nodes hang under the cached Objects folder
            objects = await c.nodes.objects.get_children()
            names = [(await n.read_browse_name()).Name for n in objects]
            assert "Server" in names and second.world.scenario.name in names
    finally:
        await second.stop()


@pytest.mark.parametrize("damage", ["flip", "truncate", "pickle"])
async def test_a_damaged_or_foreign_cache_is_rebuilt_never_executed(
        cache_dir: Path, tmp_path: Path, damage: str) -> None:
    first = await _serve(tmp_path)
    await first.stop()
    path = ns0cache.cache_path()
    good = path.read_bytes()
    marker = tmp_path / "executed"
    if damage == "flip":
        bad = bytearray(good)
        bad[len(bad) // 2] ^= 0xFF
        path.write_bytes(bytes(bad))
    elif damage == "truncate":
        path.write_bytes(good[:len(good) // 3])
    else:  # a pickle that would create a file if anything unpickled it
        path.write_bytes(pickle.dumps(_Trap(str(marker))))
    server = await _serve(tmp_path)
    try:
        assert not isinstance(server.server.iserver.aspace._nodes, ns0cache.LazyNodes)
        async with client(server.endpoint.url, "vera") as c:
            state = await c.get_node(ua.ObjectIds.Server_ServerStatus_State).read_value()
            assert state == ua.ServerState.Running
    finally:
        await server.stop()
    assert not marker.exists()
    assert path.read_bytes() == good  # rebuilt


class _Trap:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (Path(self.path), "ran"))  # type: ignore[return-value]
