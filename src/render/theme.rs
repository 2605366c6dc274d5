//! Themes: a folder of templates, static files and translations under `themes/<name>/`.
//! Every theme inherits from `default`: a theme supplies only the files it changes, and
//! anything it leaves out comes from `default`. Templates are compiled once per theme.

use super::minify::minify_template;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The theme every other theme builds on.
pub const BASE_THEME: &str = "default";

/// A theme ready to render with.
pub struct Theme {
    pub name: String,
    pub tera: tera::Tera,
    /// The templates' sources (HTML ones minified), by name, for [`Theme::for_site`].
    sources: BTreeMap<String, String>,
    /// Translations for the site's language, `default`'s merged under the theme's own.
    pub strings: serde_json::Value,
    /// Static files by their path inside `static/`.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A problem with a theme, named by file so the person who edits themes can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("there is no theme called \"{name}\" in {dir} (themes found: {found})")]
    Missing {
        name: String,
        dir: String,
        found: String,
    },
    #[error("theme \"{name}\" has no words in the language \"{lang}\" (no i18n/{lang}.yaml)")]
    NoLanguage { name: String, lang: String },
    #[error("{path} was not read: {why}")]
    Read {
        path: String,
        why: crate::content::files::Refusal,
    },
    #[error("{path} is not UTF-8 text")]
    NotText { path: String },
    #[error("{path} is not valid YAML: {source}")]
    Strings {
        path: String,
        source: serde_yaml::Error,
    },
    #[error("a template in theme \"{theme}\" has a mistake: {message}")]
    Template { theme: String, message: String },
    #[error("a template in theme \"{theme}\" stops working once minified: {message}\nTemplates are minified when loaded: keep Tera tags out of tag names and attribute lists (put them inside quoted attribute values), and use single quotes for strings inside attribute values.")]
    Minified { theme: String, message: String },
}

impl Theme {
    /// Loads `themes/<name>/` on top of `themes/default/`, for language `lang`.
    pub fn load(themes_dir: &Path, name: &str, lang: &str) -> Result<Theme, ThemeError> {
        let mut templates = BTreeMap::new();
        let mut files = BTreeMap::new();
        let mut strings = serde_json::Value::Object(Default::default());
        let strings_name = format!("i18n/{lang}.yaml");
        let base_dir = themes_dir.join(BASE_THEME);
        if base_dir.is_dir() {
            read_layer(
                &base_dir,
                &strings_name,
                &mut templates,
                &mut files,
                &mut strings,
            )?;
        } else {
            // A content repository without its own themes/ still builds, with the default
            // theme that ships inside carepages.
            for file in built_in_files(&BUILT_IN_DEFAULT) {
                let rel = file.path().to_string_lossy().replace('\\', "/");
                if let Some(t) = rel.strip_prefix("templates/") {
                    templates.insert(
                        t.to_string(),
                        String::from_utf8_lossy(file.contents()).into_owned(),
                    );
                } else if let Some(f) = rel.strip_prefix("static/") {
                    files.insert(f.to_string(), file.contents().to_vec());
                } else if rel == strings_name {
                    let layer = serde_yaml::from_slice(file.contents()).map_err(|source| {
                        ThemeError::Strings {
                            path: format!("built-in {rel}"),
                            source,
                        }
                    })?;
                    merge(&mut strings, layer);
                }
            }
        }
        if name != BASE_THEME {
            let dir = themes_dir.join(name);
            // A theme is a folder of the themes folder: never `..`, a path, or a link out.
            let plain_name = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let inside =
                plain_name && crate::content::files::resolve_inside(themes_dir, &dir).is_ok();
            if !inside || !dir.is_dir() {
                return Err(ThemeError::Missing {
                    name: name.to_string(),
                    dir: themes_dir.display().to_string(),
                    found: list_themes(themes_dir),
                });
            }
            read_layer(
                &dir,
                &strings_name,
                &mut templates,
                &mut files,
                &mut strings,
            )?;
        }
        // HTML templates are minified once here rather than every page after rendering:
        // the result is the same markup, and minifying 15,000 pages was the slowest stage.
        let written = templates.clone();
        for (name, source) in templates.iter_mut() {
            if name.ends_with(".html") {
                *source = minify_template(source);
            }
        }
        // A mistake is shown where the theme's author wrote it, not in the minified copy,
        // which is one long line.
        let tera = templates_engine(name, &templates).map_err(|minified| {
            match (templates_engine(name, &written), minified) {
                (Err(written), _) => written,
                (Ok(_), ThemeError::Template { theme, message }) => {
                    ThemeError::Minified { theme, message }
                }
                (Ok(_), other) => other,
            }
        })?;
        // A language the theme has no words for would fail on the first page with a template
        // error; say so plainly instead.
        if strings.as_object().is_none_or(|o| o.is_empty()) {
            return Err(ThemeError::NoLanguage {
                name: name.to_string(),
                lang: lang.to_string(),
            });
        }

        Ok(Theme {
            name: name.to_string(),
            tera,
            sources: templates,
            strings,
            files,
        })
    }

