//! PNG through the `png` crate, expanded to 8 or 16 bits:
//! palette -> RGB, or RGBA when it has a tRNS chunk; gray and RGB with a
//! tRNS colour -> an alpha channel (0 where the colour matches, else the
//! maximum); 1-, 2- and 4-bit gray scaled to 8 bits as v * 255 / (2^b - 1)
//! (so 1 -> 255, 2-bit 1 -> 85, as libpng and Pillow do); 16-bit samples
//! kept (converted from the file's big-endian to native u16). Interlaced
//! (Adam7) files are de-interlaced by the crate. CRCs are checked (png's
//! default: a corrupt chunk is an error, as libpng makes it for critical
//! chunks); zlib's Adler-32 is not (png's default; the CRC already covers
//! the IDAT bytes). An APNG gives its default image.

use std::io::Cursor;

use ::png::{BitDepth, Decoder, DecodingError, Reader, Transformations};

use super::{bad, buffer, check_size, DecodeError, Decoded, Format, Header, Samples};

fn err<T>(e: DecodingError) -> Result<T, DecodeError> {
    match e {
        DecodingError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            bad(Format::Png, "the file ends early (truncated)")
        }
        e => bad(Format::Png, e),
    }
}

/// A PNG being read a band of rows at a time: besides the file, only the
/// crate's two row buffers and the band asked for are held.
pub struct PngRows<F: AsRef<[u8]>> {
    reader: Reader<Cursor<F>>,
    header: Header,
    row: usize,
}

impl<F: AsRef<[u8]>> PngRows<F> {
    /// Reads the headers (to the first image data), checking the size
    /// against `max_pixels` before the crate allocates its row buffers.
    pub fn open(file: F, max_pixels: usize) -> Result<Self, DecodeError> {
        let mut d = Decoder::new(Cursor::new(file));
        d.set_transformations(Transformations::EXPAND);
        let (w, h) = match d.read_header_info() {
            Ok(info) => (info.width as usize, info.height as usize),
            Err(e) => return err(e),
        };
        check_size(Format::Png, w, h, max_pixels)?;
        let reader = match d.read_info() {
            Ok(r) => r,
            Err(e) => return err(e),
        };
        let (color, depth) = reader.output_color_type();
        let header = Header {
            format: Format::Png,
            width: w,
            height: h,
            channels: color.samples(),
            bit_depth: if depth == BitDepth::Sixteen { 16 } else { 8 },
            interlaced: reader.info().interlaced,
            lossless: false,
            animated: false,
        };
        Ok(PngRows { reader, header, row: 0 })
    }

    pub fn header(&self) -> Header {
        self.header
    }

    /// Rows not yet read.
    pub fn rows_left(&self) -> usize {
        self.header.height - self.row
    }

    /// The next `max_rows` rows (fewer at the end; none once done). Only
    /// for non-interlaced files: Adam7 rows come pass by pass.
    pub fn next_band(&mut self, max_rows: usize) -> Result<Samples, DecodeError> {
        if self.header.interlaced {
            return bad(Format::Png, "an interlaced file has no rows before its last pass (decode it whole)");
        }
        let rows = max_rows.max(1).min(self.rows_left());
        let line = self.header.width * self.header.channels;
        let n = rows * line;
        let mut out = if self.header.bit_depth == 16 { Samples::U16(buffer(Format::Png, n)?) } else { Samples::U8(buffer(Format::Png, n)?) };
        for r in 0..rows {
            let row = match self.reader.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => return bad(Format::Png, "the image data ends before the last row"),
                Err(e) => return err(e),
            };
            let data = row.data();
            let dst = r * line..(r + 1) * line;
            match &mut out {
                Samples::U8(o) => match data.get(..line) {
                    Some(src) => o[dst].copy_from_slice(src),
                    None => return bad(Format::Png, "a row is shorter than its width"),
                },
                Samples::U16(o) => {
                    if data.len() < 2 * line {
                        return bad(Format::Png, "a row is shorter than its width");
                    }
                    for (d, s) in o[dst].iter_mut().zip(data.chunks_exact(2)) {
                        *d = u16::from_be_bytes([s[0], s[1]]);
                    }
                }
            }
            self.row += 1;
        }
        if self.rows_left() == 0 {
            // Reads the rest of the image data, so its CRC is checked too.
            if let Err(e) = self.reader.next_row() {
                return err(e);
            }
        }
        Ok(out)
    }

    /// Every row at once (interlaced files too).
    pub fn read_all(mut self) -> Result<Decoded, DecodeError> {
        let header = self.header;
        if !header.interlaced {
            let samples = self.next_band(header.height)?;
            return Ok(Decoded { header, samples });
        }
        let mut bytes: Vec<u8> = buffer(Format::Png, header.image_bytes())?;
        if let Err(e) = self.reader.next_frame(&mut bytes) {
            return err(e);
        }
        let samples = if header.bit_depth == 16 {
            let mut v: Vec<u16> = buffer(Format::Png, header.samples())?;
            for (d, s) in v.iter_mut().zip(bytes.chunks_exact(2)) {
                *d = u16::from_be_bytes([s[0], s[1]]);
            }
            Samples::U16(v)
        } else {
            Samples::U8(bytes)
        };
        Ok(Decoded { header, samples })
    }
}

pub fn decode(bytes: &[u8], max_pixels: usize) -> Result<Decoded, DecodeError> {
    PngRows::open(bytes, max_pixels)?.read_all()
}
