"""Business metrics as a test sees them: `Counted` is a sink for billing's `Events`."""

from __future__ import annotations


class Counted(list[str]):
    """Every metric counted, as `Api.count` takes it (name, value): a metric worth 3 is
    in the list three times."""

    def __call__(self, name: str, value: int = 1, /) -> None:
        self.extend([name] * value)
