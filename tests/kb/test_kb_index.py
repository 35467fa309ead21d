"""The persistent Whoosh index: incremental updates, deletions, rebuilds, accent folding, ranking."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from gitdesk.config import load_config
from gitdesk.kb.index import INDEX_DIR, KBIndex, analyzer
from gitdesk.kb.search import Searcher, search
from tests.support.kb import guide, make_sample, write

ALL = ["accounts/password-faq.md", "accounts/reset-password.md", "get-help.md", "network/vpn-wont-connect.md", "open-a-ticket.md"]


def _age(root: Path, seconds: float = 5.0) -> None:
    """Move every file's mtime back, so the 2-second "racy" window does not force re-hashing."""
    past = time.time() - seconds
    for path in (root / "kb").rglob("*.md"):
        os.utime(path, (past, past))


def _index(root: Path) -> KBIndex:
    return KBIndex(root, load_config(root))


def test_first_update_indexes_everything_then_nothing(sample):
    stats = _index(sample).update()
    assert stats.rebuilt and sorted(stats.added) == ALL and stats.total == len(ALL)
    assert (sample / INDEX_DIR / ".gitignore").read_text().strip().endswith("*")
    _age(sample)
    _index(sample).update()  # settles the racy window
    again = _index(sample).update()
    assert again.reindexed == [] and again.removed == [] and again.unchanged == len(ALL) and not again.rebuilt


def test_editing_one_article_reindexes_only_it(sample):
    _index(sample).update()
    _age(sample)
    _index(sample).update()
    path = sample / "kb" / "network" / "vpn-wont-connect.md"
    path.write_text(path.read_text().replace("hotel portal", "captive zanzibar portal"))
    stats = _index(sample).update()
    assert stats.changed == ["network/vpn-wont-connect.md"] and stats.added == [] and stats.removed == []
    assert stats.unchanged == len(ALL) - 1
    assert [r.path for r in search(sample, load_config(sample), "zanzibar", mode="lexical")] == ["network/vpn-wont-connect.md"]


def test_touch_without_change_is_not_reindexed(sample):
    _index(sample).update()
    _age(sample, 10)
    _index(sample).update()
    path = sample / "kb" / "accounts" / "password-faq.md"
    past = time.time() - 5
    os.utime(path, (past, past))  # mtime moved, content identical: hash says unchanged
    stats = _index(sample).update()
    assert stats.reindexed == [] and stats.unchanged == len(ALL)


def test_delete_and_add(sample):
    cfg = load_config(sample)
    _index(sample).update()
    assert any(r.path == "network/vpn-wont-connect.md" for r in search(sample, cfg, "globalprotect", mode="lexical"))
    (sample / "kb" / "network" / "vpn-wont-connect.md").unlink()
    write(sample / "kb", "network/wifi.md", guide("Office Wi-Fi drops", category="network/wifi", tags="[wifi]",
                                                   body={"Symptoms": "The wireless keeps dropping in meeting rooms."}))
    stats = _index(sample).update()
    assert stats.removed == ["network/vpn-wont-connect.md"] and stats.added == ["network/wifi.md"]
    assert search(sample, cfg, "globalprotect", mode="lexical") == []
    assert [r.path for r in search(sample, cfg, "wireless meeting room", mode="lexical")][0] == "network/wifi.md"


def test_damaged_index_and_language_change_rebuild(sample):
    _index(sample).update()
    toc = next((sample / INDEX_DIR).glob("_MAIN_*.toc"))
    toc.write_bytes(b"garbage")
    assert _index(sample).update().rebuilt
    manifest = json.loads((sample / INDEX_DIR / "manifest.json").read_text())
    assert manifest["language"] == "en" and set(manifest["files"]) == set(ALL)
    cfg = sample / "helpdesk.yml"
    cfg.write_text(cfg.read_text().replace("language: en", "language: es"))
    assert _index(sample).update().rebuilt


def test_config_change_reindexes_pages_with_placeholders(sample):
    _index(sample).update()
    _age(sample)
    _index(sample).update()
    cfg = sample / "helpdesk.yml"
    cfg.write_text(cfg.read_text().replace("IT bar, ground floor", "Kiosk on level nine"))
    stats = _index(sample).update()
    assert sorted(stats.changed) == ["get-help.md", "open-a-ticket.md"]
    assert search(sample, load_config(sample), "kiosk level nine", mode="lexical")[0].path == "get-help.md"


