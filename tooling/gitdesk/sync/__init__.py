"""``gitdesk sync``: the two-way sync between the YAML event files and a GitHub repository.

``engine`` pulls issues into the event files and pushes tickets out as issues; it reads and
writes the event files through the store interface (:func:`gitdesk.store.open_files`) and
GitHub through :mod:`gitdesk.github` (client, mirror, mapping).
"""
