"""`gitdesk kb check` on a desk with several languages: each page checked in its own language,
translations kept in step with their original, links kept inside a language."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.kb import RECENT, SECTIONS, faq, guide, make_sample, write

OLDER = (dt.date.today() - dt.timedelta(days=30)).isoformat()


@pytest.fixture
def desk(tmp_path):
    """The clean English sample with `languages: [en, es, pt]` and a complete Spanish and
    Portuguese version of the password guide."""
    root = make_sample(tmp_path / "desk", config_extra="languages: [en, es, pt]\n")
    kb = root / "kb"
    write(kb, "accounts/reset-password.es.md", guide(
        "Restablecer una contraseña olvidada", language="es", summary="Recupere el acceso a su cuenta.",
        tags="[contraseña]", body={"Síntomas": "Windows dice que la contraseña no es correcta."}))
    write(kb, "accounts/reset-password.pt.md", guide(
        "Redefinir uma senha esquecida", language="pt", summary="Recupere o acesso à sua conta.",
        tags="[senha]", body={"Sintomas": "O Windows diz que a senha está incorreta."}))
    return root


def lines(root) -> list[str]:
    from gitdesk.config import load_config
    from gitdesk.kb.lint import check_kb

    return [str(p) for p in check_kb(root, load_config(root))]


def rules(root, rule: str) -> list[str]:
    return [line for line in lines(root) if f": {rule}: " in line]


def test_each_page_is_checked_in_its_own_language(desk):
    assert [line for line in lines(desk) if ": missing-translation: " not in line] == []
    # an English-sectioned page named .es.md is a Spanish page with none of the Spanish sections
    write(desk / "kb", "accounts/reset-password.es.md", guide("Restablecer una contraseña olvidada", language="en"))
    problems = [p for p in lines(desk) if p.startswith("kb/accounts/reset-password.es.md:")]
    assert len(problems) == len(SECTIONS["es"]) and all("sections: missing section '## " in p for p in problems)
    assert any("'## Síntomas'" in p for p in problems)
    # ...while the English original, unchanged, is still checked in English
    assert not [p for p in lines(desk) if p.startswith("kb/accounts/reset-password.md:") and "sections" in p]


def test_same_title_in_two_languages_is_not_a_duplicate(desk):
    write(desk / "kb", "network/vpn-wont-connect.pt.md", guide(
        "VPN will not connect", language="pt", category="network/vpn", tags="[vpn]", owner="infrastructure"))
    assert rules(desk, "duplicate-title") == []
    write(desk / "kb", "network/vpn-wont-connect.es.md", guide(
        "Redefinir uma senha esquecida", language="es", category="network/vpn", tags="[vpn]", owner="infrastructure"))
    assert rules(desk, "duplicate-title") == []  # Portuguese title on a Spanish page: still another language


def test_stale_translation(desk):
    write(desk / "kb", "accounts/reset-password.pt.md", guide(
        "Redefinir uma senha esquecida", language="pt", tags="[senha]", reviewed=OLDER))
    assert rules(desk, "stale-translation") == [
        f"kb/accounts/reset-password.pt.md:9: stale-translation: accounts/reset-password.md was reviewed on {RECENT}, "
        f"after this translation ({OLDER}): bring the translation up to date, then set its last_reviewed"]
    write(desk / "kb", "accounts/reset-password.pt.md", guide("Redefinir uma senha esquecida", language="pt", tags="[senha]"))
    assert rules(desk, "stale-translation") == []  # reviewed on the same day as the original


def test_translation_links_stay_in_their_language(desk):
    write(desk / "kb", "accounts/reset-password.es.md", guide(
        "Restablecer una contraseña olvidada", language="es", tags="[contraseña]", related="[accounts/password-faq.md]",
        body={"Solución": "Vea la [VPN](../network/vpn-wont-connect.md) y las [preguntas](password-faq.md#how-long-must-it-be)."}))
    found = rules(desk, "translation-link")
    assert any(":10: translation-link: accounts/password-faq.md has no es version (accounts/password-faq.es.md is missing)" in p for p in found)
    assert any("translation-link: ../network/vpn-wont-connect.md has no es version (network/vpn-wont-connect.es.md is missing)" in p for p in found)
    assert len(found) == 3 and all(p.startswith("kb/accounts/reset-password.es.md:") for p in found)
    # once the Spanish page exists, the link must name it
    write(desk / "kb", "network/vpn-wont-connect.es.md", guide(
        "La VPN no conecta", language="es", category="network/vpn", tags="[vpn]", owner="infrastructure"))
    assert any("../network/vpn-wont-connect.md is in en: link to the es page network/vpn-wont-connect.es.md" in p
               for p in rules(desk, "translation-link"))
    write(desk / "kb", "accounts/reset-password.pt.md", guide(
        "Redefinir uma senha esquecida", language="pt", tags="[senha]", body={"Solução": "Veja o [guia](reset-password.md)."}))
    assert any(p.startswith("kb/accounts/reset-password.pt.md:") and "reset-password.md is in en: link to the pt page accounts/reset-password.pt.md"
               in p for p in rules(desk, "translation-link"))


def test_translations_need_their_original_and_a_site_language(desk):
    write(desk / "kb", "accounts/only-spanish.es.md", guide("Solo en español", language="es", tags="[cuenta]"))
    write(desk / "kb", "accounts/reset-password.en.md", guide("Reset it in English", tags="[password]"))
    cfg = desk / "helpdesk.yml"
    cfg.write_text(cfg.read_text().replace("languages: [en, es, pt]", "languages: [en, es]"))
    found = [p for p in lines(desk) if ": translation: " in p or ": language: " in p]
    assert found == [
        "kb/accounts/only-spanish.es.md:1: translation: a translation without its original accounts/only-spanish.md",
        "kb/accounts/reset-password.en.md:1: language: en is the default language: its pages have no suffix (accounts/reset-password.md)",
        "kb/accounts/reset-password.pt.md:1: language: written in pt, which is not a site language (languages: en, es)",
    ]


def test_translated_special_pages_are_pages_not_articles(desk):
    write(desk / "kb", "get-help.es.md", "# Obtener ayuda\n\n<!-- gitdesk:channels -->\n")
    write(desk / "kb", "index.es.md", "# Ayuda\n\nVea [Obtener ayuda](get-help.es.md).\n")
    assert [p for p in lines(desk) if p.startswith(("kb/get-help.es.md", "kb/index.es.md"))] == [
        "kb/get-help.es.md:1: placeholder: add <!-- gitdesk:sla-targets -->: the table is rendered from helpdesk.yml, never hand-copied"]


def test_missing_translations_are_listed_and_fail_only_under_strict(cli, desk):
    code, out, err = cli("kb", "check", repo=desk)
    assert code == 0, out + err
    listed = out.strip().splitlines()
    assert "kb/accounts/password-faq.md:1: missing-translation: not yet in es (password-faq.es.md), pt (password-faq.pt.md)" in listed
    assert len(listed) == 2 and all(": missing-translation: " in line for line in listed)  # the FAQ and the VPN guide
    assert "kb check: no problems, 2 listed (missing translations; --strict fails on them)" in err
    code, out, err = cli("kb", "check", "--strict", repo=desk)
    assert code == 1 and "kb check: 2 problem(s)" in err
    for rel, text in (("accounts/password-faq", faq), ("network/vpn-wont-connect", None)):
        for lang in ("es", "pt"):
            body = faq(f"FAQ {lang}", tags="[faq]") if text else guide(f"VPN {lang}", language=lang, category="network/vpn",
                                                                        tags="[vpn]", owner="infrastructure")
            write(desk / "kb", f"{rel}.{lang}.md", body)
    code, out, err = cli("kb", "check", "--strict", repo=desk)
    assert (code, out) == (0, ""), out + err


@pytest.mark.parametrize("command", [("kb", "check"), ("check",)])
def test_unknown_language_is_a_one_line_error_listing_the_supported_ones(cli, tmp_path, command):
    root = make_sample(tmp_path / "desk", config_extra="languages: [es, fr]\n")
    code, out, err = cli(*command, repo=root)
    expected = ("helpdesk.yml: languages[1]: unsupported language 'fr' (supported: en, es, pt; "
                "regional tags such as es-ES, es-419, pt-BR and pt-PT are accepted)")
    assert code != 0 and "Traceback" not in out + err
    assert expected in (out + err).strip().splitlines()[0] and len((out + err).strip().splitlines()) == 1
