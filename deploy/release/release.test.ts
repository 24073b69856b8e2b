import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { combine, errorRate, parseRequestCounts, quantile, windowBetween, type RequestCounts } from './api-metrics.js';
import { canaryDeploymentFrom, canaryReplicas, type DeploymentJson } from './k8s-canary.js';
import { renderApiUpstream, restingComposeUpstream, weightsFor } from './upstream.js';
import { decideCanary, defaultCanaryPolicy, type CanaryPolicy } from './verdict.js';

const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, Infinity];

/** A window of `requests` requests, `errors` of them 5xx, every one taking about `seconds`. */
function window(requests: number, errors: number, seconds: number): RequestCounts {
  return {
    requests,
    serverErrors: errors,
    buckets: new Map(bounds.map((le) => [le, seconds <= le ? requests : 0])),
  };
}

const policy: CanaryPolicy = { ...defaultCanaryPolicy, analysisMs: 60_000, minRequests: 100 };

describe('parseRequestCounts', () => {
  const text = [
    '# HELP http_request_duration_seconds HTTP request latency by route template, method and status code',
    '# TYPE http_request_duration_seconds histogram',
    'http_request_duration_seconds_bucket{le="0.05",method="GET",route="/v1/events",status_code="200"} 90',
    'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/events",status_code="200"} 95',
    'http_request_duration_seconds_count{method="GET",route="/v1/events",status_code="200"} 95',
    'http_request_duration_seconds_bucket{le="0.05",method="POST",route="/v1/holds",status_code="503"} 1',
    'http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/v1/holds",status_code="503"} 5',
    'http_request_duration_seconds_count{method="POST",route="/v1/holds",status_code="503"} 5',
    'http_request_duration_seconds_count{method="GET",route="/ready",status_code="503"} 40',
    'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/ready",status_code="503"} 40',
    'process_cpu_seconds_total 12.5',
  ].join('\n');

  it('sums requests, 5xx and buckets over routes, leaving probes and scrapes out', () => {
    const c = parseRequestCounts(text);
    assert.equal(c.requests, 100);
    assert.equal(c.serverErrors, 5);
    assert.deepEqual(
      [...c.buckets],
      [
        [0.05, 91],
        [Infinity, 100],
      ],
    );
    assert.equal(errorRate(c), 0.05);
  });

  it('finds nothing in a text without the histogram', () => {
    assert.deepEqual(parseRequestCounts('process_cpu_seconds_total 1\n'), {
      requests: 0,
      serverErrors: 0,
      buckets: new Map(),
    });
  });
});

describe('windows and quantiles', () => {
  it('subtracts two scrapes, and takes the later one alone after a restart', () => {
    const before = window(100, 1, 0.02);
    const after = window(350, 4, 0.02);
    assert.deepEqual(windowBetween(before, after), window(250, 3, 0.02));
    const restarted = window(30, 0, 0.02);
    assert.deepEqual(windowBetween(after, restarted), restarted);
  });

  it('interpolates the p99 inside its bucket, as histogram_quantile does', () => {
    // 100 requests: 98 under 10 ms, 2 between 100 and 250 ms → rank 99 is halfway through the (0.1, 0.25] bucket
    const w: RequestCounts = {
      requests: 100,
      serverErrors: 0,
      buckets: new Map([
        [0.01, 98],
        [0.1, 98],
        [0.25, 100],
        [Infinity, 100],
      ]),
    };
    assert.equal(quantile(w, 0.99), 0.175);
    assert.equal(quantile(window(0, 0, 0.01), 0.99), undefined);
    assert.equal(quantile(window(10, 0, 9), 0.99), 5, 'past the last finite bound: that bound');
  });

  it('combines replicas', () => {
    assert.deepEqual(combine([window(10, 1, 0.02), window(30, 2, 0.02)]), window(40, 3, 0.02));
  });
});

