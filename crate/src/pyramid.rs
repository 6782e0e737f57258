//! The coarser scales of MS-SSIM, grown row by row from the finer scale's
//! rows as they arrive: each scale holds only the rows its next chunks and
//! the next scale's next rows need, never a whole plane. A row is the 2x2
//! average of `msssim::downsample2` (an odd side repeats its last row or
//! column), in the same f64 operations, so every scale's samples, hence its
//! chunk sums, are the bits the whole-plane pyramid gives.

use rayon::prelude::*;

use crate::stream::PairRows;

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
    /// are halved in parallel.
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
        self.x.par_iter_mut().zip(self.y.par_iter_mut()).enumerate().for_each(|(plane, (px, py))| {
            for v in [&mut *px, &mut *py] {
                if v.capacity() == 0 {
                    v.reserve_exact(cap);
                }
                v.reserve_exact(rows * w);
            }
            let (mut ax, mut ay, mut bx, mut by) = (vec![0.0; sw], vec![0.0; sw], vec![0.0; sw], vec![0.0; sw]);
            for i in first..end {
                src.row(plane, 2 * i, 0, &mut ax, &mut ay);
                src.row(plane, (2 * i + 1).min(sh - 1), 0, &mut bx, &mut by);
                for (out, a, b) in [(&mut *px, &ax, &bx), (&mut *py, &ay, &by)] {
                    out.extend((0..w).map(|j| {
                        let (c0, c1) = (2 * j, (2 * j + 1).min(sw - 1));
                        ((a[c0] + a[c1]) + (b[c0] + b[c1])) * 0.25
                    }));
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
