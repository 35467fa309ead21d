"""The site's privacy scan with 2,000 requesters: one regex per person per page (the code before
issue 11) against the one combined matcher (gitdesk.kb.privacy.PeopleMatcher), on real built pages.

Usage: python benchmarks/privacy_scan.py [--people 2000] [--pages 40] [--repeat 3]

Builds the test sample KB (plus --pages generated articles) once, then, in this process:

- per page: the median time to scan each built HTML page for every person, before and after,
  and their ratio (the same pages, the same 2,000 people, the same hits);
- the whole strict site build with the 2,000 people known to the plugin, for --pages and twice
  as many generated articles: seconds per page at both sizes and their ratio (about 1.0 when the
  build is linear in pages).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gitdesk.kb import privacy  # noqa: E402
from gitdesk.kb.privacy import Person, PeopleMatcher, register_people_source  # noqa: E402

FIRST = ["Ana", "Ben", "Chen", "Dana", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jon", "Kai", "Lena", "Mateo", "Nia",
         "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vera", "Wei", "Ximena", "Yusuf", "Zoe"]
LAST = ["Lima", "Reed", "Okafor", "Wei", "Silva", "Novak", "Haddad", "Kim", "Garcia", "Schmidt", "Rossi", "Dubois",
        "Tanaka", "Kowalski", "Nguyen", "Costa", "Jensen", "Murphy", "Sato", "Ivanova"]


def people(n: int, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        middle = rng.choice(FIRST) + " " if i % 3 == 0 else ""
        out.append(Person(f"{first} {middle}{last}", f"{first.lower()}.{last.lower()}{i}@example.org"))
    return out


def per_person(text: str, folks: list[Person]) -> list[tuple[int, str]]:
    """The scan as it was before issue 11 (gitdesk 1157eae): one regex per person per page."""
    hits = []
    low = text.lower()
    for person in folks:
        if person.email:
            pos = low.find(person.email)
            if pos >= 0:
                hits.append((pos, f"email address of a person ({person.email})"))
        words = person.name.split()
        if len(words) >= 2:
            pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", re.I)
            m = pattern.search(text)
            if m:
                hits.append((m.start(), f"name of a person ({person.name})"))
    return sorted(hits)


def add_articles(root: Path, count: int) -> None:
    from tests.support.kb import guide, write

    links = []
    for i in range(count):
        write(root / "kb", f"generated/article-{i:04d}.md", guide(
            f"Generated article number {i}", category="network/vpn", tags="[vpn]",
            body={"Fix": " ".join(f"Step {j}: restart the client and check the tunnel." for j in range(30))}))
        links.append(f"- [Article {i}](article-{i:04d}.md)")
    write(root / "kb", "generated/index.md", "# Generated\n\n" + "\n".join(links) + "\n")


def median_time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from gitdesk.publish.build import build_site
    from tests.support.kb import make_sample

    folks = people(args.people)
    register_people_source(lambda root, config: folks)
    work = Path(tempfile.mkdtemp(prefix="gitdesk-privacy-"))

    sizes = {}
    for n in (args.pages, 2 * args.pages):
        root = make_sample(work / f"desk-{n}")
        add_articles(root, n)
        if not sizes:  # warm-up: imports, theme and the matcher are paid once, not by the smaller size
            build_site(root, site_dir=work / "warm-up")
        start = time.perf_counter()
        result = build_site(root, site_dir=work / f"site-{n}")
        sizes[n] = (time.perf_counter() - start, result.pages, result.site_dir)

    pages = sorted(sizes[args.pages][2].rglob("*.html"))[:12]
    texts = [p.read_text(encoding="utf-8") for p in pages]
    matcher = PeopleMatcher(folks)
    for text in texts:  # the same answer: every hit of the old scan is found, and nothing else
        assert {w for _, w in matcher.find(text)} == {w for _, w in per_person(text, folks)}
    before = statistics.median(median_time(lambda t=t: per_person(t, folks), args.repeat) for t in texts)
    after = statistics.median(median_time(lambda t=t: matcher.find(t), args.repeat) for t in texts)
    build_matcher = median_time(lambda: PeopleMatcher(folks), args.repeat)
    kb = statistics.median(len(t) for t in texts) / 1024

    print(f"privacy scan, {args.people:,} people, median of {len(texts)} built pages ({kb:.0f} KiB of HTML each):")
    print(f"  one regex per person per page (before): {before * 1000:9.1f} ms a page")
    print(f"  one combined matcher (after):           {after * 1000:9.1f} ms a page   ratio {before / after:,.0f}x")
    print(f"  building the combined matcher (once per build): {build_matcher * 1000:.1f} ms")
    (t1, p1, _), (t2, p2, _) = sizes[args.pages], sizes[2 * args.pages]
    print(f"strict site build with {args.people:,} people known:")
    print(f"  {p1:4d} pages: {t1:6.2f} s ({t1 / p1 * 1000:.0f} ms a page)")
    print(f"  {p2:4d} pages: {t2:6.2f} s ({t2 / p2 * 1000:.0f} ms a page)   per-page ratio {(t2 / p2) / (t1 / p1):.2f} (1.0 = linear)")
    print(f"  each page added costs {(t2 - t1) / (p2 - p1) * 1000:.0f} ms")
    print(f"  before, the scan alone would have added about {before * p2:.0f} s to the {p2}-page build")
    privacy._SOURCES.pop()


if __name__ == "__main__":
    main()
