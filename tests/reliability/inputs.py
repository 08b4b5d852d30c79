"""Hostile input for property tests: what members could type or a platform could send."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.registry import ArgKind, Argument, Command

MENTIONS = (
    "@everyone",
    "@here",
    "@channel",
    "@EVERYONE",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S123>",
    "<@&123>",
    "<@123456789>",
    "<@!123456789>",
    "<@U0123ABC>",
    "<#C123|general>",
    "<#123>",
)
MARKUP = ("**", "*", "***bold", "`", "```", "__", "~~", "||", "> quote", "[x](https://evil.example)", "<b>", "\\")
SQL = ("'; DROP TABLE members; --", '" OR 1=1 --', "1; DELETE FROM progress", "%", "_", "\\x00", "' OR ''='")
ODD = (
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200b",  # zero width space
    "\ufeff",  # byte order mark
    "\u2028",  # line separator
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\ud800",  # a lone surrogate, as JSON can carry ("\\ud800")
    "\U0001f600",
    "e\u0301",  # decomposed é
    "٣",  # an Arabic-Indic digit
    "ﬁ",
)
NUMBERS = ("0", "-1", "007", "1e9", "1_000", "99999999999999999999", "9" * 5000, "3.5", "NaN", "inf", " 12 ", "+5")
DATES = ("2026-12-01 18:30", "2026-12-01T18:30:00Z", "2026-02-30 10:00", "9999-12-31 23:59", "0001-01-01 00:00")
TIMES = ("09:30", "24:00", "23:59", "7:05", "12:60")
URLS = (
    "https://example.com/x",
    "http://a",
    "<https://example.com|label>",
    "javascript:alert(1)",
    "ftp://x",
    "https://",
)
ZONES = ("Europe/Berlin", "UTC", "utc", "America/New York", "Mars/Olympus", "../../etc/passwd", "Etc/GMT+5")

characters = st.characters(codec=None, categories=None)  # every code point, surrogates and controls included


def _pieces(extra: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    return st.sampled_from(MENTIONS + MARKUP + SQL + ODD + NUMBERS + extra)


def hostile_text(extra: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Text made of mentions, markup, SQL, control characters, numbers and random code points."""
    chunk = st.one_of(_pieces(extra), st.text(characters, max_size=12), st.text("ab *_`@<>!#&|\\", max_size=8))
    joined = st.lists(chunk, max_size=6).map("".join)
    long = st.tuples(_pieces(extra), st.integers(200, 6000)).map(lambda p: (p[0] * p[1])[: p[1]])
    return st.one_of(st.just(""), st.just("   "), joined, long)


def raw_value(arg: Argument, topic_ids: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A plausible or hostile raw value for one argument, by its kind."""
    plausible: tuple[str, ...] = {
        ArgKind.TOPIC: topic_ids,
        ArgKind.CHOICE: arg.choices + tuple(c.upper() for c in arg.choices),
        ArgKind.INTEGER: ("1", "5", str(arg.min_value or 0), str(arg.max_value or 10)),
        ArgKind.URL: URLS,
        ArgKind.CHANNEL: ("<#C123|general>", "#general", "C123", "<#123>"),
        ArgKind.MEMBER: ("<@U123>", "<@!42>", "@bob", "bob", "<@&123>"),
        ArgKind.TIMEZONE: ZONES,
        ArgKind.TIME: TIMES,
        ArgKind.DATETIME: DATES,
        ArgKind.TEXT: ("hello", "git", "points"),
    }.get(arg.kind, ())
    choices = [hostile_text(plausible)]
    if plausible:
        choices.insert(0, st.sampled_from(plausible))
    return st.one_of(*choices)


def wrong_type() -> st.SearchStrategy[object]:
    """Values of the wrong type an adapter could hand over for a string option."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.lists(st.text(max_size=3), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.binary(max_size=4),
    )


def line_for(command: Command, topic_ids: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A command line for `command`: its words, then plausible or hostile values, maybe one too many."""

    def word(arg: Argument) -> st.SearchStrategy[str]:
        value = raw_value(arg, topic_ids)
        if arg.by_name:
            return st.one_of(value.map(lambda v: f"{arg.name}={v}"), value.map(lambda v: f'{arg.name}="{v}"'))
        return st.one_of(value, value.map(lambda v: f'"{v}"')) if not arg.rest else value

    values = st.tuples(*(word(a) for a in command.arguments)) if command.arguments else st.just(())
    head = st.sampled_from(("/" + command.name, command.name, "/" + command.name.upper(), " /" + command.name + " "))
    extra = st.lists(hostile_text(), max_size=1)
    return st.builds(lambda h, v, e: " ".join([h, *v, *e]), head, values, extra)


def structured_args(command: Command, topic_ids: tuple[str, ...]) -> st.SearchStrategy[dict[str, object]]:
    """Structured options as a slash-command adapter passes them: some set, some odd types, maybe unknown names."""
    per_arg = {a.name: st.one_of(raw_value(a, topic_ids), wrong_type()) for a in command.arguments}
    known = st.fixed_dictionaries({}, optional=per_arg) if per_arg else st.just({})
    unknown = st.dictionaries(st.text(min_size=1, max_size=8), hostile_text(), max_size=1)
    return st.one_of(known, known, st.builds(lambda k, u: {**k, **u}, known, unknown))


def valid_raw(arg: Argument, topic_ids: tuple[str, ...]) -> str:
    """A value the core accepts for `arg`, so a command gets past argument parsing to its checks."""
    return {
        ArgKind.TOPIC: topic_ids[0],
        ArgKind.CHOICE: arg.choices[0] if arg.choices else "x",
        ArgKind.INTEGER: str(arg.min_value if arg.min_value is not None else 1),
        ArgKind.URL: "https://example.com/work",
        ArgKind.CHANNEL: "<#C123>",
        ArgKind.MEMBER: "<@U123>",
        ArgKind.TIMEZONE: "Europe/Berlin",
        ArgKind.TIME: "09:30",
        ArgKind.DATETIME: "2030-12-01T18:30",  # one word, so it also works inside a typed line
        ArgKind.TEXT: "hello",
    }.get(arg.kind, "x")


def valid_args(command: Command, topic_ids: tuple[str, ...], **override: str) -> dict[str, str]:
    """Every argument of `command` with an accepted value (or the override given by name)."""
    return {a.name: override.get(a.name, valid_raw(a, topic_ids)) for a in command.arguments}


def as_line(command: Command, args: dict[str, str]) -> str:
    """The typed form of structured arguments: by name, quoted, except the free text that ends the line."""
    words = ["/" + command.name]
    words += [f'{a.name}="{args[a.name]}"' for a in command.arguments if a.name in args and not a.rest]
    words += [args[a.name] for a in command.arguments if a.name in args and a.rest]
    return " ".join(words)
