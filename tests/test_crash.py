"""The bot survives SIGKILL: no tap lost or doubled, the last tap wins, every reply is backed.

The short run of tests/crash_harness.py (a few kills); `make crashtest` runs 50 and more.
"""

from __future__ import annotations

from pathlib import Path

from tests.crash_harness import crash_run


async def test_people_tapping_through_kills_lose_nothing_and_see_only_stored_replies(
    tmp_path: Path,
) -> None:
    figures = await crash_run(tmp_path, kills=2, people=4, seed=7, gap=(0.5, 2.0))
    report = figures.table() + "\n" + "\n".join(figures.problems[:20])
    assert figures.kills == 2
    assert figures.taps > 40, report  # people got through onboarding into the questionnaire
    assert (figures.lost, figures.duplicated) == (0, 0), report
    assert figures.wrong_answers == 0, report  # the stored answer is the last one tapped
    assert figures.reply_without_state == 0, report
    assert figures.integrity_errors == 0, report
    assert not figures.problems, report
