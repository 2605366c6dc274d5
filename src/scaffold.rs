//! Starting points for volunteers: `carepages new` writes a listing with every field
//! explained, valid from the first save and withheld until its details are filled in.

use crate::content::slugify;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("\"{0}\" cannot be a council's id: use lower case letters, digits and hyphens, such as westmoor")]
    BadId(String),
    #[error("\"{0}\" has no letters or digits to make a file name from")]
    EmptyName(String),
    #[error("{0} already exists; edit it, or choose another name")]
    Exists(String),
    #[error("there is no council called \"{id}\" in {dir} (councils: {known})")]
    UnknownCouncil {
        id: String,
        dir: String,
        known: String,
    },
    #[error("{path} could not be written: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Writes `content/enterprises/<slug>.md` for a new enterprise and returns its path.
pub fn new_listing(
    content: &Path,
    name: &str,
    councils: &[String],
) -> Result<PathBuf, ScaffoldError> {
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptyName(name.to_string()));
    }
    let councils_dir = content.join("councils");
    let mut first_area = None;
    for id in councils {
        let file = councils_dir.join(format!("{id}.yaml"));
        let text = std::fs::read_to_string(&file).map_err(|_| ScaffoldError::UnknownCouncil {
            id: id.clone(),
            dir: councils_dir.display().to_string(),
            known: known_councils(&councils_dir),
        })?;
        if first_area.is_none() {
            first_area = serde_yaml::from_str::<crate::content::CouncilSettings>(&text)
                .ok()
                .and_then(|c| c.areas.into_iter().next());
        }
    }
    let path = content.join("enterprises").join(format!("{slug}.md"));
    if path.exists() {
        return Err(ScaffoldError::Exists(path.display().to_string()));
    }
    let (town, districts) = match first_area {
        Some(a) => (a.town, a.postcode_districts),
        None => ("Your town".to_string(), Vec::new()),
    };
    let text = template(name, councils, &town, &districts);
    let write_err = |source| ScaffoldError::Write {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(path.parent().unwrap_or(content)).map_err(write_err)?;
    std::fs::write(&path, text).map_err(|source| ScaffoldError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(path)
}

fn known_councils(dir: &Path) -> String {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    e.path()
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids.join(", ")
}

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn template(name: &str, councils: &[String], town: &str, districts: &[String]) -> String {
    let list = |items: &[String]| {
        items
            .iter()
            .map(|s| yaml_string(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r#"---
# yaml-language-server: $schema=../schema/enterprise.schema.json
# A new listing. Lines starting with # are notes for you; they are never published.
# Run `carepages check` after each change: it says what is missing and how to fix it.

name: {name}
# One or two plain sentences (at most 300 characters): what you offer, for whom, where.
summary: Replace this with what you offer, who it is for and where you work.
councils: [{councils}]
# What you offer. Choose from: companionship, home_help, personal_care, meals,
# shopping_errands, day_opportunities, activities_hobbies, short_breaks, sitting_service,
# transport_escort, gardening, handyperson, pet_care, wellbeing_therapies, life_skills,
# work_support, carer_support
support_types: [companionship]
# Who it is for. Choose from: older_people, dementia, learning_disability, autism,
# physical_disability, sensory_impairment, mental_health, long_term_condition, carers,
# end_of_life
who_for: [older_people]
# Where you work: towns and the first half of postcodes. Never a home address.
service_area:
  towns: [{town}]
  postcode_districts: [{districts}]
contact:
  first_name: Sam                 # first name only
  phone: "07700 900000"           # keep the quotation marks
  # email: hello@example.org
  # website: https://example.org
cost:
  - {{amount: 18.00, unit: hour, description: "Minimum one hour"}}
payment_accepted: [self_funded, direct_payment]
languages: [en]                   # the languages you can support someone in: en, cy (Welsh), bfi (BSL)…
# welsh:                          # for a council with Welsh pages: your words in Welsh
#   name: ...                     # only if the Welsh name is different
#   summary: ...
#   description: |
#     ...
#   cost: ...                     # the cost wording, in Welsh
availability:
  taking_new_clients: "yes"       # yes, limited or no
  days: [mon, tue, wed, thu, fri]
standards:
  # The evidence the council has seen. Dates are written YYYY-MM-DD.
  evidence: []
  #  - {{type: public_liability, expires: 2027-01-31}}
  #  - {{type: dbs_enhanced, issued: 2025-10-15}}
  #  - {{type: safeguarding_training, completed: 2025-09-20}}
  # If you offer personal care, say whether you are registered with the CQC:
  # cqc: {{registered: false, basis: "Self-employed; care directed by the client"}}
# review:
#   last_checked: 2026-05-20      # filled in by the council after checking the evidence
consent:
  publish: false                  # change to true once the enterprise agrees to be listed
---

Write about your service here, in your own words: what you do, what a first visit is
like, and anything people often ask.
"#,
        name = yaml_string(name),
        councils = list(councils),
        town = yaml_string(town),
        districts = list(districts),
    )
}

/// A short id for a council, from its name: "Westmoor District Council" becomes
/// `westmoor`, "City of Brightwater" `brightwater`. Words every council has are left out.
pub fn suggest_id(council_name: &str) -> String {
    const COMMON: [&str; 12] = [
        "council",
        "county",
        "borough",
        "district",
        "city",
        "metropolitan",
        "of",
        "the",
        "and",
        "royal",
        "unitary",
        "cyngor",
    ];
    let slug = slugify(council_name);
    let words: Vec<&str> = slug
        .split('-')
        .filter(|w| !w.is_empty() && !COMMON.contains(w))
        .collect();
    let id = if words.is_empty() {
        slug.clone()
    } else {
        words.join("-")
    };
    let id: String = id.chars().take(40).collect();
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        "council".into()
    } else {
        id
    }
}

/// Files a new content repository starts with, besides its council and example listing.
const SCHEMA_FILES: [(&str, &str); 4] = [
    (
        "content/schema/enterprise.schema.json",
        crate::standards::DEFAULT_LISTING_SCHEMA,
    ),
    (
        "content/schema/council.schema.json",
        crate::standards::DEFAULT_COUNCIL_SCHEMA,
    ),
    (
        "content/standards/doing-it-right.yaml",
        crate::standards::DEFAULT_PROFILE,
    ),
    (
        "content/search/synonyms.yaml",
        include_str!("../content/search/synonyms.yaml"),
    ),
];

/// The steps that put the `carepages` command on a workflow's machine: the released binary
/// for the version the repository names, checked against its published checksum; when there
/// is no release to download, `cargo install` from the same tag, cached between runs.
const INSTALL_STEPS: &str = r#"      # CAREPAGES_REPO is the GitHub repository carepages is released from (owner/name): set
      # it under Settings > Secrets and variables > Actions > Variables. See README.md.
      - name: Install carepages __VERSION__
        env:
          CAREPAGES_REPO: ${{ vars.CAREPAGES_REPO }}
          VERSION: "__VERSION__"
        run: |
          set -euo pipefail
          if [ -z "$CAREPAGES_REPO" ]; then
            echo "::error::Set the repository variable CAREPAGES_REPO to the GitHub repository carepages is released from, such as example-council/carepages (see README.md)."
            exit 1
          fi
          name="carepages-x86_64-unknown-linux-gnu"
          base="https://github.com/$CAREPAGES_REPO/releases/download/v$VERSION"
          mkdir -p "$HOME/.local/bin"
          if curl -fsSL "$base/$name.tar.gz" -o "$name.tar.gz" && curl -fsSL "$base/$name.tar.gz.sha256" -o "$name.tar.gz.sha256"; then
            sha256sum -c "$name.tar.gz.sha256"
            tar -xzf "$name.tar.gz" -C "$HOME/.local/bin" carepages
            rm -f "$name.tar.gz" "$name.tar.gz.sha256"
            echo "INSTALLED=release" >> "$GITHUB_ENV"
          else
            echo "No release binary for v$VERSION: building it with cargo install (cached after the first run)."
            echo "INSTALLED=source" >> "$GITHUB_ENV"
          fi
          echo "$HOME/.local/bin" >> "$GITHUB_PATH"
      - if: env.INSTALLED == 'source'
        uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/carepages
          key: carepages-${{ runner.os }}-__VERSION__
      - if: env.INSTALLED == 'source'
        run: command -v carepages || cargo install carepages --locked --git "https://github.com/${{ vars.CAREPAGES_REPO }}" --tag "v__VERSION__"
"#;

const PULL_REQUEST_WORKFLOW: &str = r#"# Checks every pull request and puts problems on the changed lines, then writes what the
# change will publish (listings that appear, disappear and why, and change) on the run's
# summary page for the council officer who reviews it.
name: Check listings
on:
  pull_request:
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
__INSTALL__      - run: carepages check --format github
      - name: What this change will publish
        if: success() || failure()
        env:
          BASE: ${{ github.base_ref }}
        run: carepages diff --since "origin/$BASE" --format markdown >> "$GITHUB_STEP_SUMMARY"
"#;

const DEPLOY_WORKFLOW: &str = r#"# Builds the site on every push to main and every night, so evidence that lapses is
# withheld without anyone pushing, then publishes it to GitHub Pages.
name: Build and publish
on:
  push:
    branches: [main]
  schedule:
    - cron: "17 2 * * *"
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
__INSTALL__      - run: carepages build --council __COUNCIL__
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output/__COUNCIL__
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

/// A workflow with the install steps for this version of carepages written in.
fn workflow(template: &str, council: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    template
        .replace(
            "__INSTALL__",
            &INSTALL_STEPS.replace("__VERSION__", version),
        )
        .replace("__COUNCIL__", council)
}

/// Writes a new content repository in `dir` for one council and returns the council's id.
/// Dates in the example listing are set around `today` so that it publishes.
pub fn init(
    dir: &Path,
    council_name: &str,
    id: &str,
    today: time::Date,
) -> Result<String, ScaffoldError> {
    let valid = !id.is_empty()
        && id.len() <= 40
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(ScaffoldError::BadId(id.to_string()));
    }
    let id = id.to_string();
    let council_file = dir.join("content/councils").join(format!("{id}.yaml"));
    if council_file.exists() {
        return Err(ScaffoldError::Exists(council_file.display().to_string()));
    }
    let date = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day());
    let council = format!(
        "# The settings for {name}'s directory. See the README of carepages for every field.\nname: {quoted}\nbase_url: https://care.{id}.example/   # where the site will be published, ending in /\ntheme: default\nareas:\n  - {{town: Exampleton, postcode_districts: [EX1, EX2]}}\ncontact: {{email: care@{id}.example, phone: \"01632 960000\"}}\nintro: |\n  These are small local enterprises offering care and support. A listing is not a\n  recommendation: it shows the enterprise has given us the evidence our standards ask for.\n# Before going live, fill in what only the council can say in the accessibility statement\n# and privacy notice; `carepages check` lists what is still missing.\n# statements:\n#   accessibility: {{compliance: full, prepared: YYYY-MM-DD, reviewed: YYYY-MM-DD, tested: YYYY-MM-DD}}\n#   privacy: {{dpo_email: dataprotection@{id}.example}}\n",
        name = council_name,
        quoted = serde_json::to_string(council_name).unwrap_or_default(),
    );
    let example = format!(
        "---\n# yaml-language-server: $schema=../schema/enterprise.schema.json\nname: Example Companions\nsummary: Friendly company and help at home for older people in Exampleton.\ncouncils: [{id}]\nsupport_types: [companionship, home_help]\nwho_for: [older_people]\nservice_area:\n  towns: [Exampleton]\n  postcode_districts: [EX1]\ncontact:\n  first_name: Sam\n  phone: \"07700 900000\"\ncost:\n  - {{amount: 18, unit: hour}}\navailability:\n  taking_new_clients: \"yes\"\n  days: [mon, tue, wed]\nstandards:\n  evidence:\n    - {{type: public_liability, expires: {expires}}}\n    - {{type: dbs_enhanced, issued: {recent}}}\n    - {{type: safeguarding_training, completed: {recent}}}\nreview:\n  last_checked: {recent}\nconsent:\n  publish: true\n---\n\nReplace this example with your first real listing. `carepages new \"Name\" --council {id}` starts another.\n",
        expires = date(today.saturating_add(time::Duration::days(365))),
        recent = date(today.saturating_sub(time::Duration::days(30))),
    );
    let guide = include_str!("../docs/volunteer-guide.md");
    let mut files: Vec<(String, String)> = SCHEMA_FILES
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    files.push((format!("content/councils/{id}.yaml"), council));
    files.push(("content/enterprises/example-companions.md".into(), example));
    files.push(("docs/volunteer-guide.md".into(), guide.to_string()));
    files.push((
        ".github/workflows/check.yml".into(),
        workflow(PULL_REQUEST_WORKFLOW, &id),
    ));
    files.push((
        ".github/workflows/publish.yml".into(),
        workflow(DEPLOY_WORKFLOW, &id),
    ));
    files.push((".gitignore".into(), "/output\n".into()));
    files.push((
        "README.md".into(),
        format!("# {council_name} care directory\n\n```sh\ncarepages check     # check every listing\ncarepages build     # build the site into output/{id}/\n```\n\nListings are in `content/enterprises/`; the volunteer guide is `docs/volunteer-guide.md`.\n\n## Publishing from GitHub\n\nPull requests are checked by `.github/workflows/check.yml`, which puts every problem on the\nline of the listing it is in and writes what the change will publish (`carepages diff`) on the\nrun's summary page. `publish.yml` builds the site and publishes it to GitHub Pages\non every push to main and every night, so evidence that lapses is withheld without anyone\npushing.\n\nBoth install carepages {version}, the version this repository was made with. Before the first\nrun, tell them where carepages is released from: in the repository's **Settings > Secrets and\nvariables > Actions > Variables**, add a variable named `CAREPAGES_REPO` whose value is the\nGitHub repository carepages is released from, written `owner/name`. The workflows download\nthat release's Linux binary and check its checksum (a few seconds); if the release has no\nbinary, they build carepages from the same tag with `cargo install` once (about ten minutes)\nand keep it in the Actions cache for later runs. To move to a newer carepages, change the\nversion in both workflows.\n\nFor GitHub Pages, choose **Settings > Pages > Source: GitHub Actions**.\n", version = env!("CARGO_PKG_VERSION")),
    ));
    for (rel, text) in files {
        let path = dir.join(&rel);
        let fail = |source| ScaffoldError::Write {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        if !path.exists() {
            std::fs::write(&path, text).map_err(|source| ScaffoldError::Write {
                path: path.display().to_string(),
                source,
            })?;
        }
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_listing_is_valid_but_withheld_until_filled_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        let content = dir.path();
        std::fs::create_dir_all(content.join("councils")).expect("mkdir");
        std::fs::write(
            content.join("councils/testshire.yaml"),
            "name: Testshire\nbase_url: https://t.example/\ntheme: default\nareas: [{town: Williton, postcode_districts: [TA4]}]\n",
        )
        .expect("write");
        let path =
            new_listing(content, "Sam's Garden: Help & Care", &["testshire".into()]).expect("new");
        assert!(path.ends_with("enterprises/sam-s-garden-help-care.md"));
        let directory = crate::check(content, time::macros::date!(2026 - 11 - 25)).expect("check");
        assert!(!directory.has_errors(), "{:?}", directory.diagnostics);
        assert_eq!(directory.listings.len(), 1);
        assert_eq!(
            directory.listings[0].front.name,
            "Sam's Garden: Help & Care"
        );
        assert!(!directory.listings[0].is_published());
        assert!(matches!(
            new_listing(content, "Sam's Garden: Help & Care", &["testshire".into()]),
            Err(ScaffoldError::Exists(_))
        ));
        assert!(matches!(
            new_listing(content, "Other", &["nowhere".into()]),
            Err(ScaffoldError::UnknownCouncil { .. })
        ));
    }

    #[test]
    fn a_council_id_is_suggested_from_its_name_without_the_words_every_council_has() {
        assert_eq!(suggest_id("Westmoor Council"), "westmoor");
        assert_eq!(suggest_id("Royal Borough of Kingsbridge"), "kingsbridge");
        assert_eq!(suggest_id("City and County of Swansea"), "swansea");
        assert_eq!(
            suggest_id("North East Lindsey Council"),
            "north-east-lindsey"
        );
        assert_eq!(suggest_id("Cyngor Gwynedd"), "gwynedd");
        assert_eq!(suggest_id("The Council"), "the-council");
    }

    #[test]
    fn the_workflows_name_this_version_and_the_variable_they_need() {
        let check = workflow(PULL_REQUEST_WORKFLOW, "westmoor");
        assert!(check.contains(&format!("VERSION: \"{}\"", env!("CARGO_PKG_VERSION"))));
        assert!(check.contains("vars.CAREPAGES_REPO"));
        assert!(check.contains("sha256sum -c"));
        assert!(check.contains("actions/cache@v4"));
        assert!(!check.contains("__"), "{check}");
        // The diff of every pull request goes on its summary page, the base branch passed
        // through the environment rather than written into the script.
        assert!(check.contains("fetch-depth: 0"), "{check}");
        assert!(check.contains(
            "carepages diff --since \"origin/$BASE\" --format markdown >> \"$GITHUB_STEP_SUMMARY\""
        ));
        assert!(check.contains("BASE: ${{ github.base_ref }}"));
        assert!(
            check.find("check --format github") < check.find("carepages diff"),
            "{check}"
        );
        let publish = workflow(DEPLOY_WORKFLOW, "westmoor");
        assert!(publish.contains("carepages build --council westmoor"));
        assert!(publish.contains("path: output/westmoor"));
    }
}
