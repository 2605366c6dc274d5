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

/// The most pixels a photo may have: a 12-megapixel phone photo is well inside, and the
/// largest photo decodes in about a second. A 12,000 x 12,000 photo took 12 s and 600 MB.
pub const MAX_PHOTO_PIXELS: u64 = 40_000_000;
/// The longest side a photo may have.
pub const MAX_PHOTO_SIDE: u32 = 10_000;

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    limits
}

/// A photo's bytes: an ordinary file, not a link out of its folder, within the size limit.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    let folder = path.parent().unwrap_or(Path::new("."));
    crate::content::files::read_inside(folder, path, MAX_PHOTO_BYTES).map_err(|why| why.to_string())
}

/// A reader for a photo's bytes, refusing photos with more pixels than the limit before
/// they are decoded.
fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    if reader.format().is_none() {
        return Err("it is not a JPEG, PNG or WebP photo".into());
    }
    reader.limits(limits());
    Ok(reader)
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

fn check_pixels(width: u32, height: u32) -> Result<(), String> {
    let too_many = u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS;
    if too_many || width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE {
        return Err(format!(
            "it is {width} x {height} pixels; photos may have at most {} million pixels and {MAX_PHOTO_SIDE} on a side",
            MAX_PHOTO_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

/// Decodes `path`, writes resized copies under `assets/photos/` and describes them. The
/// photo is turned the way its camera recorded (EXIF orientation), since the copies keep
/// no metadata to say so.
pub fn publish(
    path: &Path,
    slug: &str,
    alt: &str,
    sink: &dyn Sink,
) -> Result<PhotoView, RenderError> {
    use image::ImageDecoder;
    // The caller names the listing; the photo's own path is not shown.
    let fail = |message: String| RenderError::Photo {
        listing: String::new(),
        message,
    };
    let bytes = read(path).map_err(fail)?;
    let mut decoder = reader(&bytes)
        .map_err(fail)?
        .into_decoder()
        .map_err(|e| fail(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height).map_err(fail)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut original =
        image::DynamicImage::from_decoder(decoder).map_err(|e| fail(e.to_string()))?;
    original.apply_orientation(orientation);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG `width` x `height`, with an EXIF block saying the camera was turned a
    /// quarter (orientation 6: the picture must be turned 90 degrees clockwise to show).
    fn turned_jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut jpeg = Vec::new();
        image::RgbImage::from_pixel(width, height, image::Rgb([200, 120, 40]))
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .expect("jpeg");
        let tiff: [u8; 26] = [
            b'I', b'I', 0x2A, 0, 8, 0, 0, 0, // little-endian, first directory at 8
            1, 0, // one entry
            0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, // Orientation = 6
            0, 0, 0, 0, // no next directory
        ];
        let mut app1 = vec![0xFF, 0xE1, 0, (2 + 6 + tiff.len()) as u8];
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn a_portrait_photo_taken_with_the_phone_turned_is_published_upright() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sam.jpg");
        std::fs::write(&path, turned_jpeg(64, 32)).expect("write");
        let site = crate::render::MemorySite::default();
        let view = publish(&path, "sam", "Sam in the garden", &site).expect("publish");
        assert_eq!((view.width, view.height), (32, 64));
        let published = site.get(&view.src).expect("the photo is published");
        let back = image::load_from_memory(&published).expect("a JPEG");
        assert_eq!((back.width(), back.height()), (32, 64));
    }

    #[test]
    fn a_photo_with_too_many_pixels_is_refused_before_decoding() {
        assert!(check_pixels(4032, 3024).is_ok());
        let why = check_pixels(12_000, 12_000).expect_err("too many");
        assert!(why.contains("million pixels"), "{why}");
        assert!(check_pixels(20_000, 100).is_err());
    }
}
