//! End-to-end: `carepages check` on listings that each break one rule. Every case asserts
//! the diagnostic a volunteer would see (code, file, line, field), and date rules are also
//! checked on a day when the evidence was current.

mod common;
use common::*;
use serde_json::Value;

/// A listing that meets every rule on 2026-11-25. Line numbers below refer to this text.
const VALID: &str = "---
name: Kindly Hands
summary: Friendly help at home and company for older people around Williton.
councils: [testshire]
support_types: [companionship, home_help]
who_for: [older_people]
service_area:
  towns: [Williton]
  postcode_districts: [TA4]
contact:
  first_name: Sam
  phone: \"07700 900123\"
  email: hello@kindlyhands.example
standards:
  evidence:
    - {type: public_liability, expires: 2027-01-31}
    - {type: dbs_enhanced, issued: 2025-10-15}
    - {type: safeguarding_training, completed: 2025-09-20}
review:
  last_checked: 2026-05-20
consent:
  publish: true
---

Body.
";

fn check(listing: &str, today: &str) -> (i32, Value) {
    let ws = Workspace::from_fixture("basic");
    std::fs::remove_dir_all(ws.content().join("enterprises")).expect("clear");
    ws.write("enterprises/case.md", listing);
    let content = ws.content();
    let out = run(
        &["check", "--format", "json", "--today", today],
        &[("--content", &content)],
    );
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    (out.status.code().expect("exit code"), json)
}

