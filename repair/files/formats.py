"""Where the prose is in a Markdown or HTML file, so markup stays byte-identical.

An extractor returns the *non-prose* spans (code, URLs, tags, front matter)
as masks; what lies between them is prose. The prose segments are joined into
one string for the engine, because the spin prior is estimated per document
and phrases must keep their context across inline markup like ``**`` or
``<b>``. Each mask says what stands in for it in the joined string: nothing
for pure markup (``<b>中心</b>政法委`` reads as ``中心政法委``), a space for
inline content such as code or a URL, a newline for blocks. Changes from the
engine are then mapped back to file offsets; one that straddles a mask is
dropped rather than guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from bisect import bisect_right
from typing import Iterable, Iterator

from ..engine.changes import Change

#: What stands in for a mask in the joined prose, weakest first.
GLUE, SPACE, BLOCK = "", " ", "\n"
_STRENGTH = {GLUE: 0, SPACE: 1, BLOCK: 2}


@dataclass(frozen=True)
class Mask:
    """A non-prose span ``[start, end)`` of the file and its stand-in in the joined prose."""

    start: int
    end: int
    sep: str


@dataclass(frozen=True)
class Segment:
    """A prose span of the file; ``sep`` precedes it in the joined prose."""

    start: int
    end: int
    sep: str


def segments_between(text: str, masks: Iterable[Mask]) -> list[Segment]:
    """The prose left between ``masks`` (overlapping or touching masks merge)."""
    merged: list[Mask] = []
    for m in sorted(masks, key=lambda m: (m.start, m.end)):
        if m.start >= m.end:
            continue
        if merged and m.start <= merged[-1].end:
            last = merged[-1]
            sep = max(last.sep, m.sep, key=_STRENGTH.__getitem__)
            merged[-1] = Mask(last.start, max(last.end, m.end), sep)
        else:
            merged.append(m)
    segments, pos, sep = [], 0, GLUE
    for m in merged:
        if m.start > pos:
            segments.append(Segment(pos, m.start, sep))
        pos, sep = m.end, m.sep
    if pos < len(text):
        segments.append(Segment(pos, len(text), sep))
    return segments


# --- Markdown -------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")

# Every scan below is linear in the length of the text whatever it holds: a pattern that
# must find a closing delimiter (``-->``, ``)``, ``</script>``) never rescans the rest of
# the text for each opener. Either the search stops at the last closer in the text
# (lazy matches then always succeed and consume what they scanned), or the next closer
# is looked up once and remembered (:class:`_Next`) while openers are walked in order.


class _Next:
    """The first match of ``pattern`` at or after a position, for positions that only grow.

    A failed search is remembered too, so openers without any closer after them cost
    nothing each instead of a scan to the end of the text each.
    """

    def __init__(self, pattern: "re.Pattern[str]", text: str) -> None:
        self.pattern, self.text = pattern, text
        self.match: re.Match[str] | None = None
        self.searched_from = -1
        self.exhausted = False

    def at_or_after(self, pos: int) -> "re.Match[str] | None":
        if self.exhausted:
            return None
        if self.match is not None and self.searched_from <= pos <= self.match.start():
            return self.match
        self.match, self.searched_from = self.pattern.search(self.text, pos), pos
        self.exhausted = self.match is None
        return self.match


_BACKTICKS = re.compile(r"`+")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_AUTOLINK_OPEN = re.compile(r"<(?:https?|ftp|mailto):")
_AUTOLINK_STOP = re.compile(r"[>\s]")
_LINK_OPEN = re.compile(r"\]\(")
_LINK_STOP = re.compile(r"[)\s]")
_LINK_TITLE = re.compile(r"\s+\"[^\"]*\"\)")
_MD_INLINE = [
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), GLUE),         # inline HTML tags
    (re.compile(r"^ {0,3}\[[^\]\n]+\]:.*$", re.M), BLOCK),                   # reference definitions
    # bare URLs, IRIs included (https://zh.wikipedia.org/wiki/集会): up to a space or CJK punctuation
    (re.compile(r"(?:https?|ftp)://[^\s<>\"'，。、；：！？（）「」『』《》【】]+"), SPACE),
    (re.compile(r"\*{1,3}|_{2,3}|~~"), GLUE),                                # emphasis markers
]


def _code_spans(chunk: str) -> Iterable[tuple[int, int]]:
    """Inline code as CommonMark has it: a run of n backticks up to the next run of exactly n."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(chunk)]
    following: list[int] = [-1] * len(runs)  # index of the next run of the same length
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        n = runs[i][1] - runs[i][0]
        following[i] = last.get(n, -1)
        last[n] = i
    i = 0
    while i < len(runs):
        j = following[i]
        if j < 0:
            i += 1
            continue
        yield runs[i][0], runs[j][1]
        i = j + 1


