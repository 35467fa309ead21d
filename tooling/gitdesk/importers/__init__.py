"""Importers: other help desks' exports into the event store, keeping their original timestamps.

:func:`gitdesk.importers.csv.import_csv` reads a CSV (or gzip CSV) export with a mapping
(:mod:`gitdesk.importers.mapping`, ``schemas/import-mapping.schema.json``); ready-made mappings
ship in ``importers/mappings/`` (``servicenow-incident-log``).
"""
