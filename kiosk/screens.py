"""The citizen's screens: start, 马上办 items, appointment check-in, and the ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key, MouseDown
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Static

from appkit.bigtext import big
from appkit.idle import IdleWatch
from models.text import Lang, kiosk

if TYPE_CHECKING:
    from kiosk.service import Kiosk
    from kiosk.snapshot import Zone
    from models.views import menu
    from models.views.ticket import TicketView


def _release_closed_screens() -> None:
    """Drop Textual's per-widget style cache, which keeps closed screens alive (Textual issue
    #6665: an lru_cache on a method); without this a kiosk grows ~0.5 MB per ticket until
    its full garbage collections take hundreds of milliseconds."""
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if clear is not None:
        clear()


INSTANT_QUEUE = "M"
"""The zone of the 马上办 items (its button on the start screen leads to them)."""


class KioskScreen(Screen[None]):
    """A screen of the kiosk app; away from the start screen it returns there when left idle.

    The idle time counts while the screen is the one shown: a staff dialog above it pauses it.
    """

    IDLE = True
    _idle: IdleWatch | None = None

    @property
    def kiosk(self) -> Kiosk:
        """The kiosk (the app, as its screens see it)."""
        return cast("Kiosk", self.app)

    @property
    def idle(self) -> IdleWatch:
        """The watch that sends this screen home when it is left untouched."""
        if self._idle is None:
            self._idle = IdleWatch(self, self.kiosk.idle_seconds, self._idle_out)
        return self._idle

    def on_screen_resume(self) -> None:
        if self.IDLE:
            self.idle.start()

    def on_screen_suspend(self) -> None:
        if self.IDLE:
            self.idle.stop()

    def on_mouse_down(self, _event: MouseDown) -> None:
        self._touch()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self._touch()  # buttons stop their Click event, so a tap is seen here

    def on_key(self, _event: Key) -> None:
        self._touch()

    def _touch(self) -> None:
        if self.IDLE:
            self.idle.touch()

    def _idle_out(self) -> None:
        if self.app.screen is not self:  # staff (or another screen) is using the kiosk now
            self.idle.start()
            return
        self.kiosk.reset_choices()  # the next citizen starts afresh
        self.go_home()

    def go_home(self) -> None:
        """Back to the start screen."""
        while len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        self.app.call_after_refresh(_release_closed_screens)

    def show_error(self, text: str) -> None:
        """A refusal shown where the citizen is looking."""
        self.notify(text, severity="error", timeout=6)


class StartScreen(KioskScreen):
    """Zones with their waiting counts, 马上办, check-in, green channel, language.

    Left idle, it puts the green channel off and Chinese first again, for the next citizen.
    """

    class ZonesRead(Message, bubble=False):
        """The zones, read by a worker."""

        def __init__(self, zones: list[menu.ZoneChoice]) -> None:
            super().__init__()
            self.zones = zones

    def _idle_out(self) -> None:
        if self.app.screen is self:
            self.kiosk.reset_choices()
        self.idle.start()

    def compose(self) -> ComposeResult:
        yield Static(id="hall")
        yield Grid(id="zones")
        with Horizontal(id="actions"):
            yield Button(id="items", variant="warning", disabled=True)
            yield Button(id="checkin", variant="primary", disabled=True)
            yield Button(id="green", variant="success")
            yield Button(id="lang")

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self.relabel, init=False)
        self.watch(self.app, "green", self.relabel, init=False)
        self.watch(self.app, "ready", self.connected, init=False)
        self.relabel()
        if self.kiosk.ready:
            self.connected()

    def connected(self, _value: object = None) -> None:
        """The database answered: the buttons work, the zones show their counts."""
        self.query_one("#items", Button).disabled = False
        self.query_one("#checkin", Button).disabled = False
        self.relabel()  # the hall's own name, and the zones read for the first time
        self.set_interval(self.kiosk.settings.refresh_seconds, self.refresh_zones)

    def relabel(self, _value: object = None) -> None:
        """Words in the chosen language first."""
        lang = self.kiosk.lang
        zh, en = self.kiosk.hall_name
        self.query_one("#hall", Static).update(
            Content.from_markup(  # the hall's name is stored text: a $variable, never markup
                "[b]$name[/b]\n$title",
                name=zh if lang == "zh" else en,
                title=kiosk.pick("title", lang) + " · " + kiosk.pick("title", _other(lang)),
            )
        )
        self.query_one("#items", Button).label = kiosk.both("instant", lang)
        self.query_one("#checkin", Button).label = kiosk.both("checkin", lang)
        green = self.query_one("#green", Button)
        green.label = kiosk.both("green_on" if self.kiosk.green else "green", lang)
        green.tooltip = kiosk.both("green_hint", lang)
        green.set_class(self.kiosk.green, "on")
        self.query_one("#lang", Button).label = kiosk.pick("language", lang)
        if self.kiosk.ready:
            self.refresh_zones()
        else:
            self.show_waiting(self.kiosk.snapshot.zones if self.kiosk.snapshot else ())

    @work(thread=True, exclusive=True, group="zones", exit_on_error=False)
    def refresh_zones(self) -> None:
        """Read the zones in a worker; show them on the UI thread."""
        self.post_message(self.ZonesRead(self.kiosk.zones()))

    def on_start_screen_zones_read(self, message: ZonesRead) -> None:
        self.show_zones(message.zones)

    def show_waiting(self, zones: tuple[Zone, ...]) -> None:
        """Before the database answers: the last run's zones, disabled, saying 请稍候."""
        lang = self.kiosk.lang
        wait = kiosk.pick("please_wait", lang)
        self._place([(zone.prefix, zone.name_zh, zone.name_en, wait, False) for zone in zones])
        if not zones:  # a first start: nothing to draw yet
            grid = self.query_one("#zones", Grid)
            if not grid.query("#zones-wait"):
                grid.mount(Static(kiosk.both("please_wait", lang), id="zones-wait"))

    def show_zones(self, zones: list[menu.ZoneChoice]) -> None:
        """One large button per zone, with its waiting count or why it is closed."""
        lang = self.kiosk.lang
        rows = []
        for zone in zones:
            if zone.closed_zh:
                status = (zone.closed_zh if lang == "zh" else zone.closed_en) or ""
            else:
                status = kiosk.pick("waiting", lang, n=zone.waiting)
            rows.append((zone.prefix, zone.name_zh, zone.name_en, status, not zone.closed_zh))
        self._place(rows)
        instant = next((zone for zone in zones if zone.prefix == INSTANT_QUEUE), None)
        items = self.query_one("#items", Button)
        if instant is not None and instant.closed_zh:
            reason = instant.closed_zh if lang == "zh" else instant.closed_en
            items.label = Content(f"{kiosk.pick('instant', lang)}\n{reason}")
            items.disabled = True
        else:
            items.label = kiosk.both("instant", lang)
            items.disabled = False

    def _place(self, zones: list[tuple[str, str, str, str, bool]]) -> None:
        """Zone buttons (prefix, names, status line, open), updated in place when the same
        zones are there already, else mounted afresh."""
        grid = self.query_one("#zones", Grid)
        lang = self.kiosk.lang
        buttons = list(grid.query(".zone").results(Button))
        if [b.id for b in buttons] != [f"zone-{z[0]}" for z in zones]:
            grid.remove_children()
            buttons = []
        fresh = []
        for at, (prefix, name_zh, name_en, status, open_) in enumerate(zones):
            name, other = (name_zh, name_en) if lang == "zh" else (name_en, name_zh)
            label = Content(f"{prefix} {name}\n{other}\n{status}")  # stored names: not markup
            if buttons:
                buttons[at].label = label
                buttons[at].disabled = not open_
            else:
                fresh.append(Button(label, id=f"zone-{prefix}", classes="zone", disabled=not open_))
        if fresh:
            grid.mount_all(fresh)

    @on(Button.Pressed, ".zone")
    def zone_pressed(self, event: Button.Pressed) -> None:
        self.kiosk.take(queue=(event.button.id or "zone-?")[5:])

    @on(Button.Pressed, "#items")
    def items_pressed(self) -> None:
        self.app.push_screen(ItemsScreen())

    @on(Button.Pressed, "#checkin")
    def checkin_pressed(self) -> None:
        self.app.push_screen(CheckinScreen())

    @on(Button.Pressed, "#green")
    def green_pressed(self) -> None:
        self.kiosk.green = not self.kiosk.green

    @on(Button.Pressed, "#lang")
    def lang_pressed(self) -> None:
        self.kiosk.lang = "en" if self.kiosk.lang == "zh" else "zh"


