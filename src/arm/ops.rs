//! The client's operations, each a state machine over [`Caller`], [`Lro`] and [`Pager`].
//!
//! Every operation outputs JSON text (a resource, an array, or `null`), which the shell hands to
//! JavaScript as plain objects.

use super::lro::{retry_action, Caller, Lro, LroKind, LroStep, Received};
use super::paging::Pager;
use super::{errors, Action, ClientSettings, Input, Method, Operation, Progress, Request, Response};
use crate::api_version::{RESOURCE_GROUPS_API_VERSION, SUBSCRIPTIONS_API_VERSION};
use crate::config::{build_snapshot_config, SnapshotConfig, SnapshotOptions, SnapshotSource};
use crate::error::{Error, ErrorCode, Result};
use crate::filter::DiskIdentity;
use crate::models::{CreateOption, DiskSkuName};
use crate::resource_id::{ResourceId, SNAPSHOTS};
use serde::Deserialize;
use std::borrow::Cow;

/// Unwraps the caller's verdict on an input, or returns the action to take instead.
macro_rules! final_response {
    ($caller:expr, $input:expr, $now:expr) => {
        match $caller.receive($input, $now) {
            Received::Retry(a) => return retry_action(a),
            Received::Failed(e) => return Action::Done(Err(e)),
            Received::Final(r) => r,
        }
    };
}

fn resource_url(settings: &ClientSettings, id: &ResourceId) -> String {
    settings.endpoint.url(&id.to_string(), &settings.api_version)
}

fn require_json_object(resp: &Response, what: &str) -> Result<String> {
    let v: &serde_json::value::RawValue =
        serde_json::from_str(&resp.body).map_err(|e| errors::invalid_response(resp, what, e))?;
    if !v.get().trim_start().starts_with('{') {
        return Err(errors::invalid_response(resp, what, "it is not a JSON object"));
    }
    Ok(resp.body.clone())
}

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
        if resp.status != 200 {
            return Action::Done(Err(errors::from_response(&resp, now_ms)));
        }
        Action::Done(require_json_object(&resp, self.what))
    }
}

/// Every item of a listing, all pages, as one JSON array.
pub struct ListAll {
    caller: Caller,
    first_url: String,
    pager: Option<Pager>,
}

impl ListAll {
    /// Lists from `url` (already on the endpoint).
    pub fn from_url(settings: ClientSettings, url: String) -> ListAll {
        ListAll { caller: Caller::new(settings), first_url: url, pager: Some(Pager::new(None)) }
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
            return self.caller.get(self.first_url.clone(), 0);
        }
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

/// Where to look for a disk's snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchScope {
    /// The disk's resource group (what `Get-AzSnapshot -ResourceGroupName` does).
    #[default]
    ResourceGroup,
    /// The whole subscription (snapshots kept in other groups, cross-region copies).
    Subscription,
}

/// A disk given as its id (read first) or as the JSON text of the object ARM returned.
pub type DiskRef = SourceRef;

/// `listIncrementalSnapshots`: the disk's chain over every page of the scope, oldest first.
pub struct ListIncremental {
    caller: Caller,
    disk: DiskRef,
    scope: SearchScope,
    pager: Option<Pager>,
}

impl ListIncremental {
    /// The chain of `disk` in `scope`.
    pub fn new(settings: ClientSettings, disk: DiskRef, scope: SearchScope) -> ListIncremental {
        ListIncremental { caller: Caller::new(settings), disk, scope, pager: None }
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
        let settings = &self.caller.settings;
        let url =
            settings.endpoint.url(&format!("{scope}/providers/Microsoft.Compute/snapshots"), &settings.api_version);
        self.pager = Some(Pager::new(Some(identity)));
        self.caller.get(url, 0)
    }
}

impl Operation for ListIncremental {
    type Output = String;
    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        if input == Input::Start {
            return match &self.disk {
                SourceRef::Id(id) => {
                    let url = resource_url(&self.caller.settings, id);
                    self.caller.get(url, 0)
                }
                SourceRef::Object(text) => {
                    let text = text.clone();
                    self.begin_listing(&text)
                }
            };
        }
        let resp = final_response!(self.caller, input, now_ms);
        let Some(pager) = self.pager.as_mut() else {
            // The disk read.
            if resp.status != 200 {
                return Action::Done(Err(errors::from_response(&resp, now_ms)));
            }
            return match require_json_object(&resp, "disk") {
                Ok(text) => self.begin_listing(&text),
                Err(e) => Action::Done(Err(e)),
            };
        };
        match pager.on_page(&self.caller.settings, &resp, now_ms) {
            Err(e) => Action::Done(Err(e)),
            Ok(Some(next)) => self.caller.get(next, 0),
            Ok(None) => Action::Done(Ok(self.pager.take().map(Pager::into_json_array).unwrap_or_default())),
        }
    }
}

