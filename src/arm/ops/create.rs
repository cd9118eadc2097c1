//! `createIncrementalSnapshot` and `copySnapshot` (CopyStart): one state machine.

use super::copy_progress::copy_progress;
use super::{require_json_object, resource_body, resource_url, ResourceRef};
use crate::arm::lro::{retry_action, trust_poll_urls, Caller, Lro, LroKind, LroStep, Received};
use crate::arm::{errors, Action, ClientSettings, Input, Method, Operation, Progress, Request, Response};
use crate::config::{build_snapshot_config, SnapshotOptions, SnapshotSource};
use crate::error::{ArmErrorInfo, Error, ErrorCode, Result};
use crate::models::{CreateOption, DiskSkuName};

/// What a create knows once its body is built: the target and how it finishes. Shared by the
/// snapshot creates and `restoreDisk` ([`CreateSnapshot::prepared`]).
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// The new resource's id.
    pub(super) id: String,
    /// Its name (for `CONFLICT` messages).
    pub(super) name: String,
    /// The PUT body.
    pub(super) body: String,
    /// The resource's URL (GET and PUT).
    pub(super) url: String,
    /// ARM copies in the background (Premium SSD v2, Ultra, CopyStart; a disk's hydration):
    /// wait for 100%.
    pub(super) background_copy: bool,
    /// `"snapshot"` or `"disk"`, in messages.
    pub(super) noun: &'static str,
    /// The progress phase of the background copy (`"copying"`, `"hydrating"`).
    pub(super) copy_phase: &'static str,
    /// A read of the resource without `completionPercent` means there is nothing to wait for
    /// (a disk reports it only while it hydrates).
    pub(super) absent_is_done: bool,
}

/// Where a create is; each state carries exactly the data it needs, so no stage can meet a
/// missing field.
#[derive(Debug)]
enum CreateState {
    /// Not started: the source is an id to read, or the object itself.
    Begin(ResourceRef),
    /// Not started, the target already known: the name check comes first.
    Ready(Target),
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
    /// Wait for the operation (and a background copy) to finish.
    wait: bool,
    state: CreateState,
    progress: Option<Progress>,
}

impl CreateSnapshot {
    /// A snapshot of `source` (a disk or snapshot id, or the object ARM returned).
    pub fn new(settings: ClientSettings, source: ResourceRef, options: SnapshotOptions, wait: bool) -> CreateSnapshot {
        CreateSnapshot {
            caller: Caller::new(settings),
            options,
            wait,
            state: CreateState::Begin(source),
            progress: None,
        }
    }

    /// A create of a resource whose `target` is already built (its source read and its body
    /// validated): name check, conditional PUT, operation, background copy.
    pub(super) fn prepared(settings: ClientSettings, target: Target, wait: bool) -> CreateSnapshot {
        CreateSnapshot {
            caller: Caller::new(settings),
            options: SnapshotOptions::default(),
            wait,
            state: CreateState::Ready(target),
            progress: None,
        }
    }

    /// The target once built (id and name, body).
    fn target(&self) -> Option<&Target> {
        match &self.state {
            CreateState::CheckingName(t)
            | CreateState::Submitting(t, _)
            | CreateState::Following(t, _)
            | CreateState::Completing(t, _) => Some(t),
            _ => None,
        }
    }

    fn report(&mut self, phase: &'static str, status: Option<String>, completion_percent: Option<f64>) {
        let id = self.target().map(|t| t.id.clone());
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
        let body = config.body.to_json();
        let target = Target {
            id: config.id,
            name: config.name,
            body,
            url,
            background_copy,
            noun: "snapshot",
            copy_phase: "copying",
            absent_is_done: false,
        };
        self.check_name(target)
    }

    /// The name check: a GET of the target, which must answer 404.
    fn check_name(&mut self, target: Target) -> Action<String> {
        let url = target.url.clone();
        self.state = CreateState::CheckingName(target);
        self.report("checking", None, None);
        self.caller.get(url, 0)
    }

