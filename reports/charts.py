"""The reports' charts: pygal SVG drawn on the server (no script, no CDN), in the reader's
language, sized for a phone (the SVG scales to the screen's width; 14 px labels). Each chart
has its table beside it as the text alternative."""
import re

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from web.locale import figure as fmt

STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground="#333333",
    foreground_strong="#222222", foreground_subtle="#cccccc",
    colors=("#198754", "#adb5bd", "#0d6efd", "#fd7e14", "#6f42c1", "#d63384"),
    font_family="DejaVu Sans, Arial, sans-serif", label_font_size=14, major_label_font_size=14,
    legend_font_size=14, title_font_size=16, value_font_size=12, tooltip_font_size=14,
)
MAX_BARS = 12  # more bars than a phone shows legibly: the rest are in the table


def _axis(kind):
    """Compact numbers on the axes and tooltips of a chart (whole dirhams; the table has the
    centimes)."""
    compact = {"money": "int", "qty": "int", "rate": "rate"}.get(kind, kind)
    return lambda v: fmt(v, compact)


def _render(chart):
    """SVG text without pygal's tooltip script (linked from a CDN) or its inline config."""
    return re.sub(r"<script.*?</script>", "", chart.render(is_unicode=True), flags=re.S)


def bar_chart(title, labels, series, kind="money", horizontal=True):
    """Bars of one or two series ({name: [values]}) per label; values formatted in the
    reader's language."""
    cls = pygal.HorizontalBar if horizontal else pygal.Bar
    labels = [str(x)[:22] for x in labels[:MAX_BARS]]
    chart = cls(style=STYLE, js=[], disable_xml_declaration=True, width=440, truncate_label=-1,
                height=max(300, 90 + 30 * len(labels) * len(series)) if horizontal else 360,
                explicit_size=False, legend_at_bottom=True, legend_at_bottom_columns=2,
                truncate_legend=60, print_values=False, margin=12, no_data_text=_("No data"),
                value_formatter=_axis(kind), x_label_rotation=0 if horizontal else 30,
                show_y_guides=not horizontal, show_x_guides=horizontal,
                x_labels_major_count=4, show_minor_x_labels=False)
    chart.title = title
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, [float(v) if v is not None else None for v in values[:MAX_BARS]])
    return _render(chart)


def stacked_chart(title, labels, series, kind="money"):
    """Horizontal stacked bars (stock by age, a dirham split between its recipients)."""
    labels = [str(x)[:22] for x in labels[:MAX_BARS]]
    chart = pygal.HorizontalStackedBar(
        style=STYLE, js=[], disable_xml_declaration=True, width=440, truncate_label=-1,
        height=max(300, 110 + 36 * len(labels)), explicit_size=False, legend_at_bottom=True,
        legend_at_bottom_columns=1, truncate_legend=60, margin=12, no_data_text=_("No data"),
        value_formatter=_axis(kind), x_labels_major_count=4, show_minor_x_labels=False)
    chart.title = title
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, [float(v) if v is not None else None for v in values[:MAX_BARS]])
    return _render(chart)