/// Options of a create or copy beyond the snapshot config.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// Wait for the operation (and a background copy) to finish.
    pub wait: bool,
}

/// What a create knows once its config is built: the target and how it finishes.
#[derive(Debug, Clone)]
struct Target {
    config: SnapshotConfig,
    /// The snapshot's URL (GET and PUT).
    url: String,
    /// ARM copies in the background (Premium SSD v2, Ultra, CopyStart): wait for 100%.
    background_copy: bool,
}

/// Where a create is; each state carries exactly the data it needs, so no stage can meet a
/// missing field.
#[derive(Debug)]
enum CreateState {
    /// Not started: the source is an id to read, or the object itself.
    Begin(SourceRef),
    /// The source's GET is in flight.
    ReadingSource,
    /// The name check's GET is in flight.
    CheckingName(Target),
    /// The conditional PUT is in flight.
    Submitting(Target, Lro),
    /// Polling the long-running operation.
    Following(Target, Lro),
    /// Reading the snapshot until `completionPercent` is 100 (or just once, for the final body).
    Completing(Target, u32),
    /// Finished (any input now is a protocol error of the shell's).
    Finished,
}

/// `createIncrementalSnapshot` and `copySnapshot`: read the source if needed, build and validate
/// the config, make sure the name is free (an existing snapshot is never overwritten), PUT with
/// `If-None-Match: *`, follow the operation, and for Premium SSD v2 / Ultra sources and CopyStart
/// wait for `completionPercent` 100.
pub struct CreateSnapshot {
    caller: Caller,
    options: SnapshotOptions,
    wait: WaitOptions,
    state: CreateState,
    progress: Option<Progress>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompletionKeys<'a> {
    #[serde(borrow, default)]
    properties: Option<CompletionProps<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompletionProps<'a> {
    #[serde(default)]
    completion_percent: Option<f64>,
    #[serde(borrow, default)]
    copy_completion_error: Option<CopyErrorKeys<'a>>,
    #[serde(borrow, default)]
    provisioning_state: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CopyErrorKeys<'a> {
    #[serde(borrow, default)]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error_message: Option<Cow<'a, str>>,
}

impl CreateSnapshot {
    /// A snapshot of `source` (a disk or snapshot id, or the object ARM returned).
    pub fn new(
        settings: ClientSettings,
        source: SourceRef,
        options: SnapshotOptions,
        wait: WaitOptions,
    ) -> CreateSnapshot {
        CreateSnapshot {
            caller: Caller::new(settings),
            options,
            wait,
            state: CreateState::Begin(source),
            progress: None,
        }
    }

    /// The config once built (target id and name, body).
    pub fn config(&self) -> Option<&SnapshotConfig> {
        match &self.state {
            CreateState::CheckingName(t)
            | CreateState::Submitting(t, _)
            | CreateState::Following(t, _)
            | CreateState::Completing(t, _) => Some(&t.config),
            _ => None,
        }
    }

    fn report(&mut self, phase: &'static str, status: Option<String>, completion_percent: Option<f64>) {
        let id = self.config().map(|c| c.id.clone());
        self.progress = Some(Progress { phase, status, completion_percent, id });
    }

    fn done(&mut self, result: Result<String>) -> Action<String> {
        self.state = CreateState::Finished;
        Action::Done(result)
    }

    /// Builds and validates the config from the source's JSON, then checks the name.
    fn build(&mut self, source: &str, now_ms: i64) -> Action<String> {
        let parsed = match SnapshotSource::from_json_text(source) {
            Ok(p) => p,
            Err(e) => return self.done(Err(e)),
        };
        let mut options = self.options.clone();
        if options.api_version.is_none() {
            options.api_version = Some(self.caller.settings.api_version.clone());
        }
        let config = match build_snapshot_config(&parsed, &options, now_ms) {
            Ok(c) => c,
            Err(e) => return self.done(Err(e)),
        };
        let background_copy = parsed.disk_sku.as_ref().is_some_and(DiskSkuName::has_background_copy)
            || config.body.properties.creation_data.create_option == CreateOption::CopyStart;
        let url = self.caller.settings.endpoint.url(&config.id, &config.api_version);
        self.state = CreateState::CheckingName(Target { config, url: url.clone(), background_copy });
        self.report("checking", None, None);
        self.caller.get(url, 0)
    }