    /// `CONFLICT` on `options.name`: the name is not free.
    fn name_taken(target: &Target, resp: &Response, what: &str) -> Error {
        let (name, noun) = (&target.name, target.noun);
        let mut e =
            Error::new(ErrorCode::Conflict, format!("a {noun} named {name:?} {what}")).with_field("options.name");
        // A 200 (the name check's GET, or an update answering the create) is not an error reply:
        // its status is not reported as the error's, so a CONFLICT never says `status: 200`.
        e.arm = Some(Box::new(ArmErrorInfo {
            status: if resp.status == 200 { 0 } else { resp.status },
            arm_code: (resp.status == 412).then(|| "PreconditionFailed".to_string()),
            request_id: errors::request_id(resp),
            ..Default::default()
        }));
        e
    }

    fn submit(&mut self, target: Target) -> Action<String> {
        let body = target.body.clone();
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
                if !self.wait || !target.background_copy {
                    self.report("done", Some("Succeeded".into()), None);
                    return self.done(Ok(body));
                }
                self.check_completion(target, 0, body, None)
            }
        }
    }

    /// `delay_if_pending` is `Some` when `body` came from a read of the resource (not the
    /// operation's result, which never shows `completionPercent`).
    fn check_completion(
        &mut self,
        target: Target,
        polls: u32,
        body: String,
        delay_if_pending: Option<u64>,
    ) -> Action<String> {
        let (percent, state) = match copy_progress(&body) {
            Ok(p) => (p.percent, p.provisioning_state),
            Err(e) => return self.done(Err(e)),
        };
        let nothing_to_wait_for = target.absent_is_done && percent.is_none() && delay_if_pending.is_some();
        if percent.is_some_and(|p| p >= 100.0) || nothing_to_wait_for {
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
        // A disk's operation result never shows its hydration: the read that follows tells.
        let (phase, shown) = match percent {
            None if target.absent_is_done => ("provisioning", None),
            _ => (target.copy_phase, Some(percent.unwrap_or(0.0))),
        };
        self.state = CreateState::Completing(target, polls);
        self.report(phase, state, shown);
        self.caller.get(url, delay_if_pending.unwrap_or(0))
    }
}

impl Operation for CreateSnapshot {
    type Output = String;

    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        let state = std::mem::replace(&mut self.state, CreateState::Finished);
        if let CreateState::Ready(target) = state {
            if input != Input::Start {
                return self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: input before the start")));
            }
            return self.check_name(target);
        }
        if let CreateState::Begin(source) = state {
            if input != Input::Start {
                return self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: input before the start")));
            }
            return match source {
                ResourceRef::Object(text) => self.build(&text, now_ms),
                ResourceRef::Id(id) => {
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
            CreateState::Begin(_) | CreateState::Ready(_) | CreateState::Finished => {
                self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: the create already ended")))
            }
            CreateState::ReadingSource => match resource_body(&resp, "source", now_ms) {
                Ok(text) => self.build(&text, now_ms),
                Err(e) => self.done(Err(e)),
            },
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
                if !self.wait {
                    if resp.status >= 300 {
                        return self.done(Err(errors::from_response(&resp, now_ms)));
                    }
                    // Accepted: hand back the resource as the PUT answered it.
                    if let Err(e) = trust_poll_urls(&settings, &resp) {
                        return self.done(Err(e));
                    }
                    let noun = target.noun;
                    self.state = CreateState::Submitting(target, lro);
                    self.report("submitted", Some("Accepted".into()), None);
                    return self.done(require_json_object(&resp, noun));
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
                if !self.wait || !target.background_copy {
                    return self.done(require_json_object(&resp, target.noun));
                }
                let delay = self.caller.settings.completion_poll_ms;
                self.check_completion(target, polls, resp.body, Some(delay))
            }
        }
    }

    fn take_progress(&mut self) -> Option<Progress> {
        self.progress.take()
    }
}
