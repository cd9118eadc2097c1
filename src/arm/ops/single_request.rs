//! `deleteSnapshot`, `grantAccess`, `revokeAccess`: one request, followed as a long-running
//! operation.

use super::resource_url;
use crate::arm::lro::{final_response, Caller, Lro, LroKind, LroStep};
use crate::arm::{Action, ClientSettings, Input, Method, Operation, Request};
use crate::error::{Error, ErrorCode, Result};
use crate::resource_id::ResourceId;

/// One request (a DELETE or a POST) followed as a long-running operation: delete, grant and
/// revoke access.
pub struct SingleRequest {
    caller: Caller,
    request: Option<Request>,
    lro: Lro,
    started: bool,
    outcome: Outcome,
}

/// How [`SingleRequest`] reports success.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// `{ "deleted": true|false }`.
    Deleted,
    /// The operation's result body (or `null`).
    Body,
}

impl SingleRequest {
    fn new(settings: ClientSettings, request: Request, outcome: Outcome) -> SingleRequest {
        let kind = if request.method == Method::Delete { LroKind::Delete } else { LroKind::Post };
        SingleRequest {
            lro: Lro::new(kind, request.url.clone()),
            request: Some(request),
            caller: Caller::new(settings),
            started: false,
            outcome,
        }
    }

    /// A POST of the action `action` on `id`.
    pub(super) fn post(settings: ClientSettings, id: &ResourceId, action: &str, body: Option<String>) -> SingleRequest {
        let url = settings.endpoint.url(&format!("{id}/{action}"), &settings.api_version);
        SingleRequest::new(settings, Request::new(Method::Post, url, body), Outcome::Body)
    }

    /// `DELETE` a snapshot. A 204 (it did not exist) gives `deleted: false`.
    pub fn delete_snapshot(settings: ClientSettings, id: &ResourceId) -> SingleRequest {
        let url = resource_url(&settings, id);
        SingleRequest::new(settings, Request::new(Method::Delete, url, None), Outcome::Deleted)
    }

    /// `POST …/beginGetAccess` → `{ accessSAS, securityDataAccessSAS? }`.
    pub fn grant_access(settings: ClientSettings, id: &ResourceId, body: String) -> SingleRequest {
        SingleRequest::post(settings, id, "beginGetAccess", Some(body))
    }

    /// `POST …/endGetAccess`.
    pub fn revoke_access(settings: ClientSettings, id: &ResourceId) -> SingleRequest {
        SingleRequest::post(settings, id, "endGetAccess", None)
    }

    fn finish(&self, body: Option<String>, existed: bool) -> Result<String> {
        match self.outcome {
            Outcome::Deleted => Ok(format!("{{\"deleted\":{existed}}}")),
            Outcome::Body => Ok(body.unwrap_or_else(|| "null".into())),
        }
    }
}

impl Operation for SingleRequest {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        if input == Input::Start {
            let Some(req) = self.request.take() else {
                return Action::Done(Err(Error::new(ErrorCode::InvalidArgument, "internal: started twice")));
            };
            return self.caller.send(req, 0);
        }
        let resp = final_response!(self.caller, input, now_ms);
        let settings = self.caller.settings.clone();
        let step = if !self.started {
            self.started = true;
            if resp.status == 204 {
                return Action::Done(self.finish(None, false));
            }
            self.lro.on_initial(&settings, &resp, now_ms)
        } else {
            self.lro.on_poll(&settings, &resp, now_ms)
        };
        match step {
            LroStep::Poll { url, delay_ms } => self.caller.get(url, delay_ms),
            LroStep::Failed(e) => Action::Done(Err(e)),
            LroStep::Finished(body) => Action::Done(self.finish(body, true)),
        }
    }
}