def _comments(chunk: str) -> Iterable[tuple[int, int]]:
    """``<!-- … -->``; the search ends at the last ``-->``, so no opener rescans the text."""
    end = chunk.rfind("-->")
    if end >= 0:
        for m in _COMMENT.finditer(chunk, 0, end + 3):
            yield m.start(), m.end()


def _autolinks(chunk: str) -> Iterable[tuple[int, int]]:
    """``<https://…>``: an opener, then no space before the closing ``>``."""
    stop, pos = _Next(_AUTOLINK_STOP, chunk), 0
    for m in _AUTOLINK_OPEN.finditer(chunk):
        if m.start() < pos:
            continue
        s = stop.at_or_after(m.end())
        if s is not None and s.group() == ">":
            yield m.start(), s.end()
            pos = s.end()


def _link_destinations(chunk: str) -> Iterable[tuple[int, int]]:
    """``](url)`` and ``](url "title")``."""
    stop, pos = _Next(_LINK_STOP, chunk), 0
    for m in _LINK_OPEN.finditer(chunk):
        if m.start() < pos:
            continue
        s = stop.at_or_after(m.end())
        if s is None:
            break
        if s.group() == ")":
            end = s.end()
        else:
            title = _LINK_TITLE.match(chunk, s.start())
            if title is None:
                continue
            end = title.end()
        yield m.start(), end
        pos = end


#: Inline scanners and what stands in for what they find.
_MD_SCANNERS = [(_code_spans, SPACE), (_comments, GLUE), (_autolinks, SPACE), (_link_destinations, GLUE)]


def _front_matter_end(text: str) -> int:
    """Offset just past a YAML (``---``) or TOML (``+++``) front-matter block, else 0."""
    m = re.match(r"(---|\+\+\+)[ \t]*\r?\n", text)
    if not m:
        return 0
    closers = ("---", "...") if m.group(1) == "---" else ("+++",)
    close = re.compile(r"^(?:%s)[ \t]*(?:\r?\n|\Z)" % "|".join(re.escape(c) for c in closers), re.M)
    end = close.search(text, m.end())
    return end.end() if end else 0


def _code_blocks(text: str, start: int) -> Iterable[Mask]:
    """Fenced and indented code blocks, found line by line."""
    pos, fence, prev_blank, in_code, in_list = start, None, True, False, False
    for line in text[start:].splitlines(keepends=True):
        end = pos + len(line)
        body = line.rstrip("\r\n")
        blank = not body.strip()
        if fence is not None:
            yield Mask(pos, end, BLOCK)
            closing = _FENCE.match(body)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence) \
                    and not body.strip().strip(fence[0]):
                fence = None
        elif _FENCE.match(body):
            fence = _FENCE.match(body).group(1)
            yield Mask(pos, end, BLOCK)
        elif (body.startswith(("    ", "\t")) and not blank and (prev_blank or in_code)
              and not in_list):
            in_code = True
            yield Mask(pos, end, BLOCK)
        elif not blank:
            in_code = False
            if not body.startswith((" ", "\t")):
                in_list = bool(_LIST_ITEM.match(body))
        prev_blank = blank
        pos = end


def markdown_segments(text: str) -> list[Segment]:
    """Prose of a Markdown document: no front matter, code, URLs or inline HTML."""
    fm_end = _front_matter_end(text)
    masks = [Mask(0, fm_end, BLOCK)] if fm_end else []
    blocks = list(_code_blocks(text, fm_end))
    masks += blocks
    for prose in segments_between(text, masks):
        chunk, base = text[prose.start:prose.end], prose.start
        for scan, sep in _MD_SCANNERS:
            masks += [Mask(base + a, base + b, sep) for a, b in scan(chunk)]
        for pattern, sep in _MD_INLINE:
            masks += [Mask(base + m.start(), base + m.end(), sep) for m in pattern.finditer(chunk)]
    return segments_between(text, masks)