    /// The theme's templates with one site's constants written in: each plain
    /// `{{ t.… }}`, `{{ site.… }}` or `{{ assets['…'] }}` that names text in `constants`
    /// becomes that text, escaped as Tera would escape it. A site renders thousands of
    /// pages from a handful of templates, and looking these values up on every page was
    /// most of Tera's work. The pages are the same either way (tests/build.rs checks).
    ///
    /// Nothing is written in when a template could give one of those names another
    /// meaning (`set`, `for`, a component's argument) or shows template code as text (`raw`).
    pub fn for_site(&self, constants: &serde_json::Value) -> Result<tera::Tera, ThemeError> {
        if std::env::var_os("CAREPAGES_PLAIN_TEMPLATES").is_some()
            || self
                .sources
                .values()
                .any(|source| rebinds_constants(source))
        {
            return Ok(self.tera.clone());
        }
        let specialised: BTreeMap<String, String> = self
            .sources
            .iter()
            .map(|(name, source)| {
                // Tera escapes what HTML and XML templates print; only those are written
                // into, so each value is escaped as Tera would have.
                let html = name.ends_with(".html") || name.ends_with(".xml");
                let written = if html && !defines_components(source) {
                    write_in_constants(source, constants, true)
                } else {
                    source.clone()
                };
                (name.clone(), written)
            })
            .collect();
        templates_engine(&self.name, &specialised)
    }
}

impl Theme {
    /// Whether `template` uses `root` only to print it, as `{{ root }}`, and shows no other
    /// template. Then what it renders for a page at one depth is what it renders at another
    /// with the climb to the top of the site swapped, so a card can be rendered once for
    /// every depth of browse page. `CAREPAGES_PLAIN_TEMPLATES` turns this off too, for the
    /// test that compares.
    pub fn prints_root_plainly(&self, template: &str) -> bool {
        std::env::var_os("CAREPAGES_PLAIN_TEMPLATES").is_none()
            && self
                .sources
                .get(template)
                .is_some_and(|s| prints_root_plainly(s))
    }
}

/// See [`Theme::prints_root_plainly`]. Any other mention of the word `root`, even in the
/// markup, or anything that could bring in other template code, says no.
fn prints_root_plainly(source: &str) -> bool {
    // Comments show nothing, so what they say does not count.
    let mut code = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("{#") {
        code.push_str(&rest[..at]);
        rest = rest[at..]
            .find("#}")
            .map_or("", |end| &rest[at + end + 2..]);
    }
    code.push_str(rest);
    let source = code.as_str();
    let brings_in_others = source.contains("__tera_context")
        || source.contains("::")
        || source.split("{%").skip(1).any(|tag| {
            let keyword = tag.trim_start_matches('-').split_whitespace().next();
            matches!(
                keyword,
                Some("include" | "import" | "extends" | "macro" | "component" | "block" | "raw")
            )
        })
        // A component call, `{{ <name ... /> }}` or `{% <name> %}`.
        || ["{{", "{%"].iter().any(|open| {
            source
                .split(open)
                .skip(1)
                .any(|tag| tag.trim_start_matches('-').trim_start().starts_with('<'))
        });
    if brings_in_others {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let words = source
        .match_indices("root")
        .filter(|(at, _)| {
            !source[..*at].ends_with(is_word) && !source[at + 4..].starts_with(is_word)
        })
        .count();
    let printed = source
        .split("{{")
        .skip(1)
        .filter(|rest| rest.split("}}").next().map(str::trim) == Some("root"))
        .count();
    words == printed
}

fn templates_engine(
    theme: &str,
    templates: &BTreeMap<String, String>,
) -> Result<tera::Tera, ThemeError> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on([".html", ".xml"]);
    tera.set_escape_fn(escape_into);
    tera.register_filter("json_encode", json_encode);
    tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| ThemeError::Template {
            theme: theme.to_string(),
            message: error_chain(&e),
        })?;
    Ok(tera)
}