describe('decideCanary', () => {
  const stable = window(2000, 4, 0.02);

  it('holds while the analysis runs and the canary is as good as stable', () => {
    const d = decideCanary(window(300, 1, 0.02), stable, 30_000, policy);
    assert.equal(d.verdict, 'hold');
  });

  it('promotes a canary as good as stable once the analysis time is over', () => {
    const d = decideCanary(window(300, 1, 0.02), stable, 60_000, policy);
    assert.equal(d.verdict, 'promote');
    assert.equal(d.comparison.canary.requests, 300);
  });

  it('rolls back at once on an error rate well above stable, with the figures in the reason', () => {
    const d = decideCanary(window(300, 15, 0.02), stable, 5_000, policy);
    assert.equal(d.verdict, 'rollback');
    assert.match(d.reasons[0]!, /^error rate 5\.00 % > 1\.20 % \(stable 0\.20 %\)$/);
  });

  it('tolerates a small absolute rise in errors (one bad request is no regression)', () => {
    assert.equal(decideCanary(window(300, 2, 0.02), stable, 60_000, policy).verdict, 'promote');
  });

  it('rolls back on a p99 both 1.5× and 50 ms above stable, not on fast-route jitter', () => {
    assert.equal(decideCanary(window(300, 0, 0.4), stable, 10_000, policy).verdict, 'rollback');
    // 20 ms → 40 ms: twice as slow but within the 50 ms slack
    assert.equal(decideCanary(window(300, 0, 0.04), stable, 60_000, policy).verdict, 'promote');
  });

  it('does not judge rates on too few requests, and rolls back a canary nobody exercised', () => {
    assert.equal(decideCanary(window(20, 10, 0.02), stable, 30_000, policy).verdict, 'hold');
    const d = decideCanary(window(20, 0, 0.02), stable, 60_000, policy);
    assert.equal(d.verdict, 'rollback');
    assert.match(d.reasons[0]!, /not enough to judge/);
  });
});

describe('the API upstream', () => {
  it('weighs a canary share over the stable replicas', () => {
    for (const [n, p] of [
      [2, 10],
      [2, 50],
      [3, 5],
    ] as const) {
      const w = weightsFor(n, p);
      assert.equal(w.canary / (w.canary + n * w.stable), p / 100, `${n} stable, ${p} %`);
    }
    assert.throws(() => weightsFor(2, 0), { code: 'SS_ERR_RELEASE_UPSTREAM' });
    assert.throws(() => weightsFor(2, 100), { code: 'SS_ERR_RELEASE_UPSTREAM' });
  });

  it('renders weights, a drained replica and the canary', () => {
    const text = renderApiUpstream({
      stable: [{ address: 'api-1:8080', down: true }, { address: 'api-2:8080' }],
      canary: { address: 'api-canary:8080', percent: 10 },
    });
    assert.match(text, /server api-1:8080 weight=90 down max_fails/);
    assert.match(text, /server api-2:8080 weight=90 max_fails/);
    assert.match(text, /server api-canary:8080 weight=20 max_fails/);
    assert.throws(() => renderApiUpstream({ stable: [{ address: 'api-1:8080', down: true }] }), {
      code: 'SS_ERR_RELEASE_UPSTREAM',
    });
  });

  it('is what deploy/nginx/upstreams/api.conf holds between releases', () => {
    const committed = readFileSync(new URL('../nginx/upstreams/api.conf', import.meta.url), 'utf8');
    assert.equal(committed, restingComposeUpstream());
  });
});

describe('the Kubernetes canary', () => {
  it('sizes the canary for its share of requests, never below one pod', () => {
    assert.equal(canaryReplicas(2, 10), 1);
    assert.equal(canaryReplicas(9, 10), 1);
    assert.equal(canaryReplicas(18, 10), 2);
    assert.equal(canaryReplicas(4, 50), 4);
    assert.throws(() => canaryReplicas(2, 0), RangeError);
  });

  it('is the stable Deployment with the new image, its own track, and none of the live bookkeeping', () => {
    const stable: DeploymentJson = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'api',
        namespace: 'seatstream',
        labels: { 'app.kubernetes.io/name': 'api' },
        uid: 'abc',
        resourceVersion: '42',
        annotations: { 'deployment.kubernetes.io/revision': '7' },
      },
      spec: {
        replicas: 6,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'seatstream.io/track': 'stable' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'api', 'seatstream.io/track': 'stable' } },
          spec: { containers: [{ name: 'api', image: 'seatstream:1.0.0' }] },
        },
      },
      status: { readyReplicas: 6 },
    };
    const canary = canaryDeploymentFrom(stable, 'seatstream:1.1.0', 1);
    assert.deepEqual(canary.metadata, {
      name: 'api-canary',
      namespace: 'seatstream',
      labels: { 'app.kubernetes.io/name': 'api', 'seatstream.io/track': 'canary' },
    });
    assert.equal(canary.status, undefined);
    assert.equal(canary.spec.replicas, 1);
    assert.deepEqual(canary.spec.selector.matchLabels, {
      'app.kubernetes.io/name': 'api',
      'seatstream.io/track': 'canary',
    });
    assert.equal(canary.spec.template.metadata.labels['seatstream.io/track'], 'canary');
    assert.equal(canary.spec.template.spec.containers[0]!.image, 'seatstream:1.1.0');
    assert.equal(stable.spec.template.spec.containers[0]!.image, 'seatstream:1.0.0', 'the stable object is untouched');
    assert.throws(() => canaryDeploymentFrom(stable, 'x', 1, 'sidecar'), /no container sidecar/);
  });
});
