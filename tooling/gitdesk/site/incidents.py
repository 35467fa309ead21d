"""Major incidents on the site: a banner on every page while one is active, and a status page.

Both come from ``incidents/`` (see :mod:`gitdesk.incidents`) at build time, in the build's
language (strings in ``data/lang/<lang>/incidents.yml``; the incident's own title and messages
are as the agents wrote them). The status page, ``status.md``, exists once the desk has had an
incident; the banner disappears at the first build after the incident is resolved. No person is
named: the timeline shows when and what, never who.
"""

from __future__ import annotations

import html

from gitdesk.site.extensions import PageInfo, SiteContext, generated_page

STATUS_PAGE = "status.md"


def _incidents(ctx: SiteContext) -> list[dict]:
    """Every incident, read once per build (and language)."""
    if "incidents" not in ctx.extra:
        from gitdesk.incidents import IncidentBook

        ctx.extra["incidents"] = IncidentBook(ctx.root).all()
    return ctx.extra["incidents"]


def _when(ctx: SiteContext, at: str) -> str:
    from zoneinfo import ZoneInfo

    from gitdesk.model.event import parse_time

    return parse_time(at).astimezone(ZoneInfo(ctx.config.get("timezone") or "UTC")).strftime("%Y-%m-%d %H:%M")


def _plain(text: str) -> str:
    """Agent-written text made inert in Markdown: HTML escaped, one line."""
    return html.escape(" ".join(str(text or "").split()), quote=True)


def banner_markdown(ctx: SiteContext, info: PageInfo) -> str:
    """The banner for the top of a page: one admonition per active incident ("" when none)."""
    from gitdesk.languages import text

    active = [i for i in _incidents(ctx) if i["status"] == "active"]
    if not active:
        return ""
    up = "../" * info.src_uri.count("/")
    out = []
    for i in active:
        title = text("incidents.banner", ctx.language, title=_plain(i["title"])).replace('"', "&quot;")
        more = text("incidents.banner_more", ctx.language, when=_when(ctx, i["updated_at"]))
        link = f"[{more}]({up}{STATUS_PAGE})" if info.src_uri != STATUS_PAGE else more
        out.append(f'!!! danger "{title}"\n    {link}\n\n')
    return "".join(out)


@generated_page(STATUS_PAGE)
def status_page(ctx: SiteContext) -> str | None:
    """Every incident, active first, each with its timeline (None before the first incident)."""
    from gitdesk.languages import text

    found = _incidents(ctx)
    if not found:
        return None
    t = lambda key, **values: text(f"incidents.{key}", ctx.language, **values)  # noqa: E731
    lines = [f"# {t('status_title')}", ""]
    if not any(i["status"] == "active" for i in found):
        lines += [t("status_none"), ""]
    for i in sorted(found, key=lambda i: i["status"] != "active"):  # active first, then newest first
        state = t("status_active") if i["status"] == "active" else t("status_resolved")
        lines += [f"## {_plain(i['title'])} ({state})", "",
                  f"- {t('severity')}: {t('sev_' + i['severity'])}", f"- {t('affects')}: {_plain(i['affects'])}",
                  f"- {t('declared')}: {_when(ctx, i['declared_at'])}"]
        if i["resolved_at"]:
            lines.append(f"- {t('resolved')}: {_when(ctx, i['resolved_at'])}")
        lines += ["", f"### {t('timeline')}", ""]
        for e in reversed(i["timeline"]):
            lines.append(f"- **{_when(ctx, e['at'])}** {t('act_' + e['action'])}" + (f": {_plain(e['message'])}" if e["message"] else ""))
        lines.append("")
    return "\n".join(lines)