    /// `CONFLICT` on `options.name`: the snapshot name is not free.
    fn name_taken(target: &Target, resp: &Response, what: &str) -> Error {
        let name = &target.config.name;
        let mut e =
            Error::new(ErrorCode::Conflict, format!("a snapshot named {name:?} {what}")).with_field("options.name");
        e.arm = Some(Box::new(crate::error::ArmErrorInfo {
            status: resp.status,
            arm_code: (resp.status == 412).then(|| "PreconditionFailed".to_string()),
            request_id: errors::request_id(resp),
            ..Default::default()
        }));
        e
    }

    fn submit(&mut self, target: Target) -> Action<String> {
        let body = match serde_json::to_string(&target.config.body) {
            Ok(b) => b,
            Err(e) => return self.done(Err(Error::invalid_argument("options", e.to_string()))),
        };
        // A create, never a replace: ARM refuses the PUT (412) when the name was taken between
        // the check and now (a concurrent create).
        let mut put = Request::new(Method::Put, target.url.clone(), Some(body));
        put.headers.push(("If-None-Match", "*"));
        let lro = Lro::new(LroKind::Put, target.url.clone());
        self.state = CreateState::Submitting(target, lro);
        self.report("submitting", None, None);
        self.caller.send(put, 0)
    }

    fn lro_step(&mut self, target: Target, lro: Lro, step: LroStep) -> Action<String> {
        match step {
            LroStep::Poll { url, delay_ms } => {
                let status = lro.last_status.clone();
                self.state = CreateState::Following(target, lro);
                self.report("provisioning", status, None);
                self.caller.get(url, delay_ms)
            }
            LroStep::Failed(e) => self.done(Err(e)),
            LroStep::Finished(None) => {
                let url = target.url.clone();
                self.state = CreateState::Completing(target, 0);
                self.caller.get(url, 0)
            }
            LroStep::Finished(Some(body)) => {
                if !self.wait.wait || !target.background_copy {
                    self.report("done", Some("Succeeded".into()), None);
                    return self.done(Ok(body));
                }
                self.check_completion(target, 0, body, 0)
            }
        }
    }

    fn check_completion(&mut self, target: Target, polls: u32, body: String, delay_if_pending: u64) -> Action<String> {
        let keys: CompletionKeys = match serde_json::from_str(&body) {
            Ok(k) => k,
            Err(e) => {
                return self.done(Err(Error::new(
                    ErrorCode::InvalidResponse,
                    format!("ARM's snapshot could not be read: {e}"),
                )))
            }
        };
        let props = keys.properties;
        if let Some(err) = props.as_ref().and_then(|p| p.copy_completion_error.as_ref()) {
            let code = err.error_code.as_deref().unwrap_or("CopyFailed").to_string();
            let msg = err.error_message.as_deref().unwrap_or("the background copy failed").to_string();
            let mut e = Error::new(ErrorCode::OperationFailed, format!("the snapshot's background copy failed: {msg}"));
            e.arm = Some(Box::new(crate::error::ArmErrorInfo { arm_code: Some(code), ..Default::default() }));
            return self.done(Err(e));
        }
        let percent = props.as_ref().and_then(|p| p.completion_percent);
        let state = props.and_then(|p| p.provisioning_state.map(Cow::into_owned));
        if percent.is_some_and(|p| p >= 100.0) {
            self.report("done", state, percent);
            return self.done(Ok(body));
        }
        let polls = polls + 1;
        if polls > self.caller.settings.max_polls {
            return self.done(Err(Error::new(
                ErrorCode::Timeout,
                "the background copy did not reach 100% within the poll limit",
            )));
        }
        let url = target.url.clone();
        self.state = CreateState::Completing(target, polls);
        self.report("copying", state, Some(percent.unwrap_or(0.0)));
        self.caller.get(url, delay_if_pending)
    }
}

/// The source of a create, copy or listing: an id, or the object ARM returned.
#[derive(Debug, Clone)]
pub enum SourceRef {
    /// A disk or snapshot id: read first.
    Id(ResourceId),
    /// The JSON text of the object ARM returned.
    Object(String),
}

