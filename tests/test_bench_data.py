"""The bench data readers: what a source holds beyond the author's text never reaches a measurement."""
from __future__ import annotations

from bench import data

# written for this test in the layout of an annotated edition: titles indented, lines hard-wrapped,
# numbered notes after each piece, a line naming the collection, and the book's front matter
COLLECTION = """
                     《小园集》

书的简介：这是编者写的话，
不是作者的。

                         小　园⑴

　　园里有两株树，一株是枣树，
还有一株也是枣树⑵。
　　黄昏时下了一阵雨，□【音“需”】
叶子都湿了。

                         一九二四年九月。

□注释

⑴本篇最初发表于某杂志。
⑵枣树：一种果树。

〔《小园集》〕

                         夜　　行〔１〕

    他走得很慢，
路上没有灯。
〔１〕　本篇在收入本书前没有发表过。

小园集》简介：
本书是编者编的。
"""


def test_plain_collection_keeps_only_the_authors_text() -> None:
    units = list(data.units_plain_collection("x.txt", COLLECTION))
    assert [uid for uid, _ in units] == ["x.txt#小　园", "x.txt#夜　　行"]
    assert units[0][1] == ["园里有两株树，一株是枣树，还有一株也是枣树。", "黄昏时下了一阵雨，叶子都湿了。"]
    assert units[1][1] == ["他走得很慢，路上没有灯。"]
    text = "".join(p for _, paras in units for p in paras)
    for edition in ("简介", "编者", "注释", "本篇", "⑴", "〔", "【", "□", "一九二四"):
        assert edition not in text


def test_every_manifest_genre_names_a_reader() -> None:
    for genre, spec in data.manifest()["genres"].items():
        assert spec["format"] in data.FORMATS, genre
        assert spec["licence"] and len(spec["commit"]) == 40, genre
