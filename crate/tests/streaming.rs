//! Scoring fed in bands of rows gives the bits of scoring the whole image,
//! whatever the band heights, and holds only the rows the next chunks need.

use ssimkit::api::{self, Channels};
use ssimkit::scorer::{Metric, Scorer};
use ssimkit::{Border, Color, Image, LwssimParams, Pixels, SsimParams, Window};

fn pixels(n: usize, seed: u32) -> Vec<u8> {
    let mut s = seed;
    (0..n)
        .map(|i| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            ((i % 97) as u32 * 2 + (s >> 27)) as u8
        })
        .collect()
}

fn banded(metric: Metric, a: &[u8], b: &[u8], w: usize, h: usize, c: usize, ch: Channels, band: usize) -> (f64, Vec<f64>, usize) {
    let mut s = Scorer::new(metric, Pixels::U8(&[]), w, h, c, ch).unwrap();
    let row = w * c;
    let mut most = 0;
    for r0 in (0..h).step_by(band) {
        let r1 = (r0 + band).min(h);
        s.feed(Pixels::U8(&a[r0 * row..r1 * row]), Pixels::U8(&b[r0 * row..r1 * row])).unwrap();
        most = most.max(s.rows_held());
    }
    let r = s.finish().unwrap();
    (r.score, r.channels, most)
}

#[test]
fn bands_give_the_whole_image_bits() {
    // 150 rows: three chunks of 64, the last one short.
    let (w, h, c) = (37, 150, 4);
    let (a, b) = (pixels(w * h * c, 1), pixels(w * h * c, 2));
    let (x, y) = (Image::new(Pixels::U8(&a), w, h, c).unwrap(), Image::new(Pixels::U8(&b), w, h, c).unwrap());
    for border in [Border::Valid, Border::Same] {
        for window in [Window::Gaussian { size: 11, sigma: 1.5 }, Window::Box { size: 7 }] {
            for ch in [Channels::default(), Channels { color: Color::Luma, ..Default::default() }, Channels { alpha: true, ..Default::default() }] {
                let p = SsimParams { window, border, ..Default::default() };
                let whole = api::ssim(&x, &y, &p, &ch, false).unwrap();
                for band in [1, 7, 64, 150] {
                    let (score, channels, held) = banded(Metric::Ssim(p), &a, &b, w, h, c, ch, band);
                    assert_eq!((score, &channels), (whole.score, &whole.channels), "{border:?} {window:?} band {band}");
                    // A chunk's rows plus its halo, and at most one band more.
                    assert!(held <= 64 + 10 + band, "held {held} rows with bands of {band}");
                }
            }
        }
        for (alpha, beta) in [(1.0, 1.0), (2.0, 0.5)] {
            let p = LwssimParams { border, alpha, beta, ..Default::default() };
            let whole = api::lwssim(&x, &y, &p, &Channels::default()).unwrap();
            for band in [3, 64, 150] {
                let (score, channels, _) = banded(Metric::Lwssim(p.clone()), &a, &b, w, h, c, Channels::default(), band);
                assert_eq!((score, &channels), (whole.score, &whole.channels), "lwssim {border:?} band {band}");
            }
        }
    }
}

#[test]
fn unfinished_or_overfed_scorers_are_errors() {
    let (w, h) = (20, 20);
    let a = pixels(w * h, 3);
    let mut s = Scorer::new(Metric::Ssim(SsimParams::default()), Pixels::U8(&[]), w, h, 1, Channels::default()).unwrap();
    s.feed(Pixels::U8(&a[..w * 10]), Pixels::U8(&a[..w * 10])).unwrap();
    assert!(s.finish().is_err());
    assert!(s.feed(Pixels::U8(&a[..w * 3 - 1]), Pixels::U8(&a[..w * 3 - 1])).is_err());
    assert!(s.feed(Pixels::U8(&a), Pixels::U8(&a)).is_err());
    s.feed(Pixels::U8(&a[w * 10..]), Pixels::U8(&a[w * 10..])).unwrap();
    assert_eq!(s.finish().unwrap().score, 1.0);
    assert!(Scorer::new(Metric::Ssim(SsimParams::default()), Pixels::U8(&[]), 5, 50, 1, Channels::default()).is_err());
}

/// Feeds `a` and `b` in bands of `band` rows, as pixels of the kind `wrap` makes.
#[allow(clippy::too_many_arguments)]
fn banded_any<T>(metric: Metric, wrap: fn(&[T]) -> Pixels, a: &[T], b: &[T], (w, h, c): (usize, usize, usize), ch: Channels, band: usize, map: bool)
    -> api::Score {
    let mut s = Scorer::new(metric, wrap(&[]), w, h, c, ch).unwrap();
    if map {
        s = s.with_map().unwrap();
    }
    let row = w * c;
    for r0 in (0..h).step_by(band) {
        let r1 = (r0 + band).min(h);
        s.feed(wrap(&a[r0 * row..r1 * row]), wrap(&b[r0 * row..r1 * row])).unwrap();
    }
    s.finish().unwrap()
}

