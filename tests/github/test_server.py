"""The fake GitHub, exercised over real HTTP with PyGithub and raw requests.

Every test that uses ``fake_github`` also has each request/response pair checked against
GitHub's OpenAPI description (see plugin.py); a mismatch fails the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from github import GithubException
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededException,
    UnknownObjectException,
)

from tests.github import extract_openapi, openapi_check
from tests.github.openapi_check import OpenAPIChecker, parse_link_header
from tests.github.plugin import make_github_client, recording_retry
from tests.github.server import ROUTES, Exchange, FakeGitHub

REPO = "octo-org/helpdesk"
T0 = datetime(2024, 3, 1, 9, 0, 0, tzinfo=timezone.utc)


def session(token: str | None = "x", scheme: str = "token") -> requests.Session:
    s = requests.Session()
    if token is not None:
        s.headers["Authorization"] = f"{scheme} {token}"
    s.headers["Accept"] = "application/vnd.github+json"
    return s


def numbers(issues) -> list[int]:
    return [i.number for i in issues]


# ------------------------------------------------------------------------------------------
# The OpenAPI subset and the routes agree


def test_routes_are_exactly_the_extracted_operations():
    server_ops = {(template, method.lower()) for method, _, _, template in ROUTES}
    assert server_ops == set(extract_openapi.OPERATIONS)
    assert server_ops == openapi_check.implemented_operations()


def test_subset_is_small_valid_and_self_contained():
    path = Path(openapi_check.SUBSET)
    assert path.stat().st_size < 2_000_000
    spec = json.loads(path.read_text())
    assert spec["openapi"].startswith("3.0")
    openapi_check.load_openapi()            # openapi-core validates the document itself
    refs: set[str] = set()
    extract_openapi.refs_in(spec, refs)
    for ref in refs:                        # every $ref resolves inside the subset
        assert extract_openapi.resolve(spec, ref) is not None, ref


def test_extraction_is_reproducible_from_a_full_description(tmp_path):
    """Re-running the extractor over a description built from the subset itself gives the
    same operations (the real refresh needs npm; see extract_openapi.py)."""
    spec = json.loads(Path(openapi_check.SUBSET).read_text())
    full = tmp_path / "api.github.com.json"
    spec["paths"]["/repos/{owner}/{repo}/hooks"] = {"get": {"responses": {"200": {
        "description": "unused", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/unused"}}}}}}}
    spec["components"]["schemas"]["unused"] = {"type": "object"}
    full.write_text(json.dumps(spec))
    out = tmp_path / "subset.json"
    assert extract_openapi.main(["--spec", str(full), "--output", str(out)]) == 0
    again = json.loads(out.read_text())
    assert again["paths"] == json.loads(Path(openapi_check.SUBSET).read_text())["paths"]
    assert "unused" not in again["components"]["schemas"]


# ------------------------------------------------------------------------------------------
# Basics: repository, user, URLs, authentication


def test_repository_user_and_urls_start_with_base_url(fake_github, github_client):
    repo = github_client.get_repo(REPO)
    assert repo.full_name == REPO and repo.has_issues
    assert repo.url == f"{fake_github.base_url}/repos/{REPO}"
    assert github_client.get_user().login == "gitdesk-bot"
    fake_github.seed_issue("Printer on fire", user="alice")
    issue = repo.get_issue(1)
    for url in (issue.url, issue.html_url, issue.comments_url, issue.labels_url,
                issue.user.url, issue.repository_url):
        assert url.startswith(fake_github.base_url + "/"), url
    assert issue.user.login == "alice" and issue.user.type == "User"


@pytest.mark.fake_github(path_prefix="/api/v3")
def test_enterprise_style_path_prefix(fake_github, github_client):
    assert fake_github.base_url.endswith("/api/v3")
    fake_github.seed_issue("GHES")
    issue = github_client.get_repo(REPO).get_issue(1)
    assert issue.url.startswith(fake_github.base_url + "/repos/")
    assert issue.title == "GHES"
    r = session().get(fake_github.root_url + f"/repos/{REPO}")
    assert r.status_code == 404                  # outside the prefix ...
    assert fake_github.openapi.errors == [       # ... and flagged as an unknown operation
        f"GET /__outside_prefix__/repos/{REPO} -> 404: GET /__outside_prefix__/repos/{REPO} "
        "is not an operation of the OpenAPI subset (add it to extract_openapi.OPERATIONS "
        "and to the server)"]
    fake_github.openapi.errors.clear()


def test_authentication_is_required(fake_github):
    url = f"{fake_github.base_url}/repos/{REPO}/issues"
    r = session(None).get(url)
    assert r.status_code == 401
    assert r.json()["message"] == "Requires authentication"
    assert session("abc", "Bearer").get(url).status_code == 200
    assert session("abc", "token").get(url).status_code == 200
    assert session("abc", "Basic").get(url).status_code == 401
    assert not fake_github.find_requests(status=401)[0].counted


@pytest.mark.fake_github(accept_any_token=False)
def test_tokens_map_to_users_and_unknown_tokens_are_rejected(fake_github):
    fake_github.add_token("agent-token", "agent1")
    fake_github.add_collaborator("agent1")
    agent = make_github_client(fake_github, token="agent-token", retry=None)
    assert agent.get_user().login == "agent1"
    fake_github.seed_issue("Help", user="alice")
    comment = agent.get_repo(REPO).get_issue(1).create_comment("On it")
    assert comment.user.login == "agent1"
    assert comment.raw_data["author_association"] == "COLLABORATOR"
    with pytest.raises(BadCredentialsException):
        make_github_client(fake_github, token="wrong", retry=None).get_user().login


# ------------------------------------------------------------------------------------------
# Listing: pagination, state, labels, since, sort, pull requests


def test_pagination_keeps_every_query_parameter(fake_github):
    fake_github.freeze_time(T0)
    for n in range(7):
        fake_github.seed_issue(f"issue {n}", labels=["bug", "printer"] if n % 2 == 0 else [],
                               state="closed" if n % 3 == 0 else "open")
        fake_github.advance(60)
    client = make_github_client(fake_github, per_page=2)
    since = T0 + timedelta(seconds=30)
    listed = client.get_repo(REPO).get_issues(state="all", labels=["bug", "printer"],
                                              since=since, sort="created", direction="asc")
    assert numbers(listed) == [3, 5, 7]
    pages = fake_github.find_requests("GET", f"/repos/{REPO}/issues")
    assert len(pages) == 2
    for record in pages:
        assert record.param("state") == "all"
        assert record.param("labels") == "bug,printer"
        assert record.param("since") == "2024-03-01T09:00:30Z"
        assert record.param("direction") == "asc"
        assert record.param("per_page") == "2"
    assert pages[1].param("page") == "2"


def test_link_header_has_next_last_prev_first(fake_github):
    for n in range(7):
        fake_github.seed_issue(f"issue {n}")
    url = f"{fake_github.base_url}/repos/{REPO}/issues?state=all&per_page=2&page=2&creator=alice"
    r = session().get(url)
    links = parse_link_header(r.headers["Link"])
    assert set(links) == {"prev", "next", "last", "first"}
    base = f"{fake_github.base_url}/repos/{REPO}/issues"
    for rel, page in (("prev", 1), ("next", 3), ("last", 4), ("first", 1)):
        parts = urllib.parse.urlsplit(links[rel])
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == base
        assert urllib.parse.parse_qs(parts.query, keep_blank_values=True) == {
            "state": ["all"], "per_page": ["2"], "page": [str(page)], "creator": ["alice"]}
    last = session().get(links["last"])
    assert len(last.json()) == 1
    assert set(parse_link_header(last.headers["Link"])) == {"prev", "first"}
    single = session().get(f"{base}?per_page=100")
    assert "Link" not in single.headers and len(single.json()) == 7


def test_total_count_reads_the_last_link(fake_github, github_client):
    for n in range(5):
        fake_github.seed_issue(f"issue {n}", state="closed" if n < 3 else "open")
    listed = github_client.get_repo(REPO).get_issues(state="closed")
    assert listed.totalCount == 3
    record = fake_github.find_requests("GET", f"/repos/{REPO}/issues")[-1]
    assert record.param("per_page") == "1" and record.param("state") == "closed"
    # PyGithub fact: after a list has been iterated, totalCount forgets its parameters
    # (it asks /issues?per_page=1 and counts the open issues instead).
    iterated = github_client.get_repo(REPO).get_issues(state="closed")
    assert len(list(iterated)) == 3
    assert iterated.totalCount == 2
    assert fake_github.requests[-1].query_string == "per_page=1"


def test_state_filter_and_pull_requests_in_the_list(fake_github, github_client):
    fake_github.seed_issue("open one")
    fake_github.seed_issue("closed one", state="closed", state_reason="not_planned")
    fake_github.seed_pull_request("Fix typo in kb")
    repo = github_client.get_repo(REPO)
    assert numbers(repo.get_issues()) == [3, 1]
    assert numbers(repo.get_issues(state="closed")) == [2]
    everything = list(repo.get_issues(state="all"))
    assert numbers(everything) == [3, 2, 1]
    before = fake_github.request_count
    raw = {i.number: i._rawData for i in everything}       # no extra request
    assert fake_github.request_count == before
    assert "pull_request" in raw[3] and raw[3]["pull_request"]["url"].endswith("/pulls/3")
    assert "pull_request" not in raw[1] and "pull_request" not in raw[2]
    assert raw[2]["state_reason"] == "not_planned" and raw[2]["closed_at"]
    # PyGithub fact the backend must know: reading an attribute the list payload lacks
    # (``pull_request`` of a plain issue) makes PyGithub fetch that issue on its own.
    assert everything[2].pull_request is None
    assert fake_github.request_count == before + 1
    assert fake_github.requests[-1].path == f"/repos/{REPO}/issues/1"
    assert everything[0].pull_request is not None           # present in the list: no request
    assert fake_github.request_count == before + 1


def test_since_filters_on_updated_at_inclusively(fake_github, github_client):
    fake_github.freeze_time(T0)
    fake_github.seed_issue("old")                             # updated T0
    fake_github.advance(3600)
    fake_github.seed_issue("new")                             # updated T0+1h
    fake_github.advance(3600)
    fake_github.seed_comment(1, "bump", user="bob")           # old one updated at T0+2h
    repo = github_client.get_repo(REPO)
    assert numbers(repo.get_issues(since=T0 + timedelta(minutes=90))) == [1]
    assert numbers(repo.get_issues(since=T0 + timedelta(hours=1))) == [2, 1]   # inclusive
    assert numbers(repo.get_issues(since=T0 + timedelta(hours=3))) == []
    assert numbers(repo.get_issues(sort="updated", direction="desc")) == [1, 2]
    assert numbers(repo.get_issues(sort="updated", direction="asc")) == [2, 1]
    assert numbers(repo.get_issues(sort="comments")) == [1, 2]


def test_list_filters_assignee_creator(fake_github, github_client):
    fake_github.seed_issue("a", user="alice", assignees=["agent1"])
    fake_github.seed_issue("b", user="bob")
    repo = github_client.get_repo(REPO)
    assert numbers(repo.get_issues(assignee="agent1")) == [1]
    assert numbers(repo.get_issues(assignee="none")) == [2]
    assert numbers(repo.get_issues(assignee="*")) == [1]
    assert numbers(repo.get_issues(creator="bob")) == [2]


def test_bad_list_parameters_answer_422(fake_github):
    base = f"{fake_github.base_url}/repos/{REPO}/issues"
    with fake_github.allow_invalid_requests():
        r = session().get(base + "?state=everything")
        assert r.status_code == 422 and r.json()["message"] == "Validation Failed"
        assert session().get(base + "?since=yesterday").status_code == 422
    assert session().get(f"{fake_github.base_url}/repos/nobody/nothing/issues").status_code == 404


# ------------------------------------------------------------------------------------------
# Writes: issues, comments, labels, assignees


def test_create_and_update_issue(fake_github, github_client):
    fake_github.freeze_time(T0)
    fake_github.add_collaborator("agent1")
    repo = github_client.get_repo(REPO)
    issue = repo.create_issue("VPN drops", body="Since Monday", labels=["priority: high"],
                              assignees=["agent1"])
    assert issue.number == 1 and issue.state == "open" and issue.state_reason is None
    assert [label.name for label in issue.labels] == ["priority: high"]   # label auto-created
    assert [a.login for a in issue.assignees] == ["agent1"]
    assert issue.user.login == "gitdesk-bot"
    assert fake_github.find_requests("POST")[0].body == {
        "title": "VPN drops", "body": "Since Monday", "labels": ["priority: high"],
        "assignees": ["agent1"]}

    fake_github.advance(60)
    issue.edit(title="VPN drops hourly", body="Every hour", labels=["tier: 2"], assignees=[])
    assert issue.title == "VPN drops hourly" and issue.body == "Every hour"
    assert [label.name for label in issue.labels] == ["tier: 2"] and issue.assignees == []
    assert issue.updated_at == T0 + timedelta(seconds=60)

    fake_github.advance(60)
    issue.edit(state="closed", state_reason="not_planned")
    assert (issue.state, issue.state_reason) == ("closed", "not_planned")
    assert issue.closed_at == T0 + timedelta(seconds=120)
    assert issue.closed_by.login == "gitdesk-bot"

    fake_github.advance(60)
    issue.edit(state="open")
    assert (issue.state, issue.state_reason, issue.closed_at) == ("open", "reopened", None)

    fake_github.advance(60)
    issue.edit(title="VPN drops hourly")                     # no change: updated_at stays
    assert issue.updated_at == T0 + timedelta(seconds=180)
    assert fake_github.issue(1).title == "VPN drops hourly"


def test_create_issue_validation_errors(fake_github, github_client):
    repo = github_client.get_repo(REPO)
    base = f"{fake_github.base_url}/repos/{REPO}/issues"
    with fake_github.allow_invalid_requests():
        r = session().post(base, json={"body": "no title"})
        assert r.status_code == 422
        assert r.json()["message"] == "Invalid request.\n\n\"title\" wasn't supplied."
        r = session().post(base, data=b"{not json", headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["message"] == "Problems parsing JSON"
    with pytest.raises(GithubException) as err:
        repo.create_issue("   ")
    assert err.value.status == 422
    assert err.value.data["errors"] == [
        {"resource": "Issue", "field": "title", "code": "missing_field"}]
    with pytest.raises(GithubException) as err:
        repo.create_issue("x", assignees=["stranger"])
    assert err.value.data["errors"][0]["code"] == "invalid"
    assert fake_github.issues() == []                        # nothing half-created


def test_comments_per_issue_and_per_repository(fake_github, github_client):
    fake_github.freeze_time(T0)
    fake_github.seed_issue("one", comments=[("alice", "first"), ("agent1", "reply")])
    fake_github.seed_issue("two")
    repo = github_client.get_repo(REPO)
    issue = repo.get_issue(2)
    fake_github.advance(3600)
    posted = issue.create_comment("Have you tried turning it off and on again?")
    assert posted.user.login == "gitdesk-bot" and posted.html_url.endswith(
        f"/issues/2#issuecomment-{posted.id}")
    assert fake_github.issue(2).updated_at == T0 + timedelta(hours=1)
    assert repo.get_issue(2).comments == 1
    assert [c.body for c in repo.get_issue(1).get_comments()] == ["first", "reply"]

    fake_github.advance(3600)
    first = fake_github.comments(1)[0]
    repo.get_issue(1).get_comment(first.id).edit("first (edited)")
    changed = repo.get_issues_comments(since=T0 + timedelta(minutes=90))
    assert [c.body for c in changed] == ["first (edited)"]
    assert [c.body for c in repo.get_issue(1).get_comments(since=T0 + timedelta(minutes=90))
            ] == ["first (edited)"]
    all_comments = list(make_github_client(fake_github, per_page=2).get_repo(REPO)
                        .get_issues_comments())
    assert [c.body for c in all_comments] == ["first (edited)", "reply",
                                              "Have you tried turning it off and on again?"]
    newest_first = repo.get_issues_comments(sort="updated", direction="desc")
    assert newest_first[0].body == "first (edited)"

    repo.get_issue(2).get_comment(posted.id).delete()
    assert fake_github.comments(2) == [] and repo.get_issue(2).comments == 0
    with pytest.raises(UnknownObjectException):
        repo.get_issue(2).get_comment(posted.id)
    with pytest.raises(GithubException) as err:
        repo.get_issue(1).create_comment("")
    assert err.value.status == 422


def test_labels_crud_and_issue_labels(fake_github, github_client):
    repo = github_client.get_repo(REPO)
    created = repo.create_label("priority: high", "d73a4a", "Fix today")
    assert (created.name, created.color, created.description) == (
        "priority: high", "d73a4a", "Fix today")
    with pytest.raises(GithubException) as err:
        repo.create_label("Priority: High", "000000")        # names are case-insensitive
    assert err.value.status == 422
    assert err.value.data["errors"][0]["code"] == "already_exists"
    with pytest.raises(GithubException):
        repo.create_label("bad colour", "red")
    assert repo.get_label("PRIORITY: HIGH").name == "priority: high"
    repo.get_label("priority: high").edit("priority: urgent", "b60205", "Now")
    assert [(lbl.name, lbl.color) for lbl in repo.get_labels()] == [("priority: urgent",
                                                                      "b60205")]

    fake_github.seed_issue("Laptop", labels=["priority: urgent"])
    issue = repo.get_issue(1)
    issue.add_to_labels("needs-triage", "category: hardware")
    assert [lbl.name for lbl in issue.get_labels()] == [
        "priority: urgent", "needs-triage", "category: hardware"]
    issue.remove_from_labels("needs-triage")
    with pytest.raises(GithubException) as err:
        issue.remove_from_labels("needs-triage")
    assert err.value.status == 404
    issue.set_labels("tier: 1")
    assert fake_github.issue_labels(1) == ["tier: 1"]
    issue.delete_labels()
    assert fake_github.issue_labels(1) == []
    fake_github.issue(1).label_ids.append(repo.get_label("priority: urgent").id)
    repo.get_label("priority: urgent").delete()
    assert fake_github.issue_labels(1) == []                 # deleting a label unlabels
    with pytest.raises(UnknownObjectException):
        repo.get_label("priority: urgent")


def test_assignees(fake_github, github_client):
    fake_github.add_collaborator("agent1")
    fake_github.add_collaborator("agent2")
    fake_github.seed_issue("Monitor")
    repo = github_client.get_repo(REPO)
    assert repo.has_in_assignees("agent1") and not repo.has_in_assignees("stranger")
    assert sorted(u.login for u in repo.get_assignees()) == ["agent1", "agent2", "gitdesk-bot"]
    issue = repo.get_issue(1)
    issue.add_to_assignees("agent1", "stranger")            # non-assignable: silently ignored
    assert [a.login for a in issue.assignees] == ["agent1"]
    issue.add_to_assignees("agent2")
    issue.remove_from_assignees("agent1")
    assert [a.login for a in issue.assignees] == ["agent2"]
    assert fake_github.issue(1).assignees == ["agent2"]


def test_deleted_issue_and_disabled_issues_answer_410(fake_github, github_client):
    fake_github.seed_issue("spam")
    fake_github.seed_issue("real")
    fake_github.delete_issue(1)
    repo = github_client.get_repo(REPO)
    with pytest.raises(GithubException) as err:
        repo.get_issue(1)
    assert err.value.status == 410
    assert numbers(repo.get_issues(state="all")) == [2]
    fake_github.create_repo("octo-org/no-issues", has_issues=False)
    with pytest.raises(GithubException) as err:
        list(github_client.get_repo("octo-org/no-issues").get_issues())
    assert err.value.status == 410


# ------------------------------------------------------------------------------------------
# Conditional requests and rate limits


def test_etag_304_is_not_counted(fake_github):
    fake_github.seed_issue("cached")
    s = session()
    url = f"{fake_github.base_url}/repos/{REPO}/issues?state=all"
    first = s.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    remaining = int(first.headers["X-RateLimit-Remaining"])
    again = s.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert int(again.headers["X-RateLimit-Remaining"]) == remaining
    assert again.headers["ETag"] == etag
    assert not fake_github.requests[-1].counted
    fake_github.seed_comment(1, "changes the list")
    changed = s.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert int(changed.headers["X-RateLimit-Remaining"]) == remaining - 1
    assert s.get(url, headers={"If-None-Match": '"other", ' + changed.headers["ETag"]}
                 ).status_code == 304


def test_pygithub_conditional_update(fake_github, github_client):
    fake_github.freeze_time(T0)
    fake_github.seed_issue("watch me")
    issue = github_client.get_repo(REPO).get_issue(1)
    assert issue.etag and issue.last_modified
    assert issue.update() is False                           # 304
    assert fake_github.requests[-1].status == 304
    fake_github.advance(5)
    fake_github.seed_comment(1, "new")
    assert issue.update() is True and issue.comments == 1
    r = session().get(issue.url, headers={"If-Modified-Since": issue.last_modified})
    assert r.status_code == 304


def test_rate_limit_headers_and_endpoint(fake_github, github_client):
    r = session().get(f"{fake_github.base_url}/repos/{REPO}")
    assert r.headers["X-RateLimit-Limit"] == "5000"
    assert r.headers["X-RateLimit-Remaining"] == "4999"
    assert r.headers["X-RateLimit-Used"] == "1"
    assert r.headers["X-RateLimit-Resource"] == "core"
    assert int(r.headers["X-RateLimit-Reset"]) > datetime.now(timezone.utc).timestamp()
    overview = github_client.get_rate_limit()
    assert overview.resources.core.remaining == 4999        # /rate_limit itself is free
    github_client.get_repo(REPO)
    assert github_client.rate_limiting == (4998, 5000)


def test_primary_rate_limit_exhausted(fake_github):
    fake_github.set_rate_limit(remaining=0, reset_in=600)
    with pytest.raises(RateLimitExceededException) as err:
        make_github_client(fake_github, retry=None).get_repo(REPO)
    assert err.value.headers["x-ratelimit-remaining"] == "0"
    assert fake_github.issues() == []

    # PyGithub's retry waits until X-RateLimit-Reset (+1 s); the "sleep" here refills instead.
    retry, waits = recording_retry(
        on_sleep=lambda _: fake_github.set_rate_limit(remaining=5000))
    fake_github.set_rate_limit(remaining=0, reset_in=600)
    repo = make_github_client(fake_github, retry=retry).get_repo(REPO)
    assert repo.full_name == REPO
    assert len(waits) == 1 and 590 < waits[0] <= 602


# ------------------------------------------------------------------------------------------
# Faults


def test_500s_are_retried_by_pygithub(fake_github):
    fake_github.seed_issue("flaky")
    fault = fake_github.fail_next("GET", f"/repos/{REPO}/issues/1", times=2)
    retry, waits = recording_retry()
    issue = make_github_client(fake_github, retry=retry).get_repo(REPO).get_issue(1)
    assert issue.title == "flaky" and fault.hits == 2 and fault.pending == 0
    assert [r.status for r in fake_github.find_requests("GET", f"/repos/{REPO}/issues/1")] == [
        500, 500, 200]
    assert waits == [0, 0]                                    # GithubRetry: no backoff
    repo = make_github_client(fake_github, retry=None).get_repo(REPO)
    fake_github.fail_next("GET", f"/repos/{REPO}/issues/1")
    with pytest.raises(GithubException) as err:
        repo.get_issue(1)
    assert err.value.status == 500


def test_500_before_create_is_retried_without_duplicates(fake_github, github_client):
    fake_github.fail_next("POST", "/repos/*/issues")
    github_client.get_repo(REPO).create_issue("once")
    assert [i.title for i in fake_github.issues()] == ["once"]


def test_502_after_create_makes_pygithub_duplicate(fake_github, github_client):
    """GitHub sometimes does the work and still answers 5xx; PyGithub's default retry
    re-sends the POST, so the backend must deduplicate (or not retry POSTs)."""
    fake_github.fail_next("POST", "/repos/*/issues", status=502, apply=True)
    github_client.get_repo(REPO).create_issue("twice")
    assert [i.title for i in fake_github.issues()] == ["twice", "twice"]


def test_secondary_rate_limit_403_with_retry_after(fake_github):
    fake_github.seed_issue("busy")
    fault = fake_github.secondary_rate_limit_next("GET", "/repos/*/issues", retry_after=1)
    retry, waits = recording_retry()
    assert numbers(make_github_client(fake_github, retry=retry).get_repo(REPO).get_issues()
                   ) == [1]
    assert waits == [1] and fault.hits == 1
    statuses = [r.status for r in fake_github.find_requests("GET", "/repos/*/issues")]
    assert statuses == [403, 200]


def test_secondary_rate_limit_really_sleeps_retry_after(fake_github, github_client,
                                                         monkeypatch):
    """Unpatched GithubRetry: urllib3 itself sleeps the Retry-After (1 s, really)."""
    import urllib3.util.retry

    real_sleep, slept = urllib3.util.retry.time.sleep, []

    def spy(seconds):
        slept.append(seconds)
        real_sleep(seconds)

    repo = github_client.get_repo(REPO)
    fake_github.secondary_rate_limit_next("POST", "/repos/*/issues", retry_after=1)
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", spy)
    repo.create_issue("after a second")
    monkeypatch.undo()
    assert slept == [1]
    first, second = fake_github.find_requests("POST")
    assert (first.status, second.status) == (403, 201)
    assert len(fake_github.issues()) == 1


def test_secondary_rate_limit_without_retry_after(fake_github):
    fake_github.secondary_rate_limit_next("GET", f"/repos/{REPO}", retry_after=None)
    retry, waits = recording_retry(secondary_rate_wait=7)
    assert make_github_client(fake_github, retry=retry).get_repo(REPO).name == "helpdesk"
    assert waits == [7]
    fake_github.secondary_rate_limit_next("GET", f"/repos/{REPO}", retry_after=None)
    with pytest.raises(RateLimitExceededException):
        make_github_client(fake_github, retry=None).get_repo(REPO)


def test_429_with_retry_after(fake_github):
    fake_github.too_many_requests_next("GET", "/repos/*/labels", retry_after=1)
    retry, waits = recording_retry()
    assert list(make_github_client(fake_github, retry=retry).get_repo(REPO).get_labels()) == []
    assert waits == [1]
    assert [r.status for r in fake_github.find_requests("GET", "/repos/*/labels")] == [429, 200]
    repo = make_github_client(fake_github, retry=None).get_repo(REPO)
    fake_github.too_many_requests_next("GET", "/repos/*/labels", retry_after=1)
    with pytest.raises(GithubException) as err:
        list(repo.get_labels())
    assert err.value.status == 429


def test_dropped_connection_mid_pagination(fake_github):
    for n in range(5):
        fake_github.seed_issue(f"issue {n}")
    fault = fake_github.drop_connection_next("GET", "/repos/*/issues", query={"page": 2})
    # PyGithub's default retry covers a dropped GET: page 2 is asked again, nothing is lost.
    listed = make_github_client(fake_github, per_page=2).get_repo(REPO).get_issues(state="all")
    assert numbers(listed) == [5, 4, 3, 2, 1] and fault.hits == 1
    pages = fake_github.find_requests("GET", "/repos/*/issues")
    assert [(r.param("page"), r.status) for r in pages] == [
        (None, 200), ("2", None), ("2", 200), ("3", 200)]
    assert all(r.param("state") == "all" for r in pages)

    # Without retries the error reaches the caller after page 1 was yielded.
    repo = make_github_client(fake_github, per_page=2, retry=None).get_repo(REPO)
    fake_github.drop_connection_next("GET", "/repos/*/issues", query={"page": 2})
    seen = []
    with pytest.raises(requests.exceptions.ConnectionError):
        for issue in repo.get_issues(state="all"):
            seen.append(issue.number)
    assert seen == [5, 4]


def test_truncated_response_is_not_retried(fake_github, github_client):
    fake_github.seed_issue("half")
    fake_github.drop_connection_next("GET", "/repos/*/issues", truncate=True)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        list(github_client.get_repo(REPO).get_issues())
    assert numbers(github_client.get_repo(REPO).get_issues()) == [1]


def test_crash_after_create_without_retry(fake_github):
    """The issue exists on the server but the client never heard of it."""
    repo = make_github_client(fake_github, retry=None).get_repo(REPO)
    fake_github.crash_after_create()
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.create_issue("ticket 01HX", body="<!-- id -->")
    assert [i.title for i in fake_github.issues()] == ["ticket 01HX"]
    assert fake_github.find_requests("POST")[0].status is None
    assert numbers(repo.get_issues()) == [1]              # the client can find it again


def test_crash_after_create_with_default_retry_duplicates(fake_github, github_client):
    """PyGithub's GithubRetry allows POST: a dropped answer to a create is re-sent."""
    fake_github.crash_after_create()
    github_client.get_repo(REPO).create_issue("ticket 01HY")
    assert [i.title for i in fake_github.issues()] == ["ticket 01HY", "ticket 01HY"]


