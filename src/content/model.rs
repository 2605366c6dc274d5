//! The typed content model. These structs are filled only after the JSON Schema has
//! accepted a file, so they describe valid shapes and carry no checks of their own.

use serde::{Deserialize, Serialize};

/// A council's settings, from `content/councils/<id>.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CouncilSettings {
    pub name: String,
    pub base_url: String,
    pub theme: String,
    #[serde(default)]
    pub areas: Vec<Area>,
    #[serde(default)]
    pub contact: CouncilContact,
    #[serde(default)]
    pub brand: Brand,
    #[serde(default)]
    pub intro: Option<String>,
    /// The council's name and introduction in Welsh, for its Welsh pages.
    #[serde(default)]
    pub welsh: Option<CouncilWelsh>,
    #[serde(default)]
    pub standards_profile: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Who registers care services where the council is: `cqc` (England) or `ciw` (Care
    /// Inspectorate Wales).
    #[serde(default)]
    pub regulator: Option<String>,
    /// Extra groups of words that mean the same to this council's residents.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// What the accessibility statement and privacy notice say that only the council can.
    #[serde(default)]
    pub statements: Statements,
}

impl CouncilSettings {
    /// The language the council's site is built in: the first of `languages:`, else English.
    pub fn site_language(&self) -> &str {
        self.languages.first().map_or("en", String::as_str)
    }

    /// Every language the site is published in, the default first.
    pub fn site_languages(&self) -> Vec<&str> {
        if self.languages.is_empty() {
            return vec!["en"];
        }
        self.languages.iter().map(String::as_str).collect()
    }

    /// The council's area for a town, by its English or Welsh name.
    pub fn area(&self, town: &str) -> Option<&Area> {
        let town = town.trim();
        self.areas.iter().find(|a| {
            a.town.eq_ignore_ascii_case(town)
                || a.welsh
                    .as_deref()
                    .is_some_and(|w| w.eq_ignore_ascii_case(town))
        })
    }

    /// A town's name as the council writes it, in the site's language: its Welsh name on a
    /// Welsh page where it has one, and "Williton" for a listing's "williton".
    pub fn town_name(&self, town: &str) -> String {
        match self.area(town) {
            Some(area) => match (&area.welsh, self.site_language()) {
                (Some(welsh), "cy") => welsh.clone(),
                _ => area.town.clone(),
            },
            None => town.to_string(),
        }
    }

    /// Whether any of the site's pages are in `lang`.
    pub fn publishes_in(&self, lang: &str) -> bool {
        self.site_languages().contains(&lang)
    }
}

/// Listings are written in English: pages in another language mark the enterprise's own
/// words with it (`lang="en"`), so screen readers read them with English sounds.
pub const LISTING_LANGUAGE: &str = "en";

/// A council's own words in Welsh.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CouncilWelsh {
    pub name: Option<String>,
    pub intro: Option<String>,
}

/// The council's part of the pages the law asks for. Nothing here is invented when it is
/// missing: `check` lists what is still to fill before the site goes live.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Statements {
    #[serde(default)]
    pub accessibility: AccessibilityStatement,
    #[serde(default)]
    pub privacy: PrivacyNotice,
}

/// The council's findings for the accessibility statement (GOV.UK model statement).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AccessibilityStatement {
    /// `full`, `partial` or `not`: how far the site meets WCAG 2.2 AA, as the council
    /// last assessed it.
    pub compliance: Option<String>,
    /// What is not accessible and why, one plain sentence each.
    #[serde(default)]
    pub known_problems: Vec<String>,
    /// When the statement was first prepared, and last reviewed (YYYY-MM-DD).
    pub prepared: Option<String>,
    pub reviewed: Option<String>,
    /// When the site was last tested, and by whom.
    pub tested: Option<String>,
    pub tested_by: Option<String>,
    /// Working days the council takes to answer a request for another format.
    pub reply_days: Option<u32>,
}

/// The council's details for the privacy notice.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PrivacyNotice {
    /// Who decides what is published (the data controller); the council's name if unset.
    pub controller: Option<String>,
    /// How to reach the council's data protection officer.
    pub dpo_email: Option<String>,
    /// The council's registration number with the Information Commissioner's Office.
    pub ico_registration: Option<String>,
}

