//! Two-lane twins of the hot row kernels in `scalar.rs`: the same operations
//! in the same order per output, two outputs per vector. The filters are
//! specialised per window size (taps unrolled) and run four vectors at once
//! so their dependent adds overlap.

use super::lanes::F64x2;
use super::scalar;
use super::{Chain, Moments4, Moments5, SsimConsts};

/// The symmetric filter for a window of H folded taps (n = 2H - 1), eight
/// outputs an iteration: four independent chains of dependent adds.
#[inline(always)]
fn hfilter_h<const H: usize>(src: &[f64], half: &[f64], dst: &mut [f64]) {
    let c = H - 1;
    let n = 2 * c + 1;
    let len = dst.len();
    assert!(half.len() == H && src.len() + 1 >= len + n);
    let w: [F64x2; H] = core::array::from_fn(|k| F64x2::splat(half[k]));
    let sp = src.as_ptr();
    let mut j = 0;
    while j + 8 <= len {
        // SAFETY: every index read is j + q + t with q < 8 and t < n, and
        // j + 8 <= len with src.len() >= len + n - 1 (asserted above).
        let acc = unsafe {
            let mut acc: [F64x2; 4] = core::array::from_fn(|v| F64x2::load_ptr(sp.add(j + 2 * v + c)).mul(w[c]));
            for k in 0..c {
                for (v, a) in acc.iter_mut().enumerate() {
                    let o = j + 2 * v;
                    let pair = F64x2::load_ptr(sp.add(o + k)).add(F64x2::load_ptr(sp.add(o + n - 1 - k)));
                    *a = a.add(pair.mul(w[k]));
                }
            }
            acc
        };
        for (v, a) in acc.iter().enumerate() {
            a.store(dst, j + 2 * v);
        }
        j += 8;
    }
    hfilter_from(src, half, dst, j);
}

// One copy, called from every engine: inlined, it is duplicated (wasm bytes).
#[inline(never)]
pub fn hfilter(src: &[f64], half: &[f64], dst: &mut [f64]) {
    match half.len() {
        6 => hfilter_h::<6>(src, half, dst),
        _ => hfilter_from(src, half, dst, 0),
    }
}

/// Outputs j0.. of any window size, two at a time, the taps in a loop: the
/// tail of the unrolled kernels and the whole of a size they do not cover.
fn hfilter_from(src: &[f64], half: &[f64], dst: &mut [f64], j0: usize) {
    let c = half.len() - 1;
    let n = 2 * c + 1;
    let len = dst.len();
    assert!(src.len() + 1 >= len + n);
    let wc = F64x2::splat(half[c]);
    let mut j = j0;
    while j + 2 <= len {
        let mut a = F64x2::load(src, j + c).mul(wc);
        for k in 0..c {
            a = a.add(F64x2::load(src, j + k).add(F64x2::load(src, j + n - 1 - k)).mul(F64x2::splat(half[k])));
        }
        a.store(dst, j);
        j += 2;
    }
    if j < len {
        dst[j] = scalar::hfilter_at(src, half, j);
    }
}

/// The vertical twin of [`hfilter_h`]: rows k and n-1-k folded; two vectors
/// an iteration, since the row pointers already fill the registers.
#[inline(always)]
fn vfilter_h<const H: usize>(rows: &[&[f64]], half: &[f64], dst: &mut [f64]) {
    let c = H - 1;
    let n = 2 * c + 1;
    let len = dst.len();
    assert!(half.len() == H && rows.len() == n && rows.iter().all(|r| r.len() >= len));
    let w: [F64x2; H] = core::array::from_fn(|k| F64x2::splat(half[k]));
    let lo: [*const f64; H] = core::array::from_fn(|k| rows[k].as_ptr());
    let hi: [*const f64; H] = core::array::from_fn(|k| rows[n - 1 - k].as_ptr());
    let mut j = 0;
    while j + 4 <= len {
        // SAFETY: every row holds at least len >= j + 4 samples (asserted).
        let acc = unsafe {
            let mut acc: [F64x2; 2] = core::array::from_fn(|v| F64x2::load_ptr(lo[c].add(j + 2 * v)).mul(w[c]));
            for k in 0..c {
                for (v, a) in acc.iter_mut().enumerate() {
                    let o = j + 2 * v;
                    let pair = F64x2::load_ptr(lo[k].add(o)).add(F64x2::load_ptr(hi[k].add(o)));
                    *a = a.add(pair.mul(w[k]));
                }
            }
            acc
        };
        for (v, a) in acc.iter().enumerate() {
            a.store(dst, j + 2 * v);
        }
        j += 4;
    }
    vfilter_from(rows, half, dst, j);
}

