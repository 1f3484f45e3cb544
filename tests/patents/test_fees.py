"""Terms and annual fees, computed by hand from rules.md §12.4–12.5 and §2.3."""

from __future__ import annotations

from datetime import date

import pytest

from ipcity.patents import fees
from ipcity.patents.record import DESIGN, INVENTION, UTILITY


def test_terms_count_from_the_filing_date():
    assert fees.term_end(INVENTION, date(2020, 3, 15)) == date(2040, 3, 14)
    assert fees.term_end(UTILITY, date(2020, 3, 15)) == date(2030, 3, 14)
    assert fees.term_end(DESIGN, date(2021, 6, 1)) == date(2036, 5, 31)
    assert fees.term_end(DESIGN, date(2021, 5, 31)) == date(2031, 5, 30)  # before the 2020 law took effect
    with pytest.raises(ValueError):
        fees.term_years("plant", date(2020, 1, 1))


def test_patent_years_turn_on_the_filing_anniversary():
    filed = date(2020, 3, 15)
    assert fees.patent_year(filed, date(2020, 3, 15)) == 1
    assert fees.patent_year(filed, date(2021, 3, 14)) == 1
    assert fees.patent_year(filed, date(2021, 3, 15)) == 2
    assert fees.patent_year(date(2020, 2, 29), date(2021, 2, 28)) == 2


@pytest.mark.parametrize(("kind", "year", "fee"), [
    (INVENTION, 1, 900), (INVENTION, 3, 900), (INVENTION, 4, 1200), (INVENTION, 9, 2000), (INVENTION, 10, 4000),
    (INVENTION, 15, 6000), (INVENTION, 20, 8000), (UTILITY, 5, 900), (UTILITY, 10, 2000), (DESIGN, 11, 3000),
    (DESIGN, 15, 3000)])
def test_annual_fee_table(kind, year, fee):
    assert fees.annual_fee(kind, year) == fee


def test_no_fee_beyond_the_term():
    with pytest.raises(ValueError):
        fees.annual_fee(UTILITY, 11)
    with pytest.raises(ValueError):
        fees.annual_fee(DESIGN, 11, date(2020, 1, 1))  # a 10-year design


def test_late_payment_surcharge_is_5_percent_per_whole_month_within_six_months():
    due = date(2025, 3, 14)
    assert fees.surcharge(2000, due, date(2025, 3, 14)) == 0
    assert fees.surcharge(2000, due, date(2025, 4, 13)) == 0  # under a month
    assert fees.surcharge(2000, due, date(2025, 4, 14)) == 100
    assert fees.surcharge(2000, due, date(2025, 9, 14)) == 600  # the sixth month, last day of grace
    with pytest.raises(ValueError, match="grace period"):
        fees.surcharge(2000, due, date(2025, 9, 15))


def test_reductions_do_not_stack_the_most_favourable_applies():
    assert fees.payable(4000, [fees.OPEN_LICENCE]) == (3400, fees.OPEN_LICENCE)
    assert fees.payable(4000, [fees.OPEN_LICENCE, fees.SINGLE_SMALL]) == (600, fees.SINGLE_SMALL)
    assert fees.payable(4000, [fees.SEVERAL_SMALL, fees.OPEN_LICENCE]) == (1200, fees.SEVERAL_SMALL)
    assert fees.payable(4000, []) == (4000, None)


def test_schedule_switches_to_the_open_licence_reduction_when_the_small_entity_one_ends():
    filed, granted = date(2015, 3, 15), date(2018, 6, 1)  # granted in patent year 4
    rows = fees.schedule(INVENTION, filed, granted, small_entity=fees.SINGLE_SMALL,
                         open_licence_years=set(range(12, 21)))
    assert rows[0].year == 4 and rows[0].due == granted and rows[-1].year == 20
    by_year = {r.year: r for r in rows}
    assert by_year[5].due == date(2019, 3, 14)  # before year 5 begins
    assert by_year[5].payable == 180 and by_year[5].reduction is fees.SINGLE_SMALL  # 1,200 less 85 %
    # the 减缴 years end 10 years after grant (years starting before 2028-06-01): year 14 starts 2028-03-15
    assert by_year[14].reduction is fees.SINGLE_SMALL
    assert by_year[15].reduction is fees.OPEN_LICENCE and by_year[15].payable == 5100  # 6,000 less 15 %
    assert by_year[11].reduction is fees.SINGLE_SMALL  # open licence and 85 %: 85 % wins, not 100 %
    assert by_year[11].payable == 600


def test_no_schedule_before_grant():
    assert fees.schedule(UTILITY, date(2024, 1, 1), None) == []
