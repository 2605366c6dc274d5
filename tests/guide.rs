//! The volunteer guide has a worked example of every message `check` can give, and lists
//! every code in its table. The codes are found by reading the program's own sources, so a
//! new message cannot be added without the guide learning about it.

mod common;

use common::*;
use std::collections::BTreeSet;

/// One piece of Rust source, as far as finding codes needs: string literals with their
/// text, words, and single punctuation characters. Comments and whitespace are dropped.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Word(String),
    Punct(char),
}

fn tokens(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' || (c == 'b' && next == Some('"')) {
            // A string: up to the next quotation mark that is not escaped.
            i += if c == 'b' { 2 } else { 1 };
            let mut text = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    text.push(chars[i]);
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    text.push(ch);
                }
                i += 1;
            }
            i += 1;
            out.push(Token::Str(text));
        } else if (c == 'r' || c == 'b')
            && matches!(next, Some('#' | '"' | 'r'))
            && raw_string_start(&chars, i).is_some()
        {
            // A raw string: r"..." or r#"..."#, perhaps with a b in front.
            let (hashes, body) = raw_string_start(&chars, i).expect("checked");
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut j = body;
            while j < chars.len() && !chars[j..].starts_with(&close) {
                j += 1;
            }
            out.push(Token::Str(chars[body..j.min(chars.len())].iter().collect()));
            i = j + close.len();
        } else if c == '\'' {
            // A character ('a', '\n', '\u{200B}') or a lifetime ('static).
            if next == Some('\\') {
                let mut j = i + 3;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// Where a raw string starting at `i` has its text: the number of `#` and the index after
/// the opening quotation mark.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((hashes, j + 1))
}

/// The tokens without anything marked `#[cfg(test)]`: the unit tests use codes of their own
/// making and words that are not codes.
fn without_tests(all: Vec<Token>) -> Vec<Token> {
    let is_cfg_test = |t: &[Token]| {
        t.len() >= 7
            && t[0] == Token::Punct('#')
            && t[1] == Token::Punct('[')
            && t[2] == Token::Word("cfg".into())
            && t[3] == Token::Punct('(')
            && t[4] == Token::Word("test".into())
            && t[5] == Token::Punct(')')
            && t[6] == Token::Punct(']')
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        if is_cfg_test(&all[i..]) {
            // Skip to the end of the item: its closing brace, or a semicolon before any brace.
            let mut j = i + 7;
            while j < all.len() && all[j] != Token::Punct('{') && all[j] != Token::Punct(';') {
                j += 1;
            }
            if all.get(j) == Some(&Token::Punct('{')) {
                let mut depth = 0;
                while j < all.len() {
                    match all[j] {
                        Token::Punct('{') => depth += 1,
                        Token::Punct('}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
            }
            i = j + 1;
        } else {
            out.push(all[i].clone());
            i += 1;
        }
    }
    out
}

/// Whether a string could be a code: lower-case words joined by hyphens.
fn code_shaped(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Whether the tokens of one argument read as a message or its help: a sentence in quotes,
/// words put together with `format!`, or a variable called `message`.
fn message_shaped(arg: &[Token]) -> bool {
    match arg {
        [Token::Str(s), ..] => s.contains(' ') && s.ends_with('.'),
        [Token::Word(w), Token::Punct('!'), ..] => w == "format",
        [Token::Word(w)] => w == "message",
        _ => false,
    }
}

/// The top-level, comma-separated parts of the bracketed group whose opening bracket is
/// at `open`, and the index of its closing bracket.
fn group(t: &[Token], open: usize) -> (Vec<&[Token]>, usize) {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = open + 1;
    let mut j = open;
    while j < t.len() {
        match &t[j] {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    if start < j {
                        parts.push(&t[start..j]);
                    }
                    return (parts, j);
                }
            }
            Token::Punct(',') if depth == 1 => {
                parts.push(&t[start..j]);
                start = j + 1;
            }
            _ => {}
        }
        j += 1;
    }
    (parts, j)
}

/// The codes in one part of a group: a code in quotes, or a `match` whose every arm gives
/// a code in quotes (as when the kind of refusal picks the code).
fn codes_in_part(part: &[Token]) -> Vec<String> {
    match part {
        [Token::Str(s)] if code_shaped(s) => vec![s.clone()],
        [Token::Word(m), ..] if m == "match" => {
            let arms: Vec<String> = part
                .windows(3)
                .filter_map(|w| match w {
                    [Token::Punct('>'), Token::Str(s), Token::Punct(',' | '}')]
                        if code_shaped(s) =>
                    {
                        Some(s.clone())
                    }
                    _ => None,
                })
                .collect();
            arms
        }
        _ => Vec::new(),
    }
}

/// Every diagnostic code in one source file, in these shapes:
///
/// - a code in quotes passed to a call, or put in a tuple, together with a message or help
///   after it: `Diagnostic::error(&rel, "not-utf8", format!(..))`,
///   `withhold("no-consent", path, message, "When the ..")`,
///   `("photo-outside", format!(..), help)`, `("symlink-outside", "Copy the file ..")`;
///   this also finds the codes picked by a `match` in the first place of such a tuple;
/// - `code: "future-date"` in a struct.
fn codes_in_source(src: &str) -> BTreeSet<String> {
    let t = without_tests(tokens(src));
    let mut found = BTreeSet::new();
    for (i, tok) in t.iter().enumerate() {
        match tok {
            Token::Punct('(') => {
                let (parts, _) = group(&t, i);
                for (k, part) in parts.iter().enumerate() {
                    let codes = codes_in_part(part);
                    if !codes.is_empty() && parts[k + 1..].iter().any(|p| message_shaped(p)) {
                        found.extend(codes);
                    }
                }
            }
            Token::Word(w) if w == "code" => {
                if let (Some(Token::Punct(':')), Some(Token::Str(s))) = (t.get(i + 1), t.get(i + 2))
                {
                    if (i == 0 || t[i - 1] != Token::Punct(':')) && code_shaped(s) {
                        found.insert(s.clone());
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Every code the program can give, from every Rust file under `src/`.
fn all_codes() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for entry in walkdir::WalkDir::new(repo().join("src")).sort_by_file_name() {
        let entry = entry.expect("walk src");
        if entry.path().extension().is_some_and(|x| x == "rs") {
            codes.extend(codes_in_source(&read(entry.path())));
        }
    }
    codes
}

fn guide() -> String {
    read(&repo().join("docs/volunteer-guide.md"))
}

/// The codes in the first column of the table in section 8.
fn table_codes(guide: &str) -> BTreeSet<String> {
    let start = guide
        .find("\n## 8.")
        .expect("the guide has a section 8 with the table of codes");
    let section = &guide[start..];
    let end = section[1..].find("\n## ").map_or(section.len(), |e| e + 1);
    let mut codes = BTreeSet::new();
    for line in section[..end].lines().filter(|l| l.starts_with('|')) {
        let first = line.split('|').nth(1).unwrap_or_default();
        for part in first.split('`').skip(1).step_by(2) {
            codes.insert(part.to_string());
        }
    }
    codes
}

#[test]
fn the_scanner_finds_the_codes() {
    let codes = all_codes();
    println!("{} codes found in src/:", codes.len());
    for code in &codes {
        println!("  {code}");
    }
    assert!(
        codes.len() >= 40,
        "only {} codes found: {codes:?}",
        codes.len()
    );
    for known in [
        "yaml-syntax",
        "yaml-shape",
        "wrong-type",
        "unknown-field",
        "no-consent",
        "logo-outside",
        "logo-missing",
        "too-deep",
        "future-date",
        "photo-outside",
        "unknown-value",
        "base-url",
        "closed",
        "invalid-date",
        "unknown-theme",
    ] {
        assert!(codes.contains(known), "the scanner missed `{known}`");
    }
    for not_a_code in [
        "kindly-hands",
        "svg",
        "mon",
        "text",
        "stroke-width",
        "meals",
    ] {
        assert!(!codes.contains(not_a_code), "`{not_a_code}` is not a code");
    }
}

#[test]
fn the_scanner_reads_each_shape() {
    let src = r#"
        fn a() {
            Diagnostic::error(&rel, "one-code", format!("A {x}."));
            Diagnostic::warning(
                &source.path,
                "two-code",
                "A message.",
            );
            withhold("three", vec![key("a")], message, "Some help.".into());
            let f = Finding { code: "four-code", message };
            Some(("five-code", format!("The photo."), help));
            let bytes = read().map_err(|why| (match why { A => "six-code", _ => "seven-code" }, format!("x {why}"), "Put it."));
            let not = ("not-a-code", "nospace");
            const TABLE: &[(&str, &str, &str)] = &[("meals", "315", "Mobile meals")];
            Diagnostic::error(&source.path, "eight-code", message);
            call("not-either");
        }
        #[cfg(test)]
        mod tests {
            fn t() { Diagnostic::error(&rel, "test-only", "A message."); }
        }
    "#;
    let found: Vec<String> = codes_in_source(src).into_iter().collect();
    assert_eq!(
        found,
        [
            "eight-code",
            "five-code",
            "four-code",
            "one-code",
            "seven-code",
            "six-code",
            "three",
            "two-code"
        ]
    );
}

#[test]
fn the_guide_has_a_worked_example_of_every_code() {
    let guide = guide();
    let lines: Vec<&str> = guide.lines().collect();
    let examples: BTreeSet<&str> = lines
        .windows(2)
        .filter(|w| w[0].trim_end() == "```text")
        .map(|w| w[1].trim_end())
        .collect();
    let missing: Vec<String> = all_codes()
        .into_iter()
        .filter(|c| !examples.contains(c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/volunteer-guide.md has no worked example (a ```text block starting with the code on \
         its own line) for {} codes:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

#[test]
fn the_guide_table_lists_every_code() {
    let table = table_codes(&guide());
    let missing: Vec<String> = all_codes()
        .into_iter()
        .filter(|c| !table.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "the table in section 8 of docs/volunteer-guide.md does not list {} codes:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
}

#[test]
fn the_guide_names_no_code_the_program_cannot_give() {
    let codes = all_codes();
    let unknown: Vec<String> = table_codes(&guide())
        .into_iter()
        .filter(|c| !codes.contains(c))
        .collect();
    assert!(
        unknown.is_empty(),
        "the table in section 8 lists codes the program never gives: {unknown:?}"
    );
}
