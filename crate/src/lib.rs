//! ssimkit: the SSIM family of image metrics (SSIM, MS-SSIM, DSSIM, LWSSIM).
//!
//! The mathematics lives here once; `wasm` exposes it to the TypeScript
//! API, and the native tests hold it to an independent float64 reference.
//!
//! Kernels compute in f64: in f32, E[x^2] - mu^2 loses ~eps * E[x^2], which
//! left single windows and 3x3 LWSSIM levels up to 5e-5 from the float64
//! peers, and centring integer images per block does not save it (README,
//! "Which path an input takes"). Scores stream rows through `stream` (memory grows with the width,
//! not the image) over the row kernels of `kernels` (a scalar reference and
//! its SIMD twins); chunks of rows run in parallel under rayon, reduced in
//! a fixed order, so results never depend on the thread count.

// The wasm builds run nightly features (RUSTC_BOOTSTRAP, scripts/build.sh):
// cold code (the kernel self-test, call set-up) is optimised for size
// there, to keep the builds under their size budget.
#![cfg_attr(target_arch = "wasm32", feature(optimize_attribute))]

pub mod api;
pub mod backward;
pub mod decode;
pub mod domain;
pub mod encode;
pub mod grad_stream;
pub mod heatmap;
pub mod error;
pub mod image;
pub mod kernels;
pub mod levels;
pub mod loss;
pub mod lwssim;
pub mod matlab;
pub mod memory;
pub mod msssim;
pub mod pairing;
pub mod plane;
pub mod pyramid;
pub mod real;
pub mod scorer;
pub mod ssim;
pub mod stream;
pub mod window;

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
mod wasm_decode;

// rayon's pool on JS workers (threaded build) and a thread-use diagnostic.
#[cfg(target_arch = "wasm32")]
mod threads;

pub use api::{Channels, Scales, Score};
pub use error::Error;
pub use image::{Color, Image, Pixels};
pub use lwssim::LwssimParams;
pub use plane::Plane;
pub use real::Real;
pub use ssim::SsimParams;
pub use window::{Border, Window};
