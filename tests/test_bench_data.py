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


def _zipped_replies(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io
    import zipfile

    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=["id", "type", "reference", "userIdsha256", "appId", "text", "createdAt"])
    w.writeheader()
    for row in rows:
        w.writerow({"type": "RUMOR", "userIdsha256": "u", "appId": "WEBSITE", "createdAt": "2018-01-01", **row})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("replies.csv", out.getvalue())
    return buf.getvalue()


def test_cofacts_replies_keep_the_editors_text_once() -> None:
    # written for this test in the layout of the open data: a reply with a quoted source in its
    # reference field, a stock reply used twice, an empty one and one of several lines
    blob = _zipped_replies([
        {"id": "a1", "text": "這是舊聞，活動早就結束了。", "reference": "某報導原文：引用的段落\nhttp://example.org/x"},
        {"id": "a2", "text": "與查證無關的測試訊息。"},
        {"id": "a3", "text": "與查證無關的測試訊息。"},
        {"id": "a4", "text": "  "},
        {"id": "a5", "text": "錯誤。\r\n\r\n官方說明並沒有這項規定，\n請不要再轉傳。"},
    ])
    units = list(data.units_cofacts_replies_zip("data/replies.csv.zip", blob))
    assert units == [
        ("data/replies.csv.zip#a1", ["這是舊聞，活動早就結束了。"]),
        ("data/replies.csv.zip#a2", ["與查證無關的測試訊息。"]),
        ("data/replies.csv.zip#a5", ["錯誤。", "官方說明並沒有這項規定，", "請不要再轉傳。"]),
    ]
    assert "cofacts-replies-zip" in data.BINARY_FORMATS
