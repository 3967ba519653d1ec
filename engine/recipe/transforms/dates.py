"""The ``date`` and ``datetime`` parsers: any CLDR locale's month and weekday names (babel),
independent of the OS locale, plus ISO 8601 timestamps.

``time.strptime`` only knows the month names of the process locale, and changing the locale is
process-wide and unsafe in a threaded engine. So both sides are rewritten into a language-free
form: the text gets month names replaced by two-digit month numbers and weekday names removed;
the format gets ``%b``/``%B`` replaced by ``%m`` and ``%a``/``%A`` removed. Names come from
CLDR through babel — wide and abbreviated, format (genitive: Polish "listopada", Russian
"ноября") and stand-alone (nominative: "listopad", "ноябрь") forms — folded so that matching is
case-, accent- and dot-insensitive. A locale's tables are built once and cached.

A name that is both a month and a weekday in one locale (French and Italian "mar", Spanish
"mar") is read as a month first and, when it leads the text, as a weekday second; the format
decides which reading parses.

Dates written without a year or a month (``%d/%m``, ``%d``) are resolved either against the
sync's reference day (the latest date at or before it plus 7 days: histories are in the past)
or, with ``relative_to``, as the first such date on or after a date the row knows (a month
heading, the statement period's start), which gives month and year rollover.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, Discriminator, Field, Tag, field_validator

from engine.recipe.compile import check_expression
from engine.recipe.transforms.registry import (
    Example,
    FieldEnv,
    TransformError,
    parser,
    quote,
)
from engine.recipe.transforms.source import _Strict
from engine.recipe.transforms.text import fold, fold_chars

__all__ = ["DateOptions", "DatetimeOptions", "normalize_date_format", "parse_date",
           "parse_datetime", "tables"]

_DIRECTIVES = "aAbBdmyYHMSjp%"


def _check_format(fmt: str) -> str:
    if "%" not in fmt or re.search(rf"%[^{_DIRECTIVES}]", fmt) or fmt.endswith("%"):
        raise ValueError(f"bad date format {fmt!r}: use strptime directives %d %m %Y %y %b %B "
                         "%a %A %H %M %S")
    return fmt


def _check_locale(name: str) -> str:
    try:
        Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown locale {name!r}: expected a CLDR locale such as pl, ru, "
                         "sr, sr-Latn, pt-BR, de") from None
    return name


Format = Annotated[str, AfterValidator(_check_format)]


class DateOptions(_Strict):
    formats: list[Format] = Field(default_factory=lambda: ["%Y-%m-%d"], min_length=1,
                                  max_length=20, description="strptime formats, tried in order.")
    locale: Annotated[str, AfterValidator(_check_locale)] | None = Field(
        default=None, description="CLDR locale of month and weekday names (pl, ru, sr, "
        "sr-Latn, pt, de, es, it, nl...). Default: French and English.")
    relative_to: Annotated[str, AfterValidator(check_expression)] | None = Field(
        default=None, description="For dates without year (or month): an expression giving the "
        "date they follow, e.g. row.month (a heading) or account.period_start; the first "
        "matching date on or after it is taken.")

    @field_validator("formats", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def expressions(self) -> list[str]:
        """The expressions these options evaluate (the loader checks the fields they read)."""
        return [self.relative_to] if self.relative_to else []


# ----------------------------------------------------------------------------- name tables

@dataclass(frozen=True)
class Tables:
    """One locale's folded names and the regexes that rewrite them."""

    months: dict[str, int]
    month_re: re.Pattern[str]
    weekday_re: re.Pattern[str]
    leading_ambiguous_re: re.Pattern[str] | None


