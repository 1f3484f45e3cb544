"""Excel export of a large result set: `python bench/xlsx_export.py [ROWS]`.

Times core.tabular.workbook_bytes on rows shaped like a patent search export (13 columns, a long abstract),
with CSV of the same rows as the baseline in the same run. Before issue 15 each row looked up ws.max_row,
which scans every cell: 10,000 rows took about 50 s; by position they take under 2 s.
"""

from __future__ import annotations

import sys
import time

from ipcity.core.tabular import csv_text, workbook_bytes

HEADER = ["pub", "app", "type", "filed", "published", "title", "applicants", "inventors", "ipc_main", "ipc",
          "region", "status", "abstract"]


def rows(n: int) -> list[list]:
    return [[f"CN{i:09d}A", f"CN2020{i:08d}", "invention", "2020-01-01", "2021-01-01", f"一种测试装置{i}",
             "示例公司; Example Corp", "张三; 李四", "A61B5/00", "A61B5/00; G06N3/08", "310115", "valid",
             "本发明涉及" + "测试" * 100] for i in range(n)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = rows(n)
    t = time.perf_counter()
    csv_text(HEADER, data)
    csv_s = time.perf_counter() - t
    t = time.perf_counter()
    size = len(workbook_bytes({"patents": (HEADER, data)}))
    xlsx_s = time.perf_counter() - t
    print(f"{n} rows: csv {csv_s:.2f} s (baseline), xlsx {xlsx_s:.2f} s, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