impl SourceRef {
    /// An id string (of a resource of `expected_type`).
    pub fn id(text: &str, field: &str, expected_type: &str) -> Result<SourceRef> {
        ResourceId::parse_of_type(text, expected_type).map(SourceRef::Id).map_err(|e| e.with_field(field))
    }
}

impl Operation for CreateSnapshot {
    type Output = String;

    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        let state = std::mem::replace(&mut self.state, CreateState::Finished);
        if let CreateState::Begin(source) = state {
            if input != Input::Start {
                return self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: input before the start")));
            }
            return match source {
                SourceRef::Object(text) => self.build(&text, now_ms),
                SourceRef::Id(id) => {
                    self.state = CreateState::ReadingSource;
                    self.report("checking", None, None);
                    let url = resource_url(&self.caller.settings, &id);
                    self.caller.get(url, 0)
                }
            };
        }
        // Retries keep the state as it was.
        let resp = match self.caller.receive(input, now_ms) {
            Received::Retry(a) => {
                self.state = state;
                return retry_action(a);
            }
            Received::Failed(e) => return self.done(Err(e)),
            Received::Final(r) => r,
        };
        match state {
            CreateState::Begin(_) | CreateState::Finished => {
                self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: the create already ended")))
            }
            CreateState::ReadingSource => {
                if resp.status != 200 {
                    return self.done(Err(errors::from_response(&resp, now_ms)));
                }
                match require_json_object(&resp, "source") {
                    Ok(text) => self.build(&text, now_ms),
                    Err(e) => self.done(Err(e)),
                }
            }
            CreateState::CheckingName(target) => match resp.status {
                404 => self.submit(target),
                200 => {
                    let e =
                        Self::name_taken(&target, &resp, "already exists; choose another name (it was not changed)");
                    self.done(Err(e))
                }
                _ => self.done(Err(errors::from_response(&resp, now_ms))),
            },
            CreateState::Submitting(target, mut lro) => {
                // 412: the If-None-Match refused it. 200 to a create: the name existed and a
                // server that ignores If-None-Match updated it; either way, not a new snapshot.
                let taken = match resp.status {
                    412 => Some(
                        "was created by someone else at the same moment; choose another name (theirs was not changed)",
                    ),
                    200 => Some(
                        "already existed when the create arrived (ARM answered 200, an update, not 201/202, a create)",
                    ),
                    _ => None,
                };
                if let Some(what) = taken {
                    let e = Self::name_taken(&target, &resp, what);
                    return self.done(Err(e));
                }
                let settings = self.caller.settings.clone();
                if !self.wait.wait {
                    if resp.status >= 300 {
                        return self.done(Err(errors::from_response(&resp, now_ms)));
                    }
                    // Accepted: hand back the resource as the PUT answered it.
                    if let Err(e) = lro_headers_trusted(&settings, &resp) {
                        return self.done(Err(e));
                    }
                    self.state = CreateState::Submitting(target, lro);
                    self.report("submitted", Some("Accepted".into()), None);
                    return self.done(require_json_object(&resp, "snapshot"));
                }
                let step = lro.on_initial(&settings, &resp, now_ms);
                self.lro_step(target, lro, step)
            }
            CreateState::Following(target, mut lro) => {
                let settings = self.caller.settings.clone();
                let step = lro.on_poll(&settings, &resp, now_ms);
                self.lro_step(target, lro, step)
            }
            CreateState::Completing(target, polls) => {
                if resp.status != 200 {
                    return self.done(Err(errors::from_response(&resp, now_ms)));
                }
                if !self.wait.wait || !target.background_copy {
                    return self.done(require_json_object(&resp, "snapshot"));
                }
                let delay = self.caller.settings.completion_poll_ms;
                self.check_completion(target, polls, resp.body, delay)
            }
        }
    }

    fn take_progress(&mut self) -> Option<Progress> {
        self.progress.take()
    }
}

fn lro_headers_trusted(settings: &ClientSettings, resp: &Response) -> Result<()> {
    if let Some(u) = resp.header("azure-asyncoperation") {
        settings.endpoint.trust(u, "Azure-AsyncOperation")?;
    }
    if let Some(u) = resp.header("location") {
        settings.endpoint.trust(u, "Location")?;
    }
    Ok(())
}

/// A single request followed as a long-running operation: delete, grant and revoke access.
pub struct Simple {
    caller: Caller,
    request: Option<Request>,
    lro: Lro,
    started: bool,
    outcome: SimpleOutcome,
}

