"""Built-in site content rendered from helpdesk.yml, so no page hand-copies the configuration.

Placeholders (a line ``<!-- gitdesk:NAME -->`` in a KB page):

- ``channels``: how to reach the desk (``site.contacts``, in the order of ``channels``).
- ``hours``: ``site.hours`` and the office calendar's weekly hours and coming holidays.
- ``sla-targets``: first response, update and resolution targets per priority (``sla.policies``).
- ``priorities``: what each priority means (``priorities``).
- ``open-ticket``: the ways to open a ticket (GitHub issue form when ``github.repository`` is
  set, email with a subject, phone); ``gitdesk.js`` adds the ``?article=`` the reader came from.

Also here: :func:`ticket_link` (the "Still stuck? Open a ticket" target for an article) and
the small translation table for en/es/pt. Everything returned is Markdown; values from the
configuration are escaped.
"""

from __future__ import annotations

import datetime as _dt
import html
import posixpath
import re
from urllib.parse import quote, urlencode

from gitdesk.config import duration_parts
from gitdesk.errors import ConfigError
from gitdesk.kb.placeholders import PageInfo, SiteContext, placeholder
from gitdesk.languages import strings, text, translated_rel

ISSUE_FORM = "support-request.yml"
OPEN_TICKET_PAGE = "open-a-ticket.md"

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def t(ctx: SiteContext, key: str, **values) -> str:
    """The site's text ``key`` in the page's language (``gitdesk/data/lang/<lang>/site.yml``)."""
    return text(f"site.{key}", ctx.language, **values)


def plural(ctx: SiteContext, key: str, n: int) -> str:
    """``3 días hábiles``: ``key_one``/``key_many`` with ``n`` written the language's way."""
    return t(ctx, f"{key}_one" if n == 1 else f"{key}_many", n=number(ctx, n))


def number(ctx: SiteContext, value) -> str:
    """A number the language's way (``1,5`` in Spanish and Portuguese), by Babel."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=t(ctx, "babel_locale"))


def long_date(ctx: SiteContext, value) -> str:
    """A date the language's way (``14 de octubre de 2026``), by Babel."""
    from babel.dates import format_date

    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    elif isinstance(value, _dt.datetime):
        value = value.date()
    return format_date(value, format="long", locale=t(ctx, "babel_locale"))


def site_settings(ctx: SiteContext) -> dict:
    """``site:`` of helpdesk.yml with ``site.translations.<language>`` laid over it, so the
    hours, contacts and title a page shows are written in the page's language."""
    site = dict(ctx.config.get("site") or {})
    own = (site.pop("translations", None) or {}).get(ctx.language) or {}
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(site.get(key), dict):
            site[key] = {**site[key], **value}
        else:
            site[key] = value
    return site


def first_sentence(body: str, limit: int = 160) -> str:
    """The first sentence of a page's first paragraph, as plain text (a section's card text)."""
    for block in body.split("\n\n"):
        block = block.strip()
        if not block or block.startswith(("#", "<", "!!!", "???", "-", "*   ", "|", ">", "```")):
            continue
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", " ".join(block.split()))
        plain = re.sub(r"[*_`]", "", plain)
        m = re.match(r"(.+?[.!?])(\s|$)", plain)
        sentence = m.group(1) if m else plain
        return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return ""


