"""Shops and stands: point of sale, cash sessions, receipts, refunds, shop stock."""
