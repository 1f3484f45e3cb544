"""Search use cases over a loaded register: highlights, facets, paging, errors, semantic and hybrid, detail."""

from __future__ import annotations

import pytest

from ipcity.core.errors import DomainError, NotFound
from ipcity.patents import export, service


def test_plain_words_find_and_highlight(loaded, session):
    result = service.search(session, loaded, "锂离子电池")
    assert [r.record.pub_number for r in result.rows] == ["CN115000001A"]
    assert "<mark>" in str(result.rows[0].title_html) and "锂离子电池" in str(result.rows[0].title_html)


def test_field_codes_and_facets(loaded, session):
    result = service.search(session, loaded, "PA=上海示例新能源科技有限公司 AND AD>=2022-01-01",
                            facets=("applicant", "year", "district"))
    assert {r.record.pub_number for r in result.rows} == {"CN115000001A", "CN115000002A"}
    assert {(c.value, c.count) for c in result.facets["year"]} == {("2022", 2)}
    assert result.facets["district"][0].value == "310115"


def test_filters_narrow_and_paging_keeps_the_total(loaded, session):
    everything = service.search(session, loaded, "IPC=C07D*", per_page=5)
    assert everything.total > 5 and len(everything.rows) == 5
    second = service.search(session, loaded, "IPC=C07D*", per_page=5, page=2)
    assert second.total == everything.total
    assert not {r.record.pub_number for r in second.rows} & {r.record.pub_number for r in everything.rows}
    filtered = service.search(session, loaded, "IPC=C07D*", filters={"office": ("WO",)})
    assert 0 < filtered.total < everything.total
    assert all(r.record.office == "WO" for r in filtered.rows)


def test_sorting_by_publication_date(loaded, session):
    rows = service.search(session, loaded, "TI=ritonavir", sort="pub_date_asc", per_page=50).rows
    dates = [r.record.pub_date for r in rows if r.record.pub_date]
    assert len(dates) > 3 and dates == sorted(dates)


def test_a_syntax_error_points_at_the_place(loaded, session):
    with pytest.raises(DomainError) as caught:
        service.search(session, loaded, "TI=(电池 AND")
    problem = dict(caught.value.problems)["q"].render("en")
    assert "^" in problem and "TI=(电池 AND" in problem


def test_unknown_options_are_refused_by_name(loaded, session):
    with pytest.raises(DomainError) as caught:
        service.search(session, loaded, "电池", mode="magic", sort="random", filters={"colour": ("red",)})
    assert {f for f, _ in caught.value.problems} == {"mode", "sort", "f"}


def test_export_rows_follow_the_query(loaded, session):
    rows = [export.row(r) for r in export.records(session, loaded, "IPC=H01M*")]
    assert sorted(r[0] for r in rows) == ["CN115000001A", "CN115000002A"]
    assert len(rows[0]) == len(export.HEADER) == len(export.FIELDS)


def test_semantic_and_hybrid_search_after_training_the_encoder(loaded, session):
    before = service.search(session, loaded, "电池", mode="semantic")  # no encoder trained yet: the words answer
    assert before.ranking == "lexical" and before.total == 2
    assert any("not available" in n.msgid for n in before.notes)
    loaded.train_encoder(session)
    semantic = service.search(session, loaded, "一种锂离子电池的负极材料，含有石墨烯", mode="semantic", per_page=3)
    assert semantic.rows[0].record.pub_number == "CN115000001A"
    hybrid = service.search(session, loaded, "钠离子电池", mode="hybrid", per_page=5)
    assert hybrid.rows[0].record.pub_number == "CN115000002A"
    view = service.detail(session, loaded, "CN115000001A")
    assert view.similar and view.similar[0].pub_number != "CN115000001A"


def test_detail_gives_ipc_titles_in_both_languages(loaded, session):
    view = service.detail(session, loaded, "CN115000001A")
    codes = {code: (zh, en) for code, zh, en in view.ipc_titles}
    assert "锂离子电池" in codes["H01M10/0525"][0]
    assert codes["H01M4/583"][1]  # English down to the subclass
    with pytest.raises(NotFound):
        service.detail(session, loaded, "CN000000000A")


def test_a_chinese_query_also_finds_english_patents_with_the_terms_shown(loaded, session):
    result = service.search(session, loaded, "质谱", per_page=50)
    assert result.translation is not None and result.translation.target == "en"
    assert ("质谱", ("mass spectrometry",)) in result.translation.words
    found = {r.record.pub_number for r in result.rows}
    assert "CA2425495A1" in found or any("SPECTROMETRY" in r.record.title.upper() for r in result.rows)
    assert any("<mark>" in str(r.title_html) for r in result.rows if r.record.lang != "zh")
    assert "质谱" in result.reading and "spectrometry" not in result.reading  # the reading is of the words typed
    alone = service.search(session, loaded, "质谱", per_page=50, translate=False)
    assert alone.translation is None
    assert not any("SPECTROMETRY" in r.record.title.upper() for r in alone.rows)


def test_an_english_query_also_finds_chinese_patents(loaded, session):
    result = service.search(session, loaded, "lithium ion battery")
    assert result.translation is not None and "锂离子电池" in result.translation.terms
    assert "CN115000001A" in {r.record.pub_number for r in result.rows}
    assert "CN115000001A" not in {r.record.pub_number for r in
                                  service.search(session, loaded, "lithium ion battery", translate=False).rows}


def test_the_searchers_edited_terms_replace_the_dictionarys(loaded, session):
    edited = service.search(session, loaded, "锂离子电池", tr="锂离子电池: ritonavir", per_page=50)
    assert edited.translation.edited and edited.translation.terms == ("ritonavir",)
    assert any("RITONAVIR" in r.record.title.upper() for r in edited.rows)
    removed = service.search(session, loaded, "锂离子电池", tr="")
    assert removed.translation is None and [r.record.pub_number for r in removed.rows] == ["CN115000001A"]
    with pytest.raises(DomainError) as caught:
        service.search(session, loaded, "锂离子电池", tr="x" * 2001)
    assert [f for f, _ in caught.value.problems] == ["tr"]


def test_numbers_and_expressions_are_not_translated(loaded, session):
    assert service.search(session, loaded, "CN115000001A").translation is None
    assert service.search(session, loaded, "TI=锂离子电池").translation is None
    assert service.search(session, loaded, "锂离子电池", strict=True).translation is None
