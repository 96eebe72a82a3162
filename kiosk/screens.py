"""The citizen's screens: start, 马上办 items, appointment check-in, and the ticket."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Click, Key, MouseDown
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Static

from appkit.bigtext import big
from appkit.idle import IdleWatch
from kiosk import scan
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

    def touch(self) -> None:
        """Someone is using the kiosk (a scanner typing): the idle time starts again."""
        self._touch()

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
    Nothing has the keyboard focus when it is shown: Enter does nothing until Tab picks a button
    (a focus left on a button would take a ticket or toggle the green channel unseen).
    """

    AUTO_FOCUS = ""  # none (None would take the app's "*")

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

    def on_screen_resume(self) -> None:
        self.set_focus(None)  # the button tapped before (a zone, the green channel) lets go

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
        self.show_title()
        self.query_one("#items", Button).label = kiosk.both("instant", lang)
        self.query_one("#checkin", Button).label = kiosk.both("checkin", lang)
        green = self.query_one("#green", Button)
        label = kiosk.both("green_on" if self.kiosk.green else "green", lang)
        if self.kiosk.green_guarded and not self.kiosk.green:
            label += "\n" + kiosk.pick("green_by_staff", lang)
        green.label = label
        green.set_class(self.kiosk.green, "on")
        self.query_one("#lang", Button).label = kiosk.pick("language", lang)
        if self.kiosk.ready:
            self.refresh_zones()
        else:
            self.show_waiting(self.kiosk.snapshot.zones if self.kiosk.snapshot else ())

    def show_title(self, banner: tuple[str, str] | None = None) -> None:
        """The hall's name, then what to do: choose a service; with the green channel on, who
        it is for; with the whole hall closed, when it opens next (both languages)."""
        lang = self.kiosk.lang
        zh, en = self.kiosk.hall_name
        if banner is not None:
            self._banner = banner
        if self._banner is not None:
            lines = self._banner if lang == "zh" else self._banner[::-1]
            title = "\n".join(lines)
        elif self.kiosk.green:
            title = kiosk.both("green_for", lang)
        else:
            title = kiosk.pick("title", lang) + " · " + kiosk.pick("title", _other(lang))
        self.query_one("#hall", Static).update(
            Content.from_markup(  # the hall's name is stored text: a $variable, never markup
                "[b]$name[/b]\n$title", name=zh if lang == "zh" else en, title=title
            )
        )

    _banner: tuple[str, str] | None = None
    """Why no zone takes tickets and when they open (zh, en), or None."""

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
        now = self.kiosk.now()
        rows = []
        for zone in zones:
            if zone.closed_zh:
                status = closed_status(zone, now, lang)
            else:
                status = kiosk.pick("waiting", lang, n=zone.waiting)
            rows.append((zone.prefix, zone.name_zh, zone.name_en, status, not zone.closed_zh))
        self._place(rows)
        banner = closed_banner(zones, now)
        if banner != self._banner:
            self._banner = banner
            self.show_title()
        instant = next((zone for zone in zones if zone.prefix == INSTANT_QUEUE), None)
        items = self.query_one("#items", Button)
        if instant is not None and instant.closed_zh:
            reason = closed_status(instant, now, lang)
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
        if self.kiosk.green:
            self.kiosk.green = False
        elif self.kiosk.green_guarded:
            self.kiosk.confirm_green()  # a staff PIN first; it turns the green channel on
        else:
            self.kiosk.green = True

    @on(Button.Pressed, "#lang")
    def lang_pressed(self) -> None:
        self.kiosk.lang = "en" if self.kiosk.lang == "zh" else "zh"


