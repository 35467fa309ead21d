"""Parsing real-world messages: encodings, HTML, quoted replies, hostile names and headers."""

from __future__ import annotations

import pytest

from gitdesk.errors import ValidationError
from gitdesk.intake.attachments import safe_name
from gitdesk.intake.ingest import clean_subject, rating_in, subject_refs
from gitdesk.intake.mail import decode_bytes, decode_header_value, html_to_text, parse_message, strip_quoted

from tests.support.intake import message


def parsed(name: str):
    return parse_message(message(name).read_bytes())


def test_outlook_multipart_alternative_prefers_plain_text():
    m = parsed("outlook-new.eml")
    assert m.sender == "Sam Reed <sam.reed@northwind.example>"
    assert m.subject == "VPN keeps disconnecting every 10 minutes"
    assert m.message_id == "<DB9PR04MB8412A1B2C3D4E5F6A7B8C9D0E1@DB9PR04MB8412.eurprd04.prod.outlook.com>"
    assert not m.html_only
    assert m.body.startswith("Hi,\n\nSince this morning the VPN (GlobalProtect) disconnects every 10 minutes or so.")
    assert "<div" not in m.body and "elementToProof" not in m.body and "=\n" not in m.body
    assert m.when.isoformat() == "2026-11-02T09:12:41+00:00"  # the receiving server's stamp, not the sender's clock


def test_html_only_body_is_converted_without_script_or_style():
    m = parsed("html-only.eml")
    assert m.html_only
    assert m.from_name == "Shah, Priya"
    body = m.body
    assert "I can't open the shared drive S:\\Finance – Windows says \"network path not found\"." in body
    assert "- Laptop: LT-0777\n- Since: after Friday’s update" in body
    assert "the shared drives guide <https://help.northwind.example/storage/shared-drives.html>" in body
    for hidden in ("document.cookie", "font-family", "Enable JavaScript", "Request", "tracker.example", "<"
                   "p>"):
        assert hidden not in body


@pytest.mark.parametrize("name, subject, sender, snippet", [
    ("quoted-printable.eml", "Monitor flickers – desk 4B", "Tom Becker <tom.becker@northwind.example>",
     "flickers every few seconds – it started after the docking station was swapped. I tried another cable (the one from the cupboard, €12 one)"),
    ("base64.eml", "Portátil não liga", "João Silva <joao.silva@northwind.example>",
     "O meu portátil não liga desde ontem à noite. A luz de carregamento acende, mas o ecrã fica preto."),
    ("iso-8859-1.eml", "Impresión en color no funciona", "Lucía Fernández <lucia.fernandez@northwind.example>",
     "El botón de «color» está desactivado en el diálogo de impresión.\n\n¿Podéis revisarlo?"),
    ("windows-1252.eml", "Excel says “locked for editing”", "Zoë O’Brien <zoe.obrien@northwind.example>",
     "Excel shows “The file is locked for editing by another user” on Q4 budget.xlsx … but nobody has it open. It’s the € budget"),
])
def test_transfer_encodings_charsets_and_encoded_words(name, subject, sender, snippet):
    m = parsed(name)
    assert m.subject == subject
    assert m.sender == sender
    assert snippet in m.body
    assert "\ufffd" not in m.body + m.subject + m.sender


def test_outlook_reply_keeps_only_the_new_text():
    m = parsed("outlook-reply.eml")
    assert m.subject.startswith("RE: [HD-Z8QVDD6NW9] We have your request: VPN keeps disconnecting every 10 minutes")
    assert m.reply_text() == "Still happening this morning, the log is attached.\n\nSam"
    assert "Sent: Monday" in m.body  # the whole body is still there for whoever needs it
    assert [(a.filename, len(a.data)) for a in m.attachments] == [("GlobalProtect.log", 486)]
    assert m.in_reply_to == ["<gitdesk.Z8QVDD6NW9.opened.0000.a1b2c3d4e5f6@northwind.example>"]


def test_gmail_reply_with_wrapped_spanish_attribution_line():
    m = parsed("gmail-reply.eml")
    assert m.reply_text() == "Ya funciona, gracias. Han cambiado el driver esta mañana."
    assert m.subject == "Re: [HD-V0ESBQ] Hemos recibido su solicitud: Impresión en color no funciona"
    assert subject_refs(m.subject, "HD") == ["V0ESBQ"]


@pytest.mark.parametrize("text, expected", [
    ("Thanks!\n\nOn Mon, Nov 2, 2026 at 9:14 AM Sam Reed <sam@example.com> wrote:\n> old\n> older", "Thanks!"),
    ("Fixed.\n\nOn 2 Nov 2026, at 09:14, Sam Reed <sam@example.com> wrote:\n\n> old", "Fixed."),  # Apple Mail
    ("Obrigado.\n\nEm seg., 2 de nov. de 2026 às 09:14, Ana <ana@example.com> escreveu:\n> x", "Obrigado."),
    ("Ok\n\n-----Original Message-----\nFrom: IT\nSent: Monday\nTo: Sam\nSubject: x\n\nold", "Ok"),
    ("Ok\n\nFrom: Help Desk <hd@example.com>\nSent: Monday, 2 November 2026 09:14\nTo: Sam\nSubject: RE: x\n\nold", "Ok"),
    ("My answers:\n> Which laptop?\nLT-0412\n> Since when?\nMonday\n\n> thanks", "My answers:\n> Which laptop?\nLT-0412\n> Since when?\nMonday"),
    ("Here is what my manager wrote:\nplease fix the printer\n\n-- \nSam Reed\nFinance", "Here is what my manager wrote:\nplease fix the printer"),
    ("From: London\nTo: Paris\nDate: 3 December\nPlease book the train.", "From: London\nTo: Paris\nDate: 3 December\nPlease book the train."),
    ("On Mon, 2 Nov 2026 Sam <s@example.com> wrote:\n> only a quote", "On Mon, 2 Nov 2026 Sam <s@example.com> wrote:\n> only a quote"),
])
def test_strip_quoted(text, expected):
    assert strip_quoted(text) == expected


