//! Multi-scale SSIM (Wang, Simoncelli, Bovik 2003), as TensorFlow's
//! `tf.image.ssim_multiscale` computes it: cs at every scale but the last,
//! full SSIM at the last, each clamped at 0 before its power.

use rayon::prelude::*;

use crate::domain::MAX_SCALES;
use crate::plane::Plane;
use crate::real::Real;
use crate::ssim::{ssim_plane, ssim_planes, SsimParams};
use crate::stream::{PairRows, PlanePair};

/// The weights of the original paper, finest scale first.
pub const WEIGHTS: [f64; 5] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/// Halves a plane by 2x2 averaging. An odd dimension is first padded by one
/// sample at its end, repeating the edge (TensorFlow's `SYMMETRIC` pad), so
/// the result is ceil(w/2) x ceil(h/2).
pub fn downsample2<T: Real>(p: &Plane<T>) -> Plane<T> {
    downsample2_par(p.width, p.height, |r, out| out.copy_from_slice(p.row(r)))
}

/// Output rows per task of [`downsample2_par`]: each sample is computed
/// alone, so the blocks change no bits, only how the work is shared.
const HALVE_ROWS: usize = 16;

/// [`downsample2_rows`] with blocks of output rows in parallel: MS-SSIM's
/// halvings ran on one thread between parallel scales (Amdahl's serial
/// part). Each sample is the same f64 operations, so the same bits.
pub fn downsample2_par<T: Real>(w: usize, h: usize, row: impl Fn(usize, &mut [T]) + Sync) -> Plane<T> {
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    let quarter = T::from_f64(0.25);
    let mut out = vec![T::ZERO; ow * oh];
    out.par_chunks_mut(HALVE_ROWS * ow.max(1)).enumerate().for_each(|(b, dst)| {
        let (mut a, mut c) = (vec![T::ZERO; w], vec![T::ZERO; w]);
        for (k, o) in dst.chunks_mut(ow.max(1)).enumerate() {
            let i = b * HALVE_ROWS + k;
            row(2 * i, &mut a);
            row((2 * i + 1).min(h - 1), &mut c);
            for (j, d) in o.iter_mut().enumerate() {
                let (c0, c1) = (2 * j, (2 * j + 1).min(w - 1));
                *d = ((a[c0] + a[c1]) + (c[c0] + c[c1])) * quarter;
            }
        }
    });
    Plane::new(ow, oh, out)
}

/// [`downsample2`] of a plane given row by row (`row(r, out)` fills row r):
/// what halves an image's plane without holding it whole.
pub fn downsample2_rows<T: Real>(w: usize, h: usize, mut row: impl FnMut(usize, &mut [T])) -> Plane<T> {
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    let quarter = T::from_f64(0.25);
    let mut out = Vec::with_capacity(ow * oh);
    let (mut a, mut b) = (vec![T::ZERO; w], vec![T::ZERO; w]);
    for i in 0..oh {
        let (r0, r1) = (2 * i, (2 * i + 1).min(h - 1));
        row(r0, &mut a);
        row(r1, &mut b);
        for j in 0..ow {
            let (c0, c1) = (2 * j, (2 * j + 1).min(w - 1));
            let s = (a[c0] + a[c1]) + (b[c0] + b[c1]);
            out.push(s * quarter);
        }
    }
    Plane::new(ow, oh, out)
}

/// How many scales fit an image: the coarsest must still hold one window.
/// At most [`MAX_SCALES`] (16): a 1x1 window fits every halving of a 1x1
/// image, so without the cap this loop would never end.
pub fn max_scales(width: usize, height: usize, window: usize) -> usize {
    let (mut w, mut h, mut n) = (width, height, 0);
    while w >= window && h >= window && n < MAX_SCALES {
        n += 1;
        w = w.div_ceil(2);
        h = h.div_ceil(2);
    }
    n
}

fn relu(v: f64) -> f64 {
    v.max(0.0)
}

/// The values raised to the weights: relu(cs) per scale, relu(ssim) last.
/// Scale 0 is read from the borrowed planes; the coarser scales are owned,
/// each dropped once the next is built.
pub fn msssim_terms<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, scales: usize) -> Vec<f64> {
    if scales == 0 {
        return Vec::new();
    }
    let r = ssim_plane(x, y, p, false);
    if scales == 1 {
        return vec![relu(r.ssim)];
    }
    let mut terms = vec![relu(r.cs)];
    terms.extend(coarse_terms(downsample2(x), downsample2(y), p, scales - 1));
    terms
}

/// [`msssim_terms`] of planes already halved once, taking them over.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn coarse_terms<T: Real>(x: Plane<T>, y: Plane<T>, p: &SsimParams, scales: usize) -> Vec<f64> {
    coarse_terms_all(vec![(x, y)], p, scales).pop().unwrap_or_default()
}

/// Several plane pairs as the planes of one pair of images.
struct Planes<'a, T>(&'a [(Plane<T>, Plane<T>)]);

impl<T: Real> PairRows for Planes<'_, T> {
    fn width(&self) -> usize {
        self.0[0].0.width
    }
    fn height(&self) -> usize {
        self.0[0].0.height
    }
    fn planes(&self) -> usize {
        self.0.len()
    }
    fn range(&self) -> f64 {
        1.0
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        let (a, b) = &self.0[plane];
        PlanePair { x: a, y: b }.row(0, r, c0, x, y)
    }
}

/// [`coarse_terms`] of every plane pair at once: each scale is one parallel
/// run over the chunks of every plane and the halvings that make the next
/// scale (channel by channel, a scale's few chunks left a thread idle at
/// each of its joins). Holds every plane's scale, and the next one.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn coarse_terms_all<T: Real>(mut pairs: Vec<(Plane<T>, Plane<T>)>, p: &SsimParams, scales: usize) -> Vec<Vec<f64>> {
    let mut terms = vec![Vec::with_capacity(scales); pairs.len()];
    for s in 0..scales {
        let last = s + 1 == scales;
        let ((v, _), next) = rayon::join(
            || ssim_planes(&Planes(&pairs), p, false),
            || if last { Vec::new() } else { pairs.par_iter().map(|(x, y)| rayon::join(|| downsample2(x), || downsample2(y))).collect() },
        );
        for (t, (ssim, cs)) in terms.iter_mut().zip(v) {
            t.push(relu(if last { ssim } else { cs }));
        }
        pairs = next;
    }
    terms
}

/// prod v_s^w_s: MS-SSIM from its terms.
pub fn combine(terms: &[f64], weights: &[f64]) -> f64 {
    terms.iter().zip(weights).map(|(v, w)| v.powf(*w)).product()
}

/// MS-SSIM of one plane pair with the given weights (one per scale).
pub fn msssim_plane<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, weights: &[f64]) -> f64 {
    combine(&msssim_terms(x, y, p, weights.len()), weights)
}

/// The standard weights of `n` scales: all five as published (they sum to
/// 1.0001, and TensorFlow uses them so), the first `n` renormalised to sum
/// to 1 when fewer fit. So `scales: 'auto'` on an image that holds five is
/// the default call, bit for bit.
pub fn standard_weights(n: usize) -> Vec<f64> {
    if n >= WEIGHTS.len() {
        return WEIGHTS.to_vec();
    }
    let w = &WEIGHTS[..n];
    let sum: f64 = w.iter().sum();
    w.iter().map(|v| v / sum).collect()
}
