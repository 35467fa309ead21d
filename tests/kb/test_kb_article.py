"""The page parser: front matter lines, headings and slugs like MkDocs' toc, links of every form."""

from __future__ import annotations

from pathlib import Path

from gitdesk.kb.article import markdown_to_text, parse_text, slugify

PAGE = """---
title: "Wi-Fi: café & hotel"
tags: [wifi]
last_reviewed: 2026-01-05
---

# Wi-Fi: café & hotel

Intro with `[not a link](x.md)` and a [real one](other.md#top "Title").

```markdown
# Not a heading
[nor a link](code.md)
```

Setext heading
--------------

## Repeated
## Repeated
### With **bold** and [link](a.md) {#custom-id}

![img](img/a.png) <https://example.com> [ref link][r] <a href="raw.md">raw</a>

[r]: ref-target.md
"""


def _page():
    return parse_text(PAGE, path=Path("kb/x.md"), rel="x.md")


def test_front_matter_values_and_lines():
    page = _page()
    assert page.meta == {"title": "Wi-Fi: café & hotel", "tags": ["wifi"], "last_reviewed": "2026-01-05"}
    assert page.meta_lines == {"title": 2, "tags": 3, "last_reviewed": 4}
    assert page.body_line == 6 and page.title == "Wi-Fi: café & hotel"


def test_headings_skip_code_and_slug_like_toc():
    page = _page()
    assert [(h.level, h.text, h.line, h.slug) for h in page.headings] == [
        (1, "Wi-Fi: café & hotel", 7, "wi-fi-cafe-hotel"),
        (2, "Setext heading", 16, "setext-heading"),
        (2, "Repeated", 19, "repeated"),
        (2, "Repeated", 20, "repeated_1"),
        (3, "With bold and link", 21, "custom-id"),
    ]


def test_links_of_every_form_with_lines():
    page = _page()
    found = sorted((link.kind, link.target, link.line) for link in page.links)
    assert found == [
        ("autolink", "https://example.com", 23),
        ("definition", "ref-target.md", 25),
        ("html", "raw.md", 23),
        ("image", "img/a.png", 23),
        ("inline", "a.md", 21),
        ("inline", "other.md#top", 9),
        ("reference", "ref-target.md", 23),
    ]


def test_unclosed_fence_is_not_code():
    page = parse_text("# T\n\n```\n## Heading after an unclosed fence\n", path=Path("x.md"), rel="x.md")
    assert [h.text for h in page.headings] == ["T", "Heading after an unclosed fence"]


def test_slugify_matches_python_markdown_toc():
    from markdown.extensions.toc import slugify as toc_slugify

    for text in ["Café & Wi-Fi: what's new?", "  Spaces   and_under_scores ", "Ünïcödé — dash", "100% (really)"]:
        assert slugify(text) == toc_slugify(text, "-")


def test_plain_text_drops_markup_keeps_words():
    text = markdown_to_text("## Fix\n\n1. Click **Reset** in [the portal](https://x.example).\n\n<!-- gitdesk:hours -->\n![alt text](a.png){ .shot }")
    assert text.split() == ["Fix", "Click", "Reset", "in", "the", "portal.", "alt", "text"]
