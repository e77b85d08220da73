"""The sales chart of the portal: pygal SVG rendered on the server, no script, no CDN."""
import re

import pygal
from pygal.style import Style

STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground="#333333",
    foreground_strong="#222222", foreground_subtle="#bbbbbb",
    colors=("#198754", "#fd7e14", "#0d6efd", "#6f42c1", "#d63384", "#20c997", "#ffc107",
            "#6c757d", "#dc3545", "#0dcaf0"),
    font_family="DejaVu Sans, Arial, sans-serif", label_font_size=14, major_label_font_size=14, legend_font_size=14,
    title_font_size=16, value_font_size=12,
)


def sales_chart_svg(title, months, series, no_data_text):
    """A stacked bar chart of gross sales by month (x) and outlet (stacks), as SVG text.

    pygal's default config links tooltips JavaScript from a CDN: `js=[]` removes it, and
    the chart stays a plain picture that prints and works offline.
    """
    chart = pygal.StackedBar(
        style=STYLE, js=[], disable_xml_declaration=True, width=640, height=400,
        legend_at_bottom=True, legend_at_bottom_columns=3, x_label_rotation=0,
        show_minor_x_labels=True, truncate_legend=40, print_values=False,
        no_data_text=no_data_text, explicit_size=False, margin=12,
        value_formatter=lambda v: f"{v:,.2f}".replace(",", " "),
    )
    chart.title = title
    chart.x_labels = [f"{m[5:]}/{m[2:4]}" for m in months]  # "03/25": short on phones
    for name, values in series.items():
        chart.add(name, [float(v) for v in values])  # pygal draws floats; figures stay Decimal elsewhere
    # pygal still inlines its config for the tooltip script: dead weight without the script.
    svg = re.sub(r"<script.*?</script>", "", chart.render(is_unicode=True), flags=re.S)
    # No inline style attribute under the Content-Security-Policy: the same as an SVG attribute
    # (the chart's <style> element carries the page's nonce, see dashboard.html).
    return svg.replace('style="opacity: 0"', 'opacity="0"')