/// A town the council covers, with its postcode districts.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Area {
    pub town: String,
    /// The town's Welsh name where it differs (Y Fenni for Abergavenny).
    #[serde(default)]
    pub welsh: Option<String>,
    #[serde(default)]
    pub postcode_districts: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CouncilContact {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// A web form for reporting a problem with a listing; without one, reports are emails.
    pub report_form: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Brand {
    pub colour: Option<String>,
    pub logo: Option<String>,
}

/// The languages a listing may say it works in: ISO 639-1 codes, and ISO 639-3 `bfi` for
/// British Sign Language (which has no two-letter code), with their English names for the
/// Open Referral feed. The schema's `languages` list must name the same codes (a test checks).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("cy", "Welsh"),
    ("bfi", "British Sign Language"),
    ("ar", "Arabic"),
    ("bn", "Bengali"),
    ("gu", "Gujarati"),
    ("hi", "Hindi"),
    ("pa", "Punjabi"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("so", "Somali"),
    ("es", "Spanish"),
    ("tr", "Turkish"),
    ("ur", "Urdu"),
    ("zh", "Chinese"),
];

/// The front matter of one enterprise listing. Enumerated values (support types and so on)
/// stay as their keys: the schema, which is data, decides which keys exist, and the theme's
/// translation file gives each a label.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FrontMatter {
    pub id: Option<String>,
    pub name: String,
    #[serde(default = "active")]
    pub status: String,
    pub summary: String,
    pub councils: Vec<String>,
    pub support_types: Vec<String>,
    pub who_for: Vec<String>,
    pub service_area: ServiceArea,
    pub contact: Contact,
    #[serde(default)]
    pub cost: Vec<Cost>,
    #[serde(default)]
    pub payment_accepted: Vec<String>,
    /// The languages the enterprise can support someone in, as codes ([`LANGUAGES`]).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Who registers care services where the council is: `cqc` (England) or `ciw` (Care
    /// Inspectorate Wales).
    #[serde(default)]
    pub regulator: Option<String>,
    #[serde(default)]
    pub availability: Availability,
    #[serde(default)]
    pub standards: Standards,
    #[serde(default)]
    pub review: Review,
    #[serde(default)]
    pub consent: Consent,
    pub photo: Option<Photo>,
    /// The listing's own words in Welsh, for a council whose site is in Welsh.
    pub welsh: Option<Welsh>,
}

/// A listing's words in Welsh, kept beside the English ones in the same file. Any left out
/// are shown in English on a Welsh site, marked as English.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Welsh {
    /// Only where the Welsh name differs.
    pub name: Option<String>,
    pub summary: Option<String>,
    /// The description, in Markdown, as the English one below the front matter.
    pub description: Option<String>,
    /// The cost wording, shown in place of each cost's English description.
    pub cost: Option<String>,
}

fn active() -> String {
    "active".to_string()
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ServiceArea {
    #[serde(default)]
    pub towns: Vec<String>,
    #[serde(default)]
    pub postcode_districts: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Contact {
    pub first_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Cost {
    pub amount: f64,
    pub unit: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Availability {
    pub taking_new_clients: Option<String>,
    #[serde(default)]
    pub days: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Standards {
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub cqc: Option<Cqc>,
}

/// One piece of evidence for the standards, with whichever date its kind carries.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Evidence {
    #[serde(rename = "type")]
    pub kind: String,
    pub expires: Option<String>,
    pub issued: Option<String>,
    pub completed: Option<String>,
    pub registered: Option<String>,
    pub signed: Option<String>,
    #[serde(default)]
    pub update_service: bool,
    pub register_ref: Option<String>,
}

impl Evidence {
    /// The date written in the field a standards profile names, such as `expires`.
    pub fn date(&self, field: &str) -> Option<&str> {
        match field {
            "expires" => self.expires.as_deref(),
            "issued" => self.issued.as_deref(),
            "completed" => self.completed.as_deref(),
            "registered" => self.registered.as_deref(),
            "signed" => self.signed.as_deref(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Cqc {
    pub registered: bool,
    pub location_id: Option<String>,
    pub basis: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Review {
    pub last_checked: Option<String>,
}

/// Consent to publish. Only a literal `true` counts; anything else keeps the listing off.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Consent {
    #[serde(default)]
    pub publish: serde_json::Value,
}

impl Consent {
    pub fn given(&self) -> bool {
        self.publish == serde_json::Value::Bool(true)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Photo {
    pub file: String,
    pub alt: String,
    #[serde(default)]
    pub people_consented: bool,
}