// One copy, called from every engine: inlined, it is duplicated (wasm bytes).
#[inline(never)]
pub fn vfilter(rows: &[&[f64]], half: &[f64], dst: &mut [f64]) {
    match half.len() {
        6 => vfilter_h::<6>(rows, half, dst),
        _ => vfilter_from(rows, half, dst, 0),
    }
}

/// The vertical twin of [`hfilter_from`].
fn vfilter_from(rows: &[&[f64]], half: &[f64], dst: &mut [f64], j0: usize) {
    let c = half.len() - 1;
    let n = 2 * c + 1;
    let len = dst.len();
    assert!(rows.len() == n && rows.iter().all(|r| r.len() >= len));
    let wc = F64x2::splat(half[c]);
    let mut j = j0;
    while j + 2 <= len {
        let mut a = F64x2::load(rows[c], j).mul(wc);
        for k in 0..c {
            a = a.add(F64x2::load(rows[k], j).add(F64x2::load(rows[n - 1 - k], j)).mul(F64x2::splat(half[k])));
        }
        a.store(dst, j);
        j += 2;
    }
    if j < len {
        dst[j] = scalar::vfilter_at(rows, half, j);
    }
}

pub fn vbox_init(rows: &[&[f64]], sum: &mut [f64]) {
    let len = sum.len();
    let mut j = 0;
    while j + 2 <= len {
        let mut s = F64x2::load(rows[0], j);
        for r in &rows[1..] {
            s = s.add(F64x2::load(r, j));
        }
        s.store(sum, j);
        j += 2;
    }
    if j < len {
        scalar::vbox_init(&rows.iter().map(|r| &r[j..]).collect::<Vec<_>>(), &mut sum[j..]);
    }
}

pub fn vbox_slide(sum: &mut [f64], enter: &[f64], leave: &[f64], scale: f64, dst: &mut [f64]) {
    let len = sum.len();
    assert!(enter.len() >= len && leave.len() >= len && dst.len() >= len);
    let k = F64x2::splat(scale);
    let mut j = 0;
    while j + 2 <= len {
        let s = F64x2::load(sum, j).add(F64x2::load(enter, j)).sub(F64x2::load(leave, j));
        s.store(sum, j);
        s.mul(k).store(dst, j);
        j += 2;
    }
    if j < len {
        scalar::vbox_slide(&mut sum[j..], &enter[j..], &leave[j..], scale, &mut dst[j..]);
    }
}

pub fn scale(src: &[f64], k: f64, dst: &mut [f64]) {
    let len = dst.len();
    let kv = F64x2::splat(k);
    let mut j = 0;
    while j + 2 <= len {
        F64x2::load(src, j).mul(kv).store(dst, j);
        j += 2;
    }
    if j < len {
        dst[j] = src[j] * k;
    }
}

/// The constants of [`scalar::SsimConsts`] and the literals of the
/// scalar kernels, splatted once a row.
#[derive(Clone, Copy)]
struct Lanes {
    two: F64x2,
    c1: F64x2,
    c2: F64x2,
    cov: F64x2,
    zero: F64x2,
    one: F64x2,
    minus_one: F64x2,
    half: F64x2,
}

