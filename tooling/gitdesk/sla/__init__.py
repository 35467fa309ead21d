"""Service levels: the SLA clocks, checks and escalations, on top of the business-time
arithmetic of :mod:`gitdesk.model.calendar` (core: the configuration checks calendars with it).

The arithmetic lives apart from the engine so that it can be tested on its own (hand-computed
examples and property-based tests) and so that the engine never has to think about time zones,
daylight saving, weekends or holidays: it asks a :class:`~gitdesk.model.calendar.Calendar` how much
business time lies between two instants and when a target falls due.
"""
