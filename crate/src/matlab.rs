//! The `matlab` preset: the steps Wang's ssim.m asks of its caller and that
//! ssim.js ('original') and @blazediff/ssim apply before SSIM itself.
//!
//! 1. Gray: MATLAB's rgb2gray (0.29894 R + 0.58704 G + 0.11402 B, the
//!    coefficients ssim.js uses), rounded half up for integer pixels.
//! 2. Down-sampling by f = round(min(w, h) / 256) when f > 1: an f x f box
//!    filter (imfilter 'symmetric', 'same') keeping every f-th sample from
//!    the first, so the result is ceil(w/f) x ceil(h/f).

use crate::image::{Image, Pixels};
use crate::plane::Plane;
use crate::real::Real;
use crate::window::reflect;

/// Row `r` of the gray plane of `img`. `widen` reads 8-bit v as 257 v (an
/// 8-bit image against a 16-bit one), before the rounding, as a 16-bit image
/// would be.
pub(crate) fn gray_row(img: &Image, widen: bool, r: usize, out: &mut [f64]) {
    let c = img.channels;
    let k = if widen { 257.0 } else { 1.0 };
    let at = |i: usize| img.pixels.get(i) * k;
    let integer = !matches!(img.pixels, Pixels::F32(_));
    for (j, d) in out.iter_mut().enumerate() {
        let o = (r * img.width + j) * c;
        *d = if c < 3 {
            at(o)
        } else {
            let y = 0.29894 * at(o) + 0.58704 * at(o + 1) + 0.11402 * at(o + 2);
            if integer { (y + 0.5).floor() } else { y }
        };
    }
}

fn gray(img: &Image, widen: bool) -> Vec<f64> {
    let mut v = vec![0.0; img.width * img.height];
    for (r, row) in v.chunks_mut(img.width).enumerate() {
        gray_row(img, widen, r, row);
    }
    v
}

/// round(min(w, h) / 256), half away from zero as MATLAB's round.
pub fn factor(width: usize, height: usize) -> usize {
    (width.min(height) as f64 / 256.0).round() as usize
}

/// Where sample `i` of an f x f box window falls on a side of `len`:
/// MATLAB pads floor(f/2) before the sample, so window i covers
/// i - floor(f/2) .. i - floor(f/2) + f - 1, reflected at the edges.
pub(crate) fn source(i: usize, f: usize, len: usize) -> usize {
    reflect(i as isize - (f / 2) as isize, len)
}

/// Output row `oi` of the f x f box filter sampled every f, from the gray
/// rows it reads: `row(r)` is gray row r of a plane `w` wide.
pub(crate) fn downsample_row<'a>(oi: usize, f: usize, w: usize, h: usize, row: impl Fn(usize) -> &'a [f64], out: &mut [f64]) {
    let norm = 1.0 / (f * f) as f64;
    let rows: Vec<&[f64]> = (0..f).map(|a| row(source(oi * f + a, f, h))).collect();
    for (oj, d) in out.iter_mut().enumerate() {
        let mut s = 0.0;
        for r in &rows {
            for b in 0..f {
                s += r[source(oj * f + b, f, w)];
            }
        }
        *d = s * norm;
    }
}

/// f x f box filter with half-sample symmetric borders, sampled every f.
fn downsample(v: &[f64], w: usize, h: usize, f: usize) -> (Vec<f64>, usize, usize) {
    let (ow, oh) = (w.div_ceil(f), h.div_ceil(f));
    let mut out = vec![0.0; ow * oh];
    for (oi, d) in out.chunks_mut(ow).enumerate() {
        downsample_row(oi, f, w, h, |r| &v[r * w..(r + 1) * w], d);
    }
    (out, ow, oh)
}

/// The gray, down-sampled plane, divided by the data range (`widen`: see
/// [`gray_row`]).
pub fn prepare<T: Real>(img: &Image, widen: bool, range: f64) -> Plane<T> {
    let (mut v, mut w, mut h) = (gray(img, widen), img.width, img.height);
    let f = factor(w, h);
    if f > 1 {
        (v, w, h) = downsample(&v, w, h, f);
    }
    Plane::new(w, h, v.into_iter().map(|p| T::from_f64(p / range)).collect())
}

/// The gray, down-sampled planes of two images grown from bands of their
/// rows (the same operations as [`prepare`], so the same bits): the planes
/// are held whole (16 N / f^2 bytes), the images never.
pub(crate) struct Shrinking {
    f: usize,
    width: usize,
    height: usize,
    range: f64,
    /// Per image: read 8-bit samples as 16-bit (see [`gray_row`]).
    widen: (bool, bool),
    /// Output rows made so far.
    made: usize,
    pub x: Plane<f64>,
    pub y: Plane<f64>,
}

impl Shrinking {
    pub fn new(width: usize, height: usize, range: f64, widen: (bool, bool)) -> Self {
        let f = factor(width, height).max(1);
        let (ow, oh) = (width.div_ceil(f), height.div_ceil(f));
        let plane = || Plane::new(ow, oh, vec![0.0; ow * oh]);
        Shrinking { f, width, height, range, widen, made: 0, x: plane(), y: plane() }
    }

    /// Source rows output row `oi` reads: [lo, hi].
    fn reads(&self, oi: usize) -> (usize, usize) {
        (0..self.f).map(|a| source(oi * self.f + a, self.f, self.height)).fold((usize::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)))
    }

    /// The first source row still needed, or `fed` when every row is made.
    pub fn needs_from(&self, fed: usize) -> usize {
        if self.made == self.x.height { fed } else { self.reads(self.made).0 }
    }

    /// The most source rows one output row reads.
    pub fn span(&self) -> usize {
        (0..self.x.height.min(2)).map(|oi| self.reads(oi)).map(|(lo, hi)| hi - lo + 1).max().unwrap_or(1)
    }

    /// Makes every output row whose source rows are among [base, fed), held
    /// in `xi` and `yi` (row r of the image is row r - base of theirs).
    pub fn grow(&mut self, xi: &Image, yi: &Image, base: usize, fed: usize) {
        let (w, f, ow) = (self.width, self.f, self.x.width);
        while self.made < self.x.height && self.reads(self.made).1 < fed {
            let (lo, hi) = self.reads(self.made);
            for (img, widen, plane) in [(xi, self.widen.0, &mut self.x), (yi, self.widen.1, &mut self.y)] {
                let mut gray = vec![0.0; (hi - lo + 1) * w];
                for (k, row) in gray.chunks_mut(w).enumerate() {
                    gray_row(img, widen, lo + k - base, row);
                }
                let out = &mut plane.data[self.made * ow..(self.made + 1) * ow];
                if f > 1 {
                    downsample_row(self.made, f, w, self.height, |r| &gray[(r - lo) * w..(r - lo + 1) * w], out);
                } else {
                    out.copy_from_slice(&gray);
                }
                for v in out.iter_mut() {
                    *v /= self.range;
                }
            }
            self.made += 1;
        }
    }
}
