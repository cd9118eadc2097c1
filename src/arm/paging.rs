//! Paging: follow `nextLink` until the end, losing and repeating nothing.
//!
//! Each page's items are kept as their verbatim JSON text. Items are de-duplicated by id (ARM
//! ids, ignoring case), a `nextLink` seen before is a loop (an error, not an endless walk), a
//! `nextLink` on another origin is refused, and the number of pages is bounded. With a
//! [`DiskIdentity`] filter only that disk's chain is kept, page by page, so a listing of
//! thousands of snapshots never holds more than one page plus the matches; such pages are read by
//! the byte scanner ([`crate::scan`]), which parses only the items that name the disk's uniqueId,
//! and ordered by its chain order (the same as `filterIncrementalSnapshots`).
//!
//! [`Listing`] is what every listing operation runs: the GETs of the pages and their [`Pager`].

use super::errors;
use super::lro::{final_response, Caller};
use super::{Action, ClientSettings, Input, Response};
use crate::error::{Error, ErrorCode, Result};
use crate::filter::DiskIdentity;
use crate::resource_id::id_key;
use crate::time::Instant;
use std::collections::HashSet;

/// One kept item and the keys of its chain order ([`crate::scan::chain_order_of`]).
#[derive(Debug, Clone)]
struct Kept {
    created_at: Option<Instant>,
    name: Option<String>,
    id: Option<String>,
    raw: String,
}

impl Kept {
    fn order_keys(&self) -> (Option<Instant>, Option<&str>, Option<&str>) {
        (self.created_at, self.name.as_deref(), self.id.as_deref())
    }
}

/// Walks the pages of one listing.
#[derive(Debug, Clone)]
pub struct Pager {
    filter: Option<DiskIdentity>,
    seen_ids: HashSet<String>,
    seen_links: HashSet<String>,
    kept: Vec<Kept>,
    pages: u32,
}

impl Pager {
    /// A pager keeping everything, or only `filter`'s incremental chain.
    pub fn new(filter: Option<DiskIdentity>) -> Pager {
        Pager { filter, seen_ids: HashSet::new(), seen_links: HashSet::new(), kept: Vec::new(), pages: 0 }
    }

    /// Takes one page reply; returns the next page's URL, or `None` at the end.
    pub fn on_page(&mut self, settings: &ClientSettings, resp: &Response, now_ms: i64) -> Result<Option<String>> {
        if resp.status != 200 {
            return Err(errors::from_response(resp, now_ms));
        }
        self.pages += 1;
        if let Some(disk) = &self.filter {
            // A disk's chain: the byte scanner validates the page and reads only the items
            // that name the disk's uniqueId.
            let listing = crate::scan::scan_listing_str(&resp.body, &disk.unique_id)
                .map_err(|e| errors::invalid_response(resp, "list page", e.message))?;
            if !listing.is_page_object {
                return Err(errors::invalid_response(resp, "list page", "it has no \"value\" array"));
            }
            for s in listing.candidates.iter().filter(|s| s.belongs_to(disk)) {
                if let Some(id) = s.id.as_deref() {
                    if !self.seen_ids.insert(id_key(id)) {
                        continue;
                    }
                }
                self.kept.push(Kept {
                    created_at: s.created_at,
                    name: s.name.as_deref().map(str::to_string),
                    id: s.id.as_deref().map(str::to_string),
                    raw: s.raw.to_string(),
                });
            }
            return self.next(settings, resp, listing.next_link);
        }
        let page = crate::read::parse(&resp.body).map_err(|e| errors::invalid_response(resp, "list page", e))?;
        let top = crate::read::obj(Some(&page), "the list page")
            .and_then(|t| t.ok_or_else(|| "expected an object".to_string()))
            .map_err(|e| errors::invalid_response(resp, "list page", e))?;
        let next_link = crate::read::str_at(Some(top), "nextLink", "")
            .map_err(|e| errors::invalid_response(resp, "list page", e))?
            .map(str::to_string);
        let items = match crate::read::field(Some(top), "value") {
            None => return Err(errors::invalid_response(resp, "list page", "it has no \"value\" array")),
            Some(_) => crate::scan::raw_member(&resp.body, "value")
                .and_then(crate::read::raw_items)
                .ok_or_else(|| errors::invalid_response(resp, "list page", "value must be an array"))?,
        };
        for (i, (raw, item)) in
            items.into_iter().zip(top.get("value").and_then(|v| v.as_array()).into_iter().flatten()).enumerate()
        {
            let item = crate::read::obj(Some(item), "")
                .and_then(|m| m.ok_or_else(|| "expected an object".to_string()))
                .map_err(|e| errors::invalid_response(resp, "list item", format!("item {i}: {e}")))?;
            let id = crate::read::str_at(Some(item), "id", "")
                .map_err(|e| errors::invalid_response(resp, "list item", format!("item {i}: {e}")))?
                .map(id_key);
            if let Some(id) = id {
                if !self.seen_ids.insert(id) {
                    continue;
                }
            }
            self.kept.push(Kept { created_at: None, name: None, id: None, raw: raw.to_string() });
        }
        self.next(settings, resp, next_link)
    }

