"""The twin's OPC UA address space: a plan of nodes derived from the scenario, and a fast builder.

Layout: `Objects/<community>/<compound>/<building>/<device>/<point>`; devices without a building
sit under `<community>/unplaced`. Folders with more than `SHARD_LIMIT` children get shard folders
(`shard07`), because asyncua's add-node path and many clients' browse caches slow down with one
parent's child count. A child's shard is a crc32 bucket of its id, so paths derive from ids only,
never from insertion order.

NodeIds are strings in the twin's namespace and do not depend on the folder layout, so a
platform configuration keeps working when sharding changes: a point is `<device>.<point>`, a
device `<device>`, a folder `folder:<path>`. Points with a unit are AnalogItemType variables with
EngineeringUnits (UNECE codes) and EURange properties.

`plan()` makes the node list; `materialize()` puts it straight into asyncua's `AddressSpace`:
batched NodeData with the references written once, no per-node scan of the parent's references
(asyncua's `_add_node` does one, which is what makes it quadratic) and attribute values that are
identical across nodes (data type, access level, browse names of a kind's points) shared.
Sharing is safe because the twin's write service (`harness.faces.opcua.server`) refuses writes
to any attribute but Value in this namespace.
"""

from __future__ import annotations

import functools
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from asyncua import ua
from asyncua.server.address_space import AddressSpace, AttributeValue, NodeData

from devices import CodecError, DataType, Device, Point
from harness.faces.opcua.values import point_variant, to_variant, variant_type
from scenarios import Scenario

SHARD_LIMIT = 100
_SHARD_BUCKETS_MAX = 64

_RAW_RANGE = {DataType.BOOL: (0, 1), DataType.UINT16: (0, 0xFFFF),
              DataType.INT16: (-0x8000, 0x7FFF), DataType.UINT32: (0, 0xFFFF_FFFF),
              DataType.INT32: (-0x8000_0000, 0x7FFF_FFFF),
              DataType.FLOAT32: (-3.4028234663852886e38, 3.4028234663852886e38)}
#: Unit -> UNECE Rec. 20 common code and name (OPC UA Part 8 EUInformation).
UNECE = {"kWh": ("KWH", "kilowatt hour"), "kW": ("KWT", "kilowatt"), "V": ("VLT", "volt"),
         "A": ("AMP", "ampere"), "%": ("P1", "percent"), "s": ("SEC", "second"),
         "°C": ("CEL", "degree Celsius"), "m3": ("MTQ", "cubic metre"),
         "m³": ("MTQ", "cubic metre"),
         "kPa": ("KPA", "kilopascal"), "MPa": ("MPA", "megapascal"), "lx": ("LUX", "lux"),
         "W": ("WTT", "watt"), "Pa": ("PAL", "pascal"), "m": ("MTR", "metre")}
UNECE_URI = "http://www.opcfoundation.org/UA/units/un/cefact"


def nid(identifier: int | str, ns: int = 0) -> ua.NodeId:
    """A NodeId; asyncua's stubs want its own Int32/String/Int16 wrappers, plain values work."""
    if isinstance(identifier, int):
        return _numeric(identifier, ns)
    # A string NodeId built without NodeId.__post_init__'s type checks (two thirds of the
    # plan's time at 10^5 nodes); the fields are exactly what that check would accept.
    node = object.__new__(ua.NodeId)
    node.Identifier = cast(ua.String, identifier)
    node.NamespaceIndex = cast(ua.Int16, ns)
    node.NodeIdType = ua.NodeIdType.String
    return node


@functools.cache
def _numeric(identifier: int, ns: int) -> ua.NodeId:
    # A handful of distinct numeric ids (type definitions, reference and data types), each
    # asked for once per node: made once. Nothing mutates a NodeId, so sharing one is safe.
    return ua.NodeId(cast(ua.Int32, identifier), cast(ua.Int16, ns))


