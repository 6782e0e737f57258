//! The WebAssembly surface. The kernels run in f64: in f32, E[x^2] - mu^2
//! loses ~eps * E[x^2], which puts single windows and 3x3 LWSSIM levels
//! 5e-5 away from the float64 peers (measured on the fixtures).
//! Options cross the boundary as one `Float64Array`
//! whose layout is defined here and mirrored in `ts/options.ts` and
//! `ts/losses.ts`: a positional array costs one copy and no serialisation
//! library. The TypeScript layer has validated every value; the Rust API
//! checks them again (a second line), and its errors leave here tagged
//! `ssimkit:range:` so ts/backend.ts turns them into RangeErrors. Nothing
//! read here can panic: counts are bounded by the array they come from.

use wasm_bindgen::prelude::*;

use crate::api::{Channels, Scales, Score};
use crate::memory::{self, Call, LossOp, Op};
use crate::image::{Color, Image, Pixels};
use crate::lwssim::LwssimParams;
use crate::ssim::SsimParams;
use crate::window::{Border, Window};

/// A score, its per-channel values and the optional map.
#[wasm_bindgen]
pub struct Output(Score);

#[wasm_bindgen]
impl Output {
    #[wasm_bindgen(getter)]
    pub fn score(&self) -> f64 {
        self.0.score
    }
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> Vec<f64> {
        self.0.channels.clone()
    }
    /// The map, moved out (a second call returns undefined).
    #[wasm_bindgen(js_name = takeMap)]
    pub fn take_map(&mut self) -> Option<Vec<f32>> {
        self.0.map.as_mut().map(|m| core::mem::take(&mut m.data))
    }
    #[wasm_bindgen(getter, js_name = mapWidth)]
    pub fn map_width(&self) -> usize {
        self.0.map.as_ref().map_or(0, |m| m.width)
    }
    #[wasm_bindgen(getter, js_name = mapHeight)]
    pub fn map_height(&self) -> usize {
        self.0.map.as_ref().map_or(0, |m| m.height)
    }
}

/// Which build this is, for `init()`'s report.
#[wasm_bindgen(js_name = buildFeatures)]
pub fn build_features() -> String {
    let mut f = Vec::new();
    if cfg!(target_feature = "simd128") {
        f.push("simd128");
    }
    if cfg!(target_feature = "atomics") {
        f.push("atomics");
    }
    f.join(",")
}

/// Bytes of linear memory the module holds now (it never shrinks; the
/// benchmark and the memory tests read it).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// The SIMD128 twins against the scalar reference, run inside this build:
/// "" when every kernel agrees bit for bit, else what differed.
#[wasm_bindgen(js_name = kernelSelfTest)]
pub fn kernel_self_test() -> String {
    crate::kernels::selftest::run().err().unwrap_or_default()
}

// Shared head of every option array.
const WINDOW: usize = 0; // 0 gaussian, 1 box
const SIZE: usize = 1;
const SIGMA: usize = 2;
const K1: usize = 3;
const K2: usize = 4;
const RANGE: usize = 5; // data range L (always given by the TS layer)
const COLOR: usize = 6; // 0 rgb, 1 luma
const ALPHA: usize = 7; // compare alpha: 0 / 1
const BORDER: usize = 8; // 0 valid, 1 same
const HEAD: usize = 9;
// ssim: HEAD.. = [sample covariance, matlab preset, want map]
// msssim: HEAD.. = [number of weights (0 = auto), weights...]
// lwssim: HEAD.. = [alpha, beta, gamma, levels, (size, sigma, weight) * levels]

/// A window from the options; a side that is not a whole number is
/// refused here (the Rust API sees only the usize).
#[optimize(size)]
fn window(kind: f64, size: f64, sigma: f64) -> Result<Window, String> {
    if !(size >= 1.0 && size == size.trunc() && size <= u32::MAX as f64) {
        return Err(tag(format!("size must be an odd integer >= 1, got {size}")));
    }
    let size = size as usize;
    Ok(if kind == 1.0 { Window::Box { size } } else { Window::Gaussian { size, sigma } })
}

