"""The render worker: kept warm between jobs, stopped and replaced when a job overruns or dies,
and a pack rendered there draws its charts in a second process and still holds every chart."""

from __future__ import annotations

import base64
import io
import os
import signal
import time
from collections.abc import Iterator

import pytest
from pypdf import PdfReader

from bot import render_worker
from bot.pack_charts import ChartSource, chart_questions
from bot.pack_render import pack_labels, render_html, render_in_worker, render_pdf
from bot.packs import PackContext, build_pack
from bot.render_worker import RenderFailed, RenderTimeout, in_worker
from bot.texts import build_environment
from storage import answers, people
from tests.conftest import Harness
from tests.test_packs import TODAY, VEREIN, seed


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
    with ChartSource(ctx, pack_labels(env, ctx)) as charts:
        forked = charts._child != 0
        if forked:
            os.kill(charts._child, signal.SIGKILL)
        drawn = charts.all()
    return forked, len(drawn), all(png.startswith(b"\x89PNG") for png in drawn.values())


@pytest.fixture(autouse=True)
def fresh_worker() -> Iterator[None]:
    render_worker.shutdown()
    yield
    render_worker.shutdown()


async def test_the_worker_is_kept_for_the_next_job() -> None:
    first = await in_worker(worker_pid, None, 30, "pid")
    second = await in_worker(worker_pid, None, 30, "pid")
    assert first == second != os.getpid()


async def test_a_job_error_reaches_the_caller_and_the_worker_stays() -> None:
    before = await in_worker(worker_pid, None, 30, "pid")
    with pytest.raises(ValueError, match="kaputt"):
        await in_worker(fail, "kaputt", 30, "failing job")
    assert await in_worker(worker_pid, None, 30, "pid") == before


async def test_an_overrun_stops_the_worker_and_the_next_job_gets_a_new_one() -> None:
    before = await in_worker(worker_pid, None, 30, "pid")
    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        await in_worker(sleep, 30.0, 0.5, "slow job")
    assert time.monotonic() - started < 10
    after = await in_worker(worker_pid, None, 30, "pid")
    assert after != before


async def test_a_worker_that_dies_is_reported_and_replaced() -> None:
    with pytest.raises(RenderFailed):
        await in_worker(die, None, 30, "dying job")
    assert await in_worker(worker_pid, None, 30, "pid") != os.getpid()


async def seeded_pack(bot: Harness) -> PackContext:
    await seed(bot.db)
    return await build_pack(bot.db, bot.consultation, "ws-handel", TODAY)


async def test_a_pack_rendered_in_the_worker_holds_every_chart(bot: Harness) -> None:
    pack = await seeded_pack(bot)
    keys = [q.key for q in chart_questions(pack)]
    assert keys, "the seeded pack has questions with charts"

    rendered = await render_in_worker(pack)

    assert "chart:" not in rendered.html
    assert rendered.html.count('src="data:image/png;base64,') == len(keys)
    first = rendered.html.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(first).startswith(b"\x89PNG")
    pages = PdfReader(io.BytesIO(rendered.pdf)).pages
    images = {image.data for page in pages for image in page.images}  # pages share resources
    assert len(images) == len(keys)


async def test_charts_still_come_when_the_chart_process_dies(bot: Harness) -> None:
    pack = await seeded_pack(bot)
    forked, count, all_png = await in_worker(charts_after_child_killed, pack, 60, "charts")
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

    pdf = render_pdf(render_html(pack, with_charts=False))

    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert "Bitstream-Vera-Sans" in fonts and "Bitstream-Vera-Sans-Bold" in fonts
    assert any(name.startswith("DejaVu") for name in fonts), "Cyrillic comes from DejaVu Sans"
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "Привет → Hagenow" in text
