//! `listSubscriptions`, `listResourceGroups`, `listDisks`, `listSnapshots`: every item of a
//! listing, all pages.

use crate::api_version::{RESOURCE_GROUPS_API_VERSION, SUBSCRIPTIONS_API_VERSION};
use crate::arm::paging::Listing;
use crate::arm::{Action, ClientSettings, Input, Operation};
use crate::error::Result;
use crate::resource_id::ResourceId;

/// Every item of a listing, all pages, as one JSON array.
pub struct ListAll {
    listing: Listing,
    first_url: String,
}

impl ListAll {
    /// Lists from `url` (already on the endpoint).
    fn from_url(settings: ClientSettings, url: String) -> ListAll {
        ListAll { listing: Listing::new(settings), first_url: url }
    }

    /// `GET /subscriptions`.
    pub fn subscriptions(settings: ClientSettings) -> ListAll {
        let url = settings.endpoint.url("/subscriptions", SUBSCRIPTIONS_API_VERSION);
        ListAll::from_url(settings, url)
    }

    /// `GET /subscriptions/{id}/resourcegroups`.
    pub fn resource_groups(settings: ClientSettings, subscription_id: &str) -> Result<ListAll> {
        let scope = ResourceId::subscription(subscription_id).map_err(|e| e.with_field("subscriptionId"))?;
        let url = settings.endpoint.url(&format!("{scope}/resourcegroups"), RESOURCE_GROUPS_API_VERSION);
        Ok(ListAll::from_url(settings, url))
    }

    /// Disks or snapshots (`compute_type` `disks` | `snapshots`) of a subscription or group.
    pub fn compute(settings: ClientSettings, scope_id: &str, compute_type: &str) -> Result<ListAll> {
        let scope = ResourceId::parse_scope(scope_id).map_err(|e| e.with_field("scopeId"))?;
        let url = settings
            .endpoint
            .url(&format!("{scope}/providers/Microsoft.Compute/{compute_type}"), &settings.api_version);
        Ok(ListAll::from_url(settings, url))
    }
}

impl Operation for ListAll {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        if input == Input::Start {
            return self.listing.begin(self.first_url.clone(), None);
        }
        self.listing.on_reply(input, now_ms)
    }
}
