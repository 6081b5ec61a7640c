"""The context model's vocabulary: each word's id, its line in ``vocab.txt``, put in a dict on need.

A dict answers the lattice's many is-this-a-word questions several times
faster than a search, but splitting the 165,000 lines and hashing them all
cost the one-line filter a third of its work. The file is sorted (Python
str order), so the words that start with one character are one run of
lines: the dict is filled one first character at a time, for the
characters of each text the lattice reads (:meth:`Vocabulary.cover`) and of
each word asked about (:meth:`Vocabulary.id`), each run found by a binary
search over the text of the file; a one-line input needs a few dozen runs.
A run costs about a thousandth of the whole dict, so once ``MAX_RUNS`` runs
or ``FILL_ALL_AFTER`` characters of text would have been read, every word
goes in at once instead: a page, a long text or a batch then costs what the
whole dict built at load did.

The list is kept as its UTF-8 bytes and a run is decoded when it is put in the
dict: decoding the whole file (1.3 MB of mostly three-byte characters) cost
the one-line filter about as much as the rest of the model's load. UTF-8 sorts
as the code points do, so the file's order is its bytes' order too.
"""
from __future__ import annotations

from ..errors import UnspinError

#: Characters of text read after which every word is put in the dict at once: a long text or a
#: batch needs most of them, and then no text is scanned for its characters, no word checked.
FILL_ALL_AFTER = 20_000
#: Runs of a first character put in one by one, at most: more would cost more than every word at once.
MAX_RUNS = 256
#: Characters between two known line counts (a word's id is the number of line ends before it).
_MARK_EVERY = 1 << 14


class Vocabulary:
    """The words of a sorted word list, one a line, and their ids (line numbers from 0)."""

    def __init__(self, text: str | bytes) -> None:
        """``text``: the list, or its UTF-8 bytes (as read from the file: see the module's docstring)."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        self._data = data
        #: how many words: the lines, less the empty one after a final line end
        self.size = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
        #: ``word in index`` for the words of every text given to :meth:`cover`; word -> id
        self.index: dict[str, int] = {}
        self._covered: set[str] = set()  # the first characters whose words are in the index
        self._read = 0  # characters of text given to cover
        self.whole = False  # every word is in the index
        # line ends before each multiple of _MARK_EVERY, so an id costs a count over at most that many
        self._marks = [0]
        for at in range(_MARK_EVERY, len(data) + 1, _MARK_EVERY):
            self._marks.append(self._marks[-1] + data.count(b"\n", at - _MARK_EVERY, at))

    def id(self, word: str) -> int | None:
        """The id of ``word``, or None if it is not in the list."""
        found = self.index.get(word)
        if found is None and not self.whole and word[:1] not in self._covered:
            self.cover(word[:1])
            found = self.index.get(word)
        return found

    def cover(self, text: str) -> None:
        """Put every word that starts with a character of ``text`` in :attr:`index`."""
        if self.whole:
            return
        self._read += len(text)
        new = set(text) - self._covered if self._read < FILL_ALL_AFTER else None
        if new is None or len(self._covered) + len(new) > MAX_RUNS:
            words = self._decode(self._data).split("\n")
            if words and words[-1] == "":
                words.pop()
            self.index.update(zip(words, range(len(words))))
            self.whole = True
            return
        for c in new:
            start = self._first_at_least(_utf8(c), 0)
            end = self._first_at_least(_utf8(chr(ord(c) + 1)), start) if ord(c) < 0x10FFFF else len(self._data)
            if start < end:
                run = self._data[start:end]
                words = self._decode(run[:-1] if run.endswith(b"\n") else run).split("\n")
                first = self._line_of(start)
                self.index.update(zip(words, range(first, first + len(words))))
        self._covered |= new

    def _first_at_least(self, key: bytes, lo: int) -> int:
        """The offset of the first line, from the line starting at ``lo``, whose word is not below
        ``key`` (the end of the list if there is none): a binary search over the bytes."""
        data = self._data
        hi = len(data)  # lines before lo are below key; the line at hi (or the end) is not
        while lo < hi:
            mid = (lo + hi) // 2
            start = data.rfind(b"\n", lo, mid) + 1 or lo  # the line holding mid (lo starts a line)
            end = data.find(b"\n", start)
            if end < 0:
                end = len(data)
            if data[start:end] < key:
                lo = end + 1
            else:
                hi = start
        return min(lo, len(data))

    def _line_of(self, offset: int) -> int:
        """The number of the line starting at ``offset``: the line ends before it."""
        mark = offset // _MARK_EVERY
        return self._marks[mark] + self._data.count(b"\n", mark * _MARK_EVERY, offset)

    @staticmethod
    def _decode(data: bytes) -> str:
        """Words of the list as text; a list that is not UTF-8 is a damaged install."""
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnspinError(f"the context model's word list is damaged (not UTF-8: {exc.reason}); "
                              "reinstall unspin or rebuild it with scripts/build_context.py") from None


def _utf8(c: str) -> bytes:
    """``c`` in UTF-8, a lone surrogate (never in the list) as the three bytes that sort where its
    code point does, so the search still finds where its words would be."""
    return c.encode("utf-8", "surrogatepass")
