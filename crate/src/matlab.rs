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

/// `widen` reads 8-bit v as 257 v (an 8-bit image against a 16-bit one),
/// before the rounding, as a 16-bit image would be.
fn gray(img: &Image, widen: bool) -> Vec<f64> {
    let (n, c) = (img.width * img.height, img.channels);
    let k = if widen { 257.0 } else { 1.0 };
    let at = |i: usize| img.pixels.get(i) * k;
    let integer = !matches!(img.pixels, Pixels::F32(_));
    (0..n)
        .map(|p| {
            let o = p * c;
            if c < 3 {
                return at(o);
            }
            let y = 0.29894 * at(o) + 0.58704 * at(o + 1) + 0.11402 * at(o + 2);
            if integer { (y + 0.5).floor() } else { y }
        })
        .collect()
}

/// round(min(w, h) / 256), half away from zero as MATLAB's round.
pub fn factor(width: usize, height: usize) -> usize {
    (width.min(height) as f64 / 256.0).round() as usize
}

/// f x f box filter with half-sample symmetric borders, sampled every f.
fn downsample(v: &[f64], w: usize, h: usize, f: usize) -> (Vec<f64>, usize, usize) {
    // MATLAB pads floor(f/2) before the sample, so window i covers
    // i - floor(f/2) .. i - floor(f/2) + f - 1.
    let lead = f / 2;
    let pos = |i: usize, len: usize| reflect(i as isize - lead as isize, len);
    let (ow, oh) = (w.div_ceil(f), h.div_ceil(f));
    let norm = 1.0 / (f * f) as f64;
    let mut out = Vec::with_capacity(ow * oh);
    for oi in 0..oh {
        for oj in 0..ow {
            let mut s = 0.0;
            for a in 0..f {
                let r = pos(oi * f + a, h);
                for b in 0..f {
                    s += v[r * w + pos(oj * f + b, w)];
                }
            }
            out.push(s * norm);
        }
    }
    (out, ow, oh)
}

/// The gray, down-sampled plane, divided by the data range (`widen`: see
/// [`gray`]).
pub fn prepare<T: Real>(img: &Image, widen: bool, range: f64) -> Plane<T> {
    let (mut v, mut w, mut h) = (gray(img, widen), img.width, img.height);
    let f = factor(w, h);
    if f > 1 {
        (v, w, h) = downsample(&v, w, h, f);
    }
    Plane::new(w, h, v.into_iter().map(|p| T::from_f64(p / range)).collect())
}
