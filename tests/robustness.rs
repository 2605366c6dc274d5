//! End-to-end: malformed and hostile files added to a valid site. Each must end the build
//! with exit 1, name the file, leave the output folder untouched and finish promptly;
//! a byte-order mark or Windows line endings must build and publish.

mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs a build with a time limit, so a hang fails the test instead of stalling it.
/// Output goes to a file so a long report cannot fill a pipe and block the build.
fn build_within(ws: &Workspace, limit: Duration) -> (Option<i32>, String) {
    let log = ws.dir.path().join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_carepages"))
        .args(["build", "--today", TODAY, "--content"])
        .arg(ws.content())
        .arg("--output")
        .arg(ws.output())
        .arg("--themes")
        .arg(repo().join("themes"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code(), read(&log));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the build took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn valid_listing() -> String {
    read(&repo().join("tests/fixtures/basic/enterprises/kindly-hands.md"))
}

/// Adds `bytes` as a listing to a site that has already built, and checks the failure.
fn assert_rejected(name: &str, bytes: &[u8], expect_in_message: &str) {
    let ws = Workspace::from_fixture("basic");
    let (code, err) = build_within(&ws, Duration::from_secs(20));
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(&ws.output());
    let path = ws.content().join("enterprises").join(name);
    std::fs::write(&path, bytes).expect("write");
    let (code, err) = build_within(&ws, Duration::from_secs(20));
    assert_eq!(code, Some(1), "{name}: {err}");
    assert!(
        err.contains(&format!("enterprises/{name}")),
        "{name} is not named: {err}"
    );
    assert!(
        err.contains(expect_in_message),
        "{name}: expected {expect_in_message:?} in {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(before, snapshot(&ws.output()), "{name} changed the output");
}

#[test]
fn empty_file() {
    assert_rejected("empty.md", b"", "This file is empty");
}

#[test]
fn no_front_matter() {
    assert_rejected(
        "plain.md",
        b"Just some text about our service.\n",
        "three hyphens",
    );
}

#[test]
fn front_matter_never_closed() {
    assert_rejected("open.md", b"---\nname: A\nsummary: B\n", "never closed");
}

#[test]
fn unterminated_quote() {
    assert_rejected(
        "quote.md",
        valid_listing()
            .replace("summary: Friendly", "summary: \"Friendly")
            .as_bytes(),
        "quotation mark",
    );
}

#[test]
fn tab_indentation() {
    assert_rejected(
        "tabs.md",
        valid_listing()
            .replace("  first_name: Sam", "\tfirst_name: Sam")
            .as_bytes(),
        "tab",
    );
}

#[test]
fn deeply_nested_yaml() {
    let yaml = format!(
        "---\nname: {}{}\n---\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    assert_rejected("deep.md", yaml.as_bytes(), "nested");
}

#[test]
fn alias_bomb() {
    let mut yaml = String::from("---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        yaml.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
    }
    yaml.push_str("name: Bomb\n---\n");
    assert_rejected("bomb.md", yaml.as_bytes(), "bomb.md");
}

#[test]
fn huge_file() {
    let mut text = valid_listing();
    text.push_str(&"All work and no play. ".repeat(60_000));
    assert_rejected("huge.md", text.as_bytes(), "at most 1024 KB");
}

#[test]
fn windows_1252_pound_sign() {
    let text = valid_listing().replace("£", "").replace(
        "description: \"Minimum one hour\"",
        "description: \"Minimum \u{1}\"",
    );
    let mut bytes = text.replace('\u{1}', "PLACEHOLDER").into_bytes();
    let at = bytes
        .windows(11)
        .position(|w| w == b"PLACEHOLDER")
        .expect("placeholder");
    bytes.splice(at..at + 11, b"\xA320 an hour".iter().copied());
    assert_rejected("ansi.md", &bytes, "pound sign");
}

#[test]
fn impossible_date() {
    assert_rejected(
        "date.md",
        valid_listing()
            .replace("2025-10-15", "2026-02-30")
            .as_bytes(),
        "not a real date",
    );
}

#[test]
fn wrong_type() {
    assert_rejected(
        "days.md",
        valid_listing()
            .replace("days: [mon, tue, wed]", "days: monday")
            .as_bytes(),
        "should be a list",
    );
}

#[test]
fn duplicate_keys() {
    assert_rejected(
        "dup.md",
        valid_listing()
            .replace(
                "councils: [testshire]",
                "councils: [testshire]\nname: Again",
            )
            .as_bytes(),
        "appears twice",
    );
}

#[test]
fn a_list_instead_of_details() {
    assert_rejected(
        "list.md",
        b"---\n- name\n- summary\n---\n",
        "should be a group of fields",
    );
}

#[test]
fn binary_garbage() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_rejected("garbage.md", &bytes, "garbage.md");
}

#[test]
fn control_characters() {
    assert_rejected(
        "nul.md",
        valid_listing().replace("Sam", "S\u{0}am").as_bytes(),
        "nul.md",
    );
}

#[test]
fn a_broken_council_file_is_named() {
    let ws = Workspace::from_fixture("basic");
    ws.write("councils/testshire.yaml", "name: [unclosed\n");
    let (code, err) = build_within(&ws, Duration::from_secs(20));
    assert_eq!(code, Some(1));
    assert!(err.contains("councils/testshire.yaml"), "{err}");
}

#[test]
fn byte_order_mark_and_windows_line_endings_build_and_publish() {
    let ws = Workspace::from_fixture("basic");
    let text = format!(
        "\u{feff}{}",
        valid_listing()
            .replace("Kindly Hands", "Windows Hands")
            .replace('\n', "\r\n")
    );
    ws.write("enterprises/windows-hands.md", &text);
    let (code, err) = build_within(&ws, Duration::from_secs(20));
    assert_eq!(code, Some(0), "{err}");
    let page = read(
        &ws.output()
            .join("testshire/enterprises/windows-hands/index.html"),
    );
    assert_eq!(texts(&page, "h1"), ["Windows Hands"]);
    assert!(!page.contains('\r'));
}

#[test]
fn a_symlink_leaving_the_content_folder_is_refused() {
    let ws = Workspace::from_fixture("basic");
    let outside = ws.dir.path().join("outside.md");
    std::fs::write(&outside, valid_listing()).expect("write");
    std::os::unix::fs::symlink(&outside, ws.content().join("enterprises/linked.md"))
        .expect("symlink");
    let (code, err) = build_within(&ws, Duration::from_secs(20));
    assert_eq!(code, Some(1));
    assert!(
        err.contains("enterprises/linked.md") && err.contains("outside the content folder"),
        "{err}"
    );
}
