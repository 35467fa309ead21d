"""The file store and its cache against real files and real git."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.desk import git, init_repo, make_desk
from tests.support.waiting import wait_for_later_mtime, wait_until


def _files(repo: Path) -> list[Path]:
    return sorted((repo / "tickets").glob("*/*.yml"))


def test_every_change_is_a_new_file_and_none_is_rewritten(desk, git_repo):
    t = desk.new(title="Laptop will not boot", requester={"name": "Sam", "email": "sam@x"}, category="hardware")
    first = {p: p.read_bytes() for p in _files(git_repo)}
    desk.comment(t.id, "Try holding power for 30 s")
    desk.set_fields(t.id, {"priority": "high"}, add_tags=["boot"])
    desk.resolve(t.id, comment="Battery reseated")
    after = _files(git_repo)
    assert len(after) == 4
    for path, data in first.items():
        assert path.read_bytes() == data
    assert all(p.name.startswith(t.id + ".") and p.parent.name == t.id[:2] for p in after)


def test_cache_sees_new_hand_edited_and_deleted_files(desk, git_repo):
    store = desk.store
    t = desk.new(title="Printer offline", requester={"name": "Sam"})
    desk.set_fields(t.id, {"priority": "low"})
    assert store.get(t.id).priority == "low"
    # a hand edit in place (the folder's mtime does not change)
    newest = max(_files(git_repo), key=lambda p: p.stat().st_mtime_ns)
    text = newest.read_text().replace("priority: low", "priority: high")
    with open(newest, "r+") as fh:
        fh.write(text)
    assert store.get(t.id).priority == "high"
    # committed files edited in place are found through git status
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "tickets")
    store.list()  # warm
    wait_for_later_mtime(newest, git_repo.parent)
    with open(newest, "r+") as fh:
        fh.write(newest.read_text().replace("priority: high", "priority: medium"))
    assert store.get(t.id[:6]).priority == "medium"
    # a deleted file
    newest.unlink()
    assert store.get(t.id).priority is None
    assert len(store.list()) == 1


def test_cache_sees_a_file_edited_in_place_and_committed(desk, git_repo):
    """An editor that writes in place, then ``git commit -a``: git status is clean again and the
    folder's mtime never moved; the commit itself names the file."""
    store = desk.store
    desk.new(title="Scanner jams", requester={"name": "Sam"}, priority="low")
    git(git_repo, "add", "-A")
    path = _files(git_repo)[0]
    past = time.time_ns() - 60_000_000_000  # older than the cache's two seconds of racy distrust
    os.utime(path, ns=(past, past))
    os.utime(path.parent, ns=(past, past))
    git(git_repo, "commit", "-q", "-m", "tickets")
    assert [x.priority for x in store.list()] == ["low"]  # warm, and the index is known
    assert [x.priority for x in store.list()] == ["low"]
    with open(path, "r+") as fh:
        fh.write(path.read_text().replace("priority: low", "priority: high").replace("title: Scanner jams", "title: Scanner jams!"))
    os.utime(path.parent, ns=(past, past))
    git(git_repo, "commit", "-q", "-a", "-m", "hand edit")
    assert [(x.priority, x.title) for x in store.list()] == [("high", "Scanner jams!")]
    # again, amending that commit and pruning it: git cannot say what changed, so all is checked
    with open(path, "r+") as fh:
        fh.write(path.read_text().replace("priority: high", "priority: critical"))
    os.utime(path.parent, ns=(past, past))
    git(git_repo, "commit", "-q", "-a", "--amend", "-m", "hand edits")
    git(git_repo, "reflog", "expire", "--expire=now", "--all")
    git(git_repo, "gc", "-q", "--prune=now")
    assert [x.priority for x in store.list()] == ["critical"]


def test_cache_outside_git(tmp_path):
    root = tmp_path / "plain"
    root.mkdir()
    d = make_desk(root)
    t = d.new(title="x", requester={"name": "y"})
    files = _files(root)
    with open(files[0], "r+") as fh:
        fh.write(files[0].read_text().replace("title: x", "title: z"))
    assert d.store.get(t.id).title == "z"


