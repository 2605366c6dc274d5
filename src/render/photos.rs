//! Listing photos, made safe to publish: decoded with size limits, resized to a few widths
//! and re-encoded, so no metadata (EXIF location, camera serials) survives, and served
//! with their width and height so the page does not jump while they load.

use super::{hashed_name, RenderError, Sink};
use image::{imageops::FilterType, ImageReader, Limits};
use serde::Serialize;
use std::io::Cursor;
use std::path::Path;

/// Widths made for each photo; never wider than the original.
pub const WIDTHS: [u32; 3] = [320, 640, 960];
/// Photos larger than this are refused rather than decoded.
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;

/// What a template needs to show a photo.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoView {
    /// The middle size, for browsers that ignore `srcset`.
    pub src: String,
    pub srcset: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    limits
}

/// Reads a photo's size without decoding it, for the standards checks.
pub fn dimensions(path: &Path) -> Result<(u32, u32), String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_PHOTO_BYTES {
        return Err(format!(
            "it is {} MB; photos may be at most {} MB",
            size / 1_048_576,
            MAX_PHOTO_BYTES / 1_048_576
        ));
    }
    let mut reader = ImageReader::open(path)
        .map_err(|e| e.to_string())?
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    reader.limits(limits());
    reader.into_dimensions().map_err(|e| e.to_string())
}

/// Decodes `path`, writes resized copies under `assets/photos/` and describes them.
pub fn publish(
    path: &Path,
    slug: &str,
    alt: &str,
    sink: &dyn Sink,
) -> Result<PhotoView, RenderError> {
    let fail = |message: String| RenderError::Photo {
        path: path.display().to_string(),
        message,
    };
    let mut reader = ImageReader::open(path)
        .map_err(|e| fail(e.to_string()))?
        .with_guessed_format()
        .map_err(|e| fail(e.to_string()))?;
    reader.limits(limits());
    let original = reader.decode().map_err(|e| fail(e.to_string()))?;
    let mut widths: Vec<u32> = WIDTHS
        .iter()
        .copied()
        .filter(|w| *w < original.width())
        .collect();
    if widths.len() < WIDTHS.len() {
        widths.push(original.width());
    }
    let mut made = Vec::new();
    for width in widths {
        let full = u64::from(original.width().max(1));
        let height =
            ((u64::from(original.height()) * u64::from(width) + full / 2) / full).max(1) as u32;
        let resized = original
            .resize_exact(width, height, FilterType::Lanczos3)
            .to_rgb8();
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut bytes), 80)
            .encode_image(&resized)
            .map_err(|e| fail(e.to_string()))?;
        let name = format!(
            "assets/photos/{}",
            hashed_name(&format!("{slug}-{width}.jpg"), &bytes)
        );
        sink.write(&name, &bytes)
            .map_err(|source| RenderError::Write {
                path: name.clone(),
                source,
            })?;
        made.push((name, width, height));
    }
    let (src, width, height) = made[made.len() / 2].clone();
    Ok(PhotoView {
        src,
        srcset: made
            .iter()
            .map(|(n, w, _)| format!("{n} {w}w"))
            .collect::<Vec<_>>()
            .join(", "),
        width,
        height,
        alt: alt.to_string(),
    })
}
