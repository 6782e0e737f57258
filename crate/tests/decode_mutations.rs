//! Broken files never panic: the small real files of tests/files/ (made by
//! sharp, see make.mjs there) truncated, with bytes flipped, or spliced
//! with another file, decode to an error or to an image whose sample count
//! matches its header; and a PNG read in bands agrees with the whole decode.

use proptest::prelude::*;
use proptest::test_runner::Config;

use ssimkit::decode::{decode, probe, PngRows, Samples};

const FILES: &[&str] = &[
    "rgb.png", "rgba.png", "gray.png", "rgb16.png", "palette.png", "interlaced.png",
    "baseline420.jpg", "progressive444.jpg", "gray.jpg", "lossy.webp", "lossless.webp", "alpha.webp", "restart.jpg",
];

fn file(i: usize) -> Vec<u8> {
    std::fs::read(format!("{}/tests/files/{}", env!("CARGO_MANIFEST_DIR"), FILES[i % FILES.len()])).unwrap()
}

/// Err, or Ok with as many samples as the header promises.
fn consistent(bytes: &[u8]) -> Result<(), TestCaseError> {
    // A small limit: a mutated header must not make the test allocate much.
    let max = 1 << 16;
    if let Ok(d) = decode(bytes, max) {
        prop_assert_eq!(d.samples.len(), d.header.width * d.header.height * d.header.channels);
        prop_assert!(matches!((&d.samples, d.header.bit_depth), (Samples::U8(_), 8) | (Samples::U16(_), 16)));
        prop_assert_eq!(probe(bytes, max).ok(), Some(d.header));
    }
    if let Ok(mut rows) = PngRows::open(bytes, max) {
        if !rows.header().interlaced {
            let mut n = 0;
            while rows.rows_left() > 0 {
                match rows.next_band(3) {
                    Ok(b) => n += b.len(),
                    Err(_) => return Ok(()),
                }
            }
            let h = rows.header();
            prop_assert_eq!(n, h.width * h.height * h.channels);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 300, failure_persistence: None, ..Config::default() })]

    #[test]
    fn truncated(i in 0usize..13, cut in 0.0f64..1.0) {
        let f = file(i);
        consistent(&f[..(cut * f.len() as f64) as usize])?;
    }

    #[test]
    fn bytes_flipped(i in 0usize..13, flips in prop::collection::vec((0.0f64..1.0, 1u8..=255), 1..8)) {
        let mut f = file(i);
        for (at, x) in flips {
            let k = ((at * f.len() as f64) as usize).min(f.len() - 1);
            f[k] ^= x;
        }
        consistent(&f)?;
    }

    #[test]
    fn spliced(i in 0usize..13, j in 0usize..13, a in 0.0f64..1.0, b in 0.0f64..1.0) {
        let (f, g) = (file(i), file(j));
        let mut s = f[..(a * f.len() as f64) as usize].to_vec();
        s.extend_from_slice(&g[(b * g.len() as f64) as usize..]);
        consistent(&s)?;
    }
}
