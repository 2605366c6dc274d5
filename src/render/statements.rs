//! The pages the law and good practice ask every council site to have: an accessibility
//! statement (Public Sector Bodies Accessibility Regulations 2018, following the GOV.UK
//! model), a privacy notice (UK GDPR: the site publishes sole traders' names and numbers)
//! and a cookies page. The words are the theme's; the findings, dates and contacts are the
//! council's settings. What the council has not written is left out, never invented:
//! `check` lists it as a to-do (see `standards::settings::go_live_todo`).

use super::views::Labels;
use super::{PageRenderer, RenderError};
use crate::content::CouncilSettings;
use serde::Serialize;

/// Where each page is published, and its template.
pub const PAGES: [(&str, &str); 3] = [
    ("accessibility/index.html", "accessibility.html"),
    ("privacy/index.html", "privacy.html"),
    ("cookies/index.html", "cookies.html"),
];

/// The council's part of the statements, as the templates show it.
#[derive(Debug, Serialize, Hash)]
pub struct StatementsView {
    /// Who runs the site and decides what it publishes.
    pub controller: String,
    /// `full`, `partial` or `not`; none until the council has assessed the site.
    pub compliance: Option<String>,
    pub known_problems: Vec<String>,
    pub prepared: Option<String>,
    pub reviewed: Option<String>,
    pub tested: Option<String>,
    pub tested_by: Option<String>,
    pub reply_days: Option<u32>,
    pub dpo_email: Option<String>,
    pub ico_registration: Option<String>,
}

impl StatementsView {
    pub fn new(settings: &CouncilSettings, labels: &Labels) -> StatementsView {
        let a = &settings.statements.accessibility;
        let p = &settings.statements.privacy;
        StatementsView {
            controller: p
                .controller
                .clone()
                .unwrap_or_else(|| settings.name.clone()),
            compliance: a
                .compliance
                .clone()
                .filter(|c| ["full", "partial", "not"].contains(&c.as_str())),
            known_problems: a.known_problems.clone(),
            prepared: a.prepared.as_deref().and_then(|d| labels.long_date(d)),
            reviewed: a.reviewed.as_deref().and_then(|d| labels.long_date(d)),
            tested: a.tested.as_deref().and_then(|d| labels.long_date(d)),
            tested_by: a.tested_by.clone(),
            reply_days: a.reply_days,
            dpo_email: p.dpo_email.clone(),
            ico_registration: p.ico_registration.clone(),
        }
    }
}

/// Renders the three pages. They show only the site's own values (in every page's
/// context), so the preview keeps them while the settings are unchanged.
pub(super) fn pages(renderer: &PageRenderer) -> Result<Vec<String>, RenderError> {
    PAGES
        .iter()
        .map(|(path, template)| renderer.page(path, template, 0, &[]))
        .collect()
}
