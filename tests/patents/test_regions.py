"""Administrative divisions: codes, names, addresses and the 国省代码 field."""

from __future__ import annotations

import csv

import pytest

from ipcity.patents.regions import CITY, DISTRICT, PROVINCE, regions
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def r():
    return regions()


def test_names_and_levels(r):
    assert r is regions()  # loaded once per process
    assert r.name("41") == "河南省" and r.name("4101") == "郑州市" and r.name("310115") == "浦东新区"
    assert r.name("3101") == "市辖区"  # a municipality's city level has no name of its own
    assert r.full_name("310115") == "上海市浦东新区"
    assert r.full_name("410105") == "河南省郑州市金水区"
    assert r.full_name("441900") == "广东省东莞市"  # the county-level row repeats the city name
    assert r.levels("310115") == ("31", "3101", "310115")
    assert r.levels("4101") == ("41", "4101", "")
    assert r.levels("41") == ("41", "", "")
    assert r.levels("") == r.levels("4101x") == r.levels("123") == ("", "", "")
    assert r.province_of("410105") == "41" and r.province_of("99") == ""
    assert r.division("310115").level == DISTRICT and r.division("3101").level == CITY
    assert r.division("31").level == PROVINCE
    with pytest.raises(KeyError):
        r.name("999999")


def test_children(r):
    assert len(r.children()) == 31 + 3  # NBS provinces + Taiwan, Hong Kong, Macao (GB/T 2260)
    shanghai = r.children("3101")
    assert len(shanghai) == 16 and "310115" in shanghai  # SOURCE.md: Shanghai has 16 districts


def test_shipped_tables_equal_the_shared_data(r):
    folder = shared_data("cn-admin-divisions")
    for name, level in (("provinces.csv", PROVINCE), ("cities.csv", CITY), ("areas.csv", DISTRICT)):
        with open(folder / name, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows
        for row in rows:
            assert r.name(row["code"]) == row["name"]
            assert r.division(row["code"]).level == level


@pytest.mark.parametrize(("address", "code"), [
    ("450000河南省郑州市郑东新区中道东路6号", "4101"),  # 郑东新区 is not a division: the city
    ("上海市浦东新区张江路", "310115"),
    ("上海浦东张江高科技园区", "310115"),
    ("上海 浦东", "310115"),
    ("200120 上海市浦东新区", "310115"),
    ("中国湖北省武汉市洪山区珞喻路1037号", "420111"),
    ("100084 北京市海淀区清华园", "110108"),
    ("广东省深圳市南山区科技园", "440305"),
    ("深圳市南山区", "440305"),  # no province written
    ("广东深圳南山", "440305"),  # short names throughout
    ("浙江杭州西湖区", "330106"),
    ("吉林市船营区", "220204"),  # 吉林市 the city, not 吉林 the province
    ("吉林省长春市朝阳区", "220104"),  # 朝阳区 of Changchun …
    ("北京朝阳区", "110105"),  # … and of Beijing
    ("重庆市渝北区", "500112"),
    ("天津市滨海新区", "120116"),
    ("内蒙古包头市昆都仑区", "150203"),
    ("江苏省苏州工业园区星湖街328号", "320576"),
    ("广东省东莞市松山湖", "441900"),
    ("湖南省长沙市", "4301"),
    ("河南郑州中原路", "4101"),  # 中原路 is a street, not 中原区
    ("上海市浦东大道", "31"),  # 浦东大道 is a street
    ("浦东新区张江路", "310115"),  # a district name unique in the country
    ("香港", "81"),
])
def test_from_address(r, address, code):
    assert r.from_address(address) == code


@pytest.mark.parametrize("address", ["", "美国加利福尼亚州", "朝阳区", "Tokyo"])
def test_from_address_finds_nothing(r, address):
    assert r.from_address(address) is None  # 朝阳区 alone: Beijing or Changchun?


def test_from_cn_province_field(r):
    assert r.from_cn_province_field("河南(41)") == "41"
    assert r.from_cn_province_field("上海（31）") == "31"
    assert r.from_cn_province_field("41") == "41"
    assert r.from_cn_province_field("广东") == "44"
    assert r.from_cn_province_field("台湾(71)") == "71"
    assert r.from_cn_province_field("日本(JP)") is None
    assert r.from_cn_province_field("郑州") is None  # a city is not a province
    assert r.from_cn_province_field("(99)") is None


def test_code_of(r):
    assert r.code_of("上海") == "31" and r.code_of("河南省") == "41"
    assert r.code_of("郑州") == "4101" and r.code_of("郑州市") == "4101"
    assert r.code_of("浦东新区") == "310115" and r.code_of("浦东") == "310115"
    assert r.code_of("朝阳区") is None  # several districts bear the name
    assert r.code_of("310115") == "310115"
    assert r.code_of("火星") is None


def test_grouping_rows_are_told_apart_from_cities():
    table = regions()
    assert table.is_grouping("1101") and table.is_grouping("4190")  # 北京 市辖区, 河南 省直辖县级行政区划
    assert not table.is_grouping("4101") and not table.is_grouping("11") and not table.is_grouping("9999")
