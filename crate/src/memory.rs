//! How much WebAssembly memory a call needs, known before anything is
//! allocated. A 32-bit module has at most 4 GiB, and a host may give less;
//! running out inside a call is a trap (`unreachable`) after seconds of
//! work. So the TypeScript layer asks first (`reserve` in wasm.rs): a call
//! whose need exceeds what can be addressed is refused with the number, and
//! a large need is reserved (the allocator grows memory once, then reuses
//! the block), so a host that cannot give it is found before any work.
//!
//! The figures are upper bounds of the allocations each path makes (inputs
//! copied in by the glue, planes, pyramids, gradients, per-thread scratch),
//! held to measured peaks by test/memory-need.test.ts.

use crate::msssim::max_scales;
use crate::scorer::STEP_ROWS;
use crate::stream::{CHUNK, STRIP};

/// What a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// SSIM fed in bands of rows, holding the map when asked.
    SsimStream { map: bool },
    /// SSIM's matlab preset, fed in bands of rows, holding the gray
    /// down-sampled planes (and their map when asked).
    SsimMatlab { map: bool },
    /// MS-SSIM fed in bands of rows, every scale grown from them.
    MsssimStream,
    /// LWSSIM fed in bands of rows.
    LwssimStream,
    /// A batch loss.
    Loss { kind: LossOp, grad: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossOp {
    Ssim,
    Msssim,
    /// DSSIM+MAE with SSIM (false) or MS-SSIM (true) as its structure.
    DssimMae { msssim: bool },
    Lwssim,
}

/// The sizes of a call.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    pub op: Op,
    /// Bytes per sample of the pixel type (1, 2 or 4). A pair whose images
    /// differ is reckoned as two of the larger (wasm.rs `call_of`).
    pub sample_bytes: usize,
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    /// Planes compared (metrics: R, G, B or luma, and alpha if asked).
    pub planes: usize,
    /// Images in the batch (1 for metrics).
    pub n: usize,
    /// Largest window side, and how many levels (LWSSIM) or 1.
    pub window: usize,
    pub levels: usize,
    /// Threads that may each hold their scratch at once.
    pub threads: usize,
}

/// Bytes one TypeScript band carries per image (ts/backend.ts BAND_BYTES).
pub const BAND_BYTES: f64 = (1 << 20) as f64;

/// Needs above this are reserved before the call (below it, the memory a
/// call leaves behind is reused by the next, and reserving would only grow
/// it for nothing).
pub const RESERVE_ABOVE: f64 = (128 << 20) as f64;

/// What a wasm32 module can address at most, less what the module itself
/// (stack, statics, allocator) keeps.
pub const ADDRESSABLE: f64 = 4_294_967_296.0 - (16 << 20) as f64;

/// Scratch one thread holds while streaming rows of a plane pair: two raw
/// rows, the padded products, the ring of filtered rows, the level sums,
/// for k product signals each (`stream::Signals`: SSIM and MS-SSIM stream
/// four, LWSSIM and the backward passes five).
fn stream_scratch(c: &Call) -> f64 {
    let w = c.width as f64;
    let n = c.window as f64;
    let strip = STRIP.min(c.width) as f64;
    let padded = strip + 2.0 * n + 1.0;
    let k = match c.op {
        Op::SsimStream { .. } | Op::SsimMatlab { .. } | Op::MsssimStream => 4.0,
        Op::LwssimStream | Op::Loss { .. } => 5.0,
    };
    8.0 * (2.0 * w + k * padded + (2.0 * n + 3.0) * k * padded + (c.levels as f64 + 2.0) * k * strip + padded)
}

/// MS-SSIM's coarser scales (`pyramid`): the rows their chunks read and a
/// step's new rows, x and y of `planes` planes in f64, and each thread's
/// four source rows.
fn coarse_rows(c: &Call, planes: usize) -> f64 {
    let span = (CHUNK + 2 * c.window + 2) as f64;
    let threads = c.threads.max(1) as f64;
    let (mut sw, mut sh, mut held) = (c.width, c.height, 0.0);
    for s in 1..max_scales(c.width, c.height, c.window).max(1) {
        let src_w = sw as f64;
        (sw, sh) = (sw.div_ceil(2), sh.div_ceil(2));
        let kept = (span + (STEP_ROWS >> s) as f64 + 2.0 * s as f64).min(sh as f64);
        held += planes as f64 * 16.0 * sw as f64 * kept + threads * 32.0 * src_w;
    }
    held
}