/// How [`Simple`] reports success.
#[derive(Debug, Clone, Copy)]
enum SimpleOutcome {
    /// `{ "id": …, "deleted": true|false }`.
    Deleted,
    /// The operation's result body (or `null`).
    Body,
}

impl Simple {
    /// `DELETE` a snapshot. A 204 (it did not exist) gives `deleted: false`.
    pub fn delete_snapshot(settings: ClientSettings, id: &ResourceId) -> Simple {
        let url = resource_url(&settings, id);
        Simple {
            lro: Lro::new(LroKind::Delete, url.clone()),
            request: Some(Request::new(Method::Delete, url, None)),
            caller: Caller::new(settings),
            started: false,
            outcome: SimpleOutcome::Deleted,
        }
    }

    /// `POST …/beginGetAccess` → `{ accessSAS, securityDataAccessSAS? }`.
    pub fn grant_access(settings: ClientSettings, id: &ResourceId, body: String) -> Simple {
        let url = settings.endpoint.url(&format!("{id}/beginGetAccess"), &settings.api_version);
        Simple {
            lro: Lro::new(LroKind::Post, url.clone()),
            request: Some(Request::new(Method::Post, url, Some(body))),
            caller: Caller::new(settings),
            started: false,
            outcome: SimpleOutcome::Body,
        }
    }

    /// `POST …/endGetAccess`.
    pub fn revoke_access(settings: ClientSettings, id: &ResourceId) -> Simple {
        let url = settings.endpoint.url(&format!("{id}/endGetAccess"), &settings.api_version);
        Simple {
            lro: Lro::new(LroKind::Post, url.clone()),
            request: Some(Request::new(Method::Post, url, None)),
            caller: Caller::new(settings),
            started: false,
            outcome: SimpleOutcome::Body,
        }
    }

    fn finish(&self, body: Option<String>, existed: bool) -> Result<String> {
        match self.outcome {
            SimpleOutcome::Deleted => Ok(format!("{{\"deleted\":{existed}}}")),
            SimpleOutcome::Body => Ok(body.unwrap_or_else(|| "null".into())),
        }
    }
}

impl Operation for Simple {
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

/// Options of `grantAccess`: `{ durationInSeconds, access?: "Read", fileFormat? }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantAccessOptions {
    /// Seconds the SAS stays valid (1 to 5 days here; ARM's own limit may be lower).
    pub duration_in_seconds: i64,
    /// `Read` (default) or `Write`.
    #[serde(default)]
    pub access: Option<String>,
    /// `VHD` or `VHDX`.
    #[serde(default)]
    pub file_format: Option<String>,
}

impl GrantAccessOptions {
    /// The validated `beginGetAccess` body as JSON text.
    pub fn to_body(&self) -> Result<String> {
        let mut problems = Vec::new();
        if !(1..=432_000).contains(&self.duration_in_seconds) {
            problems.push(crate::error::Violation {
                field: "options.durationInSeconds".into(),
                rule: "grantAccess.duration",
                message: "durationInSeconds must be between 1 and 432000 (5 days)".into(),
            });
        }
        let access = self.access.clone().unwrap_or_else(|| "Read".into());
        if !["Read", "Write"].iter().any(|a| a.eq_ignore_ascii_case(&access)) {
            problems.push(crate::error::Violation {
                field: "options.access".into(),
                rule: "grantAccess.access",
                message: "access must be Read or Write".into(),
            });
        }
        if let Some(f) = &self.file_format {
            if !["VHD", "VHDX"].iter().any(|a| a.eq_ignore_ascii_case(f)) {
                problems.push(crate::error::Violation {
                    field: "options.fileFormat".into(),
                    rule: "grantAccess.fileFormat",
                    message: "fileFormat must be VHD or VHDX".into(),
                });
            }
        }
        Error::from_violations(problems)?;
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            access: &'a str,
            duration_in_seconds: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            file_format: Option<&'a str>,
        }
        let body = Body {
            access: &access,
            duration_in_seconds: self.duration_in_seconds,
            file_format: self.file_format.as_deref(),
        };
        serde_json::to_string(&body).map_err(|e| Error::invalid_argument("options", e.to_string()))
    }
}

/// Parses a snapshot id argument.
pub fn snapshot_id(value: &str, field: &str) -> Result<ResourceId> {
    ResourceId::parse_of_type(value, SNAPSHOTS).map_err(|e| e.with_field(field))
}
