//! Profile pictures: only PNG, JPEG and WebP are accepted, and only if they decode within bounds.
//! What is stored is our own re-encoding (a PNG of at most `MAX_SIDE` pixels a side), never the
//! uploaded bytes, so no crafted file is ever served back.

use std::io::Cursor;

use image::{imageops::FilterType, ImageFormat, ImageReader, Limits};

/// Upload cap; a phone photo fits, a video does not.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// Stored pictures are thumbnails: avatars never show larger.
const MAX_SIDE: u32 = 256;
/// Refuse decompression bombs before allocating for them: the dimensions are read from the
/// header first, and an image over this many pixels is never decoded (16 MP: a phone camera's
/// photo; 64 MiB as RGBA).
pub const MAX_PIXELS: u64 = 16 * 1024 * 1024;
const MAX_DECODED_SIDE: u32 = 8192;
pub const MAX_DECODE_ALLOC: u64 = 96 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PictureError {
    #[error("Upload a PNG, JPEG or WebP image.")]
    UnsupportedType,
    #[error(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    )]
    Invalid,
    #[error("The image is too large: upload one of at most 16 megapixels.")]
    TooLarge,
}

/// The image format a Content-Type names, if we accept it.
pub fn format_of(content_type: &str) -> Option<ImageFormat> {
    match content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "image/png" => Some(ImageFormat::Png),
        "image/jpeg" | "image/jpg" => Some(ImageFormat::Jpeg),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

/// Decodes `bytes` as `format` (the content must match the declared type) and re-encodes a
/// bounded PNG thumbnail. CPU-bound: call it on the blocking pool.
pub fn process(bytes: &[u8], format: ImageFormat) -> Result<Vec<u8>, PictureError> {
    let detected = image::guess_format(bytes).map_err(|_| PictureError::Invalid)?;
    if detected != format {
        return Err(PictureError::Invalid);
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| PictureError::Invalid)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PictureError::TooLarge);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| PictureError::Invalid)?;
    let thumbnail = if decoded.width() > MAX_SIDE || decoded.height() > MAX_SIDE {
        decoded.resize(MAX_SIDE, MAX_SIDE, FilterType::Triangle)
    } else {
        decoded
    };
    let mut out = Cursor::new(Vec::new());
    thumbnail
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|_| PictureError::Invalid)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use image::{DynamicImage, RgbImage};

    use super::*;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(RgbImage::new(width, height))
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn re_encodes_a_bounded_png_thumbnail() {
        let png = process(&encoded(1000, 500, ImageFormat::Jpeg), ImageFormat::Jpeg).unwrap();
        let back = image::load_from_memory_with_format(&png, ImageFormat::Png).unwrap();
        assert_eq!((back.width(), back.height()), (256, 128));
    }

    #[test]
    fn refuses_images_over_the_pixel_budget_before_decoding() {
        // A decompression bomb in miniature: one colour compresses to almost nothing.
        let side = 4097; // 4097^2 > 16 Mi pixels
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageLuma8(image::GrayImage::new(side, side))
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        let png = out.into_inner();
        assert!(png.len() < 100_000, "{} bytes", png.len());
        assert_eq!(process(&png, ImageFormat::Png), Err(PictureError::TooLarge));
        // Just under the budget still works.
        let png = encoded(4096, 4096, ImageFormat::Png);
        assert!(process(&png, ImageFormat::Png).is_ok());
    }

    #[test]
    fn rejects_garbage_mismatched_types_and_unknown_types() {
        assert_eq!(
            process(b"not an image", ImageFormat::Png),
            Err(PictureError::Invalid)
        );
        let png = encoded(4, 4, ImageFormat::Png);
        assert_eq!(process(&png, ImageFormat::Jpeg), Err(PictureError::Invalid));
        assert_eq!(
            process(&png[..png.len() / 2], ImageFormat::Png),
            Err(PictureError::Invalid)
        );
        assert_eq!(format_of("image/gif"), None);
        assert_eq!(format_of("image/PNG; charset=x"), Some(ImageFormat::Png));
    }
}
