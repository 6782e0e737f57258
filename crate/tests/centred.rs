//! The centred f32 path (src/centred.rs) against the f64 path on the same
//! samples, on its worst cases: the per-sample error stays within the bound
//! src/centred.rs states, g (12 cov D^2 / C2 + 2.9 D / sqrt(C1)) with
//! g = (2h + 6) 2^-24, h the window's folded taps and D the samples' largest
//! distance from their block's offset (here bounded by the whole image's
//! half-range); box windows stay on the f64 path, bit for bit.

use ssimkit::api::{self, Channels};
use ssimkit::plane::Plane;
use ssimkit::ssim::ssim_plane;
use ssimkit::{Border, Image, Pixels, SsimParams, Window};

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

/// Worst-case pairs (x, y) of w x h gray samples at most `top`.
fn cases(w: usize, h: usize) -> Vec<(&'static str, u32, Vec<u32>, Vec<u32>)> {
    let n = w * h;
    let mut r = xorshift(5);
    let mut noise = |top: u32| -> Vec<u32> { (0..n).map(|_| (r() % (top as u64 + 1)) as u32).collect() };
    let n8 = (noise(255), noise(255));
    let n16 = (noise(65535), noise(65535));
    let sp: Vec<u32> = noise(1).iter().map(|&b| b * 65535).collect();
    let sp_y: Vec<u32> = sp.iter().zip(noise(9)).map(|(&v, f)| if f == 0 { 65535 - v } else { v }).collect();
    // Flat patches at both extremes, the offset half-way between: every
    // centred sample is +-32767.5 away, its square rounded in f32.
    let flat: Vec<u32> = (0..n).map(|i| if (i % w) * 2 < w { 65535 } else { 0 }).collect();
    let flat_y: Vec<u32> = flat.iter().zip(noise(3)).map(|(&v, d)| if v > 0 { v - d } else { v + d }).collect();
    // Smooth data with a little noise: what photographs look like.
    let smooth: Vec<u32> = (0..n).map(|i| (30000.0 + 20000.0 * ((i % w) as f64 * 0.05).sin() * ((i / w) as f64 * 0.03).cos()) as u32).collect();
    let smooth_y: Vec<u32> = smooth.iter().zip(noise(200)).map(|(&v, d)| v + d).collect();
    vec![
        ("8-bit noise", 255, n8.0, n8.1),
        ("16-bit noise", 65535, n16.0, n16.1),
        ("0/65535 extremes", 65535, sp, sp_y),
        ("flat extremes", 65535, flat, flat_y),
        ("smooth 16-bit", 65535, smooth, smooth_y),
    ]
}

fn bound(p: &SsimParams, l: f64, d: f64) -> f64 {
    let size = p.window.size();
    let h = size / 2 + 1;
    let g = (2 * h + 6) as f64 * 2f64.powi(-24);
    let (c1, c2) = ((p.k1 * l).powi(2), (p.k2 * l).powi(2));
    let nn = (size * size) as f64;
    let cov = if p.sample_covariance { nn / (nn - 1.0) } else { 1.0 };
    g * (12.0 * cov * d * d / c2 + 2.9 * d / c1.sqrt())
}