def test_git_pull_brings_new_events(tmp_path):
    origin = init_repo(tmp_path / "a")
    a = make_desk(origin)
    t = a.new(title="Shared drive missing", requester={"name": "Sam"})
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "t")
    clone = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    b = make_desk(clone, actor="Ben <ben@x>")
    assert b.store.get(t.id).title == "Shared drive missing"  # warm cache in the clone
    a.comment(t.id, "Remapped S:")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "c")
    git(clone, "pull", "-q", "--no-rebase", "origin", "main")
    assert b.store.get(t.id).comment_count == 1


def test_two_clones_change_one_ticket_and_merge_both_ways(tmp_path):
    origin = init_repo(tmp_path / "origin")
    base = make_desk(origin)
    t = base.new(title="Outlook keeps asking for password", requester={"name": "Sam", "email": "sam@x"}, priority="medium")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "new ticket")
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    for d in (a_dir, b_dir):
        git(tmp_path, "clone", "-q", str(origin), str(d))
        git(d, "config", "user.name", d.name)
        git(d, "config", "user.email", f"{d.name}@x")
    a, b = make_desk(a_dir, "A <a@x>"), make_desk(b_dir, "B <b@x>")
    a.comment(t.id, "from A")
    a.set_fields(t.id, {"priority": "high"}, add_tags=["outlook"])
    b.comment(t.id, "from B")
    b.set_fields(t.id, {"category": "email"}, add_tags=["password"])
    b.escalate(t.id, reason="needs exchange admin")
    for d in (a_dir, b_dir):
        git(d, "add", "-A")
        git(d, "commit", "-q", "-m", f"work in {d.name}")
    # merge both ways with plain git: no conflict
    git(a_dir, "pull", "-q", "--no-rebase", str(b_dir), "main")
    git(b_dir, "pull", "-q", "--no-rebase", str(a_dir), "main")
    ta, tb = a.store.get(t.id), b.store.get(t.id)
    assert ta.to_dict() == tb.to_dict()
    assert sorted(c["body"] for c in ta.comments) == ["from A", "from B"]
    assert ta.tags == ["outlook", "password"] and ta.priority == "high" and ta.category == "email" and ta.tier == 2
    assert len(ta.history) == 6
    assert sorted(p.name for p in _files(a_dir)) == sorted(p.name for p in _files(b_dir))


def _comment_worker(args):
    repo, ref, n = args
    d = make_desk(Path(repo), actor=f"Agent {n} <a{n}@x>")
    for i in range(5):
        d.comment(ref, f"comment {n}-{i}")
    return n


def test_eight_processes_comment_at_once_and_lose_nothing(desk, git_repo):
    from concurrent.futures import ProcessPoolExecutor

    t = desk.new(title="Wi-Fi down on floor 3", requester={"name": "Sam"})
    with ProcessPoolExecutor(max_workers=8) as pool:
        list(pool.map(_comment_worker, [(str(git_repo), t.id, n) for n in range(8)]))
    fresh = make_desk(git_repo)
    bodies = sorted(c["body"] for c in fresh.store.get(t.id).comments)
    assert bodies == sorted(f"comment {n}-{i}" for n in range(8) for i in range(5))


def test_killed_writer_leaves_nothing_that_breaks_reading(desk, git_repo):
    t = desk.new(title="x", requester={"name": "y"})
    script = (
        "import sys\nsys.path.insert(0, %r)\nfrom tests.support.desk import make_desk\n"
        "d = make_desk(__import__('pathlib').Path(%r))\n"
        "while True:\n    d.comment(%r, 'x' * 50000)\n"
    ) % (str(Path(__file__).resolve().parents[2]), str(git_repo), t.id)
    proc = subprocess.Popen([os.sys.executable, "-c", script])
    # killed while it writes: once several comments are on disk, whatever it does next
    assert wait_until(lambda: len(_files(git_repo)) > 5 or proc.poll() is not None, timeout=120), "the writer wrote nothing"
    proc.kill()
    proc.wait()
    # a partial temporary may remain; readers ignore it and check reports it harmlessly
    ticket = make_desk(git_repo).store.get(t.id)
    assert ticket.comment_count == len(_files(git_repo)) - 1
    for p in _files(git_repo):
        assert p.read_text().endswith("\n")