impl Lanes {
    #[inline(always)]
    fn new(k: &SsimConsts) -> Self {
        Lanes {
            two: F64x2::splat(2.0),
            c1: F64x2::splat(k.c1),
            c2: F64x2::splat(k.c2),
            cov: F64x2::splat(k.cov),
            zero: F64x2::splat(0.0),
            one: F64x2::splat(1.0),
            minus_one: F64x2::splat(-1.0),
            half: F64x2::splat(0.5),
        }
    }
    /// [`scalar::clamp1`].
    #[inline(always)]
    fn clamp1(&self, v: F64x2) -> F64x2 {
        v.max(self.minus_one).min(self.one)
    }
    /// [`scalar::cauchy_schwarz`]: the clamped sigma_xy and the mask of the
    /// lanes it clamped. The square root only runs when a lane needs it.
    #[inline(always)]
    fn cauchy_schwarz(&self, sxy: F64x2, p: F64x2) -> (F64x2, F64x2) {
        let clamped = sxy.mul(sxy).gt(p);
        if clamped.any() {
            let r = p.sqrt();
            (F64x2::select(clamped, sxy.max(self.zero.sub(r)).min(r), sxy), clamped)
        } else {
            (sxy, clamped)
        }
    }
    /// v * cov, or v itself when COV is false (cov == 1: the same bits,
    /// three multiplications a pair fewer on the common path).
    #[inline(always)]
    fn cov<const COV: bool>(&self, v: F64x2) -> F64x2 {
        if COV { v.mul(self.cov) } else { v }
    }
    /// [`scalar::lcs`], two outputs at once.
    #[inline(always)]
    fn lcs<const COV: bool>(&self, mx: F64x2, my: F64x2, xx: F64x2, yy: F64x2, xy: F64x2) -> (F64x2, F64x2) {
        let mxy = mx.mul(my);
        let mxx = mx.mul(mx);
        let myy = my.mul(my);
        let l = self.clamp1(self.two.mul(mxy).add(self.c1).div(mxx.add(myy).add(self.c1)));
        let sxx = self.cov::<COV>(xx.sub(mxx)).max(self.zero);
        let syy = self.cov::<COV>(yy.sub(myy)).max(self.zero);
        let (sxy, _) = self.cauchy_schwarz(self.cov::<COV>(xy.sub(mxy)), sxx.mul(syy));
        let cs = self.clamp1(self.two.mul(sxy).add(self.c2).div(sxx.add(syy).add(self.c2)));
        (l, cs)
    }
}

impl Lanes {
    /// [`scalar::lcs4`], two outputs at once.
    #[inline(always)]
    fn lcs4<const COV: bool>(&self, mx: F64x2, my: F64x2, ss: F64x2, xy: F64x2) -> (F64x2, F64x2) {
        let mxy = mx.mul(my);
        let m2 = mx.mul(mx).add(my.mul(my));
        let l = self.clamp1(self.two.mul(mxy).add(self.c1).div(m2.add(self.c1)));
        let s = self.cov::<COV>(ss.sub(m2)).max(self.zero);
        let h = s.mul(self.half);
        let sxy = self.cov::<COV>(xy.sub(mxy)).max(self.zero.sub(h)).min(h);
        let cs = self.clamp1(self.two.mul(sxy).add(self.c2).div(s.add(self.c2)));
        (l, cs)
    }
}

pub fn ssim_row4(m: &Moments4, k: &SsimConsts, map: Option<&mut [f64]>) -> [f64; 3] {
    if k.cov == 1.0 { ssim_row4_cov::<false>(m, k, map) } else { ssim_row4_cov::<true>(m, k, map) }
}

#[inline(always)]
fn ssim_row4_cov<const COV: bool>(m: &Moments4, k: &SsimConsts, map: Option<&mut [f64]>) -> [f64; 3] {
    let len = m.mx.len();
    // Stated once so the loads below need no bounds check each.
    assert!(m.my.len() >= len && m.ss.len() >= len && m.xy.len() >= len);
    let v = Lanes::new(k);
    row_sums(&v, len, map, |j| v.lcs4::<COV>(F64x2::load(m.mx, j), F64x2::load(m.my, j), F64x2::load(m.ss, j), F64x2::load(m.xy, j)),
        |j| scalar::ssim_at4(m, k, j))
}

/// The sums of [`scalar::ssim_row`] two outputs at a time, for any (l, cs)
/// pair `at(j)` (five or four moments), the odd tail from `tail(j)`.
#[inline(always)]
fn row_sums(v: &Lanes, len: usize, mut map: Option<&mut [f64]>, at: impl Fn(usize) -> (F64x2, F64x2),
    tail: impl Fn(usize) -> (f64, f64)) -> [f64; 3] {
    let (mut s_acc, mut cs_acc, mut l_acc) = (v.zero, v.zero, v.zero);
    let mut j = 0;
    while j + 2 <= len {
        let (l, cs) = at(j);
        let s = l.mul(cs);
        if let Some(map) = map.as_deref_mut() {
            s.store(map, j);
        }
        s_acc = s_acc.add(s);
        cs_acc = cs_acc.add(cs);
        l_acc = l_acc.add(l);
        j += 2;
    }
    let join = |v: F64x2| {
        let [a, b] = v.lanes();
        a + b
    };
    let mut acc = [join(s_acc), join(cs_acc), join(l_acc)];
    if j < len {
        let (l, cs) = tail(j);
        let s = l * cs;
        if let Some(map) = map {
            map[j] = s;
        }
        acc[0] += s;
        acc[1] += cs;
        acc[2] += l;
    }
    acc
}

