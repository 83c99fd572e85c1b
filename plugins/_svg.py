"""Charts drawn as inline SVG text: a bubble chart, a layered graph, horizontal bars.

No script and no library at view time: the page that embeds them stays one file that
works offline and prints. Every chart is ``role="img"`` with a title and a description;
the page puts a table of the same data next to it. Callers pass plain values; all text
is escaped here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

TEXT = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _svg(width: int, height: int, ident: str, title: str, description: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{escape(ident)}-title {escape(ident)}-desc" class="chart" id="{escape(ident)}" font-family="{escape(FONT)}">'
        f'<title id="{escape(ident)}-title">{escape(title)}</title><desc id="{escape(ident)}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Bubble:
    label: str
    x: float
    """0-100."""
    y: float
    """0-100."""
    size: float
    """Any non-negative measure; the bubble's area grows with it."""
    color: str
    detail: str
    """The tooltip: everything the bubble stands for, in words."""


BUBBLE_WIDTH, BUBBLE_HEIGHT = 760, 500
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_BOTTOM = 70, 150, 20, 60
_RADIUS_MIN, _RADIUS_MAX = 7.0, 34.0
_LABEL_GAP = 15.0
LABELLED_BUBBLES = 40


def bubble_chart(bubbles: Sequence[Bubble], *, ident: str, title: str, description: str, x_label: str, y_label: str, best_corner: str) -> str:
    """Bubbles on a 0-100 by 0-100 plane; the top-left quadrant is shaded and named ``best_corner``.

    The first :data:`LABELLED_BUBBLES` bubbles, in the order given, are named beside them; every
    bubble names itself in its tooltip.
    """
    plot_width = BUBBLE_WIDTH - _PLOT_LEFT - _PLOT_RIGHT
    plot_height = BUBBLE_HEIGHT - _PLOT_TOP - _PLOT_BOTTOM

    def px(value: float) -> float:
        return _PLOT_LEFT + max(0.0, min(100.0, value)) / 100 * plot_width

    def py(value: float) -> float:
        return _PLOT_TOP + (1 - max(0.0, min(100.0, value)) / 100) * plot_height

    body = [
        f'<rect x="{px(0):.1f}" y="{py(100):.1f}" width="{plot_width / 2:.1f}" height="{plot_height / 2:.1f}" fill="#dafbe1"/>',
        f'<text x="{px(2):.1f}" y="{py(96):.1f}" font-size="12" fill="{MUTED}">{escape(best_corner)}</text>',
    ]
    for tick in range(0, 101, 20):
        body.append(f'<line x1="{px(tick):.1f}" y1="{py(0):.1f}" x2="{px(tick):.1f}" y2="{py(100):.1f}" stroke="{GRID}"/>')
        body.append(f'<line x1="{px(0):.1f}" y1="{py(tick):.1f}" x2="{px(100):.1f}" y2="{py(tick):.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{px(tick):.1f}" y="{py(0) + 18:.1f}" font-size="12" text-anchor="middle" fill="{TEXT}">{tick}</text>')
        body.append(f'<text x="{px(0) - 8:.1f}" y="{py(tick) + 4:.1f}" font-size="12" text-anchor="end" fill="{TEXT}">{tick}</text>')
    body.append(f'<text x="{px(50):.1f}" y="{BUBBLE_HEIGHT - 14}" font-size="13" text-anchor="middle" fill="{TEXT}">{escape(x_label)}</text>')
    body.append(
        f'<text transform="translate(18 {py(50):.1f}) rotate(-90)" font-size="13" text-anchor="middle" fill="{TEXT}">{escape(y_label)}</text>'
    )
    largest = max((b.size for b in bubbles), default=0.0)
    placed = []
    # Largest first, so a small bubble is never hidden behind a large one.
    for index in sorted(range(len(bubbles)), key=lambda i: (-bubbles[i].size, bubbles[i].label)):
        bubble = bubbles[index]
        share = math.sqrt(bubble.size / largest) if largest > 0 else 0.0
        radius = _RADIUS_MIN + (_RADIUS_MAX - _RADIUS_MIN) * share
        cx, cy = px(bubble.x), py(bubble.y)
        body.append(
            f'<g class="bubble"><title>{escape(bubble.detail)}</title>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" '
            f'fill="{bubble.color}" fill-opacity="0.78" stroke="{bubble.color}" stroke-width="2"/></g>'
        )
        if index < LABELLED_BUBBLES:
            placed.append((cx + radius + 4, cy, bubble.label))
    body += _labels(placed)
    return _svg(BUBBLE_WIDTH, BUBBLE_HEIGHT, ident, title, description, body)


