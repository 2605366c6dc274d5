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
    let (html, plain) = unsanitised_html(markdown);
    if plain {
        html
    } else {
        SANITISER.clean(&html).to_string()
    }
}

/// pulldown-cmark's HTML for a body, with headings moved down and images dropped, and
/// whether every part of it is plain writing that needs no sanitiser.
fn unsanitised_html(markdown: &str) -> (String, bool) {
    let mut plain = true;
    let events = Parser::new_ext(markdown, options()).map(|event| {
        let event = match event {
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
        };
        plain &= carries_no_markup(&event);
        event
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    (html, plain)
}

/// True for the events of plain writing: paragraphs, headings, lists, quotes, emphasis and
/// text. pulldown-cmark writes their HTML itself, from tags the sanitiser allows and with
/// no attributes, and escapes every character of the text, so nothing a volunteer typed can
/// become markup, a link or an attribute. For a body made only of these the sanitiser
/// would give back the same document (a property test checks this), and it was most of
/// the time spent on each listing's text. Raw HTML, links, code blocks and tables still go
/// through it.
fn carries_no_markup(event: &Event) -> bool {
    match event {
        Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak | Event::Rule => true,
        Event::Start(Tag::Heading {
            id: None,
            classes,
            attrs,
            ..
        }) => classes.is_empty() && attrs.is_empty(),
        Event::Start(tag) => matches!(
            tag,
            Tag::Paragraph
                | Tag::BlockQuote(None)
                | Tag::List(None | Some(1))
                | Tag::Item
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
        ),
        Event::End(end) => matches!(
            end,
            TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(None)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
        ),
        _ => false,
    }
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

    /// A document as an HTML parser reads it, written out again: two texts with the same
    /// elements, attributes and text give the same string.
    fn tree(html: &str) -> String {
        scraper::Html::parse_fragment(html).root_element().html()
    }

    #[test]
    fn plain_writing_skips_the_sanitiser_and_loses_nothing() {
        let body = "## What we offer\n\nWe *visit* **weekly** & help with \"shopping\" <3.\n\n- Gardening\n- Walks\n\n1. First\n2. Second\n\n> Kind words\n\n---\n\n`code` ~~old~~";
        let (html, plain) = unsanitised_html(body);
        assert!(plain, "{html}");
        assert_eq!(tree(&html), tree(&SANITISER.clean(&html).to_string()));
        assert_eq!(to_safe_html(body), html);
        assert!(
            html.contains("&lt;3") && html.contains("<h3>What we offer</h3>"),
            "{html}"
        );
    }

    #[test]
    fn links_raw_html_code_blocks_and_tables_still_go_through_the_sanitiser() {
        for body in [
            "[site](https://ok.example)",
            "<https://ok.example>",
            "Hi <b>there</b>",
            "<div>block</div>",
            "```js\nx\n```",
            "| a | b |\n|:-|-:|\n| 1 | 2 |",
            "3. starts at three",
        ] {
            let (html, plain) = unsanitised_html(body);
            assert!(!plain, "{body:?} gave {html}");
        }
        assert!(!to_safe_html("```js\nx\n```").contains("language-"));
    }

    proptest::proptest! {
        /// Whatever a volunteer types, a body that skips the sanitiser is the same document
        /// the sanitiser would have made of it, and no body ever carries a script or a
        /// `javascript:` link.
        #[test]
        fn skipping_the_sanitiser_never_changes_a_document(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "word", " ", "\n", "\n\n", "\r\n", "*", "**", "_", "~~", "`", "# ", "### ",
                "- ", "1. ", "2) ", "> ", "---", "    ", "\t", "&", "&amp;", "&#60;", "&lt;",
                "<", ">", "\"", "'", "\\", "[", "]", "(", ")", "<b>", "</b>", "<script>",
                "<img src=x onerror=alert(1)>", "<!-- c -->", "javascript:alert(1)",
                "https://ok.example", "![me](https://t.example/p.gif)", "|", "|-|", "\u{0}",
                "\u{a0}", "£", "é", "\u{2028}", "{#id}", "=", "+ ",
            ]), 0..40)
        ) {
            let body: String = pieces.concat();
            let (html, plain) = unsanitised_html(&body);
            let sanitised = SANITISER.clean(&html).to_string();
            if plain {
                proptest::prop_assert_eq!(tree(&html), tree(&sanitised), "body {:?}", body);
            }
            let out = scraper::Html::parse_fragment(&to_safe_html(&body));
            for element in out.root_element().descendent_elements().skip(1) {
                let element = element.value();
                proptest::prop_assert!(!["script", "img", "iframe", "style"].contains(&element.name()),
                    "body {:?} made a {} element", body, element.name());
                for (name, value) in element.attrs() {
                    proptest::prop_assert!(["href", "title", "align", "rel", "start"].contains(&name),
                        "body {:?} made a {} attribute", body, name);
                    if name == "href" {
                        let v = value.to_lowercase();
                        proptest::prop_assert!(["http:", "https:", "mailto:", "tel:"].iter().any(|s| v.starts_with(s)),
                            "body {:?} made a link to {}", body, value);
                    }
                }
            }
        }
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
