"""Tests of the GitHub Actions workflows, issue forms and repository files under .github/."""