/// An error the TypeScript layer shows as a RangeError. Errors stay
/// strings until they leave (a JsError cannot cross to a pool thread).
#[optimize(size)]
fn tag(e: impl core::fmt::Display) -> String {
    format!("ssimkit:range:{e}")
}

#[optimize(size)]
fn too_short() -> String {
    tag("the option array is too short (the TypeScript layer and the module disagree)")
}

/// Runs an entry point's work through `threads::guarded`: on the pool in
/// the threaded build, so that a pool thread that fails is an error here,
/// not a caller waiting for ever. Errors leave as JsErrors.
fn run<R: Send>(f: impl FnOnce() -> Result<R, String> + Send) -> Result<R, JsError> {
    match crate::threads::guarded(f) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(m)) | Err(m) => Err(JsError::new(&m)),
    }
}

/// A count read from the options, bounded by what the array can hold.
#[optimize(size)]
fn count(o: &[f64], i: usize, per: usize) -> Result<usize, String> {
    let v = arg(o, i)?;
    let max = o.len().saturating_sub(i + 1) / per.max(1);
    if v >= 0.0 && v == v.trunc() && v <= max as f64 { Ok(v as usize) } else { Err(too_short()) }
}

#[optimize(size)]
fn head(o: &[f64]) -> Result<(SsimParams, Channels), String> {
    if o.len() < HEAD {
        return Err(too_short());
    }
    let p = SsimParams {
        window: window(o[WINDOW], o[SIZE], o[SIGMA])?,
        k1: o[K1],
        k2: o[K2],
        border: if o[BORDER] == 1.0 { Border::Same } else { Border::Valid },
        sample_covariance: false,
    };
    let ch = Channels {
        color: if o[COLOR] == 1.0 { Color::Luma } else { Color::Rgb },
        alpha: o[ALPHA] == 1.0,
        data_range: Some(o[RANGE]),
    };
    Ok((p, ch))
}

#[optimize(size)]
fn arg(o: &[f64], i: usize) -> Result<f64, String> {
    o.get(i).copied().ok_or_else(too_short)
}

/// MS-SSIM's scales from `HEAD`: [number of weights (0 = auto), weights...].
#[optimize(size)]
fn msssim_scales(o: &[f64]) -> Result<Scales, String> {
    let n = count(o, HEAD, 1)?;
    Ok(if n == 0 { Scales::Auto } else { Scales::Weights((0..n).map(|i| arg(o, HEAD + 1 + i)).collect::<Result<_, _>>()?) })
}

/// LWSSIM's fields from `at`: [alpha, beta, gamma, levels, (size, sigma, weight) * levels].
#[optimize(size)]
fn lwssim_params(o: &[f64], at: usize, window_kind: f64, p: &SsimParams) -> Result<LwssimParams, String> {
    let n = count(o, at + 3, 3)?;
    let mut levels = Vec::with_capacity(n);
    for i in 0..n {
        let b = at + 4 + 3 * i;
        levels.push((window(window_kind, arg(o, b)?, arg(o, b + 1)?)?, arg(o, b + 2)?));
    }
    Ok(LwssimParams {
        levels,
        alpha: arg(o, at)?,
        beta: arg(o, at + 1)?,
        gamma: arg(o, at + 2)?,
        k1: p.k1,
        k2: p.k2,
        border: p.border,
    })
}

// ---- scores fed in bands of rows ----

use crate::scorer::{Metric, Scorer};

/// A score being fed a band of rows at a time (see `scorer`): the pixels
/// never have to be in wasm memory whole.
#[wasm_bindgen]
pub struct Stream(Scorer);

/// metric: 0 SSIM (options as `ssim_*`: the matlab preset, a map when
/// asked), 1 LWSSIM (options as `lwssim_*`), 2 MS-SSIM (options as
/// `msssim_*`); kind (of x) and kind_y: 0 u8, 1 u16, 2 f32; channels (of x)
/// and channels_y.
#[wasm_bindgen(js_name = openStream)]
#[allow(clippy::too_many_arguments)]
pub fn open_stream(metric: u32, kind: u32, kind_y: u32, width: usize, height: usize, channels: usize, channels_y: usize, o: &[f64]) -> Result<Stream, JsError> {
    open_stream_inner(metric, (kind, kind_y), width, height, (channels, channels_y), o).map_err(|m| JsError::new(&m))
}

