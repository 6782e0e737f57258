//! The streaming scorer as the TypeScript API drives it (bands of 1 MiB per
//! image, `memory::BAND_BYTES`), timed natively: what the wasm rows of
//! `npm run bench` run, without the JavaScript around it. Interleaves 1 and
//! `--threads` threads round by round and prints medians, so a load that
//! comes and goes hits both alike.
//!
//!     stream_bench --dir DIR --size 1920x1080 [--threads 2] [--rounds 9] [--only ssim,msssim]

use std::time::Instant;

use ssimkit::api::{Channels, Scales};
use ssimkit::memory::BAND_BYTES;
use ssimkit::msssim::WEIGHTS;
use ssimkit::scorer::{Metric, Scorer};
use ssimkit::{LwssimParams, Pixels, SsimParams};

fn score(metric: Metric, a: &[u8], b: &[u8], w: usize, h: usize) -> f64 {
    let mut s = Scorer::new(metric, Pixels::U8(&[]), w, h, 4, Channels::default()).expect("scorer");
    let band = (BAND_BYTES as usize / (4 * w)).max(1);
    for r0 in (0..h).step_by(band) {
        let r1 = (r0 + band).min(h);
        s.feed(Pixels::U8(&a[r0 * 4 * w..r1 * 4 * w]), Pixels::U8(&b[r0 * 4 * w..r1 * 4 * w])).expect("feed");
    }
    s.finish().expect("finish").score
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |k: &str| args.iter().position(|a| a == k).map(|i| args[i + 1].clone());
    let dir = arg("--dir").expect("--dir");
    let size = arg("--size").unwrap_or("1920x1080".into());
    let threads: usize = arg("--threads").map_or(2, |v| v.parse().unwrap());
    let rounds: usize = arg("--rounds").map_or(9, |v| v.parse().unwrap());
    let only = arg("--only").unwrap_or("ssim,msssim,lwssim".into());
    let (w, h) = size.split_once('x').map(|(a, b)| (a.parse().unwrap(), b.parse().unwrap())).unwrap();
    let a = std::fs::read(format!("{dir}/{size}.ref.rgba")).unwrap();
    let b = std::fs::read(format!("{dir}/{size}.dist.rgba")).unwrap();
    let pools: Vec<rayon::ThreadPool> = [1, threads].iter().map(|&t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap()).collect();
    for case in only.split(',') {
        let metric = || match case {
            "ssim" => Metric::Ssim(SsimParams::default()),
            "msssim" => Metric::Msssim(SsimParams::default(), Scales::Weights(WEIGHTS.to_vec())),
            "lwssim" => Metric::Lwssim(LwssimParams::default()),
            _ => panic!("unknown case {case}"),
        };
        let mut times = vec![Vec::new(); 2];
        let mut values = vec![0.0; 2];
        for _ in 0..rounds {
            for (i, pool) in pools.iter().enumerate() {
                let t = Instant::now();
                values[i] = pool.install(|| score(metric(), &a, &b, w, h));
                times[i].push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        assert_eq!(values[0].to_bits(), values[1].to_bits(), "{case}: the thread count changed the bits");
        let med: Vec<f64> = times.iter_mut().map(|t| {
            t.sort_by(|x, y| x.partial_cmp(y).unwrap());
            t[t.len() / 2]
        }).collect();
        println!("stream {size} {case}: 1t {:.1} ms, {threads}t {:.1} ms, x{:.2}", med[0], med[1], med[0] / med[1]);
    }
}
