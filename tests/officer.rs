//! The council officer's tools, end to end: `carepages diff` against a built output folder,
//! a git revision and a day ahead; `calendar`, `export` and `report`; and the clear
//! refusals that leave `output/` as it was.

mod common;

use common::{copy_dir, read, repo, run, snapshot, stderr, stdout, TODAY};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A new listing whose name would break a Markdown table, an HTML page or a CSV cell.
const NEW_LISTING: &str = r#"---
name: "=New | Neighbours <script>alert(1)</script>, \"Ltd\"; @team"
summary: Company and help with shopping for older people around Williton.
councils: [westmoor]
support_types: [shopping_errands, companionship]
who_for: [older_people]
service_area:
  towns: [Williton]
  postcode_districts: [TA4]
contact:
  first_name: Robin
  phone: "07700 900777"
availability:
  taking_new_clients: "yes"
standards:
  evidence:
    - {type: public_liability, expires: 2027-02-15}
    - {type: dbs_enhanced, issued: 2026-01-10}
    - {type: safeguarding_training, completed: 2026-02-01}
review:
  last_checked: 2026-10-01
consent:
  publish: true
---

New in Williton.
"#;

/// A copy of the demo content in a temporary folder.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    copy_dir(&repo().join("content"), &content);
    (dir, content)
}

fn edit(content: &Path, file: &str, from: &str, to: &str) {
    let path = content.join("enterprises").join(file);
    let text = read(&path);
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// The second version of the content: one listing's insurance lapsed, one without consent,
/// one closed, one file removed, one added and one phone number changed.
fn change(content: &Path) {
    edit(
        content,
        "watchet-walkies.md",
        "expires: 2027-01-31",
        "expires: 2026-11-01",
    );
    edit(
        content,
        "brendon-hills-garden-help.md",
        "publish: true",
        "publish: false",
    );
    edit(
        content,
        "barle-valley-breaks.md",
        "status: active",
        "status: closed",
    );
    edit(
        content,
        "blackdown-handyperson.md",
        "phone: \"07700 900192\"",
        "phone: \"07700 900999\"",
    );
    std::fs::remove_file(content.join("enterprises/read-aloud-taunton.md")).expect("remove");
    std::fs::write(content.join("enterprises/new-neighbours.md"), NEW_LISTING).expect("add");
}

fn build(content: &Path, output: &Path) {
    let out = run(
        &["build", "--today", TODAY],
        &[
            ("--content", content),
            ("--output", output),
            ("--themes", &repo().join("themes")),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

fn carepages(args: &[&str], content: &Path) -> Output {
    run(args, &[("--content", content)])
}

/// `carepages report` on Westmoor, written to `out`.
fn westmoor_report(out: &Path, content: &Path) -> Output {
    let out = out.display().to_string();
    let args = [
        "report",
        "--council",
        "westmoor",
        "--today",
        TODAY,
        "--out",
        &out,
    ];
    carepages(&args, content)
}

fn json_diff(args: &[&str], content: &Path) -> serde_json::Value {
    let mut all = vec!["diff", "--format", "json", "--council", "westmoor"];
    all.extend_from_slice(args);
    let out = carepages(&all, content);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("json")
}

fn names(list: &serde_json::Value) -> BTreeSet<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|l| l["slug"].as_str().expect("slug").to_string())
        .collect()
}

fn why(council: &serde_json::Value, slug: &str) -> String {
    council["disappear"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["slug"] == slug)
        .map(|d| d["why"].to_string())
        .unwrap_or_else(|| panic!("{slug} does not disappear"))
}

/// Asserts the diff of [`change`] for Westmoor, whatever it was compared with.
fn assert_the_changes(diff: &serde_json::Value) {
    let westmoor = &diff["councils"][0];
    assert_eq!(westmoor["id"], "westmoor");
    assert_eq!(
        names(&westmoor["appear"]),
        BTreeSet::from(["new-neighbours".to_string()])
    );
    assert_eq!(
        names(&westmoor["disappear"]),
        BTreeSet::from(
            [
                "watchet-walkies",
                "brendon-hills-garden-help",
                "barle-valley-breaks",
                "read-aloud-taunton",
            ]
            .map(String::from)
        )
    );
    assert!(why(westmoor, "watchet-walkies")
        .contains("public liability insurance lapsed on 1 November 2026"));
    assert!(why(westmoor, "brendon-hills-garden-help").contains("not given consent"));
    assert!(why(westmoor, "barle-valley-breaks").contains("marked as closed"));
    assert!(why(westmoor, "read-aloud-taunton").contains("read-aloud-taunton.md was removed"));
    let changed = westmoor["change"].as_array().expect("list");
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0]["slug"], "blackdown-handyperson");
    assert_eq!(
        changed[0]["fields"],
        serde_json::json!([{"field": "contact.phone", "old": "07700 900192", "new": "07700 900999"}])
    );
    assert_eq!(
        westmoor["published_after"].as_u64().expect("count") + 4 - 1,
        westmoor["published_before"].as_u64().expect("count")
    );
}

