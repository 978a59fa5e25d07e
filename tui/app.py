"""The blindspot explorer: a Textual app over one snapshot (it never calls AWS).

Start-up shows the first frame at once and loads the snapshot in a thread worker (parse,
then graph, then the search index and scope tree in the background), so a 100k-resource
file never freezes the screen. Screens ask `collectors` for every answer; the app only
routes: `SnapshotLoaded` tells the open screens to fill themselves, `open_resource` is the
one way to show a resource (palette, links, lists).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import Static

from snapshot import browse
from snapshot.graph import CoverageGraph
from snapshot.index.cache import open_with_matrix
from snapshot.index.matrix import Preview
from snapshot.io import SnapshotError, gc_paused
from snapshot.model import Snapshot
from snapshot.settings import SettingError

from . import safe
from .commands import ResourceCommands
from .messages import OpenResource, SnapshotFailed, SnapshotLoaded
from .screens.base import ExplorerScreen
from .screens.detail import ResourceDetailScreen
from .screens.help import HelpScreen
from .screens.matrix import MatrixScreen
from .screens.resources import ResourceListScreen
from .screens.tree import OrgTreeScreen

#: Builds a snapshot, reporting progress lines (the demo collects one while the app shows).
#: The reporting callable raises `LoadCancelled` once the user quits, so a loader that
#: reports often stops within moments instead of running on behind a closed screen.
Loader = Callable[[Callable[[str], None]], Snapshot]


class LoadCancelled(BaseException):
    """Raised in a loader's progress callback after the user quit.

    A BaseException, like KeyboardInterrupt, so that a collector that records an
    `Exception` in one region as that region's error and carries on does not swallow it.
    """


DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


def binding_ids() -> dict[str, str]:
    """Every remappable binding id of the explorer and what it does, in screen order.

    BLINDSPOT_KEYMAP entries are checked against these and the `?` screen lists them, so a
    user can find an id from inside the app and a typo is reported, not silently ignored.
    """
    from .screens.attack import AttackScreen
    from .screens.detail import ResourceDetailScreen
    from .screens.errors import ErrorsScreen
    from .screens.resources import ResourceListScreen
    from .screens.trace import TraceScreen
    from .widgets.resource_table import ResourceTable

    ids: dict[str, str] = {}
    for owner in (
        BlindspotApp,
        ExplorerScreen,
        MatrixScreen,
        ErrorsScreen,
        ResourceListScreen,
        ResourceTable,
        OrgTreeScreen,
        ResourceDetailScreen,
        TraceScreen,
        AttackScreen,
        HelpScreen,
    ):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.id and binding.id not in ids:
                ids[binding.id] = binding.description or binding.action
    return ids


def parse_keymap(text: str) -> tuple[dict[str, str], list[str]]:
    """`list.gaps=G,app.quit=ctrl+q` -> ({binding id: keys}, [one problem per bad entry]).

    Used for BLINDSPOT_KEYMAP, so a user can remap any key without code (the ids are in
    each screen's BINDINGS, e.g. `list.filter`, `trace.deeper`, `detail.copy_query`, and
    listed by `?`). An entry without `=`, without keys or with an unknown id is returned as
    a problem for the caller to print: a silently ignored remap looks like a broken key.
    """
    known = binding_ids()
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        binding_id, separator, keys = (piece.strip() for piece in part.partition("="))
        if not separator or not binding_id or not keys:
            problems.append(f"{part.strip()!r} is not ID=KEYS")
        elif binding_id not in known:
            problems.append(f"unknown binding id {binding_id!r}")
        else:
            keymap[binding_id] = keys
    if problems:
        problems.append(f"valid ids: {', '.join(sorted(known))}")
    return keymap, problems


def inconsistency_note(graph: CoverageGraph) -> str:
    """One line about what a loaded snapshot got wrong (as `blindspot report` says it), or "".

    A snapshot from another machine may repeat resource ids (the first one is kept) or name
    resources it does not hold in relationships (those are left out of traces); both still
    load, and the user is told rather than shown a silently smaller graph.
    """
    parts = []
    if graph.duplicate_ids:
        parts.append(f"{len(graph.duplicate_ids)} duplicate resource ids (first kept)")
    if graph.dangling_relationships:
        parts.append(
            f"{len(graph.dangling_relationships)} relationships name resources that are not "
            "in the snapshot (left out)"
        )
    return "; ".join(parts)


def _warm(graph: CoverageGraph) -> None:
    """Build the search index and the scope tree before the user asks for them.

    They live as long as the graph, so they join the loaded snapshot in the collector's
    permanent generation (`gc_paused(keep=True)`): left tracked, the next full collection
    walks their millions of objects and its pause (over 100 ms at 1M resources) lands in
    whichever keystroke allocates next.
    """
    with gc_paused(keep=True):
        browse.explorer_index(graph)
        browse.scope_tree(graph)


class BlindspotApp(App[int]):
    """Keyboard-first explorer: matrix -> list/tree -> detail -> trace, `Esc` back."""

    CSS_PATH = "blindspot.tcss"
    TITLE = "blindspot"
    COMMANDS = App.COMMANDS | {ResourceCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # Textual 8 answers Ctrl+C with "press ctrl+q to quit"; a terminal user means quit.
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.interrupt"),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("l", "resources", "List", show=False, id="app.list"),
        Binding("o", "tree", "Tree", show=False, id="app.tree"),
        Binding("a", "attack", "ATT&CK", show=False, id="app.attack"),
        Binding("slash", "find", "Find", key_display="/", show=False, id="app.find"),
        Binding("T", "toggle_theme", "Light/dark", show=False, id="app.theme"),
    ]

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        snapshot: Snapshot | None = None,
        ascii_only: bool = False,
        export_dir: str | os.PathLike[str] | None = None,
        theme: str | None = None,
        keymap: dict[str, str] | None = None,
        loader: Loader | None = None,
        loading_message: str | None = None,
    ) -> None:
        if path is None and snapshot is None and loader is None:
            raise ValueError("give a snapshot file, a Snapshot or a loader")
        super().__init__()
        self.path = Path(path) if path is not None else None
        self._snapshot = snapshot
        self._loader = loader
        self.ascii_only = ascii_only
        self.export_dir = Path(export_dir) if export_dir is not None else None
        self.graph: CoverageGraph | None = None
        #: The matrix figures of a large file, read before its details (`show_preview`).
        self.preview: Preview | None = None
        self.load_error: str | None = None
        #: Set by `exit`: from then on no binding runs and no screen is pushed, so keys
        #: that arrive with `q` (a paste, a burst over SSH) act on nothing half-closed.
        self.quitting = False
        #: What the first screen says until the snapshot is there.
        self.loading_message = loading_message or "Loading snapshot"
        if theme:
            self.theme = theme
        safe.use_no_color(self.no_color)
        safe.use_ascii(ascii_only)
        if ascii_only:
            self.add_class("-ascii")
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self.push_screen(MatrixScreen())
        self._load()

    def exit(self, *args: Any, **kwargs: Any) -> None:
        self.quitting = True
        super().exit(*args, **kwargs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No key does anything once the app is closing (see `quitting`)."""
        return ExplorerScreen.accepts_keys(self)

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """Push a screen, unless the app is closing (a screen mounted then finds no widgets)."""
        if self.quitting:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)  # something a caller may await, as it would the mount
            return done
        return super().push_screen(*args, **kwargs)

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        """Wait for `_build` in a daemon thread, giving up as soon as the user quits.

        A Textual thread worker is waited for when the app closes (asyncio's default
        executor), so a demo collection or a 1M-resource parse running in it kept the
        process alive for seconds after `q`. The work runs in a daemon thread instead, this
        worker only waits for it (tests still see a worker to wait for), and a quit leaves
        the thread behind for the process exit to end.
        """
        outcome: list[CoverageGraph | BaseException] = []

        def build() -> None:
            try:
                outcome.append(self._build())
            except BaseException as exc:  # handed to the worker, which reports it
                outcome.append(exc)

        thread = threading.Thread(target=build, name="blindspot-load", daemon=True)
        thread.start()
        while thread.is_alive():
            if self.quitting:
                return
            thread.join(0.05)
        result = outcome[0] if outcome else LoadCancelled()
        if isinstance(result, LoadCancelled):
            return
        if isinstance(result, SnapshotError | SettingError):
            self.post_message(SnapshotFailed(str(result)))
        elif isinstance(result, BaseException):  # a bug or a hostile file: one line
            self.post_message(SnapshotFailed(f"cannot open the snapshot ({type(result).__name__})"))
        else:
            self.post_message(SnapshotLoaded(result))
            # Warm what the list, tree and palette use, while the user reads the matrix
            # (in the daemon thread too: a quit does not wait for it).
            threading.Thread(
                target=_warm, args=(result,), name="blindspot-warm", daemon=True
            ).start()

    def _build(self) -> CoverageGraph:
        snapshot = self._snapshot
        if self._loader is not None:
            snapshot = self._loader(self._report_progress)
        if snapshot is None:
            assert self.path is not None
            # A large file's matrix first (from the index cache or a lean pass), its
            # details behind it; a small file in one step (snapshot.index.cache).
            snapshot = open_with_matrix(self.path, partial(self._hand_over, self.show_preview))
        return CoverageGraph(snapshot)

    def _hand_over(self, show: Callable[[Any], None], value: object) -> None:
        """In a loading thread: `show(value)` in the app, or stop the loading once the user
        quit (what the loader's progress and the early matrix both go through)."""
        if self.quitting:
            raise LoadCancelled
        with contextlib.suppress(RuntimeError):  # the app closed between check and call
            self.call_from_thread(show, value)

    def show_preview(self, preview: Preview) -> None:
        """The matrix and its figures, read before the details: the matrix screen shows
        them; every other key still says the snapshot is loading until the graph is in."""
        self.preview = preview
        for screen in self.screen_stack:
            if isinstance(screen, MatrixScreen):
                screen.on_preview_ready()

    def _report_progress(self, line: str) -> None:
        """The loader's callback (a worker thread): show the line, or stop the loader."""
        self._hand_over(self.show_progress, line)

    def show_progress(self, line: str) -> None:
        """Say how loading is going, where the matrix will appear and in the sub-title."""
        self.sub_title = safe.plain(line)
        with contextlib.suppress(NoMatches):
            self.screen.query_one("#summary", Static).update(safe.content(line, single_line=True))

    def on_snapshot_loaded(self, message: SnapshotLoaded) -> None:
        self.graph = message.graph
        if self.path is not None:
            self.sub_title = self.path.name
        as_of = message.graph.snapshot.as_of
        if as_of is not None:  # a snapshot of a past time (`collect --as-of`) says so
            stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
            self.sub_title = f"{self.sub_title}  as of {stamp}".strip()
        for screen in self.screen_stack:
            if isinstance(screen, ExplorerScreen):
                screen.on_graph_ready()
        note = inconsistency_note(message.graph)
        if note:
            self.notify(note, title="Snapshot", severity="warning", timeout=10, markup=False)

    def on_snapshot_failed(self, message: SnapshotFailed) -> None:
        self.load_error = message.reason
        self.exit(return_code=2)

    # -- navigation -----------------------------------------------------------------------

    def on_open_resource(self, message: OpenResource) -> None:
        self.open_resource(message.resource_id)

    def open_resource(self, resource_id: str) -> None:
        """Show one resource's detail (palette hits, links and lists all come here)."""
        if self.graph is not None and resource_id in self.graph:
            self.push_screen(ResourceDetailScreen(resource_id))

    def _loaded(self) -> bool:
        if self.graph is None:
            self.notify("The snapshot is still loading.", markup=False)
        return self.graph is not None

    def action_resources(self) -> None:
        if self._loaded():
            self.push_screen(ResourceListScreen())

    def action_find(self) -> None:
        if self._loaded():
            self.push_screen(ResourceListScreen(focus_filter=True))

    def action_tree(self) -> None:
        if self._loaded():
            self.push_screen(OrgTreeScreen())

    def action_attack(self) -> None:
        from .screens.attack import AttackScreen

        if self._loaded():
            self.push_screen(AttackScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme != LIGHT_THEME else DARK_THEME

    def action_help(self) -> None:
        """`?`: the explorer's own keys live here (what Enter does on this screen included)
        with their BLINDSPOT_KEYMAP ids; Textual's generic bindings ("super+c", "Page
        Left") are left out, they are the widgets' and work as everywhere."""
        if isinstance(self.screen, HelpScreen):
            return
        known = binding_ids()
        keys: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for active in self.active_bindings.values():
            binding = active.binding
            if binding.id not in known or binding.id in seen or binding.id == "app.interrupt":
                continue
            seen.add(binding.id)
            # The key's name, not Textual's display glyph (⏎, ↑): readable in ASCII mode.
            keys.append((binding.key_display or binding.key, binding.description, binding.id))
        enter = getattr(self.screen, "ENTER_HELP", "")
        if enter and not any(key == "enter" for key, _, _ in keys):
            keys.insert(0, ("enter", enter, ""))
        keys.append(("ctrl+c", "Quit (as q)", ""))
        keys.append(("ctrl+p", "Command palette: jump to any resource", ""))
        self.push_screen(HelpScreen(keys, ascii_only=self.ascii_only, all_ids=known))
