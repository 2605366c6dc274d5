//! Listing photos, made safe to publish: decoded with size limits, resized to a few widths
//! and re-encoded, so no metadata (EXIF location, camera serials) survives, and served
//! with their width and height so the page does not jump while they load.

use super::{hashed_name, RenderError, Sink};
use crate::content::photos::{check_pixels, limits, read};
use image::{imageops::FilterType, ImageReader};
use serde::Serialize;
use std::io::Cursor;
use std::path::Path;

/// Widths made for each photo; never wider than the original.
pub const WIDTHS: [u32; 3] = [320, 640, 960];

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
