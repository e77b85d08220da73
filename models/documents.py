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


def numbered_labeler(model, endpoint, id_arg, *, column=None, number=None):
    """A labeler for documents known by a number and a page: the number is read from
    `column`, or made from the id by `number(id)`; the page is `endpoint` with `id_arg`.
    Unknown ids are left out; outside a request there is no URL."""

    def label(ids):
        """{id: {"label": number, "url": page}} in one query."""
        from sqlalchemy import select

        from extensions import db
        from models.settings import page_url

        columns = (model.id, column) if column is not None else (model.id,)
        rows = db.session.execute(select(*columns).where(model.id.in_(ids))).all()
        return {row[0]: {"label": row[1] if column is not None else number(row[0]),
                         "url": page_url(endpoint, **{id_arg: row[0]})}
                for row in rows}

    return label