    /// The next page's URL after checking it (same origin, never seen, within the page bound).
    fn next(
        &mut self,
        settings: &ClientSettings,
        resp: &Response,
        next_link: Option<String>,
    ) -> Result<Option<String>> {
        let Some(next) = next_link.filter(|l| !l.is_empty()) else {
            return Ok(None);
        };
        settings.endpoint.trust(&next, "nextLink")?;
        if !self.seen_links.insert(next.clone()) {
            return Err(errors::invalid_response(resp, "list page", "its nextLink points back to a page already read"));
        }
        if self.pages >= settings.max_pages {
            return Err(Error::new(
                ErrorCode::Timeout,
                format!("the listing has more than {} pages", settings.max_pages),
            ));
        }
        Ok(Some(next))
    }

    /// The kept items as one JSON array (a filtered chain sorted oldest first).
    fn into_json_array(mut self) -> String {
        if self.filter.is_some() {
            crate::sort::stable_sort_by(&mut self.kept, |a, b| {
                crate::scan::chain_order_of(a.order_keys(), b.order_keys())
            });
        }
        let len: usize = self.kept.iter().map(|k| k.raw.len() + 1).sum();
        let mut out = String::with_capacity(len + 2);
        out.push('[');
        for (i, k) in self.kept.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&k.raw);
        }
        out.push(']');
        out
    }
}

/// A listing in flight: the caller that GETs its pages and the pager that reads them.
pub(super) struct Listing {
    /// Sends the page GETs (and whatever an operation reads before its listing begins).
    pub(super) caller: Caller,
    /// The pages' reader, from [`Listing::begin`] to the last page.
    pager: Option<Pager>,
}

impl Listing {
    /// A listing not begun yet.
    pub(super) fn new(settings: ClientSettings) -> Listing {
        Listing { caller: Caller::new(settings), pager: None }
    }

    /// GETs the first page at `url`, to keep everything or only `filter`'s chain.
    pub(super) fn begin(&mut self, url: String, filter: Option<DiskIdentity>) -> Action<String> {
        self.pager = Some(Pager::new(filter));
        self.caller.get(url, 0)
    }

    /// Whether the pages are being read (begun and not finished).
    pub(super) fn is_paging(&self) -> bool {
        self.pager.is_some()
    }

    /// Takes the reply to a page's GET: the next page's GET, or at the end every kept item as one
    /// JSON array.
    pub(super) fn on_reply(&mut self, input: Input, now_ms: i64) -> Action<String> {
        let resp = final_response!(self.caller, input, now_ms);
        let Some(pager) = self.pager.as_mut() else {
            return Action::Done(Err(Error::new(ErrorCode::InvalidArgument, "internal: listing already finished")));
        };
        match pager.on_page(&self.caller.settings, &resp, now_ms) {
            Err(e) => Action::Done(Err(e)),
            Ok(Some(next)) => self.caller.get(next, 0),
            Ok(None) => Action::Done(Ok(self.pager.take().map(Pager::into_json_array).unwrap_or_default())),
        }
    }
}
