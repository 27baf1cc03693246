"""Turning run results into tables (and, later, full comparison reports)."""
