"""Warehouse operations: receptions, packaging runs, labels, stock views, recall, transfers."""
