/**
 * The Kubernetes side of a canary, as data: how many canary pods give a share of the requests, and the canary
 * Deployment made from the stable one (deploy/k8s/20-api.yaml). The Service selects every API pod
 * (`app.kubernetes.io/name: api`), so requests divide by ready pods: c canary pods beside s stable ones get
 * c / (c + s) of them. Pure: deploy/scripts/canary.ts reads the live Deployment and applies the result.
 */

export const TRACK_LABEL = 'seatstream.io/track';

/** Canary pods for about `percent` % of the requests beside `stableReplicas` (at least one). */
export function canaryReplicas(stableReplicas: number, percent: number): number {
  if (!Number.isInteger(percent) || percent < 1 || percent > 99)
    throw new RangeError(`canary share must be an integer percent in [1, 99] (got ${percent})`);
  return Math.max(1, Math.round((stableReplicas * percent) / (100 - percent)));
}

interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}
export interface DeploymentJson {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; image: string }[] } };
    [k: string]: unknown;
  };
  status?: unknown;
}

/**
 * The canary Deployment: the stable one's pod template with the new image in `container`, track "canary" in its
 * selector and labels, `replicas` pods, and nothing of the live object's bookkeeping (status, uid, revision).
 */
export function canaryDeploymentFrom(
  stable: DeploymentJson,
  image: string,
  replicas: number,
  container = 'api',
): DeploymentJson {
  const copy = JSON.parse(JSON.stringify(stable)) as DeploymentJson;
  const c = copy.spec.template.spec.containers.find((x) => x.name === container);
  if (!c) throw new Error(`the Deployment ${stable.metadata.name} has no container ${container}`);
  c.image = image;
  const track = { [TRACK_LABEL]: 'canary' };
  return {
    apiVersion: copy.apiVersion,
    kind: copy.kind,
    metadata: {
      name: `${stable.metadata.name}-canary`,
      ...(copy.metadata.namespace ? { namespace: copy.metadata.namespace } : {}),
      labels: { ...copy.metadata.labels, ...track },
    },
    spec: {
      ...copy.spec,
      replicas,
      selector: { matchLabels: { ...copy.spec.selector.matchLabels, ...track } },
      template: {
        ...copy.spec.template,
        metadata: { ...copy.spec.template.metadata, labels: { ...copy.spec.template.metadata.labels, ...track } },
      },
    },
  };
}
