"""Blocked lots flagged in every template: `lot_blocks(ids)` → {lot_id: block in force},
`lot_block_history(lot_id)`, and `blocked_on_hand(location_ids)` for the cashier's home."""
from models.stock_blocks import blocked_on_hand, current_blocks, history


def register(app):
    """Install the context processor."""

    @app.context_processor
    def lot_flags():
        return {"lot_blocks": current_blocks, "lot_block_history": history,
                "blocked_on_hand": blocked_on_hand}
