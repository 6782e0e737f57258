//! Level-weighted SSIM (Lu, AAAI 2019): the mean over windows of
//! l^alpha + c^beta * s^gamma at several window sizes, weighted per level.

use crate::plane::Plane;
use crate::real::Real;
use crate::ssim::Terms;
use crate::stats::moments;
use crate::window::{Border, Window};

#[derive(Clone, Debug, PartialEq)]
pub struct LwssimParams {
    /// One window per level, with its weight lambda_i.
    pub levels: Vec<(Window, f64)>,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub k1: f64,
    pub k2: f64,
    pub border: Border,
}

impl Default for LwssimParams {
    fn default() -> Self {
        LwssimParams {
            levels: [3, 5, 7, 9, 11].iter().map(|&size| (Window::Box { size }, 1.0)).collect(),
            alpha: 1.0,
            beta: 1.0,
            gamma: 1.0,
            k1: 0.01,
            k2: 0.03,
            border: Border::Valid,
        }
    }
}

/// v^e for LWSSIM's exponents, finite by construction: 1 and other integer
/// exponents by repeated multiplication (1^e stays 1, a negative base keeps
/// its real value), and 0 where v <= 0 would need a non-integer power (the
/// TypeScript layer rejects inputs where that can happen; the backward pass
/// relies on it as a subgradient).
#[inline(always)]
pub(crate) fn pow(v: f64, e: f64) -> f64 {
    if e == 0.0 {
        1.0
    } else if e == e.trunc() && e.abs() <= 64.0 {
        let r = v.powi(e as i32);
        if r.is_finite() { r } else { 0.0 }
    } else if v > 0.0 {
        v.powf(e)
    } else {
        0.0
    }
}

/// e * v^(e-1), the derivative of v^e, with the same conventions.
#[inline(always)]
pub(crate) fn dpow(v: f64, e: f64) -> f64 {
    if e == 0.0 { 0.0 } else { e * pow(v, e - 1.0) }
}

/// LWSSIM_i of every level, in order.
pub fn lwssim_levels<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &LwssimParams) -> Vec<f64> {
    let unit = p.beta == 1.0 && p.gamma == 1.0;
    p.levels
        .iter()
        .map(|&(window, _)| {
            let taps: Vec<T> = window.taps().into_iter().map(T::from_f64).collect();
            let m = moments(x, y, &taps, p.border);
            let n = window.size();
            let terms = Terms::<T>::new(p.k1, p.k2, n * n, false);
            let c2 = terms.c2().to_f64();
            let c3 = c2 / 2.0;
            let len = m.width * m.height;
            let mut sum = 0.0f64;
            for i in 0..len {
                let (l, cs) = terms.at(&m, i);
                let structural = if unit {
                    // c * s == cs exactly in exact arithmetic; cs avoids two
                    // square roots and is exactly 1 for identical windows.
                    cs.to_f64()
                } else {
                    let (sxx, syy, sxy) = terms.sigmas(&m, i);
                    let (sxx, syy) = (sxx.to_f64().max(0.0), syy.to_f64().max(0.0));
                    // sqrt(v*v) == v exactly in IEEE arithmetic, so c and s
                    // are exactly 1 for identical windows.
                    let sxsy = (sxx * syy).sqrt();
                    // |sxy| <= sx sy (Cauchy-Schwarz); rounding may break it.
                    let sxy = sxy.to_f64().clamp(-sxsy, sxsy);
                    let c = (2.0 * sxsy + c2) / (sxx + syy + c2);
                    let s = (sxy + c3) / (sxsy + c3);
                    pow(c, p.beta) * pow(s, p.gamma)
                };
                sum += pow(l.to_f64(), p.alpha) + structural;
            }
            sum / len as f64
        })
        .collect()
}

/// (1/I) * sum_i lambda_i * LWSSIM_i for one plane pair; 2 for identical planes.
pub fn lwssim_plane<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &LwssimParams) -> f64 {
    let per_level = lwssim_levels(x, y, p);
    let total: f64 = per_level.iter().zip(&p.levels).map(|(v, (_, w))| w * v).sum();
    total / p.levels.len() as f64
}
