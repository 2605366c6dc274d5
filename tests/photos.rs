//! End-to-end: a listing photo is resized and re-encoded so no metadata (such as GPS
//! location) reaches the site, and is published only with the pictured people's consent.

mod common;
use common::*;

/// A JPEG with an EXIF block that carries a recognisable GPS marker.
fn photo_with_gps(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 120])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::Cursor::new(&mut jpeg), 90)
        .encode_image(&img)
        .expect("encode");
    let payload =
        b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 51.1789N GPSLongitude 3.2201W SerialNumber CAM-998877";
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    app1.extend_from_slice(payload);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn with_photo(ws: &Workspace, photo_line: &str) {
    let listing = read(&ws.content().join("enterprises/kindly-hands.md"))
        .replace("consent:\n", &format!("{photo_line}\nconsent:\n"));
    ws.write("enterprises/kindly-hands.md", &listing);
}

#[test]
fn photos_are_resized_and_stripped_of_metadata() {
    let ws = Workspace::from_fixture("basic");
    let original = photo_with_gps(1200, 800);
    assert!(original.windows(11).any(|w| w == b"GPSLatitude"));
    std::fs::write(ws.content().join("enterprises/sam-garden.jpg"), &original)
        .expect("write photo");
    with_photo(&ws, "photo: {file: sam-garden.jpg, alt: Sam planting tomatoes with a client, people_consented: true}");
    let out = ws.build(&[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let site = ws.output().join("testshire");
    let page = read(&site.join("enterprises/kindly-hands/index.html"));
    assert_eq!(
        attrs(&page, "img.photo", "alt"),
        ["Sam planting tomatoes with a client"]
    );
    assert_eq!(attrs(&page, "img.photo", "loading"), ["lazy"]);
    assert_eq!(attrs(&page, "img.photo", "width"), ["640"]);
    assert_eq!(attrs(&page, "img.photo", "height"), ["427"]);
    let srcset = attrs(&page, "img.photo", "srcset").remove(0);
    assert_eq!(srcset.matches(", ").count(), 2, "{srcset}");

    let photos = snapshot(&site.join("assets/photos"));
    assert_eq!(photos.len(), 3, "{:?}", photos.keys());
    for (name, bytes) in &photos {
        let img = image::load_from_memory(bytes).expect("decodes");
        assert!([320, 640, 960].contains(&img.width()), "{name}");
        for secret in [&b"GPSLatitude"[..], b"Exif", b"CAM-998877"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret),
                "{name} keeps metadata"
            );
        }
    }
}

#[test]
fn a_photo_without_the_pictured_peoples_consent_is_not_published() {
    let ws = Workspace::from_fixture("basic");
    std::fs::write(
        ws.content().join("enterprises/sam-garden.jpg"),
        photo_with_gps(400, 300),
    )
    .expect("write");
    with_photo(
        &ws,
        "photo: {file: sam-garden.jpg, alt: Sam planting tomatoes with a client}",
    );
    let out = ws.build(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("photo-consent"), "{}", stderr(&out));
    let page = read(
        &ws.output()
            .join("testshire/enterprises/kindly-hands/index.html"),
    );
    assert!(attrs(&page, "img", "src").is_empty());
    assert!(!ws.output().join("testshire/assets/photos").exists());
}

#[test]
fn a_file_that_is_not_an_image_is_reported() {
    let ws = Workspace::from_fixture("basic");
    std::fs::write(
        ws.content().join("enterprises/sam-garden.jpg"),
        b"<script>alert(1)</script>",
    )
    .expect("write");
    with_photo(
        &ws,
        "photo: {file: sam-garden.jpg, alt: Sam planting tomatoes, people_consented: true}",
    );
    let out = ws.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("photo-unreadable") && stderr(&out).contains("kindly-hands.md"),
        "{}",
        stderr(&out)
    );
}
