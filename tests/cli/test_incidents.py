"""Major incidents: ``gitdesk incident ...``, merge safety across clones, the site's banner and status page."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.support.clones import pull_both_ways, two_clones
from tests.support.desk import PROJECT, git, init_repo


def _new(run_cli, title, requester, repo=None):
    result = run_cli("ticket", "new", title, "--requester", requester, "--json", repo=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def _declare(run_cli, *extra, repo=None):
    result = run_cli("incident", "declare", "E-mail is down", "--affects", "email", "--severity", "critical",
                     "--json", *extra, repo=repo)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_declare_update_resolve_tells_linked_requesters_in_their_language(run_cli, git_repo):
    sam = _new(run_cli, "No mail", "Sam Reed <sam@example.com>")
    ana = _new(run_cli, "Outlook offline", "Ana Sousa <ana@example.com>")
    assert run_cli("ticket", "set", ana, "requester.language=pt").exit_code == 0
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "tickets")
    found = _declare(run_cli, "-m", "We are on it.", "--ticket", sam, "--commit")
    assert found["status"] == "active" and found["tickets"] == [sam]
    assert git(git_repo, "status", "--porcelain") == ""  # the incident and the comment: one commit
    assert git(git_repo, "log", "-1", "--format=%s").startswith(f"MI-{found['id']}: declared \"E-mail is down\" (email, critical)")
    ref = found["id"][:6]
    result = run_cli("incident", "update", ref, "--ticket", ana)  # linking alone tells only the new ticket
    assert result.exit_code == 0, result.output
    result = run_cli("incident", "update", ref, "Failover in progress; webmail works.", "--severity", "high")
    assert result.exit_code == 0 and "told the requesters of 2 ticket(s)" in result.output
    result = run_cli("incident", "resolve", ref, "Mail flows again.")
    assert result.exit_code == 0, result.output
    shown = json.loads(run_cli("incident", "show", ref, "--json").output)
    assert shown["status"] == "resolved" and shown["severity"] == "high" and shown["resolved_at"]
    assert [e["action"] for e in shown["timeline"]] == ["declare", "link", "update", "resolve"]
    sam_comments = [c["body"] for c in json.loads(run_cli("ticket", "show", sam, "--json").output)["comments"]]
    ana_comments = [c["body"] for c in json.loads(run_cli("ticket", "show", ana, "--json").output)["comments"]]
    assert sam_comments == [
        "Your ticket is affected by a major incident: E-mail is down. We are on it.",
        "Your ticket is affected by a major incident: E-mail is down. Failover in progress; webmail works.",
        "The major incident affecting your ticket is resolved: E-mail is down. Mail flows again."]
    assert ana_comments[0].startswith("Seu chamado foi afetado por um incidente grave: E-mail is down.")
    assert ana_comments[-1] == "O incidente grave que afetava seu chamado foi resolvido: E-mail is down. Mail flows again."
    text = run_cli("incident", "list").output
    assert "resolved  high" in text and "E-mail is down" in text


def test_bad_input_is_refused_with_nothing_written(run_cli, git_repo):
    found = _declare(run_cli)
    files = sorted((git_repo / "incidents").rglob("*.yml"))
    cases = [
        (["incident", "declare", "Mail broken", "--affects", "EMAIL"], f"MI-{found['id']} \"E-mail is down\" (email) is already declared and active"),
        (["incident", "declare", "e-mail is DOWN", "--affects", "mail"], "already declared and active"),
        (["incident", "declare", "  ", "--affects", "x"], "needs a title"),
        (["incident", "declare", "Wifi down", "--affects", "wifi", "--ticket", "ZZZZZZ"], "'ZZZZZZ' (not found)"),
        (["incident", "update", "ZZZZZZ", "x"], "no incident matches 'ZZZZZZ'"),
        (["incident", "update", "../x", "x"], "not an incident id"),
        (["incident", "update", found["id"]], "an update needs a message"),
    ]
    for args, message in cases:
        result = run_cli(*args)
        assert result.exit_code != 0, (args, result.output)
        assert message in result.output and "Traceback" not in result.output, (args, result.output)
    assert sorted((git_repo / "incidents").rglob("*.yml")) == files
    assert run_cli("incident", "resolve", found["id"], "done").exit_code == 0
    result = run_cli("incident", "resolve", found["id"], "again")
    assert result.exit_code == 2 and "is already resolved" in result.output
    result = run_cli("incident", "update", found["id"], "more")
    assert result.exit_code == 2 and "is resolved: declare a new incident" in result.output
    # declaring again once resolved is fine
    assert _declare(run_cli)["id"] != found["id"]
    # a damaged file: one line naming the file and the field
    path = sorted((git_repo / "incidents" / found["id"]).glob("*.yml"))[0]
    data = yaml.safe_load(path.read_text())
    data["set"]["severity"] = "apocalyptic"
    path.write_text(yaml.safe_dump(data))
    result = run_cli("incident", "list")
    assert result.exit_code == 1
    assert f"incidents/{found['id']}/{path.name}: set.severity: unknown severity 'apocalyptic'" in result.output
    result = run_cli("check")
    assert result.exit_code == 1
    assert f"incidents/{found['id']}/{path.name}: set.severity: unknown severity 'apocalyptic'" in result.output


def test_incidents_merge_across_two_clones(run_cli, tmp_path):
    origin = init_repo(tmp_path / "origin")
    found = _declare(run_cli, "--commit", repo=origin)
    a, b = two_clones(origin, tmp_path)
    assert run_cli("incident", "update", found["id"], "Update from A", "--severity", "high", "--commit", repo=a).exit_code == 0
    assert run_cli("incident", "update", found["id"], "Update from B", "--commit", repo=b).exit_code == 0
    assert run_cli("incident", "resolve", found["id"], "Fixed (B)", "--commit", repo=b).exit_code == 0
    # a second incident declared in one clone only
    other = json.loads(run_cli("incident", "declare", "VPN down", "--affects", "vpn", "--commit", "--json", repo=a).output)
    pull_both_ways(a, b)
    views = [json.loads(run_cli("incident", "list", "--json", repo=clone).output) for clone in (a, b)]
    assert views[0] == views[1]
    merged = {i["id"]: i for i in views[0]}
    mail = merged[found["id"]]
    assert [e["message"] for e in mail["timeline"]][1:] == ["Update from A", "Update from B", "Fixed (B)"]
    assert mail["status"] == "resolved" and mail["severity"] == "high"
    assert merged[other["id"]]["status"] == "active"


def test_site_banner_on_every_page_while_active_and_status_page(run_cli, tmp_path):
    from tests.support.kb import make_sample
    from gitdesk.publish.build import build_site

    root = make_sample(tmp_path / "desk")
    init_repo(root, config=False)
    found = _declare(run_cli, "-m", "Use webmail meanwhile.", repo=root)
    site = tmp_path / "site"
    build_site(root, site_dir=site)
    pages = [p for p in site.rglob("*.html") if p.name != "404.html" and "assets" not in p.parts]
    assert len(pages) > 5
    for page in pages:
        assert "Major incident: E-mail is down" in page.read_text(), page
    status = (site / "status.html").read_text()
    assert "Service status" in status and "In progress" in status and "Use webmail meanwhile." in status
    nested = next(p for p in pages if p.parent != site)
    assert 'href="../status.html"' in nested.read_text()
    assert run_cli("incident", "resolve", found["id"], "Mail flows again.", repo=root).exit_code == 0
    build_site(root, site_dir=site)
    for page in [p for p in site.rglob("*.html") if "assets" not in p.parts]:
        assert "Major incident: E-mail is down" not in page.read_text(), page
    status = (site / "status.html").read_text()
    assert "Resolved" in status and "Mail flows again." in status and "No major incident is in progress" in status


def test_banner_and_status_page_in_each_language():
    from gitdesk.config import load_config
    from gitdesk.site import incidents as site_incidents
    from gitdesk.site.extensions import PageInfo, SiteContext

    config = load_config(PROJECT)
    sample = [{"id": "53W13EXSJF", "title": "E-mail is down", "affects": "email", "severity": "critical",
               "status": "active", "tickets": [], "declared_at": "2026-12-06T02:00:00.000000Z", "resolved_at": None,
               "updated_at": "2026-12-06T02:00:00.000000Z",
               "timeline": [{"at": "2026-12-06T02:00:00.000000Z", "by": "x", "action": "declare", "message": "<b>hi</b>", "severity": "critical"}]}]
    expected = {"en": ("Major incident", "Service status"), "es": ("Incidente grave", "Estado del servicio"),
                "pt": ("Incidente grave", "Status do serviço")}
    for language, (banner, title) in expected.items():
        ctx = SiteContext(root=Path("/nonexistent"), config=config, language=language, extra={"incidents": sample})
        text = site_incidents.banner_markdown(ctx, PageInfo(src_uri="email/x.md"))
        assert text.startswith(f'!!! danger "{banner}: E-mail is down"') and "(../status.md)" in text
        page = site_incidents.status_page(ctx)
        assert page.startswith(f"# {title}") and "&lt;b&gt;hi&lt;/b&gt;" in page and " x" not in page.split("###")[1]


def test_pages_workflow_rebuilds_when_an_incident_changes():
    """Incident files are committed to main; the Pages workflow builds on every push to main
    (no paths filter that would leave incidents/ out), in the repository and in what init writes."""
    from gitdesk.scaffold import plan

    written = plan(repository="acme/helpdesk", branch="main")[0][".github/workflows/pages.yml"]
    for name, text in (("this repository", (PROJECT / ".github/workflows/pages.yml").read_text()),
                       ("gitdesk init", written)):
        on = yaml.safe_load(text)[True]
        push = on["push"]
        assert "main" in push["branches"], name
        paths = push.get("paths")
        assert paths is None or any(p.startswith("incidents") for p in paths), name
