//! Shrinks a theme's HTML templates once, when the theme is loaded: comments go, and
//! whitespace that a browser would not show is removed or collapsed to one space.
//!
//! Written here rather than taken from a general minifier: the general ones also minify
//! CSS and JavaScript, which pulled two compilers' worth of crates into the build and
//! doubled a newcomer's first compile (docs/benchmarks.md). The rules are deliberately
//! conservative, so the page looks exactly as the theme's author wrote it:
//!
//! - `<pre>`, `<textarea>`, `<script>` and `<style>` are copied as they are;
//! - Tera's `{{ }}`, `{% %}` and `{# #}` are copied as they are;
//! - attribute values are copied as they are;
//! - a run of whitespace beside a block element's tag (`<p>`, `</li>`, `<div>`...) is
//!   removed; any other run becomes one space, which a browser shows the same way.

/// Elements whose tags make neighbouring whitespace invisible: block-level boxes and
/// the parts of the page that are never shown.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "base",
    "blockquote",
    "body",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "p",
    "pre",
    "script",
    "search",
    "section",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "ul",
];

/// Elements whose content is copied untouched.
const VERBATIM: &[&str] = &["pre", "textarea", "script", "style"];

/// What the minifier has just written, to decide what a run of whitespace becomes.
#[derive(Clone, Copy, PartialEq)]
enum Edge {
    /// The start of the template, or a block element's tag: whitespace here is invisible.
    Block,
    /// Text, an inline tag or a Tera `{{ }}` value: whitespace here is one space.
    Inline,
}

/// Minifies an HTML template, keeping Tera's syntax intact.
///
/// Public so that benches/stages.rs times it with the renderer's own rules.
pub fn minify_template(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    let mut last = Edge::Block;
    // Whitespace seen but not yet written: its fate depends on what comes next.
    let mut pending_space = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            // A comment is dropped; an unclosed one is kept, as the browser would show it.
            match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => {
                    out.push_str(rest);
                    break;
                }
            }
            continue;
        }
        if let Some(kind) = tera_tag(rest) {
            let len = tera_len(rest, kind);
            let token = &rest[..len];
            rest = &rest[len..];
            if kind == '{' {
                // `{{ value }}` prints text: whitespace before it is one space.
                if pending_space && last == Edge::Inline {
                    out.push(' ');
                }
                pending_space = false;
                out.push_str(token);
                last = Edge::Inline;
            } else {
                // `{% if %}` and `{# #}` print nothing, but a space after text must stay
                // on its own side of the tag: moved past `{% endif %}` it would belong to
                // another branch.
                if pending_space && last == Edge::Inline {
                    out.push(' ');
                }
                pending_space = false;
                out.push_str(token);
            }
            continue;
        }
        if rest.starts_with('<') {
            if let Some((name, closing, len)) = html_tag(rest) {
                let block = BLOCK.contains(&name.as_str());
                if pending_space && !block && last == Edge::Inline {
                    out.push(' ');
                }
                pending_space = false;
                write_tag(&rest[..len], &mut out);
                rest = &rest[len..];
                last = if block { Edge::Block } else { Edge::Inline };
                if !closing && VERBATIM.contains(&name.as_str()) {
                    let end = closing_tag_at(rest, &name).unwrap_or(rest.len());
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
                continue;
            }
        }
        // Text, up to the next tag, comment or Tera token.
        let mut chars = rest.char_indices();
        let (_, c) = chars.next().unwrap_or((0, ' '));
        let len = c.len_utf8();
        if c.is_ascii_whitespace() {
            pending_space = true;
        } else {
            if pending_space && last == Edge::Inline {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
            last = Edge::Inline;
        }
        rest = &rest[len..];
    }
    out
}

/// The kind of Tera token `text` starts with: `{` for a value, `%` for a tag, `#` for a
/// comment.
fn tera_tag(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some('{'), Some(k @ ('{' | '%' | '#'))) => Some(k),
        _ => None,
    }
}

/// The length of the Tera token at the start of `text`, to its closing `}}`, `%}` or
/// `#}` (the whole rest if it is never closed: Tera then reports the mistake).
fn tera_len(text: &str, kind: char) -> usize {
    let close = match kind {
        '{' => "}}",
        '%' => "%}",
        _ => "#}",
    };
    text[2..]
        .find(close)
        .map_or(text.len(), |i| i + 2 + close.len())
}

