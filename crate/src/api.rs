//! Whole-image scores: channel selection, data range, per-channel means.
//! The WebAssembly surface and the native tests both call these.

use crate::domain;
use crate::error::{range, Error};
use crate::image::{Color, Image};
use crate::pairing::{pairing, Side};
use crate::lwssim::{lwssim_levels_of, lwssim_total, LwssimParams};
use crate::matlab;
use crate::msssim::{coarse_terms_all, combine, downsample2_par, max_scales, standard_weights};
use crate::plane::Plane;
use crate::ssim::{ssim_plane, ssim_planes, SsimParams};
use crate::stream::{ImagePair, PairRows};
use rayon::prelude::*;

/// Which channels are compared and on what scale. Images of different
/// channel counts or bit depths compare by the rules of [`crate::pairing`]
/// (gray against colour: the colour image's luma; an image without alpha:
/// opaque; 8-bit against 16-bit: as 16-bit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Channels {
    pub color: Color,
    /// Compare the alpha channel too (as one more channel in the mean).
    pub alpha: bool,
    /// L; `None` takes it from the pixel type (255, 65535 or 1; 65535 for
    /// 8-bit against 16-bit, where no other value is accepted).
    pub data_range: Option<f64>,
}

impl Default for Channels {
    fn default() -> Self {
        Channels { color: Color::Rgb, alpha: false, data_range: None }
    }
}

/// A score, its per-channel parts and, on request, the map (the mean of the
/// per-channel maps).
#[derive(Clone, Debug)]
pub struct Score {
    pub score: f64,
    pub channels: Vec<f64>,
    pub map: Option<Plane<f32>>,
}

/// The mean of per-channel scores, kept within [min, max] of them: rounding
/// alone can put fl(a + b + c) / 3 an ulp above the largest (a bound such
/// as LWSSIM's 2 mean(lambda) would break), and equal channels give their
/// value itself (identity is exact whatever the channel count).
pub(crate) fn mean(v: &[f64]) -> f64 {
    let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| (lo.min(*c), hi.max(*c)));
    let m = v.iter().sum::<f64>() / v.len() as f64;
    if m < lo {
        lo
    } else if m > hi {
        hi
    } else {
        m
    }
}

/// Streams the image rows: memory grows with the width, not the image
/// (plus the map, 4 bytes an output, when asked for).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn ssim(x: &Image, y: &Image, p: &SsimParams, ch: &Channels, want_map: bool) -> Result<Score, Error> {
    let pr = pairing(x, y, ch)?;
    domain::check_ssim_params(p, x.width, x.height)?;
    domain::check_metric_images(x, y, pr.range)?;
    let (v, map) = ssim_planes(&ImagePair::new(x, y, &pr), p, want_map);
    let channels: Vec<f64> = v.iter().map(|c| c.0).collect();
    Ok(Score { score: mean(&channels), channels, map })
}

/// MATLAB's ssim.m as ssim.js 'original' reproduces it: gray, then the
/// automatic down-sampling, then Gaussian 11/1.5 SSIM on the valid region.
/// Every image is made gray by rgb2gray, so gray compares with colour; an
/// 8-bit image against a 16-bit one is read as 16-bit (see `pairing`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn ssim_matlab(x: &Image, y: &Image, p: &SsimParams, data_range: Option<f64>, want_map: bool) -> Result<Score, Error> {
    let pr = pairing(x, y, &Channels { color: Color::Luma, alpha: false, data_range })?;
    let l = pr.range;
    domain::check_metric_images(x, y, l)?;
    // The window must fit the down-sampled image; check before allocating it.
    let f = matlab::factor(x.width, x.height);
    let (w, h) = if f > 1 { (x.width.div_ceil(f), x.height.div_ceil(f)) } else { (x.width, x.height) };
    domain::check_ssim_params(p, w, h)?;
    let (a, b) = (matlab::prepare::<f64>(x, pr.x.widen, l), matlab::prepare::<f64>(y, pr.y.widen, l));
    let r = ssim_plane(&a, &b, p, want_map);
    Ok(Score { score: r.ssim, channels: vec![r.ssim], map: r.map })
}

