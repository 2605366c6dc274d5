//! Property: whatever a volunteer types into a listing's fields or description, nothing
//! reaches the page that a browser would run: no script element, no event handler, no
//! style, no link with a scheme other than http, https, mailto or tel.

mod common;
use common::active_content;
use proptest::prelude::*;

fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<script>alert(1)</script>".to_string()),
        Just("</script><script>alert(2)</script>".to_string()),
        Just("javascript:alert(3)".to_string()),
        Just("<img src=x onerror=alert(4)>".to_string()),
        Just("<a href=\"jav&#x09;ascript:alert(5)\">x</a>".to_string()),
        Just("[link](javascript:alert(6))".to_string()),
        Just("[link](JAVASCRIPT:alert(7))".to_string()),
        Just("<svg onload=alert(8)>".to_string()),
        Just("<iframe srcdoc=\"<script>alert(9)</script>\">".to_string()),
        Just("<p style=\"x:expression(alert(10))\">".to_string()),
        Just("\"'></title></textarea>".to_string()),
        Just("<!--".to_string()),
        Just("]]>".to_string()),
        Just("{{ site }}{% raw %}".to_string()),
        "[a-zA-Z0-9 <>\"'=:/&;#()\\[\\]!-]{0,16}",
    ];
    prop::collection::vec(piece, 1..8)
        .prop_map(move |parts| parts.concat().chars().take(max).collect())
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("json string")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_input_reaches_the_page_as_script(name in hostile_text(90), summary in hostile_text(250), first in hostile_text(30), note in hostile_text(150), body in hostile_text(2000)) {
        let listing = format!(
            "---\nname: {}\nsummary: {}\ncouncils: [fuzzshire]\nsupport_types: [companionship]\nwho_for: [older_people]\nservice_area: {{towns: [Anytown]}}\ncontact: {{first_name: {}, phone: \"07700 900123\"}}\ncost:\n  - {{amount: 10, unit: hour, description: {}}}\nstandards:\n  evidence:\n    - {{type: public_liability, expires: 2027-01-31}}\n    - {{type: dbs_enhanced, issued: 2025-10-15}}\n    - {{type: safeguarding_training, completed: 2025-09-20}}\nreview: {{last_checked: 2026-05-20}}\nconsent: {{publish: true}}\n---\n{}\n",
            quoted(&format!("N {name}")), quoted(&format!("A summary of the help: {summary}")), quoted(&format!("F{first}")), quoted(&note), body
        );
        let pages = carepages::fuzzing::listing(listing.as_bytes());
        prop_assert!(pages.iter().any(|(p, _)| p == "enterprises/fuzz/index.html"), "the listing did not publish: {listing}");
        for (path, html) in &pages {
            let found = active_content(html);
            prop_assert!(found.is_empty(), "{path}: {found:?}");
        }
    }
}
