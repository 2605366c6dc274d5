//! A listing's photo file as the standards see it: read within limits, and measured
//! without decoding. Publishing the photo (resizing, re-encoding) is the render stage's.

use image::{ImageReader, Limits};
use std::io::Cursor;
use std::path::Path;

/// Photos larger than this are refused rather than decoded.
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;

/// The most pixels a photo may have: a 12-megapixel phone photo is well inside, and the
/// largest photo decodes in about a second. A 12,000 x 12,000 photo took 12 s and 600 MB.
pub const MAX_PHOTO_PIXELS: u64 = 40_000_000;
/// The longest side a photo may have.
pub const MAX_PHOTO_SIDE: u32 = 10_000;

pub fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    limits
}

/// A photo's bytes: an ordinary file, not a link out of its folder, within the size limit.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    let folder = path.parent().unwrap_or(Path::new("."));
    crate::content::files::read_inside(folder, path, MAX_PHOTO_BYTES).map_err(|why| why.to_string())
}

/// Reads a photo's size without decoding it, for the standards checks.
pub fn dimensions(path: &Path) -> Result<(u32, u32), String> {
    let bytes = read(path)?;
    // Only the header is read here, so the size can be told in plain words before the
    // decoder's own limits would refuse it.
    let (width, height) = ImageReader::new(Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .into_dimensions()
        .map_err(|e| e.to_string())?;
    check_pixels(width, height)?;
    Ok((width, height))
}

pub fn check_pixels(width: u32, height: u32) -> Result<(), String> {
    let too_many = u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS;
    if too_many || width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE {
        return Err(format!(
            "it is {width} x {height} pixels; photos may have at most {} million pixels and {MAX_PHOTO_SIDE} on a side",
            MAX_PHOTO_PIXELS / 1_000_000
        ));
    }
    Ok(())
}