def test_hostile_html_never_leaks_markup_or_script():
    html = ("<html><head><title>unclosed title<body><p>visible</p><script>var secret=1</script>"
            "<style>.a{}</style><script type=module>alert(1)</script><a href='javascript:alert(1)'>click</a>"
            "<iframe src='https://evil.example'>frame text</iframe><svg><text>svg text</text></svg>"
            "&lt;script&gt;escaped&lt;/script&gt; &#x1F600; <blockquote>quoted<br>lines</blockquote>")
    text = html_to_text(html)
    assert "visible" in text and "click" in text
    for leaked in ("secret", "alert(1)", "javascript:", "frame text", "svg text", ".a{}"):
        assert leaked not in text
    assert "<script>escaped</script>" in text  # escaped text is text, shown as such
    assert "> quoted\n> lines" in text
    assert "\U0001F600" in text


def test_html_unclosed_script_swallows_the_rest_not_the_page():
    assert html_to_text("<p>before</p><script>document.write('x')") == "before"
    assert html_to_text("<div>a<div>b</div></div>") == "a\nb"


def test_decoding_never_fails():
    assert decode_bytes("naïve".encode("utf-8"), "us-ascii") == "naïve"  # lying label, UTF-8 bytes
    assert decode_bytes("Grüße".encode("latin-1"), "x-unknown-charset") == "Grüße"
    assert decode_bytes("Привет".encode("koi8-r"), "koi8-r") == "Привет"
    assert decode_bytes("+ADw-script+AD4-".encode(), "utf-7") == "+ADw-script+AD4-"  # UTF-7 is not decoded into markup
    assert decode_bytes(b"\xff\xfe\xfa", "utf-8").count("\ufffd") == 3
    assert decode_header_value("=?x-made-up?Q?caf=E9?=") == "café"
    assert decode_header_value("=?utf-8?b?broken base64?=")  # no exception, some text
    assert "\n" not in decode_header_value("=?utf-8?q?line1=0Aline2?=")


def test_broken_and_missing_parts():
    with pytest.raises(ValidationError) as err:
        parse_message(message("no-sender.eml").read_bytes())
    assert err.value.field == "from"
    with pytest.raises(ValidationError):
        parse_message(b"")
    with pytest.raises(ValidationError):
        parse_message(b"From: not an address\r\nSubject: x\r\n\r\nbody")
    m = parse_message(b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
                      b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                      b"!!!not base64!!!\r\n--zz")  # truncated multipart, bad base64, no Message-ID
    assert m.from_email == "a@example.com"
    assert m.message_id.endswith("@no-message-id.gitdesk.invalid>")
    assert parse_message(message("no-sender.eml").read_bytes().replace(b"To:", b"From: x@example.com\r\nTo:")).message_id == "<nosender@example.invalid>"
    raw = b"From: a@example.com\r\nSubject: \xe9t\xe9 \x00\x1b[31m\r\n\r\n\x00bell\x07 body \xed\xa0\x80"
    m = parse_message(raw)
    assert m.subject == "été [31m"
    assert "\x00" not in m.body and "\x07" not in m.body


def test_automatic_messages_are_recognised():
    assert parsed("auto-reply.eml").auto_submitted == "auto-replied"
    assert parsed("monitoring-alert.eml").auto_submitted == "auto-generated"
    assert parsed("outlook-new.eml").auto_submitted == ""
    out_of_office_topic = parse_message(b"From: a@example.com\r\nSubject: Out of office message not working\r\n\r\nhelp")
    assert out_of_office_topic.auto_submitted == ""


def test_hostile_attachment_names_become_safe():
    names = [safe_name(a.filename) for a in parsed("hostile-attachments.eml").attachments]
    assert names[:7] == ["passwd", "win.ini", "bashrc", "attachment_CON.txt", "resume_cafe_rm_-rf_.pdf", "evil_name_.txt",
                         "a" * 96 + ".pdf"]
    for name in names:
        assert "/" not in name and "\\" not in name and not name.startswith(".") and ".." not in name
        assert len(name) <= 100 and name.isascii() and name.isprintable()
    assert safe_name("") == "attachment" and safe_name("...") == "attachment"


@pytest.mark.parametrize("subject, refs", [
    ("RE: [HD-Z8QVDD6NW9] x", ["Z8QVDD6NW9"]),
    ("Re: [hd-z8qvdd] x", ["Z8QVDD"]),
    ("Re: [HD-Z8QVD] too short", []),
    ("Fw: [HD-AAAAAA] and [HD-BBBBBBB]", ["AAAAAA", "BBBBBBB"]),
    ("[HD-../../etc] [HD-Z8QVDD6NW9X]", []),
])
def test_subject_refs(subject, refs):
    assert subject_refs(subject, "HD") == refs


def test_titles_and_ratings():
    assert clean_subject("RE: Fwd: AW: [HD-Z8QVDD6NW9]  VPN  down", "HD") == "VPN down"
    assert rating_in("5\nThanks a lot") == (5, "Thanks a lot")
    assert rating_in("\nRating: 4/5") == (4, "")
    assert rating_in("2 monitors still do not work") is None
    assert rating_in("6") is None and rating_in("") is None