#[optimize(size)]
fn empty_pixels(kind: u32) -> Pixels<'static> {
    match kind {
        0 => Pixels::U8(&[]),
        1 => Pixels::U16(&[]),
        _ => Pixels::F32(&[]),
    }
}

#[optimize(size)]
fn open_stream_inner(metric: u32, kind: (u32, u32), width: usize, height: usize, channels: (usize, usize), o: &[f64]) -> Result<Stream, String> {
    let (mut p, ch) = head(o)?;
    let mut want_map = false;
    let m = match metric {
        0 => {
            p.sample_covariance = arg(o, HEAD)? == 1.0;
            want_map = arg(o, HEAD + 2)? == 1.0;
            if arg(o, HEAD + 1)? == 1.0 { Metric::Matlab(p) } else { Metric::Ssim(p) }
        }
        2 => Metric::Msssim(p, msssim_scales(o)?),
        _ => Metric::Lwssim(lwssim_params(o, HEAD, o[WINDOW], &p)?),
    };
    let (x, y) = ((empty_pixels(kind.0), channels.0), (empty_pixels(kind.1), channels.1));
    let s = Scorer::pair(m, x, y, width, height, ch).map_err(tag)?;
    Ok(Stream(if want_map { s.with_map().map_err(tag)? } else { s }))
}

#[wasm_bindgen]
impl Stream {
    pub fn feed_u8(&mut self, x: &[u8], y: &[u8]) -> Result<(), JsError> {
        let s = &mut self.0;
        run(|| s.feed(Pixels::U8(x), Pixels::U8(y)).map_err(tag))
    }
    pub fn feed_u16(&mut self, x: &[u16], y: &[u16]) -> Result<(), JsError> {
        let s = &mut self.0;
        run(|| s.feed(Pixels::U16(x), Pixels::U16(y)).map_err(tag))
    }
    pub fn feed_f32(&mut self, x: &[f32], y: &[f32]) -> Result<(), JsError> {
        let s = &mut self.0;
        run(|| s.feed(Pixels::F32(x), Pixels::F32(y)).map_err(tag))
    }
    pub fn feed_u8_u16(&mut self, x: &[u8], y: &[u16]) -> Result<(), JsError> {
        let s = &mut self.0;
        run(|| s.feed(Pixels::U8(x), Pixels::U16(y)).map_err(tag))
    }
    pub fn feed_u16_u8(&mut self, x: &[u16], y: &[u8]) -> Result<(), JsError> {
        let s = &mut self.0;
        run(|| s.feed(Pixels::U16(x), Pixels::U8(y)).map_err(tag))
    }
    pub fn finish(&mut self) -> Result<Output, JsError> {
        let s = &mut self.0;
        run(|| Ok(Output(s.finish().map_err(tag)?)))
    }
}

// ---- losses ----
//
// options = [kind, window, size, sigma, k1, k2, L, border, sample covariance, ...]
// kind 0 (1 - SSIM):     nothing more
// kind 1 (1 - MS-SSIM):  [weights count, weights...]
// kind 2 (DSSIM+MAE):    [structure 0 ssim / 1 msssim, alpha, beta, l1 0 plain / 1 gaussian, weights count, weights...]
// kind 3 (1 - LWSSIM/2): [alpha, beta, gamma, levels, (size, sigma, weight) * levels]

use crate::loss::{self, Batch, Layout, LossKind, LossSpec, Structure, L1};

/// A batch loss, its per-sample values and, on request, the gradient.
#[wasm_bindgen]
pub struct LossOutput(loss::LossResult);

#[wasm_bindgen]
impl LossOutput {
    #[wasm_bindgen(getter)]
    pub fn loss(&self) -> f64 {
        self.0.loss
    }
    #[wasm_bindgen(getter, js_name = perSample)]
    pub fn per_sample(&self) -> Vec<f64> {
        self.0.per_sample.clone()
    }
    /// The gradient, moved out (a second call returns undefined).
    #[wasm_bindgen(js_name = takeGrad)]
    pub fn take_grad(&mut self) -> Option<Vec<f32>> {
        self.0.grad.take()
    }
}

