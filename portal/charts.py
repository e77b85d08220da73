"""The sales chart of the portal: pygal SVG rendered on the server, no script, no CDN."""
import re
from functools import lru_cache
from html import escape

from decimal import Decimal

import pygal
from pygal.style import Style

from web import locale

STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground="#333333",
    foreground_strong="#222222", foreground_subtle="#bbbbbb",
    colors=("#198754", "#fd7e14", "#0d6efd", "#6f42c1", "#d63384", "#20c997", "#ffc107",
            "#6c757d", "#dc3545", "#0dcaf0"),
    font_family="DejaVu Sans, Arial, sans-serif", label_font_size=14, major_label_font_size=14, legend_font_size=14,
    title_font_size=16, value_font_size=12,
)
PHONE_STYLE = Style(**{**STYLE.__dict__, "label_font_size": 13, "major_label_font_size": 13,
                       "legend_font_size": 13, "title_font_size": 14})


def sales_chart_svg(title, months, series, no_data_text, phone=False):
    """The chart's SVG, memoized on its whole input (title, months, every figure): pygal takes
    ~100–300 ms a chart, the same figures give the same picture, and any new sale changes
    the figures and so the key — and the reader's language, which formats the figures."""
    key = (title, tuple(months), tuple((name, tuple(values)) for name, values in series.items()),
           no_data_text, phone, locale.language())
    return _chart(*key)


@lru_cache(maxsize=256)
def _chart(title, months, series, no_data_text, phone, lang):
    return _draw(title, months, dict(series), no_data_text, phone, lang)


def _draw(title, months, series, no_data_text, phone=False, lang=None):
    """A stacked bar chart of gross sales by month (x) and outlet (stacks), as SVG text.

    pygal's default config links tooltips JavaScript from a CDN: `js=[]` removes it, and
    the chart stays a plain picture that prints and works offline. `phone=True` draws it for a
    360 px wide screen (narrower canvas, same type size, one legend column, every other month
    labelled, none cut) so its labels stay 12 px or more there; the page shows one or the other. The
    picture is named (role="img", its title); the figures are also given as a table beside it
    (portal/dashboard.html).
    """
    size = dict(width=360, height=440, legend_at_bottom_columns=1, x_labels_major_every=3,
                show_minor_x_labels=False, truncate_legend=36) if phone else \
        dict(width=640, height=400, legend_at_bottom_columns=3, show_minor_x_labels=True, truncate_legend=40)
    chart = pygal.StackedBar(
        style=PHONE_STYLE if phone else STYLE, js=[], disable_xml_declaration=True,
        legend_at_bottom=True, x_label_rotation=0, print_values=False, truncate_label=-1,
        no_data_text=no_data_text, explicit_size=False, margin=12,
        value_formatter=lambda v: locale.number(Decimal(str(v)), 0, lang), **size,  # exact figures: the table
    )
    chart.title = title
    chart.x_labels = [f"{m[5:]}/{m[2:4]}" for m in months]  # "03/25": short on phones
    for name, values in series.items():
        chart.add(name, [float(v) for v in values])  # pygal draws floats; figures stay Decimal elsewhere
    # pygal still inlines its config for the tooltip script: dead weight without the script.
    svg = re.sub(r"<script.*?</script>", "", chart.render(is_unicode=True), flags=re.S)
    label = escape(title)
    # No inline style attribute under the Content-Security-Policy: the same as an SVG attribute
    # (the chart's <style> element carries the page's nonce: the csp_svg filter).
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