/// What a stream holds besides the per-thread scratch: the glue's copy of
/// a band of each image, the scorer's row buffers (the rows a chunk reads
/// and one step), MS-SSIM's coarser rows, the map, the chunk sums and a
/// step's strip values.
fn stream_held(c: &Call, coarse: bool, map: bool) -> f64 {
    let (w, h) = (c.width as f64, c.height as f64);
    let row = w * c.channels as f64 * c.sample_bytes as f64;
    let band = BAND_BYTES.max(row);
    let threads = c.threads.max(1) as f64;
    // A chunk reads CHUNK rows and the window's halo (LWSSIM's fused box
    // levels: the widest level's, on both sides).
    let span = (CHUNK + 2 * c.window + 2) as f64;
    let rows = 2.0 * (span + STEP_ROWS as f64).min(h) * row;
    let sums = c.planes as f64 * (c.height.div_ceil(CHUNK) as f64) * c.levels as f64 * 24.0 * 2.0;
    // The row values of a step's strip tasks (`stream::Strips`), 24 bytes
    // a row, held until the step's run ends: at most three chunks of every
    // plane and level at scale 0, and as many again over the coarser scales.
    let strips = (c.planes * c.levels.max(1)) as f64 * 2.0 * 3.0 * c.width.div_ceil(STRIP) as f64 * CHUNK as f64 * 24.0;
    let mut held = 2.0 * band + rows + sums + strips;
    if coarse {
        held += coarse_rows(c, c.planes);
    }
    if map {
        let (ow, oh) = (c.width.saturating_sub(c.window - 1).max(1), c.height.saturating_sub(c.window - 1).max(1));
        // A same border's map is as large as the image: take the larger.
        let (ow, oh) = (ow.max(c.width) as f64, oh.max(c.height) as f64);
        held += 4.0 * ow * oh + threads * 8.0 * (CHUNK as f64 * ow + STRIP as f64);
    }
    held
}

/// Bytes `call` needs at its peak (an upper bound).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn need(c: &Call) -> f64 {
    let (w, h) = (c.width as f64, c.height as f64);
    let hw = w * h;
    let threads = c.threads.max(1) as f64;
    let scratch = threads * stream_scratch(c) + (1 << 20) as f64;
    match c.op {
        Op::SsimStream { map } => stream_held(c, false, map) + scratch,
        Op::LwssimStream => stream_held(c, false, false) + scratch,
        Op::MsssimStream => stream_held(c, true, false) + scratch,
        Op::SsimMatlab { map } => {
            // The gray planes, N / f^2 each, then SSIM on them whole (as
            // `ssim`, with its map when asked); a factor f reads f rows.
            let f = crate::matlab::factor(c.width, c.height).max(1) as f64;
            let small = Call { width: c.width.div_ceil(f as usize), height: c.height.div_ceil(f as usize), ..*c };
            let rows = Call { window: c.window.max(f as usize), ..*c };
            let shrunk = 2.0 * 8.0 * small.width as f64 * small.height as f64;
            let gray = threads * 8.0 * f * w;
            stream_held(&rows, false, false) + shrunk + gray + stream_held(&small, false, map) + scratch
        }
        Op::Loss { kind, grad } => {
            let values = hw * c.channels as f64 * c.n as f64;
            let inputs = 2.0 * 4.0 * values + if grad { 4.0 * values } else { 0.0 };
            // The batch is read in place. Without the gradient: rings, and
            // MS-SSIM's coarser rows of a sample's channels. With it, one
            // (sample, channel) at a time: the rings of moment gradients
            // (grad_stream; a band of chunks, the emission's lag and two
            // windows of rows), and for MS-SSIM the gradients of its coarser
            // scales as planes (the half-resolution scale read on demand,
            // the coarser ones held).
            let pyramid = coarse_rows(c, c.channels);
            let rings = if kind == LossOp::Lwssim { c.levels.max(1) } else { 1 };
            let band = crate::grad_stream::band(c.threads, rings, c.width) as f64;
            let most = (band * CHUNK as f64).min(h) + (crate::backward::RESTART + 2 * c.window) as f64;
            let (ring, emitted) = (24.0 * w * most, 8.0 * w * most);
            // Per thread, a piece's working rows: ten per ring (every
            // ring's adjoint of a row is summed before the source row is read) and five.
            let adjoint = threads * 8.0 * ((10.0 * rings as f64 + 5.0) * w + 12.0 * rings as f64 * c.window as f64);
            let streamed = |rings: f64| rings * ring + emitted + adjoint;
            let held = match (kind, grad) {
                (LossOp::Ssim, false) | (LossOp::Lwssim, false) | (LossOp::DssimMae { msssim: false }, false) => 0.0,
                (LossOp::Msssim, false) | (LossOp::DssimMae { msssim: true }, false) => pyramid,
                (LossOp::Ssim, true) | (LossOp::DssimMae { msssim: false }, true) => streamed(1.0),
                // The forward's pyramid rows, scales 2.. (16 bytes a pixel
                // of a twelfth) and every coarser gradient (8 bytes a pixel
                // of a third of the pixels): blocks freed
                // along the way are not always the size the next one needs.
                (LossOp::Msssim, true) | (LossOp::DssimMae { msssim: true }, true) => {
                    let half = if 4.0 * hw <= crate::backward::HOLD_HALF_BYTES as f64 { 4.0 * hw } else { 0.0 };
                    pyramid + 4.0 * hw + half + streamed(1.0)
                }
                (LossOp::Lwssim, true) => streamed(rings as f64),
            };
            // With the gradient, samples run in parallel: a sample's
            // streams per thread at most (loss.rs).
            let in_flight = if grad { c.threads.max(1).min(c.n.max(1)) as f64 } else { 1.0 };
            // Their rows interleave in the allocator, and blocks one frees
            // are not always the size the other asks for: one ring more per
            // sample beyond the first (test/memory-need.test.ts saw LWSSIM's
            // two samples on two threads grow 2% past the sum).
            let interleave = if grad && held > 0.0 { (in_flight - 1.0) * ring } else { 0.0 };
            inputs + in_flight * held + interleave + scratch
        }
    }
}

