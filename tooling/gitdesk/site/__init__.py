"""The self-service site: the MkDocs plugin and the content it renders from helpdesk.yml.

``extensions`` is the registry other modules add to (placeholders, generated pages such as the
metrics dashboard); ``content`` holds the built-in placeholders (channels, hours, SLA targets,
the ticket form); ``offline`` keeps the built site free of requests to other hosts; ``plugin``
is the MkDocs face; ``build`` runs a strict build and serves it. Only ``plugin`` and ``build``
import MkDocs, and only when a build runs.
"""