/// The names [`Theme::for_site`] writes in.
const CONSTANTS: [&str; 3] = ["t", "site", "assets"];

/// Whether a template might give `t`, `site` or `assets` another value, or print template
/// code as text, so that writing the site's values in could change what it shows. (A
/// component's arguments are its own: a file of components is never written into, see
/// [`defines_components`].)
fn rebinds_constants(source: &str) -> bool {
    let mut rest = source;
    while let Some(at) = rest.find("{%") {
        let tag = &rest[at + 2..];
        let end = tag.find("%}").unwrap_or(tag.len());
        let tag = tag[..end].trim_start_matches('-').trim();
        let keyword = tag.split_whitespace().next().unwrap_or("");
        if keyword == "raw" {
            return true;
        }
        if matches!(keyword, "set" | "set_global" | "for")
            && tag
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| CONSTANTS.contains(&word))
        {
            return true;
        }
        rest = &rest[at + 2..];
    }
    false
}

/// Whether a template defines components (Tera's macros). A component sees only its
/// arguments, which may be named like the site's constants, so such a file keeps its
/// lookups.
fn defines_components(source: &str) -> bool {
    source.split("{%").skip(1).any(|tag| {
        matches!(
            tag.trim_start_matches('-').split_whitespace().next(),
            Some("macro" | "component")
        )
    })
}

/// `source` with each `{{ name.path }}` or `{{ assets['file'] }}` whose value in
/// `constants` is text replaced by that text (escaped when `escape`). Anything else, and
/// any text that would read as template code, is left as it was.
fn write_in_constants(source: &str, constants: &serde_json::Value, escape: bool) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let expression = &after[..end];
        let value = constant(expression.trim(), constants)
            .filter(|_| !expression.starts_with('-') && !expression.ends_with('-'))
            .map(|text| {
                if escape {
                    escape_html(text)
                } else {
                    text.to_owned()
                }
            })
            // A brace could join with the template text around it into a tag (a council
            // named "Westmoor {" before `{{`): such text is looked up when pages are made.
            .filter(|text| !text.contains(['{', '}']));
        match value {
            Some(text) => out.push_str(&text),
            None => out.push_str(&rest[at..at + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The text an expression names, if it is a plain path to text in `constants`.
fn constant<'a>(expression: &str, constants: &'a serde_json::Value) -> Option<&'a str> {
    let plain = |part: &str| {
        !part.is_empty()
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !part.starts_with(|c: char| c.is_ascii_digit())
    };
    if let Some(file) = expression
        .strip_prefix("assets['")
        .and_then(|rest| rest.strip_suffix("']"))
    {
        let ok = !file.is_empty() && !file.contains(['\'', '\\']);
        return constants.get("assets")?.get(file).filter(|_| ok)?.as_str();
    }
    let mut parts = expression.split('.');
    let root = parts.next()?;
    if !matches!(root, "t" | "site") {
        return None;
    }
    let mut value = constants.get(root)?;
    let mut depth = 0;
    for part in parts {
        if !plain(part) {
            return None;
        }
        value = value.get(part)?;
        depth += 1;
    }
    if depth == 0 {
        return None;
    }
    value.as_str()
}

/// The default theme, built into the binary so that any content folder can be built.
static BUILT_IN_DEFAULT: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/default");

fn built_in_files(
    dir: &'static include_dir::Dir<'static>,
) -> Vec<&'static include_dir::File<'static>> {
    let mut out: Vec<&include_dir::File> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(built_in_files(sub));
    }
    out.sort_by_key(|f| f.path());
    out
}

/// Adds one theme folder's templates, static files and strings over what is there.
fn read_layer(
    dir: &Path,
    strings_name: &str,
    templates: &mut BTreeMap<String, String>,
    files: &mut BTreeMap<String, Vec<u8>>,
    strings: &mut serde_json::Value,
) -> Result<(), ThemeError> {
    for (rel, path) in walk(&dir.join("templates"))? {
        templates.insert(rel, read_string(&path)?);
    }
    for (rel, path) in walk(&dir.join("static"))? {
        files.insert(rel, read(&path)?);
    }
    let strings_file = dir.join(strings_name);
    // The language comes from the council's settings: the file must still be in this theme.
    let inside = crate::content::files::resolve_inside(dir, &strings_file).is_ok();
    if inside && strings_file.is_file() {
        let text = read_string(&strings_file)?;
        let layer: serde_json::Value =
            serde_yaml::from_str(&text).map_err(|source| ThemeError::Strings {
                path: strings_file.display().to_string(),
                source,
            })?;
        merge(strings, layer);
    }
    Ok(())
}

