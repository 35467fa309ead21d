"""The pure core: events, ids and the reducer that derives a ticket from its events.

Nothing here does I/O; it is where the property-based tests live.
"""
