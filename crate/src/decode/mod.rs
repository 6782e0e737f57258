//! Decoding image files (PNG, JPEG, WebP) inside the module, so a file
//! gives the same pixels, hence the same scores, in every runtime.
//!
//! Pixels come out as stored: 8- or 16-bit samples, row-major, interleaved,
//! 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels; no gamma, ICC
//! or colour-space handling (a file's gAMA / iCCP / EXIF orientation are
//! ignored, as the metrics compare the numbers the file holds).
//!
//! Headers first: every format's dimensions are read and checked against
//! the caller's pixel limit before any pixel buffer is allocated. Every
//! failure is an `Err`, never a panic: the decoders are pure Rust and
//! return errors for truncated or corrupt input (the fuzz target and
//! `tests/decode_mutations.rs` hold them to it).

mod jpeg;
mod png;
mod webp;

pub use self::png::PngRows;

use crate::domain::MAX_PIXELS;

/// A file format ssimkit decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
    Webp,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Webp => "WebP",
        }
    }
}

/// What a file's headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub format: Format,
    pub width: usize,
    pub height: usize,
    /// Of the decoded output: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    pub channels: usize,
    /// 8 or 16.
    pub bit_depth: u8,
    /// PNG Adam7 (rows come only after the last pass) or progressive JPEG.
    pub interlaced: bool,
    /// WebP: lossless (VP8L) image data. False for other formats.
    pub lossless: bool,
    /// WebP: an animation (its first frame is composited). False for other formats.
    pub animated: bool,
}

impl Header {
    pub fn samples(&self) -> usize {
        self.width * self.height * self.channels
    }
    /// Bytes of the decoded image.
    pub fn image_bytes(&self) -> usize {
        self.samples() * (self.bit_depth as usize / 8)
    }
}

/// Decoded samples, as stored (16-bit in native order).
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    U8(Vec<u8>),
    U16(Vec<u16>),
}

impl Samples {
    pub fn len(&self) -> usize {
        match self {
            Samples::U8(v) => v.len(),
            Samples::U16(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A whole decoded image.
#[derive(Clone, Debug)]
pub struct Decoded {
    pub header: Header,
    pub samples: Samples,
}

/// Why a file did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not a file we read, or a broken one (truncated, corrupt, a checksum
    /// that does not match, a feature we do not decode): the text says what.
    Bad(String),
    /// The header asks for more pixels than allowed.
    TooLarge(String),
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DecodeError::Bad(m) | DecodeError::TooLarge(m) => f.write_str(m),
        }
    }
}

pub(crate) fn bad<T>(format: Format, what: impl core::fmt::Display) -> Result<T, DecodeError> {
    Err(DecodeError::Bad(format!("the {} file could not be decoded: {what}", format.name())))
}

/// The format a file's first bytes announce, if one we decode.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

/// The pixel limit in force: the caller's, never above what the metrics take.
fn limit(max_pixels: usize) -> usize {
    max_pixels.min(MAX_PIXELS)
}

/// Refuses dimensions above the limit (or zero), before any allocation.
pub(crate) fn check_size(format: Format, width: usize, height: usize, max_pixels: usize) -> Result<(), DecodeError> {
    if width == 0 || height == 0 {
        return bad(format, format_args!("its header gives a {width}x{height} image"));
    }
    let pixels = width as u128 * height as u128;
    let max = limit(max_pixels);
    if pixels > max as u128 {
        return Err(DecodeError::TooLarge(format!(
            "the {} file is {width}x{height} = {pixels} pixels, more than maxPixels ({max}{})",
            format.name(),
            if max == MAX_PIXELS { ", the most the metrics take" } else { "" }
        )));
    }
    Ok(())
}

fn unknown() -> DecodeError {
    DecodeError::Bad("the file is not a PNG, JPEG or WebP file".into())
}

/// Reads the headers only (PNG: up to the first image data, to know the
/// palette's transparency), checking the size against `max_pixels`.
pub fn probe(bytes: &[u8], max_pixels: usize) -> Result<Header, DecodeError> {
    match sniff(bytes).ok_or_else(unknown)? {
        Format::Png => PngRows::open(bytes, max_pixels).map(|r| r.header()),
        Format::Jpeg => jpeg::probe(bytes, max_pixels),
        Format::Webp => webp::probe(bytes, max_pixels),
    }
}

/// Decodes a whole file, checking its size against `max_pixels` first.
pub fn decode(bytes: &[u8], max_pixels: usize) -> Result<Decoded, DecodeError> {
    match sniff(bytes).ok_or_else(unknown)? {
        Format::Png => png::decode(bytes, max_pixels),
        Format::Jpeg => jpeg::decode(bytes, max_pixels),
        Format::Webp => webp::decode(bytes, max_pixels),
    }
}

/// An output buffer, allocated fallibly: a host that will not give the
/// memory is an error, not a trap.
pub(crate) fn buffer<T: Clone + Default>(format: Format, len: usize) -> Result<Vec<T>, DecodeError> {
    let mut v = Vec::new();
    if v.try_reserve_exact(len).is_err() {
        return Err(DecodeError::TooLarge(format!(
            "the {} file's {len} samples could not be allocated in WebAssembly memory",
            format.name()
        )));
    }
    v.resize(len, T::default());
    Ok(v)
}

#[cfg(test)]
mod tests;
