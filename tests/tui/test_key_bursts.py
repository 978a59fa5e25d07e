"""Keys that arrive together (a paste, buffered input over SSH) never crash the explorer.

The keys are posted to the app in one go, without waiting for each to be handled, which is
how a burst reaches Textual from a terminal: `q` then `o` in one read used to push the tree
screen onto a closing app, whose `on_mount` then found no widgets (NoMatches, exit 1).
Hypothesis draws the sequences; examples and time are bounded so the suite stays fast.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from tui.app import BlindspotApp

from .fixtures import INSTANCE, VPC, build_snapshot
from .helpers import run, settle, started

#: Every key some screen binds, plus the ones a user reaches for by reflex.
KEYS = [
    "q", "o", "l", "x", "r", "g", "f", "s", "t", "e", "c", "y", "i", "v", "d", "T",
    "question_mark", "slash", "plus", "minus", "enter", "escape", "up", "down", "left",
    "right", "pageup", "pagedown", "home", "end", "a", "ctrl+c",
]  # fmt: skip

#: How each run starts: the screen the burst lands on.
STARTS = {
    "matrix": (),
    "list": ("l",),
    "tree": ("o",),
    "errors": ("x",),
    "help": ("question_mark",),
    "detail": (VPC,),
    "trace": (INSTANCE, "t"),
}


def _character(key: str) -> str | None:
    named = {"question_mark": "?", "slash": "/", "plus": "+", "minus": "-"}
    if key in named:
        return named[key]
    return key if len(key) == 1 else None


async def _burst(start: str, keys: list[str]) -> BlindspotApp:
    app = BlindspotApp(snapshot=build_snapshot())
    async with started(app, size=(80, 24)) as pilot:
        for step in STARTS[start]:
            if step.startswith("arn:"):
                app.open_resource(step)
            else:
                await pilot.press(step)
            await settle(pilot, app)
        for key in keys:  # all at once: nothing is handled before the last is queued
            app.post_message(events.Key(key, _character(key)))
        for _ in range(4):
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    return app


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    start=st.sampled_from(sorted(STARTS)),
    keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=12),
)
def test_any_burst_of_keys_on_any_screen_never_crashes(start: str, keys: list[str]) -> None:
    async def body() -> None:
        app = await _burst(start, keys)
        # A crash ends the app with exit code 1 and the traceback as its exit renderable.
        assert app.return_code in (0, None), (start, keys, app._exit_renderables)

    run(body())


def test_quit_then_navigation_keys_in_one_burst_exit_cleanly() -> None:
    """The sequences the trial hit: `q` followed by `o`, `l` or `x` before the app closed."""

    async def body() -> None:
        for follow in ("o", "l", "x", "question_mark", "enter"):
            app = await _burst("matrix", ["q", follow])
            assert app.return_code == 0, (follow, app._exit_renderables)

    run(body())


def test_palette_and_help_after_q_in_one_burst_never_crash() -> None:
    """`?` and `/` after `q` do nothing; `ctrl+p` is a priority binding, so the palette
    may open before the bubbling `q` arrives (which then types into it): no crash either."""

    async def body() -> None:
        for follow in ("question_mark", "slash"):
            app = await _burst("list", ["q", follow])
            assert app.return_code == 0, (follow, app._exit_renderables)
        app = await _burst("list", ["q", "ctrl+p"])
        assert app.return_code in (0, None) and not app._exit_renderables

    run(body())
