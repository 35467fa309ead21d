"""`gitdesk kb check` rules, each broken on purpose in a clean sample KB (hostile Markdown too)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.support.kb import RECENT, faq, front, guide, write

ART = "kb/accounts/reset-password.md"


def test_sample_is_clean(lint):
    assert lint() == []


def _only(problems: list[str], path: str = ART) -> list[str]:
    return [p for p in problems if p.startswith(path + ":")]


# -- script-capable HTML and links ------------------------------------------------------------------

HOSTILE = [
    ("script tag", "<script>alert(1)</script>", "raw-html: <script> element"),
    ("script tag upper case", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "raw-html: <script> element"),
    ("iframe", '<iframe src="https://evil.example"></iframe>', "raw-html: <iframe> element"),
    ("img onerror", '<img src="x.png" onerror="alert(1)">', "raw-html: onerror= event handler"),
    ("svg onload", "<svg onload=alert(1)>", "raw-html: onload= event handler"),
    ("details ontoggle multiline", '<details open\n  ontoggle="alert(1)">x</details>', "raw-html: ontoggle= event handler"),
    ("attr_list onclick", "[click me](password-faq.md){ onclick=\"alert(1)\" }", "raw-html: onclick= event handler"),
    ("inline javascript link", "[reset](javascript:alert(document.cookie))", "unsafe-link: javascript: URL runs script"),
    ("javascript with tab and entity", "[reset](java&#x09;script:alert(1))", "unsafe-link: javascript: URL runs script"),
    ("javascript percent-encoded", "[reset](%6Aavascript:alert(1))", "unsafe-link: javascript: URL runs script"),
    ("javascript mixed case angle", "[reset](<JaVaScRiPt:alert(1)>)", "unsafe-link: javascript: URL runs script"),
    ("reference-style javascript", "See [the form][f].\n\n[f]: javascript:alert(1)", "unsafe-link: javascript: URL runs script"),
    ("unused reference definition", "Text.\n\n[x]:   vbscript:msgbox(1)  \"t\"", "unsafe-link: vbscript: URL runs script"),
    ("data html link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "unsafe-link: data: URL of text/html"),
    ("data svg image", "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)", "unsafe-link: data: URL of image/svg+xml"),
    ("raw anchor javascript", '<a href="  javascript:alert(1)">x</a>', "raw-html: href= javascript: URL runs script"),
    ("object", '<object data="x.swf"></object>', "raw-html: <object> element"),
    ("embed", '<embed src="x.swf">', "raw-html: <embed> element"),
    ("base", '<base href="https://evil.example/">', "raw-html: <base> element"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">', "raw-html: <meta> element"),
    ("form action javascript", '<form action="javascript:alert(1)"><button>go</button></form>', "raw-html: action= javascript: URL"),
    ("iframe srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "raw-html: srcdoc="),
    ("script in admonition", "!!! warning\n    <script>alert(1)</script>", "raw-html: <script> element"),
    ("script after unclosed fence", "```\n<script>alert(1)</script>\n", "raw-html: <script> element"),
]


@pytest.mark.parametrize("name,snippet,expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_script_capable_markup_is_reported_with_its_line(lint, sample, name, snippet, expected):
    text = guide("Reset a forgotten password", related="[accounts/password-faq.md]", body={"Fix": "Step one.\n\n" + snippet})
    write(sample / "kb", "accounts/reset-password.md", text)
    problems = _only(lint())
    hits = [p for p in problems if expected in p]
    assert hits, f"{name}: nothing matching {expected!r} in {problems}"
    fix_line = text.split("\n").index("## Fix") + 1
    first_snippet_line = fix_line + 4  # "## Fix", blank, "Step one.", blank, snippet
    line = int(hits[0].split(":")[1])
    assert first_snippet_line <= line <= first_snippet_line + snippet.count("\n"), hits[0]


@pytest.mark.parametrize("snippet", [
    "```html\n<script>alert(1)</script>\n```",
    "~~~\n<iframe src=x></iframe>\n~~~",
    "Type `<script>` or `javascript:` in the box.",
    "    ```\n    <script>x</script>\n    ```",
    "A [safe link](password-faq.md) and <kbd>Ctrl</kbd> + <kbd>Alt</kbd>.",
    "Mention the word onload= in plain text, and data: in a sentence.",
])
def test_code_and_harmless_html_are_not_reported(lint, sample, snippet):
    write(sample / "kb", "accounts/reset-password.md",
          guide("Reset a forgotten password", related="[accounts/password-faq.md]", body={"Fix": snippet}))
    assert _only(lint()) == []


# -- front matter --------------------------------------------------------------------------------

FRONT = [
    ("unknown key", dict(extra="titel: typo\n"), ":11: titel: unknown front-matter key"),
    ("upper-case tag", dict(tags="[password, Account]"), ":4: tags[1]: 'Account' is not a lower-case tag"),
    ("empty tags", dict(tags="[]"), ":4: tags: [] should be non-empty"),
    ("unknown category", dict(category="accounts/passwords"), ":5: category: unknown category 'accounts/passwords'"),
    ("bad type", dict(kind="howto"), ":6: type: 'howto' is not one of ['guide', 'faq']"),
    ("unknown audience", dict(audience="robots"), ":7: audience: unknown audience 'robots'"),
    ("unknown owner", dict(owner="marketing"), ":8: owner: unknown team 'marketing'"),
    ("impossible date", dict(reviewed="2026-02-30"), ":9: last_reviewed: "),
    ("future date", dict(reviewed=(dt.date.today() + dt.timedelta(days=3)).isoformat()), "is in the future"),
    ("overdue", dict(reviewed="2020-01-01"), ":9: overdue-review: last reviewed 2020-01-01, due 2020-06-29 (every 180 days)"),
    ("bad review interval", dict(extra="review_every: 0\n"), ":11: review_every: 0 is less than the minimum of 1"),
    ("related missing", dict(related="[accounts/nope.md]"), ":10: related[0]: no such page: accounts/nope.md"),
    ("related to itself", dict(related="[accounts/reset-password.md]"), "related[0]: an article cannot be related to itself"),
    ("related escapes", dict(related="[../README.md]"), ":10: related[0]: '../README.md' does not match"),
    ("summary with html", dict(summary="<b>bold</b> summary text here"), ":3: summary: "),
]


@pytest.mark.parametrize("name,meta,expected", FRONT, ids=[f[0] for f in FRONT])
def test_front_matter_rules(lint, sample, name, meta, expected):
    write(sample / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", **meta))
    problems = _only(lint())
    assert any(expected in p for p in problems), f"{name}: {expected!r} not in {problems}"


def test_missing_required_keys_and_no_front_matter(lint, sample):
    text = guide("Reset a forgotten password").replace("summary: Get back into your account when the password is forgotten or expired.\n", "")
    write(sample / "kb", "accounts/reset-password.md", text)
    write(sample / "kb", "accounts/bare.md", "# Bare\n\nNo front matter at all.\n")
    problems = lint()
    assert f"{ART}:1: summary: missing (required front-matter key)" in problems
    assert "kb/accounts/bare.md:1: front-matter: missing front matter (--- block with title, summary, tags, category, type...)" in problems


def test_malformed_yaml_reports_the_file_line(lint, sample):
    write(sample / "kb", "accounts/reset-password.md", "---\ntitle: ok\nsummary: [unclosed\ntags: [a]\n---\n\n# ok\n")
    problems = _only(lint())
    assert len(problems) == 1 and problems[0].startswith(f"{ART}:") and "front-matter: malformed YAML" in problems[0], problems
    line = int(problems[0].split(":")[1])
    assert 3 <= line <= 5


def test_yaml_alias_bomb_and_non_mapping_front_matter(lint, sample):
    write(sample / "kb", "accounts/reset-password.md", "---\na: &a [x, x]\nb: [*a, *a]\n---\n\n# x\n")
    write(sample / "kb", "accounts/list.md", "---\n- just\n- a list\n---\n\n# x\n")
    problems = lint()
    assert any(p.startswith(f"{ART}:") and "anchors and aliases are not allowed" in p for p in problems), problems
    assert "kb/accounts/list.md:2: front-matter: front matter must be a mapping of keys to values" in problems


def test_oversized_and_non_utf8_files(lint, sample):
    (sample / "kb" / "accounts" / "huge.md").write_bytes(b"# x\n" + b"a" * (1024 * 1024 + 10))
    (sample / "kb" / "accounts" / "latin1.md").write_bytes("---\ntitle: Contrase\xf1a\n---\n".encode("latin-1"))
    problems = lint()
    assert "kb/accounts/huge.md:1: file: file is larger than the limit of 1048576 bytes" in problems
    assert any(p.startswith("kb/accounts/latin1.md:1: file: not UTF-8 text") for p in problems), problems


# -- structure -------------------------------------------------------------------------------------

def test_guide_sections_missing_out_of_order_and_empty(lint, sample):
    text = (front("Reset a forgotten password") + "\n# Reset a forgotten password\n\nIntro.\n\n## Quick checks\n\nCheck.\n\n"
            "## Symptoms\n\nIt fails.\n\n## Fix\n\n## When to escalate\n\nCall.\n")
    write(sample / "kb", "accounts/reset-password.md", text)
    problems = _only(lint())
    lines = text.split("\n")
    expected_order = "(expected: Symptoms, Quick checks, Fix, When to escalate, What to put in the ticket)"
    assert f"{ART}:{lines.index('## Quick checks') + 1}: sections: '## Quick checks' is out of order {expected_order}" in problems
    assert f"{ART}:{lines.index('## Fix') + 1}: sections: section '## Fix' is empty" in problems
    assert f"{ART}:{lines.index('## When to escalate') + 1}: sections: missing section '## What to put in the ticket'" in problems
    assert len(problems) == 3, problems


def test_h1_must_equal_title_and_be_single(lint, sample):
    text = guide("Reset a forgotten password").replace("# Reset a forgotten password", "# Reset your password\n\n# Second H1")
    write(sample / "kb", "accounts/reset-password.md", text)
    problems = _only(lint())
    assert any("sections: H1 'Reset your password' differs from the front-matter title 'Reset a forgotten password'" in p for p in problems), problems
    assert any("sections: more than one H1" in p for p in problems), problems


def test_faq_needs_two_answered_questions(lint, sample):
    write(sample / "kb", "accounts/password-faq.md",
          faq("Password questions", tags="[password, faq]", questions={"How long must it be?": "", "Not a question": "Text."}))
    problems = _only(lint(), "kb/accounts/password-faq.md")
    assert any("an FAQ needs at least two '## ...?' questions (found 1)" in p for p in problems), problems
    assert any("question 'How long must it be?' has no answer" in p for p in problems), problems


# -- links, anchors, images ----------------------------------------------------------------------

LINKS = [
    ("missing page", "[x](nope.md)", "link: no such page: nope.md"),
    ("missing anchor elsewhere", "[x](password-faq.md#no-such-heading)", "anchor: no heading with id #no-such-heading in accounts/password-faq.md"),
    ("missing anchor here", "[x](#nowhere)", "anchor: no heading with id #nowhere on this page"),
    ("missing image", "![diagram](img/missing.png)", "image: missing image: img/missing.png"),
    ("remote image", "![x](https://cdn.example/x.png)", "remote-resource: image loaded from another host"),
    ("protocol-relative image", "![x](//cdn.example/x.png)", "remote-resource: image loaded from another host"),
    ("absolute link", "[x](/accounts/password-faq.md)", "link: absolute link /accounts/password-faq.md"),
    ("outside kb", "[x](../../README.md)", "link: ../../README.md points outside the knowledge base"),
    ("folder link", "[x](../network/)", "link: ../network/ is a folder"),
    ("reference to missing page", "[x][r]\n\n[r]: ../network/nope.md", "link: no such page: ../network/nope.md"),
    ("raw html missing image", '<img src="nope.png" alt="x">', "image: missing image: nope.png"),
]


@pytest.mark.parametrize("name,snippet,expected", LINKS, ids=[x[0] for x in LINKS])
def test_link_rules(lint, sample, name, snippet, expected):
    write(sample / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", related="[accounts/password-faq.md]", body={"Fix": snippet}))
    problems = _only(lint())
    assert any(expected in p for p in problems), f"{name}: {expected!r} not in {problems}"


def test_valid_links_anchors_and_images_pass(lint, sample):
    (sample / "kb" / "accounts" / "img").mkdir()
    (sample / "kb" / "accounts" / "img" / "shot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = ("[faq](password-faq.md#how-often-do-i-change-it) [here](#fix) [vpn](../network/vpn-wont-connect.md#quick-checks) "
            "![shot](img/shot.png) [web](https://example.com) [mail](mailto:helpdesk@northwind.example) [tel](tel:+4420)")
    write(sample / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", related="[accounts/password-faq.md]", body={"Fix": body}))
    assert _only(lint()) == []


def test_heading_slugs_follow_toc(lint, sample):
    body = "### Café & Wi-Fi: what's new?\n\nText.\n\n### Café & Wi-Fi: what's new?\n\nAgain.\n\n### Custom {#my-id}\n\nx"
    links = "[a](#cafe-wi-fi-whats-new) [b](#cafe-wi-fi-whats-new_1) [c](#my-id)"
    write(sample / "kb", "accounts/reset-password.md",
          guide("Reset a forgotten password", related="[accounts/password-faq.md]", body={"Quick checks": body, "Fix": links}))
    assert _only(lint()) == []


# -- whole-KB rules --------------------------------------------------------------------------------

def test_duplicate_titles(lint, sample):
    write(sample / "kb", "network/copy.md", guide("reset a  FORGOTTEN password", category="network"))
    problems = lint()
    assert any(p.startswith("kb/network/copy.md:2: duplicate-title: title 'reset a  FORGOTTEN password' is also used by kb/accounts/reset-password.md") for p in problems), problems


def test_orphans_with_an_explicit_nav(lint, sample):
    mk = (sample / "mkdocs.yml").read_text()
    (sample / "mkdocs.yml").write_text(mk + "\nnav:\n  - index.md\n  - get-help.md\n  - open-a-ticket.md\n  - tags.md\n  - accounts/index.md\n  - network/index.md\n")
    write(sample / "kb", "network/lonely.md", guide("A lonely page", category="network"))
    problems = lint()
    assert "kb/network/lonely.md:1: orphan: not in the navigation and no page links to it" in problems
    # linked pages (index lists, related) are not orphans
    assert not any("reset-password.md:1: orphan" in p or "password-faq.md:1: orphan" in p for p in problems), problems


def test_orphans_excluded_by_not_in_nav(lint, sample):
    (sample / "mkdocs.yml").write_text((sample / "mkdocs.yml").read_text() + "\nnot_in_nav: |\n  /drafts/*\n")
    write(sample / "kb", "drafts/index.md", "# Drafts\n")
    write(sample / "kb", "drafts/wip.md", guide("Work in progress", category="other"))
    problems = lint()
    assert "kb/drafts/wip.md:1: orphan: not in the navigation and no page links to it" in problems


def test_section_without_index(lint, sample):
    write(sample / "kb", "printing/jam.md", guide("Paper jam", category="printing"))
    assert "kb/printing/jam.md:1: section-index: section folder printing/ has no index.md" in lint()


def test_placeholders(lint, sample):
    write(sample / "kb", "get-help.md", "# Get help\n\n<!-- gitdesk:channels -->\n\n| Priority | Response |\n| --- | --- |\n| High | 1 hour |\n\n<!-- gitdesk:nonsense -->\n")
    problems = lint()
    assert any(p.startswith("kb/get-help.md:9: placeholder: unknown placeholder gitdesk:nonsense") for p in problems), problems
    assert "kb/get-help.md:1: placeholder: add <!-- gitdesk:sla-targets -->: the table is rendered from helpdesk.yml, never hand-copied" in problems


def test_personal_data_of_agents_and_requesters(lint, sample):
    write(sample / "kb", "accounts/reset-password.md", guide(
        "Reset a forgotten password", related="[accounts/password-faq.md]",
        body={"Fix": "Ask Ana  Lima, or mail ben.okafor@northwind.example. The desk is helpdesk@northwind.example."}))
    problems = _only(lint())
    assert any("personal-data: name of a person (Ana Lima)" in p for p in problems), problems
    assert any("personal-data: email address of a person (ben.okafor@northwind.example)" in p for p in problems), problems
    assert not any("helpdesk@northwind.example" in p for p in problems)  # the desk's own address is published on purpose


def test_requesters_from_the_ticket_store(lint, sample):
    """A requester of a real ticket (YAML store) must not appear on the site."""
    import subprocess

    from tests.support.cli import run_main

    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=sample, check=True)
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "x"], cwd=sample, check=True)
    code, out, err = run_main("ticket", "new", "VPN drops", "--requester", "Priya Raman <priya.raman@example.com>",
                              "--category", "network/vpn", "--as", "Ana Lima <ana.lima@northwind.example>", repo=sample)
    assert code == 0, err
    write(sample / "kb", "network/vpn-wont-connect.md", guide(
        "VPN will not connect", category="network/vpn", tags="[vpn]", owner="infrastructure",
        body={"Fix": "As Priya Raman found, restart the client."}))
    assert any("kb/network/vpn-wont-connect.md:" in p and "personal-data: name of a person (Priya Raman)" in p for p in lint())


def test_output_format_is_path_line_rule_message(cli, sample):
    write(sample / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", body={"Fix": "<script>x</script>"}))
    code, out, err = cli("kb", "check", repo=sample)
    assert code == 1
    lines = out.strip().splitlines()
    assert lines and all(len(line.split(":", 3)) == 4 and line.split(":")[1].isdigit() for line in lines), lines
    assert "kb check: 1 problem(s)" in err and "Traceback" not in err


def _reviewed_days_ago(sample, days: int, extra: str = "") -> None:
    write(sample / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", related="[accounts/password-faq.md]",
                                                            reviewed=(dt.date.today() - dt.timedelta(days=days)).isoformat(), extra=extra))


@pytest.mark.parametrize("kb_keys", ["review_every_days: 30", "stale_after_days: 30", "stale_after_days: 90\n  review_every_days: 30"],
                         ids=["new key", "old key read as the new one", "new key wins"])
def test_overdue_uses_the_configured_interval(lint, sample, kb_keys):
    cfg = sample / "helpdesk.yml"
    cfg.write_text(cfg.read_text().replace("mail:\n", f"kb:\n  {kb_keys}\n\nmail:\n", 1))
    _reviewed_days_ago(sample, 45)
    [problem] = _only(lint())
    assert ":9: overdue-review: last reviewed " in problem and "(every 30 days): 15 day(s) overdue" in problem
    assert _only(lint(today=dt.date.today() - dt.timedelta(days=20))) == []
    assert RECENT  # the sample's other pages stay fresh


def test_the_old_key_gets_a_note_to_rename_it(cli, sample):
    cfg = sample / "helpdesk.yml"
    assert "note:" not in cli("kb", "check", repo=sample)[2]
    cfg.write_text(cfg.read_text().replace("mail:\n", "kb:\n  stale_after_days: 30\n\nmail:\n", 1))
    code, _, err = cli("kb", "check", repo=sample)
    assert code == 0 and "kb.stale_after_days in helpdesk.yml is the older name of kb.review_every_days" in err


def test_front_matter_review_every_wins_over_the_default(lint, sample):
    _reviewed_days_ago(sample, 45, extra="review_every: 30\n")
    assert any("(every 30 days): 15 day(s) overdue" in p for p in _only(lint()))
    _reviewed_days_ago(sample, 200, extra="review_every: 365\n")
    assert _only(lint()) == []
    _reviewed_days_ago(sample, 200)  # the desk's default, 180 days
    assert any("(every 180 days): 20 day(s) overdue" in p for p in _only(lint()))


def test_overdue_is_a_warning_and_fails_only_strict(cli, sample):
    _reviewed_days_ago(sample, 200)
    code, out, err = cli("kb", "check", repo=sample)
    assert code == 0 and "kb/accounts/reset-password.md:9: overdue-review: last reviewed" in out
    assert "kb check: no problems, 1 listed (overdue reviews; --strict fails on them)" in err
    code, out, err = cli("kb", "check", "--strict", repo=sample)
    assert code == 1 and "overdue-review" in out and "kb check: 1 problem(s)" in err
    code, out, _ = cli("kb", "check", "--json", repo=sample)
    assert code == 0 and [p["rule"] for p in json.loads(out)] == ["overdue-review"]