/// Reads the HTML tag at the start of `text`: its lower-case name, whether it closes an
/// element, and its length to the `>` (quoted attribute values and Tera tokens inside
/// may hold `>`). None when it is not a tag, such as a lone `<` in text.
fn html_tag(text: &str) -> Option<(String, bool, usize)> {
    let bytes = text.as_bytes();
    let closing = bytes.get(1) == Some(&b'/');
    let start = if closing { 2 } else { 1 };
    let name_len = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
        return None;
    }
    let name = text[start..start + name_len].to_ascii_lowercase();
    let mut i = start + name_len;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'{' && tera_tag(&text[i..]).is_some() => {
                let kind = tera_tag(&text[i..])?;
                i += tera_len(&text[i..], kind);
                continue;
            }
            None if b == b'>' => return Some((name, closing, i + 1)),
            None => {}
        }
        i += 1;
    }
    None
}

/// Writes a tag with the whitespace between its attributes collapsed to one space and
/// none before the closing `>`; quoted values and Tera tokens are copied as they are.
fn write_tag(tag: &str, out: &mut String) {
    let mut quote: Option<char> = None;
    let mut space = false;
    let mut tera_end = 0;
    for (i, c) in tag.char_indices() {
        if i < tera_end {
            out.push(c);
            continue;
        }
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_ascii_whitespace() {
            space = true;
            continue;
        }
        if space && c != '>' && !(c == '/' && tag[i..].trim_start_matches('/') == ">") {
            out.push(' ');
        }
        space = false;
        if c == '{' {
            if let Some(kind) = tera_tag(&tag[i..]) {
                tera_end = i + tera_len(&tag[i..], kind);
            }
        } else if c == '"' || c == '\'' {
            quote = Some(c);
        }
        out.push(c);
    }
}

/// Where the closing tag of a verbatim element (`</script>`) starts in `text`.
fn closing_tag_at(text: &str, name: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let needle = format!("</{name}");
    lower.find(&needle)
}

#[cfg(test)]
mod tests {
    use super::minify_template as minify;

    #[test]
    fn whitespace_beside_blocks_goes_and_between_words_stays_one_space() {
        let html = "<ul>\n  <li>\n    <a href=\"/x\">Home   help</a>\n    <span>£12</span>\n  </li>\n</ul>\n";
        assert_eq!(
            minify(html),
            "<ul><li><a href=\"/x\">Home help</a> <span>£12</span></li></ul>"
        );
    }

    #[test]
    fn comments_go_and_pre_script_and_attribute_values_stay() {
        let html = "<!-- note -->\n<pre>  two\n  lines</pre>\n<script>\n if (a  <  b) {}\n</script>\n<p title=\"a   b\"\n   class=\"x\" >Hi</p>";
        assert_eq!(
            minify(html),
            "<pre>  two\n  lines</pre><script>\n if (a  <  b) {}\n</script><p title=\"a   b\" class=\"x\">Hi</p>"
        );
    }

    #[test]
    fn tera_syntax_is_kept_and_spaces_around_values_survive() {
        let html = "<p>\n  {% if open %}\n    Call {{ name }} on\n    <a href=\"tel:{{ phone }}\">{{ phone }}</a>\n  {% endif %}\n</p>\n{# a note #}";
        assert_eq!(
            minify(html),
            "<p>{% if open %}Call {{ name }} on <a href=\"tel:{{ phone }}\">{{ phone }}</a> {% endif %}</p>{# a note #}"
        );
    }

    #[test]
    fn a_space_stays_in_its_own_branch() {
        let html = "<p>{% if cost %}£4. {% endif %}{% if open %}Open{% else %}Shut{% endif %}</p>";
        assert_eq!(
            minify(html),
            "<p>{% if cost %}£4. {% endif %}{% if open %}Open{% else %}Shut{% endif %}</p>"
        );
    }

    #[test]
    fn a_tag_holding_a_tera_value_with_a_closing_chevron_is_read_whole() {
        let html = "<a {% if x > 1 %}class=\"many\"{% endif %}\n  href=\"/\">Go</a> <br/>";
        assert_eq!(
            minify(html),
            "<a {% if x > 1 %}class=\"many\"{% endif %} href=\"/\">Go</a> <br/>"
        );
    }

    #[test]
    fn a_lone_chevron_and_unclosed_comment_are_text() {
        assert_eq!(minify("<p>1 < 2</p>"), "<p>1 < 2</p>");
        assert_eq!(minify("<p>a</p><!-- open"), "<p>a</p><!-- open");
    }
}