def _other(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


class ItemsScreen(KioskScreen):
    """The 23 马上办 items, grouped by department."""

    class ItemsRead(Message, bubble=False):
        """The items by department, read by a worker."""

        def __init__(self, items: dict[str, list[menu.ItemChoice]]) -> None:
            super().__init__()
            self.items = items

    def compose(self) -> ComposeResult:
        lang = self.kiosk.lang
        yield Static(f"[b]{kiosk.pick('items_title', lang)}[/b]", id="items-title")
        yield VerticalScroll(id="item-list")
        yield Button(kiosk.both("back", lang), id="back")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        """Read the items in a worker."""
        self.post_message(self.ItemsRead(self.kiosk.items()))

    def on_items_screen_items_read(self, message: ItemsRead) -> None:
        self.show(message.items)

    def show(self, grouped: dict[str, list[menu.ItemChoice]]) -> None:
        """Department headings, then a button per item."""
        lang = self.kiosk.lang
        listing = self.query_one("#item-list", VerticalScroll)
        for department, choices in grouped.items():
            english = choices[0].department_en
            first, second = (department, english) if lang == "zh" else (english, department)
            heading = Content.from_markup(  # stored names: $variables, never markup
                "[b]$first[/b]$second",
                first=first,
                second=f"  {second}" if english != department else "",
            )
            listing.mount(Static(heading, classes="department"))
            listing.mount(
                Grid(
                    *[
                        Button(
                            Content(
                                f"{c.name_zh if lang == 'zh' else c.name_en}\n"
                                f"{c.name_en if lang == 'zh' else c.name_zh}"
                            ),
                            id=f"item-{c.code}",
                            classes="item",
                        )
                        for c in choices
                    ],
                    classes="items",
                )
            )

    @on(Button.Pressed, ".item")
    def item_pressed(self, event: Button.Pressed) -> None:
        self.kiosk.take(item=(event.button.id or "item-?")[5:])

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.go_home()


KEYPAD = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]


