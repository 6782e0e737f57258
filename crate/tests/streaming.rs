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
