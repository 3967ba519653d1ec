"""One document as a list block reads it: an HTML or XML tree, or JSON data.

Four shapes reach extraction: HTML pages, JSON answers, XML documents (CAMT.053, OFX 2) and
OFX 1 statements, which are SGML — XML whose leaf elements have no end tag — converted here by
closing them. JSON embedded in a page's ``<script>`` (``window.__STATE__ = {...};``,
``hydrate({...})``, ``<script type="application/json">``) is cut out and decoded: strict JSON
first (``JSONDecoder.raw_decode`` reads a prefix, so whatever follows the literal is ignored),
then chompjs for the JavaScript object-literal quirks real sites ship (unquoted keys, single
quotes, trailing commas). chompjs rather than json5: it finds the literal's end inside a larger
script by itself and is a C extension, fast on megabyte-sized states; json5 needs the exact
text and is pure Python.

Inputs are bounded: a document or script over ``MAX_DOCUMENT`` characters is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import chompjs
from parsel import Selector

__all__ = ["MAX_DOCUMENT", "Document", "DocumentError", "load_document", "ofx_to_xml"]

MAX_DOCUMENT = 50_000_000
"""Characters: a bank page or statement is far below; beyond is a runaway response."""


class DocumentError(ValueError):
    """The document is not what the block says it is (no such script, not OFX...)."""


@dataclass
class Document:
    root: Selector | None
    """The HTML or XML tree (None for a JSON answer)."""
    data: Any = None
    """The JSON data rows are read from (a JSON answer, or the embedded data)."""

    @property
    def is_json(self) -> bool:
        return self.root is None or self.data is not None


def load_document(text: str, block: Any) -> Document:
    if len(text) > MAX_DOCUMENT:
        raise DocumentError(f"document of {len(text)} characters: at most {MAX_DOCUMENT}")
    if block.format == "json":
        try:
            return Document(None, json.loads(text))
        except ValueError as exc:
            raise DocumentError(f"not a JSON document: {exc}") from None
        except RecursionError:
            raise DocumentError("JSON document nested too deeply") from None
    if block.format in ("xml", "ofx"):
        xml = ofx_to_xml(text) if block.format == "ofx" else text
        return Document(Selector(text=_without_declaration(xml), type="xml",
                                 namespaces=block.namespaces or None))
    root = Selector(text=text, type="html")
    if block.embedded is None:
        return Document(root)
    return Document(root, embedded_data(root, block.embedded))


def _without_declaration(xml: str) -> str:
    # lxml refuses str input carrying an encoding declaration
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", xml, count=1)


# ----------------------------------------------------------------------------- embedded JSON

def embedded_data(root: Selector, spec: Any) -> Any:
    if spec.css is not None:
        found = root.css(spec.css)
        if not found:
            raise DocumentError(f"embedded: no <script> matches {spec.css!r}")
        return _decode(str(found[0].xpath("string()").get() or ""), spec.css)
    name = spec.script
    pattern = re.compile(rf"(?<![\w$.]){re.escape(name)}\s*(=(?!=)|\()\s*")
    for script in root.xpath("//script/text()").getall():
        match = pattern.search(script)
        if match:
            return _decode(script[match.end():], name)
    raise DocumentError(f"embedded: no <script> assigns or calls {name} (expected "
                        f"'{name} = {{...}}' or '{name}({{...}})')")


_JSON_PARSE = re.compile(r"JSON\.parse\(\s*")


def _decode(text: str, where: str) -> Any:
    text = text.lstrip()
    decoder = json.JSONDecoder()
    call = _JSON_PARSE.match(text)
    if call:  # window.__STATE__ = JSON.parse("{\"a\": 1}")
        try:
            literal, _ = decoder.raw_decode(text, call.end())
            return json.loads(literal)
        except (ValueError, TypeError, RecursionError):
            raise DocumentError(f"embedded {where}: JSON.parse argument is not a JSON "
                                "string") from None
    try:
        return decoder.raw_decode(text)[0]
    except ValueError:
        pass
    except RecursionError:
        raise DocumentError(f"embedded {where}: nested too deeply") from None
    try:
        return chompjs.parse_js_object(text)
    except (ValueError, TypeError, RecursionError) as exc:
        raise DocumentError(f"embedded {where}: not a JSON or JavaScript object literal "
                            f"({type(exc).__name__})") from None


# ----------------------------------------------------------------------------- OFX

_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]+)[^>]*>|([^<]+)")
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)")


def ofx_to_xml(text: str) -> str:
    """OFX as XML: OFX 2 is returned as it is; OFX 1 (SGML: ``<TRNAMT>-45.90`` with no end
    tag) gets its header dropped and every leaf element closed.

    Why not ofxtools/ofxparse: ofxtools rejects headers real banks ship slightly wrong and
    converts into its own object model, ofxparse needs BeautifulSoup and returns objects too;
    what the recipe needs is XML for XPath, and the difference from XML is only the end tags.
    """
    start = text.upper().find("<OFX>")
    if start < 0:
        raise DocumentError("not an OFX document: no <OFX> element")
    header, body = text[:start], text[start:]
    if "<?xml" in header.lower() or "<?ofx" in header.lower():
        return body
    out: list[str] = []
    tokens = list(_TOKEN.finditer(body))
    consumed: set[int] = set()
    for i, token in enumerate(tokens):
        if i in consumed:
            continue
        closing, name, data = token.group(1), token.group(2), token.group(3)
        if name is None:
            if data.strip():
                out.append(_BARE_AMP.sub("&amp;", data.strip()))
            continue
        out.append(f"</{name}>" if closing else f"<{name}>")
        if closing:
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        value = following.group(3) if following is not None else None
        if value is None or not value.strip():
            continue  # an aggregate: its end tag is written
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        closes_itself = after is not None and after.group(1) and after.group(2) == name
        if not closes_itself:
            out.append(_BARE_AMP.sub("&amp;", value.strip()) + f"</{name}>")
            consumed.add(i + 1)
    return "".join(out)
