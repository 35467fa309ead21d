"""Tests: sla."""
