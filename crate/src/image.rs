//! Interleaved multi-channel images and the planes compared from them.

use crate::error::Error;
use crate::plane::Plane;
use crate::real::Real;

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

/// Which planes are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    /// R, G, B separately (gray alone for 1 or 2 channels).
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

    /// The colour channels compared by default (alpha excluded).
    fn colour_channels(&self) -> usize {
        if self.channels >= 3 { 3 } else { 1 }
    }

    fn has_alpha(&self) -> bool {
        self.channels == 2 || self.channels == 4
    }

    /// The planes compared, in order: per plane the channel read, or None
    /// for luma.
    pub fn plane_sources(&self, color: Color, alpha: bool) -> Vec<Option<usize>> {
        let mut out: Vec<Option<usize>> = match (color, self.colour_channels()) {
            (Color::Luma, 3) => vec![None],
            (_, k) => (0..k).map(Some).collect(),
        };
        if alpha && self.has_alpha() {
            out.push(Some(self.channels - 1));
        }
        out
    }

    /// Samples c0 .. c0 + out.len() of row `r` of one compared plane (see
    /// [`Image::plane_sources`]), on the pixels' own scale.
    pub fn read_row(&self, source: Option<usize>, r: usize, c0: usize, out: &mut [f64]) {
        // One match a row, then a loop specialised to the pixel type.
        fn fill(get: impl Fn(usize) -> f64, c: usize, base: usize, source: Option<usize>, out: &mut [f64]) {
            match source {
                Some(ch) => {
                    for (j, d) in out.iter_mut().enumerate() {
                        *d = get(base + j * c + ch);
                    }
                }
                None => {
                    for (j, d) in out.iter_mut().enumerate() {
                        let o = base + j * c;
                        *d = 0.299 * get(o) + 0.587 * get(o + 1) + 0.114 * get(o + 2);
                    }
                }
            }
        }
        assert!(c0 + out.len() <= self.width);
        let (c, base) = (self.channels, (r * self.width + c0) * self.channels);
        match self.pixels {
            Pixels::U8(d) => fill(|i| d[i] as f64, c, base, source, out),
            Pixels::U16(d) => fill(|i| d[i] as f64, c, base, source, out),
            Pixels::F32(d) => fill(|i| d[i] as f64, c, base, source, out),
        }
    }

    /// The planes to compare, each divided by `range` so C1 = k1^2.
    pub fn planes<T: Real>(&self, color: Color, alpha: bool, range: f64) -> Vec<Plane<T>> {
        self.plane_sources(color, alpha).into_iter().map(|src| self.plane(src, range)).collect()
    }

    /// One compared plane (see [`Image::plane_sources`]) divided by `range`.
    pub fn plane<T: Real>(&self, source: Option<usize>, range: f64) -> Plane<T> {
        let mut row = vec![0.0; self.width];
        let mut data = Vec::with_capacity(self.width * self.height);
        for r in 0..self.height {
            self.read_row(source, r, 0, &mut row);
            data.extend(row.iter().map(|&v| T::from_f64(v / range)));
        }
        Plane::new(self.width, self.height, data)
    }
}
