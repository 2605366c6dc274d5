//! `carepages diff`: what the content will publish, compared with what is published now,
//! council by council: listings that will appear, disappear (and why), and change (which
//! fields, old and new). "Now" is a built output folder (its manifests), the content at a
//! git revision, or the same content judged today, so that a day ahead forecasts what
//! lapses. Written as text, JSON, or Markdown for a pull request.

use super::{checked, contact_line, long_date, one_line, OfficerError, Published};
use crate::publish::manifest::{Manifest, PublishedListing, MANIFEST_PATH};
use crate::standards::{Decision, Directory};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the content is compared with.
#[derive(Debug, Clone)]
pub enum Before {
    /// A built output folder (all councils' sites), or one council's site in it.
    Output(PathBuf),
    /// The content folder as it was at a git revision, judged on the same day.
    Revision(String),
    /// The same content, judged on `today` (the content is judged `ahead` days later).
    Today,
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub content: PathBuf,
    /// The day "now" is: the content at a revision, or the same content, is judged on it.
    pub today: time::Date,
    /// The content is judged this many days after `today`: a forecast.
    pub ahead: u32,
    pub before: Before,
    /// Only this council; all when `None`.
    pub council: Option<String>,
}

/// What will change, council by council.
#[derive(Debug, Serialize)]
pub struct Diff {
    /// The day the content was judged on (`today` plus `ahead`).
    pub judged_on: String,
    /// What it was compared with, in words.
    pub compared_with: String,
    pub councils: Vec<CouncilDiff>,
    /// Things the officer should know about the comparison itself.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CouncilDiff {
    pub id: String,
    pub name: String,
    pub published_before: usize,
    pub published_after: usize,
    pub appear: Vec<Appears>,
    pub disappear: Vec<Disappears>,
    pub change: Vec<Changes>,
    /// Listings naming the council that are withheld before and after.
    pub still_withheld: Vec<Disappears>,
}

