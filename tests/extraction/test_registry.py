"""The transform registry: every entry documented, tested by its own example, and the only
source of the FieldSpec keys, the parse union and docs/transforms.md."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.extraction.fields import convert
from engine.recipe.fields import FieldSpec
from engine.recipe.transforms import PARSERS, TRANSFORMS, PlainEnv, ordered_transforms
from engine.recipe.transforms import registry as reg
from engine.recipe.transforms.docs import DOCS_PATH, docs_are_current, markdown
from tests.conftest import ROOT

ENTRIES = [*(("transform", t.name, t.example) for t in TRANSFORMS.values()),
           *(("parser", p.name, p.example) for p in PARSERS.values())]


@pytest.mark.parametrize(("kind", "name", "example"), ENTRIES, ids=[f"{k}:{n}" for k, n, _ in
                                                                    ENTRIES])
def test_every_documented_example_holds(kind: str, name: str, example: reg.Example) -> None:
    spec = FieldSpec.model_validate({"const": example.raw, **example.keys})
    env = PlainEnv(settings=example.settings, reference=example.reference, row=example.row)
    assert convert(example.raw, spec, env) == example.result, (kind, name)


def test_field_spec_keys_are_the_registry() -> None:
    sources = {"css", "xpath", "path", "column", "attr", "const", "template", "debit",
               "credit", "lookup", "join", "span_row", "required"}
    assert set(FieldSpec.model_fields) == sources | set(TRANSFORMS)


def test_parse_accepts_exactly_the_registered_parsers() -> None:
    for name in PARSERS:
        assert FieldSpec.model_validate({"css": "td", "parse": name}).parser()[0] == name
    with pytest.raises(ValidationError, match="'amount', 'bool', 'currency', 'date'"):
        FieldSpec.model_validate({"css": "td", "parse": "percent"})
    with pytest.raises(ValidationError, match="a parser name"):
        FieldSpec.model_validate({"css": "td", "parse": {"percent": {}}})


def test_order_is_total_and_declared_once_per_transform() -> None:
    orders = [t.order for t in ordered_transforms()]
    assert orders == sorted(set(orders))
    assert [t.name for t in ordered_transforms()] == [
        "strip", "replace", "transliterate", "regex", "map", "default", "parse", "sign", "mask"]


def test_a_duplicate_registration_or_order_clash_is_refused_at_import() -> None:
    with pytest.raises(RuntimeError, match="registered twice"):
        reg.transform("strip", options=str, order=999, doc="", example=reg.Example({}, "", ""))(
            lambda value, options, env: value)
    clash = reg.Transform("clash", str, lambda v, o, e: v, "", reg.Example({}, "", ""), 10)
    TRANSFORMS["clash"] = clash
    try:
        with pytest.raises(RuntimeError, match="share order 10"):
            reg.check_registry()
    finally:
        del TRANSFORMS["clash"]
    reg.check_registry()


def test_transform_options_are_validated_by_their_registered_types() -> None:
    with pytest.raises(ValidationError, match="transliterate"):
        FieldSpec.model_validate({"css": "td", "transliterate": "xx"})
    with pytest.raises(ValidationError, match="replace"):
        FieldSpec.model_validate({"css": "td", "replace": ["a", "b"]})


def test_committed_docs_are_current() -> None:
    assert docs_are_current(ROOT / DOCS_PATH), \
        "run: python -m engine.recipe.transforms.docs --write"
    text = markdown()
    for name in [*TRANSFORMS, *PARSERS]:
        assert f"`{name}`" in text


def test_docs_options_column_reflects_option_models() -> None:
    line = next(row for row in markdown().splitlines() if row.startswith("| `amount`"))
    assert "minor_units: bool" in line and 'decimal: "," \\| "."' in line


def test_committed_currency_symbols_are_babels() -> None:
    from engine.recipe.transforms.currency import SYMBOLS_PATH, symbols_text

    assert SYMBOLS_PATH.read_text(encoding="utf-8") == symbols_text(), \
        "run: python -m engine.recipe.transforms.docs --write"


def test_every_guide_example_is_a_valid_list_block() -> None:
    import yaml

    from engine.recipe.model import ListBlock
    from engine.recipe.transforms.guide import SECTIONS

    for title, _, example in SECTIONS:
        assert ListBlock.model_validate(yaml.safe_load(example)).fields, title