def test_crash_after_comment(fake_github):
    fake_github.seed_issue("x")
    issue = make_github_client(fake_github, retry=None).get_repo(REPO).get_issue(1)
    fake_github.crash_after_create("/repos/*/issues/*/comments")
    with pytest.raises(requests.exceptions.ConnectionError):
        issue.create_comment("answer")
    assert [c.body for c in fake_github.comments(1)] == ["answer"]


def test_fault_matching_and_request_log(fake_github):
    fake_github.seed_issue("x")
    fault = fake_github.fail_next("GET", "/repos/*/issues", query={"state": "closed"}, times=3)
    s = session()
    base = f"{fake_github.base_url}/repos/{REPO}/issues"
    assert s.get(base).status_code == 200                    # query does not match
    assert s.get(base + "?state=closed").status_code == 500
    assert fault.pending == 2 and fake_github.pending_faults() == [fault]
    fake_github.clear_faults()
    assert s.get(base + "?state=closed").status_code == 200
    assert fake_github.count("GET", "/repos/*/issues") == 3
    assert fake_github.count("GET", "/repos/*/issues", state="closed") == 2
    assert fake_github.count(status=500) == 1
    record = fake_github.find_requests(status=500)[0]
    assert (record.method, record.path, record.query_string, record.fault) == (
        "GET", f"/repos/{REPO}/issues", "state=closed", "status 500")
    fake_github.clear_requests()
    assert fake_github.request_count == 0