/// Asserts one diagnostic with this code exists at this line and field.
fn expect(listing: &str, today: &str, code: &str, line: u64, field: &str, severity: &str) -> Value {
    let (status, json) = check(listing, today);
    let diags = json["diagnostics"].as_array().expect("diagnostics");
    let found = diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {json:#}"));
    assert!(
        found["file"]
            .as_str()
            .expect("file")
            .ends_with("enterprises/case.md"),
        "{found}"
    );
    assert_eq!(
        (found["line"].as_u64(), found["field"].as_str()),
        (Some(line), Some(field)),
        "{found}"
    );
    assert_eq!(found["severity"], severity);
    assert!(
        !found["message"].as_str().expect("message").is_empty()
            && !found["help"].as_str().expect("help").is_empty()
    );
    assert_eq!(
        status,
        if severity == "error" { 1 } else { 0 },
        "exit status for {code}"
    );
    json
}

fn withheld(json: &Value) -> u64 {
    json["listings"]["withheld"]
        .as_u64()
        .expect("withheld count")
}

#[test]
fn the_valid_listing_has_no_problems() {
    let (status, json) = check(VALID, "2026-11-25");
    assert_eq!(status, 0);
    assert_eq!(json["diagnostics"], serde_json::json!([]), "{json:#}");
    assert_eq!(
        json["listings"],
        serde_json::json!({"published": 1, "withheld": 0})
    );
}

#[test]
fn structural_rules_from_the_schema() {
    let cases: &[(&str, &str, &str, u64, &str)] = &[
        ("summary:", "sumary:", "unknown-field", 3, "sumary"),
        (
            "[companionship, home_help]",
            "[companionship, cleaning]",
            "unknown-value",
            5,
            "support_types[1]",
        ),
        (
            "  phone: \"07700 900123\"\n",
            "  phone: \"07700 900123\"\n  fax: \"01234\"\n",
            "unknown-field",
            13,
            "contact.fax",
        ),
        (
            "who_for: [older_people]\n",
            "",
            "missing-field",
            1,
            "who_for",
        ),
        (
            "issued: 2025-10-15",
            "issued: 2025-02-30",
            "invalid-date",
            17,
            "standards.evidence[1].issued",
        ),
        (
            "email: hello@kindlyhands.example",
            "email: hello at kindlyhands",
            "invalid-email",
            13,
            "contact.email",
        ),
        (
            "[TA4]",
            "[TA 4]",
            "invalid-value",
            9,
            "service_area.postcode_districts[0]",
        ),
        (
            "who_for: [older_people]",
            "who_for: older_people",
            "wrong-type",
            6,
            "who_for",
        ),
        (
            "Friendly help at home and company for older people around Williton.",
            &"x".repeat(301),
            "too-long",
            3,
            "summary",
        ),
    ];
    for (from, to, code, line, field) in cases {
        assert!(VALID.contains(from), "{from}");
        expect(
            &VALID.replacen(from, to, 1),
            "2026-11-25",
            code,
            *line,
            field,
            "error",
        );
    }
}

#[test]
fn semantic_rules_beyond_the_schema() {
    let cases: &[(&str, &str, &str, u64, &str)] = &[
        (
            "councils: [testshire]",
            "councils: [testshir]",
            "unknown-council",
            4,
            "councils[0]",
        ),
        (
            "towns: [Williton]",
            "towns: [Minehead]",
            "town-not-covered",
            8,
            "service_area.towns[0]",
        ),
        (
            "[TA4]",
            "[TA24]",
            "district-not-covered",
            9,
            "service_area.postcode_districts[0]",
        ),
        (
            "\"07700 900123\"",
            "\"+1 212 555 0100\"",
            "invalid-phone",
            12,
            "contact.phone",
        ),
        (
            "consent:",
            "photo: {file: ../../secret.jpg, alt: A photo of a garden}\nconsent:",
            "photo-outside",
            21,
            "photo.file",
        ),
        (
            "consent:",
            "photo: {file: missing.jpg, alt: A photo of a garden}\nconsent:",
            "photo-missing",
            21,
            "photo.file",
        ),
    ];
    for (from, to, code, line, field) in cases {
        assert!(VALID.contains(from), "{from}");
        expect(
            &VALID.replacen(from, to, 1),
            "2026-11-25",
            code,
            *line,
            field,
            "error",
        );
    }
}

#[test]
fn date_rules_withhold_on_one_day_and_publish_on_another() {
    // (change, day it is withheld, code, line, field, day it is published)
    let cases: &[(&str, &str, &str, u64, &str, &str)] = &[
        (
            "expires: 2027-01-31",
            "expires: 2026-09-30",
            "evidence-lapsed",
            16,
            "standards.evidence[0].expires",
            "2026-09-01",
        ),
        (
            "issued: 2025-10-15",
            "issued: 2023-06-01",
            "evidence-lapsed",
            17,
            "standards.evidence[1].issued",
            "2026-05-25",
        ),
        (
            "completed: 2025-09-20",
            "completed: 2023-06-10",
            "evidence-lapsed",
            18,
            "standards.evidence[2].completed",
            // After the review of 2026-05-20: a review dated after today withholds too.
            "2026-06-01",
        ),
        (
            "last_checked: 2026-05-20",
            "last_checked: 2025-08-01",
            "review-overdue",
            20,
            "review.last_checked",
            "2026-07-01",
        ),
        (
            "    - {type: public_liability, expires: 2027-01-31}\n",
            "",
            "evidence-missing",
            16,
            "standards.evidence",
            "",
        ),
        (
            "publish: true",
            "publish: false",
            "no-consent",
            22,
            "consent.publish",
            "",
        ),
        (
            "name: Kindly Hands\n",
            "name: Kindly Hands\nstatus: closed\n",
            "closed",
            3,
            "status",
            "",
        ),
        (
            "[companionship, home_help]",
            "[companionship, meals]",
            "evidence-missing",
            16,
            "standards.evidence",
            "",
        ),
        (
            "[companionship, home_help]",
            "[companionship, personal_care]",
            "cqc-missing",
            14,
            "standards",
            "",
        ),
    ];
    for (from, to, code, line, field, current_day) in cases {
        let listing = VALID.replacen(from, to, 1);
        let json = expect(&listing, "2026-11-25", code, *line, field, "warning");
        assert_eq!(withheld(&json), 1, "{code} should withhold: {json:#}");
        if !current_day.is_empty() {
            let (status, json) = check(&listing, current_day);
            assert_eq!(
                (status, withheld(&json)),
                (0, 0),
                "{code} on {current_day}: {json:#}"
            );
        }
    }
}

#[test]
fn dates_that_cannot_be_right_withhold_the_listing() {
    let cases: &[(&str, &str, &str, u64, &str)] = &[
        (
            "completed: 2025-09-20",
            "completed: 2062-09-20",
            "future-date",
            18,
            "standards.evidence[2].completed",
        ),
        (
            "issued: 2025-10-15",
            "issued: 2099-01-01",
            "future-date",
            17,
            "standards.evidence[1].issued",
        ),
        (
            "expires: 2027-01-31",
            "expires: 9999-12-31",
            "expiry-too-far-ahead",
            16,
            "standards.evidence[0].expires",
        ),
        (
            "last_checked: 2026-05-20",
            "last_checked: 2099-05-20",
            "future-date",
            20,
            "review.last_checked",
        ),
    ];
    for (from, to, code, line, field) in cases {
        let listing = VALID.replacen(from, to, 1);
        let json = expect(&listing, "2026-11-25", code, *line, field, "warning");
        assert_eq!(withheld(&json), 1, "{code} should withhold: {json:#}");
    }
}

#[test]
fn privacy_lint_warns_about_homes_full_names_and_private_numbers() {
    let cases: &[(&str, &str, &str, u64, &str)] = &[
        (
            "Body.",
            "Pop round to 12 Mill Lane any time.",
            "privacy-address",
            25,
            "",
        ),
        (
            "Body.",
            "Post letters to TA4 2PQ.",
            "privacy-postcode",
            25,
            "",
        ),
        (
            "around Williton.",
            "around Williton. DBS certificate 001234567890.",
            "privacy-reference",
            3,
            "summary",
        ),
        (
            "first_name: Sam",
            "first_name: Sam Smith",
            "privacy-full-name",
            11,
            "contact.first_name",
        ),
        (
            "Body.",
            "Letters are welcome.\nPost them to TA4\n2PQ.",
            "privacy-postcode",
            26,
            "",
        ),
        (
            "Body.",
            "Post letters to ta4\u{00A0}2pq.",
            "privacy-postcode",
            25,
            "",
        ),
        (
            "review:\n",
            "  cqc:\n    registered: false\n    basis: \"Works alone from 12 CHURCH STREET\"\nreview:\n",
            "privacy-address",
            21,
            "standards.cqc.basis",
        ),
        (
            "  first_name: Sam\n",
            "  first_name: Sam\n  website: https://kindlyhands.example/TA4-2PQ\n",
            "privacy-postcode",
            12,
            "contact.website",
        ),
    ];
    for (from, to, code, line, field) in cases {
        let json = expect(
            &VALID.replacen(from, to, 1),
            "2026-11-25",
            code,
            *line,
            field,
            "warning",
        );
        assert_eq!(
            withheld(&json),
            0,
            "{code} is a warning for the council, not a withholding"
        );
    }
}

#[test]
fn evidence_lapsing_soon_is_a_reminder_not_a_withholding() {
    let json = expect(
        VALID,
        "2027-01-10",
        "evidence-lapsing",
        16,
        "standards.evidence[0].expires",
        "warning",
    );
    assert_eq!(withheld(&json), 0);
    assert_eq!(
        json["councils"][0]["reminders"][0]["listing"],
        "Kindly Hands"
    );
}

#[test]
fn duplicate_listings_are_errors_even_when_names_differ_only_in_case() {
    let ws = Workspace::from_fixture("basic");
    ws.write(
        "enterprises/Kindly-Hands.md",
        &read(&ws.content().join("enterprises/kindly-hands.md")),
    );
    let content = ws.content();
    let out = run(
        &["check", "--format", "json", "--today", TODAY],
        &[("--content", &content)],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let dups: Vec<&Value> = json["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["code"] == "duplicate-slug")
        .collect();
    assert_eq!(dups.len(), 2, "{json:#}");
}

#[test]
fn github_format_puts_problems_on_pull_request_lines() {
    let ws = Workspace::from_fixture("basic");
    ws.write(
        "enterprises/kindly-hands.md",
        &read(&ws.content().join("enterprises/kindly-hands.md")).replace("summary:", "sumary:"),
    );
    let content = ws.content();
    let out = run(
        &["check", "--format", "github", "--today", TODAY],
        &[("--content", &content)],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("unknown-field"))
        .expect("annotation");
    assert!(line.starts_with("::error file="), "{line}");
    assert!(
        line.contains("enterprises/kindly-hands.md,line=3,col=1,"),
        "{line}"
    );
}

#[test]
fn human_format_is_a_to_do_list_for_the_council() {
    let ws = Workspace::from_fixture("basic");
    let content = ws.content();
    let out = run(&["check", "--today", TODAY], &[("--content", &content)]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("Testshire Council (testshire): 2 published, 1 withheld"),
        "{text}"
    );
    assert!(text.contains("Quiet Company"), "{text}");
}

#[test]
fn new_writes_a_listing_that_checks_clean() {
    let ws = Workspace::from_fixture("basic");
    let content = ws.content();
    let out = run(
        &[
            "new",
            "Rest Awhile Sitting Service",
            "--council",
            "testshire",
        ],
        &[("--content", &content)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = read(&content.join("enterprises/rest-awhile-sitting-service.md"));
    assert!(text.contains("$schema=../schema/enterprise.schema.json"));
    let out = run(
        &["check", "--format", "json", "--today", TODAY],
        &[("--content", &content)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn init_scaffolds_a_repository_that_checks_and_builds_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo_dir = dir.path().join("westmoor-care");
    let out = run(&["init", "--council", "Westmoor Council"], &[]);
    assert_eq!(out.status.code(), Some(2), "init needs a folder");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carepages"))
        .args(["init", "--council", "Westmoor Council"])
        .arg(&repo_dir)
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", stderr(&out));
    for file in [
        ".github/workflows/check.yml",
        ".github/workflows/publish.yml",
        "docs/volunteer-guide.md",
        "content/standards/doing-it-right.yaml",
    ] {
        assert!(repo_dir.join(file).is_file(), "{file}");
    }
    let workflow = read(&repo_dir.join(".github/workflows/check.yml"));
    assert!(workflow.contains("carepages check --format github"));
    assert!(read(&repo_dir.join(".github/workflows/publish.yml")).contains("cron:"));
    // Built from inside the new repository, with the default folders and no themes/ of its own.
    let in_repo = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_carepages"))
            .args(args)
            .current_dir(&repo_dir)
            .output()
            .expect("run")
    };
    let out = in_repo(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["listings"],
        serde_json::json!({"published": 1, "withheld": 0}),
        "{json:#}"
    );
    let out = in_repo(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Without --id and with nobody at a terminal, the id suggested from the name is used.
    assert!(repo_dir
        .join("output/westmoor/enterprises/example-companions/index.html")
        .is_file());
    let other = dir.path().join("other");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carepages"))
        .args([
            "init",
            "--council",
            "Royal Borough of Kingsbridge",
            "--id",
            "Kings Bridge",
        ])
        .arg(&other)
        .output()
        .expect("init");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be a council's id"),
        "{}",
        stderr(&out)
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carepages"))
        .args([
            "init",
            "--council",
            "Royal Borough of Kingsbridge",
            "--id",
            "kingsbridge",
        ])
        .arg(&other)
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(other.join("content/councils/kingsbridge.yaml").is_file());
}

#[test]
fn every_privacy_problem_on_a_line_is_shown_at_its_own_column() {
    let listing = VALID.replace(
        "Body.",
        "Come to 12 Church Street, TA4 2PQ, or ask for DBS 0012 3456 7890.",
    );
    let (_, json) = check(&listing, "2026-11-25");
    let found: Vec<(String, u64, u64)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| {
            d["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("privacy-"))
        })
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let line = listing
        .lines()
        .position(|l| l.starts_with("Come to"))
        .expect("line") as u64
        + 1;
    assert_eq!(
        found,
        [
            ("privacy-address".to_string(), line, 9),
            ("privacy-postcode".to_string(), line, 27),
            ("privacy-reference".to_string(), line, 51),
        ]
    );
    // The human report underlines the words themselves.
    let ws = Workspace::from_fixture("basic");
    ws.write("enterprises/kindly-hands.md", &listing);
    let content = ws.content();
    let out = run(
        &["check", "--today", "2026-11-25"],
        &[("--content", &content)],
    );
    let report = stdout(&out);
    assert!(
        report.contains(&format!("{}{}", " ".repeat(26), "─".repeat(7))),
        "{report}"
    );
    assert!(report.contains(&"─".repeat(16)), "{report}");
}

#[test]
fn a_broken_council_file_is_reported_once_not_on_every_listing() {
    let ws = Workspace::from_fixture("basic");
    let settings = read(&ws.content().join("councils/testshire.yaml")).replace(
        "base_url: https://care.testshire.example/",
        "base_url: nowhere",
    );
    ws.write("councils/testshire.yaml", &settings);
    let content = ws.content();
    let out = run(
        &["check", "--format", "json", "--today", "2026-11-25"],
        &[("--content", &content)],
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(!codes.is_empty());
    assert!(!codes.contains(&"unknown-council"), "{codes:?}");
}