#[optimize(size)]
fn weights_at(o: &[f64], at: usize) -> Result<Vec<f64>, String> {
    let n = count(o, at, 1)?;
    (0..n).map(|i| arg(o, at + 1 + i)).collect()
}

#[optimize(size)]
fn loss_spec(o: &[f64]) -> Result<LossSpec, String> {
    const HEAD: usize = 9;
    if o.len() < HEAD {
        return Err(too_short());
    }
    let ssim = SsimParams {
        window: window(o[1], o[2], o[3])?,
        k1: o[4],
        k2: o[5],
        border: if o[7] == 1.0 { Border::Same } else { Border::Valid },
        sample_covariance: o[8] == 1.0,
    };
    let kind = match o[0] as u32 {
        0 => LossKind::Structural(Structure::Ssim),
        1 => LossKind::Structural(Structure::Msssim(weights_at(o, HEAD)?)),
        2 => LossKind::DssimMae {
            structure: if arg(o, HEAD)? == 1.0 { Structure::Msssim(weights_at(o, HEAD + 4)?) } else { Structure::Ssim },
            alpha: arg(o, HEAD + 1)?,
            beta: arg(o, HEAD + 2)?,
            l1: if arg(o, HEAD + 3)? == 1.0 { L1::Gaussian } else { L1::Plain },
        },
        3 => LossKind::Lwssim(lwssim_params(o, HEAD, o[1], &ssim)?),
        k => return Err(tag(format!("unknown loss kind {k}"))),
    };
    Ok(LossSpec { kind, ssim, data_range: o[6] })
}

#[wasm_bindgen(js_name = batchLoss)]
#[allow(clippy::too_many_arguments)]
pub fn batch_loss(pred: &[f32], target: &[f32], n: usize, h: usize, w: usize, c: usize, nchw: bool, options: &[f64], grad: bool) -> Result<LossOutput, JsError> {
    let layout = if nchw { Layout::Nchw } else { Layout::Nhwc };
    run(|| {
        let (p, t) = (Batch::new(pred, n, h, w, c, layout).map_err(tag)?, Batch::new(target, n, h, w, c, layout).map_err(tag)?);
        Ok(LossOutput(loss::loss(&p, &t, &loss_spec(options)?, grad).map_err(tag)?))
    })
}

// ---- memory, before a call ----

/// The sizes of a call, from what `reserve` is told: `kind` and `channels`
/// of x, `kind_y` and `channels_y` of y (a loss: the same as x's). The
/// estimate takes the larger image for both (an upper bound), and the
/// planes the pair compares.
#[allow(clippy::too_many_arguments)]
#[optimize(size)]
fn call_of(op: u32, kind: (u32, u32), width: usize, height: usize, channels: (usize, usize), n: usize, o: &[f64], grad: bool) -> Result<Call, String> {
    let sample_bytes = |kind: u32| match kind {
        0 => 1,
        1 => 2,
        _ => 4,
    };
    let (px, py) = (sample_bytes(kind.0) * channels.0, sample_bytes(kind.1) * channels.1);
    let (sample_bytes, larger) = if op == 4 || px >= py { (sample_bytes(kind.0), channels.0) } else { (sample_bytes(kind.1), channels.1) };
    let mut call = Call { op: Op::LwssimStream, sample_bytes, width, height, channels: larger, planes: larger.min(4), n: n.max(1), window: 1, levels: 1, threads: crate::threads::pool_threads() as usize };
    if op == 4 {
        let spec = loss_spec(o)?;
        let (kind, window, levels) = match &spec.kind {
            loss::LossKind::Structural(Structure::Ssim) => (LossOp::Ssim, spec.ssim.window.size(), 1),
            loss::LossKind::Structural(Structure::Msssim(_)) => (LossOp::Msssim, spec.ssim.window.size(), 1),
            loss::LossKind::DssimMae { structure, .. } => {
                (LossOp::DssimMae { msssim: matches!(structure, Structure::Msssim(_)) }, spec.ssim.window.size(), 1)
            }
            loss::LossKind::Lwssim(lp) => (LossOp::Lwssim, lp.levels.iter().map(|(w, _)| w.size()).max().unwrap_or(1), lp.levels.len()),
        };
        call.op = Op::Loss { kind, grad };
        call.window = window;
        call.levels = levels;
    } else {
        let (p, ch) = head(o)?;
        call.window = p.window.size();
        let probe = |kind: u32, channels: usize| Image { pixels: empty_pixels(kind), width, height, channels };
        call.planes = crate::pairing::pairing(&probe(kind.0, channels.0), &probe(kind.1, channels.1), &ch).map_err(tag)?.planes();
        call.op = match op {
            0 | 1 if arg(o, HEAD + 1)? == 1.0 => Op::SsimMatlab { map: arg(o, HEAD + 2)? == 1.0 },
            0 | 1 => Op::SsimStream { map: arg(o, HEAD + 2)? == 1.0 },
            2 => Op::MsssimStream,
            _ => {
                let lp = lwssim_params(o, HEAD, o[WINDOW], &p)?;
                call.window = lp.levels.iter().map(|(w, _)| w.size()).max().unwrap_or(1);
                call.levels = lp.levels.len();
                Op::LwssimStream
            }
        };
    }
    Ok(call)
}

