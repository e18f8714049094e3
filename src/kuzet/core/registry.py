"""One small registry for every pluggable kind (detector, bus, store, rule, source)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., object])


class Registry(Generic[T]):
    """Maps a config ``type`` key to a factory, so config picks the implementation."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, type_key: str) -> Callable[[F], F]:
        def deco(factory: F) -> F:
            if type_key in self._factories:
                raise ValueError(f"{self.kind} type {type_key!r} registered twice")
            self._factories[type_key] = factory  # type: ignore[assignment]
            return factory

        return deco

    def create(self, type_key: str, *args: object, **kwargs: object) -> T:
        try:
            factory = self._factories[type_key]
        except KeyError:
            known = ", ".join(sorted(self._factories)) or "none"
            raise KeyError(f"unknown {self.kind} type {type_key!r}; known: {known}") from None
        return factory(*args, **kwargs)

    def types(self) -> list[str]:
        return sorted(self._factories)
