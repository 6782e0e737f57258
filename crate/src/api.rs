//! Whole-image scores: channel selection, data range, per-channel means.
//! The WebAssembly surface and the native tests both call these.

use crate::error::{range, Error};
use crate::image::{Color, Image};
use crate::lwssim::{lwssim_levels_of, lwssim_total, LwssimParams};
use crate::matlab;
use crate::msssim::{max_scales, msssim_plane};
use crate::plane::Plane;
use crate::real::Real;
use crate::ssim::{ssim_plane, ssim_planes, SsimParams};
use crate::stream::ImagePair;
use crate::window::Window;

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

pub(crate) fn check_window(w: &Window, width: usize, height: usize) -> Result<(), Error> {
    let n = w.size();
    if n == 0 || n % 2 == 0 {
        return range(format!("window size must be odd and positive, got {n}"));
    }
    if n > width || n > height {
        return range(format!("a {n}x{n} window does not fit a {width}x{height} image"));
    }
    if let Window::Gaussian { sigma, .. } = w {
        if !(sigma.is_finite() && *sigma > 0.0) {
            return range(format!("sigma must be positive, got {sigma}"));
        }
    }
    Ok(())
}

fn planes_of<T: Real>(x: &Image, y: &Image, ch: &Channels) -> Result<(Vec<Plane<T>>, Vec<Plane<T>>), Error> {
    check_pair(x, y)?;
    let l = range_of(x, ch.data_range)?;
    Ok((x.planes(ch.color, ch.alpha, l), y.planes(ch.color, ch.alpha, l)))
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

pub(crate) fn range_of(x: &Image, data_range: Option<f64>) -> Result<f64, Error> {
    let l = data_range.unwrap_or_else(|| x.pixels.default_range());
    if !(l.is_finite() && l > 0.0) {
        return range(format!("dataRange must be positive and finite, got {l}"));
    }
    Ok(l)
}

/// Streams the image rows: memory grows with the width, not the image.
pub fn ssim(x: &Image, y: &Image, p: &SsimParams, ch: &Channels, want_map: bool) -> Result<Score, Error> {
    check_pair(x, y)?;
    let l = range_of(x, ch.data_range)?;
    check_window(&p.window, x.width, x.height)?;
    let (v, map) = ssim_planes(&ImagePair::new(x, y, ch.color, ch.alpha, l), p, want_map);
    let channels: Vec<f64> = v.iter().map(|c| c.0).collect();
    Ok(Score { score: mean(&channels), channels, map })
}

/// MATLAB's ssim.m as ssim.js 'original' reproduces it: gray, then the
/// automatic down-sampling, then Gaussian 11/1.5 SSIM on the valid region.
pub fn ssim_matlab(x: &Image, y: &Image, p: &SsimParams, data_range: Option<f64>, want_map: bool) -> Result<Score, Error> {
    check_pair(x, y)?;
    let l = data_range.unwrap_or_else(|| x.pixels.default_range());
    let (a, b) = (matlab::prepare::<f64>(x, l), matlab::prepare::<f64>(y, l));
    check_window(&p.window, a.width, a.height)?;
    let r = ssim_plane(&a, &b, p, want_map);
    Ok(Score { score: r.ssim, channels: vec![r.ssim], map: r.map })
}

/// How many scales MS-SSIM uses.
#[derive(Clone, Debug, PartialEq)]
pub enum Scales {
    /// Exactly these weights, one per scale; an image too small is an error.
    Weights(Vec<f64>),
    /// As many of the standard scales as fit (at most 5), weights renormalised.
    Auto,
}

pub fn msssim(x: &Image, y: &Image, p: &SsimParams, ch: &Channels, scales: &Scales) -> Result<Score, Error> {
    let (xs, ys) = planes_of::<f64>(x, y, ch)?;
    check_window(&p.window, x.width, x.height)?;
    let fit = max_scales(x.width, x.height, p.window.size());
    let weights = match scales {
        Scales::Auto => crate::msssim::renormalised_weights(fit.min(crate::msssim::WEIGHTS.len())),
        Scales::Weights(w) => {
            if w.is_empty() {
                return range("MS-SSIM needs at least one scale");
            }
            if w.len() > fit {
                let n = p.window.size();
                return range(format!(
                    "a {}x{} image is too small for {} MS-SSIM scales with a {n}x{n} window: \
                     the coarsest scale must still hold one window (it fits {fit}); pass scales: 'auto' to use fewer",
                    x.width,
                    x.height,
                    w.len()
                ));
            }
            w.clone()
        }
    };
    let channels: Vec<f64> = xs.iter().zip(&ys).map(|(a, b)| msssim_plane(a, b, p, &weights)).collect();
    Ok(Score { score: mean(&channels), channels, map: None })
}

pub fn lwssim(x: &Image, y: &Image, p: &LwssimParams, ch: &Channels) -> Result<Score, Error> {
    check_pair(x, y)?;
    let l = range_of(x, ch.data_range)?;
    if p.levels.is_empty() {
        return range("LWSSIM needs at least one level");
    }
    for (w, _) in &p.levels {
        check_window(w, x.width, x.height)?;
    }
    let levels = lwssim_levels_of(&ImagePair::new(x, y, ch.color, ch.alpha, l), p);
    let channels: Vec<f64> = levels.iter().map(|v| lwssim_total(v, p)).collect();
    Ok(Score { score: mean(&channels), channels, map: None })
}