# --- HTML -----------------------------------------------------------------

_SKIPPED_ELEMENTS = ("script", "style", "pre", "code", "textarea", "kbd", "samp", "svg", "math")
_RAW_OPEN = re.compile(r"(%s)\b" % "|".join(_SKIPPED_ELEMENTS), re.I)
_RAW_CLOSE = {name: re.compile(r"</%s\s*>" % name, re.I) for name in _SKIPPED_ELEMENTS}
_TAG_NAME = re.compile(r"/?([A-Za-z][A-Za-z0-9-]*)")
_INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "data", "del", "dfn", "em", "font", "i", "ins", "mark",
    "q", "rp", "rt", "ruby", "s", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
}


def _html_tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, stand-in) of each skipped element, comment, declaration and tag, in one pass.

    The order of tries at each ``<`` is: a skipped element up to its closing tag, a
    comment, a declaration or processing instruction, a tag; an opener whose closer
    never comes falls through to the next try. Every closer is looked up through
    :class:`_Next`, so ``<script>`` 32,000 times without ``</script>`` is linear.
    """
    closers = {name: _Next(pattern, text) for name, pattern in _RAW_CLOSE.items()}
    gt, comment_end, pi_end = (_Next(re.compile(p), text) for p in (">", "-->", r"\?>"))
    pos = text.find("<")
    while pos >= 0:
        end, sep = -1, GLUE
        raw = _RAW_OPEN.match(text, pos + 1)
        if raw is not None:
            open_end = gt.at_or_after(raw.end())
            if open_end is not None:
                close = closers[raw.group(1).lower()].at_or_after(open_end.end())
                if close is not None:
                    end = close.end()
                    sep = SPACE if raw.group(1).lower() in ("code", "kbd", "samp") else BLOCK
        if end < 0 and text.startswith("<!--", pos):
            close = comment_end.at_or_after(pos + 4)
            if close is not None:
                end = close.end()
        if end < 0 and text.startswith("<!", pos):
            close = gt.at_or_after(pos + 2)
            if close is not None:
                end = close.end()
        if end < 0 and text.startswith("<?", pos):
            close = pi_end.at_or_after(pos + 2)
            if close is not None:
                end = close.end()
        if end < 0:
            name = _TAG_NAME.match(text, pos + 1)
            if name is not None:
                after = name.end()
                rest = text[after:after + 2]
                close = None
                if rest[:1] == ">":
                    close = after + 1
                elif rest == "/>":
                    close = after + 2
                elif rest[:1].isspace():
                    nxt = gt.at_or_after(after)
                    close = nxt.end() if nxt is not None else None
                if close is not None:
                    end = close
                    sep = GLUE if name.group(1).lower() in _INLINE_TAGS else BLOCK
        if end < 0:
            pos = text.find("<", pos + 1)
            continue
        yield pos, end, sep
        pos = text.find("<", end)


def html_segments(text: str) -> list[Segment]:
    """Text nodes of an HTML document, outside script/style/pre/code and friends."""
    return segments_between(text, [Mask(a, b, sep) for a, b, sep in _html_tokens(text)])


# --- Running the engine on the prose --------------------------------------

def join_prose(text: str, segments: list[Segment]) -> tuple[str, list[int]]:
    """The prose of ``text`` as the engine sees it, and where each segment starts in it."""
    parts, starts, pos = [], [], 0
    for seg in segments:
        parts.append(seg.sep)
        pos += len(seg.sep)
        starts.append(pos)
        parts.append(text[seg.start:seg.end])
        pos += seg.end - seg.start
    return "".join(parts), starts


def map_changes(changes: Iterable[Change], segments: list[Segment], starts: list[int]) -> list[Change]:
    """Changes to the joined prose as changes to the file; any straddling a mask is dropped."""
    mapped = []
    for ch in changes:
        i = bisect_right(starts, ch.start) - 1  # the last segment starting at or before the change
        if i < 0:
            continue
        seg, joined_start = segments[i], starts[i]
        if ch.end <= joined_start + (seg.end - seg.start):
            shift = seg.start - joined_start
            mapped.append(replace(ch, start=ch.start + shift, end=ch.end + shift))
    return mapped