#[derive(Debug, Serialize)]
pub struct Appears {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct Disappears {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// Why, in plain words: "The public liability insurance lapsed on 31 January 2027."
    pub why: Vec<String>,
    /// Whom to ask: the listing's contact, when the listing is still in the content.
    pub contact: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Changes {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl CouncilDiff {
    pub fn is_empty(&self) -> bool {
        self.appear.is_empty() && self.disappear.is_empty() && self.change.is_empty()
    }
}

/// Compares the content with what `opts.before` publishes.
pub fn diff(opts: &DiffOptions) -> Result<Diff, OfficerError> {
    let judged_on = super::days_after(opts.today, opts.ahead);
    let after = checked(&opts.content, judged_on)?;
    if let Some(id) = &opts.council {
        super::council(&after, id)?;
    }
    let mut notes = Vec::new();
    let mut only = opts.council.clone();
    let (compared_with, before) = match &opts.before {
        Before::Output(dir) => {
            let (described, before) = from_output(dir, &after, opts.council.as_deref())?;
            // One council's site: that council only.
            if dir.join(MANIFEST_PATH).is_file() {
                only = before.keys().next().cloned();
            }
            (described, before)
        }
        Before::Revision(rev) => from_revision(opts, rev, &mut notes)?,
        Before::Today => {
            let now = checked(&opts.content, opts.today)?;
            (
                format!("the same content on {}", long_date(opts.today)),
                published(&now),
            )
        }
    };
    let empty = BTreeMap::new();
    let mut councils = Vec::new();
    for c in after
        .councils
        .iter()
        .filter(|c| only.as_ref().is_none_or(|id| *id == c.id))
    {
        let then = before.get(&c.id).unwrap_or_else(|| {
            notes.push(format!(
                "{} ({}) has no site in what the content is compared with: every listing it publishes is new.",
                c.settings.name, c.id
            ));
            &empty
        });
        councils.push(compare(c, then, &after));
    }
    for id in before.keys() {
        if !after.councils.iter().any(|c| c.id == *id) && only.is_none() {
            notes.push(format!(
                "The council \"{id}\" is no longer in the content: its site would no longer be built."
            ));
        }
    }
    Ok(Diff {
        judged_on: judged_on.to_string(),
        compared_with,
        councils,
        notes,
    })
}

/// What each council's site shows from a checked directory.
pub fn published(directory: &Directory) -> Published {
    directory
        .councils
        .iter()
        .map(|c| {
            let listings = directory
                .published_for(&c.id)
                .into_iter()
                .map(|l| (l.id.clone(), PublishedListing::of(l)))
                .collect();
            (c.id.clone(), listings)
        })
        .collect()
}

/// What the sites in a built output folder publish, from their manifests. `dir` is the
/// output folder or one council's site in it.
fn from_output(
    dir: &Path,
    after: &Directory,
    only: Option<&str>,
) -> Result<(String, Published), OfficerError> {
    let refuse = |message: String| Err(OfficerError::Compare(message));
    if !dir.is_dir() {
        return refuse(format!(
            "the output folder {} does not exist; build the sites first, or compare with a git revision (--since)",
            dir.display()
        ));
    }
    let read = |site: &Path| Manifest::read(site).map_err(|e| OfficerError::Compare(e.to_string()));
    let known = |id: &str| after.councils.iter().any(|c| c.id == id);
    let ids: Vec<&str> = after
        .councils
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| only.is_none_or(|o| o == *id))
        .collect();
    let mut before = Published::new();
    let mut sources = Vec::new();
    if dir.join(MANIFEST_PATH).is_file() {
        // One council's site.
        let manifest = read(dir)?;
        if !known(&manifest.council) || only.is_some_and(|o| o != manifest.council) {
            return refuse(format!(
                "{} is the site of the council \"{}\", not of {}; give the output folder of these councils",
                dir.display(),
                manifest.council,
                ids.join(", ")
            ));
        }
        sources.push(describe(&manifest));
        before.insert(manifest.council.clone(), manifest.listings);
    } else {
        for id in &ids {
            let site = dir.join(id);
            if !site.is_dir() {
                continue;
            }
            let manifest = read(&site)?;
            if manifest.council != *id {
                return refuse(format!(
                    "{} holds the site of the council \"{}\", not of \"{id}\"; it was copied from another council's output folder",
                    site.display(),
                    manifest.council
                ));
            }
            sources.push(describe(&manifest));
            before.insert(manifest.council.clone(), manifest.listings);
        }
        if before.is_empty() {
            return refuse(format!(
                "{} holds no site of {}: it is another council's output folder, or the sites have not been built yet",
                dir.display(),
                ids.join(", ")
            ));
        }
    }
    Ok((
        format!("the sites in {} ({})", dir.display(), sources.join("; ")),
        before,
    ))
}

fn describe(m: &Manifest) -> String {
    format!(
        "{} built on {} by carepages {}",
        m.council, m.today, m.carepages
    )
}

/// What the content at a git revision publishes, judged on `opts.today`.
fn from_revision(
    opts: &DiffOptions,
    rev: &str,
    notes: &mut Vec<String>,
) -> Result<(String, Published), OfficerError> {
    let temp = tempfile::tempdir()
        .map_err(|e| OfficerError::Compare(format!("a temporary folder could not be made: {e}")))?;
    let (sha, folder) =
        super::git::content_at(&opts.content, rev, temp.path()).map_err(OfficerError::Compare)?;
    let short: String = sha.chars().take(12).collect();
    let described = format!(
        "the content at {} ({short}) on {}",
        one_line(rev),
        long_date(opts.today)
    );
    let Some(folder) = folder else {
        notes.push(format!(
            "The content folder did not exist at {}: every published listing is new.",
            one_line(rev)
        ));
        return Ok((described, Published::new()));
    };
    let before = crate::check(&folder, opts.today).map_err(|e| {
        OfficerError::Compare(format!(
            "the content at {} could not be read: {e}",
            one_line(rev)
        ))
    })?;
    let errors = before.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        notes.push(format!(
            "The content at {} had {errors} problem(s): a build would have stopped there, so what it published is counted without the listings that had problems.",
            one_line(rev)
        ));
    }
    Ok((described, published(&before)))
}

/// One council's changes: listings that appear, disappear and change.
fn compare(
    council: &crate::standards::Council,
    before: &BTreeMap<String, PublishedListing>,
    after: &Directory,
) -> CouncilDiff {
    let now: BTreeMap<String, PublishedListing> = after
        .published_for(&council.id)
        .into_iter()
        .map(|l| (l.id.clone(), PublishedListing::of(l)))
        .collect();
    let by_id: BTreeMap<&str, &crate::standards::Listing> =
        after.listings.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut diff = CouncilDiff {
        id: council.id.clone(),
        name: council.settings.name.clone(),
        published_before: before.len(),
        published_after: now.len(),
        appear: Vec::new(),
        disappear: Vec::new(),
        change: Vec::new(),
        still_withheld: Vec::new(),
    };
    for (id, new) in &now {
        match before.get(id) {
            None => diff.appear.push(Appears {
                id: id.clone(),
                slug: new.slug.clone(),
                name: new.name.clone(),
            }),
            Some(old) => {
                let fields = changed_fields(old, new);
                if !fields.is_empty() {
                    diff.change.push(Changes {
                        id: id.clone(),
                        slug: new.slug.clone(),
                        name: new.name.clone(),
                        fields,
                    });
                }
            }
        }
    }
    for (id, old) in before.iter().filter(|(id, _)| !now.contains_key(*id)) {
        let listing = by_id.get(id.as_str());
        let why = match listing.and_then(|l| l.decisions.get(&council.id)) {
            Some(Decision::Withheld(reasons)) => reasons.clone(),
            Some(Decision::Published) => Vec::new(),
            None if listing.is_some() => {
                vec![format!("The listing no longer names {}.", council.id)]
            }
            None => vec![format!(
                "The file enterprises/{}.md was removed (or renamed).",
                old.slug
            )],
        };
        diff.disappear.push(Disappears {
            id: id.clone(),
            slug: old.slug.clone(),
            name: old.name.clone(),
            why,
            contact: listing.map(|l| contact_line(&l.front)),
        });
    }
    for listing in super::listings_of(after, &council.id) {
        if let Some(Decision::Withheld(reasons)) = listing.decisions.get(&council.id) {
            if !before.contains_key(&listing.id) {
                diff.still_withheld.push(Disappears {
                    id: listing.id.clone(),
                    slug: listing.slug.clone(),
                    name: listing.front.name.clone(),
                    why: reasons.clone(),
                    contact: Some(contact_line(&listing.front)),
                });
            }
        }
    }
    let by_name = |a: &String, b: &String| a.to_lowercase().cmp(&b.to_lowercase());
    diff.appear.sort_by(|a, b| by_name(&a.name, &b.name));
    diff.disappear.sort_by(|a, b| by_name(&a.name, &b.name));
    diff.change.sort_by(|a, b| by_name(&a.name, &b.name));
    diff
}

fn changed_fields(old: &PublishedListing, new: &PublishedListing) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = old.fields.keys().chain(new.fields.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.fields.get(*k) != new.fields.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            old: old.fields.get(k).cloned(),
            new: new.fields.get(k).cloned(),
        })
        .collect()
}

