//! Scores fed a band of rows at a time, so that an image never has to be in
//! WebAssembly memory whole: a 4K RGBA pair is 66 MB of pixels, more than
//! the whole budget of a score. The scorer keeps only the rows the next
//! chunks still need, runs every chunk as soon as its rows have arrived (the
//! same chunks, the same kernels, the same reduction order as
//! `api::ssim` / `api::lwssim` / `api::msssim`), and gives the same bits
//! however the rows were cut into bands. MS-SSIM grows its coarser scales
//! from the rows as they arrive (`pyramid`); SSIM's map, when asked for, is
//! the one plane held whole (4 bytes an output).

use rayon::prelude::*;

use crate::api::{msssim_weights, range_of, Channels, Scales, Score};
use crate::error::{range, Error};
use crate::image::{Image, Pixels};
use crate::kernels::{self, Moments5, SsimConsts};
use crate::lwssim::{box_chunk_sums, level_row, level_value, lwssim_total, LwssimParams};
use crate::msssim::combine;
use crate::plane::Plane;
use crate::pyramid::ScaleRows;
use crate::ssim::SsimParams;
use crate::stream::{chunk_sums, chunk_with_map, join, Filter, ImagePair, PairRows, CHUNK};
use crate::window::{reflect, Border, Window};

/// What a scorer computes.
#[derive(Clone, Debug)]
pub enum Metric {
    Ssim(SsimParams),
    Lwssim(LwssimParams),
    Msssim(SsimParams, Scales),
}

/// One pass over the image: SSIM has one filter; LWSSIM has its box levels
/// fused in one pass (see `levels`), or one filter per level otherwise.
enum PassKind {
    Single(Filter),
    Levels(Vec<usize>),
}

pub(crate) struct Pass {
    kind: PassKind,
    /// Output rows (single filter) or centre rows (levels): what chunks cut.
    oh: usize,
    /// Outputs per level.
    counts: Vec<f64>,
    next: usize,
    /// [plane][chunk][level]
    sums: Vec<Vec<Vec<[f64; 3]>>>,
}

impl Pass {
    fn single(f: Filter, oh: usize, count: f64, planes: usize) -> Self {
        Pass { kind: PassKind::Single(f), oh, counts: vec![count], next: 0, sums: vec![vec![vec![[0.0; 3]; 1]; oh.div_ceil(CHUNK)]; planes] }
    }
    fn chunks(&self) -> usize {
        self.oh.div_ceil(CHUNK)
    }
    /// The most source rows a chunk reads (the rows kept between steps are
    /// fewer): the first chunks are the widest.
    fn span(&self, border: Border, h: usize) -> usize {
        (0..self.chunks().min(2)).map(|c| self.rows(c, border, h)).map(|(lo, hi)| hi - lo + 1).max().unwrap_or(1)
    }
    /// The source rows chunk `c` reads: [lo, hi].
    fn rows(&self, c: usize, border: Border, h: usize) -> (usize, usize) {
        let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(self.oh));
        let span = |from: isize, to: isize| {
            (from..to).map(|p| reflect(p, h)).fold((usize::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)))
        };
        match (&self.kind, border) {
            (PassKind::Single(f), Border::Valid) => (i0, i1 + f.n() - 2),
            (PassKind::Single(f), Border::Same) => {
                let before = ((f.n() - 1) / 2) as isize;
                span(i0 as isize - before, (i1 + f.n() - 1) as isize - before)
            }
            (PassKind::Levels(halves), _) => {
                let cm = *halves.iter().max().unwrap() as isize;
                span(i0 as isize - cm, i1 as isize + cm)
            }
        }
    }
}

enum Rows {
    U8(Vec<u8>),
    U16(Vec<u16>),
    F32(Vec<f32>),
}