# ------------------------------------------------------------------------------------------
# The OpenAPI checker itself can fail


def _exchange(gh: FakeGitHub, method: str, path: str, status: int, body, *,
              query: str = "", headers: dict | None = None, request_body: bytes = b""):
    return Exchange(method=method, path=path, query_string=query,
                    request_headers={"authorization": "token x",
                                     "content-type": "application/json"},
                    request_body=request_body, status=status,
                    response_headers={"Content-Type": "application/json; charset=utf-8",
                                      **(headers or {})},
                    response_body=json.dumps(body).encode() if body is not None else b"",
                    base_url=gh.base_url, fault=None)


def test_checker_reports_mismatches(fake_github):
    fake_github.seed_issue("shape")
    good = session().get(f"{fake_github.base_url}/repos/{REPO}/issues/1").json()
    checker = OpenAPIChecker()
    path = f"/repos/{REPO}/issues/1"

    checker(_exchange(fake_github, "GET", path, 200, good))
    assert checker.errors == []

    checker(_exchange(fake_github, "GET", path, 200, {**good, "titel": "typo"}))
    assert "undocumented property $.titel" in checker.errors[-1]

    checker(_exchange(fake_github, "GET", path, 200, {**good, "number": "1"}))
    assert "number" in checker.errors[-1]

    missing = {k: v for k, v in good.items() if k != "comments_url"}
    checker(_exchange(fake_github, "GET", path, 200, missing))
    assert "comments_url" in checker.errors[-1]

    checker(_exchange(fake_github, "GET", path, 200,
                      {**good, "url": "https://api.github.com/repos/x/y/issues/1"}))
    assert "URL outside the server" in checker.errors[-1]

    checker(_exchange(fake_github, "GET", f"/repos/{REPO}/issues", 200, [good],
                      query="state=all&per_page=1",
                      headers={"Link": f'<{fake_github.base_url}/repos/{REPO}/issues'
                                       '?per_page=1&page=2>; rel="next"'}))
    assert "lost query parameters" in checker.errors[-1]

    checker(_exchange(fake_github, "GET", f"/repos/{REPO}/milestones", 200, []))
    assert "not an operation of the OpenAPI subset" in checker.errors[-1]

    checker(_exchange(fake_github, "POST", f"/repos/{REPO}/issues", 201, good,
                      request_body=b'{"body": "no title"}',
                      headers={"Location": good["url"]}))
    assert "request" in checker.errors[-1] and "title" in checker.errors[-1]

    checker(_exchange(fake_github, "GET", path, 500, {"oops": True}))
    assert "error body" in checker.errors[-1]
    assert len(checker.errors) == 8 and checker.checked == 9


