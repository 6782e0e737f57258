//! Sliding windows: their 1-D taps (every window here is separable).

/// A square window applied at every position of the image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Window {
    /// Gaussian of `size` taps with standard deviation `sigma`, normalised to
    /// sum 1 (the same kernel as TensorFlow's `_fspecial_gauss` and scipy's
    /// `gaussian_filter` with an 11-tap support).
    Gaussian { size: usize, sigma: f64 },
    /// Uniform (box) window of `size` taps.
    Box { size: usize },
}

impl Window {
    pub fn size(&self) -> usize {
        match *self {
            Window::Gaussian { size, .. } | Window::Box { size } => size,
        }
    }

    /// Normalised 1-D taps; the 2-D window is their outer product.
    pub fn taps(&self) -> Vec<f64> {
        match *self {
            Window::Box { size } => vec![1.0 / size as f64; size],
            Window::Gaussian { size, sigma } => {
                let centre = (size as f64 - 1.0) / 2.0;
                let raw: Vec<f64> = (0..size)
                    .map(|i| {
                        let d = i as f64 - centre;
                        (-0.5 * d * d / (sigma * sigma)).exp()
                    })
                    .collect();
                let sum: f64 = raw.iter().sum();
                raw.into_iter().map(|v| v / sum).collect()
            }
        }
    }
}

/// Index `i` of an axis of length `len`, reflected half-sample symmetrically
/// (`d c b a | a b c d | d c b a`); valid for -len <= i < 2 len.
#[inline]
pub fn reflect(i: isize, len: usize) -> usize {
    if i < 0 {
        (-i - 1) as usize
    } else if i as usize >= len {
        2 * len - 1 - i as usize
    } else {
        i as usize
    }
}

/// How windows meet the image edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Border {
    /// Only windows wholly inside the image: the map is (h-n+1) x (w-n+1).
    Valid,
    /// Half-sample symmetric reflection (`d c b a | a b c d`, scipy's
    /// `reflect`, numpy's `symmetric`): the map is as large as the image.
    Same,
}

impl Border {
    /// Length of the output along an axis of length `len` for a window of `n`.
    pub fn output_len(self, len: usize, n: usize) -> usize {
        match self {
            Border::Valid => len + 1 - n,
            Border::Same => len,
        }
    }

    /// For each position of the padded axis (output length + n - 1), the
    /// source index it reads. Requires n <= len, so one reflection suffices.
    pub fn source_indices(self, len: usize, n: usize) -> Vec<usize> {
        debug_assert!(n >= 1 && n <= len);
        match self {
            Border::Valid => (0..len).collect(),
            Border::Same => {
                let before = (n - 1) / 2;
                (0..len + n - 1).map(|p| reflect(p as isize - before as isize, len)).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_sum_to_one_and_are_symmetric() {
        for w in [Window::Gaussian { size: 11, sigma: 1.5 }, Window::Box { size: 7 }] {
            let t = w.taps();
            assert!((t.iter().sum::<f64>() - 1.0).abs() < 1e-15);
            for i in 0..t.len() {
                assert_eq!(t[i], t[t.len() - 1 - i]);
            }
        }
    }

    #[test]
    fn reflection_repeats_the_edge_sample() {
        assert_eq!(Border::Same.source_indices(4, 5), vec![1, 0, 0, 1, 2, 3, 3, 2]);
        assert_eq!(Border::Same.source_indices(5, 3), vec![0, 0, 1, 2, 3, 4, 4]);
        assert_eq!(Border::Valid.source_indices(3, 3), vec![0, 1, 2]);
    }
}
