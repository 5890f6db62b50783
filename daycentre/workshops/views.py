"""Screens for workshops and support groups."""
