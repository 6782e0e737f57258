//! SSIM of one plane pair (Wang, Bovik, Sheikh, Simoncelli 2004).
//!
//! Planes arrive divided by the data range, so C1 = k1^2 and C2 = k2^2.

use crate::plane::Plane;
use crate::real::Real;
use crate::stats::{moments, Moments};
use crate::window::{Border, Window};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SsimParams {
    pub window: Window,
    pub k1: f64,
    pub k2: f64,
    pub border: Border,
    /// Scale variances and covariance by N/(N-1), N the window's tap count
    /// (scikit-image's `use_sample_covariance=True`).
    pub sample_covariance: bool,
}

impl Default for SsimParams {
    fn default() -> Self {
        SsimParams {
            window: Window::Gaussian { size: 11, sigma: 1.5 },
            k1: 0.01,
            k2: 0.03,
            border: Border::Valid,
            sample_covariance: false,
        }
    }
}

/// Mean SSIM and mean contrast-structure term of one plane pair.
#[derive(Clone, Debug)]
pub struct PlaneSsim<T> {
    pub ssim: f64,
    pub cs: f64,
    pub map: Option<Plane<T>>,
}

/// Per-position luminance and contrast-structure terms from the moments.
pub(crate) struct Terms<T> {
    c1: T,
    c2: T,
    cov: T,
}

impl<T: Real> Terms<T> {
    pub(crate) fn new(k1: f64, k2: f64, taps: usize, sample: bool) -> Self {
        let cov = if sample { taps as f64 / (taps as f64 - 1.0) } else { 1.0 };
        Terms { c1: T::from_f64(k1 * k1), c2: T::from_f64(k2 * k2), cov: T::from_f64(cov) }
    }

    /// (l, cs) at position i. With x == y both are exactly 1: numerator and
    /// denominator are then computed from bit-identical operands.
    #[inline(always)]
    pub(crate) fn at(&self, m: &Moments<T>, i: usize) -> (T, T) {
        let (mx, my) = (m.mu_x[i], m.mu_y[i]);
        let two = T::from_f64(2.0);
        let mxy = mx * my;
        let l = (two * mxy + self.c1) / (mx * mx + my * my + self.c1);
        let (sxx, syy, sxy) = self.sigmas(m, i);
        let cs = (two * sxy + self.c2) / (sxx + syy + self.c2);
        (l, cs)
    }

    /// Population (or sample) variances and covariance at position i.
    #[inline(always)]
    pub(crate) fn sigmas(&self, m: &Moments<T>, i: usize) -> (T, T, T) {
        let (mx, my) = (m.mu_x[i], m.mu_y[i]);
        let sxx = (m.xx[i] - mx * mx) * self.cov;
        let syy = (m.yy[i] - my * my) * self.cov;
        let sxy = (m.xy[i] - mx * my) * self.cov;
        (sxx, syy, sxy)
    }

    pub(crate) fn c2(&self) -> T {
        self.c2
    }

    /// l, cs and their derivatives with respect to the raw moments of y
    /// (mu_y, E[y^2], E[xy]) at position i: what every backward pass chains.
    #[inline(always)]
    pub(crate) fn partials(&self, m: &Moments<T>, i: usize) -> Partials<T> {
        let two = T::from_f64(2.0);
        let (mx, my) = (m.mu_x[i], m.mu_y[i]);
        let b1 = mx * mx + my * my + self.c1;
        let l = (two * mx * my + self.c1) / b1;
        let (sxx, syy, sxy) = self.sigmas(m, i);
        let b2 = sxx + syy + self.c2;
        let cs = (two * sxy + self.c2) / b2;
        // sigma_yy = cov (E[y^2] - mu_y^2), sigma_xy = cov (E[xy] - mu_x mu_y).
        let k = self.cov / b2;
        Partials {
            l,
            cs,
            dl_dmu: two * (mx - my * l) / b1,
            dcs_dmu: two * k * (my * cs - mx),
            dcs_dyy: -(k * cs),
            dcs_dxy: two * k,
        }
    }
}

/// See [`Terms::partials`].
pub(crate) struct Partials<T> {
    pub l: T,
    pub cs: T,
    pub dl_dmu: T,
    pub dcs_dmu: T,
    pub dcs_dyy: T,
    pub dcs_dxy: T,
}

pub fn ssim_plane<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, want_map: bool) -> PlaneSsim<T> {
    let taps: Vec<T> = p.window.taps().into_iter().map(T::from_f64).collect();
    let m = moments(x, y, &taps, p.border);
    let n = p.window.size();
    let terms = Terms::<T>::new(p.k1, p.k2, n * n, p.sample_covariance);
    let len = m.width * m.height;
    let mut map = if want_map { Vec::with_capacity(len) } else { Vec::new() };
    // Sums in f64: the mean of a million f32 values would otherwise drift.
    let (mut sum_ssim, mut sum_cs) = (0.0f64, 0.0f64);
    for i in 0..len {
        let (l, cs) = terms.at(&m, i);
        let s = l * cs;
        sum_ssim += s.to_f64();
        sum_cs += cs.to_f64();
        if want_map {
            map.push(s);
        }
    }
    PlaneSsim {
        ssim: sum_ssim / len as f64,
        cs: sum_cs / len as f64,
        map: want_map.then(|| Plane::new(m.width, m.height, map)),
    }
}
