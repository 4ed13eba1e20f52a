"""Reading this process's metrics in tests: one sample's value, and how much samples moved in a block."""

from __future__ import annotations

from prometheus_client import REGISTRY


def value(name: str, **labels: str) -> float:
    """The current value of one sample in this process (0 when it was never set)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """How much some samples moved between entering and leaving a ``with`` block (``moved``, in order)."""

    def __init__(self, *samples: tuple[str, dict[str, str]]) -> None:
        self.samples = samples

    def __enter__(self) -> Delta:
        self.before = [value(name, **labels) for name, labels in self.samples]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.moved = [value(name, **labels) - before
                      for (name, labels), before in zip(self.samples, self.before, strict=True)]