def page_summary(yaml_text: str | None, title: str, body: str = "") -> dict:
    """What the home page needs of a page: title, summary (front matter, else the first
    sentence), last review."""
    meta: dict = {}
    if yaml_text:
        import yaml

        try:
            meta = yaml.load(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        except yaml.YAMLError:
            meta = {}
    if not isinstance(meta, dict):
        meta = {}
    summary = str(meta.get("summary") or "") or first_sentence(body)
    return {"title": title, "summary": summary, "last_reviewed": meta.get("last_reviewed")}


def with_last_reviewed(ctx: SiteContext, page: PageInfo, markdown: str) -> str:
    """The article's Markdown with "Reviewed on <date>" (its ``last_reviewed``, written in the
    page's language: ``lang/<language>/freshness.yml``) under its title, escaped."""
    value = page.meta.get("last_reviewed") if isinstance(page.meta, dict) else None
    if not value:
        return markdown
    try:
        when = long_date(ctx, value if isinstance(value, _dt.date) else str(value))
    except ValueError:
        return markdown
    line = f'<p class="gitdesk-reviewed"><small>{html.escape(text("freshness.reviewed_on", ctx.language, date=when))}</small></p>'
    m = re.search(r"^#\s+.+$", markdown, re.M)
    if not m:
        return f"{line}\n\n{markdown}"
    return f"{markdown[:m.end()]}\n\n{line}\n{markdown[m.end():]}"


def md_escape(text: str) -> str:
    """Configuration text made inert in Markdown (and in HTML)."""
    text = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_\[\]|#!])", r"\\\1", text)


def own_page(ctx: SiteContext, base_rel: str) -> str:
    """The source of the page language's version of the default-language page ``base_rel``."""
    languages = ctx.extra.get("languages") or [ctx.language]
    return translated_rel(base_rel, ctx.language, languages[0])


def rel_link(page: PageInfo, target_src: str) -> str:
    """A relative Markdown link from ``page`` to another source file."""
    return posixpath.relpath(target_src, posixpath.dirname(page.src_uri) or ".")


def human_duration(ctx: SiteContext, text: str, *, business: bool = False) -> str:
    """A target as written in helpdesk.yml, in words of the page's language; on a business
    calendar a day is a working day ("3d" -> "3 días hábiles", never 72 hours), as the SLA
    engine counts it."""
    days, hours, minutes = duration_parts(str(text))
    hours, minutes = hours + minutes // 60, minutes % 60
    parts = [plural(ctx, key, value) for value, key in ((days, "business_day" if business else "day"), (hours, "hour"), (minutes, "minute")) if value]
    return " ".join(parts) or "0"


# -- GitHub issue form ---------------------------------------------------------------------------

def github_repository(ctx: SiteContext) -> str | None:
    repo = ((ctx.config.get("github") or {}).get("repository") or "").strip()
    if not repo:
        return None
    if not _REPO_RE.match(repo):
        raise ConfigError(f"not an OWNER/REPO name: {repo!r}", path="helpdesk.yml", field="github.repository")
    return repo


def github_web_url(ctx: SiteContext) -> str:
    """``https://github.com`` or a GitHub Enterprise host derived from ``github.api_url``."""
    api = ((ctx.config.get("github") or {}).get("api_url") or "https://api.github.com").rstrip("/")
    if api in ("https://api.github.com", "http://api.github.com"):
        return "https://github.com"
    return re.sub(r"/api/v3$", "", api)


def issue_form(ctx: SiteContext) -> str:
    """The issue form in the page's language: ``support-request.yml`` in the desk's default
    language, ``support-request.es.yml`` otherwise (as ``gitdesk github forms`` writes them)."""
    languages = ctx.extra.get("languages") or [ctx.language]
    return ISSUE_FORM if ctx.language == languages[0] else ISSUE_FORM.replace(".yml", f".{ctx.language}.yml")


def issue_form_url(ctx: SiteContext, **params: str) -> str:
    repo = github_repository(ctx)
    query = urlencode({"template": issue_form(ctx), **{k: v for k, v in params.items() if v}}, quote_via=quote)
    return f"{github_web_url(ctx)}/{repo}/issues/new?{query}"


def article_reference(ctx: SiteContext, page: PageInfo) -> str:
    """How a ticket names the article: its published URL when ``site.url`` is set (the issue
    form's "Linked article" field asks for a URL), else its path under kb/."""
    base = str((ctx.config.get("site") or {}).get("url") or "").strip()
    if base.startswith(("https://", "http://")):
        return f"{base.rstrip('/')}/{page.src_uri[:-3] if page.src_uri.endswith('.md') else page.src_uri}.html"
    return page.src_uri


def ticket_link(ctx: SiteContext, page: PageInfo) -> str:
    """Where "Open a ticket" at the end of ``page`` goes, carrying the article's name.

    With ``github.repository`` set: the GitHub issue form, prefilled (``title`` and the form's
    ``article`` field). Otherwise the site's Open a ticket page with ``?article=``.
    """
    if github_repository(ctx):
        title = f"{t(ctx, 'help_with')}: {page.title}" if page.title else ""
        return issue_form_url(ctx, title=title, article=article_reference(ctx, page))
    return f"{rel_link(page, own_page(ctx, OPEN_TICKET_PAGE))}?{urlencode({'article': page.src_uri}, quote_via=quote, safe='/')}"


def still_stuck_markdown(ctx: SiteContext, page: PageInfo, *, buttons: bool) -> str:
    url = ticket_link(ctx, page)
    attrs = "{ .md-button .gitdesk-ticket-link }" if buttons else ""
    return (
        "\n\n---\n\n"
        f"**{md_escape(t(ctx, 'still_stuck'))}** [{md_escape(t(ctx, 'open_ticket'))}](<{url}>){attrs} "
        f"{md_escape(t(ctx, 'still_stuck_tail'))}\n"
    )


def related_markdown(ctx: SiteContext, page: PageInfo, titles: dict[str, str]) -> str:
    related = page.meta.get("related") if isinstance(page.meta, dict) else None
    if not isinstance(related, list):
        return ""
    items = []
    for target in related:
        if isinstance(target, str) and target in titles and target != page.src_uri:
            items.append(f"- [{md_escape(titles[target])}]({rel_link(page, target)})")
    if not items:
        return ""
    return f"\n\n**{md_escape(t(ctx, 'related'))}**\n\n" + "\n".join(items) + "\n"


# -- placeholders -------------------------------------------------------------------------------

def _contact_cell(ctx: SiteContext, page: PageInfo, kind: str, value: str) -> str:
    if kind == "email":
        emails = _EMAIL_RE.findall(value)
        if emails:
            return md_escape(value).replace(md_escape(emails[0]), f"[{md_escape(emails[0])}](mailto:{emails[0]})", 1)
    if kind == "phone":
        m = re.match(r"\s*(\+?\d[\d\s().-]{4,}\d)", value)
        if m:
            digits = re.sub(r"[^\d+]", "", m.group(1))
            return f"[{md_escape(value)}](tel:{digits})"
    if kind == "web":
        if github_repository(ctx):
            return f"[{md_escape(t(ctx, 'github'))}](<{issue_form_url(ctx)}>)"
        target = own_page(ctx, OPEN_TICKET_PAGE)
        if page.src_uri != target:
            return f"[{md_escape(value)}]({rel_link(page, target)})"
    return md_escape(value)


def priority_text(ctx: SiteContext, key: str, field: str) -> str:
    """A priority's label or description in the page's language: the shipped translation while
    helpdesk.yml keeps the shipped English words, else the desk's own words as written."""
    info = (ctx.config.get("priorities") or {}).get(key) or {}
    own = str(info.get(field) or (key.capitalize() if field == "label" else ""))
    name = f"priority_{key}" + ("_description" if field == "description" else "")
    english = strings("site", "en").get(name)
    return t(ctx, name) if english is not None and own == english else own


def _channel_label(ctx: SiteContext, kind: str) -> str:
    key = f"channel_{kind}"
    return t(ctx, key) if key in strings("site", ctx.language) else kind.replace("-", " ").capitalize()


@placeholder("channels")
def channels(ctx: SiteContext, page: PageInfo) -> str:
    contacts = site_settings(ctx).get("contacts") or {}
    order = [c for c in (ctx.config.get("channels") or []) if c in contacts] + [c for c in contacts if c not in (ctx.config.get("channels") or [])]
    rows = [f"| {md_escape(t(ctx, 'channel'))} | {md_escape(t(ctx, 'how'))} |", "| --- | --- |"]
    for kind in order:
        value = contacts.get(kind)
        if value or (kind == "web" and github_repository(ctx)):
            rows.append(f"| {md_escape(_channel_label(ctx, kind))} | {_contact_cell(ctx, page, kind, str(value or ''))} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def weekly_groups(hours: dict) -> list[tuple[int, int, str]]:
    """Runs of consecutive weekdays with the same hours: ``[(0, 3, "08:30–18:00"), ...]``
    (indexes into mon..sun), so a page says "Mon–Thu 08:30–18:00" rather than four lines."""
    groups: list[tuple[int, int, str]] = []
    for i, day in enumerate(_WEEKDAYS):
        spans = ", ".join(str(s).replace("-", "–") for s in (hours.get(day) or []))
        if not spans:
            continue
        if groups and groups[-1][1] == i - 1 and groups[-1][2] == spans:
            groups[-1] = (groups[-1][0], i, spans)
        else:
            groups.append((i, i, spans))
    return groups


def _weekly(ctx: SiteContext, cal: dict) -> str:
    names = [t(ctx, f"day_{d}") for d in _WEEKDAYS]
    groups = weekly_groups(cal.get("hours") or {})
    parts = [f"{names[a]}{'–' + names[b] if b != a else ''} {s}" for a, b, s in groups]
    zone = cal.get("timezone") or ctx.config.get("timezone")
    return "; ".join(parts) + (f" ({zone})" if zone else "")


def _office_calendar(ctx: SiteContext) -> dict | None:
    calendars = (ctx.config.get("sla") or {}).get("calendars") or {}
    for policy in (ctx.config.get("sla") or {}).get("policies") or []:
        cal = calendars.get(policy.get("calendar"))
        if isinstance(cal, dict):
            return cal
    return next((c for c in calendars.values() if isinstance(c, dict)), None)


@placeholder("hours")
def hours(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    lines = []
    text = site_settings(ctx).get("hours")
    if text:
        lines.append(f"**{md_escape(t(ctx, 'hours_title'))}:** {md_escape(text)}")
    cal = _office_calendar(ctx)
    if cal:
        lines.append(f"*{md_escape(_weekly(ctx, cal))}*")
        today = ctx.extra.get("today") or _dt.date.today()
        coming = [d for d in (cal.get("holidays") or []) if str(d) >= today.isoformat()]
        if coming:
            lines.append(f"{md_escape(t(ctx, 'holidays'))}: {', '.join(md_escape(long_date(ctx, str(d))) for d in coming)}.")
    return "\n\n".join(lines)


@placeholder("sla-targets")
def sla_targets(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    sla = ctx.config.get("sla") or {}
    calendars = sla.get("calendars") or {}
    priorities = ctx.config.get("priorities") or {}
    categories = getattr(ctx.config, "categories", {}) or {}
    teams = ctx.config.get("teams") or {}
    rows = [
        f"| {t(ctx, 'priority')} | {t(ctx, 'applies')} | {t(ctx, 'first_response')} | {t(ctx, 'next_update')} | {t(ctx, 'resolution')} | {t(ctx, 'clock')} |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    specific: set[str] = set()
    for policy in sla.get("policies") or []:
        prio = policy.get("priority")
        label = priority_text(ctx, str(prio), "label") if prio in priorities else str(prio or "").capitalize()
        scope = []
        if policy.get("category"):
            cat = categories.get(policy["category"])
            scope.append(cat.name if cat else policy["category"])
        if policy.get("team"):
            scope.append((teams.get(policy["team"]) or {}).get("name") or policy["team"])
        if scope:
            applies = ", ".join(scope)
            specific.add(str(prio))
        else:
            applies = t(ctx, "others") if str(prio) in specific else t(ctx, "all")
        cal = calendars.get(policy.get("calendar"))
        always = cal == "24x7" or cal is None
        clock = t(ctx, "always") if always else t(ctx, "business")
        cells = [label, applies] + [human_duration(ctx, policy[k], business=not always) if policy.get(k) else "—" for k in ("first_response", "next_update", "resolution")] + [clock]
        rows.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    return "\n".join(rows) + f"\n\n*{md_escape(t(ctx, 'targets_note'))}*"


@placeholder("priorities")
def priority_table(ctx: SiteContext, page: PageInfo) -> str:  # noqa: ARG001 - placeholder signature
    rows = [f"| {t(ctx, 'priority')} | {t(ctx, 'meaning')} |", "| --- | --- |"]
    for key in ctx.config.get("priorities") or {}:
        rows.append(f"| {md_escape(priority_text(ctx, key, 'label'))} | {md_escape(priority_text(ctx, key, 'description'))} |")
    return "\n".join(rows)


def request_mail(ctx: SiteContext, contacts: dict) -> tuple[str, str, str] | None:
    """(address, ``mailto:`` URL, the body's "article" question or "") of a new request by e-mail in the page's language: the subject
    and the body's questions from :func:`gitdesk.requestmail.prefill`, which
    ``gitdesk intake email`` reads back (category, impact, urgency, article)."""
    address = next(iter(_EMAIL_RE.findall(str(contacts.get("email") or ""))), None) or (ctx.config.get("mail") or {}).get("address")
    if not address:
        return None
    from gitdesk.requestmail import prefill

    mail = prefill(ctx.config, ctx.language)
    label = text("desk.q_article", ctx.language)  # gitdesk.js adds "<label>: <article>" to the body
    return address, f"mailto:{quote(address, safe='@')}?subject={quote(mail['subject'], safe='')}&body={quote(mail['body'], safe='')}", label


@placeholder("open-ticket")
def open_ticket(ctx: SiteContext, page: PageInfo) -> str:
    lines = ['<p class="gitdesk-article-note" hidden></p>', ""]
    contacts = site_settings(ctx).get("contacts") or {}
    if github_repository(ctx):
        lines.append(f"[{md_escape(t(ctx, 'github'))}](<{issue_form_url(ctx)}>){{ .md-button .md-button--primary .gitdesk-ticket-link }}")
        lines.append("")
        lines.append(f"*{md_escape(t(ctx, 'github_note'))}*")
        lines.append("")
    mail = request_mail(ctx, contacts)
    if mail:
        address, mailto, label = mail
        data = f' data-article-label="{html.escape(label)}"' if label else ""
        lines.append(f"[{md_escape(t(ctx, 'email'))}: {md_escape(address)}](<{mailto}>){{ .md-button .gitdesk-mail-link{data} }}")
        lines.append("")
        lines.append(f"*{md_escape(t(ctx, 'email_note'))}*")
        lines.append("")
    if contacts.get("phone"):
        lines.append(f"{md_escape(t(ctx, 'phone'))}: {_contact_cell(ctx, page, 'phone', str(contacts['phone']))} {md_escape(t(ctx, 'phone_note'))}.")
    return "\n".join(lines).strip() + "\n"
