//! PNG encoding (`encodePng`): 8- or 16-bit, 1 to 4 channels (gray,
//! gray + alpha, RGB, RGBA), not interlaced, every row Paeth-filtered and
//! compressed by fdeflate, the png crate's own fast compressor (what
//! `png::Compression::Fast` uses), called directly; the chunks are framed
//! here (length, type, data, CRC-32: a few lines). Why not png's `Encoder`:
//! its writer links zlib levels, iCCP and text-chunk compression (flate2 and
//! miniz_oxide's deflate) and adaptive filtering that ssimkit never uses,
//! +60 KB of wasm, +20 KB brotli, past the 250 KB budget of the threaded
//! build (measured 265,970 bytes; test/wasm-size.test.ts). The png crate
//! decodes every file written here (tests below and in test/encode.test.ts).

/// Samples to encode, borrowed (from wasm memory, or a decoded image).
#[derive(Clone, Copy, Debug)]
pub enum Samples<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
}

/// Why an image could not be encoded (the TypeScript layer checks first;
/// these are the second line).
#[derive(Debug, PartialEq)]
pub struct EncodeError(pub String);

/// PNG colour types by channel count: gray, gray + alpha, RGB, RGBA.
fn color_type(channels: usize) -> Result<u8, EncodeError> {
    match channels {
        1 => Ok(0),
        2 => Ok(4),
        3 => Ok(2),
        4 => Ok(6),
        c => Err(EncodeError(format!("channels must be 1, 2, 3 or 4, got {c}"))),
    }
}

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
/// IDAT chunks are cut at this size (any size is valid; 1 MiB keeps each
/// chunk's length far from the 2^31 - 1 limit).
const IDAT_BYTES: usize = 1 << 20;

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// The compressed stream as framed IDAT chunks, each its own block of
/// IDAT_BYTES of data: no buffer regrows (a doubling Vec would hold up to
/// three times the stream while it grows), so the peak is the chunks and
/// the file they are joined into (crate/src/memory.rs `output_need`).
#[derive(Default)]
struct Idat {
    done: Vec<Vec<u8>>,
    /// The chunk being filled: length and type written, its data so far.
    open: Vec<u8>,
}

impl Idat {
    /// Frames the open chunk (length, CRC-32 of type and data) and starts none.
    fn seal(&mut self) {
        if self.open.len() > 8 {
            let mut c = core::mem::take(&mut self.open);
            let len = (c.len() - 8) as u32;
            c[..4].copy_from_slice(&len.to_be_bytes());
            let crc = crc32fast::hash(&c[4..]);
            c.extend_from_slice(&crc.to_be_bytes());
            self.done.push(c);
        }
    }
}

