"""The one module that draws barcodes on pages: Code 128 as inline SVG by python-barcode.

The SVG is put straight into the page (no image request, prints with the page). The app's
Content-Security-Policy refuses inline style attributes, so the drawing's `style="fill:…"`
become plain `fill` attributes, and the XML prolog, doctype and comment are dropped; any
<style> element would carry the request's nonce (web.security.csp_svg). PDFs draw their
barcodes with reportlab (documents.pdf.code128): the same symbology, one drawing per medium.
"""
import io
import re

from barcode import Code128
from barcode.writer import SVGWriter
from markupsafe import Markup, escape

from web.security import csp_svg

PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.S)
SIZE = re.compile(r'<svg ([^>]*?)width="([\d.]+)mm" height="([\d.]+)mm"')
PX_PER_MM = 96 / 25.4  # CSS pixels: the drawing's "mm" lengths inside a viewBox in px
STYLE_FILL = re.compile(r'style="fill:\s*([#\w]+);?"')


def code128_svg(value, *, label=None, module_width=0.3, module_height=10.0, quiet_zone=3.0):
    """Inline SVG markup of a Code 128 symbol of `value` (no human-readable line: the page
    prints the value beside it), sized in millimetres; `label` is what a screen reader says."""
    writer = SVGWriter()
    buf = io.BytesIO()
    Code128(str(value), writer=writer).write(buf, options={
        "module_width": module_width, "module_height": module_height, "quiet_zone": quiet_zone,
        "write_text": False, "background": "white", "foreground": "black"})
    svg = PROLOG.sub("", buf.getvalue().decode("utf-8")).strip()
    svg = STYLE_FILL.sub(lambda m: f'fill="{m.group(1)}"', svg)
    # A viewBox, so the symbol scales with CSS (bigger on a phone, sharp when zoomed).
    svg = SIZE.sub(lambda m: f'<svg {m.group(1)}width="{m.group(2)}mm" height="{m.group(3)}mm" '
                             f'viewBox="0 0 {float(m.group(2)) * PX_PER_MM:.2f} '
                             f'{float(m.group(3)) * PX_PER_MM:.2f}"', svg, count=1)
    title = escape(label if label is not None else value)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{title}" class="barcode" ', 1)
    return Markup(csp_svg(svg))


def register(app):
    """Templates draw a barcode with `{{ barcode_svg(value, label=...) }}`."""
    app.jinja_env.globals["barcode_svg"] = code128_svg
