// Conditional requests: If-Match / If-None-Match on PUT, and the ETag header of a resource.
import { ArmError } from "../util.mjs";

/** The entity tags of an If-Match / If-None-Match header: '*' or a list of opaque tags. */
function etagList(value) {
  const text = Array.isArray(value) ? value.join(",") : String(value);
  if (text.trim() === "*") return "*";
  return text
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .filter((t) => t !== "");
}
const bareEtag = (etag) => String(etag || "").replace(/^W\//, "");

/**
 * ARM's conditional PUT: `If-None-Match: *` only creates, `If-Match: *` only updates, and
 * `If-Match: <etag>` updates only the version the caller has seen. Checked before anything else
 * about the resource, in the same synchronous step as the create or update itself (no await in
 * between), so two concurrent creates of one name cannot both pass.
 */
export function checkConditions(ctx, existing, what) {
  const h = ctx.headers || {};
  const failed = (message) => new ArmError(412, "PreconditionFailed", message);
  if (h["if-match"] !== undefined) {
    const tags = etagList(h["if-match"]);
    if (!existing)
      throw failed(
        `The condition 'If-Match: ${tags === "*" ? "*" : tags.join(", ")}' was not met: ${what} does not exist.`,
      );
    if (tags !== "*" && !tags.includes(bareEtag(existing.etag))) {
      throw failed(`The condition 'If-Match' was not met: the current ETag of ${what} is ${existing.etag}.`);
    }
  }
  if (h["if-none-match"] !== undefined) {
    const tags = etagList(h["if-none-match"]);
    if (existing && (tags === "*" || tags.includes(bareEtag(existing.etag)))) {
      throw failed(
        `The condition 'If-None-Match: ${tags === "*" ? "*" : tags.join(", ")}' was not met: ${what} already exists.`,
      );
    }
  }
}

export const etagHeader = (r) => (r && r.etag ? { ETag: r.etag } : {});
