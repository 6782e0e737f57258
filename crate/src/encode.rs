//! PNG encoding (`encodePng`): the `png` crate that decoding uses, so a
//! file ssimkit writes decodes to the same samples in ssimkit and anywhere
//! else. 8- or 16-bit, 1 to 4 channels (gray, gray + alpha, RGB, RGBA).

use png::{BitDepth, ColorType, Compression, Encoder};


/// Why an image could not be encoded (the TypeScript layer checks first;
/// these are the second line).
#[derive(Debug, PartialEq)]
pub struct EncodeError(pub String);

fn color(channels: usize) -> Result<ColorType, EncodeError> {
    Ok(match channels {
        1 => ColorType::Grayscale,
        2 => ColorType::GrayscaleAlpha,
        3 => ColorType::Rgb,
        4 => ColorType::Rgba,
        c => return Err(EncodeError(format!("channels must be 1, 2, 3 or 4, got {c}"))),
    })
}

/// Samples to encode, borrowed (from wasm memory, or a decoded image).
#[derive(Clone, Copy, Debug)]
pub enum Samples<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
}

/// The PNG file of an interleaved, row-major image. fdeflate's fast mode:
/// heatmaps and screenshots compress well with it, and it is many times
/// faster than zlib's default level (and links less code into the wasm).
pub fn encode_png(samples: Samples<'_>, width: usize, height: usize, channels: usize) -> Result<Vec<u8>, EncodeError> {
    let ct = color(channels)?;
    let too_large = |v: usize| v == 0 || v > u32::MAX as usize >> 1;
    if too_large(width) || too_large(height) {
        return Err(EncodeError(format!("a PNG is 1 to 2^31 - 1 pixels a side, got {width}x{height}")));
    }
    let len = match samples {
        Samples::U8(v) => v.len(),
        Samples::U16(v) => v.len(),
    };
    if Some(len) != width.checked_mul(height).and_then(|n| n.checked_mul(channels)) {
        return Err(EncodeError(format!("{len} samples for a {width}x{height} image of {channels} channels")));
    }
    let mut out = Vec::new();
    let mut e = Encoder::new(&mut out, width as u32, height as u32);
    e.set_color(ct);
    e.set_compression(Compression::Fast);
    let fail = |err: png::EncodingError| EncodeError(format!("the PNG encoder failed: {err}"));
    match samples {
        Samples::U8(v) => {
            e.set_depth(BitDepth::Eight);
            let mut w = e.write_header().map_err(fail)?;
            w.write_image_data(v).map_err(fail)?;
            w.finish().map_err(fail)?;
        }
        Samples::U16(v) => {
            e.set_depth(BitDepth::Sixteen);
            let mut w = e.write_header().map_err(fail)?;
            // PNG stores 16-bit samples big-endian.
            let bytes: Vec<u8> = v.iter().flat_map(|s| s.to_be_bytes()).collect();
            w.write_image_data(&bytes).map_err(fail)?;
            w.finish().map_err(fail)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode;

    fn round_trip(samples: decode::Samples, w: usize, h: usize, c: usize) {
        let borrowed = match &samples {
            decode::Samples::U8(v) => Samples::U8(v),
            decode::Samples::U16(v) => Samples::U16(v),
        };
        let file = encode_png(borrowed, w, h, c).unwrap();
        let d = decode::decode(&file, usize::MAX).unwrap();
        assert_eq!((d.header.width, d.header.height, d.header.channels), (w, h, c));
        assert_eq!(d.samples, samples);
    }

    #[test]
    fn every_channel_count_and_depth_decodes_to_the_same_samples() {
        let (w, h) = (13, 7);
        for c in 1..=4 {
            let n = w * h * c;
            round_trip(decode::Samples::U8((0..n).map(|i| (i * 37 % 256) as u8).collect()), w, h, c);
            round_trip(decode::Samples::U16((0..n).map(|i| (i * 40503 % 65536) as u16).collect()), w, h, c);
        }
    }

    #[test]
    fn wrong_lengths_and_channels_are_refused() {
        assert!(encode_png(Samples::U8(&[0; 5]), 2, 2, 1).is_err());
        assert!(encode_png(Samples::U8(&[0; 5]), 1, 1, 5).is_err());
        assert!(encode_png(Samples::U8(&[]), 0, 1, 1).is_err());
    }
}