pub fn ssim_row(m: &Moments5, k: &SsimConsts, map: Option<&mut [f64]>) -> [f64; 3] {
    if k.cov == 1.0 { ssim_row_cov::<false>(m, k, map) } else { ssim_row_cov::<true>(m, k, map) }
}

#[inline(always)]
fn ssim_row_cov<const COV: bool>(m: &Moments5, k: &SsimConsts, map: Option<&mut [f64]>) -> [f64; 3] {
    let len = m.mx.len();
    // Stated once so the loads below need no bounds check each.
    assert!(m.my.len() >= len && m.xx.len() >= len && m.yy.len() >= len && m.xy.len() >= len);
    let v = Lanes::new(k);
    row_sums(&v, len, map,
        |j| v.lcs::<COV>(F64x2::load(m.mx, j), F64x2::load(m.my, j), F64x2::load(m.xx, j), F64x2::load(m.yy, j), F64x2::load(m.xy, j)),
        |j| scalar::ssim_at(m, k, j))
}

pub fn vbox_init_prefix(rows: &[&[f64]], a: usize, b: usize, sum: &mut [f64]) {
    let len = sum.len();
    assert!(rows.iter().all(|r| r.len() >= len + b.max(a)));
    let mut j = 0;
    while j + 2 <= len {
        let span = |r: &[f64]| F64x2::load(r, j + b).sub(F64x2::load(r, j + a));
        let mut s = span(rows[0]);
        for r in &rows[1..] {
            s = s.add(span(r));
        }
        s.store(sum, j);
        j += 2;
    }
    if j < len {
        let tail: Vec<&[f64]> = rows.iter().map(|r| &r[j..]).collect();
        scalar::vbox_init_prefix(&tail, a, b, &mut sum[j..]);
    }
}

pub fn vbox_slide_prefix(sum: &mut [f64], enter: &[f64], leave: &[f64], a: usize, b: usize, scale: f64, dst: &mut [f64]) {
    let len = sum.len();
    assert!(enter.len() >= len + a.max(b) && leave.len() >= len + a.max(b) && dst.len() >= len);
    let k = F64x2::splat(scale);
    let mut j = 0;
    while j + 2 <= len {
        let e = F64x2::load(enter, j + b).sub(F64x2::load(enter, j + a));
        let l = F64x2::load(leave, j + b).sub(F64x2::load(leave, j + a));
        let s = F64x2::load(sum, j).add(e).sub(l);
        s.store(sum, j);
        s.mul(k).store(dst, j);
        j += 2;
    }
    if j < len {
        scalar::vbox_slide_prefix(&mut sum[j..], &enter[j..], &leave[j..], a, b, scale, &mut dst[j..]);
    }
}

