//! SSIM of one plane pair (Wang, Bovik, Sheikh, Simoncelli 2004).
//!
//! Planes arrive divided by the data range, so C1 = k1^2 and C2 = k2^2.

use crate::kernels::{self, Moments4, SsimConsts};
use crate::plane::Plane;
use crate::real::Real;
use crate::stream::{output_size, plane_sums, plane_sums_with_map, Filter, Four, PairRows, PlanePair};
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
pub struct PlaneSsim {
    pub ssim: f64,
    pub cs: f64,
    pub map: Option<Plane<f32>>,
}

impl SsimParams {
    /// C1, C2 and the covariance factor for samples whose data range is
    /// `range` (1 for planes divided by L).
    pub(crate) fn consts(&self, range: f64) -> SsimConsts {
        let n = self.window.size() * self.window.size();
        let cov = if self.sample_covariance { n as f64 / (n as f64 - 1.0) } else { 1.0 };
        let (a, b) = (self.k1 * range, self.k2 * range);
        SsimConsts { c1: a * a, c2: b * b, cov }
    }
}

/// Mean SSIM and mean cs of every plane of a pair, and on request the map
/// (the mean over planes).
pub fn ssim_planes(src: &dyn PairRows, p: &SsimParams, want_map: bool) -> (Vec<(f64, f64)>, Option<Plane<f32>>) {
    let f = Filter::new(&p.window);
    let k = p.consts(src.range());
    let row = move |m: &Moments4, map: Option<&mut [f64]>| kernels::ssim_row4(m, &k, map);
    let (ow, oh) = output_size(src, &f, p.border);
    let count = (ow * oh) as f64;
    let (sums, map) = if want_map {
        let (s, m) = plane_sums_with_map::<Four>(src, &f, p.border, &row);
        (s, Some(m))
    } else {
        (plane_sums::<Four>(src, &f, p.border, &row), None)
    };
    (sums.iter().map(|s| (s[0] / count, s[1] / count)).collect(), map)
}

pub fn ssim_plane<T: Real>(x: &Plane<T>, y: &Plane<T>, p: &SsimParams, want_map: bool) -> PlaneSsim {
    let (v, map) = ssim_planes(&PlanePair { x, y }, p, want_map);
    PlaneSsim { ssim: v[0].0, cs: v[0].1, map }
}
