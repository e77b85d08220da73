"""GS1 DataMatrix (ECC 200) drawn by reportlab, as exact vector modules.

reportlab's `ECC200DataMatrix` widget knows one size (44 × 44) and C40 text, which cannot
carry GS1's FNC1. This subclass keeps its Reed-Solomon code, module placement and finder
patterns, and changes two things: the data is encoded in ASCII mode with FNC1 (codeword 232)
first — which makes it a GS1 DataMatrix — and as the separator after a variable-length
element (GS in the element string), digit pairs packed in one codeword; and the symbol is the
smallest square ECC 200 size that holds it (single Reed-Solomon block, up to 44 × 44).
"""
from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix

FNC1_CW = 232
PAD = 129
GS = "\x1d"
# (modules per side, data regions per side, data codewords, error-correction codewords)
SQUARE_SIZES = ((10, 1, 3, 5), (12, 1, 5, 7), (14, 1, 8, 10), (16, 1, 12, 12), (18, 1, 18, 14),
                (20, 1, 22, 18), (22, 1, 30, 20), (24, 1, 36, 24), (26, 1, 44, 28),
                (32, 2, 62, 36), (36, 2, 86, 42), (40, 2, 114, 48), (44, 2, 144, 56))


def ascii_codewords(element_string):
    """ECC 200 ASCII-mode codewords of a GS1 element string: FNC1 first, GS as FNC1, two
    digits in one codeword, other ASCII characters + 1."""
    words, text, i = [FNC1_CW], element_string.lstrip(GS + "\xf1"), 0
    while i < len(text):
        pair = text[i:i + 2]
        if len(pair) == 2 and pair.isdigit():
            words.append(130 + int(pair))
            i += 2
            continue
        char = text[i]
        if char in (GS, "\xf1"):
            words.append(FNC1_CW)
        elif ord(char) < 128:
            words.append(ord(char) + 1)
        else:
            raise ValueError("GS1 DataMatrix carries ASCII only")
        i += 1
    return words


class GS1DataMatrix(ECC200DataMatrix):
    """A GS1 DataMatrix of `value` (a GS1 element string, GS between a variable-length
    element and the next); `barWidth` is the module size (X-dimension)."""

    def __init__(self, value, **kwargs):
        self._words = ascii_codewords(value)
        size = next((s for s in SQUARE_SIZES if s[2] >= len(self._words)), None)
        if size is None:
            raise ValueError("Too much data for one GS1 DataMatrix symbol")
        self._size = size
        super().__init__(value, **kwargs)
        modules, regions, self.cw_data, self.cw_ecc = self._size
        self.row_modules = self.col_modules = modules
        self.row_regions = self.col_regions = regions
        self.row_usable_modules = self.col_usable_modules = modules - 2 * regions
        self.x = self.y = 0  # drawOn places the symbol; draw() adds these offsets

    def validate(self):
        """Any ASCII element string (checked by ascii_codewords)."""
        self.valid = 1
        self.validated = self.value

    def _encode_c40(self, value):
        """ASCII-mode codewords (the parent calls this name), padded to the symbol's size."""
        words = list(self._words)
        if len(words) < self.cw_data:
            words.append(PAD)
            while len(words) < self.cw_data:
                r = ((149 * (len(words) + 1)) % 253) + 1
                words.append((PAD + r) % 254 or 254)
        return words
