"""Short ticket ids of one length for the whole desk, in every listing.

:func:`gitdesk.model.ids.id_length` decides the length from every id the store knows, so
``ticket list``, ``sla check``, ``ticket similar`` and the problem lists print the same
``HD-7K2M9Q`` for a ticket, and a prefix copied from any of them names one ticket. A store that
cannot list its ids cheaply (GitHub) gets a length that keeps the rows shown apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from gitdesk.model.ids import id_length


def desk_id_length(store, ids: Iterable[str] = ()) -> int:
    """The short-id length for ``store`` (``ids``: the rows at hand, used when the store cannot
    say what ids it holds)."""
    known = store.known_ids() if store is not None else None
    return id_length(known if known is not None else sorted(set(ids)))


def short_refs(store, prefix: str, ids: Iterable[str]) -> dict[str, str]:
    """``{id: "HD-7K2M9Q"}`` for ``ids``, at the desk's one length."""
    wanted = list(ids)
    if not wanted:
        return {}
    n = desk_id_length(store, wanted)
    return {tid: f"{prefix}-{tid[:n]}" for tid in wanted}
