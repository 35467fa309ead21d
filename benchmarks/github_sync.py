"""Requests a `gitdesk sync` sends: a full import of N issues, then syncs with nothing to do.

The target (issue 5): a full import costs the list pages and what the comments require --
``ceil(N/100)`` pages of issues plus ``ceil(C/100)`` pages of the repository's comments -- and
nothing per issue; an incremental sync with no change costs at most 2 requests. The baseline,
measured in the same process against the same server, is the straightforward PyGithub import:
``repo.get_issues(state="all")`` and ``issue.get_comments()`` for each issue (and, for the
"careful" variant, only for issues whose ``comments`` count is not zero).

The server is the fake GitHub of ``tests/github`` on 127.0.0.1 (real HTTP, PyGithub on both
sides, no OpenAPI checking so that timing is the client's); requests are counted by the server.
Run: ``.venv/bin/python benchmarks/github_sync.py [--issues 1000] [--commented 0.3]``.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.github.server, the fake GitHub

from tests.github.server import FakeGitHub  # noqa: E402

FORM = ("### Category\n\n{category}\n\n### Impact\n\n{impact}\n\n### Urgency\n\n{urgency}\n\n### Channel\n\nweb\n\n"
        "### Asset\n\n_No response_\n\n### Description\n\n{text}\n\n### Steps tried\n\n_No response_\n\n"
        "### Linked article\n\n_No response_\n\n### Department\n\nFinance")
CATEGORIES = ["network/vpn", "email", "printing", "accounts/password", "hardware/performance"]
LEVELS = ["high", "medium", "low"]


def seed(gh: FakeGitHub, issues: int, commented: float, rng: random.Random) -> int:
    """``issues`` issues opened over the past weeks (a few minutes apart), some with replies."""
    comments = 0
    start = datetime.now(timezone.utc) - timedelta(minutes=5 * issues + 60)
    for i in range(issues):
        opened = start + timedelta(minutes=5 * i)
        replies = []
        if rng.random() < commented:
            replies = [{"user": "ana-lima", "body": f"Looking into #{i}.", "created_at": opened + timedelta(minutes=20)},
                       {"user": "alice", "body": "Thanks!", "created_at": opened + timedelta(minutes=30)}][: rng.randint(1, 2)]
            comments += len(replies)
        closed = rng.random() < 0.4
        gh.seed_issue(f"Request {i}", FORM.format(category=rng.choice(CATEGORIES), impact=rng.choice(LEVELS),
                                                  urgency=rng.choice(LEVELS), text=f"Problem number {i}."),
                      user="alice", comments=replies, created_at=opened, state="closed" if closed else "open",
                      closed_at=opened + timedelta(hours=2) if closed else None,
                      labels=["priority: high"] if i % 7 == 0 else ())
    gh.seed_pull_request("A pull request", "not a ticket", user="ana-lima")
    return comments


def gitdesk_sync(gh: FakeGitHub, repo: Path) -> tuple[int, list[tuple[str, str, int]], float, dict]:
    from gitdesk.config import load_config
    from gitdesk.repo import Repo
    from gitdesk.github.store import client_from_config
    from gitdesk.sync.engine import run_sync

    config = load_config(repo)
    start = len(gh.requests)
    began = time.perf_counter()
    report = run_sync(Repo(repo), config, client_from_config(config, {"GITHUB_TOKEN": "bench"}), "bench")
    elapsed = time.perf_counter() - began
    sent = [(r.method, r.path.split("/")[-1], r.status) for r in gh.requests[start:]]
    return len(sent), sent, elapsed, report.as_dict()


def baseline(gh: FakeGitHub, careful: bool) -> tuple[int, float]:
    from github import Auth, Github

    g = Github(base_url=gh.base_url, auth=Auth.Token("bench"), per_page=100,
               seconds_between_requests=None, seconds_between_writes=None)
    start = len(gh.requests)
    began = time.perf_counter()
    repo = g.get_repo("octo-org/helpdesk")
    for issue in repo.get_issues(state="all"):
        if "/pull/" in issue.html_url:  # issue.pull_request would fetch the issue again
            continue
        if careful and not issue.comments:
            continue
        list(issue.get_comments())
    elapsed = time.perf_counter() - began
    g.close()
    return len(gh.requests) - start, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--commented", type=float, default=0.3, help="share of issues with comments")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)

    from gitdesk.github import client

    client.PACING.update(seconds_between_requests=None, seconds_between_writes=None)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="gitdesk-bench-"))
    try:
        with FakeGitHub() as gh:
            comments = seed(gh, args.issues, args.commented, rng)
            repo = work / "desk"
            repo.mkdir()
            subprocess.run(["git", "init", "-q", str(repo)], check=True)
            text = (ROOT / "helpdesk.yml").read_text()
            (repo / "helpdesk.yml").write_text(text + f"\ngithub:\n  repository: octo-org/helpdesk\n  api_url: {gh.base_url}\n")

            target = math.ceil((args.issues + 1) / 100) + math.ceil(comments / 100)
            full, _, full_time, report = gitdesk_sync(gh, repo)
            print(f"fake GitHub: {args.issues} issues (+1 pull request), {comments} comments on "
                  f"{sum(1 for i in gh.issues() if i.comment_ids)} of them")
            print(f"full import:        {full:5d} requests  (target {target}: "
                  f"{math.ceil((args.issues + 1) / 100)} issue pages + {math.ceil(comments / 100)} comment pages)"
                  f"  {full_time:6.2f} s  -> {report['tickets_created']} tickets, {report['events_written']} events")
            runs = []
            for label in ("no-change sync #1", "no-change sync #2"):
                count, sent, elapsed, report = gitdesk_sync(gh, repo)
                runs.append(count)
                statuses = ", ".join(f"{m} {p} {s}" for m, p, s in sent)
                print(f"{label}:  {count:5d} requests  (target <= 2)  {elapsed:6.2f} s  [{statuses}]"
                      f"  events written {report['events_written']}, writes {report['write_requests']}")
            gh.seed_comment(1, "One more question", user="alice")
            count, sent, elapsed, report = gitdesk_sync(gh, repo)
            print(f"one new comment:    {count:5d} requests  {elapsed:6.2f} s  -> {report['comments_imported']} comment imported")

            naive, naive_time = baseline(gh, careful=False)
            careful, careful_time = baseline(gh, careful=True)
            print(f"baseline PyGithub, comments of every issue:      {naive:5d} requests  {naive_time:6.2f} s"
                  f"  (ratio {naive / full:.1f}x)")
            print(f"baseline PyGithub, comments where count > 0:     {careful:5d} requests  {careful_time:6.2f} s"
                  f"  (ratio {careful / full:.1f}x)")
            ok = full <= target and max(runs) <= 2
            print("targets met" if ok else "TARGETS MISSED")
            return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
