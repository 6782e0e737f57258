//! The WebAssembly surface. The kernels run in f64: in f32, E[x^2] - mu^2
//! loses ~eps * E[x^2], which puts single windows and 3x3 LWSSIM levels
//! 5e-5 away from the float64 peers (measured on the fixtures).
//! Options cross the boundary as one `Float64Array`
//! whose layout is defined here and mirrored in `ts/abi.ts`: a positional
//! array costs one copy and no serialisation library, and the TypeScript
//! layer has already validated every value.

use wasm_bindgen::prelude::*;

use crate::api::{self, Channels, Scales, Score};
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

fn window(kind: f64, size: f64, sigma: f64) -> Window {
    let size = size as usize;
    if kind == 1.0 { Window::Box { size } } else { Window::Gaussian { size, sigma } }
}

fn head(o: &[f64]) -> Result<(SsimParams, Channels), JsError> {
    if o.len() < HEAD {
        return Err(JsError::new("ssimkit: option array too short"));
    }
    let p = SsimParams {
        window: window(o[WINDOW], o[SIZE], o[SIGMA]),
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

fn arg(o: &[f64], i: usize) -> Result<f64, JsError> {
    o.get(i).copied().ok_or_else(|| JsError::new("ssimkit: option array too short"))
}

fn ssim_any(x: Pixels, y: Pixels, w: usize, h: usize, c: usize, o: &[f64]) -> Result<Output, JsError> {
    let (x, y) = (Image::new(x, w, h, c)?, Image::new(y, w, h, c)?);
    let (mut p, ch) = head(o)?;
    p.sample_covariance = arg(o, HEAD)? == 1.0;
    let matlab = arg(o, HEAD + 1)? == 1.0;
    let want_map = arg(o, HEAD + 2)? == 1.0;
    let r = if matlab {
        api::ssim_matlab(&x, &y, &p, ch.data_range, want_map)?
    } else {
        api::ssim(&x, &y, &p, &ch, want_map)?
    };
    Ok(Output(r))
}

fn msssim_any(x: Pixels, y: Pixels, w: usize, h: usize, c: usize, o: &[f64]) -> Result<Output, JsError> {
    let (x, y) = (Image::new(x, w, h, c)?, Image::new(y, w, h, c)?);
    let (p, ch) = head(o)?;
    let n = arg(o, HEAD)? as usize;
    let scales = if n == 0 {
        Scales::Auto
    } else {
        Scales::Weights((0..n).map(|i| arg(o, HEAD + 1 + i)).collect::<Result<_, _>>()?)
    };
    Ok(Output(api::msssim(&x, &y, &p, &ch, &scales)?))
}

fn lwssim_any(x: Pixels, y: Pixels, w: usize, h: usize, c: usize, o: &[f64]) -> Result<Output, JsError> {
    let (x, y) = (Image::new(x, w, h, c)?, Image::new(y, w, h, c)?);
    let (p, ch) = head(o)?;
    let lp = lwssim_params(o, HEAD, o[WINDOW], &p)?;
    Ok(Output(api::lwssim(&x, &y, &lp, &ch)?))
}

/// LWSSIM's fields from `at`: [alpha, beta, gamma, levels, (size, sigma, weight) * levels].
fn lwssim_params(o: &[f64], at: usize, window_kind: f64, p: &SsimParams) -> Result<LwssimParams, JsError> {
    let n = arg(o, at + 3)? as usize;
    let mut levels = Vec::with_capacity(n);
    for i in 0..n {
        let b = at + 4 + 3 * i;
        levels.push((window(window_kind, arg(o, b)?, arg(o, b + 1)?), arg(o, b + 2)?));
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

macro_rules! exports {
    ($($name:ident => $inner:ident, $slice:ty, $variant:ident;)*) => {$(
        #[wasm_bindgen]
        pub fn $name(x: &[$slice], y: &[$slice], width: usize, height: usize, channels: usize, options: &[f64]) -> Result<Output, JsError> {
            $inner(Pixels::$variant(x), Pixels::$variant(y), width, height, channels, options)
        }
    )*};
}

exports! {
    ssim_u8 => ssim_any, u8, U8;
    ssim_u16 => ssim_any, u16, U16;
    ssim_f32 => ssim_any, f32, F32;
    msssim_u8 => msssim_any, u8, U8;
    msssim_u16 => msssim_any, u16, U16;
    msssim_f32 => msssim_any, f32, F32;
    lwssim_u8 => lwssim_any, u8, U8;
    lwssim_u16 => lwssim_any, u16, U16;
    lwssim_f32 => lwssim_any, f32, F32;
}

// ---- scores fed in bands of rows ----

use crate::scorer::{Metric, Scorer};

/// A score being fed a band of rows at a time (see `scorer`): the pixels
/// never have to be in wasm memory whole.
#[wasm_bindgen]
pub struct Stream(Scorer);

/// metric: 0 SSIM (options as `ssim_*`, without the matlab preset or a map),
/// 1 LWSSIM (options as `lwssim_*`); kind: 0 u8, 1 u16, 2 f32.
#[wasm_bindgen(js_name = openStream)]
pub fn open_stream(metric: u32, kind: u32, width: usize, height: usize, channels: usize, o: &[f64]) -> Result<Stream, JsError> {
    let (mut p, ch) = head(o)?;
    let m = if metric == 0 {
        p.sample_covariance = arg(o, HEAD)? == 1.0;
        Metric::Ssim(p)
    } else {
        Metric::Lwssim(lwssim_params(o, HEAD, o[WINDOW], &p)?)
    };
    let pixels = match kind {
        0 => Pixels::U8(&[]),
        1 => Pixels::U16(&[]),
        _ => Pixels::F32(&[]),
    };
    Ok(Stream(Scorer::new(m, pixels, width, height, channels, ch)?))
}

#[wasm_bindgen]
impl Stream {
    pub fn feed_u8(&mut self, x: &[u8], y: &[u8]) -> Result<(), JsError> {
        Ok(self.0.feed(Pixels::U8(x), Pixels::U8(y))?)
    }
    pub fn feed_u16(&mut self, x: &[u16], y: &[u16]) -> Result<(), JsError> {
        Ok(self.0.feed(Pixels::U16(x), Pixels::U16(y))?)
    }
    pub fn feed_f32(&mut self, x: &[f32], y: &[f32]) -> Result<(), JsError> {
        Ok(self.0.feed(Pixels::F32(x), Pixels::F32(y))?)
    }
    pub fn finish(&self) -> Result<Output, JsError> {
        Ok(Output(self.0.finish()?))
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

fn weights_at(o: &[f64], at: usize) -> Result<Vec<f64>, JsError> {
    let n = arg(o, at)? as usize;
    (0..n).map(|i| arg(o, at + 1 + i)).collect()
}

fn loss_spec(o: &[f64]) -> Result<LossSpec, JsError> {
    const HEAD: usize = 9;
    if o.len() < HEAD {
        return Err(JsError::new("ssimkit: option array too short"));
    }
    let ssim = SsimParams {
        window: window(o[1], o[2], o[3]),
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
        k => return Err(JsError::new(&format!("ssimkit: unknown loss kind {k}"))),
    };
    Ok(LossSpec { kind, ssim, data_range: o[6] })
}

#[wasm_bindgen(js_name = batchLoss)]
#[allow(clippy::too_many_arguments)]
pub fn batch_loss(pred: &[f32], target: &[f32], n: usize, h: usize, w: usize, c: usize, nchw: bool, options: &[f64], grad: bool) -> Result<LossOutput, JsError> {
    let layout = if nchw { Layout::Nchw } else { Layout::Nhwc };
    let (p, t) = (Batch::new(pred, n, h, w, c, layout)?, Batch::new(target, n, h, w, c, layout)?);
    Ok(LossOutput(loss::loss(&p, &t, &loss_spec(options)?, grad)?))
}