/// Bytes the call described needs at its peak (see `memory`): what
/// `reserve` checks, exported for the tests that hold it to measured peaks.
#[wasm_bindgen(js_name = memoryNeed)]
#[allow(clippy::too_many_arguments)]
pub fn memory_need(op: u32, kind: u32, kind_y: u32, width: usize, height: usize, channels: usize, channels_y: usize, n: usize, o: &[f64],
    grad: bool) -> Result<f64, JsError> {
    let call = call_of(op, (kind, kind_y), width, height, (channels, channels_y), n, o, grad).map_err(|m| JsError::new(&m))?;
    Ok(memory::need(&call))
}

/// Checks, before any pixel is copied in, that the call described can have
/// the memory it needs (see `memory`): more than a wasm32 module addresses
/// is refused with the figure; a large need is reserved now, so a host that
/// cannot give it is found before any work. op: 0 or 1 SSIM (streamed with
/// or without its map, or the matlab preset: the options say which), 2
/// MS-SSIM, 3 LWSSIM (options as those calls take them), 4 a loss (options
/// as `batchLoss`); kind (of x) and kind_y: 0 u8, 1 u16, 2 f32; channels (of
/// x) and channels_y.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn reserve(op: u32, kind: u32, kind_y: u32, width: usize, height: usize, channels: usize, channels_y: usize, n: usize, o: &[f64],
    grad: bool) -> Result<(), JsError> {
    reserve_inner(op, (kind, kind_y), width, height, (channels, channels_y), n, o, grad).map_err(|m| JsError::new(&m))
}

#[allow(clippy::too_many_arguments)]
#[optimize(size)]
fn reserve_inner(op: u32, kind: (u32, u32), width: usize, height: usize, channels: (usize, usize), n: usize, o: &[f64], grad: bool) -> Result<(), String> {
    let call = call_of(op, kind, width, height, channels, n, o, grad)?;
    let need = memory::need(&call);
    let hint = match call.op {
        Op::Loss { .. } => "; pass a smaller batch (the loss is the batch mean: split it and average)",
        Op::SsimMatlab { .. } | Op::SsimStream { map: true } => "; scale the images down first",
        _ => "",
    };
    admit(need, memory::largest_buffer(&call), hint)
}

