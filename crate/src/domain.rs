//! The numeric domain of every option and input (issue 8's table), checked
//! once more in Rust after the TypeScript layer: every entry point of the
//! Rust API (`api::ssim`, `api::ssim_matlab`, `api::msssim`, `api::lwssim`,
//! `scorer::Scorer::new` / `feed`, `loss::loss`) calls these checks before
//! computing, so no value outside the table reaches a kernel (where it could
//! give NaN, inf, a hang or a panic). Each failure is an `Error::Range`
//! (`Error::Mismatch` for shapes, as before) whose text names the range.
//!
//! Inside the domain the kernels are robust by construction (see
//! `kernels::scalar`): variances clamped at 0, |sigma_xy| <= sqrt(sxx syy),
//! l, cs, c, s clamped to [-1, 1] before any power, so every score is finite
//! and within its bounds for any finite pixels.

use crate::error::{range, Error};
use crate::image::{Image, Pixels};
use crate::lwssim::LwssimParams;
use crate::ssim::SsimParams;
use crate::window::Window;

/// Data range L: finite, in [1e-6, 1e12].
pub const DATA_RANGE: (f64, f64) = (1e-6, 1e12);
/// k1 and k2: finite, in [1e-6, 1e6].
pub const K: (f64, f64) = (1e-6, 1e6);
/// Gaussian sigma: finite, in [1e-3, 1e3].
pub const SIGMA: (f64, f64) = (1e-3, 1e3);
/// Gaussian window sides: a Gaussian costs n multiplications per pixel, so
/// its side is capped (a 8191-tap window on an 8K image would run for
/// hours); box windows cost the same at every size and are not.
pub const GAUSSIAN_SIZE: (usize, usize) = (1, 255);
/// LWSSIM levels: 1 to 32.
pub const LWSSIM_LEVELS: (usize, usize) = (1, 32);
/// LWSSIM weights lambda_i: finite, in [0, 1e6], not all 0.
pub const LWSSIM_WEIGHT: (f64, f64) = (0.0, 1e6);
/// LWSSIM alpha, beta: finite, in [0, 64]; gamma: an integer in [0, 64].
pub const LWSSIM_EXPONENT: (f64, f64) = (0.0, 64.0);
/// MS-SSIM weights (exponents): 1 to 16 of them, each finite in [0, 64], not all 0.
pub const MSSSIM_SCALES: (usize, usize) = (1, 16);
pub const MSSSIM_WEIGHT: (f64, f64) = (0.0, 64.0);
/// The most scales any loop over scales runs (a 1x1 window fits every
/// halving of a 1x1 image: without a cap that loop never ends).
pub const MAX_SCALES: usize = 16;
/// The standard MS-SSIM scales `Scales::Auto` uses at most.
pub const AUTO_SCALES: usize = 5;
/// DSSIM+MAE alpha, beta: finite, in [0, 1e6], not both 0.
pub const DSSIM_MAE_WEIGHT: (f64, f64) = (0.0, 1e6);
/// Pixels of an image (or of one image of a batch): width * height <= 2^26.
pub const MAX_PIXELS: usize = 1 << 26;
/// Channels of an image: 1 to 4.
pub const CHANNELS: (usize, usize) = (1, 4);
/// Metrics: every |pixel| <= PIXEL_RANGES * L.
pub const PIXEL_RANGES: f64 = 64.0;

/// A bound as the table writes it: 0, 64, 1e-6, 1e12.
fn bound(v: f64) -> String {
    if v == 0.0 || (v.fract() == 0.0 && v.abs() < 100.0) { format!("{v}") } else { format!("{v:e}") }
}

/// A value as the user would recognise it: 0.5, 1e-300, 1e+200 as 1e200.
pub(crate) fn shown(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e15).contains(&v.abs()) { format!("{v}") } else { format!("{v:e}") }
}

fn in_range(name: &str, v: f64, (lo, hi): (f64, f64)) -> Result<(), Error> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        range(format!("{name} must be a finite number in [{}, {}], got {}", bound(lo), bound(hi), shown(v)))
    }
}

/// A shape's dimensions: width, height >= 1, width * height <= 2^26,
/// channels 1..4.
pub fn check_shape(width: usize, height: usize, channels: usize) -> Result<(), Error> {
    if !(CHANNELS.0..=CHANNELS.1).contains(&channels) {
        return range(format!("channels must be 1, 2, 3 or 4, got {channels}"));
    }
    check_size(width, height)
}

/// width, height >= 1 and width * height <= 2^26.
pub fn check_size(width: usize, height: usize) -> Result<(), Error> {
    if width == 0 || height == 0 {
        return range(format!("image is empty ({width}x{height}): width and height must be at least 1"));
    }
    match width.checked_mul(height) {
        Some(p) if p <= MAX_PIXELS => Ok(()),
        _ => range(format!("a {width}x{height} image has more than {MAX_PIXELS} (2^26) pixels, the most supported")),
    }
}

/// L: finite, in [1e-6, 1e12].
pub fn check_data_range(l: f64) -> Result<(), Error> {
    in_range("dataRange", l, DATA_RANGE)
}

