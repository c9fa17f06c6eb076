"""What an e-mail from Kindred looks like: a plain-text part and the same words as HTML.

Nothing personal goes in: a greeting with the person's pseudonym, fixed sentences, and a link
to the app (docs/notifications.md). Callers pass only their own fixed wording.
"""

from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def compose(
    *,
    service_name: str,
    subject: str,
    name: str | None,
    lines: list[str],
    link: tuple[str, str] | None = None,
    footer: list[str] | None = None,
    unsubscribe_url: str | None = None,
) -> Composed:
    """An e-mail with a greeting, some fixed lines, one button-like link and a footer; with an
    `unsubscribe_url`, the List-Unsubscribe headers (RFC 2369) and one-click (RFC 8058)."""
    greeting = f"Hello {name}," if name else "Hello,"
    footer = footer or []
    text_parts = [greeting, "", *[f"{line}\n" for line in lines]]
    if link:
        text_parts += [f"{link[0]}: {link[1]}", ""]
    text_parts += ["--", *footer, f"{service_name}"]
    if unsubscribe_url:
        text_parts.append(f"Stop these e-mails: {unsubscribe_url}")
    text = "\n".join(text_parts).strip() + "\n"

    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines)
    button = (
        f'<p><a href="{escape(link[1], quote=True)}" style="display:inline-block;padding:10px '
        f'16px;background:#2f5d50;color:#ffffff;border-radius:6px;text-decoration:none">'
        f"{escape(link[0])}</a></p>"
        if link
        else ""
    )
    small = "".join(f"<p>{escape(line)}</p>" for line in footer)
    if unsubscribe_url:
        small += f'<p><a href="{escape(unsubscribe_url, quote=True)}">Stop these e-mails</a></p>'
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>"
        '<body style="font-family:sans-serif;line-height:1.5;color:#1d2321;max-width:560px">'
        f"<p>{escape(greeting)}</p>{paragraphs}{button}"
        f'<hr><div style="font-size:0.9em;color:#4a5552">{small}'
        f"<p>{escape(service_name)}</p></div></body></html>"
    )
    headers = {}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Composed(subject=subject, text=text, html=html, headers=headers)