def _labels(placed: list[tuple[float, float, str]]) -> list[str]:
    """Labels right of their bubbles, pushed down where they would overlap a label above them."""
    texts = []
    taken: list[tuple[float, float]] = []
    for x, y, label in sorted(placed, key=lambda p: (p[1], p[0])):
        while any(abs(x - tx) < 110 and abs(y - ty) < _LABEL_GAP for tx, ty in taken):
            y += _LABEL_GAP
        taken.append((x, y))
        texts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" fill="{TEXT}" class="bubble-label">{escape(_short(label, 22))}</text>')
    return texts


@dataclass(frozen=True, slots=True)
class Node:
    ident: str
    label: str
    color: str
    detail: str
    infrastructure: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    source: str
    target: str
    label: str
    shown_label: bool = True
    """False where the target already says it (a link to Kafka over kafka): the label stays in the tooltip."""


NODE_WIDTH, NODE_HEIGHT = 168, 34
_COLUMN_GAP, _ROW_GAP, _MARGIN = 236, 54, 24
_SWEEPS = 4


def layers(nodes: Sequence[Node], links: Sequence[Link]) -> list[list[str]]:
    """Columns of node ids, callers left of callees; infrastructure last; unconnected nodes in no column.

    A longest-path layering of the graph less the links that close a cycle, then a few
    barycenter sweeps to put linked nodes at similar heights (Sugiyama's method, simplified).
    """
    ids = [node.ident for node in nodes]
    infrastructure = {node.ident for node in nodes if node.infrastructure}
    outgoing: dict[str, list[str]] = defaultdict(list)
    for link in links:
        if link.source != link.target:
            outgoing[link.source].append(link.target)
    connected = {link.source for link in links} | {link.target for link in links}
    depth = _longest_paths(ids, _without_back_links(ids, outgoing))
    services = [i for i in ids if i in connected and i not in infrastructure]
    height = max((depth[i] for i in services), default=0)
    column: dict[str, int] = {i: height - depth[i] for i in services}
    last = max(column.values(), default=-1) + 1
    column.update({i: last for i in ids if i in connected and i in infrastructure})
    columns: list[list[str]] = [[] for _ in range(max(column.values(), default=-1) + 1)]
    for node in ids:
        if node in column:
            columns[column[node]].append(node)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in links:
        neighbours[link.source].add(link.target)
        neighbours[link.target].add(link.source)
    for sweep in range(_SWEEPS):
        order = range(1, len(columns)) if sweep % 2 == 0 else range(len(columns) - 2, -1, -1)
        for index in order:
            reference = columns[index - 1] if sweep % 2 == 0 else columns[index + 1]
            columns[index] = _by_barycenter(columns[index], reference, neighbours)
    return [column_ for column_ in columns if column_]


def _by_barycenter(column: list[str], reference: list[str], neighbours: dict[str, set[str]]) -> list[str]:
    """The column ordered by the mean position of each node's neighbours in the reference column."""
    position = {node: rank for rank, node in enumerate(reference)}
    current = {node: rank for rank, node in enumerate(column)}

    def barycenter(node: str) -> tuple[float, int]:
        linked = [position[n] for n in neighbours[node] if n in position]
        return (sum(linked) / len(linked) if linked else float(current[node]), current[node])

    return sorted(column, key=barycenter)


