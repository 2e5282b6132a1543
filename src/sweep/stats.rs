//! Descriptive statistics of a sweep's columns and the paired-difference interval estimates:
//! percentiles (linear between order statistics), mean, sample standard deviation, Student's t
//! quantiles and a seeded percentile bootstrap.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The summary of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    /// Runs with a value.
    pub n: usize,
    /// Runs without one (e.g. a breach never closed).
    pub missing: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub min: Option<f64>,
    pub p5: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

/// Summarises values (`None` = missing), in the order given.
pub fn column_stats(values: &[Option<f64>]) -> ColumnStats {
    let xs: Vec<f64> = values.iter().flatten().copied().collect();
    let mut sorted = xs.clone();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| percentile(&sorted, p);
    ColumnStats {
        n: xs.len(),
        missing: values.len() - xs.len(),
        mean: mean(&xs),
        sd: sd(&xs),
        min: sorted.first().copied(),
        p5: q(5.0),
        p25: q(25.0),
        p50: q(50.0),
        p75: q(75.0),
        p95: q(95.0),
        max: sorted.last().copied(),
    }
}

pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() { None } else { Some(xs.iter().sum::<f64>() / xs.len() as f64) }
}

/// Sample standard deviation (n − 1); None under two values.
pub fn sd(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    if xs.len() < 2 {
        return None;
    }
    Some((xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64).sqrt())
}

/// The p-th percentile of sorted values, linear between order statistics (numpy's default,
/// Hyndman & Fan type 7): rank `(n − 1)·p/100`.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let w = rank - lo as f64;
    Some(if lo == hi { sorted[lo] } else { sorted[lo] + (sorted[hi] - sorted[lo]) * w })
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (two-sided 95 %): a table up to
/// 30, then the Cornish–Fisher expansion around the normal quantile (error under 1e-4).
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    if df == 0 {
        return f64::INFINITY;
    }
    if df <= 30 {
        return T[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let n = df as f64;
    z + (z.powi(3) + z) / (4.0 * n)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * n.powi(3))
}

/// 95 % interval of the mean by the paired t method: `mean ± t · sd / √n`.
pub fn t_interval(d: &[f64]) -> Option<(f64, f64)> {
    let m = mean(d)?;
    let s = sd(d)?;
    let h = t975(d.len() - 1) * s / (d.len() as f64).sqrt();
    Some((m - h, m + h))
}

/// Resamples of the percentile bootstrap.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// Seed of the bootstrap's ChaCha8 stream (fixed: the same data give the same interval).
pub const BOOTSTRAP_SEED: u64 = 0;

/// 95 % percentile-bootstrap interval of the mean (2.5th and 97.5th percentiles of
/// [`BOOTSTRAP_RESAMPLES`] resample means, seeded with [`BOOTSTRAP_SEED`]).
pub fn bootstrap_interval(d: &[f64]) -> Option<(f64, f64)> {
    if d.len() < 2 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
    let n = d.len();
    let mut means: Vec<f64> =
        (0..BOOTSTRAP_RESAMPLES).map(|_| (0..n).map(|_| d[rng.random_range(0..n)]).sum::<f64>() / n as f64).collect();
    means.sort_by(f64::total_cmp);
    Some((percentile(&means, 2.5)?, percentile(&means, 97.5)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&xs, 50.0), Some(3.0));
        assert_eq!(percentile(&xs, 25.0), Some(2.0));
        assert_eq!(percentile(&xs, 5.0), Some(1.2)); // numpy.percentile([1..5], 5) = 1.2
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn stats_count_missing_values_and_skip_them() {
        let s = column_stats(&[Some(2.0), None, Some(4.0), Some(6.0)]);
        assert_eq!((s.n, s.missing), (3, 1));
        assert_eq!(s.mean, Some(4.0));
        assert_eq!(s.sd, Some(2.0));
        assert_eq!((s.min, s.p50, s.max), (Some(2.0), Some(4.0), Some(6.0)));
    }

    #[test]
    fn t_quantiles_meet_the_normal_one() {
        assert_eq!(t975(1), 12.706);
        assert!((t975(40) - 2.021).abs() < 1e-3, "{}", t975(40));
        assert!((t975(120) - 1.980).abs() < 1e-3, "{}", t975(120));
        assert!((t975(100_000) - 1.960).abs() < 1e-3);
    }

    #[test]
    fn intervals_cover_the_mean_and_shrink_with_n() {
        let d: Vec<f64> = (0..50).map(|i| (i % 7) as f64 - 3.0 + 1.0).collect();
        let m = mean(&d).unwrap();
        let (lo, hi) = t_interval(&d).unwrap();
        assert!(lo < m && m < hi);
        let (blo, bhi) = bootstrap_interval(&d).unwrap();
        assert!(blo < m && m < bhi);
        assert_eq!(bootstrap_interval(&d), bootstrap_interval(&d)); // seeded
        let d4: Vec<f64> = d.iter().cycle().take(200).copied().collect();
        let (lo4, hi4) = t_interval(&d4).unwrap();
        assert!(hi4 - lo4 < hi - lo);
    }
}
