"""Who may log in: passwords read once at start and kept only as salted hashes, checked in
constant time, and wrong passwords throttled per peer address.

Each user's password is read from its source (`OpcUaUser.secret`: environment, file or inline)
when the server starts and hashed with scrypt under a salt drawn for this run; the text is not
kept. A login hashes what the client sent and compares with `hmac.compare_digest`, also for an
unknown user name (so the answer time does not tell which names exist).

`LoginThrottle`: after `limit` wrong passwords from one peer host within `window_s`, every login
from that host is refused for `lockout_s` (BadUserAccessDenied), logged once per lockout. Each
wrong password and each login refused during a lockout is logged too, at most one line per host
per interval with the rest counted (`harness.faces.peerlog`): a host guessing passwords for
days cannot fill the log. Its clock is injected so tests need no wall-clock tolerances.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from asyncua.crypto.permission_rules import User, UserRole

from harness.faces.peerlog import PeerLog
from scenarios.opcua import OpcUa, Role

log = logging.getLogger(__name__)
#: scrypt cost: 4 MB and ~12 ms per hash (n = 2**14 took ~90 ms). A login hashes on the event
#: loop (asyncua's ActivateSession is synchronous), so the cost is a stall every session pays
#: once; the hash only has to keep passwords out of memory dumps, the salt is per run.
_SCRYPT = {"n": 2 ** 12, "r": 8, "p": 1, "dklen": 32}
#: Peers tracked before stale ones are dropped: a scan from many addresses stays bounded.
MAX_PEERS = 10_000


class Passwords:
    """name -> (scrypt hash, role), salted per run; raises `SecretError` for an unset source."""

    def __init__(self, settings: OpcUa) -> None:
        self._salt = os.urandom(16)
        self._users = {u.name: (self._hash(u.secret(i)), u.role)
                       for i, u in enumerate(settings.users)}
        self._absent = self._hash("")  # compared against for unknown names: same work

    def _hash(self, password: str) -> bytes:
        return hashlib.scrypt(password.encode("utf-8"), salt=self._salt, **_SCRYPT)

    def check(self, name: str, password: str) -> Role | None:
        """The user's role when the password is theirs, else None."""
        digest, role = self._users.get(name, (self._absent, None))
        ok = hmac.compare_digest(self._hash(password), digest)
        return role if ok and role is not None else None


class TwinUserManager:
    """asyncua user manager: the scenario's users by password, anonymous by setting."""

    def __init__(self, settings: OpcUa, passwords: Passwords) -> None:
        self.settings = settings
        self.passwords = passwords

    def get_user(self, iserver: Any, username: str | None = None, password: str | None = None,
                 certificate: Any = None) -> User | None:
        if not username:
            if self.settings.anonymous_role == "none":
                return None
            admin = self.settings.anonymous_role == "admin"  # only served with --insecure
            return User(role=UserRole.Admin if admin else UserRole.User, name=None)
        if password is None:
            return None
        role = self.passwords.check(username, str(password))
        if role is None:
            return None
        return User(role=UserRole.Admin if role == "admin" else UserRole.User, name=username)


class LoginThrottle:
    """Refuses logins from a host that sent too many wrong passwords (see the module docstring)."""

    def __init__(self, limit: int = 5, window_s: float = 60.0, lockout_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.lockout_s = limit, window_s, lockout_s
        self.clock = clock
        self.peer_log = PeerLog(log, clock=clock)
        self._failures: dict[str, deque[float]] = {}
        self._locked: dict[str, float] = {}  # host -> locked until (clock seconds)

    def locked(self, host: str) -> bool:
        until = self._locked.get(host)
        if until is None:
            return False
        if self.clock() >= until:
            del self._locked[host]
            return False
        return True

    def refused(self, host: str) -> None:
        """A login from `host` was refused because it is locked out."""
        self.peer_log.warning(host, "OPC UA login refused: the host is locked out")

    def failed(self, host: str, user: str = "") -> None:
        """Count a wrong password from `host` (for `user`); lock it out at the limit."""
        now = self.clock()
        self.peer_log.warning(host, "OPC UA login with a wrong password for user %r", user)
        if len(self._failures) >= MAX_PEERS:
            self._forget_before(now - self.window_s)
        if len(self._locked) >= MAX_PEERS:  # lockouts over that nobody asked about since
            self._locked = {h: until for h, until in self._locked.items() if until > now}
        times = self._failures.setdefault(host, deque())
        times.append(now)
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) >= self.limit:
            times.clear()
            self._locked[host] = now + self.lockout_s
            log.warning("OPC UA: %d wrong passwords from %s within %g s: its logins are "
                        "refused for %g s", self.limit, host, self.window_s, self.lockout_s)

    def _forget_before(self, horizon: float) -> None:
        for host in [h for h, t in self._failures.items() if not t or t[-1] <= horizon]:
            del self._failures[host]
