//! The `carepages` command: parses arguments, calls the library, prints what happened and
//! maps the outcome to an exit code (0 built, 1 content or build problem, 2 usage).

use carepages::{BuildError, BuildOptions};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// A build makes millions of small strings and maps (pages, template values); mimalloc
/// serves them from per-thread pools, where the system allocator spent a fifth of the build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_t`, mimalloc.h).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The preview keeps the memory it frees instead of handing it back to the system. mimalloc
/// returns freed memory a second later, from inside whichever allocation comes next, and
/// a save is mostly allocations: measured on 10,000 listings, that took 20 ms of a 140 ms
/// rebuild, and each rebuild then took fresh pages from the kernel again. A one-off build
/// gains nothing from this (measured), so only `serve` does it.
#[allow(unsafe_code)]
fn keep_freed_memory() {
    // SAFETY: called before the preview starts its threads; mimalloc documents
    // `mi_option_set` as not thread safe.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[derive(Parser)]
#[command(
    name = "carepages",
    version,
    about = "Publish a council's directory of community care micro-enterprises as a fast, accessible static site."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which council an officer's file is about, on which day, and the public output folder
/// the file must stay out of.
#[derive(clap::Args)]
struct OfficerCouncil {
    #[arg(long, default_value = "content")]
    content: PathBuf,
    #[arg(long = "council", value_name = "ID")]
    id: String,
    /// The day every date rule is judged on (the calendar's time stamp too). Default: today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<time::Date>,
    /// The output folder, which officers' files are kept out of.
    #[arg(long, default_value = "output")]
    output: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Check every listing and build one site per council into the output folder.
    Build {
        /// The content folder: councils/, enterprises/ and schema/.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// The themes folder.
        #[arg(long, default_value = "themes")]
        themes: PathBuf,
        /// Where the sites go: one folder per council.
        #[arg(long, default_value = "output")]
        output: PathBuf,
        /// Build only this council (repeat for several). Default: all.
        #[arg(long = "council", value_name = "ID")]
        councils: Vec<String>,
        /// Judge every date rule as if today were this date (YYYY-MM-DD). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        today: Option<time::Date>,
        /// Print how long each stage of the build took.
        #[arg(long)]
        timings: bool,
    },
    /// Preview the sites while you edit: builds in memory, serves them on this computer,
    /// and reloads open pages after each save. Nothing is written to the output folder.
    Serve {
        /// The content folder: councils/, enterprises/ and schema/.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// The themes folder.
        #[arg(long, default_value = "themes")]
        themes: PathBuf,
        /// Preview only this council (repeat for several). Default: all.
        #[arg(long = "council", value_name = "ID")]
        councils: Vec<String>,
        /// Judge every date rule as if today were this date (YYYY-MM-DD). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        today: Option<time::Date>,
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// After each rebuild, print how long its parts took.
        #[arg(long)]
        timings: bool,
    },
    /// Check every file against the schema and the standards without building anything.
    Check {
        /// The content folder: councils/, enterprises/, schema/ and standards/.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// Judge every date rule as if today were this date (YYYY-MM-DD). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        today: Option<time::Date>,
        /// human: a report for people; json: for tools; github: annotations on a pull request.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Search a built site's index with the same code the browser runs.
    Search {
        /// The council whose site to search.
        #[arg(long, value_name = "ID")]
        council: String,
        /// Where the sites were built.
        #[arg(long, default_value = "output")]
        output: PathBuf,
        /// The content folder the sites were built from, to check the council and filters.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Only this kind of help, such as gardening.
        #[arg(long, value_name = "TYPE")]
        support: Option<String>,
        /// Only support for this group, such as older_people.
        #[arg(long = "for", value_name = "GROUP")]
        who_for: Option<String>,
        /// Only enterprises working on this day: mon ... sun.
        #[arg(long)]
        day: Option<String>,
        /// Only enterprises taking new clients.
        #[arg(long)]
        open: bool,
        /// Only enterprises accepting direct payments.
        #[arg(long)]
        direct_payment: bool,
        /// How many results to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Search the pages in this language, for a site in two (cy or en). Default: the
        /// site's first language.
        #[arg(long, value_name = "CODE")]
        language: Option<String>,
        /// What a resident would type, such as gardening TA4 2PQ.
        query: Vec<String>,
    },
    /// Start a new content repository for a council, with GitHub workflows that check pull
    /// requests and publish the site every day.
    Init {
        /// The folder to create it in.
        dir: PathBuf,
        /// The council's name, such as "Westmoor Council".
        #[arg(long)]
        council: String,
        /// A short id for the council: its folder in output/ and the name listings use,
        /// such as westmoor. Asked for when not given (suggested from the name).
        #[arg(long)]
        id: Option<String>,
    },
    /// For council officers: what the content will publish compared with what is published
    /// now (a built output folder, or the content at a git revision), council by council:
    /// listings that appear, disappear and why, and change. With --ahead, what lapses then.
    Diff {
        /// The content folder: councils/, enterprises/, schema/ and standards/.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// Compare with the sites built in this output folder (or one council's site in it).
        #[arg(long, value_name = "DIR", conflicts_with = "since")]
        published: Option<PathBuf>,
        /// Compare with the content folder at this git revision (commit, branch or tag).
        #[arg(long, value_name = "REV")]
        since: Option<String>,
        /// The day "now" is (YYYY-MM-DD). Default: today.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        today: Option<time::Date>,
        /// Judge the content this many days after --today, such as 30, 60 or 90: which
        /// listings will be withheld then unless their evidence is renewed.
        #[arg(long, value_name = "DAYS", default_value_t = 0)]
        ahead: u32,
        /// Only this council. Default: all.
        #[arg(long, value_name = "ID")]
        council: Option<String>,
        /// text: for people; json: for tools; markdown: for a pull request.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
    /// For council officers: an iCalendar file of every evidence expiry and review date of
    /// one council's listings. Not part of the public site.
    Calendar {
        #[command(flatten)]
        council: OfficerCouncil,
        /// Write it to this file (default: print it).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// For council officers: one council's listings with their evidence dates as CSV, for a
    /// spreadsheet. Not part of the public site.
    Export {
        #[command(flatten)]
        council: OfficerCouncil,
        /// Write it to this file (default: print it).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// For council officers: a self-contained HTML report on one council's directory: gaps
    /// in provision by kind of help, group and place, growth over time, evidence lapsing in
    /// the next 90 days. Not part of the public site.
    Report {
        #[command(flatten)]
        council: OfficerCouncil,
        /// The HTML file to write, outside the output folder.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// Start a new listing from a template with every field explained.
    New {
        /// The enterprise's name, such as "Quantock Kindly Hands".
        name: String,
        /// The council whose site will list it (repeat for several).
        #[arg(long = "council", value_name = "ID", required = true)]
        councils: Vec<String>,
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Github,
}

fn parse_date(s: &str) -> Result<time::Date, String> {
    time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| format!("\"{s}\" is not a date written as YYYY-MM-DD"))
}

fn main() -> ExitCode {
    // mimalloc asks for transparent huge pages, and the kernel zeroes (and sometimes
    // compacts memory for) 2 MB at each first touch. A build touches memory once and moves
    // on, so that only costs time: measured on 10,000 listings, huge pages made builds about
    // 5% slower, more variable, and 15% larger at their peak.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn today_or_now(today: Option<time::Date>) -> time::Date {
    today.unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check {
            content,
            today,
            format,
        } => check(&content, today_or_now(today), format),
        Command::Search {
            council,
            output,
            content,
            json,
            support,
            who_for,
            day,
            open,
            direct_payment,
            limit,
            language,
            query,
        } => {
            let query = carepages::search::Query {
                text: query.join(" "),
                support_type: support,
                who_for,
                day,
                taking_new_clients: open,
                direct_payment,
                limit,
                keys: true,
            };
            if let Err(problem) = check_search(&content, &council, &query) {
                eprintln!("error: {problem}");
                return Ok(ExitCode::from(2));
            }
            search(&output, &council, language.as_deref(), &query, json)
        }
        Command::Init { dir, council, id } => {
            let id = match id {
                Some(id) => id,
                None => ask_for_id(&council),
            };
            match carepages::scaffold::init(&dir, &council, &id, today_or_now(None)) {
                Ok(id) => {
                    println!("Wrote a content repository for {council} ({id}) in {}. Next: cd {} && carepages check && carepages build", dir.display(), dir.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Serve {
            content,
            themes,
            councils,
            today,
            port,
            timings,
        } => {
            let opts = BuildOptions {
                content: content.clone(),
                themes,
                output: PathBuf::from("output"),
                councils,
                today: today_or_now(today),
            };
            keep_freed_memory();
            let ready = |address: &str| {
                println!("Previewing at {address} (press Ctrl+C to stop)");
                use std::io::Write;
                let _ = std::io::stdout().flush();
            };
            match carepages::serve::serve(&opts, port, timings, ready) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(e) => report_failure(e, &content),
            }
        }
        Command::New {
            name,
            councils,
            content,
        } => new_listing(&content, &name, &councils),
        Command::Diff {
            content,
            published,
            since,
            today,
            ahead,
            council,
            format,
        } => {
            use carepages::officer::diff::{self, Before, DiffOptions};
            let before = match (published, since) {
                (Some(dir), _) => Before::Output(dir),
                (None, Some(rev)) => Before::Revision(rev),
                (None, None) => Before::Today,
            };
            let opts = DiffOptions {
                content,
                today: today_or_now(today),
                ahead,
                before,
                council,
            };
            officer(diff::diff(&opts).map(|d| match format {
                DiffFormat::Text => print!("{}", diff::text(&d)),
                DiffFormat::Json => println!("{}", diff::json(&d)),
                DiffFormat::Markdown => print!("{}", diff::markdown(&d)),
            }))
        }
        Command::Calendar { council, out } => officer(officer_file(
            &council,
            out.as_deref(),
            carepages::officer::calendar::calendar,
        )),
        Command::Export { council, out } => {
            officer(officer_file(&council, out.as_deref(), |d, c, p, _| {
                carepages::officer::export::csv(d, c, p)
            }))
        }
        Command::Report { council, out } => officer(report(&council, &out)),
        Command::Build {
            content,
            themes,
            output,
            councils,
            today,
            timings,
        } => {
            let opts = BuildOptions {
                content: content.clone(),
                themes,
                output: output.clone(),
                councils,
                today: today_or_now(today),
            };
            let progress = progress_bar();
            let result = carepages::build(&opts, &progress);
            progress.finish_and_clear();
            match result {
                Ok(report) => {
                    if timings {
                        let ms = |took: &std::time::Duration| took.as_secs_f64() * 1000.0;
                        for (stage, took) in &report.timings.0 {
                            eprintln!("{:>9.1} ms  {stage}", ms(took));
                            if *stage == "render and write" {
                                report.render_parts.print();
                            }
                        }
                    }
                    let colour = std::io::stderr().is_terminal();
                    if !report.warnings.is_empty() {
                        eprint!(
                            "{}",
                            carepages::standards::report::human(&report.warnings, &content, colour)
                        );
                    }
                    println!(
                        "Built {} council site{} with {} listing{} ({} withheld, {} pages) in {:.2} s into {}",
                        report.councils,
                        plural(report.councils),
                        report.published,
                        plural(report.published),
                        report.withheld,
                        report.pages,
                        report.elapsed.as_secs_f64(),
                        output.display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => report_failure(e, &content),
            }
        }
    }
}

/// The exit code of an officer's tool: 0 done, 1 content or input it cannot use, 2 used
/// wrongly. One message, on standard error.
fn officer(result: Result<(), carepages::officer::OfficerError>) -> anyhow::Result<ExitCode> {
    use carepages::officer::OfficerError;
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e @ OfficerError::Usage(_)) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

type MakeFile = fn(
    &carepages::standards::Directory,
    &carepages::standards::Council,
    &carepages::standards::StandardsProfile,
    time::Date,
) -> String;

/// Makes one council's calendar or CSV and writes it to `out`, or prints it.
fn officer_file(
    council: &OfficerCouncil,
    out: Option<&std::path::Path>,
    make: MakeFile,
) -> Result<(), carepages::officer::OfficerError> {
    use carepages::officer;
    if let Some(out) = out {
        officer::refuse_public_path(out, &council.output)?;
    }
    let today = today_or_now(council.today);
    let directory = officer::checked(&council.content, today)?;
    let settings = officer::council(&directory, &council.id)?;
    let profile = officer::profile(&council.content, settings)?;
    let text = make(&directory, settings, &profile, today);
    match out {
        Some(path) => {
            officer::write_file(path, text.as_bytes())?;
            eprintln!("Wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

fn report(
    council: &OfficerCouncil,
    out: &std::path::Path,
) -> Result<(), carepages::officer::OfficerError> {
    use carepages::officer;
    officer::refuse_public_path(out, &council.output)?;
    let today = today_or_now(council.today);
    let html = officer::report::make(&council.content, &council.id, today)?;
    officer::write_file(out, html.as_bytes())?;
    eprintln!("Wrote {} ({} bytes)", out.display(), html.len());
    Ok(())
}

fn check(content: &std::path::Path, today: time::Date, format: Format) -> anyhow::Result<ExitCode> {
    use carepages::standards::report;
    let directory = match carepages::check(content, today) {
        Ok(d) => d,
        Err(e) => return report_failure(e, content),
    };
    match format {
        Format::Json => println!("{}", report::json(&directory, content)),
        Format::Github => print!("{}", report::github(&directory.diagnostics, content)),
        Format::Human => {
            let colour = std::io::stdout().is_terminal();
            print!("{}", report::human(&directory.diagnostics, content, colour));
            print!(
                "{}",
                report::councils_text(&report::councils(&directory), content)
            );
            let errors = directory
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count();
            let warnings = directory.diagnostics.len() - errors;
            let broken: std::collections::BTreeSet<_> = directory
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| &d.file)
                .collect();
            let published = directory
                .listings
                .iter()
                .filter(|l| l.is_published())
                .count();
            let withheld = directory.listings.len() - published;
            println!(
                "{}",
                summary(errors, broken.len(), warnings, published, withheld)
            );
        }
    }
    Ok(if directory.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Checks what `carepages search` was asked before searching: the council exists, and each
/// filter is a value the site knows, with the list of values and a "did you mean" if not.
fn check_search(
    content: &std::path::Path,
    council: &str,
    query: &carepages::search::Query,
) -> Result<(), String> {
    let councils_dir = content.join("councils");
    if councils_dir.is_dir() {
        let mut known: Vec<String> = std::fs::read_dir(&councils_dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| {
                        let path = e.path();
                        let yaml = matches!(
                            path.extension().and_then(|x| x.to_str()),
                            Some("yaml" | "yml")
                        );
                        yaml.then(|| path.file_stem()?.to_str().map(str::to_string))
                            .flatten()
                    })
                    .collect()
            })
            .unwrap_or_default();
        known.sort();
        if !known.iter().any(|k| k == council) {
            let hint =
                carepages::diagnostic::did_you_mean(council, known.iter().map(String::as_str))
                    .map(|c| format!(" Did you mean {c}?"))
                    .unwrap_or_default();
            return Err(format!(
                "there is no council called \"{council}\" in {}.{hint} Councils: {}.",
                councils_dir.display(),
                known.join(", ")
            ));
        }
    }
    let schema = carepages::standards::Schema::load(
        content,
        "enterprise.schema.json",
        carepages::standards::DEFAULT_LISTING_SCHEMA,
        "a listing",
    )
    .map_err(|e| e.to_string())?;
    let days: Vec<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| d.to_string())
        .collect();
    let filters = [
        (
            "--support",
            &query.support_type,
            schema.list_choices("support_types"),
        ),
        ("--for", &query.who_for, schema.list_choices("who_for")),
        ("--day", &query.day, days),
    ];
    for (flag, given, choices) in filters {
        let Some(given) = given else { continue };
        if choices.is_empty() || choices.contains(given) {
            continue;
        }
        let hint = carepages::diagnostic::did_you_mean(given, choices.iter().map(String::as_str))
            .map(|c| format!(" Did you mean {c}?"))
            .unwrap_or_default();
        return Err(format!(
            "{flag} {given} is not one of the values this site uses.{hint} Use one of: {}.",
            choices.join(", ")
        ));
    }
    Ok(())
}

fn search(
    output: &std::path::Path,
    council: &str,
    language: Option<&str>,
    query: &carepages::search::Query,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let results = match carepages::search::search_site(output, council, language, query) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    let understood: Vec<String> = results
        .understood
        .parts
        .iter()
        .map(|p| {
            if p.values.is_empty() {
                p.kind.replace('_', " ")
            } else {
                format!("{}: {}", p.kind.replace('_', " "), p.values.join(" or "))
            }
        })
        .collect();
    if !understood.is_empty() {
        println!("Understood: {}", understood.join(" · "));
    }
    println!(
        "{} listing{} match{} \"{}\"",
        results.exact,
        plural(results.exact),
        if results.exact == 1 { "es" } else { "" },
        query.text
    );
    if results.relaxed {
        println!("(no listing has every word; these have some of them)");
    }
    if !results.ignored.is_empty() {
        println!("(no listing mentions: {})", results.ignored.join(", "));
    }
    let print_hits = |hits: &[carepages::search::Hit]| {
        for (i, hit) in hits.iter().enumerate() {
            println!(
                "{:>3}. {}  [{}]  {}",
                i + 1,
                hit.name,
                hit.towns.join(", "),
                hit.url
            );
        }
    };
    print_hits(&results.hits);
    for alternative in &results.alternatives {
        println!(
            "Nobody meets all of that. Without the {} ({} listing{}):",
            alternative.without.replace('_', " "),
            alternative.total,
            plural(alternative.total)
        );
        print_hits(&alternative.hits);
    }
    Ok(ExitCode::SUCCESS)
}

fn new_listing(
    content: &std::path::Path,
    name: &str,
    councils: &[String],
) -> anyhow::Result<ExitCode> {
    match carepages::scaffold::new_listing(content, name, councils) {
        Ok(path) => {
            println!(
                "Wrote {}. Fill in the details, then run `carepages check`.",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn report_failure(e: BuildError, content: &std::path::Path) -> anyhow::Result<ExitCode> {
    match e {
        BuildError::InvalidContent(diagnostics) => {
            let colour = std::io::stderr().is_terminal();
            eprint!(
                "{}",
                carepages::standards::report::human(&diagnostics, content, colour)
            );
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let files: std::collections::BTreeSet<_> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| &d.file)
                .collect();
            eprintln!(
                "error: {errors} problem{} in {} file{} must be fixed before the sites can be built. Nothing in the output folder was changed.",
                plural(errors),
                files.len(),
                plural(files.len())
            );
            Ok(ExitCode::from(1))
        }
        BuildError::Usage(message) => {
            eprintln!("error: {message}");
            Ok(ExitCode::from(2))
        }
        BuildError::Publish(carepages::publish::PublishError::Overlap { .. }) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(2))
        }
        other => {
            eprintln!(
                "error: {other}\nThe build stopped; nothing in the output folder was changed."
            );
            Ok(ExitCode::from(1))
        }
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The council's short id, asked for at a terminal with a suggestion made from its name;
/// the suggestion itself when nobody is there to answer (a script, CI).
fn ask_for_id(council: &str) -> String {
    use std::io::{BufRead, IsTerminal, Write};
    let suggested = carepages::scaffold::suggest_id(council);
    if !std::io::stdin().is_terminal() {
        return suggested;
    }
    eprint!(
        "A short id for {council}, used for its folder and in every listing (lower case letters, digits, hyphens) [{suggested}]: "
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let answer = answer.trim();
    if answer.is_empty() {
        suggested
    } else {
        answer.to_string()
    }
}

/// The last line of `check`, in plain words: "No problems found. 12 listings will be
/// published and 2 withheld." or "3 problems to fix in 2 files, and 5 warnings. ...".
fn summary(
    errors: usize,
    files: usize,
    warnings: usize,
    published: usize,
    withheld: usize,
) -> String {
    let count = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    let problems = match (errors, warnings) {
        (0, 0) => "No problems found.".to_string(),
        (0, w) => format!(
            "Nothing to fix; {} to read.",
            count(w, "warning", "warnings")
        ),
        (e, 0) => format!(
            "{} to fix in {}.",
            count(e, "problem", "problems"),
            count(files, "file", "files")
        ),
        (e, w) => format!(
            "{} to fix in {}, and {}.",
            count(e, "problem", "problems"),
            count(files, "file", "files"),
            count(w, "warning", "warnings")
        ),
    };
    let listings = match (published, withheld) {
        (0, 0) => "There are no listings yet.".to_string(),
        (p, w) => format!(
            "Of the listings that can be read, {} published and {} withheld.",
            match p {
                1 => "1 is".to_string(),
                p => format!("{p} are"),
            },
            w
        ),
    };
    format!("{problems} {listings}")
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn the_last_line_of_check_reads_as_plain_english() {
        assert_eq!(
            summary(0, 0, 0, 0, 0),
            "No problems found. There are no listings yet."
        );
        assert_eq!(
            summary(1, 1, 0, 1, 0),
            "1 problem to fix in 1 file. Of the listings that can be read, 1 is published and 0 withheld."
        );
        assert_eq!(
            summary(3, 2, 5, 12, 2),
            "3 problems to fix in 2 files, and 5 warnings. Of the listings that can be read, 12 are published and 2 withheld."
        );
        assert_eq!(
            summary(0, 0, 1, 2, 1),
            "Nothing to fix; 1 warning to read. Of the listings that can be read, 2 are published and 1 withheld."
        );
    }
}
