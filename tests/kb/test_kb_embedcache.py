"""The machine-wide passage cache: a text embedded once is not embedded again by another desk,
a damaged row is recomputed, and turning it off or an unwritable folder only costs time."""

from __future__ import annotations

import sqlite3

import pytest

from gitdesk.kb.embedcache import FILE, CachedPassages, cache_dir, with_cache
from tests.support import fake_embedder

np = pytest.importorskip("numpy")


def _model():
    fake_embedder.CALLS["passages"] = 0
    return fake_embedder.FakeModel()


def test_a_text_is_embedded_once_across_embedders_sharing_the_folder(tmp_path):
    texts = ["Reset a forgotten password", "VPN will not connect", "Reset a forgotten password"]
    first = CachedPassages(_model(), tmp_path)
    want = fake_embedder.FakeModel()._rows(texts)
    assert np.allclose(first.embed_passages(texts), want)
    assert fake_embedder.CALLS["passages"] == 2  # the repeated text is asked once
    second = CachedPassages(fake_embedder.FakeModel(), tmp_path)  # another desk, another process
    assert np.allclose(second.embed_passages(texts + ["Printer jammed"]), fake_embedder.FakeModel()._rows(texts + ["Printer jammed"]))
    assert fake_embedder.CALLS["passages"] == 3  # only the new text
    assert second.embed_passages([]).shape == (0, 64)


def test_a_damaged_row_is_recomputed_not_trusted(tmp_path):
    cached = CachedPassages(_model(), tmp_path)
    cached.embed_passages(["Outlook keeps asking for my password"])
    with sqlite3.connect(tmp_path / FILE) as con:
        con.execute("UPDATE vectors SET vec = ?", (b"\x00" * 12,))  # wrong size
    again = CachedPassages(fake_embedder.FakeModel(), tmp_path)
    vec = again.embed_passages(["Outlook keeps asking for my password"])
    assert fake_embedder.CALLS["passages"] == 2 and np.allclose(vec, fake_embedder.FakeModel()._rows(["Outlook keeps asking for my password"]))


def test_a_different_model_does_not_share_vectors(tmp_path):
    CachedPassages(_model(), tmp_path).embed_passages(["Blue screen after update"])
    other = fake_embedder.FakeModel()
    other.name = "fake-hash-64-v2"
    CachedPassages(other, tmp_path).embed_passages(["Blue screen after update"])
    assert fake_embedder.CALLS["passages"] == 2


def test_off_and_unwritable_folders_embed_directly(tmp_path, monkeypatch):
    monkeypatch.setenv("GITDESK_CACHE_DIR", "off")
    model = _model()
    assert cache_dir() is None and with_cache(model) is model
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cached = CachedPassages(model, blocker / "cache")
    assert cached.embed_passages(["Mailbox full"]).shape == (1, 64) and fake_embedder.CALLS["passages"] == 1
    monkeypatch.setenv("GITDESK_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("GITDESK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "gitdesk"
