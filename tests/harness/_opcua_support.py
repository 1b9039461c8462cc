"""Shared helpers of the OPC UA tests: a small scenario, users, and client factories."""

from __future__ import annotations

from pathlib import Path

from asyncua import Client
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from cryptography.x509.oid import ExtendedKeyUsageOID

import scenarios
from scenarios import Incidents, Scenario, ScriptedIncident
from scenarios.opcua import OpcUa, OpcUaUser, SecurityMode

USERS = (OpcUaUser(name="vera", password="view-pw", role="viewer"),
         OpcUaUser(name="otto", password="oper-pw", role="operator"),
         OpcUaUser(name="ada", password="admin-pw", role="admin"))
PASSWORDS = {u.name: u.password for u in USERS}
CLIENT_URI = "urn:commtwin:test-client"


def scenario(security: tuple[SecurityMode, ...] = ("None", "Basic256Sha256_SignAndEncrypt"),
             scripted: tuple[ScriptedIncident, ...] = (), refresh_s: float = 0.2) -> Scenario:
    base = scenarios.load("demo")
    return base.model_copy(update={
        "opcua": OpcUa(port=0, security=security, users=USERS, anonymous_role="none",
                       refresh_s=refresh_s),
        "incidents": Incidents(scripted=scripted, rates_per_hour={}),
    })


def client(url: str, user: str | None = None) -> Client:
    c = Client(url, timeout=10)
    if user is not None:
        c.set_user(user)
        c.set_password(PASSWORDS[user])
    return c


async def secure_client(url: str, user: str, folder: Path) -> Client:
    key, cert = folder / "client_key.pem", folder / "client_cert.der"
    await setup_self_signed_certificate(key, cert, CLIENT_URI, "localhost",
                                        [ExtendedKeyUsageOID.CLIENT_AUTH], {"commonName": "test"})
    c = client(url, user)
    c.application_uri = CLIENT_URI
    await c.set_security_string(f"Basic256Sha256,SignAndEncrypt,{cert},{key}")
    return c
