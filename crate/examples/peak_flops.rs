//! The host core's peak rate of floating-point lane operations, measured:
//! the denominator of the arithmetic bound `npm run bench` prints beside
//! the native kernels' ns per output sample (bench/bound.mjs).
//!
//! ```text
//! cargo run --release --manifest-path crate/Cargo.toml --example peak_flops
//! ```
//!
//! Prints one JSON object: lane operations per ns for f64 and f32, each the
//! best of several rounds of a loop that keeps every multiply and add unit
//! busy (independent chains, no loads, no dependencies between them). The
//! native build targets the default x86-64 (SSE2, 128-bit lanes), like the
//! kernels it bounds, so these are 2 f64 or 4 f32 lanes per instruction.
//! One thread: the bound is per core.

use std::hint::black_box;
use std::time::Instant;

/// Independent chains of each kind: enough to cover an op's latency (3-4
/// cycles) times the units that take it (2 multiply, 2 add on Zen 3), few
/// enough that the accumulators and constants stay in 16 registers.
const CHAINS: usize = 6;

/// Lane operations per ns of `iters` rounds of CHAINS multiplies and CHAINS
/// adds of independent 128-bit registers, best of `rounds`. Written with
/// the SSE2 intrinsics (what the kernels' lanes compile to natively: see
/// crate/src/kernels/lanes.rs), since the optimiser leaves a plain f64 loop
/// like this one scalar.
macro_rules! rate {
    ($name:ident, $lanes:expr, $set1:ident, $mul:ident, $add:ident, $store:ident, $t:ty, $one:expr, $c:expr) => {
        #[cfg(target_arch = "x86_64")]
        fn $name(iters: usize, rounds: usize) -> f64 {
            use core::arch::x86_64::*;
            // SAFETY: sse2 is part of every x86_64 target, so its
            // intrinsics are always available; the only memory access is the
            // store below into an array of one register's lanes.
            unsafe {
            let mut best = 0.0f64;
            for _ in 0..rounds {
                // A factor of 1 keeps every value normal however long the
                // loop runs (no slow subnormal paths); black_box hides it.
                let (m, c) = ($set1(black_box($one)), $set1(black_box($c)));
                let mut a = [$set1(black_box($one)); CHAINS];
                let mut b = a;
                let t = Instant::now();
                for _ in 0..iters {
                    for k in 0..CHAINS {
                        a[k] = $mul(a[k], m);
                        b[k] = $add(b[k], c);
                    }
                }
                let ns = t.elapsed().as_nanos() as f64;
                // Keep the results alive, so the loop cannot be dropped.
                let mut sum = 0.0f64;
                for v in a.iter().chain(&b) {
                    let mut l: [$t; $lanes] = [0.0; $lanes];
                    $store(l.as_mut_ptr(), *v);
                    sum += l.iter().map(|&x| x as f64).sum::<f64>();
                }
                black_box(sum);
                best = best.max((2 * CHAINS * $lanes * iters) as f64 / ns);
            }
            best
            }
        }
    };
}

rate!(rate_f64x2, 2, _mm_set1_pd, _mm_mul_pd, _mm_add_pd, _mm_storeu_pd, f64, 1.0f64, 1e-7f64);
rate!(rate_f32x4, 4, _mm_set1_ps, _mm_mul_ps, _mm_add_ps, _mm_storeu_ps, f32, 1.0f32, 1e-7f32);

fn main() {
    let iters = 4_000_000;
    let f64_rate = rate_f64x2(iters, 15);
    let f32_rate = rate_f32x4(iters, 15);
    println!(
        "{{\"f64LaneOpsPerNs\":{f64_rate:.3},\"f32LaneOpsPerNs\":{f32_rate:.3},\"lanes\":{{\"f64\":2,\"f32\":4}},\"chains\":{CHAINS},\"arch\":\"{}\"}}",
        std::env::consts::ARCH
    );
}
