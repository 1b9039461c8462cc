"""The OPC UA server's PKI folder and the checks on client application certificates.

Layout (as OPC UA servers keep it), under `<work dir>/opcua/pki/`:
- `own/`      the server's certificate `server_cert.der` and key `server_key.pem` (mode 0600),
              self-signed RSA-2048, made on first start and reused, so a platform that pinned it
              keeps trusting it (a certificate from before this layout, `<work dir>/opcua/
              server_cert.der`, is moved here);
- `trusted/`  client certificates (DER or PEM) allowed to open sessions;
- `rejected/` client certificates refused as unknown, as DER named by their SHA-1 thumbprint:
              `commtwin trust DIR` (or moving the file) trusts them.

A client certificate is checked whenever a session is created or activated on a signed
channel: its validity period (BadCertificateTimeInvalid), that its SubjectAltName URI is the
client's ApplicationUri (BadCertificateUriInvalid), then that it is in `trusted/`
(BadCertificateUntrusted, and stored under `rejected/`), unless the run trusts any
(`auto_trust`, for benches: then it is added to `trusted/`). The trusted folder is read at each
check, so trusting needs no restart. Chains are not built: trust is per certificate. A refusal
is logged at most once per client host per interval, the rest counted (`harness.faces.peerlog`).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import logging
import os
import shutil
import socket
from collections.abc import Callable, Iterable
from pathlib import Path

from asyncua import ua
from asyncua.common.utils import ServiceError
from asyncua.crypto import cert_gen
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from harness.faces.peerlog import PeerLog

log = logging.getLogger(__name__)
APPLICATION_URI = "urn:commtwin:server"
CERT_DAYS = 3650
#: Files read from `trusted/` and kept in `rejected/`: a folder, not a database; an unknown
#: client reconnecting with fresh certificates cannot fill the disk.
MAX_CERTIFICATES = 1000
_SUFFIXES = (".der", ".pem", ".crt", ".cer")


def thumbprint(der: bytes) -> str:
    """The OPC UA thumbprint of a certificate: SHA-1 of its DER, as upper-case hex."""
    return hashlib.sha1(der).hexdigest().upper()


def load_der(path: Path) -> bytes | None:
    """The certificate in `path` (DER or PEM) as DER; None when it is not one."""
    try:
        data = path.read_bytes()
        cert = (x509.load_pem_x509_certificate(data) if data.lstrip().startswith(b"-----")
                else x509.load_der_x509_certificate(data))
    except (OSError, ValueError):
        return None
    return cert.public_bytes(Encoding.DER)


class Pki:
    """The folders of one server's PKI (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.own, self.trusted, self.rejected = root / "own", root / "trusted", root / "rejected"

    def create(self) -> None:
        for folder in (self.own, self.trusted, self.rejected):
            folder.mkdir(parents=True, exist_ok=True)
        self.own.chmod(0o700)

    def server_certificate(self) -> tuple[Path, Path]:
        """(certificate DER, private key PEM) in `own/`, made on first use."""
        self.create()
        legacy = self.root.parent
        for name in ("server_key.pem", "server_cert.der"):  # key first: see ensure_certificate
            old = legacy / name
            if old.is_file() and not (self.own / name).exists():
                old.replace(self.own / name)
        return ensure_certificate(self.own)

    def trusted_ders(self) -> set[bytes]:
        files = sorted(p for p in self.trusted.iterdir() if p.suffix.lower() in _SUFFIXES)
        return {der for p in files[:MAX_CERTIFICATES] if (der := load_der(p)) is not None}

    def add_trusted(self, der: bytes) -> Path:
        self.trusted.mkdir(parents=True, exist_ok=True)
        path = self.trusted / f"{thumbprint(der)}.der"
        path.write_bytes(der)
        return path

    def reject(self, der: bytes) -> Path | None:
        """Keep an unknown certificate under `rejected/` (None when the folder is full)."""
        self.rejected.mkdir(parents=True, exist_ok=True)
        path = self.rejected / f"{thumbprint(der)}.der"
        if path.exists():
            return path
        if sum(1 for _ in self.rejected.iterdir()) >= MAX_CERTIFICATES:
            return None
        path.write_bytes(der)
        return path

    def trust_rejected(self, thumbprints: Iterable[str] | None = None) -> list[Path]:
        """Move rejected certificates (all, or those with the given thumbprints) to `trusted/`.

        Raises `KeyError` naming a thumbprint that is not in `rejected/`."""
        self.trusted.mkdir(parents=True, exist_ok=True)
        rejected = ({p.stem.upper(): p for p in self.rejected.glob("*.der")}
                    if self.rejected.is_dir() else {})
        wanted = sorted(rejected) if thumbprints is None else [t.upper() for t in thumbprints]
        missing = [t for t in wanted if t not in rejected]
        if missing:
            raise KeyError(missing[0])
        moved = []
        for t in wanted:
            target = self.trusted / rejected[t].name
            shutil.move(str(rejected[t]), target)
            moved.append(target)
        return moved