/// The weights MS-SSIM uses on a `width` x `height` image, one per scale,
/// after checking the window and that the scales fit.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn msssim_weights(p: &SsimParams, width: usize, height: usize, scales: &Scales) -> Result<Vec<f64>, Error> {
    domain::check_ssim_params(p, width, height)?;
    let fit = max_scales(width, height, p.window.size());
    Ok(match scales {
        Scales::Auto => standard_weights(fit.min(domain::AUTO_SCALES)),
        Scales::Weights(w) => {
            domain::check_msssim_weights(w)?;
            if w.len() > fit {
                let n = p.window.size();
                return range(format!(
                    "a {width}x{height} image is too small for {} MS-SSIM scales with a {n}x{n} window: \
                     the coarsest scale must still hold one window (it fits {fit}); pass scales: 'auto' to use fewer",
                    w.len()
                ));
            }
            w.clone()
        }
    })
}

/// How many scales MS-SSIM uses.
#[derive(Clone, Debug, PartialEq)]
pub enum Scales {
    /// Exactly these weights, one per scale; an image too small is an error.
    Weights(Vec<f64>),
    /// As many of the standard scales as fit (at most 5): all five as
    /// published, fewer with their weights renormalised (`standard_weights`).
    Auto,
}

/// MS-SSIM. Scale 0 streams the image rows (as [`ssim`]) while every
/// channel's half-size planes are built from them; each coarser scale then
/// runs all channels at once (`msssim::coarse_terms_all`): peak memory is
/// every compared plane's half-size f64 pair and the next scale's
/// (5 w h bytes a plane), not the image's planes. The streamed, bounded
/// path is `scorer::Scorer`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn msssim(x: &Image, y: &Image, p: &SsimParams, ch: &Channels, scales: &Scales) -> Result<Score, Error> {
    let pr = pairing(x, y, ch)?;
    let l = pr.range;
    let weights = msssim_weights(p, x.width, x.height, scales)?;
    domain::check_metric_images(x, y, l)?;
    let pair = ImagePair::new(x, y, &pr);
    // Scale 0 and the first halvings of every plane in one parallel run.
    let half = |img: &Image, side: &Side, plane: usize| downsample2_par::<f64>(img.width, img.height, |r, out| side.row(img, plane, r, 0, l, out));
    let ((first, _), halves) = rayon::join(
        || ssim_planes(&pair, p, false),
        || match weights.len() {
            1 => Vec::new(),
            _ => (0..pair.planes()).into_par_iter().map(|plane| rayon::join(|| half(x, &pr.x, plane), || half(y, &pr.y, plane))).collect(),
        },
    );
    let coarse = if weights.len() == 1 { vec![Vec::new(); first.len()] } else { coarse_terms_all(halves, p, weights.len() - 1) };
    let channels: Vec<f64> = first
        .iter()
        .zip(coarse)
        .map(|(&(ssim0, cs0), rest)| {
            let mut t = vec![if weights.len() == 1 { ssim0 } else { cs0 }.max(0.0)];
            t.extend(rest);
            combine(&t, &weights)
        })
        .collect();
    Ok(Score { score: mean(&channels), channels, map: None })
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn lwssim(x: &Image, y: &Image, p: &LwssimParams, ch: &Channels) -> Result<Score, Error> {
    let pr = pairing(x, y, ch)?;
    domain::check_lwssim_params(p, x.width, x.height)?;
    domain::check_metric_images(x, y, pr.range)?;
    if domain::lwssim_needs_nonnegative(p) {
        domain::check_nonnegative("the reference image", &x.pixels, p.alpha)?;
        domain::check_nonnegative("the distorted image", &y.pixels, p.alpha)?;
    }
    let levels = lwssim_levels_of(&ImagePair::new(x, y, &pr), p);
    let channels: Vec<f64> = levels.iter().map(|v| lwssim_total(v, p)).collect();
    Ok(Score { score: mean(&channels), channels, map: None })
}