def test_ambiguous_and_unknown_refs(desk):
    from gitdesk.errors import AmbiguousIdError, NotFoundError, UsageError

    ids = [desk.new(title=f"t{i}", requester={"name": "y"}, ticket_id=tid).id
           for i, tid in enumerate(["AAAAAAAAA1", "AAAAAAAAA2"])]
    with pytest.raises(AmbiguousIdError):
        desk.store.get("AAAA")
    assert desk.store.get("AAAAAAAAA2").id == ids[1]
    assert desk.store.get("hd-aaaaaaaaa1").id == ids[0]
    with pytest.raises(NotFoundError):
        desk.store.get("ZZZZ")
    with pytest.raises(UsageError):
        desk.store.get("../../etc/passwd")


def test_files_learn_they_are_tracked_after_a_commit(desk, git_repo):
    """Untracked files are stat'ed on every read; once committed, the cache stops doing that."""
    for i in range(3):
        desk.new(title=f"t{i}", requester={"name": "y"})
    cache = desk.store.cache
    desk.store.list()
    untracked = lambda: cache.con.execute("SELECT count(*) FROM files WHERE tracked = 0").fetchone()[0]  # noqa: E731
    assert untracked() == 3
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-q", "-m", "tickets")
    desk.store.list()
    assert untracked() == 0
    # and an in-place edit of a now-tracked file is still seen (through git status)
    path = sorted((git_repo / "tickets").glob("*/*.yml"))[0]
    wait_for_later_mtime(path, git_repo.parent)
    path.write_text(path.read_text().replace("title: t", "title: edited t"))
    assert any(t.title.startswith("edited") for t in desk.store.list())


def test_cache_restored_into_a_fresh_checkout_is_refreshed_by_hash_never_trusted(tmp_path):
    """What a scheduled workflow does: a shallow checkout (every file and folder new, the old
    commit absent) with ``.gitdesk/`` restored from an earlier run. Files whose bytes are the
    ones parsed are not parsed again; a file whose bytes differ is, whatever its stat data."""
    import shutil

    origin = init_repo(tmp_path / "origin")
    a = make_desk(origin)
    tickets = [a.new(title=f"Printer {i} offline", requester={"name": "Sam"}, priority="low") for i in range(4)]
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "tickets")
    assert len(a.store.list()) == 4  # the cache a run saves
    a.store.cache.close()

    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    shutil.copytree(origin / ".gitdesk", clone / ".gitdesk")  # actions/cache restoring it
    # one file differs from what the cache parsed (same size, so only its bytes tell)
    edited = next(p for p in _files(clone) if p.name.startswith(tickets[2].id + "."))
    edited.write_text(edited.read_text().replace("Printer 2 offline", "Printer 2 ONLINE!"))
    past = time.time_ns() - 60_000_000_000  # old enough to be trusted by stat
    for path in _files(clone):
        os.utime(path, ns=(past, past))

    b = make_desk(clone)
    assert b.store.cache.refresh() == 1  # only the edited ticket is derived again
    assert sorted(t.title for t in b.store.list()) == ["Printer 0 offline", "Printer 1 offline", "Printer 2 ONLINE!",
                                                       "Printer 3 offline"]
    assert b.store.cache.refresh() == 0  # and the stat data is now the checkout's


def test_a_cache_of_the_previous_schema_is_rebuilt(desk, git_repo):
    desk.new(title="Old cache", requester={"name": "Sam"})
    desk.store.list()
    con = desk.store.cache.con
    con.execute("UPDATE meta SET value='5' WHERE key='schema'")
    desk.store.cache.close()
    fresh = make_desk(git_repo)
    assert [t.title for t in fresh.store.list()] == ["Old cache"]
    assert fresh.store.cache.con.execute("SELECT count(*) FROM files WHERE oid IS NOT NULL").fetchone()[0] == 1
