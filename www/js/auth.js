// Connections: demo (the local ARM emulator on this origin), a pasted access token, or Microsoft
// Entra ID sign-in through @azure/msal-browser (imported only when chosen). Tokens live in memory
// only: in a closure here, or in MSAL's memory cache. Nothing is written to localStorage; signing
// out drops every reference.
import { app } from "./state.js";

/** What the page adds to the package's clouds: a label, and the Entra ID login host (the package knows neither). */
const PAGE_CLOUDS = {
  AzureCloud: { label: "Azure (public)", login: "https://login.microsoftonline.com" },
  AzureUSGovernment: { label: "Azure US Government", login: "https://login.microsoftonline.us" },
  AzureChinaCloud: { label: "Azure China (21Vianet)", login: "https://login.chinacloudapi.cn" },
};

let table = null;
/**
 * The clouds, by name: `{ label, arm, login }`, the ARM endpoint from the package's `clouds()`
 * (read once the package is loaded, which is before any view renders).
 */
export function clouds() {
  table ??= Object.fromEntries(
    app.lib.clouds().map((c) => [c.name, { label: c.name, ...PAGE_CLOUDS[c.name], arm: c.armEndpoint }]),
  );
  return table;
}

/** The Resource Manager scope of a cloud: <endpoint>/.default. */
export const scopeOf = (cloud) => `${clouds()[cloud].arm}/.default`;

/** Is the ARM emulator serving this page (npm start)? Resolves to its info or null. */
export async function detectEmulator(signal) {
  try {
    // Same-origin, so the answer carries the run's controlSecret (sent back as x-emulator-secret).
    const r = await fetch(new URL("/__emulator", location.href), {
      signal,
      cache: "no-store",
      headers: { accept: "application/json" },
    });
    if (!r.ok) return null;
    const info = await r.json();
    return info && info.seedInfo ? info : null;
  } catch {
    return null;
  }
}