impl Rows {
    /// No rows yet, of the pixel type of `p`.
    fn empty_like(p: &Pixels) -> Self {
        match p {
            Pixels::U8(_) => Rows::U8(Vec::new()),
            Pixels::U16(_) => Rows::U16(Vec::new()),
            Pixels::F32(_) => Rows::F32(Vec::new()),
        }
    }
    fn holds(&self, p: &Pixels) -> bool {
        core::mem::discriminant(&self.pixels()) == core::mem::discriminant(p)
    }
    fn pixels(&self) -> Pixels<'_> {
        match self {
            Rows::U8(v) => Pixels::U8(v),
            Rows::U16(v) => Pixels::U16(v),
            Rows::F32(v) => Pixels::F32(v),
        }
    }
    /// Appends rows to a buffer allocated once at `cap` values, the most
    /// it holds (the rows kept between steps and one step), never doubled.
    fn append(&mut self, p: Pixels, cap: usize) {
        fn put<T: Copy>(v: &mut Vec<T>, d: &[T], cap: usize) {
            if v.capacity() == 0 {
                v.reserve_exact(cap.max(d.len()));
            }
            if v.capacity() < v.len() + d.len() {
                v.reserve_exact(d.len());
            }
            v.extend_from_slice(d);
        }
        match (self, p) {
            (Rows::U8(v), Pixels::U8(d)) => put(v, d, cap),
            (Rows::U16(v), Pixels::U16(d)) => put(v, d, cap),
            (Rows::F32(v), Pixels::F32(d)) => put(v, d, cap),
            _ => unreachable!("kind checked by feed"),
        }
    }
    fn drop_front(&mut self, n: usize) {
        match self {
            Rows::U8(v) => drop(v.drain(..n)),
            Rows::U16(v) => drop(v.drain(..n)),
            Rows::F32(v) => drop(v.drain(..n)),
        }
    }
}

/// Rows taken in at a time: two chunks, so that the chunks of a step still
/// run in parallel (with three planes, six tasks).
pub const STEP_ROWS: usize = 2 * CHUNK;

fn slice<'a>(p: Pixels<'a>, a: usize, b: usize) -> Pixels<'a> {
    match p {
        Pixels::U8(d) => Pixels::U8(&d[a..b]),
        Pixels::U16(d) => Pixels::U16(&d[a..b]),
        Pixels::F32(d) => Pixels::F32(&d[a..b]),
    }
}

/// The band of rows [base, fed) seen as the full-height image they belong to.
struct Band<'a> {
    pair: ImagePair<'a>,
    base: usize,
    height: usize,
}

impl PairRows for Band<'_> {
    fn width(&self) -> usize {
        self.pair.width()
    }
    fn height(&self) -> usize {
        self.height
    }
    fn planes(&self) -> usize {
        self.pair.planes()
    }
    fn range(&self) -> f64 {
        self.pair.range()
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        self.pair.row(plane, r - self.base, c0, x, y)
    }
}

pub struct Scorer {
    metric: Metric,
    consts: SsimConsts,
    width: usize,
    height: usize,
    channels: usize,
    ch: Channels,
    range: f64,
    planes: usize,
    border: Border,
    passes: Vec<Pass>,
    /// MS-SSIM: scales 1.. (their rows and their pass) and the weights.
    scales: Vec<(ScaleRows, Pass)>,
    weights: Vec<f64>,
    /// SSIM's map, when asked for (see [`Scorer::with_map`]).
    map: Option<Plane<f32>>,
    base: usize,
    fed: usize,
    x: Rows,
    y: Rows,
}

