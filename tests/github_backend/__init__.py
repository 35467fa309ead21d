"""Tests of the GitHub backend, `gitdesk github` and `gitdesk sync`, over real HTTP with PyGithub
against the fake GitHub of tests/github (every exchange checked against GitHub's OpenAPI)."""
