"""The render worker: kept warm between jobs, stopped and replaced when a job overruns or dies,
and a pack rendered there draws its charts in a second process and still holds every chart."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.documents.charts import ChartSource
from bot.documents.kinds import PACK, chart_questions
from bot.documents.pdf import render_pdf
from bot.documents.pipeline import Rendered, render_html, render_in_worker
from bot.documents.worker import WORKER_NICENESS, RenderFailed, RenderPool, RenderTimeout
from bot.pack_context import PackContext
from bot.packs import build_pack
from bot.texts import build_environment
from storage import answers, people
from tests.conftest import STAFF_ID, Harness
from tests.paper import pdf_dict
from tests.test_packs import TODAY, VEREIN, running, seed

__all__ = ["running"]  # the fixture: the bot with its application started


def worker_pid(_: object) -> int:
    return os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def die(_: object) -> None:
    os._exit(3)


def charts_after_child_killed(ctx: PackContext) -> tuple[bool, int, bool]:
    """In the worker (one thread, so it forks): kill the chart process at once; the charts
    must still all come, drawn in the worker itself."""
    env = build_environment()
    with ChartSource(PACK.charts(ctx, env)) as charts:
        forked = charts._child != 0
        if forked:
            os.kill(charts._child, signal.SIGKILL)
        drawn = charts.all()
    return forked, len(drawn), all(png.startswith(b"\x89PNG") for png in drawn.values())


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    with RenderPool() as fresh:
        yield fresh


async def test_the_worker_is_kept_for_the_next_job(pool: RenderPool) -> None:
    first = await pool.run(worker_pid, None, 30, "pid")
    second = await pool.run(worker_pid, None, 30, "pid")
    assert first == second != os.getpid()


def niceness(_: object) -> int:
    return os.nice(0)


async def test_the_worker_yields_the_processor_to_the_bot(pool: RenderPool) -> None:
    """A pack renders for seconds: on a two-core server the bot's replies must come first."""
    assert await pool.run(niceness, None, 30, "nice") == min(19, os.nice(0) + WORKER_NICENESS)


async def test_a_job_error_reaches_the_caller_and_the_worker_stays(pool: RenderPool) -> None:
    before = await pool.run(worker_pid, None, 30, "pid")
    with pytest.raises(ValueError, match="kaputt"):
        await pool.run(fail, "kaputt", 30, "failing job")
    assert await pool.run(worker_pid, None, 30, "pid") == before


async def test_an_overrun_stops_the_worker_and_the_next_job_gets_a_new_one(
    pool: RenderPool,
) -> None:
    before = await pool.run(worker_pid, None, 30, "pid")
    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        await pool.run(sleep, 30.0, 0.5, "slow job")
    assert time.monotonic() - started < 10
    after = await pool.run(worker_pid, None, 30, "pid")
    assert after != before


async def test_a_worker_that_dies_is_reported_and_replaced(pool: RenderPool) -> None:
    with pytest.raises(RenderFailed):
        await pool.run(die, None, 30, "dying job")
    assert await pool.run(worker_pid, None, 30, "pid") != os.getpid()


async def seeded_pack(bot: Harness) -> PackContext:
    await seed(bot.db)
    return await build_pack(bot.db, bot.consultation, "ws-handel", TODAY)


async def test_a_pack_rendered_in_the_worker_holds_every_chart(
    bot: Harness, pool: RenderPool
) -> None:
    pack = await seeded_pack(bot)
    keys = [q.key for q in chart_questions(pack)]
    assert keys, "the seeded pack has questions with charts"

    rendered = await render_in_worker(pool, PACK, pack)

    assert "chart:" not in rendered.html
    assert rendered.html.count('src="data:image/png;base64,') == len(keys)
    first = rendered.html.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(first).startswith(b"\x89PNG")
    pages = PdfReader(io.BytesIO(rendered.pdf)).pages
    images = {image.data for page in pages for image in page.images}  # pages share resources
    assert len(images) == len(keys)


async def test_charts_still_come_when_the_chart_process_dies(
    bot: Harness, pool: RenderPool
) -> None:
    pack = await seeded_pack(bot)
    forked, count, all_png = await pool.run(charts_after_child_killed, pack, 60, "charts")
    assert forked, "the worker has one thread, so the charts are drawn in a forked process"
    assert count == len(chart_questions(pack))
    assert all_png


async def test_the_pack_uses_the_bundled_font_and_falls_back_for_other_scripts(
    bot: Harness,
) -> None:
    await seed(bot.db)
    verein = await people.by_telegram_id(bot.db, VEREIN)  # the one without a hint yet
    assert verein is not None
    await answers.save(
        bot.db, verein.id, "sq-handel", "hinweis", "Привет → Hagenow", now=bot.clock()
    )
    pack = await build_pack(bot.db, bot.consultation, "ws-handel", TODAY)

    pdf = render_pdf(render_html(PACK, pack, with_charts=False))

    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in pdf_dict(pdf_dict(page["/Resources"])["/Font"]).values()
    }
    assert "Bitstream-Vera-Sans" in fonts and "Bitstream-Vera-Sans-Bold" in fonts
    assert any(name.startswith("DejaVu") for name in fonts), "Cyrillic comes from DejaVu Sans"
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "Привет → Hagenow" in text


def wait_for_file(path: str) -> int:
    """A job that holds its worker until the test creates `path`."""
    while not os.path.exists(path):
        time.sleep(0.02)
    return os.getpid()


async def test_at_most_two_workers_at_once_and_the_rest_are_told_their_place(
    tmp_path: Path,
) -> None:
    gate = str(tmp_path / "go")
    places: list[int] = []

    async def told(place: int) -> None:
        places.append(place)

    with RenderPool(2) as pool:
        jobs = [
            asyncio.create_task(pool.run(wait_for_file, gate, 60, f"job {n}", queued=told))
            for n in range(5)
        ]
        while pool.waiting < 3:  # noqa: ASYNC110 - counted, not timed
            await asyncio.sleep(0.01)
        assert (pool.running, pool.waiting, places) == (2, 3, [1, 2, 3])
        Path(gate).touch()  # noqa: ASYNC240 - a marker file, instant
        pids = await asyncio.gather(*jobs)
    assert len(set(pids)) <= 2  # never more than two worker processes
    assert (pool.running, pool.waiting) == (0, 0)


async def test_a_staff_request_beyond_the_pool_gets_its_place_in_german(
    running: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = running
    await seed(bot.db)
    pool = bot.app.bot_data.renders
    assert pool is not None
    release = asyncio.Event()

    async def held(render: object, ctx: object, limit: float, what: str) -> object:
        await release.wait()
        return Rendered("<p>Pack</p>", b"%PDF-1.4 pack")

    monkeypatch.setattr(pool, "_run", held)
    staff = bot.user(STAFF_ID, "Sabine")
    for _ in range(3):
        await staff.send("/digest ws-handel")
    while pool.waiting < 1:  # noqa: ASYNC110 - counted, not timed
        await asyncio.sleep(0.01)
    assert "Wird erstellt – Platz 1" in (staff.last.text or "")
    # People's taps are not held up meanwhile.
    anna = bot.user(1001)
    await anna.send("/hilfe")
    assert "/umfrage" in (anna.last.text or "")
    release.set()
    while len([m for m in bot.api.chat(STAFF_ID) if m.document]) < 6:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
