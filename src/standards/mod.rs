//! standards: decides what may be published. It checks every file against the schemas in
//! the content folder, adds the checks a schema cannot express (councils that exist, areas a
//! council covers, duplicate listings), and applies the consent and status rules that
//! withhold a listing, judged on the day given. It never renders anything.

mod checks;
mod profile;
pub mod report;
mod schema;
pub mod settings;

pub use profile::{
    DueDate, Finding, ProfileError, StandardsProfile, DEFAULT_PROFILE, DEFAULT_PROFILE_NAME,
};
pub use schema::{Schema, SchemaError, DEFAULT_COUNCIL_SCHEMA, DEFAULT_LISTING_SCHEMA};

use crate::content::{Content, CouncilSettings, FrontMatter, ListingFile, PathStep};
use crate::diagnostic::{self, Diagnostic};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// A council whose settings passed the checks.
#[derive(Debug, Clone)]
pub struct Council {
    pub id: String,
    pub settings: CouncilSettings,
    pub file: PathBuf,
    /// Where `theme:` is written, to point at it when the theme does not exist.
    pub theme_position: (usize, usize),
    /// Where each of `languages:` is written (or the file's start), for a language the
    /// theme has no words in.
    pub language_positions: Vec<(usize, usize)>,
    /// The council's logo, read and made safe to publish.
    pub logo: Option<settings::Logo>,
}

/// A listing whose front matter passed the checks, with the decision on publishing it.
#[derive(Debug, Clone)]
pub struct Listing {
    pub slug: String,
    /// A stable UUID: the one in the file, or one made from the slug.
    pub id: String,
    pub front: FrontMatter,
    pub body: String,
    pub file: PathBuf,
    /// For each council the listing names, whether that council's site shows it.
    pub decisions: BTreeMap<String, Decision>,
    /// A hash of the file's text, to tell whether it changed between two builds.
    pub fingerprint: u64,
    /// The name in lower case: lists are in this order.
    pub name_key: String,
    /// The body's words without markup, made on first use: the search index and the Open
    /// Referral feed both need them.
    body_text: std::sync::OnceLock<String>,
}

/// Whether residents see a listing on one council's site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Published,
    /// Kept off the site, with the reasons in plain English.
    Withheld(Vec<String>),
}

impl Listing {
    /// The body as plain text (see [`crate::content::markdown::to_plain_text`]).
    pub fn body_text(&self) -> &str {
        self.body_text
            .get_or_init(|| crate::content::markdown::to_plain_text(&self.body))
    }

    /// Shown on at least one council's site.
    pub fn is_published(&self) -> bool {
        self.decisions.values().any(|d| *d == Decision::Published)
    }

    pub fn is_published_on(&self, council: &str) -> bool {
        self.decisions.get(council) == Some(&Decision::Published)
    }
}

/// Everything the later stages may rely on: checked councils and listings.
#[derive(Debug, Default)]
pub struct Directory {
    pub councils: Vec<Council>,
    pub listings: Vec<Listing>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Directory {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The published listings a council's site shows, in name order.
    pub fn published_for<'a>(&'a self, council: &str) -> Vec<&'a Listing> {
        let mut list: Vec<&Listing> = self
            .listings
            .iter()
            .filter(|l| l.is_published_on(council))
            .collect();
        in_name_order(&mut list);
        list
    }
}

/// Puts listings in the order every list on a site shows them: by name, then file name.
pub fn in_name_order(list: &mut [&Listing]) {
    list.sort_by(|a, b| (&a.name_key, &a.slug).cmp(&(&b.name_key, &b.slug)));
}

/// The schemas a content folder is checked against, and the day the date rules are
/// judged on. Standards profiles are loaded per council during validation.
pub struct Rules {
    pub listing_schema: Schema,
    pub council_schema: Schema,
    pub content_root: PathBuf,
    pub today: time::Date,
}

/// The schemas or a standards profile could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

impl Rules {
    pub fn load(content_root: &std::path::Path, today: time::Date) -> Result<Rules, RulesError> {
        Ok(Rules {
            listing_schema: Schema::load(
                content_root,
                "enterprise.schema.json",
                DEFAULT_LISTING_SCHEMA,
                "a listing",
            )?,
            council_schema: Schema::load(
                content_root,
                "council.schema.json",
                DEFAULT_COUNCIL_SCHEMA,
                "a council's settings",
            )?,
            content_root: content_root.to_path_buf(),
            today,
        })
    }
}