def unece_id(code: str) -> int:
    """UnitId of a UNECE common code (OPC UA Part 8, 5.6.3: the code's bytes, big-endian)."""
    out = 0
    for ch in code:
        out = (out << 8) | ord(ch)
    return out


def point_nodeid(ns: int, device_id: str, name: str) -> ua.NodeId:
    return nid(f"{device_id}.{name}", ns)


def device_nodeid(ns: int, device_id: str) -> ua.NodeId:
    return nid(device_id, ns)


@dataclass(slots=True)
class NodeSpec:
    """One node to create: what both the fast builder and asyncua's AddNodesItem path take.

    Not frozen, though nothing changes one: a frozen dataclass sets each field through
    `object.__setattr__` (2 us a spec against 0.3 us, ~0.8 s at 450,000 nodes)."""

    nodeid: ua.NodeId
    parent: ua.NodeId
    reftype: int
    nodeclass: ua.NodeClass
    browse: ua.QualifiedName
    display: ua.LocalizedText
    typedef: int
    description: ua.LocalizedText | None = None
    value: ua.Variant | None = None
    datatype: ua.NodeId | None = None
    access: int = 0
    event_notifier: int = 0


@dataclass(frozen=True)
class PointNode:
    device_id: str
    point: Point
    nodeid: ua.NodeId
    vtype: ua.VariantType


@dataclass
class SpaceIndex:
    """What the server needs to route reads, writes and alarms: node <-> (device, point)."""

    ns: int
    root: ua.NodeId
    points: dict[ua.NodeId, PointNode]
    by_point: dict[tuple[str, str], PointNode]
    devices: dict[str, ua.NodeId]
    node_count: int = 0


def shard_paths(ids: Sequence[str], limit: int = SHARD_LIMIT,
                depth: int = 0) -> dict[str, tuple[str, ...]]:
    """Shard folder names (outermost first) for each child id; () when no sharding is needed."""
    if len(ids) <= limit:
        return {i: () for i in ids}
    buckets = 2
    while True:
        groups: dict[int, list[str]] = defaultdict(list)
        for i in ids:
            groups[zlib.crc32(f"{depth}/{i}".encode()) % buckets].append(i)
        if max(len(g) for g in groups.values()) <= limit or buckets >= _SHARD_BUCKETS_MAX:
            break
        buckets *= 2
    out: dict[str, tuple[str, ...]] = {}
    for bucket, members in sorted(groups.items()):
        name = f"shard{bucket:02d}"
        for i, path in shard_paths(sorted(members), limit, depth + 1).items():
            out[i] = (name, *path)
    return out


class _Names:
    """Interned QualifiedName/LocalizedText objects: one per distinct name, shared by nodes."""

    def __init__(self, ns: int) -> None:
        self.ns = ns
        self._q: dict[str, ua.QualifiedName] = {}
        self._t: dict[str, ua.LocalizedText] = {}

    def q(self, name: str, ns: int | None = None) -> ua.QualifiedName:
        key = f"{self.ns if ns is None else ns}:{name}"
        got = self._q.get(key)
        if got is None:
            got = self._q[key] = ua.QualifiedName(name, self.ns if ns is None else ns)
        return got

    def t(self, text: str) -> ua.LocalizedText:
        got = self._t.get(text)
        if got is None:
            got = self._t[text] = ua.LocalizedText(text)
        return got


