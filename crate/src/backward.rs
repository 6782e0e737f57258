//! Backward passes: gradients of SSIM-family scores with respect to the
//! second plane (the prediction), by the chain rule through the window
//! filters and the down-sampling. Every score is a mean over window
//! positions of F(mu_y, E[y^2], E[xy]) (x fixed), so each backward pass is:
//! per position, dF/d(moments); then the adjoint of the window filter.

use crate::lwssim::{dpow, pow, LwssimParams};
use crate::msssim::downsample2;
use crate::plane::Plane;
use crate::real::Real;
use crate::ssim::{SsimParams, Terms};
use crate::stats::{moments, Moments};
use crate::window::{Border, Window};

/// d(objective)/d(mu_y, E[y^2], E[xy]) at every output position.
pub struct MomentGrads<T> {
    pub mu: Vec<T>,
    pub yy: Vec<T>,
    pub xy: Vec<T>,
}

impl<T: Real> MomentGrads<T> {
    fn zeros(len: usize) -> Self {
        MomentGrads { mu: vec![T::ZERO; len], yy: vec![T::ZERO; len], xy: vec![T::ZERO; len] }
    }
}

/// The adjoint of the separable window filter (`stats::moments`) for
/// `planes.len()` output planes of ow x oh: scatters each output value back
/// over its window, through the border's index table, onto w x h planes.
pub fn filter_adjoint<T: Real, const K: usize>(
    planes: [&[T]; K],
    (ow, oh): (usize, usize),
    (w, h): (usize, usize),
    taps: &[T],
    border: Border,
) -> [Vec<T>; K] {
    let n = taps.len();
    let cols = border.source_indices(w, n);
    let rows = border.source_indices(h, n);
    // Vertical adjoint: output row i fed source rows rows[i + k].
    let mut mid: [Vec<T>; K] = core::array::from_fn(|_| vec![T::ZERO; h * ow]);
    for i in 0..oh {
        for (k, &t) in taps.iter().enumerate() {
            let r = rows[i + k];
            for (s, dst_plane) in mid.iter_mut().enumerate() {
                let src = &planes[s][i * ow..(i + 1) * ow];
                for (d, &v) in dst_plane[r * ow..(r + 1) * ow].iter_mut().zip(src) {
                    *d += t * v;
                }
            }
        }
    }
    // Horizontal adjoint, into a padded row, then folded onto the source
    // columns (in `valid` mode the fold is the identity).
    let plen = ow + n - 1;
    let mut pad = vec![T::ZERO; plen];
    let mut out: [Vec<T>; K] = core::array::from_fn(|_| vec![T::ZERO; h * w]);
    for r in 0..h {
        for s in 0..K {
            pad.iter_mut().for_each(|v| *v = T::ZERO);
            let src = &mid[s][r * ow..(r + 1) * ow];
            for (k, &t) in taps.iter().enumerate() {
                for (d, &v) in pad[k..k + ow].iter_mut().zip(src) {
                    *d += t * v;
                }
            }
            let dst = &mut out[s][r * w..(r + 1) * w];
            for (p, &c) in cols.iter().take(plen).enumerate() {
                dst[c] += pad[p];
            }
        }
    }
    out
}

/// grad_y[q] = A(g.mu)[q] + 2 y[q] A(g.yy)[q] + x[q] A(g.xy)[q], A the
/// filter's adjoint: the chain rule through mu_y, E[y^2] and E[xy].
pub fn moments_backward<T: Real>(x: &Plane<T>, y: &Plane<T>, taps: &[T], border: Border, m: &Moments<T>, g: &MomentGrads<T>) -> Vec<T> {
    let [a_mu, a_yy, a_xy] = filter_adjoint([&g.mu, &g.yy, &g.xy], (m.width, m.height), (x.width, x.height), taps, border);
    let two = T::from_f64(2.0);
    (0..x.data.len()).map(|q| a_mu[q] + two * y.data[q] * a_yy[q] + x.data[q] * a_xy[q]).collect()
}

/// Which mean a single-scale backward pass differentiates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// mean of l * cs (SSIM)
    Ssim,
    /// mean of cs (MS-SSIM's finer scales)
    Cs,
}

