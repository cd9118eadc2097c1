// Every template variant of tests/golden/templates/cases.json, emitted by the wasm package, is
// validated with a real JSON Schema (draft-04) validator against the official ARM schemas copied
// into tests/fixtures/azure/schemas (see its MANIFEST.txt): the envelope against
// deploymentTemplate.json, each snapshot resource against Microsoft.Compute.json of its
// api-version, and parameter files against deploymentParameters.json. The package's output must
// also equal the golden files the native tests check, so wasm and native builds agree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
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
const PARAMETERS_ID = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";
const computeApiVersions = readdirSync(schemaDir).filter((d) => {
  try {
    readFileSync(join(schemaDir, d, "Microsoft.Compute.json"));
    return true;
  } catch {
    return false;
  }
});

function makeValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const template = readJson(join(schemaDir, "2019-04-01/deploymentTemplate.json"));
  // definitions.resource is a union over hundreds of provider files that are not stored here;
  // the resources are checked one by one against their own provider schema below instead.
  template.definitions.resource = { allOf: [{ $ref: "#/definitions/resourceBase" }] };
  ajv.addSchema(readJson(join(schemaDir, "common/definitions.json")));
  ajv.addSchema(template);
  ajv.addSchema(readJson(join(schemaDir, "2019-04-01/deploymentParameters.json")));
  for (const v of computeApiVersions) ajv.addSchema(readJson(join(schemaDir, v, "Microsoft.Compute.json")));
  return ajv;
}
const ajv = makeValidator();

function schemaErrors(ref, value) {
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `schema ${ref} is loaded`);
  return validate(value) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
}

/** All schema problems of a template: envelope, then every snapshot resource. */
function templateErrors(template) {
  const errors = schemaErrors(TEMPLATE_ID, template);
  for (const [i, r] of (template.resources ?? []).entries()) {
    if (!computeApiVersions.includes(r.apiVersion)) continue;
    const ref = `https://schema.management.azure.com/schemas/${r.apiVersion}/Microsoft.Compute.json#/resourceDefinitions/snapshots`;
    errors.push(...schemaErrors(ref, r).map((e) => `resources[${i}]${e}`));
  }
  return errors;
}

const { cases } = readJson(join(goldenDir, "cases.json"));

test("the case table is read", () => {
  assert.ok(cases.length >= 10);
  assert.ok(computeApiVersions.length >= 3, computeApiVersions.join());
});

for (const { name, options } of cases) {
  test(`template ${name}: valid against the ARM schemas and equal to its golden file`, () => {
    const template = pkg.buildSnapshotTemplate(options);
    assert.deepEqual(templateErrors(template), []);
    assert.deepEqual(template, readJson(join(goldenDir, `${name}.template.json`)));
    const checked = template.resources.filter((r) => computeApiVersions.includes(r.apiVersion)).length;
    if (!options.apiVersion || computeApiVersions.includes(options.apiVersion))
      assert.equal(checked, template.resources.length);
  });
  if (options.disk || options.disks) {
    test(`parameters ${name}: valid, equal to its golden file, and a value for every parameter without default`, () => {
      const template = pkg.buildSnapshotTemplate(options);
      const parameters = pkg.buildTemplateParameters(options);
      assert.deepEqual(schemaErrors(PARAMETERS_ID, parameters), []);
      assert.deepEqual(parameters, readJson(join(goldenDir, `${name}.parameters.json`)));
      for (const [key, p] of Object.entries(template.parameters)) {
        if (p.defaultValue === undefined) assert.ok(key in parameters.parameters, `value for ${key}`);
      }
      for (const key of Object.keys(parameters.parameters)) assert.ok(key in template.parameters, `${key} is declared`);
    });
  }
}

test("the validator rejects what ARM's schema rejects (so the checks above can fail)", () => {
  const documented = pkg.buildSnapshotTemplate();
  // The docs' own template writes "String"; the schema only knows lower-case types.
  const upper = structuredClone(documented);
  upper.parameters.diskName.type = "String";
  assert.notDeepEqual(templateErrors(upper), []);
  const noResources = structuredClone(documented);
  delete noResources.resources;
  assert.notDeepEqual(templateErrors(noResources), []);
  const badVersion = structuredClone(documented);
  badVersion.contentVersion = "1.0";
  assert.notDeepEqual(templateErrors(badVersion), []);
  const badResource = structuredClone(documented);
  badResource.resources[0].properties.creationData.createOption = "Teleport";
  assert.notDeepEqual(templateErrors(badResource), []);
  const badIncremental = structuredClone(documented);
  badIncremental.resources[0].properties.incremental = "yes";
  assert.notDeepEqual(templateErrors(badIncremental), []);
  assert.notDeepEqual(
    schemaErrors(PARAMETERS_ID, { contentVersion: "1.0.0.0", parameters: { x: { nothing: 1 } } }),
    [],
  );
});

test("refused template options throw typed errors from the package", () => {
  for (const [options, field] of [
    [{ apiVersion: "2018-09-30" }, "apiVersion"],
    [{ layout: "diagonal" }, "layout"],
    [{ colour: "blue" }, "options.colour"],
    [{ disk: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/a%2F..%2Fb" }, "disk"],
  ]) {
    assert.throws(
      () => pkg.buildSnapshotTemplate(options),
      (e) => {
        assert.ok(e instanceof Error);
        assert.match(e.code, /^INVALID_(ARGUMENT|RESOURCE_ID)$/);
        const fields = [e.field, ...(e.violations ?? []).map((v) => v.field)].join(" ");
        assert.ok(fields.includes(field), `${JSON.stringify(options)}: ${fields}`);
        return true;
      },
    );
  }
  assert.throws(
    () => pkg.buildTemplateParameters({}),
    (e) => e.code === "INVALID_ARGUMENT",
  );
});
