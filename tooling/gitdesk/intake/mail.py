"""Reading incoming mail safely: whatever arrives becomes plain, bounded, valid text.

Mail is hostile input. Everything here works on bytes with the ``compat32`` parser (which never
raises on malformed structure) and decodes by hand: transfer encodings (quoted-printable,
base64), declared charsets (unknown or lying ones fall back to UTF-8, then windows-1252, the
way browsers do), RFC 2047 encoded words in headers. HTML-only messages become text through the
standard library's :mod:`html.parser` with the contents of ``script``, ``style`` and similar
elements dropped (nothing is rendered or executed). Replies from common mail clients carry the
whole earlier conversation under a line such as ``On ... wrote:`` or an Outlook ``From:/Sent:``
block; :func:`strip_quoted` cuts it so a ticket's comments are what people actually wrote.
The result of :func:`parse_message` is a :class:`ParsedMessage` of clean strings (no control
characters, no lone surrogates) that can go straight into an event file.
"""

from __future__ import annotations

import codecs
import email
import email.parser
import email.policy
import hashlib
import mailbox
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

from gitdesk.errors import ValidationError

MAX_BODY_CHARS = 100_000
MAX_SUBJECT_CHARS = 300
MAX_PARTS = 500
MAX_DEPTH = 20
EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
# C0 and C1 (U+0080-U+009F: U+009B is a one-character "ESC [") controls, and invisible breaks
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


# -- text hygiene --------------------------------------------------------------------------------

def clean_text(text: str, *, keep_newlines: bool = True) -> str:
    """No lone surrogates, no control characters (but tabs and, optionally, newlines), NFC."""
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text)
    if not keep_newlines:
        text = " ".join(text.split())
    return unicodedata.normalize("NFC", text)


def truncate(text: str, limit: int, note: str = "\n\n[... {n} more characters not shown]") -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + note.format(n=len(text) - limit)


