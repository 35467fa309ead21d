"""The label set ``helpdesk.yml`` implies, and making a repository's labels match it.

One label per priority, tier, label-backed status (``pending``, ``resolved``), channel,
category (parents and children), SLA state and the triage label, each with a colour and a short
description. Applying it lists the repository's labels once and writes only what differs, so a
second run sends no write request at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from gitdesk.config import Config
from gitdesk.errors import ConfigError
from gitdesk.github.client import GitHubClient
from gitdesk.github.mapping import LabelScheme
from gitdesk.kb.feedback import ISSUE_LABEL

MAX_NAME = 50  # GitHub's limit for a label name
MAX_DESCRIPTION = 100
PRIORITY_COLORS = {"critical": "b60205", "high": "d93f0b", "medium": "fbca04", "low": "0e8a16"}
TIER_COLORS = ["c5def5", "1d76db", "0b3d91"]
STATUS_COLORS = {"pending": "fef2c0", "resolved": "0e8a16"}
SLA_COLORS = {"at-risk": "fbca04", "breached": "b60205"}
CHANNEL_COLOR = "bfdadc"
CATEGORY_COLOR = "d4c5f9"
OTHER_COLOR = "ededed"
TRIAGE_COLOR = "e99695"
SLA_STATES = ("at-risk", "breached")


@dataclass(frozen=True)
class LabelSpec:
    name: str
    color: str
    description: str


def _short(text: str) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"


def desired_labels(config: Config) -> list[LabelSpec]:
    """Every label gitdesk reads or writes, in a stable order."""
    scheme = LabelScheme.from_config(config)
    raw = config.raw
    out: list[LabelSpec] = []
    for name in config.priorities:
        info = (raw.get("priorities") or {}).get(name) or {}
        out.append(LabelSpec(scheme.label("priority", name), PRIORITY_COLORS.get(name, OTHER_COLOR),
                             _short(f"{info.get('label') or name.title()}: {info.get('description') or ''}".rstrip(": "))))
    for i, tier in enumerate(config.tiers):
        info = raw["tiers"].get(str(tier)) or {}
        out.append(LabelSpec(scheme.label("tier", tier), TIER_COLORS[min(i, len(TIER_COLORS) - 1)],
                             _short(f"Tier {tier}: {info.get('name') or ''}".rstrip(": "))))
    for status in scheme.label_statuses:
        info = raw["statuses"].get(status) or {}
        out.append(LabelSpec(scheme.label("status", status), STATUS_COLORS.get(status, OTHER_COLOR),
                             _short(info.get("label") or status)))
    for channel in config.channels:
        out.append(LabelSpec(scheme.label("channel", channel), CHANNEL_COLOR, _short(f"Arrived by {channel}")))
    for cid, category in config.categories.items():
        out.append(LabelSpec(scheme.label("category", cid), CATEGORY_COLOR, _short(category.name)))
    states = list(SLA_STATES)
    for rule in (raw.get("sla") or {}).get("escalation") or []:
        if rule.get("when") and rule["when"] not in states:
            states.append(rule["when"])
    for state in states:
        out.append(LabelSpec(scheme.label("sla", state), SLA_COLORS.get(state, OTHER_COLOR),
                             _short(f"SLA {state.replace('-', ' ')}")))
    out.append(LabelSpec(scheme.triage_label, TRIAGE_COLOR, "Priority or category is missing: a person must triage this"))
    out.append(LabelSpec(ISSUE_LABEL, "c5def5", "A reader's vote on a KB article: recorded by gitdesk, never a ticket"))
    for spec in out:
        if len(spec.name) > MAX_NAME:
            raise ConfigError(f"label {spec.name!r} is longer than GitHub's {MAX_NAME} characters "
                              "(shorten the id or the prefix)", path="helpdesk.yml", field="github.label_prefixes")
    return out


def _differs(existing: dict, spec: LabelSpec) -> bool:
    return (existing.get("name") != spec.name
            or (existing.get("color") or "").lower() != spec.color.lower()
            or (existing.get("description") or "") != spec.description)


def sync_labels(client: GitHubClient, config: Config, *, dry_run: bool = False) -> dict:
    """Create missing labels and update changed ones; report what was (or would be) done."""
    desired = desired_labels(config)
    before = client.requests
    existing = {lab["name"].casefold(): lab for lab in client.list_all(client.repo_path("/labels"))
                if isinstance(lab, dict) and isinstance(lab.get("name"), str)}
    created, updated, unchanged = [], [], []
    for spec in desired:
        current = existing.get(spec.name.casefold())
        if current is None:
            created.append(spec.name)
            if not dry_run:
                client.post(client.repo_path("/labels"), {"name": spec.name, "color": spec.color,
                                                           "description": spec.description})
        elif _differs(current, spec):
            updated.append(spec.name)
            if not dry_run:
                client.patch(client.repo_path("/labels/" + quote(current["name"], safe="")),
                             {"new_name": spec.name, "color": spec.color, "description": spec.description})
        else:
            unchanged.append(spec.name)
    return {"repository": client.full_name, "created": created, "updated": updated, "unchanged": len(unchanged),
            "dry_run": dry_run, "requests": client.requests - before}
