"""Read a page's form the way a browser without JavaScript would submit it."""

import re
from html.parser import HTMLParser

import httpx

from tests.personas import PASSWORD


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind != "submit":
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """Every (name, value) the form posting to `action` would send as the page stands."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.fields, f"no form posting to {action}"
    return reader.fields


def change(fields: list[tuple[str, str]], **values) -> list[tuple[str, str]]:
    """Replace fields by name; a list replaces every value of a repeated field (checkboxes)."""
    kept = [(n, v) for n, v in fields if n not in values]
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            kept.append((name, str(item)))
    return kept


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


async def web_login(browser: httpx.AsyncClient, email: str) -> None:
    page = await browser.get("/login")
    form = {"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD, "next": "/"}
    response = await browser.post("/login", data=form)
    assert response.status_code == 303, response.text


def error_by(html: str, name: str) -> str:
    """The message shown next to the field `name`."""
    match = re.search(rf'id="{re.escape(name)}-error"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no message by {name!r}"
    return match.group(1)
