//! The coarser scales of MS-SSIM, grown row by row from the finer scale's
//! rows as they arrive: each scale holds only the rows its next chunks and
//! the next scale's next rows need, never a whole plane. A row is the 2x2
//! average of `msssim::downsample2` (an odd side repeats its last row or
//! column), in the same f64 operations, so every scale's samples, hence its
//! chunk sums, are the bits the whole-plane pyramid gives.

use rayon::prelude::*;

use crate::kernels::{self, Moments4, SsimConsts};
use crate::scorer::{Pass, STEP_ROWS};
use crate::ssim::{ssim_planes, SsimParams};
use crate::stream::{join, join_strips, Filter, Four, PairRows, Strips, CHUNK};
use crate::window::Border;

/// Rows of a scale grown per task: fixed, so the blocks change no bit.
const GROW_ROWS: usize = 8;

/// One scale's rows [base, fed) of every plane, x and y.
pub(crate) struct ScaleRows {
    width: usize,
    height: usize,
    base: usize,
    fed: usize,
    cap: usize,
    /// Per plane, the rows held, row-major.
    x: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
}

impl PairRows for ScaleRows {
    fn width(&self) -> usize {
        self.width
    }
    fn height(&self) -> usize {
        self.height
    }
    fn planes(&self) -> usize {
        self.x.len()
    }
    fn range(&self) -> f64 {
        1.0
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        let at = (r - self.base) * self.width + c0;
        x.copy_from_slice(&self.x[plane][at..at + x.len()]);
        y.copy_from_slice(&self.y[plane][at..at + y.len()]);
    }
}

impl ScaleRows {
    /// A `width` x `height` scale with no rows yet, whose buffers are
    /// allocated once at `cap` rows when the first arrive.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(width: usize, height: usize, planes: usize, cap: usize) -> Self {
        ScaleRows { width, height, base: 0, fed: 0, cap, x: vec![Vec::new(); planes], y: vec![Vec::new(); planes] }
    }

    pub fn fed(&self) -> usize {
        self.fed
    }

    pub fn held(&self) -> usize {
        self.fed - self.base
    }

    /// The first row of the finer scale the next row here reads.
    pub fn needs_from(&self) -> usize {
        2 * self.fed
    }

    /// Appends every row that `src`'s first `src_fed` rows make; the planes
    /// are halved in parallel, in blocks of rows.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn grow(&mut self, src: &dyn PairRows, src_fed: usize) {
        let (sw, sh, w) = (src.width(), src.height(), self.width);
        let mut end = self.fed;
        while end < self.height && (2 * end + 1).min(sh - 1) < src_fed {
            end += 1;
        }
        let rows = end - self.fed;
        if rows == 0 {
            return;
        }
        let (first, cap) = (self.fed, self.cap * w);
        // Blocks of GROW_ROWS new rows of every plane, x and y together, as
        // tasks: three planes alone split 2 + 1 on two threads.
        let mut tasks = Vec::new();
        for (plane, (px, py)) in self.x.iter_mut().zip(self.y.iter_mut()).enumerate() {
            for v in [&mut *px, &mut *py] {
                if v.capacity() == 0 {
                    v.reserve_exact(cap);
                }
                v.reserve_exact(rows * w);
                v.resize(v.len() + rows * w, 0.0);
            }
            let (nx, ny) = (px.len() - rows * w, py.len() - rows * w);
            let blocks = px[nx..].chunks_mut(GROW_ROWS * w).zip(py[ny..].chunks_mut(GROW_ROWS * w));
            tasks.extend(blocks.enumerate().map(|(b, (dx, dy))| (plane, first + b * GROW_ROWS, dx, dy)));
        }
        tasks.into_par_iter().for_each(|(plane, i0, dx, dy)| {
            let (mut ax, mut ay, mut bx, mut by) = (vec![0.0; sw], vec![0.0; sw], vec![0.0; sw], vec![0.0; sw]);
            for (k, (ox, oy)) in dx.chunks_mut(w).zip(dy.chunks_mut(w)).enumerate() {
                let i = i0 + k;
                src.row(plane, 2 * i, 0, &mut ax, &mut ay);
                src.row(plane, (2 * i + 1).min(sh - 1), 0, &mut bx, &mut by);
                for (out, a, b) in [(ox, &ax, &bx), (oy, &ay, &by)] {
                    for (j, d) in out.iter_mut().enumerate() {
                        let (c0, c1) = (2 * j, (2 * j + 1).min(sw - 1));
                        *d = ((a[c0] + a[c1]) + (b[c0] + b[c1])) * 0.25;
                    }
                }
            }
        });
        self.fed = end;
    }

    /// Forgets the rows before `keep_from`.
    pub fn forget_before(&mut self, keep_from: usize) {
        let keep_from = keep_from.clamp(self.base, self.fed);
        let n = (keep_from - self.base) * self.width;
        for v in self.x.iter_mut().chain(self.y.iter_mut()) {
            v.drain(..n);
        }
        self.base = keep_from;
    }
}

