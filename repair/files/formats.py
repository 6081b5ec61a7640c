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
from typing import Iterable

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
_MD_INLINE = [
    (re.compile(r"(`+)(?:(?!\1).)+?\1", re.S), SPACE),                       # inline code
    (re.compile(r"<!--.*?-->", re.S), GLUE),                                 # comments
    (re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>"), SPACE),                 # autolinks
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), GLUE),         # inline HTML tags
    (re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"), GLUE),                  # link destinations
    (re.compile(r"^ {0,3}\[[^\]]+\]:.*$", re.M), BLOCK),                     # reference definitions
    # bare URLs, IRIs included (https://zh.wikipedia.org/wiki/集会): up to a space or CJK punctuation
    (re.compile(r"(?:https?|ftp)://[^\s<>\"'，。、；：！？（）「」『』《》【】]+"), SPACE),
    (re.compile(r"\*{1,3}|_{2,3}|~~"), GLUE),                                # emphasis markers
]


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
        chunk = text[prose.start:prose.end]
        for pattern, sep in _MD_INLINE:
            masks += [Mask(prose.start + m.start(), prose.start + m.end(), sep) for m in pattern.finditer(chunk)]
    return segments_between(text, masks)


# --- HTML -----------------------------------------------------------------

_SKIPPED_ELEMENTS = "script|style|pre|code|textarea|kbd|samp|svg|math"
_HTML_TOKENS = re.compile(
    r"(?P<raw><(?P<skip>%s)\b[^>]*>.*?</(?P=skip)\s*>)"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<decl><![^>]*>|<\?.*?\?>)"
    r"|(?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?/?>)" % _SKIPPED_ELEMENTS,
    re.S | re.I,
)
_INLINE_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "data", "del", "dfn", "em", "font", "i", "ins", "mark",
    "q", "rp", "rt", "ruby", "s", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
}


def html_segments(text: str) -> list[Segment]:
    """Text nodes of an HTML document, outside script/style/pre/code and friends."""
    masks = []
    for m in _HTML_TOKENS.finditer(text):
        if m.group("raw"):
            sep = SPACE if m.group("skip").lower() in ("code", "kbd", "samp") else BLOCK
        elif m.group("tag"):
            sep = GLUE if m.group("name").lower() in _INLINE_TAGS else BLOCK
        else:
            sep = GLUE
        masks.append(Mask(m.start(), m.end(), sep))
    return segments_between(text, masks)


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
        for seg, joined_start in zip(segments, starts):
            if joined_start <= ch.start and ch.end <= joined_start + (seg.end - seg.start):
                shift = seg.start - joined_start
                mapped.append(replace(ch, start=ch.start + shift, end=ch.end + shift))
                break
    return mapped
