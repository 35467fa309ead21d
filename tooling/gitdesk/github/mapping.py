"""Issues <-> tickets: labels, issue-form bodies, hidden markers, and events derived from issues.

Pure functions over GitHub's JSON (dicts) and gitdesk's events; no HTTP, no PyGithub. The same
rules serve the GitHub backend (a ticket derived from its issue) and ``gitdesk sync`` (an issue
imported into, or exported from, the YAML store). The mapping is documented for users in
``gitdesk/github/GITHUB.md``; the short version:

- labels carry priority, category, tier, status (only the statuses GitHub's open/closed cannot
  say: ``pending``, ``resolved``), channel and SLA state, with the prefixes of
  ``github.label_prefixes``; ``needs-triage`` and any other label are tags;
- the body carries the issue-form fields (``### Label`` sections) and, in issues gitdesk
  created, a ``### Requester`` section and a hidden ``<!-- gitdesk:ticket=ID -->`` marker;
- comments are public comments; those gitdesk posts end with a hidden event marker (event id
  and author), so a comment is never posted or imported twice;
- one "record" comment per issue, written by gitdesk, keeps the history GitHub cannot hold
  (when the status changed, escalations, teams, reasons, KB links) as hidden JSON lines.

Markers are trusted only in text written by someone with write access (author association
OWNER, MEMBER or COLLABORATOR) or by a GitHub App (``[bot]`` logins cannot be registered by
people): a requester cannot claim another ticket's id or forge history by pasting a marker.

The rules live one topic per module (``text``, ``form``, ``labelscheme``, ``issues``,
``comments``, ``derive``, ``patch``); this module gathers them under one name, ``m``.
"""

from __future__ import annotations

from gitdesk.github.comments import (  # noqa: F401 - re-exported
    comment_event,
    comment_event_id,
    comment_marker,
    comment_text,
    entry_event,
    is_record_comment,
    parse_record,
    record_entry,
    render_comment,
    render_record,
)
from gitdesk.github.derive import (  # noqa: F401 - re-exported
    Derived,
    _imply_open,
    derive,
    kb_path_for_url,
    new_event,
    reconcile,
)
from gitdesk.github.form import (  # noqa: F401 - re-exported
    _section_names,
    form_labels,
    parse_form,
    render_form,
    set_form_values,
)
from gitdesk.github.issues import (  # noqa: F401 - re-exported
    Context,
    body_fields,
    diff_fields,
    external_for,
    issue_fields,
    issue_seed,
    issue_url,
    label_names,
    same_value,
    ticket_fields,
    ticket_id_for_issue,
    trusted_marker_id,
)
from gitdesk.github.labelscheme import (  # noqa: F401 - re-exported
    LabelScheme,
    as_tag,
)
from gitdesk.github.patch import (  # noqa: F401 - re-exported
    IssuePatch,
    issue_has_form,
    issue_patch,
    new_issue_payload,
)
from gitdesk.github.text import (  # noqa: F401 - re-exported
    ANY_MARKER_RE,
    ATTRIBUTION_RE,
    AUTOMATION_ACTOR,
    DEFAULT_FORM_LABELS,
    EVENT_MARKER_RE,
    FORM_TEMPLATE,
    ISSUE_FIELDS,
    LOGIN_RE,
    MAX_BODY,
    NO_RESPONSE,
    NOREPLY_RE,
    RECORD_BLOCK_RE,
    RECORD_HEAD,
    REQUESTER_SECTION,
    SYNC_ACTOR,
    TICKET_MARKER_RE,
    TRUSTED_ASSOCIATIONS,
    VIA_GITHUB,
    gh_created,
    gh_time,
    github_login,
    html_json,
    is_trusted,
    strip_markers,
    truncate,
)
from gitdesk.people import format_person, parse_person  # noqa: F401 - re-exported