def plan(scenario: Scenario, devices: Iterable[Device], ns: int) -> Iterator[NodeSpec]:
    """Every node of the twin's namespace, parents before children, in a stable order."""
    names = _Names(ns)
    root = nid(f"folder:{scenario.name}", ns)
    yield NodeSpec(root, nid(ua.ObjectIds.ObjectsFolder), ua.ObjectIds.Organizes,
                   ua.NodeClass.Object, names.q(scenario.name), names.t(scenario.name),
                   ua.ObjectIds.FolderType, event_notifier=1)
    by_building: dict[str | None, list[Device]] = defaultdict(list)
    for device in devices:
        by_building[device.spec.building].append(device)
    folders: set[str] = set()

    def folder(path: tuple[str, ...], display: str | None = None) -> Iterator[NodeSpec]:
        for n in range(1, len(path) + 1):
            sid = "/".join(path[:n])
            if sid in folders:
                continue
            folders.add(sid)
            above = "/".join(path[:n - 1])
            parent = root if n == 1 else nid(f"folder:{scenario.name}/{above}", ns)
            label = display if (n == len(path) and display) else path[n - 1]
            yield NodeSpec(nid(f"folder:{scenario.name}/{sid}", ns), parent,
                           ua.ObjectIds.Organizes, ua.NodeClass.Object, names.q(path[n - 1]),
                           names.t(label), ua.ObjectIds.FolderType)

    compound_of = {b.id: c for c in scenario.site.compounds for b in c.buildings}
    compounds = sorted({c.id for c in compound_of.values()})
    shard_c = shard_paths(compounds)
    building_shards: dict[str, dict[str, tuple[str, ...]]] = {}
    for cid in compounds:
        bids = sorted(b for b, c in compound_of.items() if c.id == cid)
        building_shards[cid] = shard_paths(bids)

    def device_folder(building: str | None) -> tuple[str, ...]:
        if building is None or building not in compound_of:
            return ("unplaced",)
        cid = compound_of[building].id
        return (*shard_c[cid], cid, *building_shards[cid][building], building)

    for building in sorted(by_building, key=lambda b: "" if b is None else b):
        group = sorted(by_building[building], key=lambda d: d.id)
        base = device_folder(building)
        shards = shard_paths([d.id for d in group])
        for device in group:
            path = (*base, *shards[device.id])
            yield from folder(path)
            parent = nid(f"folder:{scenario.name}/{'/'.join(path)}", ns)
            yield from _device_nodes(device, parent, ns, names)


def _device_nodes(device: Device, parent: ua.NodeId, ns: int, names: _Names) -> Iterator[NodeSpec]:
    dev_id = device_nodeid(ns, device.id)
    yield NodeSpec(dev_id, parent, ua.ObjectIds.Organizes, ua.NodeClass.Object,
                   names.q(device.id), names.t(device.spec.name or device.id),
                   ua.ObjectIds.BaseObjectType, names.t(device.KIND), event_notifier=1)
    values = device.read_all()
    for point in device.POINTS:
        vtype = variant_type(point)
        try:
            value = point_variant(point, values[point.name])
        except CodecError:
            # Unservable at build time (Modbus would answer 04): 0 until the device changes
            # it; computed points are recomputed on every Read anyway.
            value = to_variant(vtype, 0)
        nodeid = point_nodeid(ns, device.id, point.name)
        analog = bool(point.unit) and point.dtype is not DataType.BOOL
        access = (ua.AccessLevel.CurrentRead.mask
                  | (ua.AccessLevel.CurrentWrite.mask if point.writable else 0))
        yield NodeSpec(nodeid, dev_id, ua.ObjectIds.HasComponent, ua.NodeClass.Variable,
                       names.q(point.name), names.t(point.name),
                       ua.ObjectIds.AnalogItemType if analog else ua.ObjectIds.BaseDataVariableType,
                       names.t(point.description) if point.description else None,
                       value, nid(vtype.value), access)
        if analog:
            yield from _analog_properties(point, nodeid, ns, names)


def _analog_properties(point: Point, nodeid: ua.NodeId, ns: int,
                       names: _Names) -> Iterator[NodeSpec]:
    eu, rng = _analog_values(point)
    read = ua.AccessLevel.CurrentRead.mask
    base = str(nodeid.Identifier)
    yield NodeSpec(nid(f"{base}.EngineeringUnits", ns), nodeid, ua.ObjectIds.HasProperty,
                   ua.NodeClass.Variable, names.q("EngineeringUnits", 0),
                   names.t("EngineeringUnits"), ua.ObjectIds.PropertyType,
                   value=eu, datatype=nid(ua.ObjectIds.EUInformation), access=read)
    yield NodeSpec(nid(f"{base}.EURange", ns), nodeid, ua.ObjectIds.HasProperty,
                   ua.NodeClass.Variable, names.q("EURange", 0), names.t("EURange"),
                   ua.ObjectIds.PropertyType,
                   value=rng, datatype=nid(ua.ObjectIds.Range), access=read)