/** Reads a JWT's payload without verifying it (for display only: expiry, audience, user). */
export function peekJwt(token) {
  try {
    const part = token.split(".")[1];
    if (!part) return null;
    const b64 = part
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/**
 * The browser's fetch, past its HTTP cache: a Blob service answer carries Last-Modified and no
 * Cache-Control, so the browser may answer a later Get Page Ranges of the same URL (another
 * x-ms-range window) from its cache with the first window's ranges. Nothing the page asks may come
 * from the cache.
 */
const noStoreFetch = (request) => globalThis.fetch(new Request(request, { cache: "no-store" }));

/**
 * The package has no retry hook, but every request goes through the fetch it is given: a 429 is
 * announced on `window` as an "arm-throttled" event ({ seconds, key }: the wait its Retry-After
 * asks for, or null, and which request), any other answer as "arm-answered", so the page can say
 * that it is waiting for Azure while the client waits out a throttle.
 */
async function watchedFetch(request) {
  const key = `${request.method} ${request.url}`;
  const res = await noStoreFetch(request);
  try {
    if (res.status === 429) {
      const h = res.headers;
      const ms = Number(h.get("retry-after-ms") ?? h.get("x-ms-retry-after-ms"));
      const secs = Number(h.get("retry-after"));
      const seconds = Number.isFinite(ms) && ms > 0 ? ms / 1000 : Number.isFinite(secs) && secs >= 0 ? secs : null;
      window.dispatchEvent(new CustomEvent("arm-throttled", { detail: { seconds, key } }));
    } else {
      window.dispatchEvent(new CustomEvent("arm-answered", { detail: { key, status: res.status } }));
    }
  } catch {
    // the notice is a courtesy; the request goes on regardless
  }
  return res;
}

/** The token function of each session's client (the worker panel sends the same token to the worker). */
const tokenFns = new WeakMap();

/** The current ARM token of a session's client (a promise); rejects as the client's calls would. */
export async function armTokenOf(client) {
  const fn = tokenFns.get(client);
  if (!fn) throw Object.assign(new Error("Not signed in"), { name: "AzureSnapshotsError", code: "UNAUTHORIZED" });
  return fn();
}

function makeClient(lib, { cloud, endpoint, token, demo, maxRetries }) {
  const options = { token, fetch: watchedFetch };
  if (maxRetries !== undefined) options.maxRetries = maxRetries;
  if (endpoint) options.endpoint = endpoint;
  else options.cloud = cloud;
  if (demo) {
    // The emulator's background copies advance per read; poll it briskly.
    options.completionPollMs = 1000;
    options.pollIntervalMs = 1000;
    options.retryDelayMs = 500;
  }
  const client = new lib.ArmClient(options);
  tokenFns.set(client, token);
  return client;
}

/**
 * The demo's "missing permission": a 403 AuthorizationFailed answered by the emulator itself (a
 * fault through its control API), so the permission can be given back there and "Try again"
 * then recovers, as it would once an owner grants the role in Azure.
 */
const FORBIDDEN_FAULT = {
  route: "* /subscriptions/",
  kind: "status",
  status: 403,
  code: "AuthorizationFailed",
  message:
    "The client does not have authorization to perform this action, or the scope is invalid (simulated by the demo: press 'Give the permission back' in the demo banner, then Try again).",
  count: -1,
};

async function control(info, path, init = {}) {
  const r = await fetch(new URL(`/__emulator/${path}`, location.href), {
    ...init,
    cache: "no-store",
    headers: { "content-type": "application/json", "x-emulator-secret": info?.controlSecret ?? "" },
  });
  if (!r.ok) throw new Error(`the emulator answered ${r.status}`);
}

/** Demo: the emulator on this origin; any bearer token works, a few special ones simulate errors. */
export function demoSession(lib, info) {
  const state = { token: "demo-token", forbidden: false };
  const endpoint = location.origin;
  const session = {
    mode: "demo",
    cloud: null,
    label: "Demo · local ARM emulator",
    endpoint,
    info,
    /**
     * For the "simulate a problem" buttons: "expired" → 401; "forbidden" → 403 from the emulator
     * until the permission is given back ("demo-token" again); returns a promise of the change.
     */
    setDemoToken(t) {
      if (t === "forbidden") {
        // Refused at once, then by the emulator (where it can be given back) once the fault is in.
        state.token = "forbidden";
        state.forbidden = true;
        return control(info, "faults", { method: "POST", body: JSON.stringify(FORBIDDEN_FAULT) })
          .then(() => {
            if (state.token === "forbidden") state.token = "demo-token";
          })
          .catch(() => {});
      }
      const wasForbidden = state.forbidden;
      state.token = t;
      state.forbidden = false;
      return wasForbidden ? control(info, "faults", { method: "DELETE" }).catch(() => {}) : Promise.resolve();
    },
    /** The simulated missing permission is on. */
    get forbidden() {
      return state.forbidden;
    },
    /** Azure answered again (the permission was given back elsewhere, e.g. the emulator's control API). */
    permitted() {
      if (state.token === "forbidden") return false;
      const was = state.forbidden;
      state.forbidden = false;
      return was;
    },
    get demoToken() {
      return state.token;
    },
    client: null,
    async signOut() {
      state.token = null;
      session.client = null;
    },
  };
  session.client = makeClient(lib, {
    endpoint,
    demo: true,
    token: () => {
      if (!state.token)
        throw Object.assign(new Error("Signed out"), {
          name: "AzureSnapshotsError",
          code: "UNAUTHORIZED",
          field: null,
        });
      return state.token;
    },
  });
  return session;
}

/**
 * What is wrong with a pasted text that is not shaped like an access token (a JWT: three
 * base64url parts separated by dots, the first a JSON header), in plain words; null when it is.
 */
export function jwtShapeProblem(text) {
  const parts = String(text).split(".");
  const what =
    "An Azure access token is three parts of letters, digits, - and _ separated by dots, and starts with eyJ.";
  if (parts.length !== 3)
    return `This is not an access token: it has ${parts.length === 1 ? "no dots" : `${parts.length} parts`}. ${what} Paste the whole output of the command below.`;
  if (!parts.every((p, i) => /^[A-Za-z0-9_-]+$/.test(p) || (i === 2 && p === "")))
    return `This is not an access token: its parts may only hold letters, digits, - and _. ${what}`;
  try {
    const b64 = parts[0]
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(parts[0].length / 4) * 4, "=");
    const header = JSON.parse(atob(b64));
    if (!header || typeof header !== "object") throw new Error("not an object");
  } catch {
    return `This is not an access token: its first part is not a token header. ${what}`;
  }
  return null;
}

/** A pasted access token (e.g. `az account get-access-token --query accessToken -o tsv`). */
export function tokenSession(lib, { cloud, token }) {
  let secret = String(token || "")
    .trim()
    .replace(/^bearer\s+/i, "");
  if (!secret)
    throw Object.assign(new Error("Paste an access token first."), { code: "INVALID_ARGUMENT", field: "token" });
  if (/\s/.test(secret))
    throw Object.assign(new Error("The token contains spaces or line breaks; paste only the token itself."), {
      code: "INVALID_ARGUMENT",
      field: "token",
    });
  // The package's own rule (printable ASCII): its error names the character and its position,
  // e.g. a zero-width space pasted from a chat. Nothing is sent before this passes.
  new lib.ArmClient({ token: secret, endpoint: clouds()[cloud].arm });
  const shape = jwtShapeProblem(secret);
  if (shape) throw Object.assign(new Error(shape), { code: "INVALID_ARGUMENT", field: "token" });
  const claims = peekJwt(secret);
  const session = {
    mode: "token",
    cloud,
    label: "Pasted token",
    endpoint: clouds()[cloud].arm,
    user: claims?.upn || claims?.unique_name || claims?.preferred_username || claims?.appid || null,
    expiresAt: claims?.exp ? claims.exp * 1000 : null,
    audience: claims?.aud || null,
    client: null,
    probeClient: null,
    async signOut() {
      secret = null;
      session.client = null;
      session.probeClient = null;
    },
  };
  const current = () => {
    if (!secret)
      throw Object.assign(new Error("Signed out"), { name: "AzureSnapshotsError", code: "UNAUTHORIZED", field: null });
    return secret;
  };
  // The first read that proves the token is sent once: no retry of a refusal or an unreadable answer.
  session.probeClient = makeClient(lib, { cloud, token: current, maxRetries: 0 });
  session.client = makeClient(lib, { cloud, token: current });
  return session;
}

const REDIRECT_KEY = "ais.entra.pending"; // non-secret sign-in settings, only across a redirect

async function loadMsal() {
  try {
    return await import(new URL("../vendor/msal-browser.mjs", import.meta.url).href);
  } catch (e) {
    throw new Error(
      `The Microsoft sign-in library could not be loaded (${e.message}). Serve the page with \`npm start\`, or put the bundled msal-browser at vendor/msal-browser.mjs next to the page. You can paste a token instead.`,
    );
  }
}

async function createPca(msal, { clientId, tenant, cloud }) {
  return msal.createStandardPublicClientApplication({
    auth: {
      clientId,
      authority: `${clouds()[cloud].login}/${tenant || "organizations"}`,
      redirectUri: `${location.origin}${location.pathname}`,
      postLogoutRedirectUri: `${location.origin}${location.pathname}`,
    },
    cache: { cacheLocation: "memoryStorage" },
  });
}

function entraSessionFrom(lib, pca, msal, account, { cloud }) {
  const scopes = [scopeOf(cloud)];
  let active = account;
  const session = {
    mode: "entra",
    cloud,
    label: "Signed in with Entra ID",
    endpoint: clouds()[cloud].arm,
    user: account?.username || account?.name || null,
    client: null,
    async signOut() {
      const acc = active;
      active = null;
      session.client = null;
      // Forget MSAL's in-memory tokens; no redirect to the logout page.
      try {
        await pca.clearCache({ account: acc });
      } catch {
        /* already gone */
      }
    },
  };
  session.client = makeClient(lib, {
    cloud,
    token: async () => {
      if (!active)
        throw Object.assign(new Error("Signed out"), {
          name: "AzureSnapshotsError",
          code: "UNAUTHORIZED",
          field: null,
        });
      try {
        const r = await pca.acquireTokenSilent({ scopes, account: active });
        return r.accessToken;
      } catch (e) {
        if (e instanceof msal.InteractionRequiredAuthError) {
          const r = await pca.acquireTokenPopup({ scopes, account: active });
          return r.accessToken;
        }
        throw e;
      }
    },
  });
  return session;
}

/** Sign in with Entra ID; popup returns a session, redirect leaves the page (and resolves never). */
export async function entraSignIn(lib, { clientId, tenant, cloud, interaction }) {
  if (!clientId)
    throw Object.assign(
      new Error(
        "Enter the application (client) id of an app registration with a single-page-application redirect URI for this page.",
      ),
      { code: "INVALID_ARGUMENT", field: "clientId" },
    );
  const msal = await loadMsal();
  const pca = await createPca(msal, { clientId, tenant, cloud });
  const request = { scopes: [scopeOf(cloud)], prompt: "select_account" };
  if (interaction === "redirect") {
    sessionStorage.setItem(
      REDIRECT_KEY,
      JSON.stringify({ clientId, tenant, cloud, hash: location.hash.startsWith("#/") ? location.hash : "" }),
    );
    await pca.loginRedirect(request);
    return new Promise(() => {});
  }
  const result = await pca.loginPopup(request);
  return entraSessionFrom(lib, pca, msal, result.account, { cloud });
}

/** After a redirect sign-in: the session, or null when this load is not a return from one. */
export async function resumeEntraRedirect(lib) {
  const raw = sessionStorage.getItem(REDIRECT_KEY);
  if (!raw) return null;
  sessionStorage.removeItem(REDIRECT_KEY);
  const cfg = JSON.parse(raw);
  const msal = await loadMsal();
  const pca = await createPca(msal, cfg);
  const result = await pca.handleRedirectPromise();
  if (!result?.account) return null;
  const session = entraSessionFrom(lib, pca, msal, result.account, cfg);
  session.returnTo = cfg.hash;
  return session;
}