pub fn grads_row(m: &Moments5, k: &SsimConsts, chain: Chain, scale: f64, gm: &mut [f64], gyy: &mut [f64], gxy: &mut [f64]) -> [f64; 3] {
    let len = m.mx.len();
    assert!(m.my.len() >= len && m.xx.len() >= len && m.yy.len() >= len && m.xy.len() >= len);
    assert!(gm.len() >= len && gyy.len() >= len && gxy.len() >= len);
    let v = Lanes::new(k);
    let (two, c1, c2, cov, zero, one) = (v.two, v.c1, v.c2, v.cov, v.zero, v.one);
    let sc = F64x2::splat(scale);
    // The sums as row_sums adds them: l and cs are lcs's, operation for operation.
    let (mut s_acc, mut cs_acc, mut l_acc) = (zero, zero, zero);
    let mut j = 0;
    while j + 2 <= len {
        // scalar::partials_at, operation for operation.
        let (mx, my) = (F64x2::load(m.mx, j), F64x2::load(m.my, j));
        let mxy = mx.mul(my);
        let (mxx, myy) = (mx.mul(mx), my.mul(my));
        let b1 = mxx.add(myy).add(c1);
        let l_raw = two.mul(mxy).add(c1).div(b1);
        let l = v.clamp1(l_raw);
        let sxx = F64x2::load(m.xx, j).sub(mxx).mul(cov).max(zero);
        let syy_raw = F64x2::load(m.yy, j).sub(myy).mul(cov);
        let syy = syy_raw.max(zero);
        let (sxy, _) = v.cauchy_schwarz(F64x2::load(m.xy, j).sub(mxy).mul(cov), sxx.mul(syy));
        let b2 = sxx.add(syy).add(c2);
        let cs_raw = two.mul(sxy).add(c2).div(b2);
        let cs = v.clamp1(cs_raw);
        let q = cov.div(b2);
        // The derivative of the smooth formula (see scalar::partials_at).
            let dl_dmu = two.mul(mx.sub(my.mul(l))).div(b1);
        let dcs_dmu = two.mul(q).mul(my.mul(cs).sub(mx));
        let dcs_dyy = zero.sub(q.mul(cs));
        let dcs_dxy = two.mul(q);
        let (f_l, f_cs) = match chain {
            Chain::Ssim => (cs, l),
            Chain::Cs => (zero, one),
            Chain::Sum => (one, one),
        };
        f_l.mul(dl_dmu).add(f_cs.mul(dcs_dmu)).mul(sc).store(gm, j);
        f_cs.mul(dcs_dyy).mul(sc).store(gyy, j);
        f_cs.mul(dcs_dxy).mul(sc).store(gxy, j);
        s_acc = s_acc.add(l.mul(cs));
        cs_acc = cs_acc.add(cs);
        l_acc = l_acc.add(l);
        j += 2;
    }
    let join = |v: F64x2| {
        let [a, b] = v.lanes();
        a + b
    };
    let mut acc = [join(s_acc), join(cs_acc), join(l_acc)];
    if j < len {
        (gm[j], gyy[j], gxy[j]) = scalar::grads_at(m, k, chain, scale, j);
        let (l, cs) = scalar::ssim_at(m, k, j);
        acc[0] += l * cs;
        acc[1] += cs;
        acc[2] += l;
    }
    acc
}

pub fn slide_score(sums: [&mut [f64]; 5], enter: [&[f64]; 5], leave: [&[f64]; 5], a: usize, b: usize, scale: f64, k: &SsimConsts) -> [f64; 3] {
    if k.cov == 1.0 { slide_score_cov::<false>(sums, enter, leave, a, b, scale, k) } else { slide_score_cov::<true>(sums, enter, leave, a, b, scale, k) }
}

#[inline(always)]
fn slide_score_cov<const COV: bool>(sums: [&mut [f64]; 5], enter: [&[f64]; 5], leave: [&[f64]; 5], a: usize, b: usize, scale: f64, k: &SsimConsts) -> [f64; 3] {
    let len = sums[0].len();
    assert!(sums.iter().all(|s| s.len() == len));
    assert!(enter.iter().chain(leave.iter()).all(|r| r.len() >= len + a.max(b)));
    let v = Lanes::new(k);
    let (zero, sc) = (v.zero, F64x2::splat(scale));
    let (mut s_acc, mut cs_acc, mut l_acc) = (zero, zero, zero);
    let [s0, s1, s2, s3, s4] = sums;
    let mut sums = [s0, s1, s2, s3, s4];
    let mut j = 0;
    while j + 2 <= len {
        let mut e = [zero; 5];
        for (s, sum) in sums.iter_mut().enumerate() {
            // SAFETY: j + 2 <= len and every enter/leave row holds at least
            // len + max(a, b) samples (asserted above).
            let (en, lv) = unsafe {
                let (e, l) = (enter[s].as_ptr(), leave[s].as_ptr());
                (
                    F64x2::load_ptr(e.add(j + b)).sub(F64x2::load_ptr(e.add(j + a))),
                    F64x2::load_ptr(l.add(j + b)).sub(F64x2::load_ptr(l.add(j + a))),
                )
            };
            let t = F64x2::load(sum, j).add(en).sub(lv);
            t.store(sum, j);
            e[s] = t.mul(sc);
        }
        let [mx, my, xx, yy, xy] = e;
        let (l, cs) = v.lcs::<COV>(mx, my, xx, yy, xy);
        s_acc = s_acc.add(l.mul(cs));
        cs_acc = cs_acc.add(cs);
        l_acc = l_acc.add(l);
        j += 2;
    }
    let join = |v: F64x2| {
        let [a, b] = v.lanes();
        a + b
    };
    let mut acc = [join(s_acc), join(cs_acc), join(l_acc)];
    if j < len {
        let mut e = [0.0; 5];
        for (s, sum) in sums.iter_mut().enumerate() {
            let mut out = [0.0];
            scalar::vbox_slide_prefix(&mut sum[j..j + 1], &enter[s][j..], &leave[s][j..], a, b, scale, &mut out);
            e[s] = out[0];
        }
        let m = Moments5 { mx: &e[0..1], my: &e[1..2], xx: &e[2..3], yy: &e[3..4], xy: &e[4..5] };
        let (l, cs) = scalar::ssim_at(&m, k, 0);
        acc[0] += l * cs;
        acc[1] += cs;
        acc[2] += l;
    }
    acc
}

