"""`gitdesk kb new|check|search|index` and `gitdesk suggest` through the real entry point."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.kb import guide, write


# -- kb new ---------------------------------------------------------------------------------------

def fill_template(path):
    """What an author does after `kb new`: a real summary, and every placeholder line rewritten."""
    from gitdesk.kb.new import template_lines

    placeholders = template_lines()
    lines = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        if line.startswith("summary: "):
            line = "summary: The printer or the tunnel misbehaves, and this page says what to do about it."
        elif line.strip() in placeholders:
            line = line.replace(line.strip(), f"Real text number {n} written by the author.")
        lines.append(line)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_new_guide_fails_check_until_filled_and_refuses_overwrite(cli, sample):
    code, out, err = cli("kb", "new", "guide", "Printer shows Offline!", "--category", "network/wifi", "--section", "network", repo=sample)
    assert code == 0, err
    path = sample / "kb" / "network" / "printer-shows-offline.md"
    assert path.is_file() and "kb/network/printer-shows-offline.md" in out
    text = path.read_text()
    assert 'title: "Printer shows Offline!"' in text and "\n# Printer shows Offline!\n" in text and "## What to put in the ticket" in text
    # untouched, the template is not an article yet (issue 11): its TODO summary and steps fail the check
    code, out, _ = cli("kb", "check", repo=sample)
    assert code == 1 and "kb/network/printer-shows-offline.md:3: template: summary: still the template's placeholder" in out
    assert "template: placeholder text from the kb new template: 'One or two sentences: who this is for" in out
    fill_template(path)
    assert cli("kb", "check", repo=sample) == (0, "", "kb check: no problems\n")
    text = path.read_text()
    code, out, err = cli("kb", "new", "guide", "Printer shows Offline!", "--section", "network", repo=sample)
    assert code == 1 and err.startswith("gitdesk: error: ") and "already exists: refusing to overwrite" in err
    assert "Traceback" not in err and path.read_text() == text


def test_new_faq_derives_section_from_category_and_category_from_section(cli, sample):
    code, out, err = cli("kb", "new", "faq", "MFA questions: the usual ones", "--category", "accounts/mfa", "--json", repo=sample)
    assert code == 0, err
    assert json.loads(out) == {"path": "kb/accounts/mfa-questions-the-usual-ones.md"}
    code, out, err = cli("kb", "new", "guide", "Split tunnel explained", "--section", "network", "--json", repo=sample)
    assert code == 0, err
    text = (sample / "kb" / "network" / "split-tunnel-explained.md").read_text()
    assert "category: network\n" in text and "type: guide" in text
    assert cli("kb", "check", repo=sample)[0] == 1  # both still hold the templates' placeholders
    fill_template(sample / "kb" / "accounts" / "mfa-questions-the-usual-ones.md")
    fill_template(sample / "kb" / "network" / "split-tunnel-explained.md")
    assert cli("kb", "check", repo=sample)[0] == 0


def test_new_in_spanish_uses_the_spanish_template(cli, tmp_path):
    from tests.support.kb import make_sample

    root = make_sample(tmp_path / "es", language="es")
    code, out, err = cli("kb", "new", "guide", "Impresora sin conexión", "--section", "network", repo=root)
    assert code == 0, err
    text = (root / "kb" / "network" / "impresora-sin-conexion.md").read_text()
    assert "## Síntomas" in text and "## Qué incluir en la incidencia" in text
    code, out, _ = cli("kb", "check", repo=root)
    assert code == 1 and "template: summary" in out and "PENDIENTE" not in out.split("template: summary")[0]
    fill_template(root / "kb" / "network" / "impresora-sin-conexion.md")
    assert cli("kb", "check", repo=root) == (0, "", "kb check: no problems\n")


@pytest.mark.parametrize("args,message", [
    (["kb", "new", "guide", "Line\nbreak", "--section", "network"], "title: must be one line of text"),
    (["kb", "new", "guide", "<script>", "--section", "network"], "title: must not contain < or >"),
    (["kb", "new", "guide", "!!!", "--section", "network"], "title: has no letters or digits"),
    (["kb", "new", "guide", "Reset a forgotten password", "--section", "network"], "title: title already used by kb/accounts/reset-password.md"),
    (["kb", "new", "guide", "Fine title", "--section", "../etc"], "section: not a section folder name"),
    (["kb", "new", "guide", "Fine title", "--section", "nosuch"], "no section nosuch/ with an index.md"),
    (["kb", "new", "guide", "Fine title", "--category", "bogus"], "category: unknown category 'bogus'"),
    (["kb", "new", "guide", "Fine title"], "give --section or --category"),
    (["kb", "new", "guide", "Fine title", "--section", "network", "--tag", "Bad Tag"], "tags: 'bad tag' is not a lower-case tag"),
    (["kb", "new", "guide", "Fine title", "--section", "network", "--owner", "nobody"], "owner: unknown team 'nobody'"),
])
def test_new_rejects_bad_input_in_one_line(cli, sample, args, message):
    before = sorted(p.relative_to(sample) for p in (sample / "kb").rglob("*"))
    code, out, err = cli(*args, repo=sample)
    assert code in (1, 2) and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert sorted(p.relative_to(sample) for p in (sample / "kb").rglob("*")) == before


# -- kb check -------------------------------------------------------------------------------------

def test_check_clean_and_dirty_exit_codes(cli, sample):
    assert cli("kb", "check", repo=sample) == (0, "", "kb check: no problems\n")
    write(sample / "kb", "accounts/reset-password.md", guide("Reset a forgotten password", body={"Fix": "[x](missing.md)"}))
    code, out, err = cli("kb", "check", "--json", repo=sample)
    assert code == 1
    problems = json.loads(out)
    assert {"path": "kb/accounts/reset-password.md", "rule": "link", "message": "no such page: missing.md"} in [
        {k: p[k] for k in ("path", "rule", "message")} for p in problems]


def test_check_with_a_broken_config_is_one_line(cli, sample):
    (sample / "helpdesk.yml").write_text("language: [unclosed\n")
    code, out, err = cli("kb", "check", repo=sample)
    assert code == 1 and err.startswith("gitdesk: error: helpdesk.yml: ") and len(err.strip().splitlines()) == 1


# -- kb search ------------------------------------------------------------------------------------

def test_search_json_is_ranked_with_path_title_score(cli, sample):
    code, out, err = cli("kb", "search", "globalprotect keeps spinning in the hotel", "--json", repo=sample)
    assert code == 0, err
    data = json.loads(out)
    assert data["mode"] in ("hybrid", "lexical") and data["language"] == "en"
    results = data["results"]
    assert results[0]["path"] == "network/vpn-wont-connect.md" and results[0]["title"] == "VPN will not connect"
    assert all({"path", "title", "score", "snippet", "language", "lexical_rank", "semantic_rank"} <= set(r) for r in results)
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_search_human_output_and_limit(cli, sample):
    code, out, err = cli("kb", "search", "password", "--limit", "1", repo=sample)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("1. ") and "(kb/accounts/" in lines[0] and not any(line.startswith("2. ") for line in lines)
    assert cli("kb", "search", "zzzzqqq", repo=sample)[1] == "No matching articles.\n"


def test_search_batch_one_json_line_per_query(cli, sample, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text("\ufefftunnel won't connect from hotel\n\n   \nhow long must my password be\nnothing matches xyzzy\n", encoding="utf-8")
    code, out, err = cli("kb", "search", "--batch", str(batch), "-n", "3", repo=sample)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [entry["query"] for entry in lines] == ["tunnel won't connect from hotel", "how long must my password be", "nothing matches xyzzy"]
    assert lines[0]["results"][0]["path"] == "network/vpn-wont-connect.md"
    assert lines[1]["results"][0]["path"] == "accounts/password-faq.md"
    assert lines[2]["results"] == [] and all(len(entry["results"]) <= 3 for entry in lines)
    assert set(lines[0]["results"][0]) == {"path", "title", "score", "language", "lexical_rank", "semantic_rank"}
    assert {entry["mode"] for entry in lines} <= {"hybrid", "lexical"}


def test_search_batch_from_stdin(cli, sample):
    code, out, err = cli("kb", "search", "--batch", "-", repo=sample, input="vpn\npassword\n")
    assert code == 0 and len(out.splitlines()) == 2


@pytest.mark.parametrize("args,message", [
    (["kb", "search"], "give a QUERY or --batch FILE"),
    (["kb", "search", "x", "--batch", "f"], "give a QUERY or --batch FILE"),
    (["kb", "search", "--batch", "/nonexistent/q.txt"], "/nonexistent/q.txt: file not found"),
])
def test_search_usage_errors(cli, sample, args, message):
    code, out, err = cli(*args, repo=sample)
    assert code in (1, 2) and message in err and "Traceback" not in err


def test_search_batch_rejects_binary(cli, sample, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    code, out, err = cli("kb", "search", "--batch", str(bad), repo=sample)
    assert code == 1 and "not UTF-8 text" in err


def test_index_command_reports_incremental_work(cli, sample):
    code, out, err = cli("kb", "index", "--json", repo=sample)
    assert code == 0 and json.loads(out)["rebuilt"] is True
    code, out, err = cli("kb", "index", "--rebuild", repo=sample)
    assert code == 0 and out.startswith("kb index: 5 page(s); 5 added") and "(rebuilt)" in out


# -- suggest --------------------------------------------------------------------------------------

def test_suggest_text(cli, sample):
    code, out, err = cli("suggest", "--text", "I forgot my password after the holidays", "--json", repo=sample)
    assert code == 0, err
    paths = [r["path"] for r in json.loads(out)["results"]]
    assert paths[0] == "accounts/reset-password.md"
    assert all(not p.endswith(("get-help.md", "open-a-ticket.md")) for p in paths)


def test_suggest_category_breaks_ties(sample):
    from gitdesk.config import load_config
    from gitdesk.kb.suggest import category_boosts, suggest

    cfg = load_config(sample)
    assert category_boosts("network/vpn", cfg.category_ids())["network/vpn"] > category_boosts("network/vpn", cfg.category_ids())["network/wifi"] > 1
    write(sample / "kb", "network/connect-faq.md", guide("Cannot connect", category="network/wifi", tags="[wifi]",
                                                         body={"Symptoms": "It will not connect."}))
    from gitdesk.kb.search import Searcher

    with Searcher(sample, cfg, mode="lexical") as s:  # the boost itself, on BM25's near-tie
        plain = [r.path for r in suggest(sample, cfg, "will not connect", searcher=s)]
        boosted = [r.path for r in suggest(sample, cfg, "will not connect", category="network/vpn", searcher=s)]
    assert boosted.index("network/vpn-wont-connect.md") < plain.index("network/vpn-wont-connect.md") or boosted[0] == "network/vpn-wont-connect.md"


def test_suggest_for_a_real_ticket(cli, sample):
    """The TICKET form reads the ticket from the real YAML store (title, description, category)."""
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=sample, check=True)
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "x"], cwd=sample, check=True)
    code, out, err = cli("ticket", "new", "GlobalProtect stuck on connecting", "--description", "At the hotel since this morning, spinning forever.",
                         "--requester", "Sam Reed <sam@example.com>", "--category", "network/vpn", "--as", "Ana Lima <ana.lima@northwind.example>",
                         "--json", repo=sample)
    assert code == 0, err
    ticket_id = json.loads(out)["id"]
    code, out, err = cli("suggest", ticket_id[:6], "--json", repo=sample)
    assert code == 0, err
    assert json.loads(out)["results"][0]["path"] == "network/vpn-wont-connect.md"
    code, out, err = cli("suggest", "ZZZZZZZZ", repo=sample)
    assert code != 0 and err.startswith("gitdesk: error: ") and "Traceback" not in err


def test_suggest_usage(cli, sample):
    assert "give a TICKET or --text" in cli("suggest", repo=sample)[2]
    assert "unknown category 'nope'" in cli("suggest", "--text", "x", "--category", "nope", repo=sample)[2]