/// Tera's `json_encode` filter, which Tera 2 leaves to the program: a value as compact
/// JSON with its keys in order, so the same strings give the same page.
fn json_encode(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::TeraResult<String> {
    let json = serde_json::to_value(&value).map_err(|e| tera::Error::message(e.to_string()))?;
    Ok(json.to_string())
}

/// [`escape_html`], writing as it goes, as Tera calls it.
fn escape_into(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut done = 0;
    for (at, b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[done..at])?;
        out.write_all(escaped)?;
        done = at + 1;
    }
    out.write_all(&bytes[done..])
}

/// Escapes text for HTML text and quoted attribute values. Unlike Tera's default it leaves
/// `/` alone, which needs no escaping and would otherwise bloat every URL.
fn escape_html(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8);
    // Writing into a Vec cannot fail, and only whole characters are copied.
    let _ = escape_into(input, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Tera wraps the useful part of its errors in `source()`; show the whole chain.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

fn list_themes(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn walk(dir: &Path) -> Result<Vec<(String, PathBuf)>, ThemeError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| ThemeError::Read {
            path: dir.display().to_string(),
            why: crate::content::files::Refusal::Unreadable(
                e.io_error().map_or(std::io::ErrorKind::Other, |e| e.kind()),
            ),
        })?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.push((rel, entry.path().to_path_buf()));
    }
    Ok(out)
}

/// The largest theme file read (fonts and images included).
const MAX_THEME_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Reads a file the theme walk found: an ordinary file in its own folder, within the limit.
fn read(path: &Path) -> Result<Vec<u8>, ThemeError> {
    let folder = path.parent().unwrap_or(Path::new("."));
    crate::content::files::read_inside(folder, path, MAX_THEME_FILE_BYTES).map_err(|why| {
        ThemeError::Read {
            path: path.display().to_string(),
            why,
        }
    })
}

fn read_string(path: &Path) -> Result<String, ThemeError> {
    String::from_utf8(read(path)?).map_err(|_| ThemeError::NotText {
        path: path.display().to_string(),
    })
}

