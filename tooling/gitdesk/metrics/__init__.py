"""Help desk metrics: figures computed from the tickets, a Markdown report, SVG charts and the
site's dashboard page.

``compute`` turns tickets into plain data (no I/O, no personal data); ``knowledge`` reads the
KB's categories; ``report`` and ``charts`` render that data; ``site`` registers the dashboard
page with the MkDocs plugin. Nothing here imports MkDocs or the ticket store at module level.
"""
