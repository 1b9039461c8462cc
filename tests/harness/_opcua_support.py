"""Shared helpers of the OPC UA tests: a small scenario, users, and client factories.

The functional tests (values, alarms, faults) serve `scenario()` — a None endpoint only — with
`insecure=True`, so their clients need no certificates; the security tests serve the secure
defaults and connect with `secure_client` (a certificate the test trusts explicitly) or with
`make_certificate` for certificates that must be refused.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

from asyncua import Client
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import scenarios
from scenarios import Incidents, Scenario, ScriptedIncident
from scenarios.opcua import OpcUa, OpcUaUser, SecurityMode

USERS = (OpcUaUser(name="vera", password="view-pw", role="viewer"),
         OpcUaUser(name="otto", password="oper-pw", role="operator"),
         OpcUaUser(name="ada", password="admin-pw", role="admin"))
PASSWORDS = {u.name: u.secret() for u in USERS}
CLIENT_URI = "urn:commtwin:test-client"


def scenario(security: tuple[SecurityMode, ...] = ("None",),
             scripted: tuple[ScriptedIncident, ...] = (), refresh_s: float = 0.2,
             anonymous_role: str = "none") -> Scenario:
    base = scenarios.load("demo")
    return base.model_copy(update={
        "opcua": OpcUa(port=0, security=security, users=USERS,
                       anonymous_role=anonymous_role,  # type: ignore[arg-type]
                       refresh_s=refresh_s),
        "incidents": Incidents(scripted=scripted, rates_per_hour={}),
    })


def client(url: str, user: str | None = None, password: str | None = None) -> Client:
    c = Client(url, timeout=10)
    if user is not None:
        c.set_user(user)
        c.set_password(password if password is not None else PASSWORDS[user])
    return c


def trust(cert: Path, work_dir: Path) -> None:
    """Put a client certificate in the trust list of the server working in `work_dir`."""
    der = x509.load_der_x509_certificate(cert.read_bytes()).public_bytes(
        serialization.Encoding.DER)
    trusted = work_dir / "opcua" / "pki" / "trusted"
    trusted.mkdir(parents=True, exist_ok=True)
    (trusted / f"{hashlib.sha1(der).hexdigest().upper()}.der").write_bytes(der)


async def secure_client(url: str, user: str | None, folder: Path,
                        trust_in: Path | None = None, mode: str = "SignAndEncrypt",
                        password: str | None = None) -> Client:
    """A client with its own certificate made in `folder` (trusted in the server working in
    `trust_in`, if given)."""
    key, cert = folder / "client_key.pem", folder / "client_cert.der"
    await setup_self_signed_certificate(key, cert, CLIENT_URI, "localhost",
                                        [ExtendedKeyUsageOID.CLIENT_AUTH], {"commonName": "test"})
    if trust_in is not None:
        trust(cert, trust_in)
    c = client(url, user, password)
    c.application_uri = CLIENT_URI
    await c.set_security_string(f"Basic256Sha256,{mode},{cert},{key}")
    return c


def make_certificate(folder: Path, name: str, uri: str = CLIENT_URI,
                     valid_from_days: float = -1, valid_to_days: float = 30) -> tuple[Path, Path]:
    """(certificate DER, key PEM) valid from/to the given days relative to now."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=valid_from_days))
            .not_valid_after(now + datetime.timedelta(days=valid_to_days))
            .add_extension(x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier(uri), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=True,
                data_encipherment=True, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / f"{name}_cert.der", folder / f"{name}_key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return cert_path, key_path


async def certificate_client(url: str, cert: Path, key: Path, user: str | None = None) -> Client:
    c = client(url, user)
    c.application_uri = CLIENT_URI
    await c.set_security_string(f"Basic256Sha256,SignAndEncrypt,{cert},{key}")
    return c
