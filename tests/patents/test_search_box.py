"""The one search box over a loaded register: numbers in every spelling, plain words never left empty, pasted
abstracts never a syntax error, mixed Chinese and English, graceful hybrid, patent pages at every number."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import pytest

from ipcity.core.errors import DomainError
from ipcity.core.roles import Actor
from ipcity.patents import service
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.search import understand
from tests.conftest import shared_data


# CN115000001A of tests/patents/data/sample.jsonl has application number CN202210000001.0
@pytest.fixture
def searchable_client(app, client, loaded):
    return client


SPELLINGS = ["CN115000001A", "CN115000001", "cn115000001a", "CN 115000001 A", "115000001A", "115000001",
             "CN202210000001.0", "202210000001.0", "2022100000010", "ZL202210000001.0", "ZL 2022 1000 0001.0",
             "zl202210000001.0", "ＣＮ２０２２１００００００１．０", "202210000001"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_number_in_any_spelling_finds_its_patent(loaded, session, spelling):
    result = service.search(session, loaded, spelling)
    assert result.understood == understand.NUMBER
    assert [r.record.pub_number for r in result.rows] == ["CN115000001A"]
    assert result.family == "CN115000001A"


def test_several_numbers_at_once_and_a_wrong_check_character(loaded, session):
    both = service.search(session, loaded, "CN115000001A, CN115000002A")
    assert {r.record.pub_number for r in both.rows} == {"CN115000001A", "CN115000002A"} and both.family == ""
    wrong = service.search(session, loaded, "ZL202210000001.9")
    assert wrong.understood == understand.NUMBER and wrong.total == 0
    assert any("check character" in n.params["reason"].en for n in wrong.notes)


@pytest.mark.parametrize("words", ["锂离子电池 钠离子电池", "钠离子电池 石墨烯 负极", "无人机 数据接口 航拍",
                                   "graphene lithium battery 负极", "ritonavir tablet dissolution"])
def test_multi_word_queries_are_never_left_empty(loaded, session, words):
    result = service.search(session, loaded, words)
    assert result.understood == understand.WORDS and result.total > 0


def test_best_match_puts_the_patent_with_every_word_first(loaded, session):
    rows = service.search(session, loaded, "石墨烯 锂离子电池 负极").rows
    assert rows[0].record.pub_number == "CN115000001A"
    strict = service.search(session, loaded, "石墨烯 锂离子电池 钠离子", strict=True)
    assert strict.understood == understand.EXPRESSION and strict.total == 0  # the language stays strict
    loose = service.search(session, loaded, "石墨烯 锂离子电池 钠离子")
    assert {r.record.pub_number for r in loose.rows} >= {"CN115000001A", "CN115000002A"}


@pytest.mark.parametrize("pasted", [
    "NOVELTY - The composition comprises ritonavir: a HIV protease inhibitor. USE - For treating HIV infection. "
    "ADVANTAGE - Improved bioavailability (oral",
    "A tablet + film coating: ritonavir [amorphous] dispersed in a polymer - (copovidone) - with sorbitan",
    "本发明公开了一种锂离子电池负极材料：石墨烯改性，循环性能好 - 成本低（可工业化生产",
    "Ritonavir 片剂 comprising 利托那韦 and a solubiliser: improved dissolution -- 溶出度提高 ) (",
])
def test_pasted_text_is_searched_never_a_syntax_error(loaded, session, pasted):
    result = service.search(session, loaded, pasted)
    assert result.understood in (understand.TEXT, understand.WORDS) and result.total > 0


def test_a_meant_expression_with_a_mistake_is_still_explained(loaded, session):
    with pytest.raises(DomainError) as caught:
        service.search(session, loaded, "TI=(电池 AND")
    assert caught.value.field == "q"
    with pytest.raises(DomainError):
        service.search(session, loaded, "TTI=电池")  # a field-code typo gets "did you mean"


def test_expression_that_finds_nothing_suggests_wider_searches(loaded, session):
    result = service.search(session, loaded, "TI=(石墨烯 AND 钠离子)", filters={"year": ("2022",)})
    assert result.total == 0
    labels = {s.label.msgid for s in result.suggestions}
    assert "Any of the words, best matches first" in labels
    assert all(s.total > 0 for s in result.suggestions)


def test_hybrid_without_an_encoder_degrades_to_the_words(loaded, session):
    result = service.search(session, loaded, "钠离子电池", mode="hybrid")
    assert result.ranking == "lexical" and result.rows[0].record.pub_number == "CN115000002A"


def test_a_pasted_text_is_fused_with_meaning_once_an_encoder_exists(loaded, session):
    loaded.train_encoder(session)
    text = ("一种石墨烯改性的锂离子电池负极材料，循环性能好，可用于动力电池，"
            "制备方法简单，成本低廉，适合大规模工业化生产和应用")
    result = service.search(session, loaded, text)
    assert result.understood == understand.TEXT and result.ranking == "fused"
    assert result.rows[0].record.pub_number == "CN115000001A"
    unmatched = service.search(session, loaded, "量子纠缠通信 zeppelin airship", mode="hybrid")
    assert unmatched.ranking == "semantic" and unmatched.total > 0  # the meaning answers when no word matches


@pytest.mark.parametrize("spelling", ["ZL202210000001.0", "202210000001.0", "CN115000001", "2022100000010"])
def test_patent_pages_open_at_every_number(searchable_client, spelling):
    page = searchable_client.get(f"/patents/{spelling}", follow_redirects=False)
    assert page.status_code == 302 and page.headers["location"] == "/patents/CN115000001A"
    api = searchable_client.get(f"/api/patents/{spelling}")
    assert api.status_code == 200 and api.json()["pub_number"] == "CN115000001A"
    box = searchable_client.get("/patents", params={"q": spelling}, follow_redirects=False)
    assert box.status_code == 303 and box.headers["location"] == "/patents/CN115000001A"


def test_an_unknown_number_is_a_404_and_the_search_page_says_why(searchable_client):
    assert searchable_client.get("/patents/ZL202210000099.3").status_code == 404
    page = searchable_client.get("/patents", params={"q": "ZL202210000099.3"})
    assert page.status_code == 200 and 'id="number-not-found"' in page.text


def test_the_page_says_how_the_query_was_read(searchable_client):
    page = searchable_client.get("/patents", params={"q": "石墨烯 电池 无人机"})
    assert 'data-understood="words"' in page.text and 'id="run-as-expression"' in page.text
    strict = searchable_client.get("/patents", params={"q": "石墨烯 电池 无人机", "as": "expression"})
    assert 'data-understood="expression"' in strict.text and 'id="run-as-words"' in strict.text
    data = searchable_client.get("/api/patents/search", params={"q": "石墨烯 电池"}).json()
    assert data["understood"] == "words" and data["hits"][0]["applicants"]


def test_real_abstracts_used_as_queries_find_their_own_patent(db, engine, session):
    """Derwent abstracts ("NOVELTY - … USE - …") pasted whole: none refused, and each finds its own record."""
    path = shared_data("patent-landscape-wipo-manual") / "drones_derwent_2691.jsonl.gz"
    ingest_file(db, engine, path, Actor.system("tests"))
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(120), handle, strict=False)]
    pasted = [r for r in records if (r.get("abstract") or "").strip()]
    assert len(pasted) >= 100
    own_first = 0
    for r in pasted:
        result = service.search(session, engine, r["abstract"][:1000], per_page=10)
        titles = [row.record.title for row in result.rows]
        own_first += (r.get("title") or "") in titles
    assert own_first / len(pasted) >= 0.9


def test_register_numbers_on_lists_open_the_patent_page(app, client, db, engine):
    """The ZL number printed on the open-licence list, the pledge gazette and certificates opens the patent."""
    from ipcity.patents.demo_register import ensure_demo_patents
    from ipcity.web.templating import _patent_link

    with db.session() as s:
        ensure_demo_patents(s)
        s.commit()
        engine.sync(s)
    link = _patent_link("ZL201919990001.5")
    assert 'href="/patents/ZL201919990001.5"' in link
    page = client.get("/patents/ZL201919990001.5")
    assert page.status_code == 200 and "CN201919990001.5" in page.text
    assert 'id="synthetic-banner"' in page.text  # the demo register is fictional, and says so


def test_a_large_export_is_a_background_job_with_the_api_fields(app, client, loaded, people, monkeypatch):
    from ipcity.core import jobs
    from ipcity.patents import export, views
    from tests.support.people import login

    monkeypatch.setattr(views, "DIRECT_EXPORT_ROWS", 2)  # the ritonavir set has far more than two hits
    login(client, "company")
    started = client.get("/patents", params={"q": "ritonavir", "format": "csv"}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs#job-")
    services = app.state.services
    jobs.run_pending(services.db, services.registry, services)
    listing = client.get("/jobs")
    file_url = re.search(r'href="(/files/\d+)"', listing.text).group(1)
    rows = list(csv.reader(io.StringIO(client.get(file_url).content.decode("utf-8-sig"))))
    assert rows[0] == list(export.HEADER)
    api = client.get("/api/patents/search", params={"q": "ritonavir", "per_page": 1}).json()
    assert len(rows) - 1 == api["total"] > 2
    assert {key for key, _ in export.FIELDS} <= set(api["hits"][0])  # the file has the API's fields


def test_a_misspelt_word_gets_did_you_mean_in_the_words_patents_use(loaded, session):
    result = service.search(session, loaded, "ritonavr tablet")  # one word found, one misspelt
    assert result.total > 0
    meant = [s for s in result.suggestions if s.label.msgid == "Did you mean: {words}"]
    assert meant and meant[0].q == "ritonavir tablet" and meant[0].total > 0
    assert not service.search(session, loaded, "ritonavir tablet").suggestions  # nothing to correct


def test_words_are_also_searched_in_the_other_language():
    from ipcity.patents.search import crosslingual
    from ipcity.patents.search.ast import BestMatch, Or

    with_translation = understand.with_translation

    translation = crosslingual.parse_edited("锂电池: lithium battery", crosslingual.ZH)
    words = understand.understand("锂电池")
    both = with_translation(words, translation)
    assert isinstance(both.node, Or) and both.typed == words.node
    assert both.node.children[1] == BestMatch("tac", "lithium battery", coordinate=True)
    assert both.translation is translation
    text = understand.understand("锂电池" * 60)
    pasted = with_translation(text, translation)  # a pasted text reaches the other language by meaning only
    assert pasted.node == text.node and pasted.translation is translation
    for unchanged in ("CN115000001A", "TI=锂电池", "H01M"):
        assert with_translation(understand.understand(unchanged), translation) == understand.understand(unchanged)
    assert with_translation(words, None) == words
    assert with_translation(words, crosslingual.parse_edited("", crosslingual.ZH)) == words


def test_the_page_and_the_api_show_and_take_the_translated_terms(searchable_client):
    page = searchable_client.get("/patents", params={"q": "质谱"})
    assert page.status_code == 200 and 'id="search-translation"' in page.text and "mass spectrometry" in page.text
    assert 'name="tr"' in page.text and 'id="no-translation"' in page.text
    off = searchable_client.get("/patents", params={"q": "质谱", "xl": "0"})
    assert off.status_code == 200 and 'id="search-translation-off"' in off.text and "mass spectrometry" not in off.text
    edited = searchable_client.get("/patents", params={"q": "质谱", "tr": "质谱: ritonavir"})
    assert edited.status_code == 200 and "tr=" in edited.text  # the pager and facet links keep the edited terms
    too_long = searchable_client.get("/patents", params={"q": "质谱", "tr": "x" * 5000})
    assert too_long.status_code == 400
    api = searchable_client.get("/api/patents/search", params={"q": "质谱"}).json()
    assert api["translation"]["to"] == "en"
    assert {"word": "质谱", "terms": ["mass spectrometry"]} in api["translation"]["words"]
    assert searchable_client.get("/api/patents/search", params={"q": "质谱", "xl": "0"}).json()["translation"] is None
    assert searchable_client.get("/api/patents/search", params={"q": "质谱", "tr": "x" * 5000}).status_code == 400
