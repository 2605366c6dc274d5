//! Each listing's own page: the enterprise's full details, with its schema.org data for
//! search engines. It is the one kind of page made once per listing, so the pages are made
//! in parallel, and the preview makes again only those whose listing files changed.

use super::structured;
use super::views::ListingView;
use super::{PageRenderer, RenderError};
use crate::standards::Listing;
use rayon::prelude::*;
use std::sync::Arc;

/// Every listing's own page, with its schema.org data, in parallel. In the preview, one
/// look at the memo first finds the few that changed.
pub(super) fn listing_pages(
    renderer: &PageRenderer,
    base: &tera::Context,
    views: &[Arc<ListingView>],
    listings: &[&Listing],
    base_url: &str,
) -> Result<Vec<String>, RenderError> {
    let paths: Vec<String> = views
        .iter()
        .map(|v| format!("{}index.html", v.url))
        .collect();
    let inputs: Vec<(&str, u64)> = paths
        .iter()
        .zip(listings)
        .map(|(path, l)| (path.as_str(), l.fingerprint))
        .collect();
    let unchanged = renderer.unchanged_all(&inputs)?;
    let to_make: Vec<usize> = (0..views.len()).filter(|&i| !unchanged[i]).collect();
    to_make
        .par_iter()
        .map_init(
            || base.clone(),
            |ctx, &i| {
                let (v, l) = (&views[i], listings[i]);
                renderer.render_page(ctx, &paths[i], "listing.html", |ctx| {
                    let canonical = format!("{base_url}{}", v.url);
                    ctx.insert("json_ld", &structured::listing(l, v, &canonical));
                    ctx.insert("listing", &**v);
                })
            },
        )
        .collect::<Result<Vec<String>, RenderError>>()?;
    Ok(paths)
}
