//! JPEG through `zune-jpeg`: baseline and progressive, any chroma
//! subsampling, restart markers; gray files give 1 channel, colour files 3
//! (RGB). zune-jpeg 0.5 offers no IDCT or upsampling choice: its integer
//! IDCT and fancy (triangular) chroma upsampling are libjpeg-turbo's
//! defaults, the closest it gets to sharp, Pillow and browsers. Strict
//! mode: a truncated or corrupt file is an error (libjpeg-turbo would warn
//! and fill the rest with gray; Pillow refuses such a file by default).
//!
//! CMYK and YCCK files are refused with a clear error rather than
//! converted: their conversion to RGB has no single answer (Adobe's
//! inverted CMYK, ICC profiles), and a score of pixels that differ from
//! every other tool's would mislead.

use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use super::{bad, buffer, check_size, DecodeError, Decoded, Format, Header, Samples};

const F: Format = Format::Jpeg;

/// The frame header's size and component count, found by walking the
/// marker segments ourselves: the decoder is never started on a file whose
/// size is refused.
fn frame(bytes: &[u8]) -> Result<(usize, usize, u8, bool), DecodeError> {
    let be16 = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize);
    let mut i = 2;
    loop {
        if bytes.get(i) != Some(&0xFF) {
            return bad(F, if i >= bytes.len() { "the file ends before its frame header (truncated)" } else { "a marker segment is corrupt" });
        }
        // Fill bytes (0xFF runs) may precede a marker.
        while bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = bytes.get(i + 1) else {
            return bad(F, "the file ends before its frame header (truncated)");
        };
        match marker {
            0x01 | 0xD0..=0xD8 => {
                i += 2;
                continue;
            }
            0xD9 | 0xDA => return bad(F, "no frame header before the image data"),
            _ => {}
        }
        let Some(len) = be16(i + 2) else {
            return bad(F, "the file ends before its frame header (truncated)");
        };
        if len < 2 {
            return bad(F, "a marker segment has an impossible length");
        }
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return match (be16(i + 5), be16(i + 7), bytes.get(i + 9)) {
                (Some(h), Some(w), Some(&c)) => Ok((w, h, c, matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE))),
                _ => bad(F, "the file ends inside its frame header (truncated)"),
            };
        }
        i += 2 + len;
    }
}

fn header(bytes: &[u8], max_pixels: usize) -> Result<Header, DecodeError> {
    let (width, height, components, progressive) = frame(bytes)?;
    check_size(F, width, height, max_pixels)?;
    let channels = match components {
        1 => 1,
        3 => 3,
        4 => return bad(F, "it is a CMYK or YCCK JPEG, which ssimkit does not decode (its RGB has no single answer); convert it to RGB first"),
        n => return bad(F, format_args!("its frame has {n} components (1 or 3 are decoded)")),
    };
    // `interlaced` marks a progressive file: it is decoded whole, with coefficients held.
    Ok(Header { format: F, width, height, channels, bit_depth: 8, interlaced: progressive, lossless: false, animated: false })
}

pub fn probe(bytes: &[u8], max_pixels: usize) -> Result<Header, DecodeError> {
    header(bytes, max_pixels)
}

pub fn decode(bytes: &[u8], max_pixels: usize) -> Result<Decoded, DecodeError> {
    let header = header(bytes, max_pixels)?;
    let out = if header.channels == 1 { ColorSpace::Luma } else { ColorSpace::RGB };
    let options = DecoderOptions::default()
        .set_max_width(header.width)
        .set_max_height(header.height)
        .set_strict_mode(true)
        .jpeg_set_out_colorspace(out);
    let mut d = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    if let Err(e) = d.decode_headers() {
        return bad(F, e);
    }
    // Our walk and the decoder must agree on what will be written.
    let agreed = d.info().map(|i| (i.width as usize, i.height as usize)) == Some((header.width, header.height))
        && d.output_buffer_size() == Some(header.samples());
    if !agreed {
        return bad(F, "its frame header is inconsistent");
    }
    let mut pixels: Vec<u8> = buffer(F, header.samples())?;
    if let Err(e) = d.decode_into(&mut pixels) {
        return bad(F, e);
    }
    Ok(Decoded { header, samples: Samples::U8(pixels) })
}
