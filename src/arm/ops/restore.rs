//! `restoreDisk`: a managed disk from a snapshot (`Copy`) or a copied blob (`Import`).
//!
//! Read the snapshot when given by id, build and validate the body (`crate::restore`), count the
//! disks of the target group still being created from that snapshot (ARM makes at most
//! [`MAX_CONCURRENT_RESTORES`] at once: a 6th is refused here, `CONFLICT` on `source`), then hand
//! the target to the snapshot create's machine ([`CreateSnapshot::prepared`]): name check, PUT
//! with `If-None-Match: *`, the operation, and the disk's hydration (`completionPercent`, when
//! the disk reports one) until 100 when `wait`. Every SAS signature of an Import's `sourceUri`
//! is scrubbed from the errors.

use super::create::{CreateSnapshot, Target};
use super::{resource_body, resource_url, ListAll};
use crate::arm::lro::{retry_action, Caller, Received};
use crate::arm::{Action, ClientSettings, Input, Operation, Progress};
use crate::error::{Error, ErrorCode, Result, Violation};
use crate::resource_id::{ids_equal, ResourceId};
use crate::restore::{
    build_disk_config_with, signatures_of, DiskConfig, RestoreOptions, RestoreSource, MAX_CONCURRENT_RESTORES,
};
use serde_json::Value;

/// Where a restore starts from.
#[derive(Debug, Clone)]
pub enum RestoreFrom {
    /// A snapshot id: read first.
    SnapshotId(ResourceId),
    /// The JSON text of the snapshot object ARM returned, or of a blob `{ sourceUri, storageAccountId }`.
    Object(String),
}

enum State {
    Begin(RestoreFrom),
    ReadingSource,
    /// Listing the target group's disks to count those still made from the snapshot.
    Counting(Box<DiskConfig>, Box<ListAll>),
    Creating(Box<CreateSnapshot>),
    Finished,
}

/// The `restoreDisk` operation.
pub struct RestoreDisk {
    caller: Caller,
    options: RestoreOptions,
    wait: bool,
    state: State,
    progress: Option<Progress>,
    /// SAS signatures to scrub from errors.
    secrets: Vec<String>,
}

impl RestoreDisk {
    /// A restore from `from` with `options` (already read, without refused keys).
    pub fn new(settings: ClientSettings, from: RestoreFrom, options: RestoreOptions, wait: bool) -> RestoreDisk {
        let mut options = options;
        if options.api_version.is_none() {
            options.api_version = Some(settings.api_version.clone());
        }
        RestoreDisk {
            caller: Caller::new(settings),
            options,
            wait,
            state: State::Begin(from),
            progress: None,
            secrets: Vec::new(),
        }
    }