fn taps_of<T: Real>(w: &Window) -> Vec<T> {
    w.taps().into_iter().map(T::from_f64).collect()
}

/// The mean SSIM (or cs) of a plane pair and its gradient with respect to y.
/// The mean is bit-identical to the forward pass's.
pub fn ssim_plane_grad<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, obj: Objective) -> (f64, Vec<T>) {
    let taps = taps_of::<T>(&p.window);
    let m = moments(x, y, &taps, p.border);
    let n = p.window.size();
    let terms = Terms::<T>::new(p.k1, p.k2, n * n, p.sample_covariance);
    let len = m.width * m.height;
    let inv = T::from_f64(1.0 / len as f64);
    let mut g = MomentGrads::zeros(len);
    let mut sum = 0.0f64;
    for i in 0..len {
        let d = terms.partials(&m, i);
        let (f_l, f_cs, v) = match obj {
            Objective::Ssim => (d.cs, d.l, d.l * d.cs),
            Objective::Cs => (T::ZERO, T::ONE, d.cs),
        };
        sum += v.to_f64();
        g.mu[i] = (f_l * d.dl_dmu + f_cs * d.dcs_dmu) * inv;
        g.yy[i] = f_cs * d.dcs_dyy * inv;
        g.xy[i] = f_cs * d.dcs_dxy * inv;
    }
    (sum / len as f64, moments_backward(x, y, &taps, p.border, &m, &g))
}

/// The adjoint of `downsample2`: each coarse value spreads a quarter to the
/// four fine samples it averaged (twice to a repeated edge sample).
pub fn downsample2_adjoint<T: Real>(g: &Plane<T>, w: usize, h: usize) -> Vec<T> {
    let quarter = T::from_f64(0.25);
    let mut out = vec![T::ZERO; w * h];
    for i in 0..g.height {
        let (r0, r1) = (2 * i, (2 * i + 1).min(h - 1));
        for j in 0..g.width {
            let (c0, c1) = (2 * j, (2 * j + 1).min(w - 1));
            let v = g.at(j, i) * quarter;
            out[r0 * w + c0] += v;
            out[r0 * w + c1] += v;
            out[r1 * w + c0] += v;
            out[r1 * w + c1] += v;
        }
    }
    out
}

/// MS-SSIM of a plane pair and its gradient with respect to y.
///
/// MS = prod v_s^w_s with v_s = max(mean, 0). dMS/dv_s = w_s MS / v_s where
/// v_s > 0; where the relu clamps (v_s = 0) the subgradient 0 is used, for
/// that term and, since MS is then 0, for all: never NaN or infinite.
pub fn msssim_plane_grad<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, weights: &[f64]) -> (f64, Vec<T>) {
    let scales = weights.len();
    let (mut xs, mut ys) = (vec![x.clone()], vec![y.clone()]);
    for _ in 1..scales {
        let (nx, ny) = (downsample2(xs.last().unwrap()), downsample2(ys.last().unwrap()));
        xs.push(nx);
        ys.push(ny);
    }
    let per_scale: Vec<(f64, Vec<T>)> = (0..scales)
        .map(|s| ssim_plane_grad(&xs[s], &ys[s], p, if s + 1 == scales { Objective::Ssim } else { Objective::Cs }))
        .collect();
    let v: Vec<f64> = per_scale.iter().map(|(m, _)| m.max(0.0)).collect();
    let ms: f64 = v.iter().zip(weights).map(|(v, w)| v.powf(*w)).product();
    let mut grad: Option<Vec<T>> = None;
    for s in (0..scales).rev() {
        let coef = if v[s] > 0.0 { T::from_f64(weights[s] * ms / v[s]) } else { T::ZERO };
        let mut g: Vec<T> = per_scale[s].1.iter().map(|&d| coef * d).collect();
        if let Some(coarse) = grad.take() {
            let c = Plane::new(ys[s + 1].width, ys[s + 1].height, coarse);
            for (d, u) in g.iter_mut().zip(downsample2_adjoint(&c, ys[s].width, ys[s].height)) {
                *d += u;
            }
        }
        grad = Some(g);
    }
    (ms, grad.unwrap())
}