/// The diff for people at a terminal.
pub fn text(diff: &Diff) -> String {
    let mut out = format!(
        "Compared with {}.\nThe content is judged on {}.\n",
        one_line(&diff.compared_with),
        diff.judged_on
    );
    for note in &diff.notes {
        out.push_str(&format!("Note: {}\n", one_line(note)));
    }
    for c in &diff.councils {
        out.push_str(&format!(
            "\n{} ({}): {} published now, {} after\n",
            one_line(&c.name),
            c.id,
            c.published_before,
            c.published_after
        ));
        if c.is_empty() {
            out.push_str("  No listing appears, disappears or changes.\n");
        }
        let page = |slug: &str| format!("enterprises/{}/", one_line(slug));
        if !c.appear.is_empty() {
            out.push_str(&format!("  Will appear ({}):\n", c.appear.len()));
            for a in &c.appear {
                out.push_str(&format!(
                    "    + {} ({})\n",
                    one_line(&a.name),
                    page(&a.slug)
                ));
            }
        }
        let gone = |out: &mut String, title: &str, list: &[Disappears]| {
            if list.is_empty() {
                return;
            }
            out.push_str(&format!("  {title} ({}):\n", list.len()));
            for d in list {
                out.push_str(&format!(
                    "    - {} ({})\n",
                    one_line(&d.name),
                    page(&d.slug)
                ));
                for why in &d.why {
                    out.push_str(&format!("        why: {}\n", one_line(why)));
                }
                if let Some(contact) = d.contact.as_deref().filter(|c| !c.is_empty()) {
                    out.push_str(&format!("        contact: {}\n", one_line(contact)));
                }
            }
        };
        gone(&mut out, "Will disappear", &c.disappear);
        if !c.change.is_empty() {
            out.push_str(&format!("  Will change ({}):\n", c.change.len()));
            for ch in &c.change {
                out.push_str(&format!(
                    "    ~ {} ({})\n",
                    one_line(&ch.name),
                    page(&ch.slug)
                ));
                for f in &ch.fields {
                    out.push_str(&format!(
                        "        {}: {} -> {}\n",
                        f.field,
                        shown(&f.old),
                        shown(&f.new)
                    ));
                }
            }
        }
        gone(&mut out, "Withheld, before and after", &c.still_withheld);
    }
    out
}

