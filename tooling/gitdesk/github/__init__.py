"""GitHub issues as tickets: everything that knows GitHub lives here.

Modules (PyGithub is imported only inside :mod:`gitdesk.github.client`, when a client is made):

- ``client``: requests through PyGithub's requester, with conditional requests, pagination,
  retries that never repeat a non-idempotent write, and errors turned into gitdesk errors;
- ``mirror``: a SQLite copy of the issues and comments, refreshed with ``since`` and ETags;
- ``mapping``: pure functions between issues and ticket events/fields, one topic per module:
  ``text`` (markers, limits), ``form`` (issue-form bodies), ``labelscheme`` (labels <-> fields),
  ``issues`` (an issue's ticket id and fields), ``comments`` (comments and the record comment),
  ``derive`` (a ticket's events from its issue), ``patch`` (writing to an issue);
- ``labels``: the label set ``helpdesk.yml`` implies, and making a repository match it;
- ``triage``: what ``gitdesk github triage`` does to one issue;
- ``store``: :class:`~gitdesk.github.store.GitHubStore`, the ticket store backed by issues.

``gitdesk sync`` (the two-way sync with the YAML store) is :mod:`gitdesk.sync`.
"""
