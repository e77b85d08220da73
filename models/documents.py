"""A registry naming the documents stock movements and consignment entries point to.

Movements carry (document_type, document_id). Each area registers how to label its
documents (a sale's receipt number, a transfer's number...), so traceability pages such as
the recall can show them without importing every area.
"""
_LABELERS = {}


def register_document_type(document_type, labeler):
    """`labeler(ids) -> {id: {"label": str, "url": str|None, ...}}` for that document type."""
    _LABELERS[document_type] = labeler


def document_labels(document_type, ids):
    """Labels for some documents of one type; falls back to "type #id"."""
    ids = [i for i in set(ids) if i is not None]
    labeler = _LABELERS.get(document_type)
    found = labeler(ids) if labeler and ids else {}
    return {i: found.get(i) or {"label": f"{document_type} #{i}", "url": None} for i in ids}