/// Loads each standards profile the councils name, once. A council naming a profile that
/// does not exist is reported on its `standards_profile:` line.
fn load_profiles(
    rules: &Rules,
    councils: &[Council],
    sources: &HashMap<&str, &crate::content::SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, StandardsProfile> {
    let mut profiles = BTreeMap::new();
    for council in councils {
        let name = council.profile_name();
        if profiles.contains_key(name) {
            continue;
        }
        let (line, col) = sources
            .get(council.id.as_str())
            .map(|s| s.locate(&[PathStep::Key("standards_profile".into())], false))
            .unwrap_or((1, 1));
        let on_setting = |code, message: String, help: String| {
            Diagnostic::error(&council.file, code, message)
                .field("standards_profile")
                .at(line, col)
                .help(help)
        };
        use crate::content::files::{Refusal, TextRefusal};
        match StandardsProfile::load(&rules.content_root, name) {
            Ok(p) => {
                profiles.insert(name.to_string(), p);
            }
            Err(ProfileError::BadName { .. }) => diagnostics.push(on_setting(
                "unknown-profile",
                "This is not the name of a standards profile.".into(),
                "Give the name of a file in content/standards/ without `.yaml`, such as doing-it-right.".into(),
            )),
            Err(ProfileError::Read {
                why: TextRefusal::Refused(Refusal::Missing),
                ..
            }) => diagnostics.push(on_setting(
                "unknown-profile",
                format!("There is no standards profile called `{name}`."),
                format!("Add content/standards/{name}.yaml (copy doing-it-right.yaml as a start), or remove this line to use the default profile."),
            )),
            Err(ProfileError::Read { path, why }) => diagnostics.push(on_setting(
                "profile-refused",
                format!("The standards profile {path} was not read: {why}."),
                "Keep the profile as an ordinary UTF-8 file of at most 256 KB inside content/standards/, not a link to a file elsewhere.".into(),
            )),
            Err(ProfileError::Invalid {
                path,
                line,
                column,
                message,
            }) => diagnostics.push(
                Diagnostic::error(
                    PathBuf::from(&path),
                    "invalid-profile",
                    format!("This standards profile could not be read: {message}."),
                )
                .at(line, column)
                .help("Compare it with content/standards/doing-it-right.yaml: each setting is `name: value`, and only the settings it uses are allowed."),
            ),
        }
    }
    profiles
}

impl Council {
    pub fn profile_name(&self) -> &str {
        self.settings
            .standards_profile
            .as_deref()
            .unwrap_or(DEFAULT_PROFILE_NAME)
    }
}

/// Checks everything that was read and decides what is published.
pub fn validate(content: Content, rules: &Rules) -> Result<Directory, RulesError> {
    Ok(validate_keeping_checker(content, rules)?.0)
}

/// As [`validate`], also returning the checker, so that the preview can check a changed
/// listing again without reading and checking every other file.
pub fn validate_keeping_checker(
    content: Content,
    rules: &Rules,
) -> Result<(Directory, Checker), RulesError> {
    let mut diagnostics = content.diagnostics;

    let mut councils = Vec::new();
    // Councils whose settings have errors of their own: listings naming them are not
    // told the council does not exist.
    let mut broken = Vec::new();
    for file in &content.councils {
        let problems = rules.council_schema.check(&file.source, &file.data);
        if !problems.is_empty() {
            diagnostics.extend(problems);
            broken.push(file.id.clone());
            continue;
        }
        match serde_json::from_value::<CouncilSettings>(file.data.clone()) {
            Ok(mut settings) => {
                for area in &mut settings.areas {
                    for d in &mut area.postcode_districts {
                        *d = d.to_uppercase();
                    }
                }
                let (logo, problems) =
                    settings::check(&file.source, &settings, &rules.content_root);
                if !problems.is_empty() {
                    diagnostics.extend(problems);
                    broken.push(file.id.clone());
                    continue;
                }
                diagnostics.extend(settings::go_live_todo(&file.source, &settings, rules.today));
                let language_positions = (0..settings.languages.len().max(1))
                    .map(|i| {
                        file.source.locate(
                            &[PathStep::Key("languages".into()), PathStep::Index(i)],
                            false,
                        )
                    })
                    .collect();
                councils.push(Council {
                    id: file.id.clone(),
                    settings,
                    file: file.source.path.clone(),
                    theme_position: file.source.locate(&[PathStep::Key("theme".into())], false),
                    language_positions,
                    logo,
                })
            }
            Err(e) => {
                broken.push(file.id.clone());
                diagnostics.push(Diagnostic::error(&file.source.path, "schema-mismatch", format!("These settings passed the schema but could not be read: {e}.")).help("The schema in content/schema/ allows something carepages cannot use; check it against the built-in one."))
            }
        }
    }
    // Council files that could not even be read or parsed.
    broken.extend(
        diagnostics
            .iter()
            .filter(|d| d.is_error() && d.file.starts_with("councils"))
            .filter_map(|d| Some(d.file.file_stem()?.to_string_lossy().into_owned())),
    );

    let sources: HashMap<&str, &crate::content::SourceFile> = content
        .councils
        .iter()
        .map(|c| (c.id.as_str(), &c.source))
        .collect();
    let profiles = load_profiles(rules, &councils, &sources, &mut diagnostics);
    let checker = Checker {
        councils: councils.clone(),
        profiles,
        broken,
    };
    let checked: Vec<(Option<Listing>, Vec<Diagnostic>)> = content
        .listings
        .into_par_iter()
        .map(|file| checker.check(file, rules))
        .collect();
    let mut listings = Vec::new();
    for (listing, problems) in checked {
        diagnostics.extend(problems);
        listings.extend(listing);
    }
    find_duplicates(&listings, &mut diagnostics);
    diagnostic::sort(&mut diagnostics);
    Ok((
        Directory {
            councils,
            listings,
            diagnostics,
        },
        checker,
    ))
}

/// The councils and standards profiles listings are checked against.
pub struct Checker {
    councils: Vec<Council>,
    profiles: BTreeMap<String, StandardsProfile>,
    /// Councils whose own settings have errors.
    broken: Vec<String>,
}

impl Checker {
    /// Checks one listing file: its schema, councils and areas, evidence, privacy, and the
    /// decision on publishing it for each council. `None` when it has errors.
    pub fn check(&self, file: ListingFile, rules: &Rules) -> (Option<Listing>, Vec<Diagnostic>) {
        let problems = rules.listing_schema.check(&file.source, &file.data);
        if !problems.is_empty() {
            return (None, problems);
        }
        let mut front = match <FrontMatter as serde::Deserialize>::deserialize(&file.data) {
            Ok(front) => front,
            Err(e) => return (None, vec![Diagnostic::error(&file.source.path, "schema-mismatch", format!("This listing passed the schema but could not be read: {e}.")).help("The schema in content/schema/ allows something carepages cannot use; check it against the built-in one.")]),
        };
        for d in &mut front.service_area.postcode_districts {
            *d = d.to_uppercase();
        }
        let council_index: rustc_hash::FxHashMap<&str, &Council> =
            self.councils.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut problems = Vec::new();
        check_councils_and_areas(
            &file.source,
            &front,
            &council_index,
            &self.broken,
            &mut problems,
        );
        checks::check_listing(&file.source, &front, &rules.content_root, &mut problems);
        checks::check_privacy(
            &file.source,
            &file.data,
            &front,
            &file.body,
            file.body_line,
            &mut problems,
        );
        if problems.iter().any(Diagnostic::is_error) {
            return (None, problems);
        }
        let id = front
            .id
            .clone()
            .map(|id| id.to_lowercase())
            .unwrap_or_else(|| id_from_slug(&file.slug));
        let decisions = decide(
            &file.source,
            &front,
            &council_index,
            &self.profiles,
            rules.today,
            &mut problems,
        );
        checks::open_data_gaps(&file.source, &front, rules.today, &mut problems);
        let welsh_councils: Vec<&str> = front
            .councils
            .iter()
            .filter_map(|id| council_index.get(id.as_str()))
            .filter(|c| c.settings.publishes_in("cy"))
            .map(|c| c.settings.name.as_str())
            .collect();
        checks::welsh_gaps(&file.source, &front, &welsh_councils, &mut problems);
        let fingerprint = fingerprint(&file.source.path, &file.source.text);
        let name_key = front.name.to_lowercase();
        let listing = Listing {
            name_key,
            slug: file.slug,
            id,
            front,
            body: file.body,
            file: file.source.path,
            decisions,
            fingerprint,
            body_text: Default::default(),
        };
        (Some(listing), problems)
    }
}

/// A hash of a listing file's name and text: the same file always gives the same listing,
/// so the preview can tell which listings changed without comparing them field by field.
fn fingerprint(file: &std::path::Path, text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (file, text).hash(&mut hasher);
    hasher.finish()
}

impl Directory {
    /// Puts what was read from the listing file `file` (relative to the content folder) in
    /// place of what the directory had from it: the checked listing, if any, and its
    /// problems. `None` means the file is gone. Duplicate names are checked again.
    pub fn replace_file(
        &mut self,
        file: &std::path::Path,
        checked: Option<(Option<Listing>, Vec<Diagnostic>)>,
    ) {
        self.diagnostics
            .retain(|d| d.file != file && !matches!(d.code, "duplicate-slug" | "duplicate-id"));
        let (listing, problems) = checked.unwrap_or_default();
        self.diagnostics.extend(problems);
        // Listings are kept in file order, as they were read.
        let at = self.listings.partition_point(|l| l.file.as_path() < file);
        let there = self.listings.get(at).is_some_and(|l| l.file == file);
        match (listing, there) {
            (Some(listing), true) => self.listings[at] = listing,
            (Some(listing), false) => self.listings.insert(at, listing),
            (None, true) => {
                self.listings.remove(at);
            }
            (None, false) => {}
        }
        find_duplicates(&self.listings, &mut self.diagnostics);
        diagnostic::sort(&mut self.diagnostics);
    }
}

/// A UUID that stays the same as long as the file name does.
pub fn id_from_slug(slug: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5a1e_c0de_6361_7265_7061_6765_7300_0001);
    uuid::Uuid::new_v5(&NAMESPACE, slug.as_bytes()).to_string()
}

