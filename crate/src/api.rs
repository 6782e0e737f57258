//! Whole-image scores: channel selection, data range, per-channel means.
//! The WebAssembly surface and the native tests both call these.

use crate::domain;
use crate::error::{range, Error};
use crate::image::{Color, Image};
use crate::lwssim::{lwssim_levels_of, lwssim_total, LwssimParams};
use crate::matlab;
use crate::msssim::{coarse_terms, combine, downsample2_rows, max_scales, renormalised_weights};
use crate::plane::Plane;
use crate::ssim::{ssim_plane, ssim_planes, SsimParams};
use crate::stream::ImagePair;

/// Which channels are compared and on what scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Channels {
    pub color: Color,
    /// Compare the alpha channel too (as one more channel in the mean).
    pub alpha: bool,
    /// L; `None` takes it from the pixel type (255, 65535 or 1).
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

fn check_pair(x: &Image, y: &Image) -> Result<(), Error> {
    if (x.width, x.height, x.channels) != (y.width, y.height, y.channels) {
        return Err(Error::Mismatch(format!(
            "images differ in shape: {}x{}x{} vs {}x{}x{}",
            x.width, x.height, x.channels, y.width, y.height, y.channels
        )));
    }
    if core::mem::discriminant(&x.pixels) != core::mem::discriminant(&y.pixels) {
        return Err(Error::Mismatch("images differ in pixel type".into()));
    }
    Ok(())
}

pub(crate) fn range_of(x: &Image, data_range: Option<f64>) -> Result<f64, Error> {
    let l = data_range.unwrap_or_else(|| x.pixels.default_range());
    domain::check_data_range(l)?;
    Ok(l)
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
pub fn ssim(x: &Image, y: &Image, p: &SsimParams, ch: &Channels, want_map: bool) -> Result<Score, Error> {
    check_pair(x, y)?;
    let l = range_of(x, ch.data_range)?;
    domain::check_ssim_params(p, x.width, x.height)?;
    domain::check_metric_images(x, y, l)?;
    let (v, map) = ssim_planes(&ImagePair::new(x, y, ch.color, ch.alpha, l), p, want_map);
    let channels: Vec<f64> = v.iter().map(|c| c.0).collect();
    Ok(Score { score: mean(&channels), channels, map })
}

/// MATLAB's ssim.m as ssim.js 'original' reproduces it: gray, then the
/// automatic down-sampling, then Gaussian 11/1.5 SSIM on the valid region.
pub fn ssim_matlab(x: &Image, y: &Image, p: &SsimParams, data_range: Option<f64>, want_map: bool) -> Result<Score, Error> {
    check_pair(x, y)?;
    let l = range_of(x, data_range)?;
    domain::check_metric_images(x, y, l)?;
    // The window must fit the down-sampled image; check before allocating it.
    let f = matlab::factor(x.width, x.height);
    let (w, h) = if f > 1 { (x.width.div_ceil(f), x.height.div_ceil(f)) } else { (x.width, x.height) };
    domain::check_ssim_params(p, w, h)?;
    let (a, b) = (matlab::prepare::<f64>(x, l), matlab::prepare::<f64>(y, l));
    let r = ssim_plane(&a, &b, p, want_map);
    Ok(Score { score: r.ssim, channels: vec![r.ssim], map: r.map })
}

/// The weights MS-SSIM uses on a `width` x `height` image, one per scale,
/// after checking the window and that the scales fit.
pub(crate) fn msssim_weights(p: &SsimParams, width: usize, height: usize, scales: &Scales) -> Result<Vec<f64>, Error> {
    domain::check_ssim_params(p, width, height)?;
    let fit = max_scales(width, height, p.window.size());
    Ok(match scales {
        Scales::Auto => renormalised_weights(fit.min(domain::AUTO_SCALES)),
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
    /// As many of the standard scales as fit (at most 5), weights renormalised.
    Auto,
}

/// MS-SSIM. Scale 0 streams the image rows (as [`ssim`]); the coarser
/// scales hold one channel's half-size planes at a time, built from the
/// image rows directly: peak memory is about 2 half-size f64 planes and
/// their pyramid (5 w h bytes), not the image's planes.
pub fn msssim(x: &Image, y: &Image, p: &SsimParams, ch: &Channels, scales: &Scales) -> Result<Score, Error> {
    check_pair(x, y)?;
    let l = range_of(x, ch.data_range)?;
    let weights = msssim_weights(p, x.width, x.height, scales)?;
    domain::check_metric_images(x, y, l)?;
    let pair = ImagePair::new(x, y, ch.color, ch.alpha, l);
    let (first, _) = ssim_planes(&pair, p, false);
    let sources = x.plane_sources(ch.color, ch.alpha);
    let channels: Vec<f64> = sources
        .iter()
        .zip(&first)
        .map(|(&src, &(ssim0, cs0))| {
            let terms = if weights.len() == 1 {
                vec![ssim0.max(0.0)]
            } else {
                let half = |img: &Image| {
                    downsample2_rows::<f64>(img.width, img.height, |r, out| {
                        img.read_row(src, r, 0, out);
                        for v in out.iter_mut() {
                            *v /= l;
                        }
                    })
                };
                let mut t = vec![cs0.max(0.0)];
                t.extend(coarse_terms(half(x), half(y), p, weights.len() - 1));
                t
            };
            combine(&terms, &weights)
        })
        .collect();
    Ok(Score { score: mean(&channels), channels, map: None })
}

pub fn lwssim(x: &Image, y: &Image, p: &LwssimParams, ch: &Channels) -> Result<Score, Error> {
    check_pair(x, y)?;
    let l = range_of(x, ch.data_range)?;
    domain::check_lwssim_params(p, x.width, x.height)?;
    domain::check_metric_images(x, y, l)?;
    if domain::lwssim_needs_nonnegative(p) {
        domain::check_nonnegative("the reference image", &x.pixels, p.alpha)?;
        domain::check_nonnegative("the distorted image", &y.pixels, p.alpha)?;
    }
    let levels = lwssim_levels_of(&ImagePair::new(x, y, ch.color, ch.alpha, l), p);
    let channels: Vec<f64> = levels.iter().map(|v| lwssim_total(v, p)).collect();
    Ok(Score { score: mean(&channels), channels, map: None })
}
