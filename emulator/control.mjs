// The emulator's own HTTP control API under /__emulator (no token needed), so a browser page or
// another process can inject faults, read the request log, reseed, move the clock or change
// options:
//   GET    /__emulator              info (seedInfo, options, faults)
//   GET    /__emulator/faults       active faults        POST (one fault or an array)   DELETE (all)
//   GET    /__emulator/requests     request log          DELETE (clear)
//   POST   /__emulator/reset        reseed; body { seed? } (default: the seed it started with)
//   POST   /__emulator/clock        { advanceMs } moves the emulator clock forward
//   POST   /__emulator/options      { lroPolls, copyPolls, retryAfterSeconds, latencyMs, pageSize, ... }

export const MUTABLE_OPTIONS = ['lroPolls', 'copyPolls', 'retryAfterSeconds', 'latencyMs', 'pageSize',
  'enforceRateLimit', 'completionPercentAlways', 'maxSnapshotsPerDisk', 'logRequests'];

export function publicOptions(options) {
  const out = {};
  for (const k of ['port', 'host', 'seed', ...MUTABLE_OPTIONS]) out[k] = options[k];
  return out;
}

/** Validate and apply option changes; returns an error message or null. */
export function setOptions(options, patch) {
  if (!patch || typeof patch !== 'object') return 'options must be a JSON object';
  for (const [k, v] of Object.entries(patch)) {
    if (!MUTABLE_OPTIONS.includes(k)) return `option '${k}' cannot be changed (changeable: ${MUTABLE_OPTIONS.join(', ')})`;
    if (['enforceRateLimit', 'completionPercentAlways', 'logRequests'].includes(k)) {
      if (typeof v !== 'boolean') return `${k} must be a boolean`;
    } else if (k === 'retryAfterSeconds') {
      if (v !== null && !(Number.isFinite(v) && v >= 0)) return 'retryAfterSeconds must be a number >= 0 or null';
    } else if (k === 'pageSize' || k === 'maxSnapshotsPerDisk') {
      if (!(Number.isInteger(v) && v >= 1)) return `${k} must be an integer >= 1`;
    } else if (!(Number.isInteger(v) && v >= 0)) {
      return `${k} must be an integer >= 0`;
    }
  }
  Object.assign(options, patch);
  return null;
}

/** Handle a control request; returns { status, body }. */
export function handleControl(emu, method, sub, body) {
  const bad = (message) => ({ status: 400, body: { error: { code: 'BadRequest', message } } });
  switch (`${method} ${sub}`) {
    case 'GET ':
    case 'GET /':
      return { status: 200, body: { url: emu.url, seedInfo: emu.seedInfo, options: publicOptions(emu.options), faults: emu.faults.describe(), now: new Date(emu.store.now()).toISOString() } };
    case 'GET /faults':
      return { status: 200, body: { faults: emu.faults.describe() } };
    case 'POST /faults': {
      const list = Array.isArray(body) ? body : [body];
      try {
        for (const f of list) emu.faults.add({ ...f });
      } catch (e) {
        return bad(e.message);
      }
      return { status: 201, body: { faults: emu.faults.describe() } };
    }
    case 'DELETE /faults':
      emu.faults.clear();
      return { status: 204 };
    case 'GET /requests':
      return { status: 200, body: { requests: emu.requests } };
    case 'DELETE /requests':
      emu.resetRequests();
      return { status: 204 };
    case 'POST /reset': {
      try {
        emu.reset(body && body.seed !== undefined ? body.seed : undefined);
      } catch (e) {
        return bad(e.message);
      }
      return { status: 200, body: { seedInfo: emu.seedInfo } };
    }
    case 'POST /clock': {
      const ms = body && body.advanceMs;
      if (!Number.isFinite(ms) || ms < 0) return bad('advanceMs must be a number >= 0');
      return { status: 200, body: { now: new Date(emu.advanceClock(ms)).toISOString() } };
    }
    case 'POST /options': {
      const err = setOptions(emu.options, body);
      if (err) return bad(err);
      return { status: 200, body: { options: publicOptions(emu.options) } };
    }
    default:
      return { status: 404, body: { error: { code: 'NotFound', message: `No control route '${method} /__emulator${sub}'.` } } };
  }
}
