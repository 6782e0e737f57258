//! The portable reference of every row kernel: one output at a time, in the
//! operation order the SIMD twins in `simd.rs` follow lane by lane.

use super::{Chain, Moments4, Moments5, SsimConsts};

/// Symmetric filter at output `j`: `half` holds taps 0..=c of a window of
/// n = 2c + 1 taps (tap k equals tap n-1-k). Centre first, then the folded
/// pairs from the outside in.
#[inline(always)]
pub fn hfilter_at(src: &[f64], half: &[f64], j: usize) -> f64 {
    let c = half.len() - 1;
    let n = 2 * c + 1;
    let mut acc = src[j + c] * half[c];
    for k in 0..c {
        acc = acc + (src[j + k] + src[j + n - 1 - k]) * half[k];
    }
    acc
}

pub fn hfilter(src: &[f64], half: &[f64], dst: &mut [f64]) {
    for j in 0..dst.len() {
        dst[j] = hfilter_at(src, half, j);
    }
}

/// The same filter down a column: `rows` are the window's n rows in order.
#[inline(always)]
pub fn vfilter_at(rows: &[&[f64]], half: &[f64], j: usize) -> f64 {
    let c = half.len() - 1;
    let n = 2 * c + 1;
    let mut acc = rows[c][j] * half[c];
    for k in 0..c {
        acc = acc + (rows[k][j] + rows[n - 1 - k][j]) * half[k];
    }
    acc
}

pub fn vfilter(rows: &[&[f64]], half: &[f64], dst: &mut [f64]) {
    for j in 0..dst.len() {
        dst[j] = vfilter_at(rows, half, j);
    }
}

/// Box sums of `n` consecutive samples by a running sum: two operations an
/// output whatever n is. Sequential by nature, so it has no SIMD twin.
pub fn hbox(src: &[f64], n: usize, dst: &mut [f64]) {
    let mut s = 0.0f64;
    for &v in &src[..n] {
        s += v;
    }
    dst[0] = s;
    for j in 1..dst.len() {
        s = (s + src[j + n - 1]) - src[j - 1];
        dst[j] = s;
    }
}

/// [`hbox`] on five signals at once: the five running sums are independent
/// chains, so they overlap instead of each waiting on its own adds.
pub fn hbox5(src: [&[f64]; 5], n: usize, dst: [&mut [f64]; 5]) {
    let len = dst[0].len();
    let mut s = [0.0f64; 5];
    for k in 0..5 {
        for &v in &src[k][..n] {
            s[k] += v;
        }
    }
    let [d0, d1, d2, d3, d4] = dst;
    let [s0, s1, s2, s3, s4] = src;
    let (d0, d1, d2, d3, d4) = (&mut d0[..len], &mut d1[..len], &mut d2[..len], &mut d3[..len], &mut d4[..len]);
    d0[0] = s[0];
    d1[0] = s[1];
    d2[0] = s[2];
    d3[0] = s[3];
    d4[0] = s[4];
    for j in 1..len {
        let (e, l) = (j + n - 1, j - 1);
        s[0] = (s[0] + s0[e]) - s0[l];
        s[1] = (s[1] + s1[e]) - s1[l];
        s[2] = (s[2] + s2[e]) - s2[l];
        s[3] = (s[3] + s3[e]) - s3[l];
        s[4] = (s[4] + s4[e]) - s4[l];
        d0[j] = s[0];
        d1[j] = s[1];
        d2[j] = s[2];
        d3[j] = s[3];
        d4[j] = s[4];
    }
}

/// [`hbox`] on K signals at once, as [`hbox5`]: independent chains overlap.
pub fn hbox_k<const K: usize>(src: [&[f64]; K], n: usize, dst: [&mut [f64]; K]) {
    let len = dst[0].len();
    assert!(src.iter().all(|s| s.len() + 1 >= len + n) && dst.iter().all(|d| d.len() == len));
    let mut s = [0.0f64; K];
    for k in 0..K {
        for &v in &src[k][..n] {
            s[k] += v;
        }
    }
    for k in 0..K {
        dst[k][0] = s[k];
    }
    for j in 1..len {
        let (e, l) = (j + n - 1, j - 1);
        for k in 0..K {
            s[k] = (s[k] + src[k][e]) - src[k][l];
            dst[k][j] = s[k];
        }
    }
}

