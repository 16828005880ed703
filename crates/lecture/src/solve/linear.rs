//! Small dense symmetric positive definite systems `A x = b`, by Cholesky factorisation:
//! the normal equations of Levenberg–Marquardt (one row and column per weight).

use ndarray::{Array1, Array2};

/// Solves `A x = b` for a symmetric positive definite `A` (only its lower triangle is read),
/// by `A = L Lᵀ`; `None` if `A` is not positive definite to working precision (a pivot
/// `≤ 0` or not finite).
///
/// # Complexity
/// **O(n³)** time, **O(n²)** space.
pub(crate) fn solve_spd(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let mut l = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| l[[i, k]] * l[[j, k]]).sum();
            let s = a[[i, j]] - dot;
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[[i, i]] = s.sqrt();
            } else {
                l[[i, j]] = s / l[[j, j]];
            }
        }
    }
    // L y = b, then Lᵀ x = y
    let mut y = Array1::<f64>::zeros(n);
    for i in 0..n {
        let dot: f64 = (0..i).map(|k| l[[i, k]] * y[k]).sum();
        y[i] = (b[i] - dot) / l[[i, i]];
    }
    let mut x = Array1::<f64>::zeros(n);
    for i in (0..n).rev() {
        let dot: f64 = (i + 1..n).map(|k| l[[k, i]] * x[k]).sum();
        x[i] = (y[i] - dot) / l[[i, i]];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn solves_a_spd_system_and_refuses_an_indefinite_one() {
        // A = [[4, 2], [2, 3]], x = (1, -1): b = (2, -1)
        let a = array![[4.0, 2.0], [2.0, 3.0]];
        let x = solve_spd(&a, &array![2.0, -1.0]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] + 1.0).abs() < 1e-15);
        assert!(solve_spd(&array![[1.0, 2.0], [2.0, 1.0]], &array![1.0, 1.0]).is_none());
        assert!(solve_spd(&array![[0.0]], &array![1.0]).is_none());
        assert!(solve_spd(&array![[f64::NAN]], &array![1.0]).is_none());
    }
}