impl Scorer {
    /// `pixels` is an empty `Pixels` of the type the bands will have.
    pub fn new(metric: Metric, pixels: Pixels, width: usize, height: usize, channels: usize, ch: Channels) -> Result<Self, Error> {
        Image::check_shape(width, height, channels)?;
        // The shape, with no rows yet: what the checks below read.
        let probe = Image { pixels, width, height, channels };
        let range_v = range_of(&probe, ch.data_range)?;
        // Samples are read divided by L, so the constants are on [0, 1].
        let planes = probe.plane_sources(ch.color, ch.alpha).len();
        let border = match &metric {
            Metric::Ssim(p) | Metric::Msssim(p, _) => p.border,
            Metric::Lwssim(p) => p.border,
        };
        let out_len = |len: usize, n: usize| border.output_len(len, n);
        let count = |n: usize| (out_len(width, n) * out_len(height, n)) as f64;
        let single = |w: &Window| {
            let f = Filter::new(w);
            let (n, oh) = (f.n(), out_len(height, f.n()));
            (PassKind::Single(f), oh, vec![count(n)])
        };
        let mut weights = Vec::new();
        let specs: Vec<(PassKind, usize, Vec<f64>)> = match &metric {
            Metric::Msssim(p, scales) => {
                weights = msssim_weights(p, width, height, scales)?;
                vec![single(&p.window)]
            }
            Metric::Ssim(p) => {
                crate::domain::check_ssim_params(p, width, height)?;
                vec![single(&p.window)]
            }
            Metric::Lwssim(p) => {
                crate::domain::check_lwssim_params(p, width, height)?;
                match p.box_halves() {
                    Some(halves) => {
                        let counts = halves.iter().map(|c| count(2 * c + 1)).collect();
                        vec![(PassKind::Levels(halves), height, counts)]
                    }
                    None => p.levels.iter().map(|(w, _)| single(w)).collect(),
                }
            }
        };
        let passes = specs
            .into_iter()
            .map(|(kind, oh, counts)| {
                let levels = counts.len();
                Pass { kind, oh, counts, next: 0, sums: vec![vec![vec![[0.0; 3]; levels]; oh.div_ceil(CHUNK)]; planes] }
            })
            .collect();
        let consts = match &metric {
            Metric::Ssim(p) | Metric::Msssim(p, _) => p.consts(1.0),
            Metric::Lwssim(p) => p.consts(1.0),
        };
        // Scales 1..: each the half of the one before.
        let mut scales: Vec<(ScaleRows, Pass)> = Vec::new();
        if let Metric::Msssim(p, _) = &metric {
            let (mut w, mut h) = (width, height);
            for s in 1..weights.len() {
                (w, h) = (w.div_ceil(2), h.div_ceil(2));
                let f = Filter::new(&p.window);
                let (ow, oh) = (out_len(w, f.n()), out_len(h, f.n()));
                let pass = Pass::single(f, oh, (ow * oh) as f64, planes);
                // Kept rows, a step's new rows (fewer by half each scale),
                // and the odd rows that rounding adds.
                let cap = (pass.span(border, h) + (STEP_ROWS >> s) + 2 * s).min(h);
                scales.push((ScaleRows::new(w, h, planes, cap), pass));
            }
        }
        Ok(Scorer {
            metric,
            consts,
            width,
            height,
            channels,
            ch,
            range: range_v,
            planes,
            border,
            passes,
            scales,
            weights,
            map: None,
            base: 0,
            fed: 0,
            x: Rows::empty_like(&pixels),
            y: Rows::empty_like(&pixels),
        })
    }

    /// Keeps SSIM's map too (the mean over planes, as `api::ssim` gives it).
    pub fn with_map(mut self) -> Result<Self, Error> {
        let Metric::Ssim(p) = &self.metric else {
            return Err(Error::Mismatch("only SSIM has a map".into()));
        };
        let n = p.window.size();
        let (ow, oh) = (self.border.output_len(self.width, n), self.border.output_len(self.height, n));
        self.map = Some(Plane::new(ow, oh, vec![0.0; ow * oh]));
        Ok(self)
    }

    /// Rows fed so far.
    pub fn rows_fed(&self) -> usize {
        self.fed
    }

    /// Rows held now: what the next chunks still need.
    pub fn rows_held(&self) -> usize {
        self.fed - self.base
    }

    /// Rows held now by each coarser scale of MS-SSIM.
    pub fn scale_rows_held(&self) -> Vec<usize> {
        self.scales.iter().map(|(rows, _)| rows.held()).collect()
    }

    /// The next rows of both images (whole rows, the same count in each).
    pub fn feed(&mut self, x: Pixels, y: Pixels) -> Result<(), Error> {
        if !self.x.holds(&x) || !self.x.holds(&y) {
            return Err(Error::Mismatch("a band's pixel type differs from the scorer's".into()));
        }
        let row = self.width * self.channels;
        if x.len() != y.len() || x.len() % row != 0 {
            return Err(Error::Mismatch(format!("bands must hold whole rows of {row} values, the same in both images")));
        }
        let rows = x.len() / row;
        if self.fed + rows > self.height {
            return range(format!("{} rows fed to a {}-row image", self.fed + rows, self.height));
        }
        // Every band is checked before it is kept: a bad one leaves the
        // scorer as it was.
        crate::domain::check_metric_pixels("the reference image", &x, self.range)?;
        crate::domain::check_metric_pixels("the distorted image", &y, self.range)?;
        if let Metric::Lwssim(p) = &self.metric {
            if crate::domain::lwssim_needs_nonnegative(p) {
                crate::domain::check_nonnegative("the reference image", &x, p.alpha)?;
                crate::domain::check_nonnegative("the distorted image", &y, p.alpha)?;
            }
        }
        // A few chunks' rows at a time, whatever the band: the rows held
        // (and MS-SSIM's coarser rows) stay a fixed buffer.
        let cap = (self.passes.iter().map(|p| p.span(self.border, self.height)).max().unwrap_or(1) + STEP_ROWS).min(self.height) * row;
        for r0 in (0..rows).step_by(STEP_ROWS) {
            let r1 = (r0 + STEP_ROWS).min(rows);
            self.x.append(slice(x, r0 * row, r1 * row), cap);
            self.y.append(slice(y, r0 * row, r1 * row), cap);
            self.fed += r1 - r0;
            self.run_ready();
        }
        Ok(())
    }

