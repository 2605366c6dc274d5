//! carepages publishes local directories of community care micro-enterprises as static
//! sites, one per council, from one folder of Markdown listings.
//!
//! The pipeline, one module per stage; data flows one way:
//! `content::load` → `standards::validate` → `render::render_site` → `publish`; beside
//! the sites, `officer` reads the same checked directory for the council's officers.

pub mod content;
pub mod diagnostic;
#[doc(hidden)]
pub mod fuzzing;
pub mod officer;
pub mod publish;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod standards;
pub mod urls;

use diagnostic::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub content: PathBuf,
    pub themes: PathBuf,
    pub output: PathBuf,
    /// Only these councils; all when empty.
    pub councils: Vec<String>,
    /// The date every date rule is judged against.
    pub today: time::Date,
}

/// What a successful build did, for the one-line summary.
#[derive(Debug)]
pub struct BuildReport {
    pub councils: usize,
    pub published: usize,
    pub withheld: usize,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    pub timings: Timings,
    /// The parts of "render and write", summed over councils.
    pub render_parts: Timings,
}

/// How long each stage of a build took, for `--timings`.
#[derive(Debug, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    /// Runs `f` and returns what it made with how long it took.
    pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
        let started = Instant::now();
        let out = f();
        (out, started.elapsed())
    }

    fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let (out, took) = Self::timed(f);
        self.push(stage, took);
        out
    }

    pub fn push(&mut self, stage: &'static str, took: Duration) {
        self.0.push((stage, took));
    }

    /// Prints one line a stage, indented, to standard error.
    pub fn print(&self) {
        for (stage, took) in &self.0 {
            eprintln!("{:>9.1} ms    {stage}", took.as_secs_f64() * 1000.0);
        }
    }

    /// Adds `other`'s times to this one's, stage by stage (councils built one after another).
    pub fn add(&mut self, other: Timings) {
        for (stage, took) in other.0 {
            match self.0.iter_mut().find(|(s, _)| *s == stage) {
                Some((_, total)) => *total += took,
                None => self.0.push((stage, took)),
            }
        }
    }
}