#[test]
fn the_diff_against_a_built_site_names_every_change_in_each_format() {
    let (dir, content) = demo();
    let output = dir.path().join("output");
    build(&content, &output);
    let built = snapshot(&output);
    change(&content);
    let published = output.display().to_string();
    let diff = json_diff(&["--today", TODAY, "--published", &published], &content);
    assert_the_changes(&diff);
    // One council's site can be given too.
    let site = output.join("westmoor").display().to_string();
    assert_the_changes(&json_diff(
        &["--today", TODAY, "--published", &site],
        &content,
    ));

    let text = carepages(
        &["diff", "--today", TODAY, "--published", &published],
        &content,
    );
    assert!(text.status.success(), "{}", stderr(&text));
    let text = stdout(&text);
    for expected in [
        "Westmoor Council (westmoor)",
        "Eastbrook District Council (eastbrook)",
        "+ =New | Neighbours",
        "- Watchet Walkies",
        "why: The public liability insurance lapsed on 1 November 2026.",
        "contact: Ellie, 07700 900138",
        "contact.phone: \"07700 900192\" -> \"07700 900999\"",
        "No listing appears, disappears or changes.",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }

    let markdown = carepages(
        &[
            "diff",
            "--today",
            TODAY,
            "--published",
            &published,
            "--format",
            "markdown",
        ],
        &content,
    );
    let markdown = stdout(&markdown);
    assert!(markdown.contains("#### Will appear (1)"), "{markdown}");
    assert!(!markdown.contains("<script"), "{markdown}");
    // Every table row has exactly its own cells: the name's `|` cannot add one.
    for row in markdown.lines().filter(|l| l.starts_with('|')) {
        let header_cells = if row.contains("Was") || row.contains("07700 900999") {
            5
        } else if row.contains("Contact") || row.contains("lapsed") || row.contains("removed") {
            4
        } else {
            0
        };
        if header_cells > 0 {
            assert_eq!(row.matches('|').count(), header_cells, "{row}");
        }
    }
    let appear_row = markdown
        .lines()
        .find(|l| l.contains("Neighbours"))
        .expect("new listing row");
    assert_eq!(appear_row.matches('|').count(), 3, "{appear_row}");
    assert!(
        markdown
            .contains("| Blackdown Handyperson | contact\\.phone | 07700 900192 | 07700 900999 |"),
        "{markdown}"
    );

    assert_eq!(snapshot(&output), built, "diff changed the output folder");

    // A council with no site yet: every listing it publishes appears, with a note.
    let partial = dir.path().join("partial");
    copy_dir(&output.join("westmoor"), &partial.join("westmoor"));
    let out = carepages(
        &[
            "diff",
            "--format",
            "json",
            "--today",
            TODAY,
            "--published",
            &partial.display().to_string(),
        ],
        &content,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let diff: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let eastbrook = diff["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .find(|c| c["id"] == "eastbrook")
        .expect("eastbrook");
    assert_eq!(eastbrook["published_before"], 0);
    assert_eq!(
        eastbrook["appear"].as_array().expect("list").len() as u64,
        eastbrook["published_after"].as_u64().expect("count")
    );
    assert!(diff["notes"].to_string().contains("has no site"), "{diff}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Officer", "-c", "user.email=o@example.org"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-09-15T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-09-15T10:00:00Z")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// The demo content in a git repository of its own, committed once.
fn committed_demo() -> (tempfile::TempDir, PathBuf) {
    let (dir, content) = demo();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "demo"]);
    (dir, content)
}

fn git_available() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

#[test]
fn the_diff_against_a_git_revision_names_every_change_and_refuses_one_that_does_not_exist() {
    if !git_available() {
        eprintln!("git is not installed: skipping the git revision test");
        return;
    }
    let (dir, content) = committed_demo();
    change(&content);
    // Uncommitted changes are compared too: the content folder as it is now.
    assert_the_changes(&json_diff(&["--today", TODAY, "--since", "HEAD"], &content));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "changes"]);
    let diff = json_diff(&["--today", TODAY, "--since", "HEAD~1"], &content);
    assert_the_changes(&diff);
    assert!(
        diff["compared_with"]
            .as_str()
            .expect("text")
            .contains("the content at HEAD~1"),
        "{diff}"
    );
    // Comparing with itself: nothing.
    let same = json_diff(&["--today", TODAY, "--since", "main"], &content);
    assert_eq!(same["councils"][0]["appear"], serde_json::json!([]));
    assert_eq!(same["councils"][0]["disappear"], serde_json::json!([]));
    // The repository is as it was: nothing staged, nothing changed.
    let status = Command::new("git")
        .current_dir(dir.path())
        .args(["status", "--porcelain"])
        .output()
        .expect("git status");
    assert_eq!(stdout(&status), "");

    for bad in ["no-such-branch", "--output=x"] {
        let since = format!("--since={bad}");
        let out = carepages(&["diff", "--today", TODAY, &since], &content);
        assert_eq!(out.status.code(), Some(1), "{bad}: {}", stderr(&out));
        let message = stderr(&out);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.starts_with("error: "), "{message}");
        assert!(message.contains(bad), "{message}");
        assert!(!message.contains("panicked"), "{message}");
    }

    // Outside a git repository: one clear message.
    let (_plain, plain) = demo();
    let out = carepages(&["diff", "--today", TODAY, "--since", "HEAD"], &plain);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not in a git repository"),
        "{}",
        stderr(&out)
    );
}

