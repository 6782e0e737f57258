//! ssimkit: the SSIM family of image metrics (SSIM, MS-SSIM, DSSIM, LWSSIM).
//!
//! The mathematics lives here once; `wasm` exposes it to the TypeScript
//! API, and the native tests hold it to an independent float64 reference.
//! Every kernel is generic over [`Real`]. The WebAssembly runs `f64`: in
//! `f32`, E[x^2] - mu^2 loses ~eps * E[x^2], which left single windows and
//! 3x3 LWSSIM levels up to 5e-5 from the float64 peers. The `f32`
//! instantiation stays tested, for kernels that can afford it.

pub mod api;
pub mod backward;
pub mod error;
pub mod image;
pub mod loss;
pub mod lwssim;
pub mod matlab;
pub mod msssim;
pub mod plane;
pub mod real;
pub mod ssim;
pub mod stats;
pub mod window;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use api::{Channels, Scales, Score};
pub use error::Error;
pub use image::{Color, Image, Pixels};
pub use lwssim::LwssimParams;
pub use plane::Plane;
pub use real::Real;
pub use ssim::SsimParams;
pub use window::{Border, Window};