pub fn check_k(k1: f64, k2: f64) -> Result<(), Error> {
    in_range("k1", k1, K)?;
    in_range("k2", k2, K)
}

/// A window: an odd size 1 <= n <= min(width, height); a Gaussian's sigma
/// finite in [1e-3, 1e3]. `what` names the option ("size", "levels[2]").
pub fn check_window_named(what: &str, w: &Window, width: usize, height: usize) -> Result<(), Error> {
    let n = w.size();
    if n == 0 || n % 2 == 0 {
        return range(format!("{what} must be an odd integer >= 1, got {n}"));
    }
    if n > width || n > height {
        return range(format!(
            "{what} {n}: a {n}x{n} window does not fit a {width}x{height} image ({what} must be odd and at most {})",
            width.min(height)
        ));
    }
    if let Window::Gaussian { sigma, .. } = w {
        in_range("sigma", *sigma, SIGMA)?;
        if n > GAUSSIAN_SIZE.1 {
            return range(format!(
                "{what} {n}: a Gaussian window costs {n} multiplications per pixel and pass; at most {} (a box window costs the same at any size)",
                GAUSSIAN_SIZE.1
            ));
        }
    }
    Ok(())
}

/// Window, k1, k2 of SSIM (and of MS-SSIM and the SSIM-based losses).
/// Sample covariance (N / (N - 1)) needs a window of more than one tap.
pub fn check_ssim_params(p: &SsimParams, width: usize, height: usize) -> Result<(), Error> {
    check_k(p.k1, p.k2)?;
    check_window_named("size", &p.window, width, height)?;
    if p.sample_covariance && p.window.size() < 2 {
        return range("sample covariance (N / (N - 1)) needs a window of at least 3x3, got size 1");
    }
    Ok(())
}

/// Every LWSSIM option: 1..32 levels, each an odd window that fits with a
/// weight in [0, 1e6] (not all 0); alpha, beta in [0, 64]; gamma an integer
/// in [0, 64]; k1, k2.
pub fn check_lwssim_params(p: &LwssimParams, width: usize, height: usize) -> Result<(), Error> {
    let n = p.levels.len();
    if !(LWSSIM_LEVELS.0..=LWSSIM_LEVELS.1).contains(&n) {
        return range(format!("LWSSIM levels must hold 1 to 32 window sizes, got {n}"));
    }
    check_k(p.k1, p.k2)?;
    for (i, (w, lambda)) in p.levels.iter().enumerate() {
        check_window_named(&format!("levels[{i}]"), w, width, height)?;
        in_range(&format!("weights[{i}]"), *lambda, LWSSIM_WEIGHT)?;
    }
    if p.levels.iter().all(|(_, lambda)| *lambda == 0.0) {
        return range("LWSSIM weights must not all be 0");
    }
    in_range("alpha", p.alpha, LWSSIM_EXPONENT)?;
    in_range("beta", p.beta, LWSSIM_EXPONENT)?;
    in_range("gamma", p.gamma, LWSSIM_EXPONENT)?;
    if p.gamma.fract() != 0.0 {
        return range(format!("gamma must be an integer in [0, 64] (s can be negative), got {}", shown(p.gamma)));
    }
    Ok(())
}

/// LWSSIM with a non-integer alpha raises l to a real power, which needs
/// l >= 0: every pixel of both images must be >= 0.
pub fn lwssim_needs_nonnegative(p: &LwssimParams) -> bool {
    p.alpha.fract() != 0.0
}

/// MS-SSIM weights: 1 to 16, each finite in [0, 64], not all 0.
pub fn check_msssim_weights(w: &[f64]) -> Result<(), Error> {
    if !(MSSSIM_SCALES.0..=MSSSIM_SCALES.1).contains(&w.len()) {
        return range(format!("MS-SSIM weights must hold 1 to 16 values (one per scale), got {}", w.len()));
    }
    for (i, v) in w.iter().enumerate() {
        in_range(&format!("weights[{i}]"), *v, MSSSIM_WEIGHT)?;
    }
    if w.iter().all(|v| *v == 0.0) {
        return range("MS-SSIM weights must not all be 0");
    }
    Ok(())
}

/// DSSIM+MAE alpha, beta: finite in [0, 1e6], not both 0.
pub fn check_dssim_mae(alpha: f64, beta: f64) -> Result<(), Error> {
    in_range("alpha", alpha, DSSIM_MAE_WEIGHT)?;
    in_range("beta", beta, DSSIM_MAE_WEIGHT)?;
    if alpha == 0.0 && beta == 0.0 {
        return range("alpha and beta must not both be 0");
    }
    Ok(())
}

/// The largest |pixel| of an f32 slice, or the first non-finite value.
/// With the sign cleared a float's bits order as its magnitude, NaN and
/// the infinities largest: one integer maximum, which vectorises (a test
/// per value with an early return does not).
fn f32_extent(d: &[f32]) -> Result<f32, f32> {
    let m = d.iter().fold(0u32, |m, v| m.max(v.to_bits() & 0x7fff_ffff));
    if m >= 0x7f80_0000 {
        return Err(d.iter().copied().find(|v| !v.is_finite()).expect("a value that is not finite"));
    }
    Ok(f32::from_bits(m))
}

