""""Related articles" from the article vectors (gitdesk.site.related), in the page's language.

The fake embedder (hashed words) keeps this fast and deterministic; the real build with the
real model is covered by tests/site/test_site_build.py::test_related_articles_are_linked.
"""

from __future__ import annotations

import pytest
from tests.support import fake_embedder
from tests.support.kb import guide, make_sample, write

from gitdesk.config import load_config
from gitdesk.kb import embedding
from gitdesk.site import related
from gitdesk.site.extensions import PageInfo, SiteContext

pytest.importorskip("numpy")


@pytest.fixture
def desk(tmp_path, monkeypatch):
    root = make_sample(tmp_path / "desk", config_extra="kb:\n  search:\n    model: fake\n")
    monkeypatch.setitem(embedding.MODELS, "fake", "tests.support.fake_embedder")
    monkeypatch.setattr(embedding, "_loaded", {})
    monkeypatch.setattr(related, "_cache", {})
    monkeypatch.setattr(fake_embedder, "NAME", "fake-hash-64")
    kb = root / "kb"
    write(kb, "network/vpn-slow.md", guide("VPN slow from home", category="network/vpn", tags="[vpn, globalprotect]",
                                           summary="GlobalProtect connects but the VPN is slow from home.",
                                           body={"Symptoms": "The VPN tunnel from home is slow; GlobalProtect connects."}))
    write(kb, "network/vpn-wont-connect.es.md", guide("La VPN no conecta", language="es", category="network/vpn", tags="[vpn]",
                                                      summary="GlobalProtect no conecta desde el hotel.",
                                                      body={"Síntomas": "GlobalProtect no conecta desde el hotel."}))
    write(kb, "network/vpn-slow.es.md", guide("La VPN va lenta desde casa", language="es", category="network/vpn", tags="[vpn]",
                                              summary="GlobalProtect conecta pero la VPN va lenta desde casa.",
                                              body={"Síntomas": "GlobalProtect conecta pero el túnel va lento desde casa."}))
    return root


def _titles(root):
    return {p.relative_to(root / "kb").as_posix(): p.stem for p in (root / "kb").rglob("*.md") if ".es." not in p.name}


def test_nearest_articles_follow_the_front_matter_list(desk):
    ctx = SiteContext(root=desk, config=load_config(desk), language="en")
    page = PageInfo(src_uri="network/vpn-wont-connect.md", title="VPN", meta={"related": ["accounts/password-faq.md"]})
    block = related.related_markdown(ctx, page, _titles(desk))
    lines = [line for line in block.splitlines() if line.startswith("- ")]
    assert "**Related articles**" in block
    assert lines[0] == "- [password-faq](../accounts/password-faq.md)"  # the author's choice first
    assert "- [vpn-slow](vpn-slow.md)" in lines[1:] and not any("vpn-wont-connect" in line for line in lines)


def test_a_spanish_page_is_compared_in_spanish(desk):
    ctx = SiteContext(root=desk, config=load_config(desk), language="es")
    vm = related._vectors(ctx)
    assert {"network/vpn-slow.es.md", "network/vpn-wont-connect.es.md"} <= set(vm.paths)
    near = related.neighbours(vm, "network/vpn-wont-connect.md", "es", "en", 3)
    assert near[0][0] == "network/vpn-slow.md"  # the two Spanish VPN pages share their words
    block = related.related_markdown(ctx, PageInfo(src_uri="network/vpn-wont-connect.md", title="VPN", meta={}), _titles(desk))
    assert "**Artículos relacionados**" in block or "**Related articles**" in block


def test_without_a_model_the_front_matter_list_alone(desk, monkeypatch):
    monkeypatch.setattr(embedding, "MODELS", {"fake": "tests.support.no_such_module"})
    monkeypatch.setattr(embedding, "load_model", lambda config, state: (None, "not installed"))
    ctx = SiteContext(root=desk, config=load_config(desk), language="en")
    page = PageInfo(src_uri="network/vpn-wont-connect.md", title="VPN", meta={"related": ["accounts/password-faq.md"]})
    lines = [line for line in related.related_markdown(ctx, page, _titles(desk)).splitlines() if line.startswith("- ")]
    assert lines == ["- [password-faq](../accounts/password-faq.md)"]
