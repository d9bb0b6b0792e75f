//! Images of events and spaces. An administrator uploads one JPEG, PNG or WebP file (at most
//! [`MAX_UPLOAD_BYTES`]) with its alt text; it is decoded under [`image::Limits`] that stop
//! decompression bombs ([`MAX_SIDE`] px a side, [`MAX_ALLOC`] bytes), turned upright, flattened
//! onto white and re-encoded as JPEG — which drops every piece of metadata (camera, place) — in
//! two widths, [`Size::Small`] and [`Size::Large`], never upscaled and with its aspect ratio kept.
//! The service that owns the event or space keeps both in its own table ([`store`]) and serves
//! them with an ETag ([`http`]); both services use this one module.

pub mod http;
pub mod store;

use crate::http::{ApiError, FieldError};
use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage,
    codecs::jpeg::JpegEncoder, imageops::FilterType,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use utoipa::ToSchema;

/// The largest file accepted, in bytes (8 MiB).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// The widest and tallest image decoded, in pixels.
pub const MAX_SIDE: u32 = 8000;
/// The most memory the decoder may take for one image, in bytes (256 MiB).
pub const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// The longest alt text, in characters after trimming.
pub const ALT_MAX_CHARS: usize = 250;
/// JPEG quality of the stored copies (1–100).
pub const JPEG_QUALITY: u8 = 82;

/// The two stored widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 480 px: cards and phones.
    Small,
    /// 1200 px: the event's or space's own page on a wide screen.
    Large,
}

impl Size {
    /// The width in pixels an image is brought down to (never up).
    pub fn width(self) -> u32 {
        match self {
            Size::Small => 480,
            Size::Large => 1200,
        }
    }

    /// `size=480` or `size=1200`; absent means the large one.
    pub fn parse(size: Option<u32>) -> Result<Size, ApiError> {
        match size {
            None | Some(1200) => Ok(Size::Large),
            Some(480) => Ok(Size::Small),
            Some(_) => Err(ApiError::field("size", "must be 480 or 1200")),
        }
    }
}

/// Why an upload is refused, each naming its form field (`file` or `alt`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("choose an image file")]
    NoFile,
    #[error("must be at most 8 MB")]
    TooManyBytes,
    #[error("is not an image")]
    NotAnImage,
    #[error("unsupported format: use JPEG, PNG or WebP")]
    Unsupported,
    #[error("must be at most 8000 × 8000 pixels")]
    TooManyPixels,
    #[error("is required")]
    AltMissing,
    #[error("must be at most 250 characters")]
    AltTooLong,
    #[error("must not contain control characters")]
    AltControl,
}

impl ImageError {
    /// The form field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            ImageError::AltMissing | ImageError::AltTooLong | ImageError::AltControl => "alt",
            _ => "file",
        }
    }

    pub fn to_field_error(&self) -> FieldError {
        FieldError::new(self.field(), self.to_string())
    }
}

impl From<ImageError> for ApiError {
    fn from(error: ImageError) -> Self {
        ApiError::Validation(vec![error.to_field_error()])
    }
}

/// An image ready to store: two JPEGs, the large one's size, and a digest of both.
#[derive(Debug, Clone)]
pub struct Processed {
    /// At most 480 px wide.
    pub small: Vec<u8>,
    /// At most 1200 px wide.
    pub large: Vec<u8>,
    /// Width of the large copy, in pixels.
    pub width: u32,
    /// Height of the large copy, in pixels.
    pub height: u32,
    /// SHA-256 of both copies, hex: the ETag's root.
    pub hash: String,
}

/// How an image looks in the API's answers (`null` when there is none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImageView {
    /// The large copy; add `&size=480` for the small one. Changes when the image does.
    pub url: String,
    pub alt: String,
    /// Width of the large copy, in pixels.
    pub width: u32,
    /// Height of the large copy, in pixels.
    pub height: u32,
}

impl ImageView {
    /// The view of `meta`, served at `path` (`/api/v1/spaces/{id}/image`).
    pub fn new(path: &str, meta: &store::ImageMeta) -> Self {
        let version: String = meta.hash.chars().take(16).collect();
        Self {
            url: format!("{path}?v={version}"),
            alt: meta.alt.clone(),
            width: meta.width,
            height: meta.height,
        }
    }

    /// The small copy's URL.
    pub fn small_url(&self) -> String {
        format!("{}&size=480", self.url)
    }

    /// The small copy's width and height, as the large one's brought down to 480 px.
    pub fn small_size(&self) -> (u32, u32) {
        scaled_size(self.width, self.height, Size::Small.width())
    }
}

/// The alt text, trimmed: 1 to [`ALT_MAX_CHARS`] characters, no control characters.
pub fn alt_text(raw: &str) -> Result<String, ImageError> {
    let alt = raw.trim();
    if alt.is_empty() {
        return Err(ImageError::AltMissing);
    }
    if alt.chars().count() > ALT_MAX_CHARS {
        return Err(ImageError::AltTooLong);
    }
    if alt.chars().any(char::is_control) {
        return Err(ImageError::AltControl);
    }
    Ok(alt.to_string())
}

