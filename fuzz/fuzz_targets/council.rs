//! Fuzz a council's settings file through checking and rendering a one-listing site. Any
//! panic is a bug; so is a page with a script element other than the site's own two (the
//! search script and the listing's JSON-LD, whose text may hold no `<`), or an XML file with
//! a control character.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The first script element in `html` that the site did not put there itself.
fn foreign_script(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        let json_ld = tag == "<script type=application/ld+json>";
        let search = tag.starts_with("<script src=\"")
            && tag.contains("assets/search.")
            && tag.ends_with(".js\" defer>");
        if !json_ld && !search {
            return Some(tag.to_owned());
        }
        let after = &rest[end..];
        let close = after.find("</script>").unwrap_or(after.len());
        if json_ld && after[..close].contains('<') {
            return Some(format!("JSON-LD holding markup: {}", &after[..close]));
        }
        rest = &after[close..];
        if rest.starts_with("</script>") {
            rest = &rest["</script>".len()..];
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    for (path, text) in carepages::fuzzing::council(data) {
        if path.ends_with(".html") || path.ends_with(".svg") {
            if let Some(found) = foreign_script(&text) {
                panic!("{path} has a script the site did not write: {found}");
            }
        }
        if path.ends_with(".xml") {
            assert!(
                !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
                "{path} has a control character"
            );
        }
    }
});