def _longest_paths(ids: list[str], acyclic: dict[str, list[str]]) -> dict[str, int]:
    """For each node, the number of links on the longest path leaving it (callees before callers)."""
    depth: dict[str, int] = {}
    for root in ids:
        stack = [root]
        while stack:
            node = stack[-1]
            if node in depth:
                stack.pop()
                continue
            pending = [target for target in acyclic[node] if target not in depth]
            if pending:
                stack.extend(pending)
            else:
                depth[node] = max((depth[target] + 1 for target in acyclic[node]), default=0)
                stack.pop()
    return depth


def _without_back_links(ids: list[str], outgoing: dict[str, list[str]]) -> dict[str, list[str]]:
    """The links less those that close a cycle (found by a depth-first search, iteratively)."""
    kept: dict[str, list[str]] = defaultdict(list)
    state: dict[str, int] = {}
    for root in ids:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(set(outgoing[root]))))]
        while stack:
            node, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[node] = 2
                stack.pop()
            elif state.get(target) == 1:
                continue
            else:
                kept[node].append(target)
                if target not in state:
                    state[target] = 1
                    stack.append((target, iter(sorted(set(outgoing[target])))))
    return kept


def graph_chart(nodes: Sequence[Node], links: Sequence[Link], *, ident: str, title: str, description: str) -> str:
    """The nodes in columns with their links as arrows; unconnected nodes in a row below."""
    by_id = {node.ident: node for node in nodes}
    columns = layers(nodes, links)
    placed = {node_id for column in columns for node_id in column}
    loose = [node.ident for node in nodes if node.ident not in placed]
    tallest = max((len(column) for column in columns), default=0)
    per_row = max(len(columns), 4)
    loose_rows = math.ceil(len(loose) / per_row)
    width = _MARGIN * 2 + max(len(columns), min(len(loose), per_row), 1) * _COLUMN_GAP - (_COLUMN_GAP - NODE_WIDTH)
    loose_top = _MARGIN + tallest * _ROW_GAP + (30 if tallest else 0)
    height = loose_top + loose_rows * _ROW_GAP + (22 if loose else 0) + _MARGIN
    position: dict[str, tuple[float, float]] = {}
    for index, column in enumerate(columns):
        offset = (tallest - len(column)) * _ROW_GAP / 2
        for row, node in enumerate(column):
            position[node] = (_MARGIN + index * _COLUMN_GAP, _MARGIN + offset + row * _ROW_GAP)
    for number, node in enumerate(loose):
        position[node] = (_MARGIN + (number % per_row) * _COLUMN_GAP, loose_top + 22 + (number // per_row) * _ROW_GAP)
    body = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>'
    ]
    labels: list[tuple[float, float]] = []
    for link in links:
        if link.source not in position or link.target not in position or link.source == link.target:
            continue
        (sx, sy), (tx, ty) = position[link.source], position[link.target]
        x1, y1, x2, y2 = sx + NODE_WIDTH, sy + NODE_HEIGHT / 2, tx, ty + NODE_HEIGHT / 2
        bend = max(40.0, abs(x2 - x1) / 2)
        body.append(
            f'<path class="edge" d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
            f'fill="none" stroke="{MUTED}" stroke-width="1.4" marker-end="url(#arrow)">'
            f"<title>{escape(f'{link.source} -> {link.target} ({link.label})')}</title></path>"
        )
        if not link.shown_label:
            continue
        label = _short(link.label, 12)
        mx, my = _label_spot(((x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2)), len(label) * 3.4, labels)
        labels.append((mx, my))
        body.append(
            f'<text x="{mx:.1f}" y="{my - 3:.1f}" font-size="11" text-anchor="middle" fill="{TEXT}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke" class="edge-label">{escape(label)}</text>'
        )
    if loose:
        body.append(f'<text x="{_MARGIN}" y="{loose_top + 10}" font-size="12" fill="{MUTED}">Not connected to anything the scan could see</text>')
    for node_id, (x, y) in position.items():
        shown = by_id[node_id]
        dash = ' stroke-dasharray="5 3"' if shown.infrastructure else ""
        body.append(
            f'<g class="node"><title>{escape(shown.detail)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="{12 if shown.infrastructure else 5}" '
            f'fill="#ffffff" stroke="{shown.color}" stroke-width="2.5"{dash}/>'
            f'<text x="{x + NODE_WIDTH / 2:.1f}" y="{y + NODE_HEIGHT / 2 + 4:.1f}" font-size="13" text-anchor="middle" fill="{TEXT}">'
            f"{escape(_short(shown.label, 22))}</text></g>"
        )
    return _svg(int(width), int(height), ident, title, description, body)


_LABEL_STEPS = tuple(sorted((step / 20 for step in range(2, 19)), key=lambda t: (abs(t - 0.5), t)))


Point = tuple[float, float]
Curve = tuple[Point, Point, Point, Point]
"""A cubic Bezier curve: start, two control points, end."""


def _label_spot(curve: Curve, half_width: float, taken: list[Point]) -> Point:
    """Where on the link its label goes: between columns, where no box hides it, clear of other labels; nearest the middle."""

    def in_gap(x: float) -> bool:
        offset = (x - _MARGIN) % _COLUMN_GAP
        return offset - half_width > NODE_WIDTH + 2 and offset + half_width < _COLUMN_GAP - 2

    def clear(x: float, y: float) -> bool:
        return all(abs(x - tx) > half_width + 18 or abs(y - ty) > 12 for tx, ty in taken)

    spots = [_cubic(curve, t) for t in _LABEL_STEPS]
    for x, y in spots:
        if in_gap(x) and clear(x, y):
            return x, y
    x, y = next(((x, y) for x, y in spots if in_gap(x)), spots[0])
    # Every spot on the link is taken: stack the label above or below the nearest one.
    for shift in (-12, 12, -24, 24, -36, 36):
        if clear(x, y + shift):
            return x, y + shift
    return x, y


def _cubic(curve: Curve, t: float) -> Point:
    """The point at ``t`` (0 to 1) of a cubic Bezier curve."""
    u = 1 - t
    weights = (u**3, 3 * u * u * t, 3 * u * t * t, t**3)
    x = sum(w * point[0] for w, point in zip(weights, curve, strict=True))
    y = sum(w * point[1] for w, point in zip(weights, curve, strict=True))
    return x, y


BAR_WIDTH = 640
_BAR_LABEL, _BAR_ROW, _BAR_VALUE = 130, 24, 90


def bar_chart(bars: Sequence[tuple[str, float, str]], *, ident: str, title: str, description: str, color: str) -> str:
    """Horizontal bars ``(label, value, value as text)``, longest first as given."""
    largest = max((value for _, value, _ in bars), default=0.0)
    height = _BAR_ROW * len(bars) + 10
    span = BAR_WIDTH - _BAR_LABEL - _BAR_VALUE
    body = []
    for row, (label, value, shown) in enumerate(bars):
        y = 5 + row * _BAR_ROW
        length = span * value / largest if largest > 0 else 0.0
        body.append(f'<text x="{_BAR_LABEL - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="{TEXT}">{escape(_short(label, 18))}</text>')
        body.append(f'<rect x="{_BAR_LABEL}" y="{y + 3}" width="{max(length, 1.0):.1f}" height="{_BAR_ROW - 8}" fill="{color}"/>')
        body.append(f'<text x="{_BAR_LABEL + length + 6:.1f}" y="{y + 15}" font-size="12" fill="{TEXT}">{escape(shown)}</text>')
    return _svg(BAR_WIDTH, height, ident, title, description, body)
