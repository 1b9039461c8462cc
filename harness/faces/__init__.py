"""Protocol faces over the devices' points, one sub-package per protocol.

`FACES` maps a face's name to its factory: a run starts the faces it asks for by name, with no
per-protocol code of its own. Adding a protocol is one sub-package implementing `Face` and one
line here. Faces never import platforms, evidence, report or cli.
"""

from __future__ import annotations

from harness.faces.base import Face, FaceFactory, FaceOptions, FaceStartError
from harness.faces.http import HttpFace
from harness.faces.modbus import ModbusFace
from harness.faces.opcua import OpcUaFace

FACES: dict[str, FaceFactory] = {
    "modbus": ModbusFace,
    "opcua": OpcUaFace,
    "http": HttpFace,
}

__all__ = ["FACES", "Face", "FaceFactory", "FaceOptions", "FaceStartError", "HttpFace",
           "ModbusFace", "OpcUaFace"]
