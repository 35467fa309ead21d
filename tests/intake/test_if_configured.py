"""`--if-configured`: the scheduled workflows run intake, notify and sync on every desk; a desk
without a mail server (or without a GitHub repository to sync with) gets a green no-op, a desk
with one gets the real run."""

from __future__ import annotations

import json


from tests.support import cli
from tests.support.desk import init_repo


def invoke(root, *args):
    return cli.invoke(*args, "--repo", root, catch_exceptions=False)


def test_without_servers_each_command_says_so_and_succeeds(tmp_path):
    root = init_repo(tmp_path / "desk", config_text="name: Desk\n")
    for args, missing in ((["intake", "email", "--imap"], "mail.imap.host"), (["notify"], "mail.smtp.host"),
                          (["sync"], "backend: files with github.repository")):
        plain = invoke(root, *args, "--if-configured")
        assert plain.exit_code == 0 and "nothing to" in plain.output, plain.output
        as_json = invoke(root, *args, "--if-configured", "--json")
        assert as_json.exit_code == 0 and json.loads(as_json.output) == {"configured": False, "missing": missing}
        if args != ["notify"]:  # (notify without a server fails only when a message is due)
            without = cli.invoke(*args, "--repo", root)
            assert without.exit_code != 0, f"{args}: without --if-configured a missing server is still an error"


def test_a_github_backend_desk_does_not_sync(tmp_path):
    root = init_repo(tmp_path / "desk", config_text="name: Desk\nbackend: github\ngithub: {repository: acme/desk}\n")
    result = invoke(root, "sync", "--if-configured", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["configured"] is False


def test_with_a_server_the_flag_changes_nothing(tmp_path):
    # a host that refuses at once: the real run is attempted (and fails) instead of skipped
    root = init_repo(tmp_path / "desk", config_text=(
        "name: Desk\nmail: {imap: {host: 127.0.0.1, port: 1, tls: false, user: u}}\n"))
    result = cli.invoke("intake", "email", "--imap", "--if-configured", "--repo", root, env={"GITDESK_IMAP_PASSWORD": "x"})
    assert result.exit_code != 0 and "nothing to do" not in result.output
