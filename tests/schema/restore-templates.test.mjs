// The restore templates of tests/golden/templates/restore-cases.json, emitted by the wasm
// package, validated with a real JSON Schema (draft-04) validator against the official ARM
// schemas in tests/fixtures/azure/schemas: the envelope against deploymentTemplate.json and the
// disk resource against Microsoft.Compute.json#/resourceDefinitions/disks of its api-version.
// The package's output must equal the golden files the native tests check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const Ajv = require("ajv-draft-04");
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const schemaDir = join(root, "tests/fixtures/azure/schemas/schemas");
const goldenDir = join(root, "tests/golden/templates");
const pkg = await import(join(root, "pkg/node.mjs"));
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const TEMPLATE_ID = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const VERSIONS = ["2024-03-02", "2025-01-02", "2026-03-02"];

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const envelope = readJson(join(schemaDir, "2019-04-01/deploymentTemplate.json"));
// definitions.resource is a union over provider files not stored here: the disk is checked below.
envelope.definitions.resource = { allOf: [{ $ref: "#/definitions/resourceBase" }] };
ajv.addSchema(readJson(join(schemaDir, "common/definitions.json")));
ajv.addSchema(envelope);
for (const v of VERSIONS) ajv.addSchema(readJson(join(schemaDir, v, "Microsoft.Compute.json")));

function errors(ref, value) {
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `schema ${ref} is loaded`);
  return validate(value) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
}

function templateErrors(t) {
  const out = errors(TEMPLATE_ID, t);
  for (const [i, r] of t.resources.entries()) {
    assert.ok(VERSIONS.includes(r.apiVersion), `a stored schema for ${r.apiVersion}`);
    const ref = `https://schema.management.azure.com/schemas/${r.apiVersion}/Microsoft.Compute.json#/resourceDefinitions/disks`;
    out.push(...errors(ref, r).map((e) => `resources[${i}]${e}`));
  }
  return out;
}

const { cases } = readJson(join(goldenDir, "restore-cases.json"));

for (const { name, source, options } of cases) {
  test(`restore template ${name}: valid against the ARM schemas and equal to its golden file`, () => {
    const t = pkg.buildRestoreTemplate(source, options);
    assert.deepEqual(templateErrors(t), []);
    assert.deepEqual(t, readJson(join(goldenDir, `${name}.template.json`)));
    assert.equal(t.resources[0].type, "Microsoft.Compute/disks");
  });
}

test("the disk schema rejects what ARM rejects (so the checks above can fail)", () => {
  const t = pkg.buildRestoreTemplate(cases[0].source, cases[0].options);
  const badOption = structuredClone(t);
  badOption.resources[0].properties.creationData.createOption = "Teleport";
  assert.notDeepEqual(templateErrors(badOption), []);
  const badSku = structuredClone(t);
  badSku.resources[0].sku = { name: "Gold_LRS" };
  assert.notDeepEqual(templateErrors(badSku), []);
  const noCreation = structuredClone(t);
  delete noCreation.resources[0].properties.creationData;
  assert.notDeepEqual(templateErrors(noCreation), []);
});
