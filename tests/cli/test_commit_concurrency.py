"""`ticket comment --commit` from eight agents at once (real processes): every comment is written
once and committed; when git's index stays locked the error says the change is recorded, names
the file and how to commit it, and exits 3 (not 1, "nothing was done")."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.desk import git, gitdesk_processes, make_desk

AGENTS = 8
EACH = 5


def test_eight_agents_commenting_with_commit_at_once_all_commit(git_repo):
    tid = make_desk(git_repo).new(title="Shared drive is slow", channel="phone").id
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "ticket")
    exe = str(Path(sys.executable).with_name("gitdesk"))
    # what is tested is that every change is committed once (through git's index lock, HEAD
    # moving under a commit, and another commit's partial index dropping a staged file), not the
    # default 15 s budget, which a loaded 2-core runner can use up
    env = {**os.environ, "GITDESK_REPO": str(git_repo), "GITDESK_GIT_LOCK_WAIT": "120"}

    def agent(n: int) -> list[tuple[int, str]]:
        out = []
        for k in range(EACH):
            proc = subprocess.run([exe, "ticket", "comment", tid, f"note {k} from agent {n}", "--commit", "--as",
                                   f"Agent {n} <a{n}@northwind.example>"], env=env, capture_output=True, text=True)
            out.append((proc.returncode, proc.stderr))
        return out

    with ThreadPoolExecutor(AGENTS) as pool:
        results = [r for batch in pool.map(agent, range(AGENTS)) for r in batch]
    assert [code for code, _ in results] == [0] * AGENTS * EACH, [err for code, err in results if code]
    assert git(git_repo, "status", "--porcelain", "--untracked-files=all", "tickets") == ""
    assert len(git(git_repo, "log", "--format=%s", "--", "tickets").splitlines()) == AGENTS * EACH + 1
    assert make_desk(git_repo).store.get(tid).comment_count == AGENTS * EACH


def test_a_commit_that_still_fails_says_the_change_is_recorded_and_how_to_commit_it(git_repo):
    tid = make_desk(git_repo).new(title="Shared drive is slow", channel="phone").id
    lock = git_repo / ".git" / "index.lock"
    lock.write_text("")  # another git process that does not let go
    [run] = gitdesk_processes(git_repo, ["ticket", "comment", tid, "Mapped the drive again.", "--commit"],
                              env={"GITDESK_GIT_LOCK_WAIT": "0.3"})
    lock.unlink()
    assert run.returncode == 3 and run.stderr.count("\n") == 1, run.stderr
    [written] = [p for p in git_repo.glob("tickets/*/*.yml") if "Mapped the drive again." in p.read_text()]
    rel = written.relative_to(git_repo).as_posix()
    assert f"the change is recorded in {rel} but not committed" in run.stderr
    assert "index.lock" in run.stderr and "do not run the command again" in run.stderr
    how = run.stderr.split("commit it with `", 1)[1].split("`", 1)[0]
    subprocess.run(how, shell=True, cwd=git_repo, check=True, capture_output=True)
    assert git(git_repo, "status", "--porcelain", "--untracked-files=all", "tickets").count("\n") == 1  # only the ticket's first file
    assert rel in git(git_repo, "show", "--name-only", "--format=%s", "HEAD")
