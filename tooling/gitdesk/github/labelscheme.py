"""Labels <-> ticket fields: which prefixed label carries priority, category, tier, status, channel, SLA."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gitdesk.config import Config


@dataclass
class LabelScheme:
    """How ticket fields are spelled as labels (``priority: high``, ``tier: 2``...)."""

    config: Config
    prefixes: dict[str, str] = field(default_factory=dict)
    triage_label: str = "needs-triage"

    @classmethod
    def from_config(cls, config: Config) -> LabelScheme:
        gh = config.get("github") or {}
        return cls(config=config, prefixes=dict(gh.get("label_prefixes") or {}),
                   triage_label=gh.get("triage_label") or "needs-triage")

    def label(self, kind: str, value: Any) -> str:
        return f"{self.prefixes.get(kind, kind + ': ')}{value}"

    @property
    def label_statuses(self) -> list[str]:
        """Statuses GitHub's open/closed cannot express on their own, so they get labels."""
        cfg = self.config
        plain = {cfg["initial_status"], cfg["reopen_status"], "closed"}
        return [s for s in cfg.statuses if s not in plain]

    def status_is_open(self, status: str) -> bool:
        info = self.config.raw["statuses"].get(status) or {}
        return bool(info.get("open", True))

    def _kind_of(self, name: str) -> tuple[str, str] | None:
        folded = name.casefold()
        for kind, prefix in self.prefixes.items():
            if prefix and folded.startswith(prefix.casefold()):
                return kind, name[len(prefix):].strip()
        return None

    def read(self, names: Iterable[str]) -> dict[str, Any]:
        """Label names -> {priority, category, tier, status, channel, tags} (unknown values ignored)."""
        cfg = self.config
        found: dict[str, list] = {k: [] for k in ("priority", "category", "tier", "status", "channel")}
        tags: set[str] = set()
        for name in names:
            kind = self._kind_of(name)
            if kind is None:
                tag = as_tag(name)
                if tag:
                    tags.add(tag)
                continue
            key, value = kind
            low = value.casefold()
            if key == "priority" and low in cfg.priorities:
                found["priority"].append(low)
            elif key == "category":
                match = next((c for c in cfg.category_ids() if c.casefold() == low), None)
                if match:
                    found["category"].append(match)
            elif key == "tier" and value.isdigit() and int(value) in cfg.tiers:
                found["tier"].append(int(value))
            elif key == "status" and low in self.label_statuses:
                found["status"].append(low)
            elif key == "channel":
                match = next((c for c in cfg.channels if c.casefold() == low), None)
                if match:
                    found["channel"].append(match)
            elif key == "sla":
                tag = as_tag("sla-" + value)
                if tag:
                    tags.add(tag)
        out: dict[str, Any] = {"tags": sorted(tags)}
        # several labels of one kind: the most urgent priority, the highest tier, the first otherwise
        out["priority"] = min(found["priority"], key=cfg.priorities.index) if found["priority"] else None
        out["tier"] = max(found["tier"]) if found["tier"] else None
        for key in ("category", "status", "channel"):
            out[key] = sorted(found[key])[0] if found[key] else None
        return out

    def tag_label(self, tag: str) -> str:
        if tag.startswith("sla-") and len(tag) > 4:
            return self.label("sla", tag[4:])
        return tag

    def labels_for_tag(self, names: Iterable[str], tag: str) -> list[str]:
        """The labels of an issue that spell ``tag``."""
        out = []
        for name in names:
            kind = self._kind_of(name)
            if kind is None and as_tag(name) == tag:
                out.append(name)
            elif kind is not None and kind[0] == "sla" and as_tag("sla-" + kind[1]) == tag:
                out.append(name)
        return out

    def labels_of_kind(self, names: Iterable[str], kind: str) -> list[str]:
        return [n for n in names if (self._kind_of(n) or ("", ""))[0] == kind]


def as_tag(label: str) -> str | None:
    """A label that is not priority/tier/... becomes a tag, normalised like ``ticket set --tag``."""
    from gitdesk.operations import normalize_tag

    return normalize_tag(label)
