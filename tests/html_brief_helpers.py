"""Reading a written HTML brief back as a test sees it: its tags, its numbers with the warehouse cells they name,
and its text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Where digits may stand without naming a warehouse cell: dates, quoted source text, names and outlets, code,
# fixed labels ("7-day"), and the page's head.
EXEMPT_TAGS = {"time", "q", "code", "style", "title", "head"}
EXEMPT_CLASSES = {"src", "label", "num"}


@dataclass
class Figure:
    attrs: dict
    text: str = ""

    @property
    def key(self) -> dict:
        return json.loads(self.attrs["data-key"])


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.figures: list[Figure] = []
        self.text: list[str] = []
        self.loose_digits: list[str] = []
        self.tables: dict[str, int] = {}  # a table's class -> its body rows
        self._stack: list[tuple[str, set[str]]] = []
        self._figure: Figure | None = None
        self._table: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        classes = set(a.get("class", "").split())
        if tag == "data" and "num" in classes:
            self._figure = Figure(a)
            self.figures.append(self._figure)
        if tag == "table" and classes:
            self._table = sorted(classes)[0]
            self.tables.setdefault(self._table, 0)
        if tag == "tr" and self._table and not any(t == "thead" for t, _ in self._stack):
            self.tables[self._table] += 1
        if tag not in VOID:
            self._stack.append((tag, classes))

    def handle_endtag(self, tag):
        if tag == "data":
            self._figure = None
        if tag == "table":
            self._table = None
        while self._stack:
            top, _ = self._stack.pop()
            if top == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        if self._figure is not None:
            self._figure.text += data
        exempt = any(t in EXEMPT_TAGS or c & EXEMPT_CLASSES for t, c in self._stack)
        if not exempt and any(ch.isdigit() for ch in data):
            self.loose_digits.append(data.strip())

    @property
    def plain_text(self) -> str:
        return "".join(self.text)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def cell_query(fig: Figure) -> tuple[str, list]:
    """The query a figure names: `select <column> from <table> where <key>` (a two-item list is a range)."""
    where, params = [], []
    for k, v in fig.key.items():
        assert k.isidentifier(), k
        if isinstance(v, list):
            where.append(f"{k} between ? and ?")
            params += v
        else:
            where.append(f"{k} = ?")
            params.append(v)
    table, column = fig.attrs["data-table"], fig.attrs["data-column"]
    return f"select {column} from {table} where {' and '.join(where) or 'true'}", params