_CHARSET_ALIASES = {
    # WHATWG: labels that browsers decode as windows-1252 (its superset)
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252", "windows-1252": "cp1252",
    "x-user-defined": "cp1252",
    "ks_c_5601-1987": "cp949", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "iso-8859-9": "cp1254", "iso-8859-11": "cp874", "tis-620": "cp874",
}
_UNSAFE_CHARSETS = {"utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7"}  # decodes ASCII into markup


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset -> text, never failing (see the module docstring).

    Labels browsers read as windows-1252 (``us-ascii``, ``iso-8859-1``...) are often lies told
    by software that wrote UTF-8, so valid UTF-8 wins over them; any other known charset is
    tried first as declared; unknown, missing or unsafe labels (UTF-7) try UTF-8, then
    windows-1252. Undecodable bytes become U+FFFD.
    """
    label = (charset or "").strip().strip("\"'").lower()
    if not data:
        return ""
    codec = _CHARSET_ALIASES.get(label, label)
    known = False
    if codec and label not in _UNSAFE_CHARSETS:
        try:
            codecs.lookup(codec)
            known = True
        except LookupError:
            pass
    if known and codec != "cp1252":
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if known:
        return data.decode(codec, errors="replace")
    return data.decode("cp1252", errors="replace")


def decode_header_value(value) -> str:
    """A raw header (possibly RFC 2047 encoded words, possibly raw 8-bit) -> one clean line."""
    if value is None:
        return ""
    if isinstance(value, Header):  # compat32 wraps raw 8-bit headers as unknown-8bit Header objects
        try:
            parts = decode_header(value)
        except Exception:  # noqa: BLE001
            return clean_text(str(value), keep_newlines=False)
        return clean_text("".join(decode_bytes(c, cs) if isinstance(c, bytes) else c for c, cs in parts), keep_newlines=False)
    if not isinstance(value, str):
        value = str(value)
    # raw 8-bit header bytes may arrive as surrogate escapes from message_from_bytes
    if _SURROGATE_RE.search(value):
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    try:
        parts = decode_header(value)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the text as it is
        return clean_text(value, keep_newlines=False)
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return clean_text("".join(out), keep_newlines=False)


# -- HTML to text --------------------------------------------------------------------------------

class _HtmlText(HTMLParser):
    """Visible text of an HTML document; blockquotes become ``> `` lines."""

    SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "math", "iframe", "object",
            "embed", "applet", "frameset", "select", "textarea", "button"}
    BLOCK = {"p", "div", "tr", "table", "ul", "ol", "dl", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
             "section", "article", "header", "footer", "address", "pre", "form", "fieldset", "center",
             "blockquote", "hr", "main", "aside", "nav", "figure", "figcaption", "caption", "tbody", "thead"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.line_quote = 0
        self.skip_stack: list[str] = []
        self.quote = 0
        self.pre = 0
        self.href: list[str | None] = []
        self.link_text: list[list[str]] = []

    def _text(self, text: str) -> None:
        if not self.current:
            self.line_quote = self.quote
        self.current.append(text)
        if self.link_text:
            self.link_text[-1].append(text)

    def newline(self, force: bool = False) -> None:
        text = "".join(self.current)
        if not self.pre:
            text = " ".join(text.split())
        if text or force:
            prefix = "> " * self.line_quote
            self.lines.append((prefix + text).rstrip() if text else prefix.rstrip())
        self.current = []
        self.line_quote = self.quote

    def blank(self) -> None:
        self.newline()
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append("> " * self.quote if self.quote else "")

    def handle_starttag(self, tag, attrs):
        if tag == "body":  # a <head> (or <title>) nobody closed must not hide the whole body
            self.skip_stack = [t for t in self.skip_stack if t not in ("head", "title")]
            return
        if tag in self.SKIP:
            self.skip_stack.append(tag)
            return
        if self.skip_stack:
            return
        if tag == "br":
            self.newline(force=True)
        elif tag == "li":
            self.newline()
            self._text("- ")
        elif tag in self.BLOCK:
            self.blank() if tag in ("p", "blockquote", "table", "pre", "h1", "h2", "h3") else self.newline()
            if tag == "blockquote":
                self.quote += 1
                self.line_quote = self.quote
            if tag == "pre":
                self.pre += 1
            if tag == "hr":
                self._text("----")
                self.newline()
        elif tag in ("td", "th"):
            if self.current:
                self._text(" ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.href.append(href if re.match(r"(?i)^(https?|mailto):", href.strip()) else None)
            self.link_text.append([])
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._text(f"[{alt}]")

    def handle_startendtag(self, tag, attrs):
        if tag in self.SKIP or tag == "body":  # <script/> opens nothing
            return
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            if tag in self.skip_stack:
                while self.skip_stack and self.skip_stack.pop() != tag:
                    pass
            return
        if self.skip_stack:
            return
        if tag == "a" and self.href:
            href = self.href.pop()
            text = "".join(self.link_text.pop()).strip()
            if href:
                target = href[7:] if href.lower().startswith("mailto:") else href
                if target and target not in text:
                    self._text(f" <{target}>")
        elif tag in self.BLOCK or tag == "li":
            self.newline()
            if tag == "blockquote" and self.quote:
                self.quote -= 1
                self.line_quote = self.quote
            if tag == "pre" and self.pre:
                self.pre -= 1
            if tag in ("p", "blockquote", "table", "pre"):
                self.blank()

    def handle_data(self, data):
        if self.skip_stack:
            return
        if self.pre:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self.newline(force=True)
                self._text(part)
        else:
            self._text(data)

    def text(self) -> str:
        self.newline()
        out = "\n".join(self.lines)
        return re.sub(r"\n{3,}", "\n\n", out).strip("\n")


def html_to_text(html: str) -> str:
    """Visible text of ``html``: no script/style content, links as ``text <url>``, quotes as ``>``."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; keep whatever it got so far
        pass
    return parser.text()


# -- quoted replies ------------------------------------------------------------------------------

_WROTE = r"(?:wrote|escribió|escreveu|a écrit|schrieb|ha scritto|schreef)"
_ON = r"(?:On|El|Em|Le|Am|Il|Op)"
# Gmail, Apple Mail, Thunderbird: "On <date>, <name> wrote:" (dates always have digits)
_ON_WROTE = re.compile(rf"^\s*{_ON}\s(?=.*\d).{{0,300}}\b{_WROTE}\s*:\s*$", re.I)
# "Sam Reed <sam@example.com> wrote:" and the like: an address on the line
_ADDR_WROTE = re.compile(rf"^.{{0,300}}@.{{0,300}}\b{_WROTE}\s*:\s*$", re.I)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(?:Original Message|Mensaje original|Mensagem original|Message d'origine|"
                       r"Ursprüngliche Nachricht|Messaggio originale)\s*-{2,}\s*$", re.I)
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|De|Von|Da|Van)\s*:\*?\s*\S", re.I)
_HEADER_SENT = re.compile(r"^\s*\*?(?:Sent|Date|Enviado(?: el)?|Enviada em|Data|Fecha|Gesendet|Inviato|Verzonden)\s*:", re.I)
_HEADER_SUBJECT = re.compile(r"^\s*\*?(?:Subject|Asunto|Assunto|Betreff|Oggetto|Onderwerp|Objet)\s*:", re.I)


