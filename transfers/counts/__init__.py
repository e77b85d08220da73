"""Stock counts and returns to cooperatives: pages, API and schemas of the transfers area."""
