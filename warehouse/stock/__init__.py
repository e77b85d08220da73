"""Stock on hand, lots, their history and recall: pages and API of the warehouse."""