/// Column sums of the window's rows, in row order.
pub fn vbox_init(rows: &[&[f64]], sum: &mut [f64]) {
    for j in 0..sum.len() {
        let mut s = rows[0][j];
        for r in &rows[1..] {
            s += r[j];
        }
        sum[j] = s;
    }
}

/// Slides column sums down one row: the entering row added, the leaving one
/// taken away; `dst` receives the sums times `scale` (1 / n^2).
pub fn vbox_slide(sum: &mut [f64], enter: &[f64], leave: &[f64], scale: f64, dst: &mut [f64]) {
    for j in 0..sum.len() {
        sum[j] = (sum[j] + enter[j]) - leave[j];
        dst[j] = sum[j] * scale;
    }
}

pub fn scale(src: &[f64], k: f64, dst: &mut [f64]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = s * k;
    }
}

/// `a > b ? a : b`: the definition of every `max` here, the twin's lanes
/// included (SSE2 maxpd, SIMD128 pmax), so signed zeros agree too.
#[inline(always)]
pub fn fmax(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// `a < b ? a : b` (see [`fmax`]).
#[inline(always)]
pub fn fmin(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// v clamped to [-1, 1].
#[inline(always)]
pub fn clamp1(v: f64) -> f64 {
    fmin(fmax(v, -1.0), 1.0)
}

/// Cauchy-Schwarz: sigma_xy clamped to [-sqrt(p), sqrt(p)], p = sxx syy, and
/// whether the clamp is active (sxy^2 > p). Rounding, and running sums far
/// from the window's magnitude, can break the bound; kept, it would put cs
/// outside [-1, 1].
#[inline(always)]
pub fn cauchy_schwarz(sxy: f64, p: f64) -> (f64, bool) {
    if sxy * sxy > p {
        let r = p.sqrt();
        (fmin(fmax(sxy, 0.0 - r), r), true)
    } else {
        (sxy, false)
    }
}

/// The robust window statistics every kernel shares, in the operation
/// order of the vector twins: l clamped to [-1, 1], the variances clamped at
/// 0, sigma_xy by Cauchy-Schwarz, cs clamped to [-1, 1]. Within [-1, 1]
/// whatever the moments (a box's running sums far from the window's own
/// magnitude can give a negative variance). Symmetric in x and y bit for
/// bit, and with x == y exactly (1, 1).
#[inline(always)]
pub fn lcs(mx: f64, my: f64, xx: f64, yy: f64, xy: f64, k: &SsimConsts) -> (f64, f64) {
    let mxy = mx * my;
    let (mxx, myy) = (mx * mx, my * my);
    let l = clamp1((2.0 * mxy + k.c1) / ((mxx + myy) + k.c1));
    let sxx = fmax((xx - mxx) * k.cov, 0.0);
    let syy = fmax((yy - myy) * k.cov, 0.0);
    let (sxy, _) = cauchy_schwarz((xy - mxy) * k.cov, sxx * syy);
    let cs = clamp1((2.0 * sxy + k.c2) / ((sxx + syy) + k.c2));
    (l, cs)
}

/// (l, cs) at output j (see [`lcs`]).
#[inline(always)]
pub fn ssim_at(m: &Moments5, k: &SsimConsts, j: usize) -> (f64, f64) {
    lcs(m.mx[j], m.my[j], m.xx[j], m.yy[j], m.xy[j], k)
}

/// Sums over the row of [l * cs, cs, l]; the map (l * cs) on request.
/// Even and odd outputs are summed apart and joined, then the odd tail
/// added: the order of the two-lane twin.
pub fn ssim_row(m: &Moments5, k: &SsimConsts, map: Option<&mut [f64]>) -> [f64; 3] {
    row_sums(m.mx.len(), map, |j| ssim_at(m, k, j))
}

/// The sums of [`ssim_row`] for any (l, cs) at output j: five or four moments.
#[inline(always)]
fn row_sums(len: usize, mut map: Option<&mut [f64]>, at: impl Fn(usize) -> (f64, f64)) -> [f64; 3] {
    let pairs = len / 2 * 2;
    let mut acc = [[0.0f64; 3]; 2];
    for j in 0..len {
        let (l, cs) = at(j);
        let s = l * cs;
        if let Some(map) = map.as_deref_mut() {
            map[j] = s;
        }
        if j < pairs {
            let a = &mut acc[j % 2];
            a[0] += s;
            a[1] += cs;
            a[2] += l;
        } else {
            for t in 0..3 {
                acc[0][t] += [s, cs, l][t];
            }
        }
        if j + 1 == pairs {
            for t in 0..3 {
                acc[0][t] += acc[1][t];
            }
        }
    }
    acc[0]
}

/// [`lcs`] from the four moments (`ss` = E[x^2 + y^2]): the variances'
/// sum s clamped at 0, and sigma_xy to [-s/2, s/2] (Cauchy-Schwarz then
/// AM-GM, |sigma_xy| <= sigma_x sigma_y <= s/2: the bound the sum alone
/// gives, and all cs needs to stay in [-1, 1]). Symmetric in x and y, and
/// with x == y exactly (1, 1): E[2 x^2] is 2 E[x^2] exactly, so
/// sigma_xy = s/2, or a rounding-negative variance clamps to 0.
#[inline(always)]
pub fn lcs4(mx: f64, my: f64, ss: f64, xy: f64, k: &SsimConsts) -> (f64, f64) {
    let mxy = mx * my;
    let m2 = mx * mx + my * my;
    let l = clamp1((2.0 * mxy + k.c1) / (m2 + k.c1));
    let s = fmax((ss - m2) * k.cov, 0.0);
    let h = s * 0.5;
    let sxy = fmin(fmax((xy - mxy) * k.cov, 0.0 - h), h);
    let cs = clamp1((2.0 * sxy + k.c2) / (s + k.c2));
    (l, cs)
}

/// (l, cs) at output j (see [`lcs4`]).
#[inline(always)]
pub fn ssim_at4(m: &Moments4, k: &SsimConsts, j: usize) -> (f64, f64) {
    lcs4(m.mx[j], m.my[j], m.ss[j], m.xy[j], k)
}

/// [`ssim_row`] from four moments: the same sums in the same order.
pub fn ssim_row4(m: &Moments4, k: &SsimConsts, map: Option<&mut [f64]>) -> [f64; 3] {
    row_sums(m.mx.len(), map, |j| ssim_at4(m, k, j))
}

/// Prefix sums of five signals at once (independent chains overlap):
/// `dst[k][0] = 0`, `dst[k][t + 1] = dst[k][t] + src[k][t]`.
pub fn prefix5(src: [&[f64]; 5], dst: [&mut [f64]; 5]) {
    let len = src[0].len();
    let [s0, s1, s2, s3, s4] = src;
    let [d0, d1, d2, d3, d4] = dst;
    let (s0, s1, s2, s3, s4) = (&s0[..len], &s1[..len], &s2[..len], &s3[..len], &s4[..len]);
    let (d0, d1, d2, d3, d4) = (&mut d0[..=len], &mut d1[..=len], &mut d2[..=len], &mut d3[..=len], &mut d4[..=len]);
    let mut a = [0.0f64; 5];
    d0[0] = 0.0;
    d1[0] = 0.0;
    d2[0] = 0.0;
    d3[0] = 0.0;
    d4[0] = 0.0;
    for t in 0..len {
        a[0] += s0[t];
        a[1] += s1[t];
        a[2] += s2[t];
        a[3] += s3[t];
        a[4] += s4[t];
        d0[t + 1] = a[0];
        d1[t + 1] = a[1];
        d2[t + 1] = a[2];
        d3[t + 1] = a[3];
        d4[t + 1] = a[4];
    }
}

/// Box sum at j of a row given by its prefix sums: p[j + b] - p[j + a].
#[inline(always)]
fn span(p: &[f64], a: usize, b: usize, j: usize) -> f64 {
    p[j + b] - p[j + a]
}

/// Column sums of box rows given by prefix rows, in row order.
pub fn vbox_init_prefix(rows: &[&[f64]], a: usize, b: usize, sum: &mut [f64]) {
    for j in 0..sum.len() {
        let mut s = span(rows[0], a, b, j);
        for r in &rows[1..] {
            s += span(r, a, b, j);
        }
        sum[j] = s;
    }
}

/// [`vbox_slide`] with the entering and leaving box rows given by prefix rows.
pub fn vbox_slide_prefix(sum: &mut [f64], enter: &[f64], leave: &[f64], a: usize, b: usize, scale: f64, dst: &mut [f64]) {
    for j in 0..sum.len() {
        sum[j] = (sum[j] + span(enter, a, b, j)) - span(leave, a, b, j);
        dst[j] = sum[j] * scale;
    }
}

/// l, cs and their derivatives with respect to the raw moments of y
/// (mu_y, E[y^2], E[xy]) at output j: what every backward pass chains.
/// l = (2 mx my + C1) / b1, cs = (2 sxy + C2) / b2, with
/// sigma_yy = cov (E[y^2] - my^2) and sigma_xy = cov (E[xy] - mx my), all
/// clamped as in [`lcs`]. Those clamps only guard against rounding (the
/// exact values never leave their bounds), so the derivatives are the
/// smooth formulas' at the guarded values: finite, since b1 >= C1 > 0 and
/// b2 >= C2 > 0.
pub struct Partials {
    pub l: f64,
    pub cs: f64,
    pub dl_dmu: f64,
    pub dcs_dmu: f64,
    pub dcs_dyy: f64,
    pub dcs_dxy: f64,
}

#[inline(always)]
pub fn partials_at(m: &Moments5, k: &SsimConsts, j: usize) -> Partials {
    let (mx, my) = (m.mx[j], m.my[j]);
    let mxy = mx * my;
    let (mxx, myy) = (mx * mx, my * my);
    let b1 = (mxx + myy) + k.c1;
    let l_raw = (2.0 * mxy + k.c1) / b1;
    let l = clamp1(l_raw);
    let sxx = fmax((m.xx[j] - mxx) * k.cov, 0.0);
    let syy_raw = (m.yy[j] - myy) * k.cov;
    let syy = fmax(syy_raw, 0.0);
    let (sxy, _) = cauchy_schwarz((m.xy[j] - mxy) * k.cov, sxx * syy);
    let b2 = (sxx + syy) + k.c2;
    let cs_raw = (2.0 * sxy + k.c2) / b2;
    let cs = clamp1(cs_raw);
    let q = k.cov / b2;
    // The clamps above guard the values against rounding (mathematically l
    // and cs lie in [-1, 1] and |sigma_xy| <= sigma_x sigma_y anyway); the
    // derivative is the smooth formula's, at the guarded values. Masking
    // it where a guard engaged by an ulp moved MS-SSIM gradients 4% off
    // TensorFlow's. Identical windows give exactly 0 from the formulas.
    Partials {
        l,
        cs,
        dl_dmu: 2.0 * (mx - my * l) / b1,
        dcs_dmu: (2.0 * q) * (my * cs - mx),
        // 0 - v, not -v: the vector twin has no negation, and -0 must match.
        dcs_dyy: 0.0 - q * cs,
        dcs_dxy: 2.0 * q,
    }
}

/// d(objective)/d(mu_y, E[y^2], E[xy]) at output j, times `scale`, for the
/// chain rule of `chain`.
#[inline(always)]
pub fn grads_at(m: &Moments5, k: &SsimConsts, chain: Chain, scale: f64, j: usize) -> (f64, f64, f64) {
    let d = partials_at(m, k, j);
    let (f_l, f_cs) = match chain {
        Chain::Ssim => (d.cs, d.l),
        Chain::Cs => (0.0, 1.0),
        Chain::Sum => (1.0, 1.0),
    };
    ((f_l * d.dl_dmu + f_cs * d.dcs_dmu) * scale, (f_cs * d.dcs_dyy) * scale, (f_cs * d.dcs_dxy) * scale)
}

/// The moment gradients of a row, and its SSIM sums exactly as [`ssim_row`]
/// (a backward pass's value is its forward's).
pub fn grads_row(m: &Moments5, k: &SsimConsts, chain: Chain, scale: f64, gm: &mut [f64], gyy: &mut [f64], gxy: &mut [f64]) -> [f64; 3] {
    for j in 0..m.mx.len() {
        (gm[j], gyy[j], gxy[j]) = grads_at(m, k, chain, scale, j);
    }
    ssim_row(m, k, None)
}

/// One running-sum slide of five box signals (as [`vbox_slide_prefix`])
/// and the SSIM sums of the new row (as [`ssim_row`]) in one pass, without
/// writing the row's moments out. The same operations in the same order as
/// those two kernels, so the same bits.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn slide_score(sums: [&mut [f64]; 5], enter: [&[f64]; 5], leave: [&[f64]; 5], a: usize, b: usize, scale: f64, k: &SsimConsts) -> [f64; 3] {
    let len = sums[0].len();
    let [s0, s1, s2, s3, s4] = sums;
    let mut e = [vec![0.0; len], vec![0.0; len], vec![0.0; len], vec![0.0; len], vec![0.0; len]];
    for (s, (sum, out)) in [s0, s1, s2, s3, s4].into_iter().zip(e.iter_mut()).enumerate() {
        vbox_slide_prefix(sum, enter[s], leave[s], a, b, scale, out);
    }
    let m = Moments5 { mx: &e[0], my: &e[1], xx: &e[2], yy: &e[3], xy: &e[4] };
    ssim_row(&m, k, None)
}

// ---- Backward passes on four moments (SSIM, MS-SSIM, DSSIM losses) ----

/// [`partials_at`] from the four moments of [`lcs4`]: s = sigma_x^2 +
/// sigma_y^2 stands where sigma_yy did (d s / d E[x^2 + y^2] = cov, as
/// d sigma_yy / d E[y^2]), so `dcs_dyy` is d cs / d E[x^2 + y^2] and the
/// same three adjoint maps serve. l and cs are [`lcs4`]'s, operation for
/// operation.
#[inline(always)]
pub fn partials_at4(m: &Moments4, k: &SsimConsts, j: usize) -> Partials {
    let (mx, my) = (m.mx[j], m.my[j]);
    let mxy = mx * my;
    let m2 = mx * mx + my * my;
    let b1 = m2 + k.c1;
    let l = clamp1((2.0 * mxy + k.c1) / b1);
    let s = fmax((m.ss[j] - m2) * k.cov, 0.0);
    let h = s * 0.5;
    let sxy = fmin(fmax((m.xy[j] - mxy) * k.cov, 0.0 - h), h);
    let b2 = s + k.c2;
    let cs = clamp1((2.0 * sxy + k.c2) / b2);
    let q = k.cov / b2;
    Partials {
        l,
        cs,
        dl_dmu: 2.0 * (mx - my * l) / b1,
        dcs_dmu: (2.0 * q) * (my * cs - mx),
        dcs_dyy: 0.0 - q * cs,
        dcs_dxy: 2.0 * q,
    }
}

/// [`grads_at`] from four moments: d(objective)/d(mu_y, E[x^2 + y^2], E[xy]).
#[inline(always)]
pub fn grads_at4(m: &Moments4, k: &SsimConsts, chain: Chain, scale: f64, j: usize) -> (f64, f64, f64) {
    let d = partials_at4(m, k, j);
    let (f_l, f_cs) = match chain {
        Chain::Ssim => (d.cs, d.l),
        Chain::Cs => (0.0, 1.0),
        Chain::Sum => (1.0, 1.0),
    };
    ((f_l * d.dl_dmu + f_cs * d.dcs_dmu) * scale, (f_cs * d.dcs_dyy) * scale, (f_cs * d.dcs_dxy) * scale)
}

/// A row's moment gradients (times `scale`) into gm, gss, gxy, and the
/// row's sums of [`ssim_row4`] (the forward's, bit for bit).
pub fn grads_row4(m: &Moments4, k: &SsimConsts, chain: Chain, scale: f64, gm: &mut [f64], gss: &mut [f64], gxy: &mut [f64]) -> [f64; 3] {
    for j in 0..m.mx.len() {
        (gm[j], gss[j], gxy[j]) = grads_at4(m, k, chain, scale, j);
    }
    ssim_row4(m, k, None)
}