class CheckinScreen(KioskScreen):
    """The appointment code on an on-screen keypad (keys work too)."""

    code = reactive("")

    def compose(self) -> ComposeResult:
        lang = self.kiosk.lang
        with Vertical(id="checkin-box"):
            yield Static(kiosk.both("code_prompt", lang), id="code-prompt")
            yield Static("", id="code")
            yield Static("", id="checkin-error")
            with Grid(id="keypad"):
                for key in KEYPAD:
                    names = {"del": kiosk.both("delete", lang), "ok": kiosk.both("ok", lang)}
                    label = names.get(key, key)
                    key_button = Button(
                        label,
                        id=f"key-{key}",
                        classes="key",
                        variant="success" if key == "ok" else "default",
                    )
                    # Taps only: a focused key would also take the Enter meant for "OK".
                    key_button.can_focus = False
                    yield key_button
            back = Button(kiosk.both("back", lang), id="back")
            back.can_focus = False  # keys belong to the code on this screen
            yield back

    def watch_code(self, code: str) -> None:
        self.query_one("#code", Static).update(code or "_")

    @on(Button.Pressed, ".key")
    def key_pressed(self, event: Button.Pressed) -> None:
        self.press((event.button.id or "key-")[4:])

    def on_key(self, event: Key) -> None:
        # (KioskScreen.on_key runs too: Textual calls the handlers of every base class.)
        if event.key == "backspace":
            self.press("del")
        elif event.key == "enter":
            self.press("ok")
        elif event.character and event.character.isalnum() and len(event.character) == 1:
            self.press(event.character.upper())

    def press(self, key: str) -> None:
        """One keypad key."""
        self.query_one("#checkin-error", Static).update("")
        if key == "del":
            self.code = self.code[:-1]
        elif key == "ok":
            if self.code:
                self.kiosk.check_in(self.code)
        elif len(self.code) < 32:
            self.code += key

    def show_error(self, text: str) -> None:
        self.query_one("#checkin-error", Static).update(f"[red]{text}[/red]")

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.go_home()


