//! Criterion benches for each stage of a build, on a generated corpus:
//! parse → validate → index → render → minify → write.
//!
//!   cargo bench --bench stages                  1,000 listings
//!   CAREPAGES_BENCH_LISTINGS=5000 cargo bench --bench stages
//!
//! The corpus is made once per size by `../shared/bench/gen_corpus.py` into
//! `target/bench-corpus/<N>/` and reused by later runs. See docs/benchmarks.md.

use carepages::render::{self, Sink};
use carepages::{content, publish, search, standards};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const DEFAULT_LISTINGS: usize = 1000;
/// The build date every date rule is judged against, as in scripts/bench-build.sh.
const TODAY: time::Date = time::macros::date!(2026 - 11 - 25);

fn listings_wanted() -> usize {
    match std::env::var("CAREPAGES_BENCH_LISTINGS") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CAREPAGES_BENCH_LISTINGS must be a number, not {v:?}")),
        Err(_) => DEFAULT_LISTINGS,
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Generates the corpus of `n` listings unless an earlier run did, and returns its content
/// folder. It is written beside its final place and renamed, so an interrupted run never
/// leaves half a corpus behind.
fn corpus(n: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("target"));
    let dir = target.join("bench-corpus").join(n.to_string());
    let content = dir.join("content");
    if content.is_dir() {
        return content;
    }
    let generator = manifest_dir().join("../shared/bench/gen_corpus.py");
    assert!(
        generator.is_file(),
        "the corpus generator {} is missing",
        generator.display()
    );
    let partial = target.join("bench-corpus").join(format!(".partial-{n}"));
    let _ = std::fs::remove_dir_all(&partial);
    eprintln!("generating a corpus of {n} listings in {}", dir.display());
    let status = Command::new("python3")
        .arg(&generator)
        .arg("carepages")
        .arg(n.to_string())
        .arg(&partial)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen_corpus.py failed: {status}");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&partial, &dir).expect("corpus moved into place");
    content
}

/// Counts what the renderer hands over and drops it: rendering without the disk.
#[derive(Default)]
struct DiscardSink {
    files: AtomicU64,
    bytes: AtomicU64,
}

impl Sink for DiscardSink {
    fn write(&self, _path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        black_box(bytes);
        Ok(())
    }
}

/// Everything the later stages start from, made once per run.
struct Prepared {
    content_root: PathBuf,
    rules: standards::Rules,
    directory: standards::Directory,
    theme: render::Theme,
    synonyms: search::Synonyms,
    index: Vec<u8>,
}

impl Prepared {
    fn new(content_root: PathBuf) -> Prepared {
        let rules = standards::Rules::load(&content_root, TODAY).expect("built-in rules load");
        let directory = standards::validate(content::load(&content_root), &rules)
            .expect("the corpus validates");
        assert!(
            !directory.has_errors(),
            "the generated corpus has errors: {:?}",
            directory.diagnostics.iter().find(|d| d.is_error())
        );
        let council = directory
            .councils
            .first()
            .expect("the corpus has a council");
        let theme = render::Theme::load(
            &manifest_dir().join("themes"),
            &council.settings.theme,
            "en",
        )
        .expect("the theme loads");
        let synonyms = search::synonyms(&content_root, council).expect("synonyms load");
        let listings = directory.published_for(&council.id);
        let index = search::build_index(&listings, council, &synonyms).expect("the index builds");
        Prepared {
            content_root,
            rules,
            directory,
            theme,
            synonyms,
            index,
        }
    }

    fn council(&self) -> &standards::Council {
        &self.directory.councils[0]
    }

    fn listings(&self) -> Vec<&standards::Listing> {
        self.directory.published_for(&self.council().id)
    }

    /// Renders the council's site into `sink`, as `build_council` in src/lib.rs does.
    fn render(&self, sink: &dyn Sink) -> render::RenderedSite {
        let listings = self.listings();
        let extra: [(&str, &[u8]); 1] = [(search::ENGINE_NAME, search::ENGINE)];
        // The index is made once beforehand; the render stage only publishes it.
        let index = || Ok(self.index.clone());
        let input = render::SiteInput {
            council: self.council(),
            listings: &listings,
            theme: &self.theme,
            content_root: &self.content_root,
            extra_assets: &extra,
            search_index: Some(&index),
            alternates: &[],
            today: TODAY,
        };
        render::render_site(&input, sink).expect("the site renders")
    }
}

fn stages(c: &mut Criterion) {
    let n = listings_wanted();
    let prepared = Prepared::new(corpus(n));
    let root = prepared.content_root.clone();
    let published = prepared.listings().len();
    eprintln!(
        "corpus: {n} listings, {published} published on {}",
        prepared.council().id
    );

    let mut group = c.benchmark_group(format!("stages/{n}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(n as u64));

    group.bench_function("parse", |b| {
        b.iter(|| black_box(content::load(black_box(&root))))
    });

    group.bench_function("validate", |b| {
        b.iter_batched(
            || content::load(&root),
            |loaded| standards::validate(loaded, &prepared.rules).expect("validates"),
            BatchSize::PerIteration,
        )
    });

    group.throughput(Throughput::Elements(published as u64));
    group.bench_function("index", |b| {
        let listings = prepared.listings();
        b.iter(|| {
            search::build_index(black_box(&listings), prepared.council(), &prepared.synonyms)
                .expect("builds")
        })
    });

    group.bench_function("render", |b| {
        b.iter(|| {
            let sink = DiscardSink::default();
            let site = prepared.render(&sink);
            black_box((
                site.pages.len(),
                sink.files.into_inner(),
                sink.bytes.into_inner(),
            ))
        })
    });

    // Rendered once; the write stage and the minify stage use these files.
    let memory = render::MemorySite::default();
    let site = prepared.render(&memory);
    let files = memory.into_files();

    // The renderer minifies each template once when the theme loads; this times the same
    // minify-html settings on one finished listing page.
    let page_path = site
        .listings
        .first()
        .map(|v| format!("{}index.html", v.url))
        .expect("a listing page");
    let page = files
        .iter()
        .find(|(p, _)| **p == page_path)
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("the listing page was rendered");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("minify", |b| {
        b.iter(|| render::minify_template(black_box(&page)))
    });

    let bytes: u64 = files.values().map(|b| b.len() as u64).sum();
    eprintln!(
        "rendered site: {} pages, {} files, {} KiB",
        site.pages.len(),
        files.len(),
        bytes / 1024
    );
    group.throughput(Throughput::Bytes(bytes));
    let council_id = prepared.council().id.clone();
    // Every run writes into a new folder, and the folders are kept until the stage is
    // done: on ext4 without a journal a new file skips each inode freed in the last minute
    // or more, so removing the last run's folder before the next made this stage measure
    // the disk's recent deletions (222-800 ms for the same work).
    let mut written = Vec::new();
    group.bench_function("write", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("a temp folder"),
            |out| {
                write_site(out.path(), &council_id, &files);
                written.push(out);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    drop(written);
}

/// Publishes `files` into `output/<council>/` through a staging folder, as a build does.
fn write_site(output: &Path, council: &str, files: &HashMap<String, std::sync::Arc<Vec<u8>>>) {
    let staging = publish::Staging::begin(output, council).expect("staging starts");
    for (path, bytes) in files {
        staging.write(path, bytes).expect("the file is written");
    }
    staging.swap_in().expect("the site is swapped in");
}

criterion_group!(benches, stages);
criterion_main!(benches);