/// LWSSIM (before the 1/I and lambda weighting: the per-level means) and
/// the gradient of (1/I) sum_i lambda_i LWSSIM_i with respect to y.
///
/// With beta = gamma = 1 the structural term is cs, exactly as the forward
/// pass computes it. Otherwise c and s go through sx sy = sqrt(sxx syy),
/// whose derivative is infinite where a variance is 0: there the
/// subgradient 0 is used, as for a clamped variance or covariance.
pub fn lwssim_plane_grad<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &LwssimParams) -> (f64, Vec<T>) {
    let unit = p.beta == 1.0 && p.gamma == 1.0;
    let levels = p.levels.len() as f64;
    let mut total = 0.0f64;
    let mut grad = vec![T::ZERO; x.data.len()];
    for &(window, lambda) in &p.levels {
        let taps = taps_of::<T>(&window);
        let m = moments(x, y, &taps, p.border);
        let n = window.size();
        let terms = Terms::<T>::new(p.k1, p.k2, n * n, false);
        let (c2, len) = (terms.c2().to_f64(), m.width * m.height);
        let c3 = c2 / 2.0;
        let scale = lambda / levels / len as f64;
        let mut g = MomentGrads::zeros(len);
        let mut sum = 0.0f64;
        for i in 0..len {
            let d = terms.partials(&m, i);
            let l = d.l.to_f64();
            let f_l = dpow(l, p.alpha);
            let (structural, g_mu, g_yy, g_xy) = if unit {
                let cs = d.cs.to_f64();
                let (a, b, c) = (d.dcs_dmu.to_f64(), d.dcs_dyy.to_f64(), d.dcs_dxy.to_f64());
                (cs, a, b, c)
            } else {
                let (sxx, syy, sxy) = terms.sigmas(&m, i);
                let (sxx_raw, syy_raw, sxy_raw) = (sxx.to_f64(), syy.to_f64(), sxy.to_f64());
                let (sxx, syy) = (sxx_raw.max(0.0), syy_raw.max(0.0));
                let ps = (sxx * syy).sqrt();
                let sxyc = sxy_raw.clamp(-ps, ps);
                let dc = 2.0 * ps + c2;
                let den_c = sxx + syy + c2;
                let c = dc / den_c;
                let s = (sxyc + c3) / (ps + c3);
                let (f_c, f_s) = (dpow(c, p.beta) * pow(s, p.gamma), pow(c, p.beta) * dpow(s, p.gamma));
                // d(ps)/d(syy); 0 at a zero variance or a clamped syy.
                let dps = if ps > 0.0 && syy_raw > 0.0 { sxx / (2.0 * ps) } else { 0.0 };
                let dc_dyy = if syy_raw >= 0.0 { (2.0 * dps * den_c - dc) / (den_c * den_c) } else { 0.0 };
                let clamped = sxyc != sxy_raw;
                let dsxyc_dps = if clamped { sxyc.signum() } else { 0.0 };
                let ds_dyy = ((dsxyc_dps * (ps + c3) - (sxyc + c3)) / ((ps + c3) * (ps + c3))) * dps;
                let ds_dxy = if clamped { 0.0 } else { 1.0 / (ps + c3) };
                let f_yy = f_c * dc_dyy + f_s * ds_dyy;
                let f_xy = f_s * ds_dxy;
                // sigma_yy = E[y^2] - mu_y^2, sigma_xy = E[xy] - mu_x mu_y.
                let (mx, my) = (m.mu_x[i].to_f64(), m.mu_y[i].to_f64());
                (pow(c, p.beta) * pow(s, p.gamma), -2.0 * my * f_yy - mx * f_xy, f_yy, f_xy)
            };
            sum += pow(l, p.alpha) + structural;
            g.mu[i] = T::from_f64((f_l * d.dl_dmu.to_f64() + g_mu) * scale);
            g.yy[i] = T::from_f64(g_yy * scale);
            g.xy[i] = T::from_f64(g_xy * scale);
        }
        total += lambda * sum / len as f64;
        for (d, v) in grad.iter_mut().zip(moments_backward(x, y, &taps, p.border, &m, &g)) {
            *d += v;
        }
    }
    (total / levels, grad)
}