// ---- Backward passes on four moments (SSIM, MS-SSIM, DSSIM losses) ----

/// [`scalar::grads_row4`] two outputs at a time, its sums in one pass with
/// the gradients (l and cs computed once), accumulated as [`row_sums`] does.
pub fn grads_row4(m: &Moments4, k: &SsimConsts, chain: Chain, scale: f64, gm: &mut [f64], gss: &mut [f64], gxy: &mut [f64]) -> [f64; 3] {
    // One instance (v * 1 is v): the threads build's size budget.
    grads_row4_cov::<true>(m, k, chain, scale, gm, gss, gxy)
}

#[inline(always)]
fn grads_row4_cov<const COV: bool>(m: &Moments4, k: &SsimConsts, chain: Chain, scale: f64, gm: &mut [f64], gss: &mut [f64], gxy: &mut [f64]) -> [f64; 3] {
    let len = m.mx.len();
    assert!(m.my.len() >= len && m.ss.len() >= len && m.xy.len() >= len);
    assert!(gm.len() >= len && gss.len() >= len && gxy.len() >= len);
    let v = Lanes::new(k);
    let (two, c1, c2, zero, one, half) = (v.two, v.c1, v.c2, v.zero, v.one, v.half);
    let sc = F64x2::splat(scale);
    // All ones where the chain is SSIM's (f_l = cs, f_cs = l); else the constants.
    let ssim = F64x2::splat(0.0).lt(F64x2::splat(if chain == Chain::Ssim { 1.0 } else { 0.0 }));
    let lf = if chain == Chain::Sum { one } else { zero };
    let (mut s_acc, mut cs_acc, mut l_acc) = (zero, zero, zero);
    let mut j = 0;
    while j + 2 <= len {
        // scalar::partials_at4, operation for operation (its l and cs are lcs4's).
        let (mx, my) = (F64x2::load(m.mx, j), F64x2::load(m.my, j));
        let mxy = mx.mul(my);
        let m2 = mx.mul(mx).add(my.mul(my));
        let b1 = m2.add(c1);
        let l = v.clamp1(two.mul(mxy).add(c1).div(b1));
        let s = v.cov::<COV>(F64x2::load(m.ss, j).sub(m2)).max(zero);
        let h = s.mul(half);
        let sxy = v.cov::<COV>(F64x2::load(m.xy, j).sub(mxy)).max(zero.sub(h)).min(h);
        let b2 = s.add(c2);
        let cs = v.clamp1(two.mul(sxy).add(c2).div(b2));
        let q = v.cov.div(b2);
        let dl_dmu = two.mul(mx.sub(my.mul(l))).div(b1);
        let dcs_dmu = two.mul(q).mul(my.mul(cs).sub(mx));
        let dcs_dss = zero.sub(q.mul(cs));
        let dcs_dxy = two.mul(q);
        // The chain as selects, not a match: one loop body, not three.
        let f_l = F64x2::select(ssim, cs, lf);
        let f_cs = F64x2::select(ssim, l, one);
        f_l.mul(dl_dmu).add(f_cs.mul(dcs_dmu)).mul(sc).store(gm, j);
        f_cs.mul(dcs_dss).mul(sc).store(gss, j);
        f_cs.mul(dcs_dxy).mul(sc).store(gxy, j);
        s_acc = s_acc.add(l.mul(cs));
        cs_acc = cs_acc.add(cs);
        l_acc = l_acc.add(l);
        j += 2;
    }
    let join = |v: F64x2| {
        let [a, b] = v.lanes();
        a + b
    };
    let mut acc = [join(s_acc), join(cs_acc), join(l_acc)];
    if j < len {
        (gm[j], gss[j], gxy[j]) = scalar::grads_at4(m, k, chain, scale, j);
        let (l, cs) = scalar::ssim_at4(m, k, j);
        acc[0] += l * cs;
        acc[1] += cs;
        acc[2] += l;
    }
    acc
}