impl std::io::Write for Idat {
    fn write(&mut self, mut buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len();
        while !buf.is_empty() {
            if self.open.is_empty() {
                self.open = Vec::with_capacity(IDAT_BYTES + 12);
                self.open.extend_from_slice(&[0, 0, 0, 0]);
                self.open.extend_from_slice(b"IDAT");
            }
            let take = buf.len().min(IDAT_BYTES + 8 - self.open.len());
            self.open.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.open.len() == IDAT_BYTES + 8 {
                self.seal();
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The Paeth predictor (PNG specification, section 9.4).
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = ((p - a as i16).abs(), (p - b as i16).abs(), (p - c as i16).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// One row Paeth-filtered into `out` (filter byte first); `bpp` bytes a
/// pixel; `prev` the row above (zeros for the first).
fn filter_row(row: &[u8], prev: &[u8], bpp: usize, out: &mut Vec<u8>) {
    out.push(4);
    for i in 0..row.len() {
        let (a, c) = if i >= bpp { (row[i - bpp], prev[i - bpp]) } else { (0, 0) };
        out.push(row[i].wrapping_sub(paeth(a, prev[i], c)));
    }
}

/// The PNG file of an interleaved, row-major image.
pub fn encode_png(samples: Samples<'_>, width: usize, height: usize, channels: usize) -> Result<Vec<u8>, EncodeError> {
    let ct = color_type(channels)?;
    let side = |v: usize| v >= 1 && v <= (u32::MAX >> 1) as usize;
    if !side(width) || !side(height) {
        return Err(EncodeError(format!("a PNG is 1 to 2^31 - 1 pixels a side, got {width}x{height}")));
    }
    let (len, depth) = match samples {
        Samples::U8(v) => (v.len(), 1),
        Samples::U16(v) => (v.len(), 2),
    };
    let row_samples = width.checked_mul(channels).ok_or_else(|| EncodeError("the image is too large".into()))?;
    if Some(len) != row_samples.checked_mul(height) {
        return Err(EncodeError(format!("{len} samples for a {width}x{height} image of {channels} channels")));
    }
    let row_bytes = row_samples * depth;
    let fail = |e: std::io::Error| EncodeError(format!("compressing failed: {e}"));
    let mut z = fdeflate::Compressor::new(Idat::default()).map_err(fail)?;
    let (mut prev, mut row, mut filtered) = (vec![0u8; row_bytes], vec![0u8; row_bytes], Vec::with_capacity(row_bytes + 1));
    for y in 0..height {
        // PNG stores 16-bit samples big-endian.
        match samples {
            Samples::U8(v) => row.copy_from_slice(&v[y * row_samples..(y + 1) * row_samples]),
            Samples::U16(v) => {
                for (d, s) in row.chunks_exact_mut(2).zip(&v[y * row_samples..(y + 1) * row_samples]) {
                    d.copy_from_slice(&s.to_be_bytes());
                }
            }
        }
        filtered.clear();
        filter_row(&row, &prev, channels * depth, &mut filtered);
        z.write_data(&filtered).map_err(fail)?;
        core::mem::swap(&mut prev, &mut row);
    }
    drop((prev, row, filtered));
    let mut idat = z.finish().map_err(fail)?;
    idat.seal();
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&(width as u32).to_be_bytes());
    ihdr[4..8].copy_from_slice(&(height as u32).to_be_bytes());
    ihdr[8] = 8 * depth as u8;
    ihdr[9] = ct;
    let mut out = Vec::with_capacity(SIGNATURE.len() + 25 + idat.done.iter().map(Vec::len).sum::<usize>() + 12);
    out.extend_from_slice(&SIGNATURE);
    chunk(&mut out, b"IHDR", &ihdr);
    for c in idat.done.drain(..) {
        out.extend_from_slice(&c);
    }
    chunk(&mut out, b"IEND", &[]);
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
    fn large_images_span_several_idat_chunks_and_decode() {
        // Noise compresses poorly: well over 1 MiB of IDAT data.
        let (w, h) = (700, 500);
        let v: Vec<u8> = (0..w * h * 4).map(|i| ((i as u64 * 2654435761) >> 13) as u8).collect();
        let file = encode_png(Samples::U8(&v), w, h, 4).unwrap();
        assert!(file.windows(4).filter(|c| c == b"IDAT").count() >= 2);
        assert_eq!(decode::decode(&file, usize::MAX).unwrap().samples, decode::Samples::U8(v));
    }

    #[test]
    fn noise_stays_within_the_memory_bound_and_flat_images_shrink() {
        // Paeth residues of noise are uniform bytes: fdeflate's worst input.
        let (w, h, c) = (641, 300, 3);
        let noise: Vec<u8> = (0..w * h * c).map(|i| ((i as u64 * 2654435761) >> 11) as u8).collect();
        let file = encode_png(Samples::U8(&noise), w, h, c).unwrap();
        let (need, _) = crate::memory::output_need(&crate::memory::Output::Png { width: w, height: h, channels: c, bytes: 1 });
        let samples = (w * h * c) as f64;
        // need = samples + rows + 2 files + blocks: each file within its share.
        assert!(file.len() as f64 > samples, "noise should not compress");
        assert!(2.0 * file.len() as f64 + samples < need);
        let flat = encode_png(Samples::U8(&vec![7u8; w * h * c]), w, h, c).unwrap();
        assert!(flat.len() < 4096, "{}", flat.len());
    }

    #[test]
    fn paeth_picks_the_nearest_neighbour_ties_in_order() {
        assert_eq!(paeth(10, 20, 10), 20);
        assert_eq!(paeth(20, 10, 10), 20);
        assert_eq!(paeth(5, 5, 5), 5);
        assert_eq!(paeth(0, 255, 128), 128);
    }

    #[test]
    fn wrong_lengths_and_channels_are_refused() {
        assert!(encode_png(Samples::U8(&[0; 5]), 2, 2, 1).is_err());
        assert!(encode_png(Samples::U8(&[0; 5]), 1, 1, 5).is_err());
        assert!(encode_png(Samples::U8(&[]), 0, 1, 1).is_err());
    }
}