@functools.cache
def _analog_values(point: Point) -> tuple[ua.Variant, ua.Variant]:
    """EngineeringUnits and EURange of a point kind: the same for every device of the kind,
    so made once per point (the properties are read-only; their Variants are shared)."""
    code, unit_name = UNECE.get(point.unit, ("", point.unit))
    eu = ua.EUInformation(NamespaceUri=UNECE_URI, UnitId=unece_id(code) if code else -1,
                          DisplayName=ua.LocalizedText(point.unit),
                          Description=ua.LocalizedText(unit_name))
    lo, hi = point.write_range or _RAW_RANGE[point.dtype]
    if point.write_range is None and point.dtype is not DataType.FLOAT32:
        lo, hi = lo * point.scale, hi * point.scale
    return (ua.Variant(eu, ua.VariantType.ExtensionObject),
            ua.Variant(ua.Range(Low=float(lo), High=float(hi)), ua.VariantType.ExtensionObject))


class _Shared:
    """AttributeValues that are the same for many nodes, made once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[object, ...], AttributeValue] = {}

    def get(self, key: tuple[object, ...], value: object, vtype: ua.VariantType,
            is_array: bool = False) -> AttributeValue:
        # The Variant is made only on a miss: ~2 million lookups at 10^5 nodes, and a Variant's
        # __post_init__ costs more than the lookup.
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = AttributeValue(
                ua.DataValue(ua.Variant(value, vtype, is_array=is_array)))
        return got


def materialize(aspace: AddressSpace, specs: Iterable[NodeSpec]) -> dict[ua.NodeId, NodeData]:
    """Put the planned nodes straight into asyncua's address space; return them by NodeId.

    Per node only what is its own is made: its NodeId and Value attributes and the reference
    its parent gets. Every other attribute comes from a template shared by the nodes that
    agree on them (all of a point kind's variables, say), copied as one dict; the reference
    back to the parent is shared by siblings, the type reference by nodes of one type. At
    450,000 nodes this halves the build."""
    shared = _Shared()
    templates: dict[tuple[object, ...], tuple[dict[ua.AttributeIds, AttributeValue],
                                              NodeSpec]] = {}
    back_refs: dict[tuple[ua.NodeId, int, ua.NodeClass], ua.ReferenceDescription] = {}
    type_refs: dict[tuple[int, bool], ua.ReferenceDescription] = {}
    made: dict[ua.NodeId, NodeData] = {}
    nodeclass_of: dict[ua.NodeId, ua.NodeClass] = {}
    # asyncua's node dict itself: AddressSpace's item methods only forward to it.
    nodes = aspace._nodes
    A = ua.AttributeIds
    V = ua.VariantType
    has_typedef = nid(ua.ObjectIds.HasTypeDefinition)
    # A ReferenceDescription left without BrowseName, DisplayName or TypeDefinition makes each
    # from a default factory (three objects, ~15 us); the back and type references share these.
    no_name, no_text, no_node = ua.QualifiedName(), ua.LocalizedText(), ua.ExpandedNodeId()
    for s in specs:
        # By identity: plan() interns names and data types, so equal ones are the same object;
        # the template keeps its spec, so no id is reused while the loop runs.
        key = (s.nodeclass, id(s.browse), id(s.display), id(s.description), id(s.datatype),
               s.access, s.event_notifier)
        got = templates.get(key)
        if got is None:
            got = templates[key] = (_template(s, shared), s)
        nd = NodeData(s.nodeid)
        at = nd.attributes = got[0].copy()
        at[A.NodeId] = AttributeValue(ua.DataValue(ua.Variant(s.nodeid, V.NodeId)))
        if s.nodeclass is not ua.NodeClass.Object:
            # Value is the one per-node mutable attribute; timestamps come with each push.
            at[A.Value] = AttributeValue(ua.DataValue(s.value))
        reftype = nid(s.reftype)
        parent = made.get(s.parent) or aspace[s.parent]
        parent_class = nodeclass_of.get(s.parent, ua.NodeClass.Object)
        back = back_refs.get((s.parent, s.reftype, parent_class))
        if back is None:
            back = back_refs[(s.parent, s.reftype, parent_class)] = ua.ReferenceDescription(
                reftype, False, s.parent, no_name, no_text, parent_class, no_node)
        is_object = s.nodeclass is ua.NodeClass.Object
        typeref = type_refs.get((s.typedef, is_object))
        if typeref is None:
            typeref = type_refs[(s.typedef, is_object)] = ua.ReferenceDescription(
                has_typedef, True, nid(s.typedef), no_name, no_text,
                ua.NodeClass.ObjectType if is_object else ua.NodeClass.VariableType, no_node)
        nd.references = [back, typeref]
        parent.references.append(ua.ReferenceDescription(
            reftype, True, s.nodeid, s.browse, s.display, s.nodeclass, nid(s.typedef)))
        nodes[s.nodeid] = nd
        made[s.nodeid] = nd
        nodeclass_of[s.nodeid] = s.nodeclass
    return made


def _template(s: NodeSpec, shared: _Shared) -> dict[ua.AttributeIds, AttributeValue]:
    """The attributes `s` shares with the nodes that agree with it (all but NodeId and Value)."""
    A = ua.AttributeIds
    V = ua.VariantType
    at = {A.NodeClass: shared.get(("nc", s.nodeclass), s.nodeclass, V.Int32),
          A.BrowseName: shared.get(("bn", s.browse.NamespaceIndex, s.browse.Name), s.browse,
                                   V.QualifiedName),
          A.DisplayName: shared.get(("dn", s.display.Text), s.display, V.LocalizedText),
          A.WriteMask: shared.get(("wm",), 0, V.UInt32),
          A.UserWriteMask: shared.get(("uwm",), 0, V.UInt32)}
    if s.description is not None:
        at[A.Description] = shared.get(("de", s.description.Text), s.description,
                                       V.LocalizedText)
    if s.nodeclass is ua.NodeClass.Object:
        at[A.EventNotifier] = shared.get(("en", s.event_notifier), s.event_notifier, V.Byte)
        return at
    at.update({
        A.DataType: shared.get(("dt", s.datatype), s.datatype, V.NodeId),
        A.ValueRank: shared.get(("vr",), -1, V.Int32),
        A.ArrayDimensions: shared.get(("ad",), [], V.UInt32, is_array=True),
        A.AccessLevel: shared.get(("al", s.access), s.access, V.Byte),
        A.UserAccessLevel: shared.get(("ual", s.access), s.access, V.Byte),
        A.MinimumSamplingInterval: shared.get(("msi",), 0.0, V.Double),
        A.Historizing: shared.get(("hi",), False, V.Boolean)})
    return at


def index(scenario: Scenario, devices: Iterable[Device], ns: int, node_count: int) -> SpaceIndex:
    points: dict[ua.NodeId, PointNode] = {}
    by_point: dict[tuple[str, str], PointNode] = {}
    device_ids: dict[str, ua.NodeId] = {}
    for device in devices:
        device_ids[device.id] = device_nodeid(ns, device.id)
        for point in device.POINTS:
            pn = PointNode(device.id, point, point_nodeid(ns, device.id, point.name),
                           variant_type(point))
            points[pn.nodeid] = pn
            by_point[(device.id, point.name)] = pn
    return SpaceIndex(ns, nid(f"folder:{scenario.name}", ns), points, by_point, device_ids,
                      node_count)