/// MS-SSIM's scales 1.. of every plane: their rows and their chunks.
pub(crate) struct Pyramid {
    scales: Vec<(ScaleRows, Pass)>,
    /// Per scale, how its chunks split into tasks.
    strips: Vec<Strips>,
    border: Border,
    filter: Filter,
}

/// A strip of a chunk of a scale's plane: (scale - 1, plane, chunk, strip).
pub(crate) type Task = (usize, usize, usize, usize);

impl Pyramid {
    /// Scales 1 .. `count` of a `width` x `height` image of `planes` planes.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(width: usize, height: usize, planes: usize, p: &SsimParams, count: usize) -> Self {
        let (border, filter) = (p.border, Filter::new(&p.window));
        let (mut w, mut h) = (width, height);
        let (mut scales, mut strips) = (Vec::new(), Vec::new());
        for s in 1..count {
            (w, h) = (w.div_ceil(2), h.div_ceil(2));
            let n = filter.n();
            let (ow, oh) = (border.output_len(w, n), border.output_len(h, n));
            let pass = Pass::single(filter.clone(), oh, (ow * oh) as f64, planes);
            // Kept rows, a step's new rows (fewer by half each scale), and
            // the odd rows that rounding adds.
            let cap = (pass.span(border, h) + (STEP_ROWS >> s) + 2 * s).min(h);
            scales.push((ScaleRows::new(w, h, planes, cap), pass));
            strips.push(Strips::of(w, h, &filter, border));
        }
        Pyramid { scales, strips, border, filter }
    }

    /// Grows every scale from the first `fed` rows of scale 0, `src`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn grow(&mut self, src: &dyn PairRows, fed: usize) {
        for s in 0..self.scales.len() {
            let (finer, rest) = self.scales.split_at_mut(s);
            match finer.last() {
                None => rest[0].0.grow(src, fed),
                Some((f, _)) => rest[0].0.grow(f, f.fed()),
            }
        }
    }

    fn ready(&self, s: usize, c: usize) -> bool {
        let (rows, pass) = &self.scales[s];
        c < pass.chunks() && pass.rows(c, self.border, rows.height()).1 < rows.fed()
    }

    /// Every strip of every chunk whose rows have all arrived (a chunk's
    /// strips consecutive, in strip order).
    pub fn ready_tasks(&self) -> Vec<Task> {
        let mut tasks = Vec::new();
        for (s, (rows, pass)) in self.scales.iter().enumerate() {
            let ns = self.strips[s].count();
            let mut c = pass.next;
            while self.ready(s, c) {
                tasks.extend((0..rows.planes()).flat_map(|plane| (0..ns).map(move |k| (s, plane, c, k))));
                c += 1;
            }
        }
        tasks
    }

    pub fn run(&self, (s, plane, c, strip): Task, k: &SsimConsts) -> Vec<[f64; 3]> {
        let (rows, pass) = &self.scales[s];
        let row = |m: &Moments4, _: Option<&mut [f64]>| kernels::ssim_row4(m, k, None);
        self.strips[s].rows::<Four>(rows, plane, &self.filter, c * CHUNK, ((c + 1) * CHUNK).min(pass.oh), strip, &row)
    }

    /// Keeps the sums of the tasks run, then forgets the rows no chunk and
    /// no coarser row still needs.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn store(&mut self, done: impl IntoIterator<Item = (Task, Vec<[f64; 3]>)>) {
        let done: Vec<(Task, Vec<[f64; 3]>)> = done.into_iter().collect();
        for chunk in done.chunk_by(|a, b| (a.0 .0, a.0 .1, a.0 .2) == (b.0 .0, b.0 .1, b.0 .2)) {
            let (s, plane, c, _) = chunk[0].0;
            self.scales[s].1.sums[plane][c] = vec![join_strips(chunk.iter().map(|(_, r)| r))];
        }
        for s in 0..self.scales.len() {
            while self.ready(s, self.scales[s].1.next) {
                self.scales[s].1.next += 1;
            }
        }
        let keeps: Vec<usize> = (0..self.scales.len())
            .map(|s| {
                let (rows, pass) = &self.scales[s];
                let pending = (pass.next < pass.chunks()).then(|| pass.rows(pass.next, self.border, rows.height()).0);
                pending.into_iter().chain(self.scales.get(s + 1).map(|(r, _)| r.needs_from())).min().unwrap_or(rows.fed())
            })
            .collect();
        for ((rows, _), keep) in self.scales.iter_mut().zip(keeps) {
            rows.forget_before(keep);
        }
    }

    /// The first row of scale 0 still needed.
    pub fn needs_from(&self) -> Option<usize> {
        self.scales.first().map(|(rows, _)| rows.needs_from())
    }

    /// Rows held by each scale.
    pub fn held(&self) -> Vec<usize> {
        self.scales.iter().map(|(rows, _)| rows.held()).collect()
    }

    /// The terms of one plane (as `msssim::msssim_terms`): relu(cs) at
    /// every scale but the last, relu(SSIM) at the last; scale 0's mean
    /// SSIM and cs are given.
    pub fn terms(&self, plane: usize, ssim0: f64, cs0: f64) -> Vec<f64> {
        let last = self.scales.len();
        let mut terms = vec![if last == 0 { ssim0 } else { cs0 }.max(0.0)];
        for (i, (_, pass)) in self.scales.iter().enumerate() {
            let s = join(pass.sums[plane].iter().map(|c| c[0]));
            let v = if i + 1 == last { s[0] / pass.counts[0] } else { s[1] / pass.counts[0] };
            terms.push(v.max(0.0));
        }
        terms
    }

    /// Per plane, the terms of planes read in place from `src` (held whole
    /// elsewhere): scale 0 by rings, the coarser scales grown a step of
    /// rows at a time, so only rows are held.
    pub fn terms_of(src: &dyn PairRows, p: &SsimParams, count: usize) -> Vec<Vec<f64>> {
        let (first, _) = ssim_planes(src, p, false);
        let mut pyr = Pyramid::new(src.width(), src.height(), src.planes(), p, count);
        let k = p.consts(1.0);
        let mut fed = 0;
        while fed < src.height() {
            fed = (fed + STEP_ROWS).min(src.height());
            pyr.grow(src, fed);
            let tasks = pyr.ready_tasks();
            let sums: Vec<Vec<[f64; 3]>> = tasks.par_iter().map(|&t| pyr.run(t, &k)).collect();
            pyr.store(tasks.into_iter().zip(sums));
        }
        first.iter().enumerate().map(|(plane, &(s0, c0))| pyr.terms(plane, s0, c0)).collect()
    }
}
