"""GitHub issues as tickets: the HTTP client, the issue <-> ticket mapping, a local mirror of a
repository's issues, and the two-way sync between the YAML store and GitHub.

Modules (PyGithub is imported only inside :mod:`gitdesk.sync.client`, when a client is made):

- ``client``: requests through PyGithub's requester, with conditional requests, pagination,
  retries that never repeat a non-idempotent write, and errors turned into gitdesk errors;
- ``mapping``: pure functions between issues (labels, issue-form bodies, hidden markers,
  comments) and ticket events/fields;
- ``mirror``: a SQLite copy of the issues and comments, refreshed with ``since`` and ETags;
- ``labels``: the label set ``helpdesk.yml`` implies, and making a repository match it;
- ``triage``: what ``gitdesk github triage`` does to one issue;
- ``engine``: ``gitdesk sync``.
"""
