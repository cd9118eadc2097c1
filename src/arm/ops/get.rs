//! `getDisk`, `getSnapshot`: GET one resource.

use super::{resource_body, resource_url};
use crate::arm::lro::{final_response, Caller};
use crate::arm::{Action, ClientSettings, Input, Operation};
use crate::resource_id::ResourceId;

/// GET one resource (a disk, a snapshot).
pub struct GetResource {
    caller: Caller,
    url: String,
    what: &'static str,
}

impl GetResource {
    /// Reads the resource `id`.
    pub fn new(settings: ClientSettings, id: &ResourceId) -> GetResource {
        let url = resource_url(&settings, id);
        let what = if id.is_disk() { "disk" } else { "snapshot" };
        GetResource { caller: Caller::new(settings), url, what }
    }
}

impl Operation for GetResource {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        if input == Input::Start {
            return self.caller.get(self.url.clone(), 0);
        }
        let resp = final_response!(self.caller, input, now_ms);
        Action::Done(resource_body(&resp, self.what, now_ms))
    }
}
