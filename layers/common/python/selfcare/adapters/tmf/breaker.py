"""A circuit breaker: after `threshold` consecutive failed calls (5xx, timeouts, dropped
connections; never a 4xx) calls fail fast for `cool_down` seconds, then one probe is let
through (half-open) and its success closes the circuit again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from selfcare.errors import Unavailable


class Breaker:
    """Thread-safe. `enter()` before a call (Unavailable when open; True when the call is
    the half-open probe), `leave(ok, probe)` after it: ok True succeeded, False failed, None
    neither (an error of ours, a 4xx: the circuit does not move, a probe may be sent again)."""

    def __init__(
        self,
        what: str,
        threshold: int = 5,
        cool_down: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what, self.threshold, self.cool_down, self.clock = what, threshold, cool_down, clock
        self.failures = 0
        self.opened_at: float | None = None  # open (or half-open) since then
        self.probing = False  # the half-open probe is out
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.probing else "open"

    def enter(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return False
            if self.probing or self.clock() - self.opened_at < self.cool_down:
                raise Unavailable(f"{self.what} is not available; retry shortly")
            self.probing = True
            return True

    def leave(self, ok: bool | None, probe: bool) -> None:
        with self._lock:
            if probe:
                self.probing = False
            if ok:
                self.failures, self.opened_at = 0, None
            elif ok is False:
                self.failures += 1
                if probe or (self.opened_at is None and self.failures >= self.threshold):
                    self.opened_at = self.clock()  # (again) for a whole cool-down
