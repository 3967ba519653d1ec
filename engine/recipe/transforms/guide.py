"""The "patterns" half of ``docs/transforms.md``: how real bank pages map to field syntax.

Each section is prose plus a list-block example; the test suite validates every example as a
``ListBlock``, so the guide cannot show syntax the loader refuses.
"""

from __future__ import annotations

__all__ = ["SECTIONS"]

SECTIONS: list[tuple[str, str, str]] = [
    ("Columns by header name",
     "`column:` finds a table cell by its header text (case-, accent-, punctuation- and "
     "space-insensitive), so a site adding or reordering columns breaks nothing; an integer "
     "counts from 1, negative from the end. The header is the block's `header` selector, "
     "else the row's table `thead` (its last row). `css`/`xpath` next to `column` apply "
     "inside the cell. A list of names takes the first one the header has: a site shown in "
     "two scripts or languages.",
     """each: table.promet tbody tr
fields:
  date: {column: Datum valute, parse: {date: "%d.%m.%Y."}}
  label: {column: [Opis, Опис]}
  balance: {column: -1, parse: amount}
  detail: {column: Akcije, css: "a::attr(href)"}"""),
    ("Sign from elsewhere than the number",
     "`sign:` reads a value on the same row (a class, an icon's label, a type column) and "
     "matches it by word against `negative`/`positive`; or `negative_when:` an expression "
     "over `{row, account, vars, options}`. Separate debit and credit columns are one "
     "source: `debit`/`credit` (exactly one non-empty per row; the debit is negated). "
     "`CR`/`DR`/`DB` suffixes are read by `parse: amount` itself.",
     """each: table.izvod tbody tr
fields:
  from_account: "::attr(data-from)"
  by_type: {column: Iznos, parse: amount, sign: {column: Tip, negative: [Isplata],
            positive: [Uplata]}}
  by_class: {css: .amount, parse: amount, sign: {css: "::attr(class)", negative: [debit]}}
  by_account: {css: .amount, parse: amount,
               sign: {negative_when: "row.from_account == account.id"}}
  two_columns: {debit: {column: Isplata}, credit: {column: Uplata}, parse: amount}"""),
    ("Scaled amounts and decimal separators",
     "`parse: {amount: {decimal: \",\"}}` fixes the decimal separator for a field "
     "(`institution.decimal_separator` for all); `decimals: 0` reads amounts written without "
     "decimals (\"$1,234\" is 1234); `minor_units: true` divides integer cents by 10^the "
     "currency's ISO 4217 exponent (EUR 2, JPY 0, KWD 3).",
     """format: json
each: feed
fields:
  amount: {path: amount, parse: {amount: {minor_units: true, currency: BRL}}}
  whole: {path: shown, parse: {amount: {decimals: 0}}}"""),
    ("Dates in any language",
     "`locale:` takes month and weekday names from CLDR (babel): wide and abbreviated, "
     "genitive and nominative (Polish \"listopada\"/\"listopad\", Russian "
     "\"ноября\"/\"ноябрь\"), case-, accent- and dot-insensitive. `parse: datetime` reads ISO "
     "8601 with an offset and keeps the local date as written. Dates without a year or month "
     "take the first matching date on or after `relative_to` (a heading's month, the "
     "statement's start), else the latest one before the sync day.",
     """each: table.history tbody tr
fields:
  date: {column: Data operacji, parse: {date: {formats: ["%A, %d %B %Y"], locale: pl}}}
  booked: {css: td.when, parse: datetime}"""),
    ("Currencies",
     "`parse: currency` knows every ISO 4217 code (babel). Symbols several currencies share "
     "(`$`, `kr`, `¥`, `din`) are resolved by `institution.currency`, then "
     "`institution.country` (ISO 3166): `$` in AU is AUD. When neither settles it the field "
     "fails: never a silent USD.",
     """each: tbody tr
fields:
  currency: {css: td.amount, parse: currency}"""),
    ("Records over several rows, rows under headings",
     "`span: N` makes N consecutive rows one record (fields read the first row where they "
     "match, or `span_row:`). `group:` gives every row the fields of the last heading row "
     "above it (a date or an account as a heading).",
     """each: section.operations > div
span: 1
group:
  heading: div.ops-day
  fields:
    month: {css: h3, parse: {date: {formats: ["%B %Y"], locale: ru}}}
fields:
  day: {css: .day, parse: {date: {formats: ["%d"], relative_to: row.month}}}
  label: {css: .title, span_row: 1}"""),
    ("Embedded data and XML documents",
     "`embedded: {script: window.__STATE__}` cuts the JSON assigned to (or passed to, "
     "`hydrate({...})`) a name out of a `<script>`; `each` and `path` are then JMESPath. "
     "`format: xml` reads XML with `namespaces:`; `format: ofx` reads OFX 2, and OFX 1 "
     "(SGML) after closing its elements. `lookups:` joins other records of the document by "
     "key (a holding to its security); a field with `lookup:` reads there.",
     """format: ofx
each: //INVPOSLIST/*
lookups:
  security: {each: //SECLIST/*, key: ./SECINFO/SECID/UNIQUEID,
             row_key: ./INVPOS/SECID/UNIQUEID}
fields:
  code: {xpath: INVPOS/SECID/UNIQUEID/text()}
  label: {lookup: security, xpath: SECINFO/SECNAME/text()}
  quantity: {xpath: INVPOS/UNITS/text(), parse: {decimal: {decimal: "."}}}"""),
    ("Row filters and per-account sections",
     "`filter:` keeps the rows where an expression over `{row, account, vars, options}` is "
     "true; it reads fields declared in the block. Templates in `each`, `css`, `xpath` and "
     "`path` are rendered with the account before use.",
     """each: "section[data-account='{{ account.id }}'] tr"
filter: "row.status != 'declined'"
fields:
  status: td.status
  label: td.who"""),
    ("Cleaning",
     "`strip` deletes characters, `replace` rewrites text, `transliterate` turns Cyrillic "
     "into Latin (cyrtranslit's per-language tables), `parse: bool` reads yes/no words in "
     "many languages (\"false\" is False), `default` fills a missing or empty value, "
     "including a regex group that matched nothing.",
     """each: div.acct
fields:
  id: {css: span.id, strip: " ."}
  label: {css: span.name, transliterate: sr, replace: {"-": " "}}
  nickname: {css: span.name, regex: "\\\\((.*)\\\\)", default: none}
  pending: {css: td.p, parse: {bool: {true_values: [vorgemerkt]}}}"""),
]