class TicketScreen(KioskScreen):
    """The number very large, where it stands, its QR, and how printing went.

    The app keeps one TicketScreen all day and shows each new ticket on it (see :meth:`show`):
    building a screen per ticket made garbage whose collections were the slowest taps.
    """

    print_state = reactive("pending", init=False)

    def __init__(self) -> None:
        super().__init__()
        self._view: TicketView | None = None
        self.qr = ""
        """The QR code in block characters (drawn by the worker that issued the ticket)."""

    @property
    def view(self) -> TicketView:
        """The ticket shown."""
        if self._view is None:
            raise LookupError("no ticket shown yet")
        return self._view

    def compose(self) -> ComposeResult:
        with Horizontal(id="ticket"):
            with Vertical(id="ticket-left"):
                yield Static(id="your-number")
                yield Static(id="number")
                yield Static(id="zone")
                yield Static(id="priority")
                yield Static(id="wait")
                yield Static(id="print-state")
                yield Button(id="done", variant="primary")
            yield Static(id="qr")

    def on_mount(self) -> None:
        self._fill()

    def show(self, view: TicketView, qr: str) -> None:
        """Show this ticket, printing not yet done (call before the screen is pushed, so its
        first frame already has the new number)."""
        self._view, self.qr = view, qr
        self.set_reactive(TicketScreen.print_state, "pending")
        if self.is_mounted:
            self._fill()

    def _fill(self) -> None:
        if self._view is None:
            return
        view, lang = self._view, self.kiosk.lang
        zone = view.queue_name_zh if lang == "zh" else view.queue_name_en
        other = view.queue_name_en if lang == "zh" else view.queue_name_zh
        scale = 2 if self.app.size.height >= 34 else 1  # a kiosk screen, or 80×24
        self.query_one("#your-number", Static).update(kiosk.pick("your_number", lang))
        self.query_one("#number", Static).update(big(view.number, scale=scale))
        self.query_one("#zone", Static).update(
            Content.from_markup(
                "[b]$number[/b]  $zone · $other", number=view.number, zone=zone, other=other
            )
        )
        priority = self.query_one("#priority", Static)
        priority.display = view.priority != "normal"
        if priority.display:
            key = "green_on" if view.priority == "green" else "checkin"
            priority.update(kiosk.both(key, lang))
        wait = self.query_one("#wait", Static)
        wait.display = view.ahead is not None
        if wait.display:
            ahead = kiosk.pick("ahead", lang, n=view.ahead)
            wait.update(f"{ahead} · {kiosk.pick('eta', lang, n=view.eta_minutes)}")
        self.query_one("#done", Button).label = kiosk.both("done", lang)
        self.query_one("#qr", Static).update(self.qr)
        self.watch_print_state(self.print_state)

    def watch_print_state(self, state: str) -> None:
        lang = self.kiosk.lang
        key = {"pending": "printing", "sent": "printing", "done": "take_ticket"}.get(
            state, "print_failed"
        )
        text = kiosk.both(key, lang)
        if key == "print_failed":
            text = f"[b red]{text}[/b red]"
        self.query_one("#print-state", Static).update(text)

    @on(Button.Pressed, "#done")
    def done(self) -> None:
        self.kiosk.reset_choices()
        self.go_home()
