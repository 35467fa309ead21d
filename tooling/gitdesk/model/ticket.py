"""The derived ticket as the rest of the package sees it: a thin, read-only view over a dict."""

from __future__ import annotations

from typing import Any

SUMMARY_DROP = ("comments", "history", "description")
# what a change in the history can do to a ticket's clocks
CLOCK_FIELDS = ("status", "priority", "category", "team")


def timeline(data: dict) -> dict:
    """The history and comments of a ticket dict, cut to what SLA clocks read: when the status,
    priority, category or team changed, and who commented when, in public or not (no text).

    With the summary, it stands in for the whole ticket wherever only the clocks matter (``sla
    check`` over every open ticket); dropping the text makes it a tenth of the size.
    """
    history = []
    for entry in data.get("history") or ():
        changes = entry.get("set")
        if changes:
            kept = {k: changes[k] for k in CLOCK_FIELDS if k in changes}
            if kept:
                history.append({"at": entry["at"], "set": kept})
    comments = [{"at": c.get("at"), "by": c.get("by"), "public": c.get("public", True)} for c in data.get("comments") or ()]
    return {"history": history, "comments": comments}


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

    def ref(self, prefix: str = "HD") -> str:
        return f"{prefix}-{self.data['id']}"

    def summary(self) -> dict:
        """The ticket without comments, history and description (what ``list --json`` prints)."""
        return {k: v for k, v in self.data.items() if k not in SUMMARY_DROP}

    def to_dict(self) -> dict:
        return self.data