def _alternation(names: set[str]) -> str:
    """Longest names first, so "mars" wins over "mar" and "sept" over "sep"."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _names(values: Any) -> list[str]:
    return [str(v) for v in values.values()] if hasattr(values, "values") else []


@functools.cache
def tables(locale: str | None) -> Tables:
    """Month and weekday names of ``locale`` (None: French and English, the historical
    default), folded and with their trailing dots removed."""
    locales = [Locale.parse(x.replace("-", "_")) for x in ([locale] if locale else ["fr", "en"])]
    months: dict[str, int] = {}
    weekdays: set[str] = set()
    for loc in locales:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in loc.months[context][width].items():
                    months.setdefault(fold(name).rstrip("."), int(number))
                for name in _names(loc.days[context][width]):
                    weekdays.add(fold(name).rstrip("."))
            for name in _names(loc.days[context].get("short", {})):
                weekdays.add(fold(name).rstrip("."))
    if locale is None:  # French and English spellings CLDR does not list but pages use
        months.update({"fev": 2, "sept": 9, "sep": 9})
        weekdays.update({"tues", "thur", "thurs"})
    months = {k: v for k, v in months.items() if k}
    ambiguous = weekdays & set(months)
    weekdays = {w for w in weekdays - ambiguous if len(w) > 1}
    letter_before, letter_after = r"(?<![^\W\d_])", r"(?![^\W\d_])"
    # A trailing dot belongs to the abbreviation when a space or the end follows ("nov.
    # 2026"), but stays a separator in "24.nov.2026".
    month_re = re.compile(rf"{letter_before}({_alternation(set(months))}){letter_after}"
                          r"(?:\.(?=\s|$))?")
    weekday_re = re.compile(rf"{letter_before}(?:{_alternation(weekdays)}){letter_after}"
                            r"\.?,?\s*")
    leading = (re.compile(rf"^(?:{_alternation(ambiguous)}){letter_after}\.?,?\s*")
               if ambiguous else None)
    return Tables(months, month_re, weekday_re, leading)


# "1er", "2e", "2eme" (French) and "1st", "22nd", "3rd", "24th" (English) are plain day numbers.
_ORDINAL_RE = re.compile(r"(?<![0-9])([0-9]{1,2})(?:er|eme|e|st|nd|rd|th)(?![^\W\d_])")
_DIRECTIVE_RE = re.compile(r"%.|[^%]+|%", re.DOTALL)
_WEEKDAY_MARK, _MONTH_MARK = "\x01", "\x02"
_HAS_LETTER = re.compile(r"[^\W\d_]")


def normalize_date_text(text: str, table: Tables, *, leading_is_weekday: bool = False) -> str:
    """Rewrite a date text into digits and separators only, as ``normalize_date_format``
    expects: "Lundi 1er Déc. 2026" -> "1 12 2026". Zero-padding keeps ``%m`` unambiguous in
    compact forms like "24dec2026" -> "24122026"."""
    folded = fold(text)
    if not _HAS_LETTER.search(folded):
        return folded  # numeric dates: nothing to rewrite
    folded = _ORDINAL_RE.sub(r"\1", folded)
    if leading_is_weekday and table.leading_ambiguous_re is not None:
        folded = table.leading_ambiguous_re.sub("", folded)
    folded = table.weekday_re.sub("", folded)
    folded = table.month_re.sub(lambda m: f"{table.months[m.group(1)]:02d}", folded)
    return " ".join(folded.split())


def date_text_variants(text: str, table: Tables) -> tuple[str, ...]:
    first = normalize_date_text(text, table)
    if table.leading_ambiguous_re is None or not table.leading_ambiguous_re.match(fold(text)):
        return (first,)
    return first, normalize_date_text(text, table, leading_is_weekday=True)


@functools.lru_cache(maxsize=256)
def normalize_date_format(fmt: str) -> tuple[str, bool, bool]:
    """A strptime format rewritten to match ``normalize_date_text`` output, and whether it
    has a year and a month. Literal text is folded like the input text, so a format
    "%d de %B de %Y" matches "24 DE NOVIEMBRE de 2026"."""
    parts: list[str] = []
    has_year = has_month = False
    for token in _DIRECTIVE_RE.findall(fmt):
        if token in ("%a", "%A"):
            parts.append(_WEEKDAY_MARK)
        elif token in ("%b", "%B"):
            parts.append(_MONTH_MARK)
            has_month = True
        elif len(token) == 2 and token.startswith("%"):
            has_year = has_year or token in ("%Y", "%y")
            has_month = has_month or token == "%m"  # noqa: S105 - a directive, not a secret
            parts.append(token)
        else:
            parts.append(fold_chars(token))
    pattern = "".join(parts)
    pattern = re.sub(rf"{_WEEKDAY_MARK}\.?,?\s*", "", pattern)
    pattern = re.sub(rf"{_MONTH_MARK}\.(?=\s|$)", _MONTH_MARK, pattern)
    pattern = pattern.replace(_MONTH_MARK, "%m")
    return " ".join(pattern.split()), has_year, has_month


# ----------------------------------------------------------------------------- resolving

def _backwards(parsed: date, reference: date, has_month: bool) -> date:
    """Latest date with the written day (and month) at or before reference + 7 days. Bank
    histories are in the past; the slack absorbs value dates and pending operations."""
    limit = reference + timedelta(days=7)
    for candidate in _candidates(parsed, limit, has_month, step=-1):
        if candidate <= limit:
            return candidate
    raise TransformError(f"no date puts {parsed:%d/%m} before {limit}")  # pragma: no cover


def _forwards(parsed: date, start: date, has_month: bool) -> date:
    for candidate in _candidates(parsed, start, has_month, step=1):
        if candidate >= start:
            return candidate
    raise TransformError(f"no date puts {parsed:%d/%m} after {start}")  # pragma: no cover


def _candidates(parsed: date, around: date, has_month: bool, step: int) -> list[date]:
    out: list[date] = []
    if has_month:  # 8 years guarantee a leap year for 29/02
        for year in range(around.year, around.year + 9 * step, step):
            try:
                out.append(parsed.replace(year=year))
            except ValueError:
                continue
        return out
    year, month = around.year, around.month
    for _ in range(14):
        with contextlib.suppress(ValueError):  # the 31st in a 30-day month
            out.append(date(year, month, parsed.day))
        month += step
        if month in (0, 13):
            month, year = (12, year - 1) if month == 0 else (1, year + 1)
    return out


def _as_date(value: Any, expression: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise TransformError(f"relative_to {expression!r} gave {quote(value)}: expected a date "
                         "(a field parsed as a date, or YYYY-MM-DD)")


def parse_date(value: str, formats: list[str] | str, *, reference: date | None = None,
               locale: str | None = None, after: date | None = None) -> date:
    """Parse a date trying strptime-style ``formats`` in order; the first that fits wins.

    ``%b``/``%B`` accept the locale's month names (default French and English), full or
    abbreviated, any case, with or without dot or accents; ``%a``/``%A`` accept weekday
    names, which are also tolerated (and ignored) when the format does not mention them.
    Without a year (or month), ``after`` gives the first matching date on or after it;
    otherwise ``reference`` the latest one at or before reference + 7 days.
    """
    if isinstance(formats, str):
        formats = [formats]
    if not formats:
        raise TransformError(f"no date format given for {quote(value)}")
    if isinstance(reference, datetime):
        reference = reference.date()
    variants = date_text_variants(value, tables(locale))
    for fmt in formats:
        pattern, has_year, has_month = normalize_date_format(fmt)
        complete = has_year and has_month
        if not has_year:  # 2000 is a leap year, so 29/02 survives until the year is resolved
            pattern += " %Y"
        for text in variants:
            try:
                parsed = datetime.strptime(text if has_year else f"{text} 2000", pattern).date()
            except ValueError:
                continue
            if complete:
                return parsed
            if after is not None:
                return _forwards(parsed, after, has_month)
            if reference is None:
                raise TransformError(
                    f"date {quote(value)} matches {fmt!r}, which has no year: expected a "
                    "reference date (or relative_to) to choose the year")
            return _backwards(parsed, reference, has_month)
    raise TransformError(f"date {quote(value)} matches none of the formats {list(formats)!r}")


def _shape(value: Any) -> str:
    return "Formats" if isinstance(value, list) else "Format" if isinstance(value, str) \
        else "DateOptions"


DateParserOptions = Annotated[
    Annotated[DateOptions, Tag("DateOptions")] | Annotated[Format, Tag("Format")]
    | Annotated[list[Format], Tag("Formats")], Discriminator(_shape)]


@parser("date", options=DateParserOptions, defaults=DateOptions,
        doc="A date by strptime formats; month/weekday names of any CLDR locale; day-only "
            "and day-month resolved against relative_to or the sync day.",
        example=Example({"parse": {"date": {"formats": ["%d. %B %Y"], "locale": "pl"}}},
                        "środa, 24. listopada 2026", date(2026, 11, 24)))
def parse_date_field(value: str, options: DateOptions | str | list[str],
                     env: FieldEnv) -> date:
    if not isinstance(options, DateOptions):
        options = DateOptions(formats=options)  # type: ignore[arg-type]
    after = None
    if options.relative_to is not None:
        after = _as_date(env.evaluate(options.relative_to), options.relative_to)
    return parse_date(value, options.formats, reference=env.reference, locale=options.locale,
                      after=after)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: expected an IANA name such as "
                         "America/Sao_Paulo, Europe/Paris, Australia/Sydney") from None
    return name


class DatetimeOptions(_Strict):
    timezone: Annotated[str, AfterValidator(_check_timezone)] = Field(
        description="IANA time zone of the institution (America/Sao_Paulo): an instant with "
        "an offset or Z is converted to it before its date is taken; a time without offset "
        "is already local.")


def parse_datetime(value: str, timezone: str | None = None) -> date:
    """The local date of an ISO 8601 timestamp.

    Without ``timezone``, the date as written: "2026-11-23T23:30:00-05:00" is the 23rd (the
    institution's day), not the 24th it is in UTC. With one, the instant is converted first:
    APIs that write UTC ("2026-11-20T02:30:00.000Z", as Brazil's Pix API does) would
    otherwise date an evening operation on the next day."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text
                                        else text)
    except ValueError:
        raise TransformError(f"{quote(value)} is not an ISO 8601 date-time: expected e.g. "
                             "2026-11-23T23:30:00+01:00") from None
    if timezone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(timezone))
    return moment.date()


@parser("datetime", options=DatetimeOptions,
        doc="ISO 8601 date-time with offset or Z; the date as written (local), or, with "
        "timezone, the date in that zone.",
        example=Example({"parse": {"datetime": {"timezone": "America/Sao_Paulo"}}},
                        "2026-11-20T02:30:00.000Z", date(2026, 11, 19)))
def parse_datetime_field(value: str, options: DatetimeOptions | None, env: FieldEnv) -> date:
    del env
    return parse_datetime(value, options.timezone if options is not None else None)
