//! Two-lane twins of the hot row kernels in `scalar.rs`: the same operations
//! in the same order per output, two outputs per vector. The filters run two
//! vectors at once so their dependent adds overlap.

use super::lanes::F64x2;
use super::scalar;
use super::{Moments5, SsimConsts};

pub fn hfilter(src: &[f64], half: &[f64], dst: &mut [f64]) {
    let c = half.len() - 1;
    let n = 2 * c + 1;
    let len = dst.len();
    assert!(src.len() + 1 >= len + n);
    let wc = F64x2::splat(half[c]);
    let mut j = 0;
    while j + 4 <= len {
        let mut a = F64x2::load(src, j + c).mul(wc);
        let mut b = F64x2::load(src, j + 2 + c).mul(wc);
        for k in 0..c {
            let w = F64x2::splat(half[k]);
            a = a.add(F64x2::load(src, j + k).add(F64x2::load(src, j + n - 1 - k)).mul(w));
            b = b.add(F64x2::load(src, j + 2 + k).add(F64x2::load(src, j + 2 + n - 1 - k)).mul(w));
        }
        a.store(dst, j);
        b.store(dst, j + 2);
        j += 4;
    }
    while j < len {
        dst[j] = scalar::hfilter_at(src, half, j);
        j += 1;
    }
}

pub fn vfilter(rows: &[&[f64]], half: &[f64], dst: &mut [f64]) {
    let c = half.len() - 1;
    let n = 2 * c + 1;
    let len = dst.len();
    assert!(rows.len() == n && rows.iter().all(|r| r.len() >= len));
    let wc = F64x2::splat(half[c]);
    let mut j = 0;
    while j + 4 <= len {
        let mut a = F64x2::load(rows[c], j).mul(wc);
        let mut b = F64x2::load(rows[c], j + 2).mul(wc);
        for k in 0..c {
            let w = F64x2::splat(half[k]);
            let (lo, hi) = (rows[k], rows[n - 1 - k]);
            a = a.add(F64x2::load(lo, j).add(F64x2::load(hi, j)).mul(w));
            b = b.add(F64x2::load(lo, j + 2).add(F64x2::load(hi, j + 2)).mul(w));
        }
        a.store(dst, j);
        b.store(dst, j + 2);
        j += 4;
    }
    while j < len {
        dst[j] = scalar::vfilter_at(rows, half, j);
        j += 1;
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

pub fn ssim_row(m: &Moments5, k: &SsimConsts, mut map: Option<&mut [f64]>) -> [f64; 3] {
    let len = m.mx.len();
    let (two, c1, c2, cov) = (F64x2::splat(2.0), F64x2::splat(k.c1), F64x2::splat(k.c2), F64x2::splat(k.cov));
    let zero = F64x2::splat(0.0);
    let (mut s_acc, mut cs_acc, mut l_acc) = (zero, zero, zero);
    let mut j = 0;
    while j + 2 <= len {
        let (mx, my) = (F64x2::load(m.mx, j), F64x2::load(m.my, j));
        let mxy = mx.mul(my);
        let mxx = mx.mul(mx);
        let myy = my.mul(my);
        let l = two.mul(mxy).add(c1).div(mxx.add(myy).add(c1));
        let sxx = F64x2::load(m.xx, j).sub(mxx).mul(cov);
        let syy = F64x2::load(m.yy, j).sub(myy).mul(cov);
        let sxy = F64x2::load(m.xy, j).sub(mxy).mul(cov);
        let cs = two.mul(sxy).add(c2).div(sxx.add(syy).add(c2));
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
        let (l, cs) = scalar::ssim_at(m, k, j);
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