def test_server_bug_is_caught_during_a_test(fake_github, monkeypatch):
    original = FakeGitHub.label_json

    def misspelt(self, r, label):
        data = original(self, r, label)
        data["colour"] = data.pop("color")
        return data

    monkeypatch.setattr(FakeGitHub, "label_json", misspelt)
    fake_github.seed_label("bug")
    session().get(f"{fake_github.base_url}/repos/{REPO}/labels")
    assert any("undocumented property $[0].colour" in e for e in fake_github.openapi.errors)
    assert any("color" in e and "required" in e for e in fake_github.openapi.errors)
    fake_github.openapi.errors.clear()                       # this test expected them


def test_plugin_fails_a_test_on_mismatch(tmp_path):
    """End to end: a test whose server answers off-spec fails with the checker's message."""
    (tmp_path / "conftest.py").write_text("from tests.github.plugin import *  # noqa\n")
    test_file = tmp_path / "test_offspec.py"
    test_file.write_text(textwrap.dedent("""
        import requests
        from tests.github.server import FakeGitHub

        def test_offspec(fake_github, monkeypatch):
            monkeypatch.setattr(FakeGitHub, "h_get_user", lambda self, ctx: __import__(
                "tests.github.server", fromlist=["Response"]).Response(200, {"login": 1}))
            requests.get(fake_github.base_url + "/user",
                         headers={"Authorization": "token x"})

        def test_onspec(fake_github):
            requests.get(fake_github.base_url + "/user",
                         headers={"Authorization": "token x"})
    """))
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(tmp_path), "-o", "consider_namespace_packages=true", str(test_file)],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    assert "do not match GitHub's OpenAPI description" in result.stdout
    assert "GET /user -> 200" in result.stdout
