//! Sorted, merged extents of a page blob and their cutting into request-sized chunks.

use super::PAGE;
use serde::Serialize;

/// A run of pages: changed (`cleared: false`, to copy) or cleared (to clear). `end` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Extent {
    /// First byte (a multiple of 512).
    pub start: u64,
    /// Last byte, inclusive (512·k − 1).
    pub end: u64,
    /// Cleared pages (`ClearRange`) rather than pages with data (`PageRange`).
    pub cleared: bool,
}

impl Extent {
    /// Bytes covered.
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    /// Never: an extent covers at least one page.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// 512-aligned start and end + 1, start ≤ end.
    pub fn is_aligned(&self) -> bool {
        self.start % PAGE == 0 && self.end % PAGE == PAGE - 1 && self.start <= self.end
    }
}

/// Extents in offset order, non-overlapping, adjacent ones of a kind merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtentList {
    items: Vec<Extent>,
}

impl ExtentList {
    /// An empty list.
    pub fn new() -> ExtentList {
        ExtentList::default()
    }

    /// Appends `e` (aligned), which must start after the last extent ends; merges it with the
    /// last one when adjacent and of the same kind. `Err` when out of order or overlapping.
    pub fn push(&mut self, e: Extent) -> Result<(), String> {
        if !e.is_aligned() {
            return Err(format!("range {}-{} is not 512-aligned", e.start, e.end));
        }
        if let Some(last) = self.items.last_mut() {
            if e.start <= last.end {
                return Err(format!(
                    "range {}-{} overlaps or precedes range {}-{}",
                    e.start, e.end, last.start, last.end
                ));
            }
            if e.start == last.end + 1 && e.cleared == last.cleared {
                last.end = e.end;
                return Ok(());
            }
        }
        self.items.push(e);
        Ok(())
    }

    /// Number of extents.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// No extent.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The extents.
    pub fn as_slice(&self) -> &[Extent] {
        &self.items
    }

    /// The extents, owned.
    pub fn into_vec(self) -> Vec<Extent> {
        self.items
    }

    /// Bytes covered by changed and by cleared extents.
    pub fn totals(&self) -> (u64, u64) {
        totals(&self.items)
    }
}

/// Bytes covered by changed and by cleared extents.
pub fn totals(extents: &[Extent]) -> (u64, u64) {
    extents.iter().fold((0, 0), |(c, z), e| if e.cleared { (c, z + e.len()) } else { (c + e.len(), z) })
}

/// Checks that `extents` are aligned, ordered, non-overlapping and end before `length`.
pub fn validate(extents: &[Extent], length: u64) -> Result<(), String> {
    let mut list = ExtentList::new();
    for e in extents {
        if e.end >= length {
            return Err(format!("range {}-{} ends past the blob's length {length}", e.start, e.end));
        }
        list.push(*e)?;
    }
    Ok(())
}

/// One request's worth of an extent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// First byte.
    pub start: u64,
    /// Last byte, inclusive.
    pub end: u64,
    /// A clear (Put Page `clear`) rather than a copy (Put Page From URL).
    pub cleared: bool,
}

/// The chunks of a list of extents, numbered 0.. in offset order: changed extents cut into
/// pieces of at most `update_max` bytes, cleared ones of at most `clear_max` (both multiples of
/// 512). Chunk `i` is computed, not stored: a 32 TiB plan is 8 M chunks.
#[derive(Debug, Clone)]
pub struct ChunkPlan {
    extents: Vec<Extent>,
    /// `first[k]` = number of chunks before extent `k`; one more entry holds the total.
    first: Vec<u64>,
    update_max: u64,
    clear_max: u64,
}

impl ChunkPlan {
    /// The plan of `extents` (validated by the caller) with the two chunk sizes (≥ 512,
    /// multiples of 512).
    pub fn new(extents: Vec<Extent>, update_max: u64, clear_max: u64) -> ChunkPlan {
        let mut first = Vec::with_capacity(extents.len() + 1);
        let mut n = 0u64;
        for e in &extents {
            first.push(n);
            let max = if e.cleared { clear_max } else { update_max };
            n += e.len().div_ceil(max);
        }
        first.push(n);
        ChunkPlan { extents, first, update_max, clear_max }
    }

    /// Number of chunks.
    pub fn count(&self) -> u64 {
        self.first.last().copied().unwrap_or(0)
    }

    /// The extents planned.
    pub fn extents(&self) -> &[Extent] {
        &self.extents
    }

    /// Chunk `i` (`None` past the end).
    pub fn get(&self, i: u64) -> Option<Chunk> {
        if i >= self.count() {
            return None;
        }
        // The last extent whose first chunk is ≤ i.
        let k = self.first.partition_point(|f| *f <= i) - 1;
        let e = self.extents[k];
        let max = if e.cleared { self.clear_max } else { self.update_max };
        let start = e.start.saturating_add((i - self.first[k]).saturating_mul(max));
        let end = start.saturating_add(max - 1).min(e.end);
        Some(Chunk { start, end, cleared: e.cleared })
    }
}
