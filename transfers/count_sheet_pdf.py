"""The count sheet's lot barcodes: each line carries its lot code as a Code 128 (the symbol the
on-screen count sheet and every form read through the one resolver), drawn by reportlab's
widget at GS1's minimum X-dimension, with the code printed under it. Plain reportlab."""
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm

from documents.pdf import FONT
from transfers.documents_pdf import ROW_H, Document

BAR_X = 0.25 * mm


class LotBarcode(str):
    """A table cell drawn as the Code 128 of a lot code."""


class CountSheetDocument(Document):
    """The transfers' Document, whose rows may hold LotBarcode cells."""

    def _table_row(self, columns, row):
        """Draw the row as usual, then each LotBarcode cell in its column."""
        top = self.y
        super()._table_row(columns, ["" if isinstance(cell, LotBarcode) else cell for cell in row])
        x = self.margin_left()
        for (_fr, _ar, width, _align), cell in zip(columns, row):
            if isinstance(cell, LotBarcode) and cell:
                symbol = Code128(str(cell), barWidth=BAR_X, barHeight=ROW_H - 5 * mm,
                                 humanReadable=0, quiet=0)
                symbol.drawOn(self.c, x + 1.5 * mm, top - ROW_H + 3.6 * mm)
                self.c.setFont(FONT, 7)
                self.c.drawString(x + 1.5 * mm, top - ROW_H + 1 * mm, str(cell))
            x += width * mm

    @staticmethod
    def margin_left():
        """The table's left edge."""
        from transfers.documents_pdf import MARGIN

        return MARGIN
