//! `listIncrementalSnapshots`: a disk's incremental chain, read from every page of a listing.

use super::{resource_body, resource_url, ResourceRef};
use crate::arm::lro::final_response;
use crate::arm::paging::Listing;
use crate::arm::{Action, ClientSettings, Input, Operation};
use crate::error::Error;
use crate::filter::DiskIdentity;

/// Where to look for a disk's snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchScope {
    /// The disk's resource group (what `Get-AzSnapshot -ResourceGroupName` does).
    #[default]
    ResourceGroup,
    /// The whole subscription (snapshots kept in other groups, cross-region copies).
    Subscription,
}

/// `listIncrementalSnapshots`: the disk's chain over every page of the scope, oldest first.
pub struct ListIncremental {
    /// Reads the disk (when given by id), then the pages.
    listing: Listing,
    disk: ResourceRef,
    scope: SearchScope,
}

impl ListIncremental {
    /// The chain of `disk` in `scope`.
    pub fn new(settings: ClientSettings, disk: ResourceRef, scope: SearchScope) -> ListIncremental {
        ListIncremental { listing: Listing::new(settings), disk, scope }
    }

    fn begin_listing(&mut self, disk_json: &str) -> Action<String> {
        let identity = match DiskIdentity::from_disk_json(disk_json) {
            Ok(d) => d,
            Err(e) => return Action::Done(Err(e)),
        };
        let id = &identity.resource;
        let scope = match self.scope {
            SearchScope::Subscription => Some(id.subscription_scope()),
            SearchScope::ResourceGroup => id.resource_group_scope(),
        };
        let Some(scope) = scope else {
            return Action::Done(Err(Error::invalid_argument("disk.id", "the disk id has no resource group")));
        };
        let settings = &self.listing.caller.settings;
        let url =
            settings.endpoint.url(&format!("{scope}/providers/Microsoft.Compute/snapshots"), &settings.api_version);
        self.listing.begin(url, Some(identity))
    }
}

impl Operation for ListIncremental {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        if input == Input::Start {
            return match &self.disk {
                ResourceRef::Id(id) => {
                    let url = resource_url(&self.listing.caller.settings, id);
                    self.listing.caller.get(url, 0)
                }
                ResourceRef::Object(text) => {
                    let text = text.clone();
                    self.begin_listing(&text)
                }
            };
        }
        if self.listing.is_paging() {
            return self.listing.on_reply(input, now_ms);
        }
        // The disk read.
        let resp = final_response!(self.listing.caller, input, now_ms);
        match resource_body(&resp, "disk", now_ms) {
            Ok(text) => self.begin_listing(&text),
            Err(e) => Action::Done(Err(e)),
        }
    }
}
