//! End-to-end: what the README promises on the bundled demo. Every `carepages search`
//! example finds something, and the example listing is published as the README says.

mod common;
use common::*;

/// The README's code blocks' lines that start with `prefix`.
fn readme_commands(prefix: &str) -> Vec<String> {
    read(&repo().join("README.md"))
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with(prefix))
        .map(|l| l.split(" #").next().unwrap_or(l).trim().to_string())
        .collect()
}

#[test]
fn every_search_example_in_the_readme_finds_something_on_the_demo() {
    let (dir, content) = built_demo();
    let output = dir.path().join("output");
    let examples = readme_commands("carepages search ");
    assert!(examples.len() >= 2, "{examples:?}");
    for example in &examples {
        let mut args: Vec<&str> = example.split_whitespace().skip(1).collect();
        if !args.contains(&"--json") {
            args.push("--json");
        }
        let out = run(&args, &[("--output", &output), ("--content", &content)]);
        assert!(out.status.success(), "{example}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let hits = json["hits"].as_array().map_or(0, Vec::len);
        assert!(hits > 0, "{example} finds nothing on the demo");
    }
}

#[test]
fn the_readme_example_listing_is_published() {
    let readme = read(&repo().join("README.md"));
    let start = readme
        .find("```markdown\n---\nname: Quantock Kindly Hands")
        .expect("example");
    let block = &readme[start + "```markdown\n".len()..];
    let listing = &block[..block.find("```").expect("end")];
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    copy_dir(&repo().join("content"), &content);
    std::fs::write(content.join("enterprises/readme-example.md"), listing).expect("write");
    let out = run(
        &["check", "--today", TODAY, "--format", "json"],
        &[("--content", &content)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let problems: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| {
            d["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("readme-example.md"))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
}
