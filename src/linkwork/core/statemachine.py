"""Explicit transition tables for lifecycles; an action not in the table is refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from linkwork.core.errors import InvalidTransition


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str


class StateMachine:
    def __init__(self, name: str, labels: dict[str, str], transitions: Iterable[Transition]) -> None:
        self.name = name
        self.labels = labels
        self.transitions = {transition.action: transition for transition in transitions}

    def target(self, current: str, action: str) -> str:
        """The state `action` leads to from `current`, or InvalidTransition with a plain message."""
        transition = self.transitions.get(action)
        if transition is None:
            raise InvalidTransition(f"There is no action called {action!r} for a {self.name}.")
        if current not in transition.sources:
            label = self.labels.get(current, current).lower()
            raise InvalidTransition(
                f"A {self.name} that is {label} cannot be {action.replace('_', ' ')}.",
                code=f"{self.name.upper().replace(' ', '_')}_INVALID_TRANSITION",
            )
        return transition.target

    def allowed_actions(self, current: str) -> list[str]:
        return [action for action, transition in self.transitions.items() if current in transition.sources]