fn shown(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("\"{}\"", one_line(v)),
        None => "(none)".into(),
    }
}

/// The diff as JSON, for tools.
pub fn json(diff: &Diff) -> String {
    serde_json::to_string_pretty(diff).unwrap_or_default()
}

/// The diff as Markdown, for a pull request's comment or job summary. Every value from the
/// content is escaped, so a listing cannot break a table, add a link or mention anyone.
pub fn markdown(diff: &Diff) -> String {
    let mut out = String::from("## What this change publishes\n\n");
    out.push_str(&format!(
        "Compared with {}; the content is judged on {}.\n",
        md(&diff.compared_with),
        diff.judged_on
    ));
    for note in &diff.notes {
        out.push_str(&format!("\n> {}\n", md(note)));
    }
    for c in &diff.councils {
        out.push_str(&format!(
            "\n### {} ({})\n\n{} listings published now, {} after.",
            md(&c.name),
            md(&c.id),
            c.published_before,
            c.published_after
        ));
        if c.is_empty() {
            out.push_str(" No listing appears, disappears or changes.");
        }
        out.push('\n');
        if !c.appear.is_empty() {
            out.push_str(&format!(
                "\n#### Will appear ({})\n\n| Listing | Page |\n| --- | --- |\n",
                c.appear.len()
            ));
            for a in &c.appear {
                out.push_str(&format!(
                    "| {} | enterprises/{}/ |\n",
                    md(&a.name),
                    md(&a.slug)
                ));
            }
        }
        let gone = |out: &mut String, title: &str, list: &[Disappears]| {
            if list.is_empty() {
                return;
            }
            out.push_str(&format!(
                "\n#### {title} ({})\n\n| Listing | Why | Contact |\n| --- | --- | --- |\n",
                list.len()
            ));
            for d in list {
                let why: Vec<String> = d.why.iter().map(|w| md(w)).collect();
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    md(&d.name),
                    why.join("<br>"),
                    md(d.contact.as_deref().unwrap_or(""))
                ));
            }
        };
        gone(&mut out, "Will disappear", &c.disappear);
        if !c.change.is_empty() {
            out.push_str(&format!(
                "\n#### Will change ({})\n\n| Listing | Field | Was | Now |\n| --- | --- | --- | --- |\n",
                c.change.len()
            ));
            for ch in &c.change {
                for f in &ch.fields {
                    out.push_str(&format!(
                        "| {} | {} | {} | {} |\n",
                        md(&ch.name),
                        md(&f.field),
                        f.old.as_deref().map(md).unwrap_or_else(|| "(none)".into()),
                        f.new.as_deref().map(md).unwrap_or_else(|| "(none)".into()),
                    ));
                }
            }
        }
        gone(&mut out, "Withheld, before and after", &c.still_withheld);
    }
    out
}

/// Text made safe for one cell of a Markdown table: on one line, every character Markdown
/// or HTML gives a meaning to escaped, and `@` and `#` kept from mentioning people or
/// linking issues.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '{' | '}' | '!' | '~' | '+' | '-'
            | '.' | '"' | '\'' | ':' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '#' => {
                out.push(c);
                out.push('\u{200B}');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn markdown_cells_cannot_break_a_table_or_run_html() {
        let cell = md("A | B\n<script>alert(1)</script> [x](javascript:y) @team #1");
        assert!(!cell.contains('|') || cell.contains("&#124;"));
        assert!(!cell.contains('\n'));
        assert!(!cell.contains("<script"));
        assert!(cell.contains("\\[x\\]\\(javascript\\:y\\)"), "{cell}");
        assert!(cell.contains("@\u{200B}team"));
    }
}
