//! Multi-scale SSIM (Wang, Simoncelli, Bovik 2003), as TensorFlow's
//! `tf.image.ssim_multiscale` computes it: cs at every scale but the last,
//! full SSIM at the last, each clamped at 0 before its power.

use crate::plane::Plane;
use crate::real::Real;
use crate::ssim::{ssim_plane, SsimParams};

/// The weights of the original paper, finest scale first.
pub const WEIGHTS: [f64; 5] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/// Halves a plane by 2x2 averaging. An odd dimension is first padded by one
/// sample at its end, repeating the edge (TensorFlow's `SYMMETRIC` pad), so
/// the result is ceil(w/2) x ceil(h/2).
pub fn downsample2<T: Real>(p: &Plane<T>) -> Plane<T> {
    let (w, h) = (p.width, p.height);
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    let quarter = T::from_f64(0.25);
    let mut out = Vec::with_capacity(ow * oh);
    for i in 0..oh {
        let (r0, r1) = (2 * i, (2 * i + 1).min(h - 1));
        for j in 0..ow {
            let (c0, c1) = (2 * j, (2 * j + 1).min(w - 1));
            let s = (p.at(c0, r0) + p.at(c1, r0)) + (p.at(c0, r1) + p.at(c1, r1));
            out.push(s * quarter);
        }
    }
    Plane::new(ow, oh, out)
}

/// How many scales fit an image: the coarsest must still hold one window.
pub fn max_scales(width: usize, height: usize, window: usize) -> usize {
    let (mut w, mut h, mut n) = (width, height, 0);
    // A 1x1 window fits every halving (1 halves to 1): stop at 16 scales.
    while w >= window && h >= window && n < 16 {
        n += 1;
        w = w.div_ceil(2);
        h = h.div_ceil(2);
    }
    n
}

/// The values raised to the weights: relu(cs) per scale, relu(ssim) last.
pub fn msssim_terms<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, scales: usize) -> Vec<f64> {
    assert!(scales >= 1);
    let mut terms = Vec::with_capacity(scales);
    let (mut x, mut y) = (x.clone(), y.clone());
    for s in 0..scales {
        let r = ssim_plane(&x, &y, p, false);
        if s + 1 == scales {
            terms.push(r.ssim.max(0.0));
        } else {
            terms.push(r.cs.max(0.0));
            x = downsample2(&x);
            y = downsample2(&y);
        }
    }
    terms
}

/// MS-SSIM of one plane pair with the given weights (one per scale).
pub fn msssim_plane<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, weights: &[f64]) -> f64 {
    let terms = msssim_terms(x, y, p, weights.len());
    terms.iter().zip(weights).map(|(v, w)| v.powf(*w)).product()
}

/// The first `n` standard weights, renormalised to sum to 1.
pub fn renormalised_weights(n: usize) -> Vec<f64> {
    let w = &WEIGHTS[..n];
    let sum: f64 = w.iter().sum();
    w.iter().map(|v| v / sum).collect()
}
