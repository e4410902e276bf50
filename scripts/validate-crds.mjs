// Validates the custom resources in gen's output with models generated from the upstream
// CRDs (@kubernetes-models), independently of gen's own types. Usage:
//   node validate-crds.mjs FILE...
// Exit 0 when every custom object is valid, 1 when one is not or has no validator here.
// Core Kubernetes kinds are kubernetes-validate's job and are skipped.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";

const MODELS = {
  "external-secrets.io/v1/ExternalSecret": ExternalSecret,
};

// API groups of core Kubernetes: no dot in the group, or a k8s.io group.
const isCore = (apiVersion) => !apiVersion.includes("/") || !apiVersion.split("/")[0].includes(".") ||
  apiVersion.split("/")[0].endsWith(".k8s.io");

let checked = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object = doc.toJS();
    if (!object || typeof object !== "object" || !object.apiVersion || isCore(object.apiVersion)) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    const Model = MODELS[key];
    if (!Model) {
      console.error(`${file}: no validator for ${key}`);
      failed += 1;
      continue;
    }
    try {
      new Model(object).validate();
      checked += 1;
    } catch (error) {
      console.error(`${file}: ${key} ${object.metadata?.name}: ${error.message}`);
      failed += 1;
    }
  }
}
console.log(`validate-crds: ${checked} valid, ${failed} invalid`);
process.exit(failed > 0 ? 1 : 0);
