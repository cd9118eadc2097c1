//! One stable sort for the whole crate, compiled once.
//!
//! `slice::sort_by` is generic over the element and the closure, so each call site got its own
//! copy of std's driftsort and quicksort (eleven of them, about 15 KiB of the wasm). Here the
//! work is a merge sort of element *indices* through a `dyn` comparison, which is compiled once;
//! the generic part that each call site instantiates only applies the order found. Stable, as
//! `sort_by` is: equal elements keep their order. O(n log n) comparisons.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably (the same result as `v.sort_by(cmp)`).
pub(crate) fn stable_sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        sorted_indices(items.len(), &mut |i, j| cmp(&items[i], &items[j]))
    };
    // Apply the order: take every element out once, in the sorted order.
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The indices `0..n` in the order of `cmp`, stably (a bottom-up merge sort; not generic).
#[inline(never)]
fn sorted_indices(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut a: Vec<usize> = (0..n).collect();
    let mut b: Vec<usize> = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Take from the right run only when it is strictly less: stability.
                if cmp(a[j], a[i]) == Ordering::Less {
                    b[k] = a[j];
                    j += 1;
                } else {
                    b[k] = a[i];
                    i += 1;
                }
                k += 1;
            }
            b[k..k + (mid - i)].copy_from_slice(&a[i..mid]);
            k += mid - i;
            b[k..k + (end - j)].copy_from_slice(&a[j..end]);
            start = end;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// The same result as std's stable sort, ties included (pairs sorted by their key only).
        #[test]
        fn agrees_with_std_sort_by(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut ours = v.clone();
            stable_sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut theirs = v;
            theirs.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn sorts_large_and_reversed_inputs() {
        let mut v: Vec<u32> = (0..10_000).rev().collect();
        stable_sort_by(&mut v, |a, b| a.cmp(b));
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(v.len(), 10_000);
        let mut one = vec![String::from("x")];
        stable_sort_by(&mut one, |a, b| a.cmp(b));
        assert_eq!(one, ["x"]);
    }
}