    /// Runs every chunk whose rows have all arrived (MS-SSIM: after growing
    /// the coarser scales from them), then forgets the rows no chunk and no
    /// coarser row still needs.
    fn run_ready(&mut self) {
        let (h, border) = (self.height, self.border);
        let rows_here = self.fed - self.base;
        let xi = Image { pixels: self.x.pixels(), width: self.width, height: rows_here, channels: self.channels };
        let yi = Image { pixels: self.y.pixels(), width: self.width, height: rows_here, channels: self.channels };
        let band = Band { pair: ImagePair::new(&xi, &yi, self.ch.color, self.ch.alpha, self.range), base: self.base, height: h };
        for s in 0..self.scales.len() {
            let (finer, rest) = self.scales.split_at_mut(s);
            match finer.last() {
                None => rest[0].0.grow(&band, self.fed),
                Some((src, _)) => rest[0].0.grow(src, src.fed()),
            }
        }
        let ready = |pass: &Pass, c: usize, h: usize, fed: usize| c < pass.chunks() && pass.rows(c, border, h).1 < fed;
        let (metric, k) = (&self.metric, &self.consts);
        if let Some(map) = &mut self.map {
            let pass = &mut self.passes[0];
            let PassKind::Single(f) = &pass.kind else { unreachable!("a map is SSIM's") };
            let mut end = pass.next;
            while ready(pass, end, h, self.fed) {
                end += 1;
            }
            let ow = map.width;
            let dst = &mut map.data[pass.next * CHUNK * ow..(end * CHUNK).min(pass.oh) * ow];
            let row = |m: &Moments5, out: Option<&mut [f64]>| kernels::ssim_row(m, k, out);
            let (first, oh) = (pass.next, pass.oh);
            let parts: Vec<Vec<[f64; 3]>> = dst
                .par_chunks_mut(CHUNK * ow)
                .enumerate()
                .map(|(i, d)| {
                    let c = first + i;
                    chunk_with_map(&band, f, border, c * CHUNK, ((c + 1) * CHUNK).min(oh), &row, d)
                })
                .collect();
            for (i, sums) in parts.into_iter().enumerate() {
                for (plane, s) in sums.into_iter().enumerate() {
                    pass.sums[plane][first + i] = vec![s];
                }
            }
            pass.next = end;
        } else {
            // (pass or scale, index, plane, chunk): every ready chunk of every
            // scale in one parallel run.
            let mut tasks = Vec::new();
            for (pi, pass) in self.passes.iter().enumerate() {
                let mut c = pass.next;
                while ready(pass, c, h, self.fed) {
                    tasks.extend((0..self.planes).map(|plane| (false, pi, plane, c)));
                    c += 1;
                }
            }
            for (si, (rows, pass)) in self.scales.iter().enumerate() {
                let mut c = pass.next;
                while ready(pass, c, rows.height(), rows.fed()) {
                    tasks.extend((0..self.planes).map(|plane| (true, si, plane, c)));
                    c += 1;
                }
            }
            let (passes, scales) = (&self.passes, &self.scales);
            let results: Vec<Vec<[f64; 3]>> = tasks
                .par_iter()
                .map(|&(coarse, i, plane, c)| {
                    let (pass, src): (&Pass, &dyn PairRows) = if coarse { (&scales[i].1, &scales[i].0) } else { (&passes[i], &band) };
                    match (&pass.kind, metric) {
                        (PassKind::Levels(halves), Metric::Lwssim(p)) => box_chunk_sums(&band, plane, halves, p, k, c),
                        (PassKind::Single(f), _) => {
                            let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(pass.oh));
                            let row = |m: &Moments5, _: Option<&mut [f64]>| match metric {
                                Metric::Lwssim(p) => level_row(m, k, p),
                                Metric::Ssim(_) | Metric::Msssim(..) => kernels::ssim_row(m, k, None),
                            };
                            vec![chunk_sums(src, plane, f, border, i0, i1, &row)]
                        }
                        (PassKind::Levels(_), _) => unreachable!("levels are LWSSIM's"),
                    }
                })
                .collect();
            for (&(coarse, i, plane, c), r) in tasks.iter().zip(results) {
                let pass = if coarse { &mut self.scales[i].1 } else { &mut self.passes[i] };
                pass.sums[plane][c] = r;
            }
            for pass in &mut self.passes {
                while ready(pass, pass.next, h, self.fed) {
                    pass.next += 1;
                }
            }
            for (rows, pass) in &mut self.scales {
                while ready(pass, pass.next, rows.height(), rows.fed()) {
                    pass.next += 1;
                }
            }
        }
        // What each scale keeps: the rows of its next chunk and those the
        // next scale's next row reads.
        let pending = |pass: &Pass, h: usize| (pass.next < pass.chunks()).then(|| pass.rows(pass.next, border, h).0);
        let next_needs = |s: usize| self.scales.get(s).map(|(rows, _)| rows.needs_from());
        let keep_from = self
            .passes
            .iter()
            .filter_map(|p| pending(p, h))
            .chain(next_needs(0))
            .min()
            .unwrap_or(self.fed)
            .clamp(self.base, self.fed);
        let keeps: Vec<usize> = (0..self.scales.len())
            .map(|s| {
                let (rows, pass) = &self.scales[s];
                pending(pass, rows.height()).into_iter().chain(next_needs(s + 1)).min().unwrap_or(rows.fed())
            })
            .collect();
        for ((rows, _), keep) in self.scales.iter_mut().zip(keeps) {
            rows.forget_before(keep);
        }
        let row = self.width * self.channels;
        self.x.drop_front((keep_from - self.base) * row);
        self.y.drop_front((keep_from - self.base) * row);
        self.base = keep_from;
    }

    /// The score, once every row has been fed (the map is moved out).
    pub fn finish(&mut self) -> Result<Score, Error> {
        if self.fed != self.height {
            return range(format!("only {} of {} rows were fed", self.fed, self.height));
        }
        // Per plane, per level: the chunk sums joined in chunk order.
        let level_sums = |plane: usize| -> Vec<([f64; 3], f64)> {
            self.passes
                .iter()
                .flat_map(|pass| {
                    (0..pass.counts.len()).map(move |l| {
                        (join(pass.sums[plane].iter().map(|c| c[l])), pass.counts[l])
                    })
                })
                .collect()
        };
        let channels: Vec<f64> = (0..self.planes)
            .map(|plane| match &self.metric {
                Metric::Ssim(_) => {
                    let (s, count) = level_sums(plane)[0];
                    s[0] / count
                }
                Metric::Lwssim(p) => {
                    let levels: Vec<f64> = level_sums(plane).into_iter().map(|(s, count)| level_value(s, count, p)).collect();
                    lwssim_total(&levels, p)
                }
                Metric::Msssim(..) => {
                    // cs at every scale but the last, SSIM at the last,
                    // each clamped at 0 (as `msssim::msssim_terms`).
                    let last = self.scales.len();
                    let (s0, count0) = level_sums(plane)[0];
                    let mut terms = vec![if last == 0 { s0[0] / count0 } else { s0[1] / count0 }.max(0.0)];
                    for (i, (_, pass)) in self.scales.iter().enumerate() {
                        let s = join(pass.sums[plane].iter().map(|c| c[0]));
                        let v = if i + 1 == last { s[0] / pass.counts[0] } else { s[1] / pass.counts[0] };
                        terms.push(v.max(0.0));
                    }
                    combine(&terms, &self.weights)
                }
            })
            .collect();
        let score = crate::api::mean(&channels);
        Ok(Score { score, channels, map: self.map.take() })
    }
}
