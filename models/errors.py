"""Typed domain errors raised by services; views and API handlers turn them into 4xx answers."""


class DomainError(Exception):
    """A business rule refused the operation. `status` is the HTTP status it maps to."""

    status = 409
    code = "business_rule"

    def __init__(self, message, *, code=None, fields=None, status=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """Input that can never be right (422), with messages per field."""

    status = 422
    code = "validation_error"


class NotFound(DomainError):
    """A referenced record does not exist (or is not visible to this user)."""

    status = 404
    code = "not_found"


class InsufficientStock(DomainError):
    """A movement would take a real location below zero."""

    code = "insufficient_stock"

    def __init__(self, *, lot_id, lot_code, location_id, location_name, available, requested):
        self.lot_id = lot_id
        self.lot_code = lot_code
        self.location_id = location_id
        self.location_name = location_name
        self.available = available
        self.requested = requested
        # Deferred import keeps this module free of Flask at import time.
        from flask_babel import gettext as _

        super().__init__(
            _(
                "Not enough stock of lot %(lot)s at %(location)s: %(available)s available, "
                "%(requested)s asked.",
                lot=lot_code,
                location=location_name,
                available=available,
                requested=requested,
            ),
            fields={
                "lot_id": lot_id,
                "lot_code": lot_code,
                "location_id": location_id,
                "available": str(available),
                "requested": str(requested),
            },
        )
