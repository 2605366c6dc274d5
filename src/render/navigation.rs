//! The site's navigation: the kinds of help, groups of people, towns and postcode districts
//! that the listings name, each with its count, in the order residents expect (the
//! council's own towns first). Every page shows it, and the browse pages and the printable
//! directory are grouped by it.

use super::views::{ListingView, Term};
use crate::standards::Council;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Serialize, Default)]
pub(super) struct Nav {
    pub(super) support: Vec<Term>,
    pub(super) who_for: Vec<Term>,
    /// The council's own towns and districts, in its order: the "Where do you live?" lists.
    pub(super) towns: Vec<Term>,
    pub(super) districts: Vec<Term>,
    /// Places outside the council's areas that its listings also serve: they have pages
    /// (a listing links to them) but are not offered as where a resident lives.
    pub(super) other_towns: Vec<Term>,
    pub(super) other_districts: Vec<Term>,
}

/// Counts of listings per support type, group and area, for navigation and browse pages.
pub(super) fn navigation(views: &[Arc<ListingView>], council: &Council) -> Nav {
    fn count<'a>(into: &mut BTreeMap<std::borrow::Cow<'a, str>, Term>, terms: &'a [Term]) {
        for t in terms {
            into.entry(lower_key(&t.key))
                .or_insert_with(|| Term {
                    count: 0,
                    ..t.clone()
                })
                .count += 1;
        }
    }
    let (mut support, mut who_for, mut towns, mut districts) = Default::default();
    for v in views {
        count(&mut support, &v.support_types);
        count(&mut who_for, &v.who_for);
        count(&mut towns, &v.towns);
        count(&mut districts, &v.postcode_districts);
    }
    let by_label = |m: BTreeMap<std::borrow::Cow<str>, Term>| {
        let mut list: Vec<Term> = m.into_values().collect();
        list.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.key.cmp(&b.key)));
        list
    };
    // Towns keep the council's order of areas where it has one; others follow by name.
    let mut town_list = by_label(towns);
    let order: Vec<String> = council
        .settings
        .areas
        .iter()
        .map(|a| a.town.to_lowercase())
        .collect();
    town_list.sort_by_key(|t| {
        (
            order
                .iter()
                .position(|o| *o == t.key.to_lowercase())
                .unwrap_or(usize::MAX),
            t.label.clone(),
        )
    });
    let own_districts: Vec<String> = council
        .settings
        .areas
        .iter()
        .flat_map(|a| &a.postcode_districts)
        .map(|d| d.to_lowercase())
        .collect();
    let mut district_list = by_label(districts);
    district_list.sort_by_cached_key(|d| district_order(&d.label));
    // A council with no areas set calls every place its own.
    let (towns, other_towns) = if order.is_empty() {
        (town_list, Vec::new())
    } else {
        town_list
            .into_iter()
            .partition(|t| order.contains(&t.key.to_lowercase()))
    };
    let (districts, other_districts) = if own_districts.is_empty() {
        (district_list, Vec::new())
    } else {
        district_list
            .into_iter()
            .partition(|d| own_districts.contains(&d.key.to_lowercase()))
    };
    Nav {
        support: by_label(support),
        who_for: by_label(who_for),
        towns,
        districts,
        other_towns,
        other_districts,
    }
}

/// Postcode districts in the order people expect: TA1, TA2, TA3 ... TA21, not TA1, TA21,
/// TA3. Letters first, then the number, then anything after it.
fn district_order(district: &str) -> (String, u32, String) {
    let upper = district.to_uppercase();
    let letters: String = upper
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let rest = &upper[letters.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number = digits.parse().unwrap_or(u32::MAX);
    (letters, number, rest[digits.len()..].to_string())
}

/// A term's key in lower case, borrowed when it already is (most keys are).
pub(super) fn lower_case(key: &str) -> std::borrow::Cow<'_, str> {
    if key.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(key.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// A term's key as `str::to_lowercase` makes it, borrowed when that would not change it
/// (plain ASCII keys in lower case, as most are).
fn lower_key(key: &str) -> std::borrow::Cow<'_, str> {
    if key.is_ascii() && !key.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(key)
    } else {
        std::borrow::Cow::Owned(key.to_lowercase())
    }
}