class CertificateCheck:
    """Validity, application URI and trust of a client certificate (module docstring)."""

    def __init__(self, pki: Pki, auto_trust: bool = False,
                 now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(
                     datetime.UTC), peer_log: PeerLog | None = None) -> None:
        self.pki = pki
        self.auto_trust = auto_trust
        self.now = now
        self.peer_log = peer_log or PeerLog(log)

    def __call__(self, der: bytes, description: ua.ApplicationDescription | None,
                 host: str = "") -> None:
        """Raise `ServiceError` with the OPC UA status that refuses `der` (from `host`)."""
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            raise ServiceError(ua.StatusCodes.BadCertificateInvalid) from None
        now = self.now()
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            self._refuse(host, der, "outside its validity period")
            raise ServiceError(ua.StatusCodes.BadCertificateTimeInvalid)
        uri = description.ApplicationUri if description is not None else None
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            uris = san.value.get_values_for_type(x509.UniformResourceIdentifier)
        except x509.ExtensionNotFound:
            uris = []
        if not uri or uri not in uris:
            self._refuse(host, der, f"its SubjectAltName URIs {uris} do not include the client's "
                              f"ApplicationUri {uri!r}")
            raise ServiceError(ua.StatusCodes.BadCertificateUriInvalid)
        if der in self.pki.trusted_ders():
            return
        if self.auto_trust:
            path = self.pki.add_trusted(der)
            log.warning("OPC UA: trusted client certificate %s (--auto-trust)", path.name)
            return
        kept = self.pki.reject(der)
        self._refuse(host, der, f"not trusted; stored as {kept} (commtwin trust moves it to "
                          f"{self.pki.trusted})" if kept else "not trusted")
        raise ServiceError(ua.StatusCodes.BadCertificateUntrusted)

    def _refuse(self, host: str, der: bytes, why: str) -> None:
        self.peer_log.warning(host or "?", "OPC UA client certificate %s refused: %s",
                              thumbprint(der), why)


def ensure_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate DER, private key PEM) under `folder`, created on first use and then reused."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "server_cert.der", folder / "server_key.pem"
    if cert_path.is_file() and key_path.is_file():
        return cert_path, key_path
    key = cert_gen.generate_private_key()
    names: list[x509.GeneralName] = [
        x509.UniformResourceIdentifier(APPLICATION_URI), x509.DNSName("localhost"),
        x509.DNSName(socket.gethostname()), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = cert_gen.generate_self_signed_app_certificate(
        key, "commtwin", {"organizationName": "commtwin"}, names,
        extended=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        days=CERT_DAYS)
    # Key first, certificate last: a folder with a certificate always has its key.
    tmp_key, tmp_cert = key_path.with_suffix(".tmp"), cert_path.with_suffix(".tmp")
    tmp_key.unlink(missing_ok=True)
    fd = os.open(tmp_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
    with os.fdopen(fd, "wb") as f:
        f.write(cert_gen.dump_private_key_as_pem(key))
    tmp_key.replace(key_path)
    tmp_cert.write_bytes(cert.public_bytes(Encoding.DER))
    tmp_cert.replace(cert_path)
    return cert_path, key_path