def _other(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


def closed_status(zone: menu.ZoneChoice, now: dt.datetime, lang: Lang) -> str:
    """A closed zone's status line, short enough for its button at 80×24: closed today, full
    today, or (closed for now) the time it opens today."""
    if zone.closed_key == "hall_closed_day":
        return kiosk.pick("closed_today", lang)
    if zone.closed_key == "queue_full":
        return kiosk.pick("full_today", lang)
    opens = zone.opens_at
    if opens is not None and opens.date() == now.astimezone(opens.tzinfo).date():
        return kiosk.pick("opens_at", lang, time=f"{opens:%H:%M}")
    return kiosk.pick("closed_for_today", lang)


def closed_banner(zones: list[menu.ZoneChoice], now: dt.datetime) -> tuple[str, str] | None:
    """When no zone takes tickets: why, and the hall's next opening (zh, en); else None."""
    if not zones or any(zone.closed_key is None for zone in zones):
        return None
    if all(zone.closed_key == "queue_full" for zone in zones):
        return kiosk.pick("all_full", "zh"), kiosk.pick("all_full", "en")
    openings = [zone.opens_at for zone in zones if zone.opens_at is not None]
    if any(zone.closed_key == "hall_closed_day" for zone in zones):
        why = "closed_today"
    elif openings and min(openings).date() == now.astimezone(min(openings).tzinfo).date():
        why = "closed_now"
    else:
        why = "closed_for_today"
    if not openings:
        return kiosk.pick(why, "zh"), kiosk.pick(why, "en")
    return (
        kiosk.pick(
            "next_opening", "zh", why=kiosk.pick(why, "zh"), when=kiosk.when_zh(min(openings), now)
        ),
        kiosk.pick(
            "next_opening", "en", why=kiosk.pick(why, "en"), when=kiosk.when_en(min(openings), now)
        ),
    )


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


KEYPAD_ROWS = ("1234567890", "ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ")
"""The keys of the code pad: every letter and digit an appointment code may hold (the import
accepts 4-32 of A-Z and 0-9), then 删除 and 清除 filling the last row."""
CODE_MAX = 32
"""The longest code typed; a scanned QR may hold the booking prefix besides."""


class CheckinScreen(KioskScreen):
    """The appointment code on an on-screen keypad of digits and letters (keys work too; a
    scanner types a booking's QR, ``MSB:B:<code>``, and Enter: the code is checked in).

    A refused code stays shown with the reason until the next key: a letter or digit then
    starts a new code (it does not append to the refused one); 删除 corrects the refused one.
    """

    code = reactive("")
    refused = False
    """The code shown was refused: the next letter or digit starts afresh."""

    def compose(self) -> ComposeResult:
        lang = self.kiosk.lang
        with Vertical(id="checkin-box"):
            yield Static(kiosk.one_line("code_prompt", lang), id="code-prompt")
            yield Static("", id="code")
            yield Static("", id="checkin-error")
            with Grid(id="keypad"):
                for key in "".join(KEYPAD_ROWS):
                    yield _key(key, key)
                yield _key(kiosk.one_line("delete", lang), "del", classes="wide")
                yield _key(kiosk.one_line("clear", lang), "clear", classes="wide")
            with Horizontal(id="checkin-actions"):
                yield _key(kiosk.one_line("back", lang), "back", classes="action")
                yield _key(kiosk.one_line("ok", lang), "ok", classes="action", variant="success")

    def watch_code(self, code: str) -> None:
        self.query_one("#code", Static).update(code or "_")

    @on(Button.Pressed, ".key")
    def key_pressed(self, event: Button.Pressed) -> None:
        key = (event.button.id or "key-")[4:]
        if key == "back":
            self.go_home()
        else:
            self.press(key)

    def on_key(self, event: Key) -> None:
        # (KioskScreen.on_key runs too: Textual calls the handlers of every base class.)
        if event.key == "backspace":
            self.press("del")
        elif event.key == "enter":
            self.press("ok")
        elif event.key == "escape":
            self.go_home()
        elif scan.takes(event.character):  # letters, digits, and a scanned QR's colons
            self.press((event.character or "").upper())

    def press(self, key: str) -> None:
        """One keypad key."""
        self.query_one("#checkin-error", Static).update("")
        refused, self.refused = self.refused, False
        if key == "del":
            self.code = self.code[:-1]
        elif key == "clear":
            self.code = ""
        elif key == "ok":
            if self.code:
                self.code = scan.booking_code(self.code)  # a scanned QR: MSB:B:<code>
                self.kiosk.check_in(self.code)
        elif refused:
            self.code = key  # a new code, not the refused one with more on its end
        elif len(self.code) < (
            CODE_MAX + len(scan.BOOKING_PREFIX) if ":" in key + self.code else CODE_MAX
        ):
            self.code += key

    def show_error(self, text: str) -> None:
        self.refused = True
        self.query_one("#checkin-error", Static).update(
            Content.from_markup("[red]$text[/red]", text=text)
        )


class KeypadKey(Button):
    """A key of the code pad. A Textual button ignores a second tap while it shows the first
    (0.2 s): the second 0 of 1001 was lost. A key takes every tap."""

    async def _on_click(self, event: Click) -> None:
        event.stop()
        self.press()  # Button's own handler runs after this one and sees it pressed already


def _key(label: str, key: str, *, classes: str = "", variant: str = "default") -> Button:
    """A keypad key: taps only, since a focused key would also take the Enter meant for OK."""
    button = KeypadKey(label, id=f"key-{key}", classes=f"key {classes}".strip(), variant=variant)  # type: ignore[arg-type]
    button.can_focus = False
    return button


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
                # What does not fit scrolls (a long list of materials); 完成 stays on screen.
                with VerticalScroll(id="ticket-info"):
                    yield Static(id="your-number")
                    yield Static(id="number")
                    yield Static(id="zone")
                    yield Static(id="priority")
                    yield Static(id="wait")
                    yield Static(id="print-state")
                    yield Static(id="item")
                    yield Static(id="materials")
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
        compact = self.app.has_class("-compact")
        priority = self.query_one("#priority", Static)
        priority.display = view.priority != "normal"
        if priority.display:
            key = "green_on" if view.priority == "green" else "checkin"
            priority.update(kiosk.one_line(key, lang) if compact else kiosk.both(key, lang))
        wait = self.query_one("#wait", Static)
        wait.display = view.ahead is not None
        if wait.display:
            # With no window of the zone open, a wait in minutes would be made up.
            how_long = "no_window" if view.open_windows == 0 else "eta"
            lines = []
            for side in (lang, _other(lang)):
                ahead = kiosk.pick("ahead", side, n=view.ahead)
                lines.append(f"{ahead} · {kiosk.pick(how_long, side, n=view.eta_minutes)}")
            wait.update("\n".join(lines))
        self._fill_item(view, lang, compact)
        done = self.query_one("#done", Button)
        done.label = kiosk.one_line("done", lang) if compact else kiosk.both("done", lang)
        self.query_one("#qr", Static).update(self.qr)
        self.query_one("#ticket-info", VerticalScroll).scroll_home(animate=False)
        self.watch_print_state(self.print_state)

    def _fill_item(self, view: TicketView, lang: Lang, compact: bool) -> None:
        """The chosen item by name and the documents to bring (所需材料), when one was chosen."""
        item = self.query_one("#item", Static)
        materials = self.query_one("#materials", Static)
        item.display = view.item_name_zh is not None
        materials.display = bool(view.materials)
        if not item.display:
            return
        names = [view.item_name_zh or "", view.item_name_en or ""]
        if lang == "en":
            names.reverse()
        item.update(
            Content.from_markup(
                "$label[b]$first[/b]  $second",
                label=kiosk.pick("item", lang) + "：",
                first=names[0],
                second=names[1],
            )
        )
        if materials.display:
            listed = (
                "、".join(view.materials)
                if compact
                else "\n".join(f"{n}. {name}" for n, name in enumerate(view.materials, 1))
            )
            materials.update(
                Content.from_markup(
                    "[b]$label[/b]\n$listed", label=kiosk.one_line("materials", lang), listed=listed
                )
            )

    def watch_print_state(self, state: str) -> None:
        shown = self.query("#print-state").results(Static)
        widget = next(shown, None)
        if widget is None:  # the print ended before the screen was composed: _fill shows it
            return
        lang = self.kiosk.lang
        key = {"pending": "printing", "sent": "printing", "done": "take_ticket"}.get(
            state, "print_failed"
        )
        text = kiosk.both(key, lang)
        if key == "print_failed":
            text = f"[b red]{text}[/b red]"
        widget.update(text)

    @on(Button.Pressed, "#done")
    def done(self) -> None:
        self.kiosk.reset_choices()
        self.go_home()