/// Applies each listed council's standards profile. Findings become warnings on the
/// listing's lines (reported once per profile); withholding findings keep it off that site.
fn decide(
    source: &crate::content::SourceFile,
    front: &FrontMatter,
    councils: &rustc_hash::FxHashMap<&str, &Council>,
    profiles: &BTreeMap<String, StandardsProfile>,
    today: time::Date,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Decision> {
    let mut by_profile: BTreeMap<&str, Vec<Finding>> = BTreeMap::new();
    let mut decisions = BTreeMap::new();
    for id in &front.councils {
        let Some(council) = councils.get(id.as_str()) else {
            continue;
        };
        let Some(profile) = profiles.get(council.profile_name()) else {
            continue;
        };
        let findings = by_profile.entry(council.profile_name()).or_insert_with(|| {
            let findings = profile.assess(front, today);
            for f in &findings {
                let (line, col) = source.locate(&f.path, false);
                let message = if f.withholds {
                    format!("Withheld: {}", f.message)
                } else {
                    f.message.clone()
                };
                diagnostics.push(
                    Diagnostic::warning(&source.path, f.code, message)
                        .field(crate::content::dotted(&f.path))
                        .at(line, col)
                        .help(f.help.clone()),
                );
            }
            findings
        });
        let reasons: Vec<String> = findings
            .iter()
            .filter(|f| f.withholds)
            .map(|f| f.message.clone())
            .collect();
        let decision = if reasons.is_empty() {
            Decision::Published
        } else {
            Decision::Withheld(reasons)
        };
        decisions.insert(id.clone(), decision);
    }
    decisions
}

fn check_councils_and_areas(
    source: &crate::content::SourceFile,
    front: &FrontMatter,
    councils: &rustc_hash::FxHashMap<&str, &Council>,
    broken: &[String],
    out: &mut Vec<Diagnostic>,
) {
    for (i, id) in front.councils.iter().enumerate() {
        let path = [PathStep::Key("councils".into()), PathStep::Index(i)];
        // A council whose settings have errors exists: its own file is reported.
        if councils.contains_key(id.as_str()) || broken.contains(id) {
            continue;
        }
        let (line, col) = source.locate(&path, false);
        let help = match diagnostic::did_you_mean(id, councils.keys().copied()) {
            Some(close) => format!(
                "Did you mean `{close}`? Councils are named after the files in content/councils/."
            ),
            None => format!(
                "Use the name of a file in content/councils/ without .yaml. Known councils: {}.",
                sorted_keys(councils)
            ),
        };
        out.push(
            Diagnostic::error(
                &source.path,
                "unknown-council",
                format!("There is no council called `{id}`."),
            )
            .field(crate::content::dotted(&path))
            .at(line, col)
            .help(help),
        );
    }
    let listed: Vec<&Council> = front
        .councils
        .iter()
        .filter_map(|c| councils.get(c.as_str()).copied())
        .collect();
    let with_areas: Vec<&&Council> = listed
        .iter()
        .filter(|c| !c.settings.areas.is_empty())
        .collect();
    if with_areas.is_empty() {
        return;
    }
    for (i, town) in front.service_area.towns.iter().enumerate() {
        // By its English or its Welsh name.
        let covered = with_areas.iter().any(|c| c.settings.area(town).is_some());
        if !covered {
            let path = [
                PathStep::Key("service_area".into()),
                PathStep::Key("towns".into()),
                PathStep::Index(i),
            ];
            let towns: Vec<&str> = with_areas
                .iter()
                .flat_map(|c| {
                    c.settings
                        .areas
                        .iter()
                        .flat_map(|a| std::iter::once(a.town.as_str()).chain(a.welsh.as_deref()))
                })
                .collect();
            let (line, col) = source.locate(&path, false);
            let help = match diagnostic::did_you_mean(town, towns.iter().copied()) {
                Some(close) => format!("Did you mean `{close}`? Towns must be ones the council covers."),
                None => format!("Use a town the council covers: {}. If the council now covers it, add it to the council's areas.", towns.join(", ")),
            };
            out.push(
                Diagnostic::error(
                    &source.path,
                    "town-not-covered",
                    format!("`{town}` is not a town covered by {}.", names(&with_areas)),
                )
                .field(crate::content::dotted(&path))
                .at(line, col)
                .help(help),
            );
        }
    }
    for (i, district) in front.service_area.postcode_districts.iter().enumerate() {
        let covered = with_areas.iter().any(|c| {
            c.settings
                .areas
                .iter()
                .any(|a| a.postcode_districts.iter().any(|d| d == district))
        });
        if !covered {
            let path = [
                PathStep::Key("service_area".into()),
                PathStep::Key("postcode_districts".into()),
                PathStep::Index(i),
            ];
            let all: Vec<&str> = with_areas
                .iter()
                .flat_map(|c| {
                    c.settings
                        .areas
                        .iter()
                        .flat_map(|a| a.postcode_districts.iter().map(String::as_str))
                })
                .collect();
            let (line, col) = source.locate(&path, false);
            out.push(
                Diagnostic::error(
                    &source.path,
                    "district-not-covered",
                    format!(
                        "`{district}` is not a postcode district covered by {}.",
                        names(&with_areas)
                    ),
                )
                .field(crate::content::dotted(&path))
                .at(line, col)
                .help(format!(
                    "Use a district the council covers: {}.",
                    all.join(", ")
                )),
            );
        }
    }
}

fn names(councils: &[&&Council]) -> String {
    councils
        .iter()
        .map(|c| c.settings.name.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn sorted_keys(councils: &rustc_hash::FxHashMap<&str, &Council>) -> String {
    let mut keys: Vec<&str> = councils.keys().copied().collect();
    keys.sort_unstable();
    keys.join(", ")
}

/// Two listings may not share a slug (their pages would overwrite each other) or an id.
fn find_duplicates(listings: &[Listing], out: &mut Vec<Diagnostic>) {
    // Sorted, equal keys are side by side; the report comes out in the same order each time.
    fn shared(listings: &[Listing], key: fn(&Listing) -> &str) -> Vec<(&str, Vec<&Listing>)> {
        let mut keyed: Vec<(&str, &Listing)> = listings.iter().map(|l| (key(l), l)).collect();
        keyed.sort_unstable_by_key(|(k, l)| (*k, &l.file));
        keyed
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
            .map(|run| (run[0].0, run.iter().map(|(_, l)| *l).collect()))
            .collect()
    }
    for (slug, group) in shared(listings, |l| &l.slug) {
        for l in &group {
            let others: Vec<String> = group
                .iter()
                .filter(|o| o.file != l.file)
                .map(|o| o.file.display().to_string())
                .collect();
            out.push(Diagnostic::error(&l.file, "duplicate-slug", format!("This file's web address (enterprises/{slug}/) is the same as that of {}.", others.join(", ")))
                .help("File names must differ by more than capital letters, spaces or punctuation. Rename one of the files."));
        }
    }
    for (id, group) in shared(listings, |l| &l.id) {
        if group.iter().all(|l| l.front.id.is_none()) {
            continue; // already reported as a duplicate slug
        }
        for l in &group {
            out.push(Diagnostic::error(&l.file, "duplicate-id", format!("The id {id} is used by more than one listing."))
                .field("id")
                .help("Each listing needs its own id. Delete the id line from the copy: one is made from the file name."));
        }
    }
}
