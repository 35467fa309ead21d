"""``gitdesk github triage NUMBER``: label an issue from its issue-form fields and suggest articles.

The form's category, priority (impact x urgency through ``priority_matrix``) and channel become
labels when the issue has no label of that kind yet: a label an agent set is never overwritten
(the difference is reported). When priority or category is still unknown, the issue gets
``needs-triage`` and one comment that says what is missing; once both are known the label goes
and that comment says so. A second comment lists the best knowledge base articles. A pending
ticket whose requester has answered on GitHub goes back to open (run it on new comments too). Both comments
carry hidden markers, are found again on every run and edited in place, never posted twice; a
run that changes nothing sends no write request (so a workflow re-run, or the ``edited`` event
of an issue gitdesk itself touched, ends at once).
"""

from __future__ import annotations

from typing import Any

from gitdesk.errors import GitdeskError
from gitdesk.github import mapping as m
from gitdesk.github.client import WriteOutcomeUnknown
from gitdesk.github.feedback import is_feedback_issue, take_feedback_issue
from gitdesk.intake.forms import form_language
from gitdesk.languages import text
from gitdesk.model.event import parse_time
from gitdesk.model.ids import event_id_from

KINDS = ("triage", "kb")
KB_LIMIT = 3


def _marker(kind: str, issue: dict, repo_full: str) -> dict:
    at = m.gh_created(issue)
    return {"id": event_id_from(at, f"{m.issue_seed(repo_full, issue['number'])}:{kind}"), "by": m.AUTOMATION_ACTOR,
            "kind": kind}


def render(kind: str, text: str, issue: dict, repo_full: str) -> str:
    return f"{text.strip()}\n\n<!-- gitdesk:event {m.html_json(_marker(kind, issue, repo_full))} -->"


def own_comment(comments: list[dict], kind: str) -> dict | None:
    for comment in comments:
        marker = m.comment_marker(comment)
        if marker and marker.get("kind") == kind:
            return comment
    return None


def missing_text(missing: list[str], problems: list[str], language: str = "en") -> str:
    """What is missing, in the language of the form the requester used: the form's own
    questions (English keeps the field names)."""
    lines = [text("desk.triage_missing_intro", language), ""]
    if language == "en":
        lines += [f"- **{item}**" for item in missing]
    else:
        keys = {"Category": ["form_category_label"], "Impact": ["form_impact_label"], "Urgency": ["form_urgency_label"],
                "Impact and Urgency": ["form_impact_label", "form_urgency_label"]}
        lines += [f"- **{text('desk.' + key, language)}**" for item in missing for key in keys.get(item, [])]
    if problems:
        lines += ["", *[f"_{p}_" for p in problems]]
    lines += ["", text("desk.triage_missing_outro", language)]
    return "\n".join(lines)


def article_url(path: str, issue: dict, store) -> str:
    """Where a reader of the issue can open the article: the site if its URL is known, else the
    Markdown file in the repository."""
    site = ((store.config.get("site") or {}).get("url") or "").strip().rstrip("/")
    if site:
        return f"{site}/{path[:-3]}.html"
    kb = ((store.config.get("kb") or {}).get("dir") or "kb").strip("/")
    repo_html = (issue.get("html_url") or "").split("/issues/")[0].split("/pull/")[0]
    return f"{repo_html}/blob/HEAD/{kb}/{path}" if repo_html else f"{kb}/{path}"


def kb_text(results: list, issue: dict, store, language: str = "en") -> str:
    lines = [text("desk.triage_kb_intro", language), ""]
    for r in results:
        title = " ".join((r.title or r.path).split()).replace("[", "(").replace("]", ")")
        summary = " ".join((getattr(r, "summary", "") or "").split())
        lines.append(f"- [{title}]({article_url(r.path, issue, store)})" + (f": {summary}" if summary else ""))
    lines += ["", text("desk.triage_kb_outro", language)]
    return "\n".join(lines)


def suggestions(store, title: str, description: str | None, category: str | None) -> tuple[list, str | None]:
    """KB articles for the issue, or an explanation of why there are none to offer."""
    from gitdesk.kb.suggest import suggest, ticket_text

    try:
        return suggest(store.repo.root, store.config, ticket_text(title, description), category=category,
                       limit=KB_LIMIT), None
    except GitdeskError as exc:
        return [], f"the knowledge base index is unavailable: {exc.line()}"
    except Exception as exc:  # noqa: BLE001 - a broken index must not stop the labelling
        return [], f"the knowledge base index is unavailable: {type(exc).__name__}: {exc}"