/// The last day each piece of required evidence or the review counts, by listing, read
/// from the iCalendar file: events whose description says the listing is withheld after.
fn required_dates(ics: &str) -> BTreeMap<String, Vec<String>> {
    let unfolded = ics.replace("\r\n ", "");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for event in unfolded.split("BEGIN:VEVENT").skip(1) {
        let field = |name: &str| {
            event
                .split("\r\n")
                .find_map(|l| l.strip_prefix(name))
                .unwrap_or("")
                .to_string()
        };
        if !field("DESCRIPTION:").contains("withheld unless") {
            continue;
        }
        let file = field("DESCRIPTION:");
        let file = file.rsplit("File: ").next().unwrap_or("").to_string();
        out.entry(file)
            .or_default()
            .push(field("DTSTART;VALUE=DATE:"));
    }
    out
}

fn ymd(date: &str) -> String {
    date.replace('-', "")
}

#[test]
fn the_forecast_withholds_exactly_the_listings_whose_evidence_lapses_by_then() {
    let (_dir, content) = demo();
    let ics = stdout(&carepages(
        &["calendar", "--council", "westmoor", "--today", TODAY],
        &content,
    ));
    let now = json_diff(&["--today", TODAY], &content);
    assert!(now["councils"][0]["disappear"]
        .as_array()
        .expect("list")
        .is_empty());
    let published_today: BTreeSet<String> = {
        let csv = stdout(&carepages(
            &["export", "--council", "westmoor", "--today", TODAY],
            &content,
        ));
        parse_csv(&csv)
            .into_iter()
            .skip(1)
            .filter(|r| r[3] == "published")
            .map(|r| r[1].clone())
            .collect()
    };
    for (ahead, on) in [
        ("30", "2026-12-25"),
        ("60", "2027-01-24"),
        ("90", "2027-02-23"),
    ] {
        let diff = json_diff(&["--today", TODAY, "--ahead", ahead], &content);
        assert_eq!(diff["judged_on"], on);
        let expected: BTreeSet<String> = required_dates(&ics)
            .into_iter()
            .filter(|(file, dates)| {
                published_today.contains(file) && dates.iter().any(|d| *d < ymd(on))
            })
            .map(|(file, _)| {
                file.trim_start_matches("enterprises/")
                    .trim_end_matches(".md")
                    .to_string()
            })
            .collect();
        let westmoor = &diff["councils"][0];
        assert_eq!(names(&westmoor["disappear"]), expected, "ahead {ahead}");
        assert!(westmoor["appear"].as_array().expect("list").is_empty());
        for d in westmoor["disappear"].as_array().expect("list") {
            assert!(!d["contact"].as_str().unwrap_or("").is_empty(), "{d}");
        }
        if ahead == "90" {
            assert!(expected.contains("watchet-walkies"), "{expected:?}");
            assert!(why(westmoor, "watchet-walkies").contains("lapsed on 31 January 2027"));
        }
        if ahead == "30" {
            assert!(!expected.contains("watchet-walkies"));
        }
    }
}

