"""The "Did this solve your problem?" box at the end of every end-user article.

A static site has no backend, so the box is an empty ``div`` whose ``data-`` attributes carry
everything ``gitdesk.js`` needs (the texts in the page's language, where a vote goes, the
article's marker line): the script makes the buttons, the reasons and the comment field (a KB
page may hold no inputs, :mod:`gitdesk.kb.htmlsafety`) and, on Send, opens a prefilled e-mail
to ``mail.address`` or a prefilled GitHub issue labelled ``kb-feedback`` carrying the marker,
or posts to ``gitdesk serve``'s ``/feedback``. Without script, two plain links (Yes / No) open
the same e-mail or issue. Every value is HTML-escaped into an attribute; nothing from the page
or its front matter becomes script, and the script only sets ``textContent`` and URLs.
"""

from __future__ import annotations

import html
from urllib.parse import quote, urlencode

from gitdesk.errors import ConfigError
from gitdesk.kb.feedback import ISSUE_LABEL as LABEL
from gitdesk.kb.feedback import REASONS, feedback_channel, marker_line, settings
from gitdesk.kb.placeholders import PageInfo, SiteContext
from gitdesk.kb.placeholders.content import github_repository, github_web_url
from gitdesk.languages import strings

ENDPOINT = "/feedback"


def target(ctx: SiteContext, channel: str) -> str:
    """Where a vote goes: ``mailto:ADDRESS``, the GitHub new-issue URL with the label, or the
    endpoint's path."""
    if channel == "email":
        address = str((ctx.config.get("mail") or {}).get("address") or "").strip()
        if not address or any(c in address for c in "?&<>\"' \n"):
            raise ConfigError("kb.feedback.channel is email but mail.address is not a plain address",
                              path="helpdesk.yml", field="mail.address")
        return f"mailto:{quote(address, safe='@.+-_')}"
    if channel == "github":
        repo = github_repository(ctx)
        if not repo:
            raise ConfigError("kb.feedback.channel is github but github.repository is empty", path="helpdesk.yml",
                              field="github.repository")
        return f"{github_web_url(ctx)}/{repo}/issues/new?{urlencode({'labels': LABEL})}"
    return ENDPOINT


def message_url(base: str, channel: str, subject: str, body: str) -> str:
    """The prefilled e-mail or issue (the same the script builds)."""
    query = urlencode({"title" if channel == "github" else "subject": subject, "body": body}, quote_via=quote)
    return f"{base}{'&' if '?' in base else '?'}{query}"


def feedback_body(marker: str, keep: str, comment: str = "") -> str:
    return f"{comment}\n\n---\n{marker}\n{keep}\n" if comment else f"---\n{marker}\n{keep}\n"


def feedback_html(ctx: SiteContext, page: PageInfo) -> str:
    """The box for ``page`` (HTML block for the page's Markdown), or "" when feedback is off."""
    channel = feedback_channel(ctx.config)
    if channel == "off":
        return ""
    words = strings("feedback", ctx.language)
    base = target(ctx, channel)
    title = page.title or page.src_uri
    subject = words["subject"].format(title=title)
    yes = marker_line(page.src_uri, True, None, ctx.language)
    no = marker_line(page.src_uri, False, None, ctx.language)
    data = {
        "channel": channel, "target": base, "article": page.src_uri, "lang": ctx.language,
        "marker-yes": yes, "marker-no": no, "subject": subject, "keep": words["keep_line"],
        "question": words["question"], "yes": words["answer_yes"], "no": words["answer_no"], "why": words["why"],
        "comment": words["comment"], "send": words["send"], "thanks": words["thanks"], "failed": words["failed"],
        "opened": words["opened_issue" if channel == "github" else "opened_mail"],
        "reasons": " ".join(REASONS), "max": str(int(settings(ctx.config).get("max_comment") or 1000)),
        **{f"reason-{r}": words[f"reason_{r}"] for r in REASONS},
    }
    attrs = " ".join(f'data-{k}="{html.escape(v, quote=True)}"' for k, v in data.items())
    fallback = html.escape(words["question"])
    if channel != "serve":
        links = " · ".join(
            f'<a href="{html.escape(message_url(base, channel, subject, feedback_body(m, words["keep_line"])), quote=True)}"'
            f' class="gitdesk-feedback__link">{html.escape(words[label])}</a>'
            for m, label in ((yes, "vote_yes"), (no, "vote_no")))
        fallback = f"<strong>{fallback}</strong> {html.escape(words['no_script'])} {links}"
    return f'\n\n<div class="gitdesk-feedback" {attrs}>\n<p>{fallback}</p>\n</div>\n'