/// Refuses a need no wasm32 module can meet, and holds a large one now (see
/// `memory`), so a host that will not grow the memory is found before work.
#[optimize(size)]
fn admit(need: f64, largest: f64, hint: &str) -> Result<(), String> {
    if !(largest <= memory::LARGEST_BUFFER) {
        return Err(tag(format!(
            "this call would copy {} into WebAssembly memory in one piece, more than the 2 GiB one allocation of a 32-bit module can hold{hint}",
            memory::mib(largest)
        )));
    }
    if !(need <= memory::ADDRESSABLE) {
        return Err(tag(format!(
            "this call needs about {} of WebAssembly memory, more than the {} a 32-bit WebAssembly module can address{hint}",
            memory::mib(need),
            memory::mib(memory::ADDRESSABLE),
        )));
    }
    // The allocator keeps the memory held, and the call's allocations are
    // carved from it.
    if need > memory::RESERVE_ABOVE && !memory::hold(need) {
        return Err(tag(format!(
            "this call needs about {} of WebAssembly memory, and this host would not grow the module's memory to it (it holds {} now){hint}",
            memory::mib(need),
            memory::mib(memory_bytes())
        )));
    }
    Ok(())
}

/// As `reserve`, for a call that makes an image-sized output: what 0 a
/// heatmap (a = map values, b x c the image), 1 a PNG (a x b pixels, c
/// channels, d bytes a sample). Returns the need (the tests hold it to
/// measured growth).
#[wasm_bindgen(js_name = reserveOutput)]
pub fn reserve_output(what: u32, a: usize, b: usize, c: usize, d: usize) -> Result<f64, JsError> {
    let out = match what {
        0 => memory::Output::Heatmap { map_len: a, width: b, height: c },
        _ => memory::Output::Png { width: a, height: b, channels: c, bytes: d },
    };
    let (need, largest) = memory::output_need(&out);
    let hint = if what == 0 { "; draw it smaller (score smaller images)" } else { "; encode a smaller image" };
    admit(need, largest, hint).map_err(|m| JsError::new(&m))?;
    Ok(need)
}

/// The numeric domains the Rust API enforces, as JSON (a test holds them
/// to ts/domain.ts, the table the TypeScript checks read).
#[wasm_bindgen(js_name = domainTable)]
pub fn domain_table() -> String {
    crate::domain::table_json()
}

// ---- PNG encoding and heatmaps (crate/src/encode.rs, crate/src/heatmap.rs) ----

#[optimize(size)]
fn encode_tag(e: crate::encode::EncodeError) -> JsError {
    JsError::new(&format!("ssimkit:range:{}", e.0))
}

/// A PNG file of 8-bit samples (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA).
#[wasm_bindgen(js_name = encodePngU8)]
pub fn encode_png_u8(data: &[u8], width: usize, height: usize, channels: usize) -> Result<Vec<u8>, JsError> {
    crate::encode::encode_png(crate::encode::Samples::U8(data), width, height, channels).map_err(encode_tag)
}

/// As `encodePngU8`, for 16-bit samples.
#[wasm_bindgen(js_name = encodePngU16)]
pub fn encode_png_u16(data: &[u16], width: usize, height: usize, channels: usize) -> Result<Vec<u8>, JsError> {
    crate::encode::encode_png(crate::encode::Samples::U16(data), width, height, channels).map_err(encode_tag)
}

/// The matlab preset's down-sampling factor for an image (1: none).
#[wasm_bindgen(js_name = matlabFactor)]
pub fn matlab_factor(width: usize, height: usize) -> usize {
    crate::matlab::factor(width, height).max(1)
}

/// RGBA heatmap pixels. place = [image width, height, offset x, offset y,
/// scale]; values from `min` (dark) to `max` (light); `alpha` of map pixels.
#[wasm_bindgen(js_name = renderHeatmap)]
pub fn render_heatmap(map: &[f32], map_width: usize, map_height: usize, place: &[f64], min: f64, max: f64, alpha: u8) -> Result<Vec<u8>, JsError> {
    let at = |i: usize| place.get(i).copied().unwrap_or(0.0) as usize;
    let placement = crate::heatmap::Placement { width: at(0), height: at(1), offset_x: at(2), offset_y: at(3), scale: at(4) };
    let style = crate::heatmap::Style { min, max, alpha };
    crate::heatmap::render(map, map_width, map_height, &placement, &style).map_err(|m| JsError::new(&format!("ssimkit:range:{m}")))
}