#[test]
fn the_calendar_holds_every_expiry_parses_and_is_the_same_each_run() {
    let (dir, content) = demo();
    std::fs::write(content.join("enterprises/new-neighbours.md"), NEW_LISTING).expect("add");
    let out_file = dir.path().join("westmoor.ics");
    let out_arg = out_file.display().to_string();
    let made = carepages(
        &[
            "calendar",
            "--council",
            "westmoor",
            "--today",
            TODAY,
            "--out",
            &out_arg,
        ],
        &content,
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let bytes = std::fs::read(&out_file).expect("ics");
    let again = stdout(&carepages(
        &["calendar", "--council", "westmoor", "--today", TODAY],
        &content,
    ));
    assert_eq!(bytes, again.as_bytes(), "the same bytes each run");
    let ics = String::from_utf8(bytes).expect("utf-8");

    // Structure, whatever parser is installed: CRLF lines of at most 75 octets, folded
    // lines starting with a space, balanced components.
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "bare line feeds");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{line}");
    }
    let unfolded = ics.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
        lines.iter().filter(|l| **l == "END:VEVENT").count()
    );
    for line in &lines {
        assert!(line.contains(':'), "{line}");
    }
    // The hostile name cannot start a line or a property of its own.
    assert!(lines.iter().any(|l| l.starts_with("SUMMARY:")
        && l.contains("=New | Neighbours <script>alert(1)</script>\\, \"Ltd\"\\; @team")));
    let uids: Vec<&&str> = lines.iter().filter(|l| l.starts_with("UID:")).collect();
    let unique: BTreeSet<&&&str> = uids.iter().collect();
    assert_eq!(uids.len(), unique.len(), "UIDs are unique");
    assert!(lines
        .iter()
        .all(|l| !l.starts_with("DTSTAMP:") || *l == "DTSTAMP:20261125T000000Z"));

    // Every expiry date written in a Westmoor listing is an event on that day.
    for entry in std::fs::read_dir(content.join("enterprises")).expect("listings") {
        let text = read(&entry.expect("entry").path());
        if !text.contains("councils: [westmoor") {
            continue;
        }
        for part in text.split("expires: ").skip(1) {
            let date = &part[..10];
            assert!(
                unfolded.contains(&format!("DTSTART;VALUE=DATE:{}", ymd(date))),
                "no event on {date}"
            );
        }
    }

    // A real parser, when one is installed.
    let script = "import sys, icalendar\ncal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\nevents = cal.walk('VEVENT')\nprint(len(events))\nfor e in events:\n    assert e.get('UID') and e.get('DTSTART') and e.get('SUMMARY')\n";
    match Command::new("python3")
        .args(["-c", script])
        .arg(&out_file)
        .output()
    {
        Ok(out) if out.status.success() => {
            let count: usize = stdout(&out).trim().parse().expect("a count");
            assert_eq!(
                count,
                lines.iter().filter(|l| **l == "BEGIN:VEVENT").count()
            );
        }
        Ok(out) if stderr(&out).contains("No module named") => {
            eprintln!("Python's icalendar is not installed (pip install icalendar): checked the structure only")
        }
        Ok(out) => panic!("icalendar could not read the file: {}", stderr(&out)),
        Err(_) => eprintln!("python3 is not installed: checked the structure only"),
    }
}

/// A CSV reader (RFC 4180): quoted cells may hold commas, quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

