"""Site build time: the three-language sample against the English-only build, in the same run.

Copies the repository's kb/, mkdocs.yml and helpdesk.yml into two temporary desks (one with
``languages: [en, es, pt]``, one with ``languages: [en]``), builds each strictly with
:func:`gitdesk.publish.build.build_site` ``--runs`` times and prints the best times and their
ratio (goal: at most 3.3x, so the cost stays linear in the number of languages).

    .venv/bin/python benchmarks/site_build.py [--runs 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def desk(dest: Path, languages: str) -> Path:
    dest.mkdir(parents=True)
    shutil.copytree(ROOT / "kb", dest / "kb")
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    text = (ROOT / "helpdesk.yml").read_text(encoding="utf-8")
    text = re.sub(r"^languages:.*$|^language:.*$", f"languages: {languages}", text, count=1, flags=re.M)
    (dest / "helpdesk.yml").write_text(text, encoding="utf-8")
    return dest


def best(root: Path, runs: int) -> tuple[float, int]:
    from gitdesk.publish.build import build_site

    times, pages = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        pages = build_site(root, site_dir=root / "site").pages
        times.append(time.perf_counter() - start)
    return min(times), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        english = desk(Path(tmp) / "en", "[en]")
        three = desk(Path(tmp) / "three", "[en, es, pt]")
        t1, p1 = best(english, args.runs)
        t3, p3 = best(three, args.runs)
    print(f"English only       : {t1:6.2f} s  {p1} pages")
    print(f"en + es + pt       : {t3:6.2f} s  {p3} pages")
    print(f"ratio              : {t3 / t1:6.2f}x  (goal <= 3.3x)")


if __name__ == "__main__":
    main()