/// Why a build stopped. Nothing in `output/` has changed when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the content has {} problem(s) to fix", .0.iter().filter(|d| d.is_error()).count())]
    InvalidContent(Vec<Diagnostic>),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Rules(#[from] standards::RulesError),
    #[error("the site for {council} could not be made: {source}")]
    Theme {
        council: String,
        source: render::ThemeError,
    },
    #[error("the site for {council} could not be made: {source}")]
    Render {
        council: String,
        source: render::RenderError,
    },
    #[error(transparent)]
    Publish(#[from] publish::PublishError),
}

/// Reads and checks a content folder on `today` without building anything.
pub fn check(content_root: &Path, today: time::Date) -> Result<standards::Directory, BuildError> {
    if !content_root.is_dir() {
        return Err(BuildError::Usage(format!(
            "the content folder {} does not exist",
            content_root.display()
        )));
    }
    let rules = standards::Rules::load(content_root, today)?;
    let content = content::load(content_root);
    Ok(standards::validate(content, &rules)?)
}

/// Content that passed its checks, with what every council's site is made from: the
/// first half of a build, shared by `build` and the preview server.
pub struct Prepared {
    pub directory: standards::Directory,
    rules: standards::Rules,
    checker: standards::Checker,
    /// The councils being built.
    pub councils: Vec<standards::Council>,
    themes: BTreeMap<String, render::Theme>,
    synonyms: BTreeMap<String, search::Synonyms>,
    pub timings: Timings,
}

/// Reads and checks the content, loads themes and synonyms. Fails with every problem found
/// when any file has an error, before anything is written.
pub fn prepare(opts: &BuildOptions) -> Result<Prepared, BuildError> {
    let mut timings = Timings::default();
    if !opts.content.is_dir() {
        return Err(BuildError::Usage(format!(
            "the content folder {} does not exist",
            opts.content.display()
        )));
    }
    let rules = standards::Rules::load(&opts.content, opts.today)?;
    let content = timings.time("read content", || content::load(&opts.content));
    let (mut directory, checker) = timings.time("check content", || {
        standards::validate_keeping_checker(content, &rules)
    })?;
    let all_councils = std::mem::take(&mut directory.councils);
    let councils: Vec<standards::Council> = select_councils(&all_councils, &opts.councils)?
        .into_iter()
        .cloned()
        .collect();
    let selected: Vec<&standards::Council> = councils.iter().collect();
    let (themes, theme_problems) =
        timings.time("load themes", || load_themes(&selected, &opts.themes))?;
    directory.diagnostics.extend(theme_problems);
    let mut synonyms = BTreeMap::new();
    for council in &councils {
        match search::synonyms(&opts.content, council) {
            Ok(s) => {
                // A kind of help nobody offers is still read as one, so search can say so.
                let kinds = rules.listing_schema.list_choices("support_types");
                synonyms.insert(council.id.clone(), s.with_kinds_of_help(kinds));
            }
            Err(d) => directory.diagnostics.push(d),
        }
    }
    if directory.has_errors() {
        return Err(BuildError::InvalidContent(directory.diagnostics));
    }
    directory.councils = all_councils;
    Ok(Prepared {
        directory,
        rules,
        checker,
        councils,
        themes,
        synonyms,
        timings,
    })
}

impl Prepared {
    /// Reads and checks one listing file again after it was saved, created or deleted,
    /// leaving every other listing as it was checked before. `path` is inside the content
    /// folder.
    pub fn reread_listing(&mut self, path: &Path) {
        let root = self.rules.content_root.clone();
        let rel = path.strip_prefix(&root).unwrap_or(path).to_path_buf();
        let checked = path
            .is_file()
            .then(|| match content::read_listing(&root, path) {
                Ok(file) => self.checker.check(file, &self.rules),
                Err(problem) => (None, vec![problem]),
            });
        self.directory.replace_file(&rel, checked);
    }

    /// Makes one council's whole site into `sink`; returns the number of pages and how
    /// long each part took.
    pub fn build_council(
        &self,
        opts: &BuildOptions,
        council: &standards::Council,
        sink: &dyn render::Sink,
    ) -> Result<(usize, Timings), BuildError> {
        self.build_council_with(opts, council, sink, None)
    }

    /// As [`build_council`](Self::build_council), into a sink holding the last build made
    /// with `memo`: only what changed since is made again (the preview).
    pub fn build_council_with(
        &self,
        opts: &BuildOptions,
        council: &standards::Council,
        sink: &dyn render::Sink,
        memo: Option<&mut CouncilMemo>,
    ) -> Result<(usize, Timings), BuildError> {
        let listings = self.directory.published_for(&council.id);
        build_council(
            opts,
            council,
            &listings,
            &self.themes,
            &self.synonyms[&council.id],
            sink,
            memo,
        )
    }

    /// How many listings are shown on at least one council's site, and how many on none.
    pub fn counts(&self) -> (usize, usize) {
        let shown: std::collections::BTreeSet<&str> = self
            .councils
            .iter()
            .flat_map(|c| self.directory.published_for(&c.id))
            .map(|l| l.slug.as_str())
            .collect();
        let withheld = self
            .directory
            .listings
            .iter()
            .filter(|l| !l.is_published())
            .count();
        (shown.len(), withheld)
    }
}

/// Builds every selected council's site into `output/<council>/`.
pub fn build(
    opts: &BuildOptions,
    progress: &indicatif::ProgressBar,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    publish::check_output_folder(
        &opts.output,
        &[
            ("the content folder", &opts.content),
            ("the themes folder", &opts.themes),
        ],
    )?;
    // One build at a time writes an output folder; the lock goes when this build ends.
    let had_output = opts.output.exists();
    let lock = publish::OutputLock::acquire(&opts.output)?;
    let built = build_locked(opts, progress, started);
    drop(lock);
    if built.is_err() && !had_output {
        // Made only to hold the lock: a failed first build leaves no trace.
        let _ = std::fs::remove_dir(&opts.output);
    }
    built
}

/// [`build`], once the output folder is held.
fn build_locked(
    opts: &BuildOptions,
    progress: &indicatif::ProgressBar,
    started: Instant,
) -> Result<BuildReport, BuildError> {
    progress.set_message("checking content");
    let mut prepared = prepare(opts)?;
    let mut timings = std::mem::take(&mut prepared.timings);
    progress.set_length(
        prepared
            .councils
            .iter()
            .map(|c| prepared.directory.published_for(&c.id).len() as u64 + 1)
            .sum(),
    );
    progress.set_message("making pages");
    let render_started = Instant::now();
    let mut staged = Vec::new();
    let mut pages = 0;
    let mut parts = Timings::default();
    for council in &prepared.councils {
        let made = publish::Staging::begin(&opts.output, &council.id)
            .map_err(BuildError::from)
            .and_then(
                |staging| match prepared.build_council(opts, council, &staging) {
                    Ok((count, took)) => {
                        parts.add(took);
                        Ok((staging, count))
                    }
                    Err(e) => {
                        staging.abandon();
                        Err(e)
                    }
                },
            );
        match made {
            Ok((staging, count)) => {
                pages += count;
                staged.push(staging);
            }
            Err(e) => {
                staged.into_iter().for_each(publish::Staging::abandon);
                return Err(e);
            }
        }
        progress.inc(prepared.directory.published_for(&council.id).len() as u64 + 1);
    }
    timings.push("render and write", render_started.elapsed());
    timings.time("swap into place", || publish::swap_all(staged))?;
    let (published, withheld) = prepared.counts();
    let report = BuildReport {
        councils: prepared.councils.len(),
        published,
        withheld,
        pages,
        timings,
        render_parts: parts,
        warnings: std::mem::take(&mut prepared.directory.diagnostics),
        elapsed: started.elapsed(),
    };
    drop_in_background(prepared);
    Ok(report)
}

/// Frees a build's data on a thread of its own. Freeing ten thousand listings piece by
/// piece took about 60 ms at the end of a build, on one core, and the command that built
/// them exits next: it need not wait.
fn drop_in_background<T: Send + 'static>(data: T) {
    // If no thread can be started, the closure and `data` are freed here instead.
    let _ = std::thread::Builder::new()
        .name("carepages-free".into())
        .spawn(move || drop(data));
}

