"""Small line charts drawn on the server as SVG: one line per payer or provider, days across.
Each chart carries a title and a text summary for screen readers."""

from __future__ import annotations

from html import escape

# Colour-blind-safe palette (Okabe & Ito, "Color Universal Design"), dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
WIDTH, HEIGHT, PAD = 420, 160, 32


def line_chart(title: str, series: dict[str, list[tuple[str, float | None]]], percent: bool) -> str:
    points = [v for s in series.values() for _, v in s if v is not None]
    days = sorted({d for s in series.values() for d, _ in s})
    if not points or not days:
        return f'<p class="muted">{escape(title)}: no data in this period.</p>'
    top = max(max(points), 1.0 if percent else 0.0) or 1.0
    x_step = (WIDTH - 2 * PAD) / max(len(days) - 1, 1)

    def xy(day: str, value: float) -> str:
        x = PAD + days.index(day) * x_step
        y = HEIGHT - PAD - (value / top) * (HEIGHT - 2 * PAD)
        return f"{x:.1f},{y:.1f}"

    label = (lambda v: f"{v * 100:.0f} %") if percent else (lambda v: f"{v:.1f}")
    parts = [
        f'<svg role="img" aria-labelledby="t-{id(series)}" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart">',
        f'<title id="t-{id(series)}">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#555"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#555"/>',
        f'<text x="2" y="{PAD + 4}" font-size="10">{label(top)}</text>',
        f'<text x="2" y="{HEIGHT - PAD}" font-size="10">0</text>',
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="10">{escape(days[0])}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="10" text-anchor="end">{escape(days[-1])}</text>',
    ]
    summary = []
    for n, (name, values) in enumerate(sorted(series.items())):
        colour = PALETTE[n % len(PALETTE)]
        known = [(d, v) for d, v in values if v is not None]
        if len(known) == 1:
            parts.append(f'<circle cx="{xy(*known[0]).split(",")[0]}" cy="{xy(*known[0]).split(",")[1]}" r="3" '
                         f'fill="{colour}"/>')  # fmt: skip
        elif known:
            pts = " ".join(xy(d, v) for d, v in known)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
        if known:
            summary.append(f"{name}: {label(known[-1][1])} on {known[-1][0]}")
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[n % len(PALETTE)]}"></span>{escape(name)}</li>'
        for n, name in enumerate(sorted(series))
    )
    return (
        f'<figure class="chart-figure"><figcaption>{escape(title)}</figcaption>{"".join(parts)}'
        f'<ul class="legend">{legend}</ul><p class="sr-only">{escape("; ".join(summary))}</p></figure>'
    )