def _reply_header_at(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _ORIGINAL.match(line) or _ON_WROTE.match(line) or _ADDR_WROTE.match(line):
        return True
    # the same header wrapped over two or three lines by the sender's client
    if re.match(rf"^\s*{_ON}\s", line, re.I) or "@" in line:
        for n in (2, 3):
            joined = " ".join(x.strip() for x in lines[i:i + n])
            if len(lines) >= i + n and (_ON_WROTE.match(joined) or _ADDR_WROTE.match(joined)):
                return True
    # Outlook: "From: ..." then, within four lines, "Sent:" (or Date:) and "Subject:"
    if _HEADER_FROM.match(line):
        block = lines[i + 1:i + 6]
        return any(_HEADER_SENT.match(x) for x in block) and any(_HEADER_SUBJECT.match(x) for x in block)
    return False


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at the quoted original and drop a trailing signature.

    Recognises ``On ... wrote:`` (also wrapped over lines and in Spanish/Portuguese),
    ``-----Original Message-----``, Outlook's ``From:``/``Sent:`` header block (with or without
    the line of underscores before it), and a trailing block of ``>`` lines. Returns the text
    unchanged when cutting would leave nothing (a reply that only quotes).
    """
    lines = text.split("\n")
    cut = len(lines)
    for i, line in enumerate(lines):
        if _reply_header_at(lines, i):
            cut = i
            break
        if re.match(r"^\s*_{10,}\s*$", line) and any(_HEADER_FROM.match(x) for x in lines[i + 1:i + 3]):
            cut = i
            break
    kept = lines[:cut]
    # a trailing run of quoted lines (and blanks) is the original, quoted bottom-posted
    while kept and (kept[-1].startswith(">") or not kept[-1].strip()):
        kept.pop()
    # signature: the standard "-- " separator
    for i in range(len(kept) - 1, -1, -1):
        if kept[i] in ("-- ", "--") and len(kept) - i <= 12:
            kept = kept[:i]
            break
    result = "\n".join(kept).strip("\n")
    return result if result.strip() else text.strip("\n")


# -- the parsed message --------------------------------------------------------------------------

@dataclass
class Attachment:
    filename: str  # as given by the sender (cleaned text, not yet a safe file name)
    content_type: str
    data: bytes


@dataclass
class ParsedMessage:
    message_id: str
    subject: str
    from_name: str
    from_email: str
    date: datetime | None
    received: datetime | None
    in_reply_to: list[str]
    references: list[str]
    body: str  # the whole text body (HTML converted), cleaned
    html_only: bool
    attachments: list[Attachment] = field(default_factory=list)
    auto_submitted: str = ""  # "", "auto-replied" (out of office...) or "auto-generated"
    authentication_failed: bool = False
    to: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def sender(self) -> str:
        """``Name <email>`` (or the bare address) as gitdesk records who did something."""
        name = self.from_name.replace("<", "").replace(">", "").replace('"', "").strip()
        return f"{name} <{self.from_email}>" if name and name.lower() != self.from_email else self.from_email

    @property
    def when(self) -> datetime | None:
        """When the desk got the message: the receiving server's stamp, else the sender's Date."""
        return self.received or self.date

    def reply_text(self) -> str:
        return strip_quoted(self.body)


# the fixed prefixes Outlook and Exchange put on out-of-office replies (with the colon: a
# request titled "Out of office message not working" is not one)
_AUTO_REPLY_SUBJECT = re.compile(r"^\s*(?:automatic reply|respuesta autom[aá]tica|resposta autom[aá]tica|"
                                 r"r[ée]ponse automatique|automatische antwort)\s*:", re.I)


def _automatic(msg: Message, subject: str) -> str:
    """RFC 3834 and the headers mail systems use instead: is this an automatic message?"""
    auto = decode_header_value(msg.get("Auto-Submitted")).lower().split(";")[0].strip()
    precedence = decode_header_value(msg.get("Precedence")).lower().strip()
    if auto == "auto-replied" or precedence == "auto_reply" or msg.get("X-Autoreply") or msg.get("X-Autorespond") \
            or _AUTO_REPLY_SUBJECT.match(subject):
        return "auto-replied"
    if (auto and auto != "no") or precedence in ("bulk", "junk", "list"):
        return "auto-generated"
    return ""


def _msg_ids(value: str) -> list[str]:
    return [m for m in re.findall(r"<[^<>\s]{1,900}>", value or "")]


def normalize_message_id(value: str | None) -> str | None:
    ids = _msg_ids(value or "")
    if ids:
        return ids[0]
    text = (value or "").strip()
    if text and " " not in text and len(text) < 900 and "@" in text:
        return f"<{text.strip('<>')}>"
    return None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    try:
        at = at.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    if at.year < 1990 or at.year > 9000:
        return None
    return at


def _received_date(msg: Message) -> datetime | None:
    """Time in the topmost ``Received:`` header (added by the desk's own mail server)."""
    for value in msg.get_all("Received") or []:
        text = decode_header_value(value)
        if ";" in text:
            at = _date(text.rsplit(";", 1)[1].strip())
            if at is not None:
                return at
        return None
    return None


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


def _payload_bytes(part: Message) -> bytes:
    data: bytes | None
    try:
        payload = part.get_payload(decode=True)  # bytes, or None for a multipart
        data = payload if isinstance(payload, bytes) else None
    except Exception:  # noqa: BLE001 - broken transfer encoding: keep the raw text
        data = None
    if data is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            data = raw.encode("utf-8", "surrogateescape")
        else:
            data = b""
    return data


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # noqa: BLE001
        return None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if name is None:
        try:
            param = part.get_param("name")
        except Exception:  # noqa: BLE001
            param = None
        if isinstance(param, tuple):  # RFC 2231 (charset, lang, value)
            name = email.utils.collapse_rfc2231_value(param)
        else:
            name = param
    if name is None:
        return None
    return decode_header_value(name) or None


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:  # noqa: BLE001
        return ""


def _walk(msg: Message, depth: int = 0) -> Iterator[Message]:
    """Leaf parts in order, not descending into attached messages (they stay attachments)."""
    if depth > MAX_DEPTH:
        return
    if msg.is_multipart() and _content_type(msg).startswith("multipart/"):
        payload = msg.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from _walk(sub, depth + 1)
        return
    yield msg


def _choose_bodies(parts: list[Message]) -> tuple[list[Message], list[Message]]:
    """(body parts, attachment parts). Unnamed text parts that are not attachments are the
    body; when there is plain text, HTML twins (multipart/alternative) are dropped."""
    body, attachments = [], []
    for part in parts:
        ctype = _content_type(part)
        if ctype in ("text/plain", "text/html") and _disposition(part) != "attachment" and _filename(part) is None:
            body.append(part)
        else:
            attachments.append(part)
    plain = [p for p in body if _content_type(p) == "text/plain" and _payload_bytes(p).strip()]
    if plain:
        body = plain
    return body, attachments


def _attachment(part: Message, index: int) -> Attachment:
    ctype = _content_type(part)
    if ctype == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            try:
                data = inner[0].as_bytes()
            except Exception:  # noqa: BLE001
                data = _payload_bytes(part)
        else:
            data = _payload_bytes(part)
        name = _filename(part) or f"message-{index}.eml"
    else:
        data = _payload_bytes(part)
        name = _filename(part) or f"part-{index}{_extension(ctype)}"
    return Attachment(filename=name, content_type=ctype, data=data)


def _extension(ctype: str) -> str:
    return {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf",
            "text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics"}.get(ctype, ".bin")


def fallback_message_id(raw: bytes) -> str:
    """A stable Message-ID for a message without one (same bytes, same id)."""
    return f"<{hashlib.sha256(raw).hexdigest()[:32]}@no-message-id.gitdesk.invalid>"


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse one RFC 5322 message; raise :class:`ValidationError` (field named) when unusable."""
    if not isinstance(raw, (bytes, bytearray)) or not raw.strip():
        raise ValidationError("empty message", field="message")
    msg = email.message_from_bytes(bytes(raw), policy=email.policy.compat32)
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])][:10]
    raw_from = msg.get("From")
    if raw_from is None:
        raise ValidationError("no From header", field="from")
    # parse the raw header first (encoded words are atoms, so a comma inside one cannot split
    # the address), then decode the display name; fall back to parsing the decoded text
    name, address = parseaddr(str(raw_from))
    name = decode_header_value(name)
    if not address or not EMAIL_RE.match(address):
        decoded_from = decode_header_value(raw_from)
        name, address = parseaddr(decoded_from)
        if not address or not EMAIL_RE.match(address):
            raise ValidationError(f"no valid sender address in {decoded_from[:80]!r}", field="from")
    local, _, domain = address.rpartition("@")
    address = f"{local}@{domain.lower()}"
    message_id = normalize_message_id(decode_header_value(msg.get("Message-ID"))) or fallback_message_id(bytes(raw))
    subject = truncate(decode_header_value(msg.get("Subject")), MAX_SUBJECT_CHARS, "...")
    auto_submitted = _automatic(msg, subject)
    auth_results = decode_header_value((msg.get_all("Authentication-Results") or [""])[0]).lower()
    auth_failed = bool(re.search(r"\bdmarc=fail\b", auth_results))
    to = [a for _, a in getaddresses([decode_header_value(v) for v in (msg.get_all("To") or []) + (msg.get_all("Cc") or [])]) if a]

    leaves = list(_walk(msg))[:MAX_PARTS]
    body_parts, attachment_parts = _choose_bodies(leaves)
    texts = []
    html_only = bool(body_parts) and all(_content_type(p) == "text/html" for p in body_parts)
    for part in body_parts:
        text = decode_bytes(_payload_bytes(part), _charset(part))
        if _content_type(part) == "text/html":
            text = html_to_text(text)
        texts.append(text.strip("\n"))
    body = clean_text("\n\n".join(t for t in texts if t.strip()))
    body = re.sub(r"[ \t]+\n", "\n", body)
    attachments = [_attachment(p, i + 1) for i, p in enumerate(attachment_parts)]
    return ParsedMessage(
        message_id=message_id, subject=subject, from_name=clean_text(name or "", keep_newlines=False)[:200],
        from_email=address, date=_date(decode_header_value(msg.get("Date"))), received=_received_date(msg),
        in_reply_to=_msg_ids(decode_header_value(msg.get("In-Reply-To"))),
        references=_msg_ids(decode_header_value(msg.get("References")))[-50:],
        body=body, html_only=html_only, attachments=attachments, auto_submitted=auto_submitted,
        authentication_failed=auth_failed, to=to, defects=defects,
    )


def arrival_time(raw: bytes) -> datetime | None:
    """When a message arrived (Received, else Date), reading only its headers."""
    raw = bytes(raw)
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    head = raw[:min(ends)] if ends else raw  # the parser would read a 20 MB body to skip it
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head + b"\n\n")
    except Exception:  # noqa: BLE001
        return None
    return _received_date(headers) or _date(decode_header_value(headers.get("Date")))


# -- sources -------------------------------------------------------------------------------------

def read_message_files(paths: list[str | Path]) -> Iterator[tuple[str, bytes | ValidationError]]:
    """(label, raw bytes) for each message in the given ``.eml`` and mbox files.

    A file whose first line is an mbox ``From `` line is read as an mbox (each message labelled
    ``file#N``); anything else is one message; ``-`` is one message on standard input. An unreadable file yields a ValidationError in
    place of the bytes, so one bad file does not stop the others.
    """
    for path in paths:
        if str(path) == "-":  # one message on standard input (an MTA's pipe delivery)
            import sys

            yield "<stdin>", sys.stdin.buffer.read()
            continue
        path = Path(path)
        label = str(path)
        try:
            with open(path, "rb") as fh:
                head = fh.read(5)
        except OSError as exc:
            yield label, ValidationError(f"cannot read: {exc.strerror}", path=label)
            continue
        if head == b"From ":
            try:
                box = mailbox.mbox(str(path), create=False)
                keys = list(box.keys())
            except Exception as exc:  # noqa: BLE001
                yield label, ValidationError(f"not a readable mbox file: {exc}", path=label)
                continue
            for n, key in enumerate(keys, 1):
                try:
                    yield f"{label}#{n}", box.get_bytes(key)
                except Exception as exc:  # noqa: BLE001
                    yield f"{label}#{n}", ValidationError(f"unreadable message: {exc}", path=f"{label}#{n}")
            box.close()
        else:
            try:
                yield label, path.read_bytes()
            except OSError as exc:
                yield label, ValidationError(f"cannot read: {exc.strerror}", path=label)
