//! Level-weighted SSIM (Lu, AAAI 2019): the mean over windows of
//! l^alpha + c^beta * s^gamma at several window sizes, weighted per level.

use crate::kernels::{self, scalar, Moments5, SsimConsts};
use crate::plane::Plane;
use crate::real::Real;
use rayon::prelude::*;

use crate::levels::{chunk_levels, LevelRow};
use crate::stream::{add3, join, output_size, plane_sums, Filter, Five, PairRows, PlanePair, CHUNK};
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

/// v^e for LWSSIM's exponents (e in [0, 64]; v a clamped l, c or s in
/// [-1, 1], so |v^e| <= 1): integer exponents by repeated multiplication
/// (1^e stays 1, a negative base keeps its real value), and 0 where v <= 0
/// would need a non-integer power (the domain checks reject inputs where
/// that can happen; the backward pass relies on it as a subgradient).
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

/// The smallest base a non-integer power's derivative e v^(e - 1) is taken
/// at: for 0 < e < 1 it is unbounded as v -> 0+, so the backward pass uses
/// max(v, 1e-12) there (a documented bound: at most e 1e12).
pub(crate) const DPOW_FLOOR: f64 = 1e-12;

/// e * v^(e-1), the derivative of [`pow`], with the same conventions; for a
/// non-integer e the base is max(v, [`DPOW_FLOOR`]) (and 0 where v < 0,
/// where `pow` is 0).
#[inline(always)]
pub(crate) fn dpow(v: f64, e: f64) -> f64 {
    if e == 0.0 {
        0.0
    } else if e == e.trunc() {
        e * pow(v, e - 1.0)
    } else if v >= 0.0 {
        e * v.max(DPOW_FLOOR).powf(e - 1.0)
    } else {
        0.0
    }
}

/// LWSSIM's c and s at one window with every clamp of the spec: variances
/// at 0, sigma_xy within +-sqrt(sxx syy), c and s within [-1, 1]. Returns
/// (c, s, sxx, syy, sigma_yy before its clamp, sqrt(sxx syy), C3). Symmetric in
/// x and y; sqrt(v * v) == v exactly, so identical windows give c = s = 1.
#[inline(always)]
pub(crate) fn c_and_s(mx: f64, my: f64, xx: f64, yy: f64, xy: f64, c2: f64) -> CS {
    let c3 = c2 / 2.0;
    let syy_raw = yy - my * my;
    let sxx = scalar::fmax(xx - mx * mx, 0.0);
    let syy = scalar::fmax(syy_raw, 0.0);
    let ps = (sxx * syy).sqrt();
    let sxy = scalar::fmin(scalar::fmax(xy - mx * my, 0.0 - ps), ps);
    let c = scalar::clamp1((2.0 * ps + c2) / ((sxx + syy) + c2));
    let s = scalar::clamp1((sxy + c3) / (ps + c3));
    CS { c, s, sxx, syy, syy_raw, ps, c3 }
}

pub(crate) struct CS {
    pub c: f64,
    pub s: f64,
    pub sxx: f64,
    pub syy: f64,
    pub syy_raw: f64,
    pub ps: f64,
    pub c3: f64,
}

/// Sum over a row of pow(l, alpha) + c^beta s^gamma, one output at a time
/// (exponents other than 1 have no vector form). Each term is in [-2, 2].
pub(crate) fn general_row(m: &Moments5, k: &SsimConsts, p: &LwssimParams) -> f64 {
    let unit = p.beta == 1.0 && p.gamma == 1.0;
    let mut sum = 0.0;
    for j in 0..m.mx.len() {
        let (l, cs) = scalar::ssim_at(m, k, j);
        let structural = if unit {
            // c * s == cs in exact arithmetic; cs avoids two square roots
            // and is exactly 1 for identical windows.
            cs
        } else {
            let t = c_and_s(m.mx[j], m.my[j], m.xx[j], m.yy[j], m.xy[j], k.c2);
            pow(t.c, p.beta) * pow(t.s, p.gamma)
        };
        sum += pow(l, p.alpha) + structural;
    }
    sum
}

impl LwssimParams {
    /// Exponents all 1: l + cs, summed by the vector kernel.
    pub(crate) fn simple(&self) -> bool {
        self.alpha == 1.0 && self.beta == 1.0 && self.gamma == 1.0
    }

    /// Half-widths of the levels when every level is a box (one fused pass).
    pub(crate) fn box_halves(&self) -> Option<Vec<usize>> {
        self.levels
            .iter()
            .map(|(w, _)| match w {
                Window::Box { size } => Some(size / 2),
                Window::Gaussian { .. } => None,
            })
            .collect()
    }

