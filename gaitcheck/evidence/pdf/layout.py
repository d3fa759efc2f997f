"""A small top-down page layout on matplotlib figures: headings, wrapped text, tables, charts, pictures.

Everything is placed in inches from the top-left of an A4 page and measured before it is drawn
(text widths come from the font itself), so blocks never overlap: a block that does not fit on the
current page starts the next one. No pyplot, no global matplotlib state: pages are plain
:class:`matplotlib.figure.Figure` objects, saved by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from numpy.typing import NDArray

__all__ = ["A4_IN", "Cell", "PageFlow", "text_width_pt", "wrap"]

A4_IN = (8.27, 11.69)
INK = "#1f2a30"
MUTED = "#5f6b73"
RULE = "#c9d1d6"
ZEBRA = "#f2f5f7"
LEADING = 1.32  # line height / font size


@dataclass(frozen=True)
class Cell:
    """Table cell text with an optional colour and weight."""

    text: str
    color: str = INK
    weight: str = "normal"


@lru_cache(maxsize=4096)
def text_width_pt(text: str, size: float, weight: str = "normal") -> float:
    """Width of ``text`` in points in the default sans-serif font at ``size`` points."""
    w, _, _ = TextToPath().get_text_width_height_descent(text, FontProperties(size=size, weight=weight), ismath=False)
    return float(w)


def wrap(text: str, width_in: float, size: float, weight: str = "normal") -> list[str]:
    """Split ``text`` into lines no wider than ``width_in`` inches (a longer word is cut where it must be).

    >>> wrap("one two three", 10.0, 9)
    ['one two three']
    >>> len(wrap("word " * 60, 2.0, 9)) > 5
    True
    """
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in _hard_break(para.split(), width_in * 72, size, weight):
            trial = f"{cur} {word}" if cur else word
            if cur and text_width_pt(trial, size, weight) > width_in * 72:
                lines.append(cur)
                cur = word
            else:
                cur = trial
        lines.append(cur)
    return lines


def _hard_break(words: list[str], width_pt: float, size: float, weight: str) -> list[str]:
    out: list[str] = []
    for word in words:
        while len(word) > 1 and text_width_pt(word, size, weight) > width_pt:
            k = len(word) - 1
            while k > 1 and text_width_pt(word[:k], size, weight) > width_pt:
                k -= 1
            out.append(word[:k])
            word = word[k:]
        out.append(word)
    return out


@dataclass
class PageFlow:
    """Blocks stacked down A4 pages with fixed margins; ``pages`` holds the figures made so far."""

    margin_in: tuple[float, float, float, float] = (0.55, 0.6, 0.75, 0.6)  # top, right, bottom, left
    pages: list[Figure] = field(default_factory=list)
    y: float = 0.0  # inches from the top of the current page

    def __post_init__(self) -> None:
        self.new_page()

    # -- geometry --------------------------------------------------------------------------------
    @property
    def fig(self) -> Figure:
        """The figure of the current page."""
        return self.pages[-1]

    @property
    def left(self) -> float:
        """Left margin in inches."""
        return self.margin_in[3]

    @property
    def width(self) -> float:
        """Width of the text column in inches."""
        return A4_IN[0] - self.margin_in[1] - self.margin_in[3]

    def room(self) -> float:
        """Inches left on the current page."""
        return A4_IN[1] - self.margin_in[2] - self.y

    def new_page(self) -> None:
        """Start a new page."""
        self.pages.append(Figure(figsize=A4_IN))
        self.y = self.margin_in[0]

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` inches fit on this one."""
        if height > self.room() and self.y > self.margin_in[0] + 1e-6:
            self.new_page()

    def skip(self, dy: float) -> None:
        """Move down by ``dy`` inches, starting a new page if it does not fit."""
        self.y += dy

    def _fx(self, x_in: float) -> float:
        return x_in / A4_IN[0]

    def _fy(self, y_in: float) -> float:
        return 1 - y_in / A4_IN[1]

    # -- drawing ---------------------------------------------------------------------------------
    def put(self, x_in: float, y_in: float, text: str, size: float, **kw: Any) -> None:
        """Text with its top-left corner at (x_in, y_in) inches on the current page."""
        kw.setdefault("color", INK)
        self.fig.text(self._fx(x_in), self._fy(y_in), text, fontsize=size, va="top", parse_math=False, **kw)

    def rule(self, y_in: float, color: str = RULE, lw: float = 0.6, x0: float | None = None,
             x1: float | None = None) -> None:
        """Draw a horizontal rule at ``y_in`` inches from the top."""
        a = self.left if x0 is None else x0
        b = self.left + self.width if x1 is None else x1
        self.fig.add_artist(Line2D([self._fx(a), self._fx(b)], [self._fy(y_in)] * 2, color=color, linewidth=lw,
                                   transform=self.fig.transFigure))

    def box(self, x_in: float, y_in: float, w_in: float, h_in: float, color: str) -> None:
        """Draw a filled box (inches from the page's top left)."""
        self.fig.add_artist(Rectangle((self._fx(x_in), self._fy(y_in + h_in)), w_in / A4_IN[0], h_in / A4_IN[1],
                                      transform=self.fig.transFigure, facecolor=color, edgecolor="none", zorder=-1))

    def heading(self, text: str, size: float = 11.5, keep_in: float = 1.0, note: str = "") -> None:
        """A section heading with a rule under it, kept with ``keep_in`` inches of what follows.

        ``note`` is a short remark in small grey type after the heading.
        """
        self.ensure(size / 72 * LEADING + 0.23 + keep_in)
        self.skip(0.12)
        self.put(self.left, self.y, text, size, weight="bold")
        if note:
            x = self.left + text_width_pt(text, size, "bold") / 72 + 0.12
            self.put(x, self.y + (size - 8) / 72, note, 8, color=MUTED)
        self.y += size / 72 * LEADING + 0.03
        self.rule(self.y, color="#8fa3ad", lw=0.8)
        self.y += 0.08

    def paragraph(self, text: str, size: float = 9.0, *, indent: float = 0.0, color: str = INK,
                  weight: str = "normal", after: float = 0.05) -> None:
        """Set wrapped text at the current position and move below it."""
        lines = wrap(text, self.width - indent, size, weight)
        height = len(lines) * size / 72 * LEADING
        self.ensure(height)
        self.put(self.left + indent, self.y, "\n".join(lines), size, color=color, weight=weight,
                 linespacing=LEADING)
        self.y += height + after

    def table(self, rows: Sequence[Sequence[str | Cell]], widths_in: Sequence[float], *, size: float = 8.5,
              header: bool = True, zebra: bool = True, x_in: float | None = None, pad: float = 0.05) -> None:
        """Rows of cells in columns ``widths_in`` wide; cells wrap; the first row is the header."""
        x0 = self.left if x_in is None else x_in
        line = size / 72 * LEADING
        total_w = sum(widths_in)
        for r, row in enumerate(rows):
            cells = [c if isinstance(c, Cell) else Cell(c) for c in row]
            bold = header and r == 0
            wrapped = [wrap(c.text, w - 2 * pad, size, "bold" if bold else c.weight)
                       for c, w in zip(cells, widths_in, strict=False)]
            height = max(len(w) for w in wrapped) * line + 2 * pad
            self.ensure(height)
            if zebra and not bold and r % 2 == (0 if header else 1):
                self.box(x0, self.y, total_w, height, ZEBRA)
            x = x0
            for c, lines, w in zip(cells, wrapped, widths_in, strict=False):
                self.put(x + pad, self.y + pad, "\n".join(lines), size, color=MUTED if bold else c.color,
                         weight="bold" if bold else c.weight, linespacing=LEADING)
                x += w
            self.y += height
            if bold:
                self.rule(self.y, color="#8fa3ad", x0=x0, x1=x0 + total_w)
        self.y += 0.06

    def axes(self, height_in: float, *, left_pad: float = 0.55, right_pad: float = 0.1) -> Axes:
        """An Axes spanning the text width, ``height_in`` tall, with room for tick labels on the left."""
        self.ensure(height_in)
        ax = self.fig.add_axes((self._fx(self.left + left_pad), self._fy(self.y + height_in),
                                (self.width - left_pad - right_pad) / A4_IN[0], height_in / A4_IN[1]))
        self.y += height_in
        return ax

    def pictures(self, images: Sequence[NDArray[np.uint8]], captions: Sequence[Sequence[str]], *,
                 per_row: int = 3, gap_in: float = 0.15, size: float = 7.5) -> None:
        """Images in rows of ``per_row``, aspect kept, each with caption lines (the first one bold)."""
        cell_w = (self.width - gap_in * (per_row - 1)) / per_row
        line = size / 72 * LEADING
        for start in range(0, len(images), per_row):
            row = list(range(start, min(start + per_row, len(images))))
            img_h = max(cell_w * images[i].shape[0] / images[i].shape[1] for i in row)
            img_h = min(img_h, cell_w * 1.4)
            wrapped = [[ln for k, text in enumerate(captions[i])
                        for ln in wrap(text, cell_w, size, "bold" if k == 0 else "normal")] for i in row]
            height = img_h + 0.06 + max(len(w) for w in wrapped) * line
            self.ensure(height + 0.1)
            for j, i in enumerate(row):
                x = self.left + j * (cell_w + gap_in)
                ax = self.fig.add_axes((self._fx(x), self._fy(self.y + img_h), cell_w / A4_IN[0], img_h / A4_IN[1]))
                ax.imshow(images[i], interpolation="antialiased")
                ax.set_axis_off()
                yy = self.y + img_h + 0.06
                bold_lines = len(wrap(captions[i][0], cell_w, size, "bold")) if captions[i] else 0
                for k, ln in enumerate(wrapped[j]):
                    self.put(x, yy + k * line, ln, size, weight="bold" if k < bold_lines else "normal",
                             color=INK if k < bold_lines else MUTED)
            self.y += height + 0.12

