"""What a community is: a TOML scenario file validated into a frozen `Scenario`.

Every other package imports its types from here; this package imports nothing of ours.
"""

from scenarios.errors import Problem, ScenarioError
from scenarios.loader import bundled_names, from_dict, load, loads, resolve, validate
from scenarios.model import (
    INCIDENT_DEVICE_KIND,
    SCHEMA_VERSION,
    Building,
    Compound,
    Device,
    DeviceKind,
    Gateway,
    IncidentKind,
    Incidents,
    LatLon,
    Platform,
    Run,
    Scenario,
    ScriptedIncident,
    Site,
)

__all__ = [
    "INCIDENT_DEVICE_KIND",
    "SCHEMA_VERSION",
    "Building",
    "Compound",
    "Device",
    "DeviceKind",
    "Gateway",
    "IncidentKind",
    "Incidents",
    "LatLon",
    "Platform",
    "Problem",
    "Run",
    "Scenario",
    "ScenarioError",
    "ScriptedIncident",
    "Site",
    "bundled_names",
    "from_dict",
    "load",
    "loads",
    "resolve",
    "validate",
]
