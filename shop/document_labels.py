"""Labels for the documents the shop's stock movements and consignment entries point to."""
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.documents import register_document_type
from models.sales import Refund, Sale


def _url(endpoint, **values):
    """A link when there is a request to build it in, else None."""
    try:
        return url_for(endpoint, **values)
    except RuntimeError:
        return None


def label_sales(ids):
    """document_type "sale": the receipt number and its print-friendly page."""
    rows = db.session.execute(select(Sale.id, Sale.number).where(Sale.id.in_(ids)))
    # Translated once, filled per sale: a recall can label thousands of sales.
    label = _("Receipt %(number)s")
    return {r.id: {"label": label % {"number": r.number}, "number": r.number,
                   "url": _url("shop.receipt", sale_id=r.id)} for r in rows}


def label_refunds(ids):
    """document_type "refund": the refund and the receipt it refers to."""
    rows = db.session.execute(select(Refund.id, Refund.sale_id, Sale.number)
                              .join(Sale, Sale.id == Refund.sale_id).where(Refund.id.in_(ids)))
    label = _("Refund on receipt %(number)s")
    return {r.id: {"label": label % {"number": r.number}, "number": r.number,
                   "url": _url("shop.receipt", sale_id=r.sale_id)} for r in rows}


def register_documents():
    """Tell the document registry how to label sales and refunds."""
    register_document_type("sale", label_sales)
    register_document_type("refund", label_refunds)
