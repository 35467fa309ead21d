"""More channels and proactive communication: email intake, notifications, response templates.

- :mod:`~gitdesk.intake.mail`: parse hostile mail into clean text (HTML, charsets, quoted replies);
- :mod:`~gitdesk.intake.ingest`: one message -> one ticket event, exactly once;
- :mod:`~gitdesk.intake.attachments`: files saved beside their ticket under safe names;
- :mod:`~gitdesk.intake.imap`: the support mailbox; :mod:`~gitdesk.intake.runner`: sources, commits;
- :mod:`~gitdesk.intake.notify`: SMTP notifications, each sent once;
- :mod:`~gitdesk.intake.templates`: notification and canned-response templates (and their check);
- :mod:`~gitdesk.intake.responses`: ``gitdesk ticket reply --template``.

Nothing here is imported by the CLI root; the ``intake``, ``notify`` and ``ticket reply``
commands import what they use.
"""