/// Metrics' pixels: finite, every |v| <= 64 L (pixels far outside the data
/// range would score garbage: an error that suggests dataRange instead).
/// `name` is "x" / "y" (or "reference" / "distorted").
pub fn check_metric_pixels(name: &str, p: &Pixels, l: f64) -> Result<(), Error> {
    let limit = PIXEL_RANGES * l;
    let max = match p {
        // Integers are finite; only the largest can break the bound.
        Pixels::U8(d) => {
            if 255.0 <= limit {
                return Ok(());
            }
            d.iter().copied().max().unwrap_or(0) as f64
        }
        Pixels::U16(d) => {
            if 65535.0 <= limit {
                return Ok(());
            }
            d.iter().copied().max().unwrap_or(0) as f64
        }
        Pixels::F32(d) => match f32_extent(d) {
            Ok(m) => m as f64,
            Err(v) => return range(format!("{name} holds a non-finite pixel ({v}); pixels must be finite")),
        },
    };
    if max > limit {
        return range(format!(
            "{name} holds a pixel of magnitude {}, more than 64 x dataRange ({}); \
             pass the data's real range as dataRange (e.g. 65535 for 16-bit values, 255 for 8-bit ones)",
            shown(max),
            shown(l)
        ));
    }
    Ok(())
}

/// Both images of a metric (see [`check_metric_pixels`]).
pub fn check_metric_images(x: &Image, y: &Image, l: f64) -> Result<(), Error> {
    check_metric_pixels("the reference image", &x.pixels, l)?;
    check_metric_pixels("the distorted image", &y.pixels, l)
}

/// Losses' pixels: any finite f32.
pub fn check_loss_pixels(name: &str, d: &[f32]) -> Result<(), Error> {
    match f32_extent(d) {
        Ok(_) => Ok(()),
        Err(v) => range(format!("{name} holds a non-finite value ({v}); every value must be finite")),
    }
}

/// LWSSIM with a non-integer alpha: every pixel >= 0 (see
/// [`lwssim_needs_nonnegative`]).
pub fn check_nonnegative(name: &str, p: &Pixels, alpha: f64) -> Result<(), Error> {
    let negative = match p {
        Pixels::U8(_) | Pixels::U16(_) => None,
        Pixels::F32(d) => d.iter().copied().find(|v| *v < 0.0),
    };
    match negative {
        None => Ok(()),
        Some(v) => range(format!(
            "alpha {} is not an integer, so every pixel of both images must be >= 0 (l^alpha needs l >= 0), \
             but {name} holds {v}; use an integer alpha or non-negative pixels",
            shown(alpha)
        )),
    }
}

/// The table as JSON, keyed as `ts/domain.ts` keys it: the wasm exports it
/// (`domainTable`) and a test holds the TypeScript table to it.
pub fn table_json() -> String {
    let pair = |(a, b): (f64, f64)| format!("[{a:e},{b:e}]");
    let count = |(a, b): (usize, usize)| format!("[{a},{b}]");
    format!(
        concat!(
            "{{\"dataRange\":{},\"k\":{},\"sigma\":{},\"gaussianSize\":{},\"lwssimLevels\":{},\"lwssimWeight\":{},",
            "\"exponent\":{},\"msssimScales\":{},\"msssimWeight\":{},\"mix\":{},\"maxPixels\":{},\"pixelOverRange\":{:e}}}"
        ),
        pair(DATA_RANGE),
        pair(K),
        pair(SIGMA),
        count(GAUSSIAN_SIZE),
        count(LWSSIM_LEVELS),
        pair(LWSSIM_WEIGHT),
        pair(LWSSIM_EXPONENT),
        count(MSSSIM_SCALES),
        pair(MSSSIM_WEIGHT),
        pair(DSSIM_MAE_WEIGHT),
        MAX_PIXELS,
        PIXEL_RANGES,
    )
}

#[cfg(test)]
mod tests {
    use super::f32_extent;

    /// The bit scan gives the float scan's answer: the largest |value|, or
    /// the first value that is not finite, wherever it lies.
    #[test]
    fn extent_by_bits_is_the_float_scans() {
        let base: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        let largest = base.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert_eq!(f32_extent(&base), Ok(largest));
        assert_eq!(f32_extent(&[]), Ok(0.0));
        assert_eq!(f32_extent(&[-0.0, f32::MIN_POSITIVE / 2.0]), Ok(f32::MIN_POSITIVE / 2.0));
        assert_eq!(f32_extent(&[f32::MAX, -f32::MAX]), Ok(f32::MAX));
        for i in 0..base.len() {
            for bad in [f32::INFINITY, f32::NEG_INFINITY] {
                let mut d = base.clone();
                d[i] = bad;
                assert_eq!(f32_extent(&d), Err(bad), "at {i}");
            }
            let mut d = base.clone();
            d[i] = f32::NAN;
            assert!(f32_extent(&d).is_err_and(|v| v.is_nan()), "NaN at {i}");
        }
    }
}
