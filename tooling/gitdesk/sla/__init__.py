"""Service levels: business-time arithmetic (:mod:`gitdesk.sla.calendar`) and, on top of it, the
SLA clocks, checks and escalations.

The arithmetic lives apart from the engine so that it can be tested on its own (hand-computed
examples and property-based tests) and so that the engine never has to think about time zones,
daylight saving, weekends or holidays: it asks a :class:`~gitdesk.sla.calendar.Calendar` how much
business time lies between two instants and when a target falls due.
"""
