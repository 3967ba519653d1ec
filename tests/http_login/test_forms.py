"""What a form posts without a browser: HTML's rules for the form data set, on tiny pages."""

from __future__ import annotations

import pytest

from engine.runner import html_forms as forms
from engine.runner.html_forms import FormProblem, Page

FORM = """<html><head><base href="/app/"></head><body>
<form id="f" method="post" action="login?x=1">
  <input type="hidden" name="csrf" value="tok">
  <input id="user" name="user" maxlength="6">
  <input type="password" id="pw" name="pw">
  <input type="checkbox" name="remember" value="yes" checked>
  <input type="checkbox" name="ads">
  <input type="radio" name="mode" value="a"><input type="radio" name="mode" value="b" checked>
  <select name="lang"><option value="fr">Français</option><option selected>English</option>
  </select>
  <textarea name="note">line1
line2</textarea>
  <input name="off" value="1" disabled>
  <fieldset disabled><input name="inside" value="1"></fieldset>
  <input type="button" name="b" value="x"><input type="reset" name="r">
  <button id="go" name="action" value="login">Go</button>
  <button id="other" name="action" value="other" formaction="/elsewhere">Other</button>
  <button id="plain" type="button">Plain</button>
</form>
<input name="outside" value="o" form="f">
<a id="link" href="../next?p=2#top">next</a><a id="js" href="javascript:go()">js</a>
</body></html>"""


def page() -> Page:
    return Page(url="http://bank.test/start", status=200, html=FORM)


def test_the_form_data_set_follows_html() -> None:
    p = page()
    assert forms.fill(p, "#user", "alice") == "alice"
    forms.fill(p, "#pw", "s3cret")
    form = forms.form_of(p, p.first("#go", "click"))
    assert form is not None
    sent = forms.submission(p, form, p.first("#go", "click"))
    assert sent.method == "POST" and sent.url == "http://bank.test/app/login?x=1"
    assert sent.fields == [("csrf", "tok"), ("user", "alice"), ("pw", "s3cret"),
                           ("remember", "yes"), ("mode", "b"), ("lang", "English"),
                           ("note", "line1\r\nline2"), ("action", "login"), ("outside", "o")]
    assert "s3cret" not in repr(sent)


def test_submitter_overrides_and_implicit_submission() -> None:
    p = page()
    form = forms.form_of(p, p.first("#other", "click"))
    assert form is not None
    other = forms.submission(p, form, p.first("#other", "click"))
    assert other.url == "http://bank.test/elsewhere" and ("action", "other") in other.fields
    default = forms.default_button(p, form)
    assert default is not None and default.get("id") == "go"
    assert not forms.is_submitter(p.first("#plain", "click"))


def test_maxlength_and_what_cannot_be_typed() -> None:
    p = page()
    assert forms.fill(p, "#user", "alexandra") == "alexan"
    with pytest.raises(FormProblem):
        forms.fill(p, "select", "x")
    with pytest.raises(FormProblem):
        forms.fill(p, "#nope", "x")
    with pytest.raises(FormProblem):
        p.find("button >> nth=0")  # a Playwright-only selector


def test_select_by_label_and_get_forms_and_links() -> None:
    p = page()
    forms.choose(p, "select", value=None, label="franç")
    form = forms.form_of(p, p.first("#go", "click"))
    assert form is not None
    assert ("lang", "fr") in forms.submission(p, form, None).fields
    get = Page(url="http://bank.test/s", status=200,
               html='<form action="/find"><input name="q" value="a b"><button>Go</button>'
                    "</form>")
    form = get.root.xpath("//form")[0]
    assert forms.submission(get, form, None).url == "http://bank.test/find?q=a+b"
    link = forms.link(p, p.first("#link", "click"))
    assert link is not None and link.url == "http://bank.test/next?p=2"
    assert forms.link(p, p.first("#js", "click")) is None


def test_a_page_is_scripted_if_anything_would_run() -> None:
    plain = Page("http://b/", 200, "<html><body><form></form></body></html>")
    assert forms.page_fingerprint(plain) == ""
    data = Page("http://b/", 200, '<script type="application/ld+json">{"a": 1}</script>')
    assert forms.page_fingerprint(data) == ""
    for html in ('<script src="/a.js"></script>', "<script>x()</script>",
                 '<body onload="x()"></body>', '<a href="javascript:x()">x</a>',
                 '<meta http-equiv="refresh" content="0;url=/x">'):
        assert forms.page_fingerprint(Page("http://b/", 200, html)) != "", html
    first = Page("http://b/", 200, '<script>var t = "a8f3e1c9b2d4f6a7e8c9";</script>')
    second = Page("http://b/", 200, '<script>var t = "0c1d2e3f4a5b6c7d8e9f";</script>')
    assert forms.page_fingerprint(first) == forms.page_fingerprint(second), \
        "per-page tokens in an inline script do not make it another script"
    a = forms.page_fingerprint(Page("http://b/", 200, '<script src="/a.js"></script>'),
                               {"http://b/a.js": "1"})
    b = forms.page_fingerprint(Page("http://b/", 200, '<script src="/a.js"></script>'),
                               {"http://b/a.js": "2"})
    assert a != b, "an external script is known by its content too"
