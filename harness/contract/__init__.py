"""What the twin publishes to any platform: the endpoints it serves and the point list.

Faces fill these in; platforms (ours and the user's) read them. Neither side imports the other,
so this is the only code both share — exactly what an integrator is handed on paper.
"""

from harness.contract.endpoints import (
    Endpoint,
    HttpEndpoint,
    ModbusEndpoint,
    OpcUaEndpoint,
    read_endpoints,
    write_endpoints,
)

__all__ = ["Endpoint", "HttpEndpoint", "ModbusEndpoint", "OpcUaEndpoint", "read_endpoints",
           "write_endpoints"]
