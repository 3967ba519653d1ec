"""Extraction on plain HTML/JSON strings: no browser, same code as the live run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.extraction import extract_list, extract_one
from engine.recipe.model import ListBlock

PAGE = """
<html><body>
<table id="comptes"><tbody>
  <tr class="compte" data-id="111">
      <td class="libelle"><a href="/c/111">Compte <b>courant</b></a></td>
      <td class="type">Compte courant</td><td class="solde">1\u202f234,56\u00a0€</td></tr>
  <tr class="compte" data-id="222"><td class="libelle"><a href="/c/222">Livret A</a></td>
      <td class="type">Livret A</td><td class="solde">-45,90 €</td></tr>
</tbody></table>
<a class="suivant" href="/comptes?page=2">Suivante</a>
</body></html>
"""


def block(**fields: object) -> ListBlock:
    return ListBlock.model_validate({"each": "tr.compte", "fields": fields})


def test_fields_by_css_attribute_map_and_parse() -> None:
    result = extract_list(PAGE, block(
        id="::attr(data-id)", label="td.libelle",
        type={"css": "td.type", "map": {"Compte courant": "checking", "Livret A": "savings"}},
        balance={"css": "td.solde", "parse": "amount"},
        currency={"css": "td.solde", "parse": "currency"},
        url="td.libelle a::attr(href)", bank={"const": "demo"},
    ))
    assert result.problems == []
    assert result.records == [
        {"id": "111", "label": "Compte courant", "type": "checking",
         "balance": Decimal("1234.56"), "currency": "EUR", "url": "/c/111", "bank": "demo"},
        {"id": "222", "label": "Livret A", "type": "savings", "balance": Decimal("-45.90"),
         "currency": "EUR", "url": "/c/222", "bank": "demo"},
    ]
    assert result.fields["balance"].matched == 2


def test_xpath_regex_mask_and_text_nodes() -> None:
    result = extract_list(PAGE, block(
        first_word={"xpath": ".//td[@class='libelle']//a/text()", "regex": r"^(\w+)"},
        masked={"css": "::attr(data-id)", "mask": True},
    ))
    assert [r["first_word"] for r in result.records] == ["Compte", "Livret"]
    assert all(r["masked"].endswith(r_id) for r, r_id in zip(result.records, ["111", "222"],
                                                              strict=True))


def test_missing_and_unparsable_values_are_reported_not_raised() -> None:
    result = extract_list(PAGE, block(
        nothing="td.absent", label={"css": "td.libelle", "parse": "amount"},
        optional={"css": "td.absent", "required": False},
        defaulted={"css": "td.absent", "default": "x"},
    ))
    assert [r["optional"] for r in result.records] == [None, None]
    assert [r["defaulted"] for r in result.records] == ["x", "x"]
    messages = {(p.row, p.field): p.message for p in result.problems}
    assert messages[(0, "nothing")] == "matched nothing"
    assert "Compte courant" in messages[(0, "label")]
    assert result.fields["label"].unparsable == 2
    assert result.fields["nothing"].empty == 2


def test_dates_with_french_months_and_formats_in_order() -> None:
    html = "<ul><li><i>24 nov. 2026</i></li><li><i>03/02/2026</i></li></ul>"
    result = extract_list(html, ListBlock.model_validate({
        "each": "li", "fields": {"d": {"css": "i", "parse": {"date": ["%d/%m/%Y", "%d %b %Y"]}}}}))
    assert [r["d"] for r in result.records] == [date(2026, 11, 24), date(2026, 2, 3)]


def test_json_rows_with_jmespath() -> None:
    doc = '{"items": [{"id": "a", "amount": "-45.90", "meta": {"label": "CB  X"}}]}'
    result = extract_list(doc, ListBlock.model_validate({
        "format": "json", "each": "items",
        "fields": {"id": {"path": "id"}, "amount": {"path": "amount", "parse": "amount"},
                   "label": {"path": "meta.label"}}}))
    assert result.records == [{"id": "a", "amount": Decimal("-45.90"), "label": "CB X"}]


def test_templates_in_fields_and_next_page() -> None:
    result = extract_list(PAGE, block(account={"template": "{{ account.id }}"}),
                          {"account": {"id": "A1"}})
    assert [r["account"] for r in result.records] == ["A1", "A1"]
    assert extract_one(PAGE, "a.suivant::attr(href)") == "/comptes?page=2"
    assert extract_one(PAGE, "a.absent::attr(href)") is None


def test_zero_rows_and_empty_marker() -> None:
    html = "<p class='vide'>Aucune opération</p>"
    plain = extract_list(html, block(x="td"))
    assert plain.rows == 0 and not plain.empty_marker
    marked = extract_list(html, ListBlock.model_validate(
        {"each": "tr", "fields": {"x": "td"}, "empty": "p.vide"}))
    assert marked.empty_marker


def test_field_nodes_follow_extraction_rules_for_drift() -> None:
    from parsel import Selector

    from engine.extraction.records import field_nodes
    from engine.recipe.fields import FieldSpec

    root = Selector(text=PAGE)
    row = root.css("tr.compte")[0]
    assert [n.attrib["class"] for n in field_nodes(row, FieldSpec(xpath="td[3]"))] == ["solde"]
    assert field_nodes(row, FieldSpec(css="td.solde"))[0].attrib["class"] == "solde"
    assert field_nodes(row, FieldSpec(column=2))[0].attrib["class"] == "type"
    assert field_nodes(row, FieldSpec(column="Solde"), root=root) == []  # no header row
    assert field_nodes(row, FieldSpec(path="a")) == []


def test_a_falsy_json_next_link_ends_the_list() -> None:
    from engine.extraction.records import extract_next

    block = ListBlock.model_validate({"format": "json", "each": "items", "next_page":
                                      "has_more && next", "fields": {"a": {"path": "a"}}})
    assert extract_next('{"items": [], "has_more": false, "next": "/p2"}', block) is None
    assert extract_next('{"items": [], "has_more": true, "next": ""}', block) is None
    assert extract_next('{"items": [], "has_more": true, "next": "/p2"}', block) == "/p2"
