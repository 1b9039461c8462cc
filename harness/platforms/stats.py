"""What a reference platform counts about its own work: polls, requests, errors, actions sent."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PlatformStats:
    polls: int = 0
    requests: int = 0
    errors: int = 0
    acks_sent: int = 0
    resolutions_sent: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(what)

    def as_dict(self) -> dict[str, object]:
        return {"polls": self.polls, "requests": self.requests, "errors": self.errors,
                "acks_sent": self.acks_sent, "resolutions_sent": self.resolutions_sent,
                "error_samples": list(self.error_samples)}