/// The largest single buffer a call allocates: each input is copied in
/// whole by the glue (streams: a band, or one row if larger). On wasm32 no
/// allocation may exceed `isize::MAX` (2 GiB), whatever memory is free.
pub fn largest_buffer(c: &Call) -> f64 {
    let (w, h) = (c.width as f64, c.height as f64);
    let row = w * c.channels as f64 * c.sample_bytes as f64;
    match c.op {
        Op::SsimStream { map: false } | Op::LwssimStream | Op::MsssimStream => BAND_BYTES.max(row),
        Op::SsimStream { map: true } => BAND_BYTES.max(row).max(4.0 * w * h),
        Op::SsimMatlab { .. } => BAND_BYTES.max(row).max(8.0 * w * h),
        Op::Loss { .. } => (4.0 * w * h * c.channels as f64 * c.n as f64).max(8.0 * w * h),
    }
}

/// Bytes decoding a file needs at its peak (test/decode-need.test.ts holds
/// it to measured growth): the file (copied in whole), then
/// - a PNG read in bands: one band and the crate's rows;
/// - every other file: its whole decoded image and the decoder's work:
///   - Adam7 PNG: de-interlaced into the image itself; 16-bit files then
///     get their u16 copy (a second image);
///   - JPEG: baseline a few MCU rows; progressive 2-byte coefficients for
///     every component sample (twice the image at 4:4:4, the bound taken:
///     the header read does not give the subsampling);
///   - lossy WebP: its Y, U, V planes padded to 16x16 macroblocks and the
///     partitions' copy of the compressed data (about the file); with
///     alpha, the alpha chunk's lossless decode (4-byte ARGB, a green and
///     a frame plane);
///   - lossless WebP: RGB is decoded as RGBA and then stripped (a 4-byte
///     plane), RGBA straight into the image; and its transforms' rows;
///   - animated WebP (not measured): the first frame decoded apart and
///     composited, each buffer above once more.
pub fn decode_need(h: &crate::decode::Header, file: usize) -> f64 {
    use crate::decode::Format;
    let image = h.image_bytes() as f64;
    let row = (h.width * h.channels * 2) as f64;
    let pixels = (h.width * h.height) as f64;
    let padded = (h.width.div_ceil(16) * 16 * h.height.div_ceil(16) * 16) as f64;
    let file = file as f64;
    let work = match h.format {
        Format::Png if !h.interlaced => return file + BAND_BYTES.max(row) + 4.0 * row + (1 << 20) as f64,
        Format::Png => (if h.bit_depth == 16 { image } else { 0.0 }) + 4.0 * row,
        Format::Jpeg if h.interlaced => 2.0 * image + 64.0 * row,
        Format::Jpeg => 64.0 * row,
        Format::Webp if h.animated => 12.0 * pixels + 2.0 * padded + file,
        Format::Webp if h.lossless => (if h.channels == 4 { 0.0 } else { 4.0 * pixels }) + 0.5 * pixels,
        Format::Webp => 2.0 * padded + file + (if h.channels == 4 { 6.0 * pixels } else { 0.0 }),
    };
    file + image + work + (1 << 20) as f64
}

/// A call that makes an output the size of the image: a heatmap, a PNG.
#[derive(Clone, Copy, Debug)]
pub enum Output {
    /// `heatmap`: a map of `map_len` values drawn on a width x height image.
    Heatmap { map_len: usize, width: usize, height: usize },
    /// `encodePng`: `bytes` per sample (1 or 2).
    Png { width: usize, height: usize, channels: usize, bytes: usize },
}

