//! The same kernels as the WebAssembly, built natively for the host, timed on
//! the same inputs: `npm run bench` writes raw RGBA pairs to a directory and
//! runs
//!
//! ```text
//! cargo run --release --manifest-path crate/Cargo.toml --example native_bench -- \
//!     --dir DIR --sizes 512x512,1920x1080 --threads 1 [--budget-ms 1500 --min-runs 3 --max-runs 15]
//! ```
//!
//! DIR holds `WxH.ref.rgba` and `WxH.dist.rgba` (8-bit RGBA, row-major). The
//! cases are those of bench/ssimkit-child.mjs, with the TypeScript API's
//! defaults: SSIM, MS-SSIM and LWSSIM on R, G, B, and each loss with and
//! without its gradient on float RGB in [0, 1] (value / 255 rounded to f32,
//! as `Float32Array` stores it). Prints one JSON object on stdout.
//!
//! Only the crate's public API is used. The work runs inside a rayon pool of
//! `--threads` threads, so `--threads 1` is the single-threaded baseline.

use std::time::Instant;

use ssimkit::api::{self, Channels, Scales};
use ssimkit::loss::{self, Batch, Layout, LossKind, LossSpec, Structure, L1};
use ssimkit::msssim::WEIGHTS;
use ssimkit::{Image, LwssimParams, Pixels, SsimParams};

struct Opts {
    dir: String,
    sizes: Vec<(usize, usize)>,
    threads: usize,
    budget_ms: f64,
    min_runs: usize,
    max_runs: usize,
    slow_ms: f64,
    /// PREFIX of bench/python/batch.mjs's PREFIX.{pred,target}.f32, and its shape.
    batch: Option<(String, [usize; 4])>,
    /// Cases to run (all when empty): for profiling one.
    only: Vec<String>,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts { dir: String::new(), sizes: vec![], threads: 1, budget_ms: 1500.0, min_runs: 3, max_runs: 15, slow_ms: 2000.0, batch: None, only: vec![] };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).ok_or_else(|| format!("{} needs a value", args[i]))?;
        let num = |v: &str| v.parse::<f64>().map_err(|e| format!("{}: {e}", args[i]));
        match args[i].as_str() {
            "--dir" => o.dir = v.clone(),
            "--sizes" => {
                for s in v.split(',') {
                    let (w, h) = s.split_once('x').ok_or_else(|| format!("bad size {s}"))?;
                    o.sizes.push((w.parse().map_err(|_| format!("bad size {s}"))?, h.parse().map_err(|_| format!("bad size {s}"))?));
                }
            }
            "--threads" => o.threads = num(v)? as usize,
            "--budget-ms" => o.budget_ms = num(v)?,
            "--min-runs" => o.min_runs = num(v)? as usize,
            "--max-runs" => o.max_runs = num(v)? as usize,
            "--slow-ms" => o.slow_ms = num(v)?,
            "--only" => o.only = v.split(',').map(String::from).collect(),
            "--batch" => o.batch = Some((v.clone(), o.batch.as_ref().map_or([8, 256, 256, 3], |b| b.1))),
            "--batch-shape" => {
                let d: Vec<usize> = v.split(',').map(|d| d.parse().map_err(|_| format!("bad shape {v}"))).collect::<Result<_, _>>()?;
                let shape: [usize; 4] = d.try_into().map_err(|_| format!("bad shape {v}"))?;
                o.batch = Some((o.batch.take().map_or(String::new(), |b| b.0), shape));
            }
            a => return Err(format!("unknown argument {a}")),
        }
        i += 2;
    }
    if o.batch.as_ref().is_some_and(|b| b.0.is_empty()) {
        return Err("--batch-shape needs --batch PREFIX".into());
    }
    if o.dir.is_empty() || (o.sizes.is_empty() && o.batch.is_none()) {
        return Err("usage: native_bench --dir DIR --sizes WxH[,WxH...] [--threads N] [--budget-ms B] [--min-runs M] [--max-runs X]".into());
    }
    Ok(o)
}