#[test]
fn the_csv_export_reads_back_with_every_listing_and_no_formulas() {
    let (_dir, content) = demo();
    std::fs::write(content.join("enterprises/new-neighbours.md"), NEW_LISTING).expect("add");
    let out = carepages(
        &["export", "--council", "westmoor", "--today", TODAY],
        &content,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let rows = parse_csv(&csv);
    let header = &rows[0];
    assert_eq!(header[0], "Name");
    assert!(header.contains(&"Public liability insurance lapses".to_string()));
    let westmoor_files = std::fs::read_dir(content.join("enterprises"))
        .expect("listings")
        .filter(|e| read(&e.as_ref().expect("entry").path()).contains("councils: [westmoor"))
        .count();
    assert_eq!(rows.len(), westmoor_files + 1);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let new = rows
        .iter()
        .find(|r| r[0].contains("Neighbours"))
        .expect("new listing");
    assert!(new[0].starts_with("'="), "{}", new[0]);
    let pl = header
        .iter()
        .position(|h| h == "Public liability insurance lapses")
        .expect("column");
    assert_eq!(new[pl], "2027-02-15");
    let watchet = rows
        .iter()
        .find(|r| r[0] == "Watchet Walkies")
        .expect("row");
    assert_eq!(watchet[pl], "2027-01-31");
    assert_eq!(watchet[3], "published");
    let dunkery = rows
        .iter()
        .find(|r| r[0] == "Dunkery Drivers")
        .expect("row");
    assert_eq!(dunkery[3], "withheld");
    assert!(dunkery[4].contains("lapsed on 30 September 2026"));

    // Python's csv module reads it the same way, when it is installed.
    if let Ok(py) = Command::new("python3")
        .args(["-c", "import csv, sys; rows = list(csv.reader(sys.stdin)); print(len(rows), len(set(map(len, rows))))"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        let mut py = py;
        py.stdin.take().expect("stdin").write_all(csv.as_bytes()).expect("write");
        let out = py.wait_with_output().expect("python");
        assert_eq!(stdout(&out).trim(), format!("{} 1", rows.len()));
    }
}

/// The number a browse page gives in its lead line: "6 enterprises."
fn browse_count(site: &Path, page: &str) -> Option<usize> {
    let html = std::fs::read_to_string(site.join(page).join("index.html")).ok()?;
    let lead = html.split("<p class=\"lead\">").nth(1)?;
    lead.split_whitespace().next()?.parse().ok()
}

#[test]
fn the_report_counts_what_the_browse_pages_count_and_marks_gaps_in_words() {
    let (dir, content) = demo();
    std::fs::write(content.join("enterprises/new-neighbours.md"), NEW_LISTING).expect("add");
    let output = dir.path().join("output");
    build(&content, &output);
    let built = snapshot(&output);
    let report = dir.path().join("westmoor-report.html");
    let out = westmoor_report(&report, &content);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = read(&report);
    // The same bytes each run.
    let again = dir.path().join("again.html");
    westmoor_report(&again, &content);
    assert_eq!(read(&again), html);

    assert!(
        !html.contains("<script"),
        "a listing's name ran as a script"
    );
    assert!(
        !html.contains("src=\"http"),
        "nothing is loaded from elsewhere"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains(">gap</td>"));
    assert!(
        html.contains("not in a git repository"),
        "growth without git is explained"
    );

    let page = scraper::Html::parse_document(&html);
    let site = output.join("westmoor");
    let sel = |s: &str| scraper::Selector::parse(s).expect("selector");
    let number = |cell: scraper::ElementRef| -> usize {
        let text: String = cell.text().collect();
        if text.trim() == "gap" {
            0
        } else {
            text.split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("not a count: {text}"))
        }
    };
    let mut compared = 0;
    for (table, row_url) in [
        ("#support-town-caption", "support/"),
        ("#support-district-caption", "support/"),
        ("#who-town-caption", "for/"),
    ] {
        let caption = page.select(&sel(table)).next().expect("table");
        let table = scraper::ElementRef::wrap(caption.parent().expect("table")).expect("element");
        let heads: Vec<String> = table
            .select(&sel("thead th"))
            .map(|h| h.text().collect::<String>())
            .collect();
        for row in table.select(&sel("tbody tr")) {
            let label: String = row.select(&sel("th")).next().expect("th").text().collect();
            let cells: Vec<scraper::ElementRef> = row.select(&sel("td")).collect();
            let total = number(*cells.last().expect("total"));
            let url = format!(
                "{row_url}{}/",
                label.to_lowercase().replace([' ', '_'], "-")
            );
            let browse = browse_count(&site, &url).unwrap_or(0);
            assert_eq!(total, browse, "{url}");
            // A row's cells never count more than the row.
            assert!(cells.iter().all(|c| number(*c) <= total));
            compared += 1;
        }
        let totals: Vec<usize> = table
            .select(&sel("tfoot td"))
            .map(|c| {
                if c.text().collect::<String>().trim().is_empty() {
                    usize::MAX
                } else {
                    number(c)
                }
            })
            .collect();
        for (place, total) in heads[1..heads.len() - 1].iter().zip(&totals) {
            let url = format!("areas/{}/", place.to_lowercase());
            assert_eq!(Some(*total), browse_count(&site, &url).or(Some(0)), "{url}");
            compared += 1;
        }
    }
    assert!(compared > 40, "{compared}");
    // A gap the demo has: nobody offers shopping help in Dulverton, and the new listing
    // is the only shopping help in Williton.
    let support = page
        .select(&sel("#support-town-caption"))
        .next()
        .expect("table");
    let table = scraper::ElementRef::wrap(support.parent().expect("table")).expect("element");
    let shopping = table
        .select(&sel("tbody tr"))
        .find(|r| r.text().collect::<String>().starts_with("Shopping"))
        .expect("shopping row");
    let cells: Vec<String> = shopping
        .select(&sel("td"))
        .map(|c| c.text().collect())
        .collect();
    assert!(cells.iter().any(|c| c == "gap"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "1 (1 new)"), "{cells:?}");

    // Evidence lapsing in the next 90 days: Watchet Walkies' insurance, 31 January 2027.
    assert!(html.contains("<td>2027-01-31</td><th scope=\"row\">Watchet Walkies</th>"));
    assert_eq!(snapshot(&output), built);

    // Never inside a council's public site.
    let inside = site.join("report.html").display().to_string();
    let out = run(
        &[
            "report",
            "--council",
            "westmoor",
            "--today",
            TODAY,
            "--out",
            &inside,
        ],
        &[("--content", &content), ("--output", &output)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(snapshot(&output), built);
}

#[test]
fn the_report_shows_growth_from_git_history() {
    if !git_available() {
        eprintln!("git is not installed: skipping the growth test");
        return;
    }
    let (dir, content) = committed_demo();
    let report = dir.path().join("r.html");
    let out = westmoor_report(&report, &content);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = read(&report);
    // Every listing on the site arrived in September 2026 (the commit's date).
    let published = json_diff(&["--today", TODAY], &content)["councils"][0]["published_after"]
        .as_u64()
        .expect("count");
    assert!(
        html.contains(&format!(
            "<tr><th scope=\"row\">2026-09</th><td class=\"n\">{published}</td><td class=\"n\">{published}</td></tr>"
        )),
        "{html}"
    );
    assert!(html.contains("<tr><th scope=\"row\">2026-11</th><td class=\"n\">0</td>"));
    assert!(html.contains("<title id=\"growth-title\">"));
    assert!(html.contains("<svg role=\"img\" aria-labelledby=\"growth-title growth-desc\""));
}

#[test]
fn content_with_errors_a_foreign_or_old_output_folder_each_give_one_message() {
    let (dir, content) = demo();
    let output = dir.path().join("output");
    build(&content, &output);
    let built = snapshot(&output);
    let published = output.display().to_string();
    let one_message = |out: &Output, code: i32, words: &str| {
        let message = stderr(out);
        assert_eq!(out.status.code(), Some(code), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.contains(words), "{words}: {message}");
        assert!(stdout(out).is_empty());
    };

    // Another council's output folder.
    let (other, _) = {
        let dir = tempfile::tempdir().expect("tempdir");
        let fixture = dir.path().join("content");
        copy_dir(&repo().join("tests/fixtures/basic"), &fixture);
        let out = dir.path().join("output");
        build(&fixture, &out);
        (dir, fixture)
    };
    let foreign = other.path().join("output");
    let out = carepages(
        &[
            "diff",
            "--today",
            TODAY,
            "--published",
            &foreign.display().to_string(),
        ],
        &content,
    );
    one_message(&out, 1, "another council's output folder");
    let out = carepages(
        &[
            "diff",
            "--today",
            TODAY,
            "--published",
            &foreign.join("testshire").display().to_string(),
        ],
        &content,
    );
    one_message(&out, 1, "is the site of the council \"testshire\"");

    // A site built by an older carepages, without a manifest.
    std::fs::remove_file(output.join("westmoor/carepages-manifest.json")).expect("remove");
    let built_old = snapshot(&output);
    let out = carepages(
        &["diff", "--today", TODAY, "--published", &published],
        &content,
    );
    one_message(&out, 1, "build it again with this version");
    assert_eq!(snapshot(&output), built_old);

    // Content with errors.
    edit(
        &content,
        "watchet-walkies.md",
        "councils: [westmoor]",
        "councils: [nowhere]",
    );
    for args in [
        vec!["diff", "--today", TODAY, "--published", &published],
        vec!["calendar", "--council", "westmoor", "--today", TODAY],
        vec!["export", "--council", "westmoor", "--today", TODAY],
    ] {
        let out = carepages(&args, &content);
        one_message(&out, 1, "problem(s) to fix first");
    }
    // A council that does not exist is a usage error.
    edit(
        &content,
        "watchet-walkies.md",
        "councils: [nowhere]",
        "councils: [westmoor]",
    );
    let out = carepages(
        &["calendar", "--council", "atlantis", "--today", TODAY],
        &content,
    );
    one_message(&out, 2, "there is no council called \"atlantis\"");
    assert_eq!(snapshot(&output), built_old);
    let _ = built;
}

#[test]
fn the_pull_request_workflow_puts_the_diff_on_the_summary_page() {
    if !git_available() || Command::new("sh").arg("-c").arg("true").output().is_err() {
        eprintln!("git or sh is not installed: skipping the workflow test");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let repo_dir = dir.path().join("westmoor-care");
    let out = Command::new(env!("CARGO_BIN_EXE_carepages"))
        .args(["init", "--council", "Westmoor Council", "--id", "westmoor"])
        .arg(&repo_dir)
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", stderr(&out));
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&read(&repo_dir.join(".github/workflows/check.yml")))
            .expect("the workflow is YAML");
    let steps = workflow["jobs"]["check"]["steps"]
        .as_sequence()
        .expect("steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let check = runs
        .iter()
        .position(|r| r.contains("carepages check --format github"))
        .expect("check step");
    let diff = runs
        .iter()
        .position(|r| r.contains("carepages diff"))
        .expect("diff step");
    assert!(check < diff, "the annotations come first");
    let diff_step = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("carepages diff"))
        })
        .expect("diff step");
    assert_eq!(diff_step["if"].as_str(), Some("success() || failure()"));

    // The step as GitHub runs it, on a pull request that adds a listing to main.
    git(&repo_dir, &["init", "-q", "-b", "main"]);
    git(&repo_dir, &["add", "-A"]);
    git(&repo_dir, &["commit", "-q", "-m", "start"]);
    git(&repo_dir, &["checkout", "-q", "-b", "new-listing"]);
    let example = read(&repo_dir.join("content/enterprises/example-companions.md"));
    std::fs::write(
        repo_dir.join("content/enterprises/second-companions.md"),
        example.replace("name: Example Companions", "name: Second | Companions"),
    )
    .expect("write");
    git(&repo_dir, &["add", "-A"]);
    git(&repo_dir, &["commit", "-q", "-m", "add"]);
    // The checkout GitHub makes has the base branch as origin's.
    git(
        &repo_dir,
        &["update-ref", "refs/remotes/origin/main", "main"],
    );
    let summary = dir.path().join("summary.md");
    let script = runs[diff].replace("carepages diff", "\"$CAREPAGES\" diff");
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(&repo_dir)
        .env("CAREPAGES", env!("CARGO_BIN_EXE_carepages"))
        .env("BASE", "main")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{}", stderr(&out));
    let markdown = read(&summary);
    assert!(markdown.contains("#### Will appear (1)"), "{markdown}");
    assert!(
        markdown.contains("| Second &#124; Companions |"),
        "{markdown}"
    );
}
