"""KB search: lexical against hybrid on the shipped KB, then lexical speed at 5,000 articles.

Usage: python benchmarks/kb_search.py [--articles 5000] [--queries 20] [--repeat 5] [--dir DIR]
                                      [--no-synthetic]

Part 1, lexical (BM25) against hybrid (BM25 fused with the embedding model, the default), on a
copy of the shipped kb/ and the evaluation sets tests/kb/eval/dev.yml (tuned on) and test.yml
(held out): hit@1, hit@3, MRR; ``gitdesk kb search QUERY --json`` end to end (subprocess,
median of --repeat) in both modes and the difference; ``--batch`` per query in both modes;
embedding time per article (the full vector build, several passages per article: its own and
one per section) and the size of the index and vectors.
Needs the ``semantic`` extra; without it only the lexical figures are printed.

Part 2 (skipped with --no-synthetic), lexical speed at scale:

Generates a KB in a temporary folder (articles built from the vocabulary of the shipped kb/,
words drawn with a Zipf law, every article with valid front matter and the guide or FAQ
sections), then measures in one run:

- full Whoosh index build (``KBIndex.update`` from nothing: read, parse, analyse, write);
- incremental reindex after editing one article (stat all, hash one, rewrite one document);
- a no-change update (the check every ``kb search`` does before searching);
- median in-process query (``Searcher.query``) over --queries queries, without and with the
  highlighted snippets (FTS5 makes none, so the first is the like-for-like figure);
- ``gitdesk kb search QUERY --json`` end to end, as a subprocess (median of --repeat);
- SQLite FTS5 (stdlib sqlite3, unicode61 + porter, diacritics removed, bm25 with the same field
  weights) on the same documents: build (same parsing), median query, and an end-to-end
  subprocess that opens the database and runs one query.

Each Whoosh figure is printed with its ratio to the FTS5 figure measured in the same run
(part 2 runs with ``--mode lexical``: embedding 5,000 generated articles is not its subject).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT / "tooling"))

SECTIONS = ["Symptoms", "Quick checks", "Fix", "When to escalate", "What to put in the ticket"]
CATEGORIES = ["accounts", "accounts/password", "accounts/mfa", "network/vpn", "network/wifi", "email", "hardware",
              "hardware/performance", "printing", "phones", "software", "storage", "security", "onboarding"]


def vocabulary() -> list[str]:
    words: dict[str, int] = {}
    for path in (PROJECT / "kb").rglob("*.md"):
        for w in re.findall(r"[A-Za-z][a-z]{2,}", path.read_text(encoding="utf-8")):
            w = w.lower()
            words[w] = words.get(w, 0) + 1
    yaml_words = {"yes", "no", "on", "off", "true", "false", "null"}  # would not be strings in tags
    ranked = sorted((w for w in words if w not in yaml_words), key=lambda w: -words[w])
    rng = random.Random(7)
    # product and system names make the vocabulary as large as a real KB's (tens of thousands)
    extra = [f"{rng.choice(['nw', 'app', 'srv', 'fin', 'hr', 'crm'])}{rng.choice(ranked[:400])}{i}" for i in range(20000)]
    return ranked + extra


def generate(root: Path, n: int, seed: int = 1) -> list[str]:
    """Write helpdesk.yml and a KB of ``n`` articles in 20 sections; return the article paths."""
    rng = random.Random(seed)
    vocab = vocabulary()
    cum, total = [], 0.0
    for i in range(len(vocab)):
        total += 1 / (i + 1)
        cum.append(total)
    shutil.copy(PROJECT / "helpdesk.yml", root / "helpdesk.yml")
    kb = root / "kb"
    paths = []

    def words(k: int) -> list[str]:
        return rng.choices(vocab, cum_weights=cum, k=k)

    def sentence(k: int) -> str:
        w = words(k)
        return w[0].capitalize() + " " + " ".join(w[1:]) + "."

    for s in range(20):
        (kb / f"section-{s:02d}").mkdir(parents=True, exist_ok=True)
        (kb / f"section-{s:02d}" / "index.md").write_text(f"# Section {s}\n", encoding="utf-8")
    for i in range(n):
        topic = words(3) + [vocab[len(vocab) - 1 - (i * 7919) % 20000]]
        title = f"{' '.join(topic).capitalize()} {i}"
        rel = f"section-{i % 20:02d}/article-{i:05d}.md"
        kind = "faq" if i % 5 == 0 else "guide"
        body = [f"---\ntitle: {title}\nsummary: {sentence(14)}\ntags: [{', '.join(dict.fromkeys(topic[:3]))}]\n"
                f"category: {CATEGORIES[i % len(CATEGORIES)]}\ntype: {kind}\naudience: everyone\nowner: service-desk\n"
                f"last_reviewed: 2026-10-01\nrelated: []\n---\n\n# {title}\n\n{sentence(20)}\n"]
        heads = SECTIONS if kind == "guide" else [f"{sentence(6)[:-1]}?" for _ in range(4)]
        for head in heads:
            paras = [" ".join(sentence(rng.randint(8, 22)) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 3))]
            body.append(f"\n## {head}\n\n" + "\n\n".join(paras) + "\n")
        (kb / rel).write_text("".join(body), encoding="utf-8")
        paths.append(rel)
    return paths


def queries(rng: random.Random, n: int) -> list[str]:
    vocab = vocabulary()[:1500]
    fixed = ["forgot my password", "vpn keeps disconnecting at home", "printer says offline", "outlook asks for password again",
             "laptop very slow after update", "lost phone authenticator"]
    out = fixed[:n]
    while len(out) < n:
        out.append(" ".join(rng.sample(vocab, rng.randint(2, 5))))
    return out


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def fts5_build(root: Path, db: Path) -> float:
    from gitdesk.kb.article import iter_pages, read_article

    def build():
        con = sqlite3.connect(db)
        con.execute("CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, title, tags, summary, body, "
                    "tokenize='porter unicode61 remove_diacritics 2')")
        rows = []
        kb = root / "kb"
        for path in iter_pages(kb):
            rel = path.relative_to(kb).as_posix()
            if rel.endswith("index.md"):
                continue
            page = read_article(path, kb)
            meta = page.meta or {}
            rows.append((rel, page.title, " ".join(str(t) for t in meta.get("tags") or []), str(meta.get("summary") or ""), page.plain_text()))
        con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", rows)
        con.commit()
        con.close()

    seconds, _ = timed(build)
    return seconds


FTS_QUERY = "SELECT path, title, bm25(docs, 0, 4.0, 2.5, 2.0, 1.0) AS s FROM docs WHERE docs MATCH ? ORDER BY s LIMIT ?"


def fts5_match(text: str) -> str:
    return " OR ".join(f'"{w}"' for w in re.findall(r"\w+", text.lower())) or '""'


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def _cli() -> list[str]:
    exe = shutil.which("gitdesk", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "gitdesk"]


def hybrid_vs_lexical(work: Path, repeat: int) -> None:
    """Part 1: quality and speed of both modes on the shipped KB and the evaluation sets."""
    from gitdesk.config import load_config
    from gitdesk.kb.embedding import semantic_note
    from gitdesk.kb.evaluate import load_questions, score
    from gitdesk.kb.index import KBIndex
    from gitdesk.kb.search import Searcher
    from gitdesk.kb.vectors import vectors_path

    root = work / "shipped"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(PROJECT / "kb", root / "kb")
    for name in ("helpdesk.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    config = load_config(root)
    note = semantic_note(root, config)
    t_lex_build, stats = timed(lambda: KBIndex(root, config).update())
    pages = stats.total
    modes = ["lexical"] + ([] if note else ["hybrid"])
    t_vec, passages = None, 0
    if not note:
        t_vec, s = timed(lambda: Searcher(root, config))
        s.close()
        passages = s.vector_stats["passages"]  # a page's own passage and one per H2/H3 section
    sets = {name: load_questions(PROJECT / "tests" / "kb" / "eval" / f"{name}.yml") for name in ("dev", "test")}
    quality = {}
    for mode in modes:
        with Searcher(root, config, mode=mode) as s:
            for name, qs in sets.items():
                quality[(mode, name)] = score(s, qs)
    cmd = _cli()
    qs_all = [q["q"] for q in sets["test"]]
    e2e = {}
    for mode in modes:
        times = []
        for i in range(repeat + 1):
            dt, proc = timed(lambda: subprocess.run([*cmd, "kb", "search", qs_all[i % len(qs_all)], "--json", "--mode", mode,
                                                     "--repo", str(root)], capture_output=True, text=True))
            assert proc.returncode == 0, proc.stderr
            assert json.loads(proc.stdout)["mode"] == mode
            if i:  # the first run warms the page cache
                times.append(dt)
        e2e[mode] = statistics.median(times)
    batch = work / "questions.txt"
    batch.write_text("\n".join(" ".join(q.split()) for q in qs_all) + "\n", encoding="utf-8")
    per_query = {}
    for mode in modes:
        dt, proc = timed(lambda: subprocess.run([*cmd, "kb", "search", "--batch", str(batch), "--mode", mode, "--repo", str(root)],
                                                capture_output=True, text=True))
        assert proc.returncode == 0, proc.stderr
        per_query[mode] = dt / len(qs_all)
    index_kb = sum(p.stat().st_size for p in (root / ".gitdesk" / "kb-index").rglob("*") if p.is_file()) / 1e3
    vec = vectors_path(root)
    print(f"part 1: shipped kb/ ({pages} pages), dev {len(sets['dev'])} / held-out test {len(sets['test'])} questions")
    if note:
        print(f"  semantic search unavailable ({note}): lexical figures only")
    print(f"  {'measure':<44}{'lexical':>12}{'hybrid':>12}{'ratio':>9}")
    for name in ("dev", "test"):
        for key in ("hit1", "hit3", "mrr"):
            lex = quality[("lexical", name)][key]
            hyb = quality.get(("hybrid", name), {}).get(key)
            label = f"{name} {key.replace('hit', 'hit@')}"
            print(f"  {label:<44}{lex:12.3f}" + (f"{hyb:12.3f}{hyb / lex if lex else 0:8.2f}x" if hyb is not None else ""))
    rows = [("kb search --json end to end, median s", e2e), ("--batch, s per query", per_query)]
    for label, values in rows:
        lex, hyb = values["lexical"], values.get("hybrid")
        print(f"  {label:<44}{lex:12.3f}" + (f"{hyb:12.3f}{hyb / lex:8.2f}x" if hyb is not None else ""))
    if "hybrid" in e2e:
        print(f"  hybrid adds {e2e['hybrid'] - e2e['lexical']:.3f} s end to end (goal < 0.3 s); "
              f"--batch hybrid {1 / per_query['hybrid']:.1f} queries/s (goal >= 20), lexical {1 / per_query['lexical']:.1f}")
        print(f"  embedding: {t_vec / pages * 1000:.0f} ms per page ({pages} pages, {passages} passages, "
              f"{passages / pages:.1f} per page; {t_vec:.1f} s with the model load; lexical index build {t_lex_build:.1f} s)")
        print(f"  on disk: Whoosh index {index_kb:.0f} kB, vectors {vec.stat().st_size / 1e3:.0f} kB")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", type=Path, help="work folder (default: a temporary one, removed at the end)")
    ap.add_argument("--reuse", action="store_true", help="with --dir: keep an already generated KB (the index is still rebuilt)")
    ap.add_argument("--no-synthetic", action="store_true", help="only part 1 (the shipped KB, lexical against hybrid)")
    args = ap.parse_args()

    from gitdesk.config import load_config
    from gitdesk.kb.index import KBIndex
    from gitdesk.kb.search import Searcher

    work = args.dir or Path(tempfile.mkdtemp(prefix="gitdesk-kb-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "desk"
    reuse = args.reuse and args.dir is not None and (root / "kb").is_dir()
    if reuse:
        shutil.rmtree(root / ".gitdesk", ignore_errors=True)
        paths = sorted(p.relative_to(root / "kb").as_posix() for p in (root / "kb").rglob("article-*.md"))
        if len(paths) != args.articles:
            reuse = False
    if not reuse:
        if root.exists():
            shutil.rmtree(root)
        root.mkdir()
    try:
        hybrid_vs_lexical(work, args.repeat)
        if args.no_synthetic:
            return
        t_gen, paths = timed(lambda: paths if reuse else generate(root, args.articles))
        size = sum(p.stat().st_size for p in (root / "kb").rglob("*.md"))
        print(f"generated {len(paths)} articles ({size / 1e6:.1f} MB of Markdown) in {t_gen:.1f} s under {root}")
        config = load_config(root)
        rng = random.Random(3)
        qs = queries(rng, args.queries)

        # -- Whoosh -----------------------------------------------------------------------------------
        t_full, stats = timed(lambda: KBIndex(root, config).update())
        assert stats.rebuilt and len(stats.added) == len(paths), stats.as_dict()
        time.sleep(2.1)  # leave the 2-second "racy" window so the next update trusts mtimes
        KBIndex(root, config).update()
        t_noop, stats = timed(lambda: KBIndex(root, config).update())
        assert stats.reindexed == [] and stats.removed == [], stats.as_dict()
        target = root / "kb" / paths[len(paths) // 2]
        target.write_text(target.read_text(encoding="utf-8") + "\nEdited: zanzibarquux.\n", encoding="utf-8")
        t_incr, stats = timed(lambda: KBIndex(root, config).update())
        assert stats.changed == [paths[len(paths) // 2]] and not stats.added and not stats.removed, stats.as_dict()
        index_mb = sum(p.stat().st_size for p in (root / ".gitdesk" / "kb-index").rglob("*") if p.is_file()) / 1e6

        with Searcher(root, config, mode="lexical") as s:
            s.query(qs[0])  # warm
            w_query, w_plain = [], []
            for q in qs:
                dt, _ = timed(lambda: s.query(q, limit=10))
                w_query.append(dt)
                dt, _ = timed(lambda: s.query(q, limit=10, snippets=False))
                w_plain.append(dt)
            assert s.query("zanzibarquux")[0].path == paths[len(paths) // 2]

        cmd = _cli()
        w_cli = []
        for i in range(args.repeat):
            q = qs[i % len(qs)]
            dt, proc = timed(lambda: subprocess.run([*cmd, "kb", "search", q, "--json", "--mode", "lexical", "--repo", str(root)], capture_output=True, text=True))
            assert proc.returncode == 0, proc.stderr
            json.loads(proc.stdout)
            w_cli.append(dt)

        # -- SQLite FTS5 baseline ----------------------------------------------------------------------
        db = work / "fts5.db"
        if db.exists():
            db.unlink()
        f_build = fts5_build(root, db)
        con = sqlite3.connect(db)
        con.execute(FTS_QUERY, (fts5_match(qs[0]), 10)).fetchall()
        f_query = []
        for q in qs:
            dt, _ = timed(lambda: con.execute(FTS_QUERY, (fts5_match(q), 10)).fetchall())
            f_query.append(dt)
        con.close()
        script = ("import sqlite3,sys,json,re;c=sqlite3.connect(sys.argv[1]);"
                  "m=' OR '.join('\"%s\"'%w for w in re.findall(r'\\w+',sys.argv[2].lower()));"
                  f"print(json.dumps(c.execute({FTS_QUERY!r},(m,10)).fetchall()))")
        f_cli = []
        for i in range(args.repeat):
            q = qs[i % len(qs)]
            dt, proc = timed(lambda: subprocess.run([sys.executable, "-c", script, str(db), q], capture_output=True, text=True))
            assert proc.returncode == 0, proc.stderr
            f_cli.append(dt)
        t_pass = []
        for _ in range(args.repeat):
            dt, _ = timed(lambda: subprocess.run([sys.executable, "-c", "pass"]))
            t_pass.append(dt)

        print()
        print(f"{'measure':<46}{'Whoosh (gitdesk)':>18}{'SQLite FTS5':>14}{'ratio':>9}")
        rows = [
            ("full index build, s", t_full, f_build),
            ("incremental reindex after one edit, s", t_incr, None),
            ("update with nothing changed, s", t_noop, None),
            ("median query in process, no snippets, ms", median_ms(w_plain), median_ms(f_query)),
            ("median query in process, with snippets, ms", median_ms(w_query), median_ms(f_query)),
            ("search end to end (subprocess), median ms", median_ms(w_cli), median_ms(f_cli)),
        ]
        for name, w, f in rows:
            ratio = f"{w / f:8.1f}x" if f else "        -"
            fs = f"{f:14.3f}" if f is not None else f"{'-':>14}"
            print(f"{name:<46}{w:18.3f}{fs}{ratio}")
        print(f"{'python -c pass (process start), median ms':<46}{median_ms(t_pass):18.1f}")
        print(f"incremental reindex vs full build: {t_full / t_incr:.0f}x faster; index on disk {index_mb:.1f} MB, FTS5 db {db.stat().st_size / 1e6:.1f} MB")
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