/// The benchmark's timing rule (the same as bench/util.mjs `measure`): one
/// warm-up call, then as many runs as fit the budget, at least `min_runs`;
/// a call slower than `slow_ms` counts its warm-up as one of the samples.
fn measure<R>(o: &Opts, mut f: impl FnMut() -> R) -> (f64, usize, R) {
    let s = Instant::now();
    let mut last = f();
    let warm = s.elapsed().as_secs_f64() * 1e3;
    let mut times = Vec::new();
    let n = ((o.budget_ms / warm.max(1e-3)).round() as usize).clamp(o.min_runs.max(1), o.max_runs.max(o.min_runs).max(1));
    if warm > o.slow_ms {
        times.push(warm);
    }
    while times.len() < n {
        let s = Instant::now();
        last = f();
        times.push(s.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (times[times.len() / 2], times.len(), last)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// RGBA bytes to float RGB in [0, 1], as the JavaScript side builds its
/// Float32Array: the float64 quotient rounded to f32.
fn rgb_f32(rgba: &[u8]) -> Vec<f32> {
    rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).map(|v| (v as f64 / 255.0) as f32).collect()
}

fn json_num(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { "null".into() }
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("native_bench: {e}");
            std::process::exit(2);
        }
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(o.threads).build().expect("rayon pool");
    let rows = pool.install(|| run(&o));
    let body: Vec<String> = rows
        .iter()
        .map(|(size, case, ms, n, value)| format!("{{\"size\":\"{size}\",\"case\":\"{case}\",\"ms\":{},\"n\":{n},\"value\":{}}}", json_num(*ms), json_num(*value)))
        .collect();
    println!(
        "{{\"threads\":{},\"arch\":\"{}\",\"rows\":[{}]}}",
        pool.current_num_threads(),
        std::env::consts::ARCH,
        body.join(",")
    );
}

type Row = (String, &'static str, f64, usize, f64);

fn run(o: &Opts) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for &(w, h) in &o.sizes {
        let size = format!("{w}x{h}");
        let a = read(&format!("{}/{size}.ref.rgba", o.dir));
        let b = read(&format!("{}/{size}.dist.rgba", o.dir));
        let x = Image::new(Pixels::U8(&a), w, h, 4).expect("reference image");
        let y = Image::new(Pixels::U8(&b), w, h, 4).expect("distorted image");
        let p = SsimParams::default();
        let ch = Channels::default();
        let lw = LwssimParams::default();
        let scales = Scales::Weights(WEIGHTS.to_vec());
        let wanted = |case: &str| o.only.is_empty() || o.only.iter().any(|c| c == case);
        let mut push = |case: &'static str, run: &mut dyn FnMut() -> f64| {
            if !wanted(case) {
                return;
            }
            let (ms, n, value) = measure(o, run);
            eprintln!("native {}t {size} {case}: {ms:.2} ms (n={n})", o.threads);
            rows.push((size.clone(), case, ms, n, value));
        };

        push("ssim", &mut || api::ssim(&x, &y, &p, &ch, false).expect("ssim").score);
        push("msssim", &mut || api::msssim(&x, &y, &p, &ch, &scales).expect("msssim").score);
        push("lwssim", &mut || api::lwssim(&x, &y, &lw, &ch).expect("lwssim").score);

        // Losses: prediction = the distorted image, target = the reference.
        let (t, q) = (rgb_f32(&a), rgb_f32(&b));
        let pred = Batch::new(&q, 1, h, w, 3, Layout::Nhwc).expect("pred batch");
        let target = Batch::new(&t, 1, h, w, 3, Layout::Nhwc).expect("target batch");
        let losses = loss_specs();
        for (name, name_grad, s) in &losses {
            push(name, &mut || loss::loss(&pred, &target, s, false).expect("loss").loss);
            push(name_grad, &mut || loss::loss(&pred, &target, s, true).expect("loss").loss);
        }
    }
    if let Some((prefix, [n, h, w, c])) = &o.batch {
        // The loss batch `npm run bench -- --python` gives torch too: the issue's [8, 256, 256, 3] row.
        let f32s = |k: &str| -> Vec<f32> { read(&format!("{prefix}.{k}.f32")).chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect() };
        let (q, t) = (f32s("pred"), f32s("target"));
        let pred = Batch::new(&q, *n, *h, *w, *c, Layout::Nhwc).expect("pred batch");
        let target = Batch::new(&t, *n, *h, *w, *c, Layout::Nhwc).expect("target batch");
        let size = format!("{n}x{h}x{w}x{c}");
        let wanted = |case: &str| o.only.is_empty() || o.only.iter().any(|c| c == case);
        for (name, name_grad, s) in &loss_specs() {
            if wanted(name) {
            let (ms, runs, v) = measure(o, || loss::loss(&pred, &target, s, false).expect("loss").loss);
            eprintln!("native {}t {size} {name}: {ms:.2} ms (n={runs})", o.threads);
            rows.push((size.clone(), name, ms, runs, v));
            }
            if !wanted(name_grad) {
                continue;
            }
            let (ms, runs, v) = measure(o, || loss::loss(&pred, &target, s, true).expect("loss").loss);
            eprintln!("native {}t {size} {name_grad}: {ms:.2} ms (n={runs})", o.threads);
            rows.push((size.clone(), name_grad, ms, runs, v));
        }
    }
    rows
}

/// Each loss with the TypeScript API's defaults, named without and with its gradient.
fn loss_specs() -> [(&'static str, &'static str, LossSpec); 4] {
    let spec = |kind| LossSpec { kind, ssim: SsimParams::default(), data_range: 1.0 };
    [
        ("ssimLoss", "ssimLoss+grad", spec(LossKind::Structural(Structure::Ssim))),
        ("msssimLoss", "msssimLoss+grad", spec(LossKind::Structural(Structure::Msssim(WEIGHTS.to_vec())))),
        ("dssimMaeLoss", "dssimMaeLoss+grad", spec(LossKind::DssimMae { structure: Structure::Ssim, alpha: 0.8, beta: 0.2, l1: L1::Plain })),
        ("lwssimLoss", "lwssimLoss+grad", spec(LossKind::Lwssim(LwssimParams::default()))),
    ]
}
