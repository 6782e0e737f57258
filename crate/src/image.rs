//! Interleaved multi-channel images and the planes compared from them.

use crate::error::Error;

#[derive(Clone, Copy, Debug)]
pub enum Pixels<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    F32(&'a [f32]),
}

impl Pixels<'_> {
    pub fn len(&self) -> usize {
        match self {
            Pixels::U8(d) => d.len(),
            Pixels::U16(d) => d.len(),
            Pixels::F32(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The data range implied by the pixel type.
    pub fn default_range(&self) -> f64 {
        match self {
            Pixels::U8(_) => 255.0,
            Pixels::U16(_) => 65535.0,
            Pixels::F32(_) => 1.0,
        }
    }

    #[inline(always)]
    pub(crate) fn get(&self, i: usize) -> f64 {
        match self {
            Pixels::U8(d) => d[i] as f64,
            Pixels::U16(d) => d[i] as f64,
            Pixels::F32(d) => d[i] as f64,
        }
    }
}

/// Row-major, channels interleaved (RGBA RGBA ...).
#[derive(Clone, Copy, Debug)]
pub struct Image<'a> {
    pub pixels: Pixels<'a>,
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

/// Where the samples of one compared plane of an image come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Source {
    /// Channel k as stored.
    Channel(usize),
    /// Y = 0.299 R + 0.587 G + 0.114 B of channels 0, 1, 2, unrounded.
    Luma,
    /// This value everywhere: the alpha of an image that has none (opaque,
    /// alpha = L).
    Constant(f64),
}

/// Which planes are compared (of two colour images; see [`crate::pairing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// R, G, B separately.
    Rgb,
    /// Y = 0.299 R + 0.587 G + 0.114 B, unrounded.
    Luma,
}

impl<'a> Image<'a> {
    /// The checks on a shape alone (the data's length aside): see
    /// [`crate::domain::check_shape`].
    pub fn check_shape(width: usize, height: usize, channels: usize) -> Result<(), Error> {
        crate::domain::check_shape(width, height, channels)
    }

    pub fn new(pixels: Pixels<'a>, width: usize, height: usize, channels: usize) -> Result<Self, Error> {
        Self::check_shape(width, height, channels)?;
        let want = width.checked_mul(height).and_then(|v| v.checked_mul(channels));
        if want != Some(pixels.len()) {
            return Err(Error::Mismatch(format!(
                "data holds {} values, a {width}x{height} image with {channels} channels needs {}",
                pixels.len(),
                want.map_or("more than fits in memory".to_string(), |v| v.to_string())
            )));
        }
        Ok(Image { pixels, width, height, channels })
    }

    /// Samples c0 .. c0 + out.len() of row `r` of one compared plane (see
    /// [`crate::pairing`]), on the pixels' own scale, or on the 16-bit
    /// scale when `widen` (8-bit v read as 257 v, exactly).
    pub fn read_row(&self, source: Source, widen: bool, r: usize, c0: usize, out: &mut [f64]) {
        // One match a row, then a loop specialised to the pixel type.
        fn fill(get: impl Fn(usize) -> f64, c: usize, base: usize, source: Source, out: &mut [f64]) {
            match source {
                Source::Channel(ch) => {
                    for (j, d) in out.iter_mut().enumerate() {
                        *d = get(base + j * c + ch);
                    }
                }
                Source::Luma => {
                    for (j, d) in out.iter_mut().enumerate() {
                        let o = base + j * c;
                        *d = 0.299 * get(o) + 0.587 * get(o + 1) + 0.114 * get(o + 2);
                    }
                }
                Source::Constant(v) => out.fill(v),
            }
        }
        assert!(c0 + out.len() <= self.width);
        let (c, base) = (self.channels, (r * self.width + c0) * self.channels);
        match self.pixels {
            Pixels::U8(d) if widen => fill(|i| d[i] as f64 * 257.0, c, base, source, out),
            Pixels::U8(d) => fill(|i| d[i] as f64, c, base, source, out),
            Pixels::U16(d) => fill(|i| d[i] as f64, c, base, source, out),
            Pixels::F32(d) => fill(|i| d[i] as f64, c, base, source, out),
        }
    }
}