/// A fingerprint of a council's published listings, in order: the search index is made
/// from nothing else (with the synonyms, which the preview never changes in place). Kept in
/// memory only, so a fast hash does.
fn listings_fingerprint(listings: &[&standards::Listing]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    for l in listings {
        (&l.slug, l.fingerprint).hash(&mut hasher);
    }
    hasher.finish()
}

fn select_councils<'a>(
    all: &'a [standards::Council],
    wanted: &[String],
) -> Result<Vec<&'a standards::Council>, BuildError> {
    if wanted.is_empty() {
        return Ok(all.iter().collect());
    }
    wanted
        .iter()
        .map(|id| {
            all.iter().find(|c| &c.id == id).ok_or_else(|| {
                let known: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
                BuildError::Usage(format!(
                    "there is no council called \"{id}\" (councils: {})",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// Loads each theme once. A council naming a theme that does not exist is a content
/// problem, reported on its `theme:` line.
fn load_themes(
    councils: &[&standards::Council],
    themes_dir: &Path,
) -> Result<(BTreeMap<String, render::Theme>, Vec<Diagnostic>), BuildError> {
    let mut themes = BTreeMap::new();
    let mut problems = Vec::new();
    for council in councils {
        let name = &council.settings.theme;
        for (i, lang) in council.settings.site_languages().into_iter().enumerate() {
            let key = format!("{name}/{lang}");
            if themes.contains_key(&key) {
                continue;
            }
            match render::Theme::load(themes_dir, name, lang) {
                Ok(theme) => {
                    themes.insert(key, theme);
                }
                Err(render::ThemeError::NoLanguage { .. }) => {
                    let (line, column) =
                        council.language_positions.get(i).copied().unwrap_or((1, 1));
                    problems.push(
                        Diagnostic::error(
                            &council.file,
                            "unknown-language",
                            format!("The theme `{name}` has no words in the language `{lang}`."),
                        )
                        .field(format!("languages[{i}]"))
                        .at(line, column)
                        .help(format!(
                            "Write en for English or cy for Welsh instead, or add the theme's words in this language as themes/{name}/i18n/{lang}.yaml."
                        )),
                    );
                }
                Err(render::ThemeError::Missing { found, .. }) => {
                    let (line, column) = council.theme_position;
                    problems.push(
                        Diagnostic::error(
                            &council.file,
                            "unknown-theme",
                            format!("There is no theme called `{name}`."),
                        )
                        .field("theme")
                        .at(line, column)
                        .help(format!(
                            "Use one of the themes in {}: {found}.",
                            themes_dir.display()
                        )),
                    );
                    // Said once, not once per language.
                    break;
                }
                Err(source) => {
                    return Err(BuildError::Theme {
                        council: council.id.clone(),
                        source,
                    })
                }
            }
        }
    }
    Ok((themes, problems))
}

/// Themes are loaded once per theme and language: two councils on one theme in different
/// languages each get their own words.
fn theme_key(council: &standards::Council) -> String {
    format!(
        "{}/{}",
        council.settings.theme,
        council.settings.site_language()
    )
}

/// One language of a council's site, as the render stage sees a whole site: the council in
/// that language (its Welsh name and introduction on Welsh pages), published at the site's
/// address for the first of `languages:` and under the language's code for each other.
fn edition_of(council: &standards::Council, lang: &str, first: bool) -> standards::Council {
    let mut edition = council.clone();
    let settings = &mut edition.settings;
    settings.languages.retain(|l| l != lang);
    settings.languages.insert(0, lang.to_string());
    if !first {
        settings.base_url = format!("{}{lang}/", council.settings.base_url);
    }
    if lang == "cy" {
        if let Some(welsh) = &council.settings.welsh {
            if let Some(name) = &welsh.name {
                settings.name.clone_from(name);
            }
            if let Some(intro) = &welsh.intro {
                settings.intro = Some(intro.clone());
            }
        }
    }
    edition
}

/// The folder of a language's pages: the first language's are the site's own.
fn edition_folder(lang: &str, first: bool) -> String {
    if first {
        String::new()
    } else {
        format!("{lang}/")
    }
}

/// Each language's twin of a page, as seen from the pages of the edition `here`.
fn alternates(languages: &[&str], base_url: &str, here: usize) -> Vec<render::Alternate> {
    languages
        .iter()
        .enumerate()
        .map(|(i, lang)| {
            let folder = edition_folder(lang, i == 0);
            // From here up to the site's own folder, then down into the other language's.
            let up = if here == 0 { "" } else { "../" };
            render::Alternate {
                lang: (*lang).to_string(),
                name: render::language_name(lang).to_string(),
                base_url: format!("{base_url}{folder}"),
                from_here: if i == here {
                    String::new()
                } else {
                    format!("{up}{folder}")
                },
                path: render::site_path(&format!("{base_url}{folder}")),
                current: i == here,
            }
        })
        .collect()
}

/// What the preview remembers of one council's last build, so that the build after a save
/// makes again only what changed: pages, Open Referral documents and the search index.
#[derive(Default)]
pub struct CouncilMemo {
    render: render::RenderMemo,
    oruk: publish::oruk::Memo,
    /// The last full search index and what it was made from.
    index: Option<FullIndex>,
    /// Set by the preview: when the listings changed, publish the last full index patched
    /// with the listings saved since, rather than wait for a new one, so pages reload at once.
    pub defer_index: bool,
    /// Whether the last build published a patched index, so a full one is still to make.
    pub index_is_stale: bool,
    /// A fingerprint of the list of pages the sitemap was made from.
    sitemap: Option<u64>,
}

/// A council's full search index, as the preview keeps it to patch after a save.
struct FullIndex {
    /// A fingerprint of the listings it was made from.
    fingerprint: u64,
    bytes: Arc<Vec<u8>>,
    /// Its documents, and each listing's fingerprint by slug.
    docs: Vec<search::SearchDoc>,
    listings: rustc_hash::FxHashMap<String, u64>,
}

enum IndexPlan<'a> {
    Reuse(Arc<Vec<u8>>),
    Patch(&'a FullIndex),
    Full,
}

impl FullIndex {
    fn new(
        fingerprint: u64,
        bytes: Arc<Vec<u8>>,
        mut docs: Vec<search::SearchDoc>,
        listings: &[&standards::Listing],
    ) -> FullIndex {
        search::sort_in_name_order(&mut docs);
        let listings = listings
            .iter()
            .map(|l| (l.slug.clone(), l.fingerprint))
            .collect();
        FullIndex {
            fingerprint,
            bytes,
            docs,
            listings,
        }
    }

    /// This index with the listings that changed, left or arrived since it was made: only
    /// theirs are analysed, so it takes milliseconds however large the directory.
    fn patch(
        &self,
        now: &[&standards::Listing],
        council: &standards::Council,
    ) -> Result<Vec<u8>, search::SearchError> {
        let mut still: rustc_hash::FxHashSet<&str> = Default::default();
        let mut added = Vec::new();
        for listing in now {
            match self.listings.get(&listing.slug) {
                Some(&fp) if fp == listing.fingerprint => {
                    still.insert(listing.slug.as_str());
                }
                _ => added.push(search::document(listing, council)),
            }
        }
        let removed: Vec<&str> = self
            .listings
            .keys()
            .map(String::as_str)
            .filter(|slug| !still.contains(slug))
            .collect();
        search::patch_index(&self.bytes, &self.docs, &removed, &added)
    }
}

/// Makes every language of one council's site, then the sitemap of all of them.
fn build_council(
    opts: &BuildOptions,
    council: &standards::Council,
    listings: &[&standards::Listing],
    themes: &BTreeMap<String, render::Theme>,
    synonyms: &search::Synonyms,
    sink: &dyn render::Sink,
    mut memo: Option<&mut CouncilMemo>,
) -> Result<(usize, Timings), BuildError> {
    let languages = council.settings.site_languages();
    let base = &council.settings.base_url;
    let mut pages = Vec::new();
    let mut timings = Timings::default();
    for (i, lang) in languages.iter().enumerate() {
        let edition = edition_of(council, lang, i == 0);
        let folder = edition_folder(lang, i == 0);
        let in_folder = render::InFolder {
            sink,
            folder: &folder,
        };
        let alternates = alternates(&languages, base, i);
        let made = build_edition(
            opts,
            Edition {
                council: &edition,
                first: i == 0,
                alternates: &alternates,
                theme: &themes[&theme_key(&edition)],
            },
            listings,
            synonyms,
            &in_folder,
            // The preview remembers the first language's pages; the others are made again.
            if i == 0 { memo.as_deref_mut() } else { None },
        )?;
        pages.extend(made.0.into_iter().map(|p| format!("{folder}{p}")));
        timings.add(made.1);
    }
    let started = Instant::now();
    let write = |path: &str, text: String| {
        sink.write(path, text.as_bytes())
            .map_err(|source| publish::PublishError::Io {
                path: path.to_string(),
                source,
            })
    };
    // The sitemap only changes when the list of pages does.
    let pages_fp = memo.as_deref().map(|_| {
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        (base, &pages).hash(&mut hasher);
        hasher.finish()
    });
    match memo.as_deref_mut() {
        Some(m) if m.sitemap == pages_fp => {
            sink.keep("sitemap.xml")
                .map_err(|source| publish::PublishError::Io {
                    path: "sitemap.xml".into(),
                    source,
                })?
        }
        _ => write("sitemap.xml", publish::sitemap(base, &pages))?,
    }
    write("robots.txt", publish::robots(base))?;
    write(
        publish::manifest::MANIFEST_PATH,
        publish::manifest::Manifest::of(council, listings, opts.today).to_json(),
    )?;
    timings.push("sitemap, robots.txt, manifest", started.elapsed());
    if let Some(m) = memo {
        m.sitemap = pages_fp;
    }
    let page_count = pages.len();
    drop_in_background(pages);
    Ok((page_count, timings))
}

/// One language of a council's site, and what its pages link to in the others.
struct Edition<'a> {
    council: &'a standards::Council,
    /// The first of the council's languages: published at the site's own address, with
    /// the Open Referral feed.
    first: bool,
    alternates: &'a [render::Alternate],
    theme: &'a render::Theme,
}

/// Makes one language's pages, search index and Atom feed (and, for the first language,
/// the Open Referral feed); returns its pages' paths.
fn build_edition(
    opts: &BuildOptions,
    edition: Edition,
    listings: &[&standards::Listing],
    synonyms: &search::Synonyms,
    sink: &dyn render::Sink,
    memo: Option<&mut CouncilMemo>,
) -> Result<(Vec<String>, Timings), BuildError> {
    let Edition {
        council,
        first,
        alternates,
        theme,
    } = edition;
    let (mut memo, index_for) = match memo {
        Some(m) => {
            let fp = listings_fingerprint(listings);
            (Some(m), Some(fp))
        }
        None => (None, None),
    };
    // What the search index is made from: the last one when it was made from these
    // listings; when the preview defers a full index, the last full one patched with the
    // listings saved since; otherwise all the listings.
    // (Taken out of the memo while the memo's other parts are in use; a build that fails
    // loses it, and the next one makes a full index.)
    let last_full = memo.as_deref_mut().and_then(|m| m.index.take());
    let defer = memo.as_deref().is_some_and(|m| m.defer_index);
    let plan = match (&last_full, index_for) {
        (Some(full), Some(fp)) if full.fingerprint == fp => {
            IndexPlan::Reuse(Arc::clone(&full.bytes))
        }
        (Some(full), Some(_)) if defer => IndexPlan::Patch(full),
        _ => IndexPlan::Full,
    };
    let synonyms = synonyms
        .clone()
        .in_language(search::analysis_language(council));
    let made = std::sync::Mutex::new(None);
    let make_index = || match &plan {
        IndexPlan::Reuse(bytes) => Ok(bytes.to_vec()),
        IndexPlan::Patch(full) => full.patch(listings, council),
        IndexPlan::Full => {
            let docs: Vec<search::SearchDoc> = listings
                .iter()
                .map(|l| search::document(l, council))
                .collect();
            let bytes = search::build_documents(&docs, &synonyms)?;
            if index_for.is_some() {
                if let Ok(mut made) = made.lock() {
                    *made = Some((Arc::new(bytes.clone()), docs));
                }
            }
            Ok(bytes)
        }
    };
    let extra: [(&str, &[u8]); 3] = [
        (search::ENGINE_NAME, search::ENGINE),
        ("search-engine.wasm.br", search::ENGINE_BR),
        ("search-engine.wasm.gz", search::ENGINE_GZ),
    ];
    let input = render::SiteInput {
        council,
        listings,
        theme,
        content_root: &opts.content,
        extra_assets: &extra,
        today: opts.today,
        search_index: Some(&make_index),
        alternates,
    };
    // The Open Referral documents need nothing from the pages: they are made alongside.
    let (render_memo, oruk_memo) = match memo.as_deref_mut() {
        Some(m) => (Some(&mut m.render), Some(&mut m.oruk)),
        None => (None, None),
    };
    let (site, (oruk, oruk_took)) = rayon::join(
        || render::render_site_with(&input, sink, render_memo),
        || {
            Timings::timed(|| {
                // One feed per council, at the site's own address, in its first language.
                if !first {
                    return Ok(());
                }
                publish::oruk::write_documents(council, listings, opts.today, sink, oruk_memo)
            })
        },
    );
    let site = site.map_err(|source| BuildError::Render {
        council: council.id.clone(),
        source,
    })?;
    oruk?;
    let mut timings = site.timings;
    timings.push("Open Referral UK feed (alongside)", oruk_took);
    let started = Instant::now();
    let feed = publish::atom::feed(
        &council.settings.name,
        &council.settings.base_url,
        &site.listings,
        opts.today,
    );
    sink.write(publish::atom::FEED_PATH, feed.as_bytes())
        .map_err(|source| publish::PublishError::Io {
            path: publish::atom::FEED_PATH.to_string(),
            source,
        })?;
    timings.push("Atom feed", started.elapsed());
    drop_in_background(site.listings);
    let patched = matches!(plan, IndexPlan::Patch(_));
    drop(plan);
    if let (Some(m), Some(fp)) = (memo, index_for) {
        m.index_is_stale = patched;
        m.index = match made.into_inner().ok().flatten() {
            Some((bytes, docs)) => Some(FullIndex::new(fp, bytes, docs, listings)),
            None => last_full,
        };
    }
    Ok((site.pages, timings))
}
