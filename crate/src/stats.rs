//! Window statistics of a pair of planes: the five filtered planes
//! E[x], E[y], E[x^2], E[y^2], E[xy] that every SSIM-family score needs.
//!
//! The filter is separable: a horizontal pass over every source row writes
//! the five row-filtered signals, a vertical pass combines `n` of them per
//! output row. Both passes read through the border's index table, so `valid`
//! and `same` share one code path.

use crate::plane::Plane;
use crate::real::Real;
use crate::window::Border;

/// The five window moments at every output position.
pub struct Moments<T> {
    pub width: usize,
    pub height: usize,
    pub mu_x: Vec<T>,
    pub mu_y: Vec<T>,
    pub xx: Vec<T>,
    pub yy: Vec<T>,
    pub xy: Vec<T>,
}

/// Filters x, y, x*x, y*y and x*y with the separable window `taps`.
pub fn moments<T: Real>(x: &Plane<T>, y: &Plane<T>, taps: &[T], border: Border) -> Moments<T> {
    assert_eq!((x.width, x.height), (y.width, y.height));
    let n = taps.len();
    let (w, h) = (x.width, x.height);
    let ow = border.output_len(w, n);
    let oh = border.output_len(h, n);
    let cols = border.source_indices(w, n);
    let rows = border.source_indices(h, n);

    // Horizontal pass: 5 planes of h x ow, interleaved per row as
    // [mu_x | mu_y | xx | yy | xy] so the vertical pass reads one block.
    let mut horiz = vec![T::ZERO; h * ow * 5];
    let mut pad = vec![T::ZERO; 5 * (ow + n - 1)];
    for r in 0..h {
        let (xr, yr) = (x.row(r), y.row(r));
        let plen = ow + n - 1;
        for (p, &c) in cols.iter().take(plen).enumerate() {
            let (a, b) = (xr[c], yr[c]);
            pad[p] = a;
            pad[plen + p] = b;
            pad[2 * plen + p] = a * a;
            pad[3 * plen + p] = b * b;
            pad[4 * plen + p] = a * b;
        }
        let out = &mut horiz[r * ow * 5..(r + 1) * ow * 5];
        for s in 0..5 {
            let src = &pad[s * plen..(s + 1) * plen];
            let dst = &mut out[s * ow..(s + 1) * ow];
            // Taps outermost: each step is a contiguous multiply-add that
            // vectorises, and every output still sums its taps in order.
            for (d, &v) in dst.iter_mut().zip(src) {
                *d = taps[0] * v;
            }
            for (k, &t) in taps.iter().enumerate().skip(1) {
                for (d, &v) in dst.iter_mut().zip(&src[k..]) {
                    *d += t * v;
                }
            }
        }
    }

    // Vertical pass.
    let mut planes: [Vec<T>; 5] = core::array::from_fn(|_| vec![T::ZERO; oh * ow]);
    for i in 0..oh {
        for (s, plane) in planes.iter_mut().enumerate() {
            let dst = &mut plane[i * ow..(i + 1) * ow];
            for (k, &t) in taps.iter().enumerate() {
                let r = rows[i + k];
                let src = &horiz[r * ow * 5 + s * ow..r * ow * 5 + (s + 1) * ow];
                if k == 0 {
                    for (d, &v) in dst.iter_mut().zip(src) {
                        *d = t * v;
                    }
                } else {
                    for (d, &v) in dst.iter_mut().zip(src) {
                        *d += t * v;
                    }
                }
            }
        }
    }
    let [mu_x, mu_y, xx, yy, xy] = planes;
    Moments { width: ow, height: oh, mu_x, mu_y, xx, yy, xy }
}
