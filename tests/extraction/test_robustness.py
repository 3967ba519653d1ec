"""Extraction never raises on what a site sends: whatever the document and the (valid) block,
problems come back as ``problems`` or ``document_error``, never as an exception that would
become ``engine_error``. A seeded, bounded fuzz over documents and blocks."""

from __future__ import annotations

import random

import yaml

from engine.extraction import extract_list
from engine.extraction.records import count_rows
from engine.recipe.model import ListBlock

DOCUMENTS = [
    "", "<html>", "{}", "[]", "null", '{"items": 1}', '{"items": [1, "a", null, {"a": []}]}',
    "<table><tr><td>1,00</td><td>x</td></tr></table>",
    "<table><thead><tr><th>Iznos</th></tr></thead><tr><td colspan='99999'>12</td></tr></table>",
    "<script>window.__STATE__ = {a: [1,2,}</script>", "<script>hydrate(</script>",
    "<script>window.__STATE__ = JSON.parse('x')</script>",
    "<OFX><A><B>1<C>2</A>", "OFXHEADER:100\n<OFX><X>&<Y>1</OFX>", "<?xml version='1.0'?><a>",
    "\x00\ufeff<tr>" * 50, "[" * 50_000, "<script>window.__STATE__ = " + "[" * 50_000,
    "<tr class='op'><td>" + "9" * 5000 + "</td></tr>",
]
BLOCKS = [
    "each: tr\nfields: {a: {css: td, parse: amount}}",
    "each: tr\nfields: {a: {column: Iznos, parse: {amount: {minor_units: true}}}}",
    "each: tr\nfields: {a: {column: -1, regex: '(9+)+$', parse: int}}",
    "format: json\neach: items\nfields: {a: {path: 'length(@)', parse: date}}",
    "format: json\neach: 'items[].a'\nfilter: \"row.a > `1`\"\nfields: {a: {path: '@'}}",
    "embedded: {script: window.__STATE__}\neach: a\nfields: {a: {path: '@', parse: bool}}",
    "embedded: {script: hydrate}\neach: a\nfields: {a: {path: x}}",
    "format: ofx\neach: //B\nlookups: {s: {each: //C, key: ./text(), row_key: ./text()}}\n"
    "fields: {a: {lookup: s, xpath: text()}}",
    "format: xml\nnamespaces: {c: urn:x}\neach: //c:a\nfields: {a: {xpath: 'c:b/text()'}}",
    "each: tr\ngroup: {heading: tr, fields: {m: {css: td, parse: {date: '%B %Y'}}}}\n"
    "fields: {d: {css: td, parse: {date: {formats: ['%d'], relative_to: row.m}}}}",
    "each: tr\nspan: 3\nfields: {a: {debit: {column: 1}, credit: {column: 2}, parse: amount}}",
    "each: tr\nfields: {a: {css: td, parse: currency, sign: {css: td, negative: [x]}}}",
]


def test_extraction_never_raises_on_hostile_documents() -> None:
    rng = random.Random(11)
    blocks = [ListBlock.model_validate(yaml.safe_load(text)) for text in BLOCKS]
    for _ in range(400):
        document = rng.choice(DOCUMENTS)
        if rng.random() < 0.3:
            document = document[: rng.randint(0, len(document))]
        block = rng.choice(blocks)
        result = extract_list(document, block, {"account": {"id": "x"}})
        assert isinstance(result.rows, int)
        assert count_rows(document, block) >= 0


def test_deeply_nested_json_is_a_document_error() -> None:
    json_block = ListBlock.model_validate({"format": "json", "each": "a",
                                           "fields": {"a": {"path": "a"}}})
    assert "nested too deeply" in str(extract_list("[" * 50_000, json_block).document_error)
    embedded = ListBlock.model_validate({"embedded": {"script": "window.__STATE__"},
                                         "each": "a", "fields": {"a": {"path": "a"}}})
    page = "<script>window.__STATE__ = " + "[" * 50_000 + "</script>"
    assert extract_list(page, embedded).document_error is not None
