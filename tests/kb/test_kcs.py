"""KCS end to end: `kb draft --from-ticket` on real sample tickets, the states in `kb check`,
drafts kept out of the end-user site, and `ticket resolve --kb`."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_main
from tests.support.desk import PROJECT, git, init_repo, make_desk
from tests.support.kb import make_sample
from tests.support.site import build

AGENT = "Ana Lima <ana.lima@northwind.example>"
WIFI = "JG69EBWP9D"  # a resolved sample ticket: "Wi-Fi drops in meeting room" (network/wifi), asset of a person


@pytest.fixture
def real_desk(tmp_path: Path) -> Path:
    """A copy of the shipped sample desk (helpdesk.yml, kb/, tickets/) in its own git repository."""
    root = init_repo(tmp_path / "desk")
    for name in ("kb", "tickets"):
        shutil.copytree(PROJECT / name, root / name)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sample")
    return root


def _problems(root: Path) -> list[str]:
    """What ``kb check`` reports, but the sample's overdue reviews (a warning that depends on
    today's date, and on the sample's story: some articles wait for review on purpose)."""
    code, out, err = run_main("kb", "check", repo=root)
    return ([line for line in out.splitlines() if line.strip() and ": overdue-review: " not in line]
            + ([] if code == 0 else [f"exit {code}: {err.strip()}"]))


def test_draft_from_a_real_sample_ticket_passes_kb_check_without_personal_data(real_desk):
    desk = make_desk(real_desk, actor=AGENT)
    ticket = desk.store.get(WIFI)
    requester = ticket.requester
    # what an agent writes while fixing it: a marked note with a person's details mixed in
    desk.comment(WIFI, "Called Requester 12 back on +44 20 7946 0958 (user12@northwind.example), laptop LT-0042.\n"
                       "Fix: forget the MeetingRoom network on the laptop, then join it again.\n"
                       "- Turn off the 2.4 GHz radio preference in the adapter settings.\n\n"
                       "Private: the requester's manager is Chen Wei.", public=False)
    code, out, err = run_main("kb", "draft", "--from-ticket", f"HD-{WIFI}", "--json", repo=real_desk)
    assert code == 0, err
    result = json.loads(out)
    assert result["path"] == "kb/network/wi-fi-drops-in-meeting-room.md" and result["language"] == "en"
    meta = result["front_matter"]
    assert meta["kcs"] == "draft" and meta["tickets"] == [f"HD-{ticket.id}"]
    assert meta["category"] == "network/wifi" and meta["owner"] == "infrastructure"  # the team of network/ articles
    text = (real_desk / result["path"]).read_text(encoding="utf-8")
    assert "forget the MeetingRoom network on the laptop" in text and "2.4 GHz radio" in text  # the marked steps
    assert "Private" not in text and "manager" not in text  # unmarked note lines stay private
    assert "Category: Wi-Fi and wired network" in text
    for secret in [requester["name"], requester["email"], "Requester 12", "user12@", "7946", "LT-0042", ticket.asset,
                   "Chen Wei", "Ana Lima", "Ben Okafor", "@northwind.example"]:
        if secret is None:
            continue
        assert secret.lower() not in text.lower(), secret
    assert _problems(real_desk) == []
    # never over an existing file: one line, nothing changed
    before = (real_desk / result["path"]).read_bytes()
    code, out, err = run_main("kb", "draft", "--from-ticket", WIFI, repo=real_desk)
    assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (real_desk / result["path"]).read_bytes() == before


def test_draft_is_written_in_the_requesters_language(real_desk):
    desk = make_desk(real_desk, actor=AGENT)
    created = desk.new(title="La impresora no imprime los documentos", description="Hola, soy Marta Ruiz. La impresora de la "
                          "tercera planta no imprime los documentos y se quedan en la cola.", category="printing",
                          requester={"name": "Marta Ruiz", "email": "marta.ruiz@northwind.example", "language": "es"})
    desk.resolve(created.id, comment="He reiniciado la cola de impresión; ya imprime.")
    code, out, err = run_main("kb", "draft", "--from-ticket", created.id, "--json", repo=real_desk)
    assert code == 0, err
    result = json.loads(out)
    assert result["language"] == "es" and result["path"].endswith(".es.md")  # a translation without its original yet
    text = (real_desk / result["path"]).read_text(encoding="utf-8")
    assert "## Síntomas" in text and "## Solución" in text and "He reiniciado la cola" in text
    assert "Marta" not in text and "Ruiz" not in text and "marta.ruiz" not in text
    assert _problems(real_desk) == []


def test_draft_refuses_an_open_ticket_and_a_ticket_without_category(real_desk):
    desk = make_desk(real_desk, actor=AGENT)
    open_one = desk.new(title="Monitor flickers", category="hardware")
    code, _, err = run_main("kb", "draft", "--from-ticket", open_one.id, repo=real_desk)
    assert code != 0 and "resolved ticket" in err and len(err.strip().splitlines()) == 1
    bare = desk.new(title="Something odd")
    desk.resolve(bare.id, comment="Sorted.")
    code, _, err = run_main("kb", "draft", "--from-ticket", bare.id, repo=real_desk)
    assert code != 0 and "no category" in err
    assert git(real_desk, "status", "--porcelain", "kb") == ""


def test_kb_check_knows_the_kcs_states(tmp_path):
    root = make_sample(tmp_path / "desk")
    page = root / "kb" / "accounts" / "reset-password.md"
    text = page.read_text(encoding="utf-8")
    for state in ("draft", "validated", "archived"):
        page.write_text(text.replace("\n---\n", f"\nkcs: {state}\n---\n", 1), encoding="utf-8")
        assert _problems(root) == [], state
    page.write_text(text.replace("\n---\n", "\nkcs: approved\n---\n", 1), encoding="utf-8")
    problems = _problems(root)
    assert any(re.match(r"kb/accounts/reset-password\.md:\d+: kcs: 'approved' is not one of", p) for p in problems), problems


def test_drafts_are_built_only_into_the_agents_part(tmp_path):
    root = make_sample(tmp_path / "desk")
    mkdocs = root / "mkdocs.yml"
    mkdocs.write_text("site_url: https://help.northwind.example/\n" + mkdocs.read_text(encoding="utf-8"), encoding="utf-8")  # a sitemap
    init_repo(root, config=False)
    desk = make_desk(root, actor=AGENT)
    created = desk.new(title="Shared calendar shows wrong time zone", category="accounts",
                          description="Meetings in the shared calendar appear one hour late.")
    desk.comment(created.id, "Fix: set the calendar's time zone in its properties to the office zone.", public=False)
    desk.resolve(created.id, comment="Changed the calendar's time zone; meetings show at the right time.")
    code, out, err = run_main("kb", "draft", "--from-ticket", created.id, "--json", repo=root)
    assert code == 0, err
    rel = json.loads(out)["path"].removeprefix("kb/")
    site = tmp_path / "site"
    build(root, site)  # strict
    html = site / "agents" / "drafts" / rel.replace(".md", ".html")
    page = html.read_text(encoding="utf-8")
    assert "admonition warning" in page and f"HD-{created.id}" in page  # the visible Draft banner
    assert not (site / rel.replace(".md", ".html")).exists()  # not at its end-user address
    title = "Shared calendar shows wrong time zone"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d for d in index["docs"] if title in d.get("title", "") or "drafts/" in d.get("location", "")]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "reset-password.html" in sitemap and "drafts/" not in sitemap
    assert "drafts/" not in gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode("utf-8")
    for end_user in [p for p in site.rglob("*.html") if "agents" not in p.relative_to(site).parts]:
        assert title not in end_user.read_text(encoding="utf-8"), end_user  # not in nav, home, tags or related
    # validated: it moves to the end-user site
    draft = root / "kb" / rel
    draft.write_text(draft.read_text(encoding="utf-8").replace("kcs: draft", "kcs: validated"), encoding="utf-8")
    build(root, site)
    assert (site / rel.replace(".md", ".html")).is_file() and not html.exists()
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert [d for d in index["docs"] if d.get("title") == title]


def test_resolve_with_kb_records_what_solved_it(real_desk):
    desk = make_desk(real_desk, actor=AGENT)
    created = desk.new(title="Print jobs stuck again", category="printing")
    code, out, err = run_main("ticket", "resolve", created.id, "--kb", "kb/printing/print-job-stuck.md", "--kb", "printing/badge-release",
                              "-m", "Cleared the queue.", "--json", repo=real_desk)
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "resolved"
    assert data["solved_by"] == ["printing/badge-release.md", "printing/print-job-stuck.md"]
    assert set(data["solved_by"]) <= set(data["kb"])  # what solved it is linked too
    resolve = [h for h in data["history"] if h["action"] == "resolve"][-1]
    assert resolve["add"]["solved_by"] == data["solved_by"]


def test_resolve_with_a_missing_article_writes_nothing(real_desk):
    desk = make_desk(real_desk, actor=AGENT)
    created = desk.new(title="Print jobs stuck again", category="printing")
    git(real_desk, "add", "-A")
    git(real_desk, "commit", "-q", "-m", "ticket")
    for bad in ("printing/no-such-article.md", "../helpdesk.yml", "printing/index.md"):
        code, out, err = run_main("ticket", "resolve", created.id, "--kb", bad, repo=real_desk)
        assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert "kb" in err
    assert git(real_desk, "status", "--porcelain") == ""
    assert desk.store.get(created.id).status != "resolved"


def test_drafts_and_archived_articles_are_never_suggested(tmp_path):
    from gitdesk.config import load_config
    from gitdesk.kb.search import Searcher
    from gitdesk.kb.suggest import suggest

    root = make_sample(tmp_path / "desk")
    config = load_config(root)
    page = root / "kb" / "accounts" / "reset-password.md"
    text = page.read_text(encoding="utf-8")

    def suggested() -> list[str]:
        with Searcher(root, config, mode="lexical") as s:
            return [r.path for r in suggest(root, config, "I forgot my password after the holidays", searcher=s)]

    assert "accounts/reset-password.md" in suggested()
    for state in ("draft", "archived"):
        page.write_text(text.replace("\n---\n", f"\nkcs: {state}\n---\n", 1), encoding="utf-8")
        assert "accounts/reset-password.md" not in suggested(), state


def test_draft_print_writes_nothing_and_a_used_title_is_refused(real_desk):
    code, out, err = run_main("kb", "draft", "--from-ticket", WIFI, "--print", repo=real_desk)
    assert code == 0, err
    assert out.startswith("---\ntitle: Wi-Fi drops in meeting room\n") or out.startswith('---\ntitle: "Wi-Fi drops in meeting room"\n')
    assert "kcs: draft" in out
    assert git(real_desk, "status", "--porcelain") == ""
    code, _, err = run_main("kb", "draft", "--from-ticket", WIFI, "--title", "Reset a forgotten or expired password", repo=real_desk)
    assert code != 0 and "title already used by kb/accounts/reset-password.md" in err
    assert git(real_desk, "status", "--porcelain") == ""