def triage(store, number: int, *, suggest_articles: bool = True) -> dict[str, Any]:
    """Triage issue ``number`` of ``store``'s repository (a :class:`GitHubStore`)."""
    client = store.client
    before = client.requests
    issue, comments = store.read_issue(number)
    if is_feedback_issue(issue):  # a reader's vote on an article: a feedback record, never a ticket
        vote = take_feedback_issue(store.repo.root, store.config, client, issue, comments)
        store._fresh.pop(number, None)
        return {**vote, "feedback": True, "requests": client.requests - before}
    ctx = store.ctx
    cfg = store.config
    scheme = ctx.scheme
    names = m.label_names(issue)
    have = scheme.read(names)
    body = m.body_fields(issue, ctx)
    form = body["_form"]
    problems: list[str] = []
    for key, choices in (("category", cfg.category_ids()), ("impact", cfg["impact_levels"]),
                         ("urgency", cfg["urgency_levels"]), ("channel", cfg.channels)):
        if form.get(key) and body[key] is None:
            problems.append(f"{key.title()} {form[key]!r} is not one of: {', '.join(map(str, choices))}")
    priority = cfg.derive_priority(body["impact"], body["urgency"]) if body["impact"] and body["urgency"] else None
    # the forms no longer ask requesters how their own request arrived: through the web, like sync says
    channel = body["channel"] or (body["default_channel"] if form else None)
    found = {"category": body["category"], "priority": priority, "channel": channel}
    labels = list(names)
    added, kept = [], []
    for kind, value in found.items():
        if value is None:
            continue
        if have[kind] is None:
            label = scheme.label(kind, value)
            labels.append(label)
            added.append(label)
        elif have[kind] != value:
            kept.append(f"{scheme.label(kind, have[kind])} (the form says {value})")
    missing = []
    if have["category"] is None and found["category"] is None:
        missing.append("Category")
    if have["priority"] is None and found["priority"] is None:
        missing.append("Impact and Urgency" if not (body["impact"] or body["urgency"])
                       else ("Impact" if not body["impact"] else "Urgency"))
    triage_label = scheme.triage_label
    has_triage = any(n.casefold() == triage_label.casefold() for n in labels)
    removed = []
    if missing and not has_triage:
        labels.append(triage_label)
        added.append(triage_label)
    elif not missing and has_triage:
        removed = [n for n in labels if n.casefold() == triage_label.casefold()]
        labels = [n for n in labels if n.casefold() != triage_label.casefold()]
    result: dict[str, Any] = {
        "number": number, "ticket": m.ticket_id_for_issue(issue, client.full_name),
        "category": have["category"] or found["category"], "priority": have["priority"] or found["priority"],
        "channel": have["channel"] or found["channel"], "missing": missing, "problems": problems,
        "labels_added": added, "labels_removed": removed, "labels_kept": kept,
    }
    if added or removed:
        response = client.patch(client.repo_path(f"/issues/{number}"), {"labels": labels})
        store.mirror.put_issue(response.data, result["ticket"])
    # the missing-information comment: one, edited in place
    existing = own_comment(comments, "triage")
    language = form_language(issue.get("body")) or "en"  # the comments speak the requester's form's language
    if missing:
        result["triage_comment"] = _upsert(store, number, issue, existing, "triage", missing_text(missing, problems, language))
    elif existing is not None:
        result["triage_comment"] = _upsert(store, number, issue, existing, "triage", text("desk.triage_complete", language))
    else:
        result["triage_comment"] = "none"
    # the knowledge base suggestions: one comment, edited in place
    if suggest_articles:
        results, error = suggestions(store, issue.get("title") or "", body["description"], result["category"])
        result["kb"] = [{"path": r.path, "title": r.title, "url": article_url(r.path, issue, store)} for r in results]
        if error:
            result["kb_error"] = error
        if results:
            result["kb_comment"] = _upsert(store, number, issue, own_comment(comments, "kb"), "kb",
                                           kb_text(results, issue, store, language))
        else:
            result["kb_comment"] = "none"
    store.mirror.commit()
    store._fresh.pop(number, None)
    result["reopened"] = _requester_answered(store, number)
    result["requests"] = client.requests - before
    return result


def _requester_answered(store, number: int) -> bool:
    """A ticket waiting on its requester (pending) whom the requester answered on GitHub goes
    back to open, as ``gitdesk ticket comment`` does for answers that come through gitdesk: the
    SLA clocks run again from the answer, not from whenever an agent notices it."""
    from gitdesk.operations import Desk
    from gitdesk.people import same_person

    cfg = store.config
    ticket = store.get(f"#{number}")
    if ticket.status not in cfg.pausing_statuses:
        return False
    since = max((h["at"] for h in ticket.history if (h.get("set") or {}).get("status") == ticket.status), default="")
    # GitHub's times have whole seconds: an answer in the second the ticket went pending counts
    answers = [c["at"] for c in ticket.comments
               if c.get("public", True) and c["at"][:19] >= since[:19] and same_person(c["by"], ticket.requester)]
    if not answers:
        return False
    answered = parse_time(min(answers))
    desk = Desk(store, cfg, m.AUTOMATION_ACTOR, clock=lambda: answered)
    desk.set_fields(ticket.id, {"status": cfg["reopen_status"]}, reason="the requester answered")
    return True


def _upsert(store, number: int, issue: dict, existing: dict | None, kind: str, text: str) -> str:
    client = store.client
    body = render(kind, text, issue, client.full_name)
    if existing is not None:
        if (existing.get("body") or "").replace("\r\n", "\n") == body:
            return "unchanged"
        client.patch(client.repo_path(f"/issues/comments/{existing['id']}"), {"body": body})
        return "updated"
    url = client.repo_path(f"/issues/{number}/comments")
    try:
        client.post(url, {"body": body})
    except WriteOutcomeUnknown:  # the answer was lost: look before posting again
        comments = client.list_all(url)
        if own_comment(comments, kind) is None:
            client.post(url, {"body": body})
    return "created"
