//! Images for the tests: a PNG drawn here with the `image` crate (no file from outside), the
//! size of a JPEG the server sent, and an upload sent as `multipart/form-data` built by hand
//! (one boundary, a few parts), as a browser sends it.

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use std::io::Cursor;

/// A `width × height` PNG with a gradient.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image)
        .write_to(&mut out, ImageFormat::Png)
        .expect("encoding a PNG");
    out.into_inner()
}

/// The width and height of `bytes`, which must be a JPEG.
pub fn jpeg_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(
        image::guess_format(bytes).expect("an image"),
        ImageFormat::Jpeg,
        "not a JPEG"
    );
    let image = image::load_from_memory(bytes).expect("a JPEG that decodes");
    (image.width(), image.height())
}

/// A `multipart/form-data` body of text fields and an optional `file`: its content type and
/// its bytes.
pub fn form(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----piazza-test-boundary-7c1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.png\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `PUT url` with `alt` (when given) and `file` (when given) as a form, with `token`.
pub async fn upload(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    alt: Option<&str>,
    file: Option<&[u8]>,
) -> (StatusCode, Value) {
    let fields: Vec<(&str, &str)> = alt.map(|a| ("alt", a)).into_iter().collect();
    let (content_type, body) = form(&fields, file);
    let response = client
        .request(Method::PUT, url)
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PUT {url} failed: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}
