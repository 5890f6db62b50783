"""Screens for coordinators and volunteers."""
