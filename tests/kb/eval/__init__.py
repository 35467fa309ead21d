"""Tests: the KB evaluation sets."""
