//! The council's brand colour as a small stylesheet for the site's header and navigation,
//! darkened where needed so that white text on it meets WCAG AA. It is colour arithmetic
//! only, apart from the templates, so any colour a council writes in its settings gives a
//! readable site.

use crate::standards::Council;

/// The council's brand colour as CSS custom properties, darkened until white text on it
/// meets WCAG AA (4.5:1), so a pale brand colour can never make the header unreadable.
pub(super) fn brand_css(council: &Council) -> Option<String> {
    let hex = council.settings.brand.colour.as_deref()?;
    let (r, g, b) = parse_hex(hex)?;
    let (r, g, b) = readable_on_white_text(r, g, b);
    let (dr, dg, db) = darken(r, g, b, 0.8);
    Some(format!(
        ":root{{--brand:#{r:02x}{g:02x}{b:02x};--brand-dark:#{dr:02x}{dg:02x}{db:02x}}}\n"
    ))
}

fn parse_hex(hex: &str) -> Option<(u8, u8, u8)> {
    let hex = hex.strip_prefix('#')?;
    // Checked by the standards stage too, but slicing must not depend on it.
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((c(0)?, c(2)?, c(4)?))
}

fn luminance(r: u8, g: u8, b: u8) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// Contrast ratio of white on the colour.
pub fn contrast_with_white(r: u8, g: u8, b: u8) -> f64 {
    1.05 / (luminance(r, g, b) + 0.05)
}

fn darken(r: u8, g: u8, b: u8, factor: f64) -> (u8, u8, u8) {
    let d = |c: u8| (f64::from(c) * factor).round() as u8;
    (d(r), d(g), d(b))
}

fn readable_on_white_text(mut r: u8, mut g: u8, mut b: u8) -> (u8, u8, u8) {
    while contrast_with_white(r, g, b) < 4.5 {
        (r, g, b) = darken(r, g, b, 0.92);
    }
    (r, g, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pale_brand_colours_are_darkened_until_readable() {
        let (r, g, b) = readable_on_white_text(0xff, 0xdd, 0x00);
        assert!(contrast_with_white(r, g, b) >= 4.5);
        assert_eq!(readable_on_white_text(0x1d, 0x5c, 0x4d), (0x1d, 0x5c, 0x4d));
    }
}
