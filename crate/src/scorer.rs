//! Scores fed a band of rows at a time, so that an image never has to be in
//! WebAssembly memory whole: a 4K RGBA pair is 66 MB of pixels, more than
//! the whole budget of a score. The scorer keeps only the rows the next
//! chunks still need, runs every chunk as soon as its rows have arrived (the
//! same chunks, the same kernels, the same reduction order as
//! `api::ssim` / `api::lwssim`), and gives the same bits however the rows
//! were cut into bands.

use rayon::prelude::*;

use crate::api::{Channels, Score};
use crate::error::{range, Error};
use crate::image::{Image, Pixels};
use crate::kernels::{self, SsimConsts};
use crate::lwssim::{general_row, lwssim_total, LwssimParams};
use crate::ssim::SsimParams;
use crate::stream::{chunk_moments, Filter, ImagePair, PairRows, CHUNK};
use crate::window::{reflect, Border, Window};

/// What a scorer computes.
#[derive(Clone, Debug)]
pub enum Metric {
    Ssim(SsimParams),
    Lwssim(LwssimParams),
}

/// One filter pass over the image: SSIM has one, LWSSIM one per level.
struct Pass {
    filter: Filter,
    consts: SsimConsts,
    /// LWSSIM with exponents other than 1: one output at a time.
    general: bool,
    oh: usize,
    count: f64,
    next: usize,
    /// [plane][chunk]
    sums: Vec<Vec<[f64; 3]>>,
}