/// Deep-merges `layer` into `base`: the theme's strings win, missing ones fall back.
fn merge(base: &mut serde_json::Value, layer: serde_json::Value) {
    match (base, layer) {
        (serde_json::Value::Object(b), serde_json::Value::Object(l)) => {
            for (k, v) in l {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, l) => *b = l,
    }
}

/// A content-hashed file name, so browsers can cache assets forever: `style.css` becomes
/// `style.1a2b3c4d5e.css`.
pub fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_constants_are_written_into_templates() {
        let constants = serde_json::json!({
            "t": {"home": "Home & away", "nested": {"x": "deep"}, "count": 3},
            "site": {"name": "Testshire <Council>"},
            "assets": {"style.css": "assets/style.abc.css"},
        });
        let source = "<a href=\"{{ root }}\">{{ t.home }}</a>{{t.nested.x}}{{ t.count }}\
            {{ site.name }}{{ site.name | upper }}{{ assets['style.css'] }}{{ assets['x.css'] }}\
            {{- t.home }}{{ t.missing }}{{ listing.name }}{{ t }}";
        assert_eq!(
            write_in_constants(source, &constants, true),
            "<a href=\"{{ root }}\">Home &amp; away</a>deep{{ t.count }}\
            Testshire &lt;Council&gt;{{ site.name | upper }}assets/style.abc.css{{ assets['x.css'] }}\
            {{- t.home }}{{ t.missing }}{{ listing.name }}{{ t }}"
        );
        assert_eq!(
            write_in_constants("{{ t.home }}", &constants, false),
            "Home & away"
        );
        // Text that would read as template code is left to Tera.
        let tricky = serde_json::json!({"t": {"x": "{{ oops }}"}});
        assert_eq!(write_in_constants("{{ t.x }}", &tricky, true), "{{ t.x }}");
    }

    #[test]
    fn only_templates_that_just_print_root_are_rendered_once_for_all_depths() {
        assert!(prints_root_plainly(
            "<a href=\"{{ root }}{{ card.url }}\">{{card.name}}</a><img src=\"{{root}}x\">"
        ));
        assert!(prints_root_plainly("<p>{{ card.name }}</p>"));
        for source in [
            "{% if root %}<a href=\"{{ root }}\">{% endif %}",
            "<a href=\"{{ root | safe }}\">",
            "{{ root ~ 'x' }}",
            "{% set up = root %}{{ up }}",
            "<p class=\"root\">{{ root }}</p>",
            "{% include \"other.html\" %}{{ root }}",
            "{{ m::link(url=card.url) }}",
            "{{ <link url={card.url} /> }}",
            "{%- <panel> %}{{ root }}{% </panel> %}",
            "{{ __tera_context }}",
            "{% raw %}{{ root }}{% endraw %}",
        ] {
            assert!(!prints_root_plainly(source), "{source}");
        }
        // Names that merely contain the word are other variables, and comments show nothing.
        assert!(prints_root_plainly("{{ roots }}{{ grassroot }}{{ root }}"));
        assert!(prints_root_plainly(
            "{# uses `root` #}<a href=\"{{ root }}\">{# root #}"
        ));
    }

    #[test]
    fn templates_that_rename_the_constants_are_left_alone() {
        assert!(rebinds_constants("{% set t = 1 %}"));
        assert!(rebinds_constants("{%- for site in sites -%}"));
        assert!(!rebinds_constants(
            "{% component card(t, x) %}{{ t.home }}{% endcomponent card %}"
        ));
        assert!(defines_components(
            "{%- component card(t, x) %}{{ t.home }}{% endcomponent card %}"
        ));
        assert!(!defines_components("{% if t.home %}{% endif %}"));
        assert!(rebinds_constants("{% raw %}{{ t.home }}{% endraw %}"));
        assert!(!rebinds_constants(
            "{% for a in listing.towns %}{% set total = 2 %}"
        ));
        assert!(!rebinds_constants("{% if site.logo %}{% endif %}"));
    }

    #[test]
    fn text_is_escaped_for_html_and_attributes() {
        assert_eq!(escape_html("Kindly Hands"), "Kindly Hands");
        assert_eq!(
            escape_html("<b>Tom & Jerry's \"help\"</b>"),
            "&lt;b&gt;Tom &amp; Jerry&#39;s &quot;help&quot;&lt;/b&gt;"
        );
        assert_eq!(
            escape_html("Siân's café > 5/7 & up"),
            "Siân&#39;s café &gt; 5/7 &amp; up"
        );
        assert_eq!(escape_html("&"), "&amp;");
        assert_eq!(escape_html(""), "");
    }

    #[test]
    fn hashed_names_change_with_content() {
        let a = hashed_name("css/style.css", b"a");
        assert!(a.starts_with("css/style.") && a.ends_with(".css"));
        assert_ne!(a, hashed_name("css/style.css", b"b"));
    }

    #[test]
    fn a_theme_overrides_only_what_it_has() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |p: &str, s: &str| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, s).expect("write");
        };
        write("default/templates/a.html", "default a");
        write("default/templates/b.html", "default b");
        write("default/i18n/en.yaml", "x: default\ny: kept\n");
        write("small/templates/b.html", "small b");
        write("small/i18n/en.yaml", "x: small\n");
        let theme = Theme::load(dir.path(), "small", "en").expect("theme");
        let ctx = tera::Context::new();
        assert_eq!(theme.tera.render("a.html", &ctx).expect("a"), "default a");
        assert_eq!(theme.tera.render("b.html", &ctx).expect("b"), "small b");
        assert_eq!(theme.strings["x"], "small");
        assert_eq!(theme.strings["y"], "kept");
        assert!(matches!(
            Theme::load(dir.path(), "nope", "en"),
            Err(ThemeError::Missing { .. })
        ));
    }

    #[test]
    fn a_template_mistake_is_shown_on_the_line_it_was_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("default/templates");
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(
            folder.join("page.html"),
            "<!doctype html>\n<p>\n  {{ listing.name }\n</p>\n",
        )
        .expect("write");
        let message = match Theme::load(dir.path(), BASE_THEME, "en") {
            Err(e @ ThemeError::Template { .. }) => e.to_string(),
            other => panic!("expected a template mistake, not {:?}", other.err()),
        };
        assert!(message.contains("page.html:3:"), "{message}");
        assert!(message.contains("{{ listing.name }"), "{message}");
        assert!(!message.contains("minified"), "{message}");
    }
}
