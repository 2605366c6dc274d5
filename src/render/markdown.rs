//! Markdown written by volunteers, made safe to publish. Bodies are untrusted: raw HTML is
//! sanitised with ammonia, only http, https, mailto and tel links survive, and headings are
//! moved down a level so the enterprise's name stays the page's only top heading.

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::LazyLock;

static SANITISER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "a",
        "code",
        "pre",
        "hr",
        "del",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "abbr",
    ]
    .into_iter()
    .collect();
    let mut b = Builder::empty();
    b.tags(tags)
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("abbr", ["title"])
        .add_tag_attributes("th", ["align"])
        .add_tag_attributes("td", ["align"])
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    b
});

/// Turns a listing body (or a council's intro) into HTML that is safe to publish.
pub fn to_safe_html(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        // Remote images would tell a third party who is reading the page; photos go
        // through the listing's `photo` field instead.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => Event::Text("".into()),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    SANITISER.clean(&html).to_string()
}

/// The words of a Markdown text without markup, for search and page descriptions.
pub fn to_plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_)
                if !out.ends_with(' ') && !out.is_empty() =>
            {
                out.push(' ')
            }
            _ => {}
        }
    }
    out.trim_end().to_string()
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_script_and_event_handlers() {
        let html = to_safe_html(
            "Hi <script>alert(1)</script><img src=x onerror=alert(2)> <b onclick=\"x()\">bold</b>",
        );
        assert!(!html.contains("script"), "{html}");
        assert!(
            !html.contains("onerror") && !html.contains("onclick"),
            "{html}"
        );
        assert!(html.contains("<b>bold</b>"), "{html}");
    }

    #[test]
    fn keeps_only_safe_link_schemes() {
        let html = to_safe_html("[a](javascript:alert(1)) [b](https://ok.example) [c](tel:07700900123) [d](data:text/html,x) [e](JaVaScRiPt:x)");
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"https://ok.example\""), "{html}");
        assert!(html.contains("href=\"tel:07700900123\""), "{html}");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }

    #[test]
    fn removes_iframes_styles_and_images() {
        let html = to_safe_html("<iframe src=\"https://evil.example\"></iframe><p style=\"color:red\">x</p>\n\n![me](https://tracker.example/p.gif)");
        assert!(
            !html.contains("iframe") && !html.contains("style") && !html.contains("<img"),
            "{html}"
        );
    }

    #[test]
    fn demotes_headings_below_the_page_title() {
        assert_eq!(to_safe_html("# About us").trim(), "<h2>About us</h2>");
    }

    #[test]
    fn plain_text_has_no_markup() {
        assert_eq!(
            to_plain_text("## What we offer\n\n- **Gardening**\n- Walks"),
            "What we offer Gardening Walks"
        );
    }
}