#[test]
fn the_centred_path_keeps_its_bound() {
    ssimkit::centred::ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
    // Three chunks of rows and two strips of columns: several blocks.
    let (w, h) = (300, 150);
    let params = [
        SsimParams::default(),
        SsimParams { window: Window::Gaussian { size: 3, sigma: 1.5 }, sample_covariance: true, ..Default::default() },
        SsimParams { border: Border::Same, ..Default::default() },
        SsimParams { window: Window::Gaussian { size: 7, sigma: 1.0 }, border: Border::Same, ..Default::default() },
    ];
    let mut seen = 0.0f64;
    for (name, top, x, y) in cases(w, h) {
        let l = top as f64;
        let (lo, hi) = x.iter().chain(&y).fold((u32::MAX, 0), |(a, b), &v| (a.min(v), b.max(v)));
        let d = (hi - lo + 1) as f64 / 2.0;
        let (x8, y8): (Vec<u8>, Vec<u8>) = (x.iter().map(|&v| v as u8).collect(), y.iter().map(|&v| v as u8).collect());
        let (x16, y16): (Vec<u16>, Vec<u16>) = (x.iter().map(|&v| v as u16).collect(), y.iter().map(|&v| v as u16).collect());
        let (xi, yi) = if top == 255 {
            (Image::new(Pixels::U8(&x8), w, h, 1).unwrap(), Image::new(Pixels::U8(&y8), w, h, 1).unwrap())
        } else {
            (Image::new(Pixels::U16(&x16), w, h, 1).unwrap(), Image::new(Pixels::U16(&y16), w, h, 1).unwrap())
        };
        let plane = |v: &[u32]| Plane::new(w, h, v.iter().map(|&s| s as f64 / l).collect::<Vec<f64>>());
        let (xp, yp) = (plane(&x), plane(&y));
        for p in &params {
            let got = api::ssim(&xi, &yi, p, &Channels::default(), true).unwrap();
            let want = ssim_plane(&xp, &yp, p, true);
            let b = bound(p, l, d);
            let score = (got.score - want.ssim).abs();
            let (gm, wm) = (got.map.unwrap(), want.map.unwrap());
            // Both maps are rounded to f32: one ulp of 1 more.
            let map = gm.data.iter().zip(&wm.data).map(|(a, b)| (a - b).abs() as f64).fold(0.0, f64::max);
            eprintln!("{name}, {:?} {:?}: |dSSIM| {score:.2e}, map {map:.2e}, bound {b:.2e} (D {d})", p.window, p.border);
            assert!(score <= b, "{name} {p:?}: mean error {score:e} > bound {b:e}");
            assert!(map <= b + 2f64.powi(-23), "{name} {p:?}: map error {map:e} > bound {b:e}");
            seen = seen.max(score);
        }
        // Box windows stay on the f64 path: the same bits.
        let p = SsimParams { window: Window::Box { size: 7 }, ..Default::default() };
        assert_eq!(api::ssim(&xi, &yi, &p, &Channels::default(), false).unwrap().score.to_bits(), ssim_plane(&xp, &yp, &p, false).ssim.to_bits());
    }
    // The comparison measures something: the f32 path was taken.
    assert!(seen > 0.0);
}

#[test]
fn sixteen_bit_with_eight_bit_and_luma_take_their_paths() {
    ssimkit::centred::ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
    // Luma is not integer (0.299 R + ...): f64, the bits of the f64 planes.
    let (w, h) = (40, 30);
    let mut r = xorshift(9);
    let (a, b): (Vec<u8>, Vec<u8>) = ((0..w * h * 3).map(|_| r() as u8).collect(), (0..w * h * 3).map(|_| r() as u8).collect());
    let (x, y) = (Image::new(Pixels::U8(&a), w, h, 3).unwrap(), Image::new(Pixels::U8(&b), w, h, 3).unwrap());
    let ch = Channels { color: ssimkit::Color::Luma, ..Default::default() };
    let luma = |v: &[u8]| {
        Plane::new(w, h, (0..w * h).map(|i| (0.299 * v[3 * i] as f64 + 0.587 * v[3 * i + 1] as f64 + 0.114 * v[3 * i + 2] as f64) / 255.0).collect::<Vec<f64>>())
    };
    let p = SsimParams::default();
    assert_eq!(api::ssim(&x, &y, &p, &ch, false).unwrap().score.to_bits(), ssim_plane(&luma(&a), &luma(&b), &p, false).ssim.to_bits());
    // RGB of the same pair: the f32 path, within 1e-6 of the f64 planes.
    let chan = |v: &[u8], c: usize| Plane::new(w, h, (0..w * h).map(|i| v[3 * i + c] as f64 / 255.0).collect::<Vec<f64>>());
    let rgb = api::ssim(&x, &y, &p, &Channels::default(), false).unwrap();
    for c in 0..3 {
        let want = ssim_plane(&chan(&a, c), &chan(&b, c), &p, false).ssim;
        assert!((rgb.channels[c] - want).abs() < 1e-6 && rgb.channels[c] != want || rgb.channels[c] == want);
    }
}
