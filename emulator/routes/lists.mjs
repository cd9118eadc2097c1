// Lists: pages of disks or snapshots (by subscription or resource group), skip tokens, nextLink.
import { encodeSkipToken, decodeSkipToken } from "../store.mjs";
import { invalidParam } from "./errors.mjs";

/** The sequence number a `$skiptoken` of `scope` resumes after (0 without one). */
export function skipTokenOf(ctx, scope) {
  const raw = ctx.query.get("$skiptoken") ?? ctx.query.get("%24skiptoken");
  if (raw === null || raw === undefined) return 0;
  const s = decodeSkipToken(raw, scope);
  if (s === null) throw invalidParam(`The value '${raw}' of the skip token is not valid.`, "$skiptoken");
  return s;
}

/** The nextLink of a page that ends at sequence number `lastSeq`. */
export function nextLink(ctx, lastSeq, scope) {
  const token = encodeSkipToken(lastSeq, scope);
  const foreign = ctx.takeFault(["foreignNextLink"]);
  const origin = foreign ? "https://evil.example.com" : ctx.baseUrl;
  return `${origin}${ctx.rawPath}?api-version=${encodeURIComponent(ctx.apiVersion)}&$skiptoken=${token}`;
}

export function listResources(ctx, type, rgName) {
  const store = ctx.store;
  const subId = ctx.sub.subscriptionId;
  const scope = `${type}:${subId}:${rgName ?? ""}`.toLowerCase();
  const after = skipTokenOf(ctx, scope);
  const { items, more, lastSeq } = store.page(type, subId, rgName, after, store.options.pageSize);
  const value = items.map((r) => {
    if (type === "snapshots") {
      const out = store.renderSnapshot(r, { apiVersion: ctx.apiVersion });
      if (!r.pendingOp) store.advanceCopy(r);
      return out;
    }
    return store.renderDisk(r);
  });
  const body = { value };
  if (more) body.nextLink = nextLink(ctx, lastSeq, scope);
  return { status: 200, body };
}