    /// Checks what can be checked before any request: every rule for an object source; for a
    /// snapshot id, all but the region (read from the snapshot). `refused` are the options'
    /// reading violations.
    pub fn precheck(from: &RestoreFrom, options: &RestoreOptions, refused: Vec<Violation>) -> Result<()> {
        match from {
            RestoreFrom::Object(text) => {
                let mut refused = refused;
                let source = RestoreSource::from_json_text(text, &mut refused)?;
                build_disk_config_with(&source, options, refused).map(|_| ())
            }
            RestoreFrom::SnapshotId(id) => {
                let source = RestoreSource::snapshot_id(&id.to_string());
                let mut opts = options.clone();
                opts.location.get_or_insert_with(|| "westus".to_string());
                match build_disk_config_with(&source, &opts, refused) {
                    Ok(_) => Ok(()),
                    Err(e) if options.location.is_none() => {
                        let kept: Vec<Violation> =
                            e.violations.iter().filter(|v| v.field != "options.location").cloned().collect();
                        if kept.is_empty() {
                            return Ok(());
                        }
                        Error::from_violations(kept)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    fn done(&mut self, result: Result<String>) -> Action<String> {
        self.state = State::Finished;
        Action::Done(result.map_err(|mut e| {
            for s in &self.secrets {
                e.redact(s);
            }
            e
        }))
    }

    fn report(&mut self, id: Option<String>) {
        self.progress = Some(Progress { phase: "checking", status: None, completion_percent: None, id });
    }

    /// The body from the source's JSON; then the count (a Copy) or the create (an Import).
    fn build(&mut self, source_text: &str, now_ms: i64) -> Action<String> {
        let mut refused = Vec::new();
        let source = match RestoreSource::from_json_text(source_text, &mut refused) {
            Ok(s) => s,
            Err(e) => return self.done(Err(e)),
        };
        if let RestoreSource::Blob { source_uri: Some(u), .. } = &source {
            self.secrets = signatures_of(u);
        }
        let config = match build_disk_config_with(&source, &self.options, refused) {
            Ok(c) => c,
            Err(e) => return self.done(Err(e)),
        };
        self.report(Some(config.id.clone()));
        if config.source_resource_id.is_none() {
            return self.create(config, now_ms);
        }
        let scope = ResourceId::parse(&config.id).ok().and_then(|id| {
            id.resource_group_name().map(|rg| format!("/subscriptions/{}/resourceGroups/{rg}", id.subscription_id()))
        });
        let list = match scope.map(|s| ListAll::compute(self.caller.settings.clone(), &s, "disks")) {
            Some(Ok(l)) => l,
            Some(Err(e)) => return self.done(Err(e)),
            None => return self.done(Err(Error::invalid_argument("options.resourceGroup", "no target group"))),
        };
        self.state = State::Counting(Box::new(config), Box::new(list));
        self.step_list(Input::Start, now_ms)
    }

    fn step_list(&mut self, input: Input, now_ms: i64) -> Action<String> {
        let State::Counting(config, mut list) = std::mem::replace(&mut self.state, State::Finished) else {
            return self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: not counting")));
        };
        match list.step(input, now_ms) {
            Action::Send { request, delay_ms } => {
                self.state = State::Counting(config, list);
                Action::Send { request, delay_ms }
            }
            Action::Done(Err(e)) => self.done(Err(e)),
            Action::Done(Ok(text)) => {
                let snapshot = config.source_resource_id.clone().unwrap_or_default();
                match in_progress_from(&text, &snapshot) {
                    Ok(n) if n >= MAX_CONCURRENT_RESTORES => self.done(Err(too_many(&snapshot, n))),
                    Ok(_) => self.create(*config, now_ms),
                    Err(e) => self.done(Err(e)),
                }
            }
        }
    }

    fn create(&mut self, config: DiskConfig, now_ms: i64) -> Action<String> {
        let url = self.caller.settings.endpoint.url(&config.id, &config.api_version.to_string());
        let target = Target {
            id: config.id,
            name: config.name,
            body: config.body.to_string(),
            url,
            background_copy: true,
            noun: "disk",
            copy_phase: "hydrating",
            absent_is_done: true,
        };
        let op = CreateSnapshot::prepared(self.caller.settings.clone(), target, self.wait);
        self.state = State::Creating(Box::new(op));
        self.step_create(Input::Start, now_ms)
    }

    fn step_create(&mut self, input: Input, now_ms: i64) -> Action<String> {
        let State::Creating(mut op) = std::mem::replace(&mut self.state, State::Finished) else {
            return self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: not creating")));
        };
        let action = op.step(input, now_ms);
        if let Some(p) = op.take_progress() {
            self.progress = Some(p);
        }
        match action {
            Action::Done(r) => self.done(r),
            send => {
                self.state = State::Creating(op);
                send
            }
        }
    }
}

/// `CONFLICT` on `source`: ARM's limit of disks created at once from one snapshot is reached.
fn too_many(snapshot: &str, n: usize) -> Error {
    Error::new(
        ErrorCode::Conflict,
        format!(
            "{n} disks are already being created from snapshot {snapshot:?}; ARM creates at most \
             {MAX_CONCURRENT_RESTORES} at once from one snapshot: wait until one finishes (provisioningState \
             Succeeded and completionPercent 100), then restore again"
        ),
    )
    .with_field("source")
}

/// How many disks of a listing (a JSON array) are made from `snapshot` and not finished: still
/// provisioning, or hydrating (`completionPercent` below 100).
pub fn in_progress_from(listing: &str, snapshot: &str) -> Result<usize> {
    let items: Value = serde_json::from_str(listing)
        .map_err(|e| Error::new(ErrorCode::InvalidResponse, format!("ARM's disk listing could not be read: {e}")))?;
    let items = items.as_array().map(Vec::as_slice).unwrap_or_default();
    let count = items
        .iter()
        .filter(|d| {
            let p = &d["properties"];
            let from = p["creationData"]["sourceResourceId"].as_str().is_some_and(|s| ids_equal(s, snapshot));
            let state = p["provisioningState"].as_str().unwrap_or("Succeeded");
            let provisioning = !["Succeeded", "Failed", "Canceled"].iter().any(|s| s.eq_ignore_ascii_case(state));
            let hydrating = p["completionPercent"].as_f64().is_some_and(|c| c < 100.0);
            from && (provisioning || hydrating)
        })
        .count();
    Ok(count)
}

impl Operation for RestoreDisk {
    type Output = String;

    fn step(&mut self, input: Input, now_ms: i64) -> Action<String> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Begin(from) => {
                if input != Input::Start {
                    return self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: input before the start")));
                }
                match from {
                    RestoreFrom::Object(text) => self.build(&text, now_ms),
                    RestoreFrom::SnapshotId(id) => {
                        self.state = State::ReadingSource;
                        self.report(None);
                        let url = resource_url(&self.caller.settings, &id);
                        self.caller.get(url, 0)
                    }
                }
            }
            State::ReadingSource => match self.caller.receive(input, now_ms) {
                Received::Retry(a) => {
                    self.state = State::ReadingSource;
                    retry_action(a)
                }
                Received::Failed(e) => self.done(Err(e.with_field("source"))),
                Received::Final(resp) => match resource_body(&resp, "snapshot", now_ms) {
                    Ok(text) => self.build(&text, now_ms),
                    Err(e) => self.done(Err(e.with_field("source"))),
                },
            },
            s @ State::Counting(..) => {
                self.state = s;
                self.step_list(input, now_ms)
            }
            s @ State::Creating(_) => {
                self.state = s;
                self.step_create(input, now_ms)
            }
            State::Finished => {
                self.done(Err(Error::new(ErrorCode::InvalidArgument, "internal: the restore already ended")))
            }
        }
    }

    fn take_progress(&mut self) -> Option<Progress> {
        self.progress.take()
    }
}
