"""Log lines a remote peer can cause, rate-limited per peer, for every face.

A client sending garbage, announcing oversized chunks, guessing passwords or presenting refused
certificates can make a server warn on every attempt; written as they come, those lines would
fill the disk and bury everything else. `PeerLog` writes at most one line per peer per
`interval_s` and counts the rest; the count goes out with that peer's next line, so nothing is
hidden, only folded. Another peer is never held back by a noisy one. The peers it remembers are
bounded (`max_peers`): past it, the quiet ones are forgotten.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class PeerLog:
    """Log lines about a peer, at most one per peer per `interval_s` (the rest are counted and
    the count goes out with the next line), so a client sending garbage cannot flood the log."""

    def __init__(self, logger: logging.Logger, interval_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, max_peers: int = 4096) -> None:
        self.logger = logger
        self.interval_s = interval_s
        self.clock = clock
        self.max_peers = max_peers
        self._last: dict[str, tuple[float, int]] = {}  # peer -> (time of last line, suppressed)

    def warning(self, peer: str, message: str, *args: object) -> bool:
        """Log `message % args` prefixed with `peer`, unless `peer` had a line within
        `interval_s`; True when it was written."""
        now = self.clock()
        last = self._last.get(peer)
        if last is not None and now - last[0] < self.interval_s:
            self._last[peer] = (last[0], last[1] + 1)
            return False
        if last is None and len(self._last) >= self.max_peers:  # forget the quiet peers
            self._last = {p: v for p, v in self._last.items() if now - v[0] < self.interval_s}
            if len(self._last) >= self.max_peers:
                self._last.clear()
        suppressed = last[1] if last is not None else 0
        more = f" ({suppressed} more since the last line)" if suppressed else ""
        self.logger.warning("%s: " + message + "%s", peer, *args, more)
        self._last[peer] = (now, 0)
        return True


def host_of(peername: object) -> str:
    """The host of a socket's peer name (`(host, port, ...)`), the key a peer is logged by: a
    client reconnecting from new ports is still one peer."""
    if isinstance(peername, tuple) and peername:
        return str(peername[0])
    return str(peername) if peername else "?"