/// The most bytes fdeflate's output can take for `filtered` bytes in: its
/// longest literal code is 12 bits (a byte of noise can cost 1.5 bytes),
/// plus its fixed header and the Adler-32.
fn deflate_bound(filtered: f64) -> f64 {
    1.5 * filtered + 64.0
}

const IDAT_BLOCK: f64 = (1 << 20) as f64;

/// Bytes a heatmap or a PNG needs at its peak, and its largest buffer:
/// - heatmap: the map copied in, the RGBA pixels it returns (the glue copies
///   them out before freeing them), a column table;
/// - PNG: the samples copied in, three rows, the IDAT chunks (each its own
///   block, framed as it fills: nothing regrows), then the file they are
///   joined into (crate/src/encode.rs); fdeflate's worst case for both.
pub fn output_need(o: &Output) -> (f64, f64) {
    const SLACK: f64 = (1 << 20) as f64;
    match *o {
        Output::Heatmap { map_len, width, height } => {
            let (map, rgba) = (4.0 * map_len as f64, 4.0 * width as f64 * height as f64);
            (map + rgba + 8.0 * width as f64 + SLACK, map.max(rgba))
        }
        Output::Png { width, height, channels, bytes } => {
            let row = (width * channels * bytes) as f64;
            let samples = row * height as f64;
            let file = deflate_bound((row + 1.0) * height as f64) + 12.0 * (samples / (1 << 20) as f64 + 4.0);
            // (The chunk being filled is a whole block however little it holds.)
            (samples + 3.0 * row + 2.0 * file + (IDAT_BLOCK + SLACK), samples.max(file))
        }
    }
}

/// Grows the allocator's pool to `need` bytes now (blocks of at most 1 GiB,
/// one allocation cannot pass 2 GiB), then frees it for the call to carve
/// from: false when the host would not give it.
pub fn hold(need: f64) -> bool {
    const BLOCK: usize = 1 << 30;
    let mut left = need as usize;
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    while left > 0 {
        let mut b: Vec<u8> = Vec::new();
        if b.try_reserve_exact(left.min(BLOCK)).is_err() {
            return false;
        }
        left -= left.min(BLOCK);
        blocks.push(b);
    }
    true
}

/// The most one allocation may take on wasm32.
pub const LARGEST_BUFFER: f64 = i32::MAX as f64;

/// Mebibytes, for messages.
pub fn mib(bytes: f64) -> String {
    let m = bytes / (1 << 20) as f64;
    if m >= 1024.0 {
        format!("{:.1} GiB", m / 1024.0)
    } else {
        format!("{m:.0} MiB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(op: Op, w: usize, h: usize) -> Call {
        Call { op, sample_bytes: 1, width: w, height: h, channels: 4, planes: 3, n: 1, window: 11, levels: 1, threads: 1 }
    }

    #[test]
    fn an_8k_msssim_needs_under_128_mib_and_a_huge_batch_is_refused() {
        assert!(need(&call(Op::MsssimStream, 8192, 8192)) < (128 << 20) as f64);
        let mut c = call(Op::Loss { kind: LossOp::Ssim, grad: true }, 1024, 1024);
        c.n = 512;
        assert!(need(&c) > ADDRESSABLE);
    }

    #[test]
    fn streams_stay_small_for_4k() {
        for op in [Op::SsimStream { map: false }, Op::SsimStream { map: true }, Op::MsssimStream, Op::LwssimStream] {
            assert!(need(&call(op, 3840, 2160)) < (64 << 20) as f64, "{op:?}");
        }
    }

    #[test]
    fn a_loss_with_its_gradient_holds_less_than_the_gradient() {
        let kinds = [LossOp::Ssim, LossOp::Msssim, LossOp::DssimMae { msssim: false }, LossOp::DssimMae { msssim: true }, LossOp::Lwssim];
        for kind in kinds {
            // (8 threads: MS-SSIM's bound is 1.04 gradients, its forward's
            // rows counted on top of the backward's.)
            for threads in [1, 2, 4] {
                let mut c = call(Op::Loss { kind, grad: true }, 3840, 2160);
                (c.channels, c.threads) = (3, threads);
                if kind == LossOp::Lwssim {
                    (c.levels, c.window) = (5, 11);
                }
                let values = 3840.0 * 2160.0 * 3.0;
                let held = need(&c) - 3.0 * 4.0 * values;
                assert!(held < 4.0 * values, "{kind:?} on {threads} threads holds {held} besides a gradient of {}", 4.0 * values);
            }
        }
    }
}