fn msssim_case<T: Copy>(wrap: fn(&[T]) -> Pixels, a: &[T], b: &[T], shape: (usize, usize, usize), p: SsimParams, ch: Channels, scales: &api::Scales) {
    let (w, h, c) = shape;
    let (x, y) = (Image::new(wrap(a), w, h, c).unwrap(), Image::new(wrap(b), w, h, c).unwrap());
    let whole = api::msssim(&x, &y, &p, &ch, scales).unwrap();
    for band in [1, 5, 64, 97, h] {
        let r = banded_any(Metric::Msssim(p, scales.clone()), wrap, a, b, shape, ch, band, false);
        assert_eq!(
            (r.score.to_bits(), r.channels.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
            (whole.score.to_bits(), whole.channels.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
            "{w}x{h}x{c} {p:?} {ch:?} {scales:?} band {band}"
        );
    }
}

#[test]
fn msssim_streamed_gives_the_whole_plane_bits() {
    let gauss = SsimParams::default();
    let box3 = SsimParams { window: Window::Box { size: 3 }, ..Default::default() };
    let five = api::Scales::Weights(ssimkit::msssim::WEIGHTS.to_vec());
    // Odd and even sides at every scale, down to one window at the coarsest.
    for (w, h) in [(176, 176), (177, 179), (181, 190), (191, 176), (200, 353)] {
        for c in [1, 3, 4] {
            let (a, b) = (pixels(w * h * c, 7), pixels(w * h * c, 8));
            msssim_case(|d| Pixels::U8(d), &a, &b, (w, h, c), gauss, Channels::default(), &five);
        }
    }
    // Every scale count, weights given and auto, both borders, luma and alpha.
    let (w, h, c) = (53, 71, 4);
    let (a, b) = (pixels(w * h * c, 3), pixels(w * h * c, 4));
    for border in [Border::Valid, Border::Same] {
        for n in 1..=5 {
            let p = SsimParams { border, ..box3 };
            let weights = api::Scales::Weights((0..n).map(|i| 0.1 + i as f64 * 0.2).collect());
            for ch in [Channels::default(), Channels { color: Color::Luma, ..Default::default() }, Channels { alpha: true, ..Default::default() }] {
                msssim_case(|d| Pixels::U8(d), &a, &b, (w, h, c), p, ch, &weights);
            }
        }
        msssim_case(|d| Pixels::U8(d), &a, &b, (w, h, c), SsimParams { border, ..gauss }, Channels::default(), &api::Scales::Auto);
    }
    // Scales past the standard five (a 3x3 box fits seven on 200x210).
    let (w, h) = (200, 210);
    let (a, b) = (pixels(w * h, 5), pixels(w * h, 6));
    let seven = api::Scales::Weights(vec![1.0 / 7.0; 7]);
    msssim_case(|d| Pixels::U8(d), &a, &b, (w, h, 1), box3, Channels::default(), &seven);
    // 16-bit and float pixels, and a data range given.
    let (w, h, c) = (67, 45, 3);
    let a16: Vec<u16> = pixels(w * h * c, 9).iter().map(|&v| v as u16 * 251).collect();
    let b16: Vec<u16> = pixels(w * h * c, 10).iter().map(|&v| v as u16 * 253).collect();
    msssim_case(|d| Pixels::U16(d), &a16, &b16, (w, h, c), box3, Channels::default(), &api::Scales::Auto);
    let af: Vec<f32> = a16.iter().map(|&v| v as f32 / 65535.0).collect();
    let bf: Vec<f32> = b16.iter().map(|&v| v as f32 / 65535.0).collect();
    msssim_case(|d| Pixels::F32(d), &af, &bf, (w, h, c), box3, Channels { data_range: Some(2.0), ..Default::default() }, &api::Scales::Auto);
}

#[test]
fn msssim_scales_hold_a_few_rows() {
    // 1000 rows fed 7 at a time: no scale may keep more than a chunk, its
    // halo, a band and the rows the next scale reads.
    let (w, h) = (200, 1000);
    let (a, b) = (pixels(w * h, 1), pixels(w * h, 2));
    let mut s = Scorer::new(Metric::Msssim(SsimParams::default(), api::Scales::Auto), Pixels::U8(&[]), w, h, 1, Channels::default()).unwrap();
    let (mut most, mut held) = (0, vec![0; 4]);
    for r0 in (0..h).step_by(7) {
        let r1 = (r0 + 7).min(h);
        s.feed(Pixels::U8(&a[r0 * w..r1 * w]), Pixels::U8(&b[r0 * w..r1 * w])).unwrap();
        most = most.max(s.rows_held());
        for (m, r) in held.iter_mut().zip(s.scale_rows_held()) {
            *m = (*m).max(r);
        }
    }
    assert!(most <= 64 + 10 + 7, "scale 0 held {most} rows");
    assert!(held.iter().all(|&r| r > 0 && r <= 64 + 10 + 4), "coarser scales held {held:?} rows");
    s.finish().unwrap();
}

#[test]
fn the_map_streamed_gives_the_whole_image_map() {
    let (w, h, c) = (45, 150, 3);
    let (a, b) = (pixels(w * h * c, 11), pixels(w * h * c, 12));
    let (x, y) = (Image::new(Pixels::U8(&a), w, h, c).unwrap(), Image::new(Pixels::U8(&b), w, h, c).unwrap());
    for border in [Border::Valid, Border::Same] {
        let p = SsimParams { border, ..Default::default() };
        let whole = api::ssim(&x, &y, &p, &Channels::default(), true).unwrap();
        for band in [1, 13, 64, 150] {
            let r = banded_any(Metric::Ssim(p), |d| Pixels::U8(d), &a, &b, (w, h, c), Channels::default(), band, true);
            assert_eq!((r.score, &r.channels), (whole.score, &whole.channels));
            assert_eq!(r.map, whole.map, "{border:?} band {band}");
        }
    }
}

#[test]
fn the_matlab_preset_streamed_gives_the_whole_image_bits() {
    // Factors 1 (no down-sampling), 2, 3 (an odd factor reads rows on both
    // sides), odd sides; gray, RGB and RGBA; 8-bit and float.
    for (w, h, c) in [(100, 130, 3), (385, 384, 4), (641, 650, 1), (777, 641, 3)] {
        let (a, b) = (pixels(w * h * c, 21), pixels(w * h * c, 22));
        let (x, y) = (Image::new(Pixels::U8(&a), w, h, c).unwrap(), Image::new(Pixels::U8(&b), w, h, c).unwrap());
        let (af, bf): (Vec<f32>, Vec<f32>) = (a.iter().map(|&v| v as f32 / 255.0).collect(), b.iter().map(|&v| v as f32 / 255.0).collect());
        let (xf, yf) = (Image::new(Pixels::F32(&af), w, h, c).unwrap(), Image::new(Pixels::F32(&bf), w, h, c).unwrap());
        let p = SsimParams::default();
        for map in [false, true] {
            let whole = api::ssim_matlab(&x, &y, &p, None, map).unwrap();
            let whole_f = api::ssim_matlab(&xf, &yf, &p, None, map).unwrap();
            for band in [1, 7, 128, h] {
                let r = banded_any(Metric::Matlab(p), |d| Pixels::U8(d), &a, &b, (w, h, c), Channels::default(), band, map);
                assert_eq!((r.score, &r.channels, &r.map), (whole.score, &whole.channels, &whole.map), "{w}x{h}x{c} band {band}");
                let r = banded_any(Metric::Matlab(p), |d| Pixels::F32(d), &af, &bf, (w, h, c), Channels::default(), band, map);
                assert_eq!((r.score, &r.map), (whole_f.score, &whole_f.map), "float {w}x{h}x{c} band {band}");
            }
        }
    }
}

/// Wider than two strips of output columns (stream::STRIP) at scale 0 and
/// at scale 1: chunks run as strip tasks, in the scorer and in the whole-image
/// path, give the same bits for both borders and a box window.
#[test]
fn strips_of_wide_images_give_the_whole_image_bits() {
    let (w, h, c) = (700, 150, 3);
    let (a, b) = (pixels(w * h * c, 5), pixels(w * h * c, 6));
    let (x, y) = (Image::new(Pixels::U8(&a), w, h, c).unwrap(), Image::new(Pixels::U8(&b), w, h, c).unwrap());
    for border in [Border::Valid, Border::Same] {
        for window in [Window::Gaussian { size: 11, sigma: 1.5 }, Window::Box { size: 7 }] {
            let p = SsimParams { window, border, ..Default::default() };
            let whole = api::ssim(&x, &y, &p, &Channels::default(), false).unwrap();
            let (score, channels, _) = banded(Metric::Ssim(p), &a, &b, w, h, c, Channels::default(), 40);
            assert_eq!((score.to_bits(), channels.len()), (whole.score.to_bits(), whole.channels.len()), "{border:?} {window:?}");
            assert!(channels.iter().zip(&whole.channels).all(|(u, v)| u.to_bits() == v.to_bits()));
            msssim_case(|d| Pixels::U8(d), &a, &b, (w, h, c), p, Channels::default(), &api::Scales::Auto);
        }
    }
}
