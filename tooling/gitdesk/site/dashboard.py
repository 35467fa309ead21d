"""The published dashboard: ``dashboard.md``, generated at build time from the tickets.

The gitdesk MkDocs plugin imports this module when it exists (see
:mod:`gitdesk.site.extensions`) and adds the page to the site, so nothing generated is ever
committed. The page shows aggregate figures only: the same report as ``gitdesk metrics --out``
without the per-agent table (agents are people, and the site names no one), with the SVG charts
inline. It is left out when ``site.dashboard`` is false in ``helpdesk.yml``.
"""

from __future__ import annotations

from gitdesk.errors import GitdeskError
from gitdesk.site.extensions import SiteContext, generated_page

PAGE = "dashboard.md"


def dashboard_markdown(result: dict, title: str | None = None, language: str = "en") -> str:
    """The page's Markdown for computed metrics, in ``language``."""
    from gitdesk.metrics.report import inline_chart, markdown_report, words

    title = title or words(language)("title")
    head = "---\ntitle: " + _yaml_text(title) + "\n---\n\n"
    return head + markdown_report(result, title=title, agents=False, chart=inline_chart(result, language), language=language)


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(" ".join(str(text).split()), ensure_ascii=False)  # JSON strings are YAML


def dashboard_enabled(config) -> bool:
    return bool((config.get("site") or {}).get("dashboard", True))


@generated_page(PAGE)
def dashboard(ctx: SiteContext) -> str | None:
    """Metrics of every ticket in the repository, as of the build."""
    if not dashboard_enabled(ctx.config):
        return None
    from gitdesk.metrics.collect import metrics_for_repo
    from gitdesk.repo import Repo

    try:
        result = metrics_for_repo(Repo(ctx.root), ctx.config)
    except GitdeskError as exc:
        # the plugin turns placeholder errors into PluginError; do the same for this page
        from mkdocs.exceptions import PluginError

        raise PluginError(f"gitdesk: {PAGE}: {exc.line()}") from None
    return dashboard_markdown(result, language=ctx.language)
