"""A generated 5,000-line schedule (50 chapters × 100 lines, 3 levels) reads and writes back
whole. Its timing is measured by bench/run.py (goal: import ≤ 3 s), not here."""

from __future__ import annotations

from chantier.quotes.tender_schedule import export_tender_schedule, parse_tender_schedule
from tests.quotes.schedules import big_schedule


def test_a_5000_line_schedule_parses_whole():
    result = parse_tender_schedule(big_schedule())
    assert len(result.chapters) == 50
    assert result.report.lines() == ["DPGF: imported 550 chapters, 5000 lines"]
    assert all(len(chapter.chapters) == 10 for chapter in result.chapters)


def test_exporting_then_reading_back_5000_lines_gives_the_same_tree():
    result = parse_tender_schedule(big_schedule())
    again = parse_tender_schedule(export_tender_schedule(result.chapters))
    assert again.chapters == result.chapters
