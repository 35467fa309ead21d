"""Tests: kb."""
