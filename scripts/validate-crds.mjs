// Validates the custom resources in gen's output with models generated from the upstream
// CRDs (@kubernetes-models), independently of gen's own types. Usage:
//   node validate-crds.mjs FILE...
// Exit 0 when every custom object is valid, 1 when one is not or has no validator here.
// Core Kubernetes kinds are kubernetes-validate's job and are skipped.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { VerticalPodAutoscaler } from "@kubernetes-models/autoscaler/autoscaling.k8s.io/v1/VerticalPodAutoscaler";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";

const MODELS = {
  "external-secrets.io/v1/ExternalSecret": ExternalSecret,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
  "autoscaling.k8s.io/v1/VerticalPodAutoscaler": VerticalPodAutoscaler,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
  "gateway.networking.k8s.io/v1/HTTPRoute": HTTPRoute,
};

// The API groups Kubernetes itself serves: the legacy core (`v1`), groups without a dot
// (apps, batch, policy, ...) and these k8s.io groups. Others, including the add-on k8s.io groups
// (autoscaling.k8s.io for the VPA, gateway.networking.k8s.io), are custom resources.
const CORE_DOTTED_GROUPS = new Set([
  "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
  "authentication.k8s.io", "authorization.k8s.io", "certificates.k8s.io",
  "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
  "networking.k8s.io", "node.k8s.io", "rbac.authorization.k8s.io", "resource.k8s.io",
  "scheduling.k8s.io", "storage.k8s.io",
]);
const isCore = (apiVersion) => {
  if (!apiVersion.includes("/")) return true;
  const group = apiVersion.split("/")[0];
  return !group.includes(".") || CORE_DOTTED_GROUPS.has(group);
};

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
