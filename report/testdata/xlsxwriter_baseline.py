"""The baseline of the report's speed (issue 14): the cells of a workshop
workbook written again by Python's XlsxWriter in constant-memory mode, from
memory. It reads WORKBOOK with openpyxl first (not timed), then times
writing every cell of every sheet into OUT, values only (no styles, charts
or print settings, which the report writes too).

    python3 report/testdata/xlsxwriter_baseline.py report.xlsx /tmp/baseline.xlsx

Debian: apt-get install python3-openpyxl python3-xlsxwriter (run it with
/usr/bin/python3 where another Python comes first on the PATH).
"""
import resource
import sys
import time

import openpyxl
import xlsxwriter

src, dst = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(src, read_only=True)
sheets, cells = [], 0
for ws in wb.worksheets:
    rows = [row for row in ws.iter_rows(values_only=True)]
    cells += sum(1 for row in rows for v in row if v is not None)
    sheets.append((ws.title, rows))

start = time.perf_counter()
out = xlsxwriter.Workbook(dst, {"constant_memory": True})
for title, rows in sheets:
    ws = out.add_worksheet(title[:31])
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
out.close()
took = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{len(sheets)} sheets, {cells} cells written in {took:.2f} s (process peak {rss} kB)")
