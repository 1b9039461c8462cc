"""The scenario's OPC UA settings: where the server listens, which security it offers, who may
log in and with which role, and where each user's password comes from.

Roles (enforced by `harness.faces.opcua.security`): `viewer` browses, reads and subscribes;
`operator` also acknowledges alarms and writes command points; `admin` may do everything,
including node management. Anonymous sessions get `anonymous_role` (default `viewer`), or are
refused when it is "none".

Secure by default (`offered_security`, `anonymous_problem`): what is insecure — the None
endpoint, anonymous sessions that may write — is served only when the run asks for it by name
(`--insecure`); a scenario that needs it is refused otherwise, with one line naming the setting.

A password comes from the environment (`password_env`), from a file named by the scenario
(`password_file`, relative to the scenario file) or, for test accounts, inline (`password`,
with a warning: `inline_password_warning`). `secret()` reads it when a server starts or a client
logs in; it never appears in a repr, an error message or an endpoints file.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from scenarios.base import Frozen

log = logging.getLogger(__name__)

SecurityMode = Literal["None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt"]
Role = Literal["viewer", "operator", "admin"]
NONE: SecurityMode = "None"
ENCRYPT: SecurityMode = "Basic256Sha256_SignAndEncrypt"
#: Longest password file read, bytes: a password is a line, not a document.
MAX_PASSWORD_FILE_BYTES = 4096
_warned: set[str] = set()


class SecretError(ValueError):
    """A password source that cannot be read (unset variable, unreadable file)."""


class OpcUaUser(Frozen):
    """An account of the OPC UA server; its password comes from exactly one source."""

    name: str = Field(min_length=1, max_length=256, description="user name, unique")
    role: Role = Field(description="viewer browses, reads, subscribes; operator also "
                                   "acknowledges and writes commands; admin everything")
    password: str | None = Field(default=None, min_length=1, repr=False,
                                 description="inline password: test accounts only (warned "
                                             "about at load)")
    password_env: str | None = Field(default=None, min_length=1, max_length=256,
                                     pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                     description="name of the environment variable holding "
                                                 "the password")
    password_file: Path | None = Field(default=None,
                                       description="file whose first line is the password; "
                                                   "relative to the scenario file")

    @field_validator("password_file")
    @classmethod
    def _relative_to_scenario(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        base = (info.context or {}).get("base_dir") if info.context else None
        if value is not None and base is not None and not value.is_absolute():
            return Path(base) / value
        return value

    @model_validator(mode="after")
    def _one_source(self) -> OpcUaUser:
        given = [k for k in ("password", "password_env", "password_file")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of password_env, password_file or password "
                             f"(got {', '.join(given) or 'none'})")
        return self

    def source(self, index: int) -> str:
        """Where the password comes from, for a message (never the password itself)."""
        if self.password_env is not None:
            return f"opcua.users[{index}].password_env = {self.password_env}"
        if self.password_file is not None:
            return f"opcua.users[{index}].password_file = {self.password_file}"
        return f"opcua.users[{index}].password (inline)"

    def secret(self, index: int = 0) -> str:
        """The password, read now from its source; `SecretError` naming the source if unset."""
        if self.password is not None:
            return self.password
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if not value:
                raise SecretError(f"{self.source(index)}: environment variable "
                                  f"{self.password_env} is not set (user {self.name!r})")
            return value
        assert self.password_file is not None
        try:
            with self.password_file.open("rb") as f:
                raw = f.read(MAX_PASSWORD_FILE_BYTES + 1)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SecretError(f"{self.source(index)}: cannot read: {reason}") from None
        lines = text.splitlines()
        if len(raw) > MAX_PASSWORD_FILE_BYTES or not lines or not lines[0]:
            raise SecretError(f"{self.source(index)}: the first line must hold the password "
                              f"(at most {MAX_PASSWORD_FILE_BYTES} bytes)")
        return lines[0]


class OpcUa(Frozen):
    """The OPC UA face: where it listens, which security it offers, who may log in."""

    host: str = Field(default="127.0.0.1", description="address to bind; loopback unless asked")
    port: int = Field(default=4840, ge=0, le=65535, description="0: any free port")
    security: tuple[SecurityMode, ...] = Field(
        default=("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt"), min_length=1,
        description="security policies; without --insecure \"None\" is not offered and "
                    "SignAndEncrypt must be listed")
    users: tuple[OpcUaUser, ...] = Field(default=(), description="accounts that may log in; "
                                                                 "names unique")
    anonymous_role: Literal["none", "viewer", "operator", "admin"] = Field(
        default="viewer", description="role of an anonymous session (none: refused); operator "
                                      "and admin write, so they are served only with "
                                      "--insecure")
    refresh_s: float = Field(default=1.0, gt=0, le=60,
                             description="wall seconds between refreshes of values computed "
                                         "from time (meter kWh, battery %)")
    publishing_interval_ms: float = Field(default=50.0, ge=10.0, le=60000.0,
                                          description="the reference platform's subscription "
                                                      "publishing interval, wall ms")


def offered_security(settings: OpcUa, insecure: bool = False) -> tuple[SecurityMode, ...]:
    """The endpoints a server offers: the scenario's list, minus "None" unless `insecure`.

    Without `insecure` the list must include SignAndEncrypt; raises `ValueError` (one line naming
    `opcua.security`) otherwise."""
    if insecure:
        return settings.security
    if ENCRYPT not in settings.security:
        raise ValueError(f"opcua.security = {list(settings.security)}: no encrypted endpoint; "
                         f"add {ENCRYPT!r} or serve with --insecure")
    return tuple(m for m in settings.security if m != NONE)


def anonymous_problem(settings: OpcUa, insecure: bool = False) -> str | None:
    """Why the anonymous role cannot be served without `insecure` (None: it can)."""
    if insecure or settings.anonymous_role in ("none", "viewer"):
        return None
    return (f"opcua.anonymous_role = {settings.anonymous_role!r} lets anonymous sessions "
            "write; use 'viewer' or 'none', or serve with --insecure")


def passwords_need_encryption(settings: OpcUa) -> bool:
    """A scenario that lists SignAndEncrypt takes passwords over encrypted channels only."""
    return ENCRYPT in settings.security


def inline_password_warning(settings: OpcUa, file: str) -> None:
    """Log, once per file and process, that `file` keeps passwords inline."""
    if file in _warned or not any(u.password is not None for u in settings.users):
        return
    _warned.add(file)
    log.warning("inline password in %s (test accounts only: use password_env or "
                "password_file)", file)