def test_field_boosts_title_beats_body(sample):
    write(sample / "kb", "network/printer-body.md", guide("Network ports", category="network", tags="[ports]",
                                                          body={"Fix": "A toner cartridge toner cartridge may be low."}))
    write(sample / "kb", "network/toner.md", guide("Replace a toner cartridge", category="network", tags="[printer]",
                                                   body={"Fix": "Open the front door."}))
    results = search(sample, load_config(sample), "toner cartridge", mode="lexical")
    assert [r.path for r in results][:2] == ["network/toner.md", "network/printer-body.md"]
    assert results[0].score > results[1].score


def test_snippets_highlight_stemmed_matches(sample):
    results = search(sample, load_config(sample), "expiring passwords", mode="lexical")
    top = results[0]
    assert top.path in ("accounts/reset-password.md", "accounts/password-faq.md")
    assert "**" in top.snippet and any(w in top.snippet.lower() for w in ("**password**", "**expired**"))


@pytest.mark.parametrize("query", ["title:secret", "pass*", "AND OR NOT (", '"unbalanced', "C++ crash: what?", "\x00\x01", "?" * 500, "a " * 5000])
def test_query_syntax_is_never_interpreted(sample, query):
    results = search(sample, load_config(sample), query, mode="lexical")
    assert isinstance(results, list)


def test_stop_words_only_query_returns_nothing(sample):
    assert search(sample, load_config(sample), "how do I the and", mode="lexical") == []


# -- languages --------------------------------------------------------------------------------------

@pytest.mark.parametrize("language,words", [
    ("es", {"contrasena": "contrasen", "contraseñas": "contrasen", "impresión": "impresion", "impresion": "impresion"}),
    ("pt", {"configuração": "configur", "configuracao": "configuraca", "senhas": "senh", "impressão": "impressa"}),
    ("en", {"passwords": "password", "café": "cafe", "printing": "print"}),
])
def test_analyzer_stems_then_folds(language, words):
    ana = analyzer(language)
    for word, stem in words.items():
        assert stem in [t.text for t in ana(word)], (word, [t.text for t in ana(word)])


def test_spanish_accent_folding_finds_contrasena(tmp_path):
    root = make_sample(tmp_path / "es", language="es")
    cfg = load_config(root)
    for query in ("contrasena", "contraseña", "CONTRASEÑAS", "contrasenas"):  # one word: only folding can match
        paths = [r.path for r in search(root, cfg, query, mode="lexical")]
        assert "accounts/reset-password.md" in paths[:2] and set(paths) <= {"accounts/reset-password.md", "accounts/password-faq.md"}, (query, paths)
    assert search(root, cfg, "olvide la contrasena", mode="lexical")[0].path == "accounts/reset-password.md"
    assert "**" in search(root, cfg, "vacaciones", mode="lexical")[0].snippet


def test_portuguese_accent_folding(tmp_path):
    root = make_sample(tmp_path / "pt", language="pt")
    cfg = load_config(root)
    for query in ("configuracao", "configuração", "ferias", "férias"):  # one word each
        results = search(root, cfg, query, mode="lexical")
        assert results and results[0].path == "accounts/reset-password.md", (query, results)


def test_searcher_reuses_one_index_for_many_queries(sample):
    with Searcher(sample, load_config(sample), mode="lexical") as s:
        first = s.query("vpn hotel")
        second = s.query("password faq", limit=1)
    assert first[0].path == "network/vpn-wont-connect.md" and len(second) == 1


def test_crash_between_index_commit_and_manifest_write_leaves_no_duplicates(sample):
    _index(sample).update()
    manifest = sample / INDEX_DIR / "manifest.json"
    old = manifest.read_text()
    write(sample / "kb", "network/wifi.md", guide("Office Wi-Fi drops", category="network/wifi", tags="[wifi]",
                                                   body={"Symptoms": "The wireless keeps dropping in meeting rooms."}))
    _index(sample).update()
    manifest.write_text(old)  # as if the process died after the index commit, before the manifest
    stats = _index(sample).update()
    assert stats.added == ["network/wifi.md"]
    paths = [r.path for r in search(sample, load_config(sample), "wireless meeting rooms", mode="lexical")]
    assert paths.count("network/wifi.md") == 1


def test_concurrent_searches_on_a_fresh_repo(sample):
    """Several `gitdesk kb search` processes started together: all answer, one index results."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "gitdesk", "kb", "search", "vpn hotel", "--json", "--repo", str(sample)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert json.loads(out)["results"][0]["path"] == "network/vpn-wont-connect.md"
    with Searcher(sample, load_config(sample), mode="lexical") as s:
        assert s.ix.doc_count() == len(ALL)
