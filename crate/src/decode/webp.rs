//! WebP through `image-webp`: lossy (VP8, fancy chroma upsampling as
//! libwebp's default), lossless (VP8L) and extended files with alpha (VP8X):
//! 3 channels (RGB), or 4 (RGBA) when the file has alpha. An animated file
//! gives its first frame composited on its canvas (as sharp and Pillow
//! open it), not an error: a poster frame is what a user would compare.

use std::io::Cursor;

use image_webp::{DecodingError, WebPDecoder};

use super::{bad, buffer, check_size, DecodeError, Decoded, Format, Header, Samples};

const F: Format = Format::Webp;

fn err<T>(e: DecodingError) -> Result<T, DecodeError> {
    match e {
        DecodingError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => bad(F, "the file ends early (truncated)"),
        e => bad(F, e),
    }
}

/// An extended file's canvas (VP8X, the first chunk): checked before the
/// crate reads the other chunks.
fn canvas(bytes: &[u8]) -> Option<(usize, usize)> {
    let u24 = |i: usize| bytes.get(i..i + 3).map(|b| 1 + (b[0] as usize | (b[1] as usize) << 8 | (b[2] as usize) << 16));
    if bytes.get(12..16)? != b"VP8X" {
        return None;
    }
    Some((u24(24)?, u24(27)?))
}

/// Parses the RIFF chunks (no pixel buffer yet) and checks the canvas size.
fn open(bytes: &[u8], max_pixels: usize) -> Result<(WebPDecoder<Cursor<&[u8]>>, Header), DecodeError> {
    if let Some((w, h)) = canvas(bytes) {
        check_size(F, w, h, max_pixels)?;
    }
    let mut d = match WebPDecoder::new(Cursor::new(bytes)) {
        Ok(d) => d,
        Err(e) => return err(e),
    };
    let (w, h) = d.dimensions();
    check_size(F, w as usize, h as usize, max_pixels)?;
    let channels = if d.has_alpha() { 4 } else { 3 };
    // What the decoder will hold besides the image (memory::decode_need).
    let (lossless, animated) = (!d.is_lossy(), d.is_animated());
    let header = Header { format: F, width: w as usize, height: h as usize, channels, bit_depth: 8, interlaced: false, lossless, animated };
    Ok((d, header))
}

pub fn probe(bytes: &[u8], max_pixels: usize) -> Result<Header, DecodeError> {
    open(bytes, max_pixels).map(|(_, h)| h)
}

pub fn decode(bytes: &[u8], max_pixels: usize) -> Result<Decoded, DecodeError> {
    let (mut d, header) = open(bytes, max_pixels)?;
    if d.output_buffer_size() != Some(header.samples()) {
        return bad(F, "its header is inconsistent");
    }
    let mut pixels: Vec<u8> = buffer(F, header.samples())?;
    if let Err(e) = d.read_image(&mut pixels) {
        return err(e);
    }
    Ok(Decoded { header, samples: Samples::U8(pixels) })
}
