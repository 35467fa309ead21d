"""The derived ticket as the rest of the package sees it: a thin, read-only view over a dict."""

from __future__ import annotations

from typing import Any

SUMMARY_DROP = ("comments", "history", "description")


class Ticket:
    """Attribute access over the reducer's dict (``t.status``, ``t.requester``...)."""

    __slots__ = ("data",)

    def __init__(self, data: dict):
        self.data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self.data[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def __repr__(self) -> str:
        return f"Ticket({self.data.get('id')!r}, {self.data.get('title')!r}, {self.data.get('status')!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ticket) and other.data == self.data

    @property
    def is_open(self) -> bool:
        return self.data.get("status") not in ("resolved", "closed")

    def ref(self, prefix: str = "HD") -> str:
        return f"{prefix}-{self.data['id']}"

    def summary(self) -> dict:
        """The ticket without comments, history and description (what ``list --json`` prints)."""
        return {k: v for k, v in self.data.items() if k not in SUMMARY_DROP}

    def to_dict(self) -> dict:
        return self.data