    pub(crate) fn consts(&self, range: f64) -> SsimConsts {
        let (a, b) = (self.k1 * range, self.k2 * range);
        SsimConsts { c1: a * a, c2: b * b, cov: 1.0 }
    }
}

/// The three sums of a level's row: [l*cs, cs, l] from the vector kernel,
/// or [sum of pow(l, alpha) + c^beta s^gamma, 0, 0].
#[inline]
pub(crate) fn level_row(m: &Moments5, k: &SsimConsts, p: &LwssimParams) -> [f64; 3] {
    if p.simple() { kernels::ssim_row(m, k, None) } else { [general_row(m, k, p), 0.0, 0.0] }
}

/// A level's mean from its sums (see [`level_row`]).
pub(crate) fn level_value(s: [f64; 3], count: f64, p: &LwssimParams) -> f64 {
    (if p.simple() { s[2] + s[1] } else { s[0] }) / count
}

/// Per level, the sums of one chunk of centre rows of one plane (box levels).
pub(crate) fn box_chunk_sums(src: &dyn PairRows, plane: usize, halves: &[usize], p: &LwssimParams, k: &SsimConsts, c: usize) -> Vec<[f64; 3]> {
    let h = src.height();
    let mut acc = vec![[0.0; 3]; halves.len()];
    // Unit exponents: slides are scored as they slide (kernels::slide_score).
    let fused = p.simple().then_some(k);
    chunk_levels(src, plane, halves, p.border, c * CHUNK, ((c + 1) * CHUNK).min(h), fused, |l, _, _, row| {
        let r = match row {
            LevelRow::Moments(m) => level_row(m, k, p),
            LevelRow::Scored(s) => s,
        };
        add3(&mut acc[l], r);
    });
    acc
}

/// LWSSIM_i of every level, for every plane of the pair: `[plane][level]`.
pub fn lwssim_levels_of(src: &dyn PairRows, p: &LwssimParams) -> Vec<Vec<f64>> {
    let simple = p.simple();
    let k = p.consts(src.range());
    if let Some(halves) = p.box_halves() {
        let chunks = src.height().div_ceil(CHUNK);
        let parts: Vec<Vec<[f64; 3]>> = (0..src.planes() * chunks)
            .into_par_iter()
            .map(|t| box_chunk_sums(src, t / chunks, &halves, p, &k, t % chunks))
            .collect();
        return parts
            .chunks(chunks)
            .map(|plane_parts| {
                p.levels
                    .iter()
                    .enumerate()
                    .map(|(l, (w, _))| {
                        let s = join(plane_parts.iter().map(|part| part[l]));
                        let n = w.size();
                        let count = (p.border.output_len(src.width(), n) * p.border.output_len(src.height(), n)) as f64;
                        level_value(s, count, p)
                    })
                    .collect()
            })
            .collect();
    }
    let per_level: Vec<Vec<f64>> = p
        .levels
        .iter()
        .map(|(window, _)| {
            let f = Filter::new(window);
            let (ow, oh) = output_size(src, &f, p.border);
            let count = (ow * oh) as f64;
            let sums = if simple {
                // l + cs, summed as the vector kernel sums l and cs.
                plane_sums::<Five>(src, &f, p.border, &|m: &Moments5, _| kernels::ssim_row(m, &k, None))
                    .into_iter()
                    .map(|s| s[2] + s[1])
                    .collect::<Vec<_>>()
            } else {
                plane_sums::<Five>(src, &f, p.border, &|m: &Moments5, _| [general_row(m, &k, p), 0.0, 0.0])
                    .into_iter()
                    .map(|s| s[0])
                    .collect()
            };
            sums.into_iter().map(|s| s / count).collect()
        })
        .collect();
    (0..src.planes()).map(|plane| per_level.iter().map(|l| l[plane]).collect()).collect()
}

/// (1/I) * sum_i lambda_i * LWSSIM_i of one plane's levels.
pub fn lwssim_total(levels: &[f64], p: &LwssimParams) -> f64 {
    let total: f64 = levels.iter().zip(&p.levels).map(|(v, (_, w))| w * v).sum();
    total / p.levels.len() as f64
}

/// LWSSIM_i of every level, in order.
pub fn lwssim_levels<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &LwssimParams) -> Vec<f64> {
    lwssim_levels_of(&PlanePair { x, y }, p).swap_remove(0)
}

/// (1/I) * sum_i lambda_i * LWSSIM_i for one plane pair; 2 for identical planes.
pub fn lwssim_plane<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &LwssimParams) -> f64 {
    lwssim_total(&lwssim_levels(x, y, p), p)
}