impl Pass {
    fn chunks(&self) -> usize {
        self.oh.div_ceil(CHUNK)
    }
    /// The source rows chunk `c` reads: [lo, hi].
    fn rows(&self, c: usize, border: Border, h: usize) -> (usize, usize) {
        let n = self.filter.n();
        let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(self.oh));
        match border {
            Border::Valid => (i0, i1 + n - 2),
            Border::Same => {
                let before = (n - 1) / 2;
                let rows = (i0..i1 + n - 1).map(|p| reflect(p as isize - before as isize, h));
                rows.fold((usize::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)))
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    U8,
    U16,
    F32,
}

enum Rows {
    U8(Vec<u8>),
    U16(Vec<u16>),
    F32(Vec<f32>),
}

impl Rows {
    fn kind(&self) -> Kind {
        match self {
            Rows::U8(_) => Kind::U8,
            Rows::U16(_) => Kind::U16,
            Rows::F32(_) => Kind::F32,
        }
    }
    fn pixels(&self) -> Pixels<'_> {
        match self {
            Rows::U8(v) => Pixels::U8(v),
            Rows::U16(v) => Pixels::U16(v),
            Rows::F32(v) => Pixels::F32(v),
        }
    }
    fn append(&mut self, p: Pixels) {
        match (self, p) {
            (Rows::U8(v), Pixels::U8(d)) => v.extend_from_slice(d),
            (Rows::U16(v), Pixels::U16(d)) => v.extend_from_slice(d),
            (Rows::F32(v), Pixels::F32(d)) => v.extend_from_slice(d),
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
    width: usize,
    height: usize,
    channels: usize,
    ch: Channels,
    range: f64,
    planes: usize,
    border: Border,
    passes: Vec<Pass>,
    base: usize,
    fed: usize,
    x: Rows,
    y: Rows,
}

fn check_window(w: &Window, width: usize, height: usize) -> Result<(), Error> {
    crate::api::check_window(w, width, height)
}

impl Scorer {
    /// `pixels` is an empty `Pixels` of the type the bands will have.
    pub fn new(metric: Metric, pixels: Pixels, width: usize, height: usize, channels: usize, ch: Channels) -> Result<Self, Error> {
        // Validates the shape (an empty band of the full size is not needed:
        // the check is on width, height and channels alone).
        let probe = Image { pixels, width, height, channels };
        if !(1..=4).contains(&channels) || width == 0 || height == 0 {
            Image::new(Pixels::U8(&[]), width, height, channels)?;
        }
        let range_v = ch.data_range.unwrap_or_else(|| pixels.default_range());
        if !(range_v.is_finite() && range_v > 0.0) {
            return range(format!("dataRange must be positive and finite, got {range_v}"));
        }
        let planes = probe.plane_sources(ch.color, ch.alpha).len();
        let scaled = |k1: f64, k2: f64, cov: f64| {
            let (a, b) = (k1 * range_v, k2 * range_v);
            SsimConsts { c1: a * a, c2: b * b, cov }
        };
        let (border, specs): (Border, Vec<(Window, SsimConsts, bool)>) = match &metric {
            Metric::Ssim(p) => {
                check_window(&p.window, width, height)?;
                let k = p.consts(range_v);
                (p.border, vec![(p.window, k, false)])
            }
            Metric::Lwssim(p) => {
                if p.levels.is_empty() {
                    return range("LWSSIM needs at least one level");
                }
                let simple = p.alpha == 1.0 && p.beta == 1.0 && p.gamma == 1.0;
                let mut v = Vec::new();
                for (w, _) in &p.levels {
                    check_window(w, width, height)?;
                    v.push((*w, scaled(p.k1, p.k2, 1.0), !simple));
                }
                (p.border, v)
            }
        };
        let passes = specs
            .into_iter()
            .map(|(w, consts, general)| {
                let filter = Filter::new(&w);
                let (ow, oh) = (border.output_len(width, filter.n()), border.output_len(height, filter.n()));
                Pass { filter, consts, general, oh, count: (ow * oh) as f64, next: 0, sums: vec![vec![[0.0; 3]; oh.div_ceil(CHUNK)]; planes] }
            })
            .collect();
        let empty = match pixels {
            Pixels::U8(_) => (Rows::U8(Vec::new()), Rows::U8(Vec::new())),
            Pixels::U16(_) => (Rows::U16(Vec::new()), Rows::U16(Vec::new())),
            Pixels::F32(_) => (Rows::F32(Vec::new()), Rows::F32(Vec::new())),
        };
        Ok(Scorer { metric, width, height, channels, ch, range: range_v, planes, border, passes, base: 0, fed: 0, x: empty.0, y: empty.1 })
    }

    /// Rows fed so far.
    pub fn rows_fed(&self) -> usize {
        self.fed
    }

    /// Rows held now: what the next chunks still need.
    pub fn rows_held(&self) -> usize {
        self.fed - self.base
    }

    /// The next rows of both images (whole rows, the same count in each).
    pub fn feed(&mut self, x: Pixels, y: Pixels) -> Result<(), Error> {
        let kind = self.x.kind();
        let of = |p: &Pixels| match p {
            Pixels::U8(_) => Kind::U8,
            Pixels::U16(_) => Kind::U16,
            Pixels::F32(_) => Kind::F32,
        };
        if of(&x) != kind || of(&y) != kind {
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
        self.x.append(x);
        self.y.append(y);
        self.fed += rows;
        self.run_ready();
        Ok(())
    }

    /// Runs every chunk whose rows have all arrived, then forgets the rows
    /// no chunk still needs.
    fn run_ready(&mut self) {
        let (h, border) = (self.height, self.border);
        let mut tasks = Vec::new();
        for (pi, pass) in self.passes.iter().enumerate() {
            let mut c = pass.next;
            while c < pass.chunks() && pass.rows(c, border, h).1 < self.fed {
                for plane in 0..self.planes {
                    tasks.push((pi, plane, c));
                }
                c += 1;
            }
        }
        if !tasks.is_empty() {
            let rows_here = self.fed - self.base;
            let xi = Image { pixels: self.x.pixels(), width: self.width, height: rows_here, channels: self.channels };
            let yi = Image { pixels: self.y.pixels(), width: self.width, height: rows_here, channels: self.channels };
            let band = Band { pair: ImagePair::new(&xi, &yi, self.ch.color, self.ch.alpha, self.range), base: self.base, height: h };
            let metric = &self.metric;
            let passes = &self.passes;
            let results: Vec<[f64; 3]> = tasks
                .par_iter()
                .map(|&(pi, plane, c)| {
                    let pass = &passes[pi];
                    let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(pass.oh));
                    let mut acc = [0.0; 3];
                    chunk_moments(&band, plane, &pass.filter, border, i0, i1, |_, _, m| {
                        let r = match (pass.general, metric) {
                            (true, Metric::Lwssim(p)) => [general_row(m, &pass.consts, p), 0.0, 0.0],
                            _ => kernels::ssim_row(m, &pass.consts, None),
                        };
                        for t in 0..3 {
                            acc[t] += r[t];
                        }
                    });
                    acc
                })
                .collect();
            for (&(pi, plane, c), r) in tasks.iter().zip(results) {
                self.passes[pi].sums[plane][c] = r;
            }
            for pass in &mut self.passes {
                while pass.next < pass.chunks() && pass.rows(pass.next, border, h).1 < self.fed {
                    pass.next += 1;
                }
            }
        }
        let keep_from = self
            .passes
            .iter()
            .filter(|p| p.next < p.chunks())
            .map(|p| p.rows(p.next, border, h).0)
            .min()
            .unwrap_or(self.fed)
            .max(self.base);
        let row = self.width * self.channels;
        self.x.drop_front((keep_from - self.base) * row);
        self.y.drop_front((keep_from - self.base) * row);
        self.base = keep_from;
    }

    /// The score, once every row has been fed.
    pub fn finish(&self) -> Result<Score, Error> {
        if self.fed != self.height {
            return range(format!("only {} of {} rows were fed", self.fed, self.height));
        }
        let join = |sums: &[[f64; 3]]| {
            let mut acc = [0.0; 3];
            for r in sums {
                for t in 0..3 {
                    acc[t] += r[t];
                }
            }
            acc
        };
        let channels: Vec<f64> = match &self.metric {
            Metric::Ssim(_) => {
                let pass = &self.passes[0];
                pass.sums.iter().map(|s| join(s)[0] / pass.count).collect()
            }
            Metric::Lwssim(p) => (0..self.planes)
                .map(|plane| {
                    let levels: Vec<f64> = self
                        .passes
                        .iter()
                        .map(|pass| {
                            let s = join(&pass.sums[plane]);
                            (if pass.general { s[0] } else { s[2] + s[1] }) / pass.count
                        })
                        .collect();
                    lwssim_total(&levels, p)
                })
                .collect(),
        };
        let score = channels.iter().sum::<f64>() / channels.len() as f64;
        Ok(Score { score, channels, map: None })
    }
}
