// The Blob service's wire formats: XML bodies that start with a UTF-8 BOM and an XML
// declaration (as every recorded body does), the <Error> body with its RequestId/Time lines,
// x-ms-snapshot times, ETags, HTTP dates and byte ranges.

export const BOM = "\uFEFF";
export const XML_DECL = `${BOM}<?xml version="1.0" encoding="utf-8"?>\n`;

export const escapeXml = (s) =>
  String(s).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);

/**
 * An error that becomes a Blob error reply: status, `x-ms-error-code`, and the body
 * `<Error><Code/><Message>…\nRequestId:…\nTime:…</Message>[extra elements]</Error>`.
 * `extra` holds the additional elements the service adds (HeaderName, HeaderValue,
 * QueryParameterName, AuthenticationErrorDetail, …), in order.
 */
export class BlobError extends Error {
  constructor(status, code, message, { extra = {}, headers = {} } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
  xml(requestId, time) {
    const extra = Object.entries(this.extra)
      .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
      .join("");
    return `${XML_DECL}<Error><Code>${escapeXml(this.code)}</Code><Message>${escapeXml(this.message)}\nRequestId:${requestId}\nTime:${time}</Message>${extra}</Error>`;
  }
}

// The errors the service answers, with the real service's messages.
export const E = {
  authFailed: (detail) =>
    new BlobError(
      403,
      "AuthenticationFailed",
      "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
      { extra: { AuthenticationErrorDetail: detail } },
    ),
  permission: () =>
    new BlobError(
      403,
      "AuthorizationPermissionMismatch",
      "This request is not authorized to perform this operation using this permission.",
    ),
  missingHeader: (name) =>
    new BlobError(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.", {
      extra: { HeaderName: name },
    }),
  badHeader: (name, value, reason) =>
    new BlobError(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.", {
      extra: { HeaderName: name, HeaderValue: String(value ?? ""), ...(reason ? { Reason: reason } : {}) },
    }),
  unsupportedHeader: (name, value) =>
    new BlobError(400, "UnsupportedHeader", "One of the HTTP headers specified in the request is not supported.", {
      extra: { HeaderName: name, HeaderValue: String(value ?? "") },
    }),
  badQuery: (name, value, reason) =>
    new BlobError(
      400,
      "InvalidQueryParameterValue",
      "Value for one of the query parameters specified in the request URI is invalid.",
      { extra: { QueryParameterName: name, QueryParameterValue: String(value ?? ""), Reason: reason } },
    ),
  invalidUri: () =>
    new BlobError(400, "InvalidUri", "The requested URI does not represent any resource on the server."),
  invalidRange: (size) =>
    new BlobError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.", {
      headers: { "Content-Range": `bytes */${size}` },
    }),
  invalidPageRange: () => new BlobError(416, "InvalidPageRange", "The page range specified is invalid."),
  bodyTooLarge: (max) =>
    new BlobError(
      413,
      "RequestBodyTooLarge",
      "The request body is too large and exceeds the maximum permissible limit.",
      {
        extra: { MaxLimit: String(max) },
      },
    ),
  blobNotFound: () => new BlobError(404, "BlobNotFound", "The specified blob does not exist."),
  containerNotFound: () => new BlobError(404, "ContainerNotFound", "The specified container does not exist."),
  blobExists: () => new BlobError(409, "BlobAlreadyExists", "The specified blob already exists."),
  conditionNotMet: () =>
    new BlobError(412, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met."),
  verb: () => new BlobError(405, "UnsupportedHttpVerb", "The resource doesn't support specified Http Verb."),
  copySource: (status, message) => new BlobError(status, "CannotVerifyCopySource", message),
  prevNotFound: () => new BlobError(409, "PreviousSnapshotNotFound", "The previous snapshot is not found."),
  prevNewer: () =>
    new BlobError(
      400,
      "PreviousSnapshotCannotBeNewer",
      "The prevsnapshot query parameter value cannot be newer than snapshot query parameter value.",
    ),
  operationNotAllowed: (message) => new BlobError(409, "OperationNotAllowed", message),
};

/** `<PageList>` of merged elements in offset order; NextMarker as the service sends it. */
export function pageListXml(elements, { nextMarker, emptyNextMarker }) {
  const items = elements
    .map((e) =>
      e.kind === "page"
        ? `<PageRange><Start>${e.start}</Start><End>${e.end}</End></PageRange>`
        : `<ClearRange><Start>${e.start}</Start><End>${e.end}</End></ClearRange>`,
    )
    .join("");
  const marker = nextMarker
    ? `<NextMarker>${escapeXml(nextMarker)}</NextMarker>`
    : emptyNextMarker
      ? "<NextMarker/>"
      : "";
  const inner = items + marker;
  return `${XML_DECL}${inner ? `<PageList>${inner}</PageList>` : "<PageList/>"}`;
}

/** x-ms-snapshot / error Time format: 7 fractional digits and `Z`, e.g. 2021-08-05T20:58:06.9075559Z. */
export function snapshotTime(ms, tick = 0) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(tick % 10000).padStart(4, "0")}Z`;
}

/**
 * ETag as the service writes it: quoted hex of .NET ticks (100 ns since 0001-01-01), e.g.
 * "0x8D95853B99A7E67" for 2021-08-05 (the recorded ETags decode to their Last-Modified times).
 */
export function etagOf(ticks) {
  return `"0x${ticks.toString(16).toUpperCase()}"`;
}

/** .NET ticks of a JS time, as a BigInt. */
export function ticksOf(ms) {
  return BigInt(Math.floor(ms)) * 10000n + 621355968000000000n;
}

/** RFC 1123 date, e.g. "Thu, 05 Aug 2021 20:58:06 GMT". */
export const httpDate = (ms) => new Date(ms).toUTCString();

/**
 * A `bytes=start-end` header (end optional when `openEnd`). Returns { start, end } (end may be
 * undefined), or null when the header is absent; throws `bad()` when it is malformed.
 */
export function parseRange(value, bad, { openEnd = false } = {}) {
  if (value === undefined || value === null || value === "") return null;
  const m = /^bytes=(\d{1,16})-(\d{0,16})$/.exec(String(value).trim());
  if (!m || (!openEnd && m[2] === "")) throw bad();
  const start = Number(m[1]);
  const end = m[2] === "" ? undefined : Number(m[2]);
  return { start, end };
}
