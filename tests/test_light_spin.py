"""The dictionaries' spin score is a light-spin test (spinrate.detection_llr). The texts are our own."""
from __future__ import annotations

import repair
from repair.engine.lattice import Clue
from repair.engine.params import ModelParams
from repair.engine.spinrate import detection_llr

CITY = ("市政府昨天召开新闻发布会，介绍今年城市建设的进展情况。目前，全市已有三十多个老旧小区完成改造，"
        "新建的社区服务中心也陆续投入使用。负责人表示，改造工作坚持以居民需求为中心，通过广泛征求意见，"
        "解决了停车难、照明差等一批群众反映强烈的问题。下一步，市里将继续推动基础设施建设，"
        "积极促进公共服务向郊区延伸，全面提升居民的生活质量。与此同时，有关部门还将加强对施工人员的安全培训，"
        "确保工程质量和进度。专家认为，这些举措有利于国家新型城镇化战略在本地落地，也为其他城市提供了可以借鉴的经验。")
# five of the page's words swapped, as a light spinner would
CITY_SPUN = (CITY.replace("目前", "今朝").replace("通过", "经由过程").replace("问题", "题目")
             .replace("积极", "踊跃").replace("人员", "职员"))
CLASSICAL = ("秋夜独坐，庭中月色如水，竹影横斜，虫声四起。吾思故人远在千里之外，音书久绝，未知安否。"
             "昔年同游江上，把酒论文，意气相得，以为天下之乐莫过于此；今则各在天涯，白发渐生矣。"
             "人生若干寒暑，聚散本无常，唯愿其身康健，他日相逢，犹能共醉一场。")
LITERARY = ("那年冬天，外婆家的院子里落满了雪。她总是一早起来扫出一条小路，通向井边，也通向那棵老梅树。"
            "我问她为什么不等雪停了再扫，她笑着说，雪是扫不完的，路却总要有人走。后来我离开了小镇，"
            "在城市里过着忙碌的日子，却常常在梦里回到那条小路，听见扫帚划过雪地的声音。")
FARM = ("今年春耕以来，县农业部门组织技术人员深入田间地头，指导农民科学施肥、合理灌溉。"
        "据统计，全县粮食播种面积比去年增加了五千亩，其中优质水稻占六成以上。"
        "不少村子还成立了合作社，统一采购种子和农机，降低了生产成本，农民的收入有了明显提高。")
P = ModelParams()


def test_a_lightly_spun_page_scores_far_above_its_clean_original() -> None:
    r = repair.Repairer()
    clean, spun = r.analyse(CITY), r.analyse(CITY_SPUN)
    assert clean.spin_score < 0.01
    assert spun.spin_score > 0.1
    assert spun.spin_score > 100 * clean.spin_score
    assert spun.evidence.llr > 3.0 > 0.0 > clean.evidence.llr


def test_classical_and_literary_passages_stay_low() -> None:
    r = repair.Repairer()
    for text in (CLASSICAL, LITERARY, FARM):
        assert r.spin_score(text) < 0.01, text


def test_joined_clean_text_does_not_rise_with_its_length() -> None:
    r = repair.Repairer()
    pages = [CITY, LITERARY, FARM, CLASSICAL]
    one = max(r.spin_score(p) for p in pages)
    joined = r.spin_score("\n".join(pages))
    many = r.spin_score("\n".join(pages * 10))
    assert joined <= one < 0.01 and many <= joined


def test_decisions_do_not_depend_on_the_light_spin_test() -> None:
    other = ModelParams(detection_context=2.0, detection_frequency=0.0, detection_intact=1.0, detection_prior=0.5)
    for text in (CITY, CITY_SPUN, CLASSICAL):
        a = repair.Repairer().analyse(text)
        b = repair.Repairer(repair.Config(params=other)).analyse(text)
        assert a.fixed == b.fixed and a.changes == b.changes and a.spin_rate == b.spin_rate
        assert a.evidence.spun == b.evidence.spun


def test_an_author_s_fitting_word_is_no_evidence_and_intact_words_count_against() -> None:
    garble = Clue(1.5, 0, "今朝", 1.0, "ambiguous")
    fitting = Clue(-0.5, 0, "天下", 0.0, "ambiguous")
    assert detection_llr([garble], 1, 1.0, P) > 0.5
    assert abs(detection_llr([fitting], 1, 1.0, P)) < 1e-12
    assert detection_llr([fitting], 2, 1.0, P) < 0.0  # beside an intact opportunity
    # the same garble among more intact opportunities says less
    assert detection_llr([garble], 40, 1.0, P) < detection_llr([garble], 5, 1.0, P)
    # a marker (a form only spinners write) says more than an ambiguous word
    assert detection_llr([garble._replace(kind="marker")], 1, 1.0, P) > detection_llr([garble], 1, 1.0, P)


def test_the_test_counts_as_far_as_the_text_is_modern() -> None:
    garbles = [Clue(1.5, 0, f"词{i}", 2.0, "ambiguous") for i in range(5)]
    modern = detection_llr(garbles, 20, 1.0, P)
    formal = detection_llr(garbles, 20, P.formal_floor, P)
    assert modern > 3.0 and abs(formal) < 0.05


def test_a_repeated_form_counts_once() -> None:
    once = detection_llr([Clue(1.5, 0, "今朝", 1.0, "ambiguous")], 1, 1.0, P)
    thrice = detection_llr([Clue(1.5, 0, "今朝", 1.0, "ambiguous")] * 3, 3, 1.0, P)
    assert abs(once - thrice) < 1e-9


def test_table_pairs_are_left_to_their_own_source() -> None:
    table = Clue(2.0, 1, "方式", 2.0, "table")
    assert detection_llr([table], 1, 1.0, P) == detection_llr([], 1, 1.0, P)
