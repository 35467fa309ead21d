"""A small, valid help desk KB written into a temporary folder, for tests to break on purpose.

Used by tests/kb and tests/site (loaded by path there). The repository's own helpdesk.yml and
mkdocs.yml are copied, so the sample is checked and built exactly like the real site.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
RECENT = (dt.date.today() - dt.timedelta(days=10)).isoformat()

SECTIONS = {
    "en": ["Symptoms", "Quick checks", "Fix", "When to escalate", "What to put in the ticket"],
    "es": ["Síntomas", "Comprobaciones rápidas", "Solución", "Cuándo escalar", "Qué incluir en la incidencia"],
    "pt": ["Sintomas", "Verificações rápidas", "Solução", "Quando escalar", "O que incluir no chamado"],
}


def front(title: str, *, kind: str = "guide", category: str = "accounts/password", tags: str = "[password, account]",
          summary: str = "Get back into your account when the password is forgotten or expired.",
          audience: str = "everyone", owner: str = "service-desk", reviewed: str = RECENT, related: str = "[]",
          extra: str = "") -> str:
    return (
        f"---\ntitle: {title}\nsummary: {summary}\ntags: {tags}\ncategory: {category}\ntype: {kind}\n"
        f"audience: {audience}\nowner: {owner}\nlast_reviewed: {reviewed}\nrelated: {related}\n{extra}---\n"
    )


def guide(title: str, *, language: str = "en", body: dict[str, str] | None = None, intro: str = "", **meta) -> str:
    body = body or {}
    parts = [front(title, **meta), f"\n# {title}\n\n{intro or 'Who this is for and what it fixes.'}\n"]
    for name in SECTIONS[language]:
        parts.append(f"\n## {name}\n\n{body.get(name, 'Text for ' + name.lower() + '.')}\n")
    return "".join(parts)


def faq(title: str, questions: dict[str, str] | None = None, **meta) -> str:
    questions = questions or {"Can I do this?": "Yes, like this.", "Why does it happen?": "Because of that."}
    meta.setdefault("kind", "faq")
    out = [front(title, **meta), f"\n# {title}\n\nCommon questions.\n"]
    for q, a in questions.items():
        out.append(f"\n## {q}\n\n{a}\n")
    return "".join(out)


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return path


def make_sample(root: Path, *, language: str = "en", config_extra: str = "") -> Path:
    """Write helpdesk.yml, mkdocs.yml and a clean KB (no `kb check` problems) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    config = (PROJECT / "helpdesk.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^languages?:.*$", f"language: {language}", config)  # one language: the site of that language
    (root / "helpdesk.yml").write_text(config + ("\n" + config_extra if config_extra else ""), encoding="utf-8")
    (root / "mkdocs.yml").write_text((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    kb = root / "kb"
    write(kb, "index.md", "# Help\n\nSearch first. See [Get help](get-help.md) or [Open a ticket](open-a-ticket.md).\n\n"
          "- [Accounts](accounts/index.md)\n- [Network](network/index.md)\n")
    write(kb, "get-help.md", "# Get help\n\n## Channels\n\n<!-- gitdesk:channels -->\n\n## Hours\n\n<!-- gitdesk:hours -->\n\n"
          "## Targets\n\n<!-- gitdesk:sla-targets -->\n")
    write(kb, "open-a-ticket.md", "# Open a ticket\n\n<!-- gitdesk:open-ticket -->\n")
    write(kb, "tags.md", "# Tags\n\n<!-- material/tags -->\n")
    write(kb, "accounts/index.md", "# Accounts\n\n- [Reset a password](reset-password.md)\n- [Password FAQ](password-faq.md)\n")
    write(kb, "network/index.md", "# Network\n\n- [VPN](vpn-wont-connect.md)\n")
    if language == "en":
        write(kb, "accounts/reset-password.md", guide(
            "Reset a forgotten password", related="[accounts/password-faq.md]",
            body={"Fix": "Go to the self-service reset page and choose **Forgot my password**. See the [FAQ](password-faq.md#how-long-must-it-be).",
                  "Symptoms": "Windows says *The password is incorrect* or that it has expired."}))
        write(kb, "accounts/password-faq.md", faq(
            "Password questions", tags="[password, faq]",
            questions={"How long must it be?": "At least 14 characters.", "How often do I change it?": "Every 12 months."}))
        write(kb, "network/vpn-wont-connect.md", guide(
            "VPN will not connect", category="network/vpn", tags="[vpn, remote]", owner="infrastructure",
            summary="GlobalProtect spins on Connecting or says the gateway cannot be reached.",
            body={"Symptoms": "GlobalProtect keeps spinning on *Connecting* from a hotel or home.",
                  "Fix": "Sign in to the hotel portal first, then reconnect the tunnel."}))
    else:
        words = {
            "es": ("Restablecer una contraseña olvidada", "Recupere el acceso cuando ha olvidado la contraseña.",
                   "La contraseña no funciona después de las vacaciones.", "Preguntas sobre contraseñas",
                   {"¿Cuántos caracteres debe tener?": "Al menos 14.", "¿Cada cuánto se cambia?": "Cada 12 meses."},
                   "La VPN no conecta", "GlobalProtect no conecta desde un hotel o desde casa."),
            "pt": ("Redefinir uma senha esquecida", "Recupere o acesso quando esqueceu a senha.",
                   "A senha não funciona depois das férias e a configuração falha.", "Perguntas sobre senhas",
                   {"Quantos caracteres deve ter?": "Pelo menos 14.", "Com que frequência se muda?": "A cada 12 meses."},
                   "A VPN não conecta", "O GlobalProtect não conecta a partir de um hotel ou de casa."),
        }[language]
        title, summary, symptom, faq_title, questions, vpn_title, vpn_summary = words
        s = SECTIONS[language]
        write(kb, "accounts/reset-password.md", guide(title, language=language, summary=summary,
                                                      tags="[contraseña, cuenta]" if language == "es" else "[senha, conta]",
                                                      body={s[0]: symptom}))
        write(kb, "accounts/password-faq.md", faq(faq_title, questions=questions, summary=summary, tags="[faq]"))
        write(kb, "network/vpn-wont-connect.md", guide(vpn_title, language=language, category="network/vpn", tags="[vpn]",
                                                       summary=vpn_summary, owner="infrastructure"))
    return root