/// Decodes `bytes` (JPEG, PNG or WebP) under the limits and re-encodes it in both widths.
/// CPU-bound: call it off the async threads.
pub fn process(bytes: &[u8]) -> Result<Processed, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::NoFile);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ImageError::TooManyBytes);
    }
    let format = image::guess_format(bytes).map_err(|_| ImageError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(ImageError::Unsupported);
    }
    let decoded = decode(bytes, format)?;
    let rgb = on_white(decoded);
    let large = scaled(rgb, Size::Large.width());
    let small = scaled(large.clone(), Size::Small.width());
    let (width, height) = large.dimensions();
    let large = jpeg(&large)?;
    let small = jpeg(&small)?;
    let hash = crate::hex::lower(
        &Sha256::new()
            .chain_update(&large)
            .chain_update(&small)
            .finalize(),
    );
    Ok(Processed {
        small,
        large,
        width,
        height,
        hash,
    })
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// The image, turned as its EXIF orientation says (the tag itself is not kept).
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, ImageError> {
    let refused = |error: image::ImageError| match error {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        image::ImageError::Unsupported(_) => ImageError::Unsupported,
        _ => ImageError::NotAnImage,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(refused)?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(refused)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// RGB with any transparency laid over white (JPEG has no alpha; black would show instead).
fn on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (width, height) = rgba.dimensions();
    RgbImage::from_fn(width, height, |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a));
            u8::try_from(c / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over(r), over(g), over(b)])
    })
}

/// `width × height` brought down to at most `max_width` wide, aspect kept (never up; at least 1 px).
pub fn scaled_size(width: u32, height: u32, max_width: u32) -> (u32, u32) {
    if width <= max_width || width == 0 {
        return (width, height);
    }
    let h = (u64::from(height) * u64::from(max_width) + u64::from(width) / 2) / u64::from(width);
    (max_width, u32::try_from(h).unwrap_or(u32::MAX).max(1))
}

fn scaled(image: RgbImage, max_width: u32) -> RgbImage {
    let (width, height) = image.dimensions();
    let (w, h) = scaled_size(width, height, max_width);
    if (w, h) == (width, height) {
        return image;
    }
    image::imageops::resize(&image, w, h, FilterType::CatmullRom)
}

fn jpeg(image: &RgbImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|_| ImageError::NotAnImage)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `width × height` with a gradient, as a camera would not make it.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(image)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    fn jpeg_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::Jpeg);
        let image = image::load_from_memory(bytes).unwrap();
        (image.width(), image.height())
    }

    #[test]
    fn a_wide_png_is_stored_as_jpegs_480_and_1200_wide_with_its_aspect() {
        let processed = process(&png(2400, 1600)).unwrap();
        assert_eq!(jpeg_size(&processed.large), (1200, 800));
        assert_eq!(jpeg_size(&processed.small), (480, 320));
        assert_eq!((processed.width, processed.height), (1200, 800));
        assert_eq!(processed.hash.len(), 64);
    }

    #[test]
    fn a_small_image_is_never_upscaled() {
        let processed = process(&png(300, 200)).unwrap();
        assert_eq!(jpeg_size(&processed.large), (300, 200));
        assert_eq!(jpeg_size(&processed.small), (300, 200));
        let middle = process(&png(800, 1000)).unwrap();
        assert_eq!(jpeg_size(&middle.large), (800, 1000));
        assert_eq!(jpeg_size(&middle.small), (480, 600));
    }

    #[test]
    fn garbage_an_unsupported_format_and_nothing_are_refused_naming_the_file() {
        assert_eq!(
            process(b"certainly not an image").unwrap_err(),
            ImageError::NotAnImage
        );
        assert_eq!(
            process(b"GIF89a......").unwrap_err(),
            ImageError::Unsupported
        );
        assert_eq!(process(b"").unwrap_err(), ImageError::NoFile);
        // A PNG cut short after its header is not an image either.
        let png = png(64, 64);
        assert_eq!(process(&png[..60]).unwrap_err(), ImageError::NotAnImage);
        assert_eq!(ImageError::NotAnImage.field(), "file");
    }

    #[test]
    fn an_image_wider_than_8000_px_is_refused_before_it_is_decoded() {
        // One row of 8001 grey pixels compresses to a few bytes: a bomb's header is cheap.
        let mut bomb = Cursor::new(Vec::new());
        DynamicImage::ImageLuma8(image::GrayImage::new(MAX_SIDE + 1, 1))
            .write_to(&mut bomb, ImageFormat::Png)
            .unwrap();
        assert!(bomb.get_ref().len() < 1024);
        assert_eq!(
            process(bomb.get_ref()).unwrap_err(),
            ImageError::TooManyPixels
        );
        let huge = vec![0u8; MAX_UPLOAD_BYTES + 1];
        assert_eq!(process(&huge).unwrap_err(), ImageError::TooManyBytes);
    }

    #[test]
    fn alt_text_is_trimmed_required_short_and_printable() {
        assert_eq!(alt_text("  Il cortile  ").unwrap(), "Il cortile");
        assert_eq!(alt_text("   ").unwrap_err(), ImageError::AltMissing);
        assert_eq!(alt_text(&"a".repeat(250)).unwrap().len(), 250);
        assert_eq!(
            alt_text(&"à".repeat(251)).unwrap_err(),
            ImageError::AltTooLong
        );
        assert_eq!(alt_text("a\u{7}b").unwrap_err(), ImageError::AltControl);
        assert_eq!(ImageError::AltMissing.field(), "alt");
    }

    #[test]
    fn sizes_are_480_or_1200() {
        assert_eq!(Size::parse(None).unwrap(), Size::Large);
        assert_eq!(Size::parse(Some(480)).unwrap(), Size::Small);
        assert!(Size::parse(Some(481)).is_err());
        assert_eq!(scaled_size(2000, 1, 480), (480, 1));
    }
}
