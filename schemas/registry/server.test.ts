/**
 * What the registry answers before its log is read — no broker needed: the Kafka clients connect
 * only in start(), which these tests never call.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createRegistryServer } from './server.js';

describe('a registry that has not read its log yet', () => {
  const server = createRegistryServer({ brokers: ['127.0.0.1:9'] });
  after(() => server.stop());

  it('answers 503 on data routes, so a supervisor waits for GET /subjects → 200', async () => {
    for (const url of ['/subjects', '/schemas/ids/1', '/config', '/schemas/types']) {
      const res = await server.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 503, url);
      assert.equal(res.json().error_code, 50301);
    }
    const post = await server.app.inject({
      method: 'POST',
      url: '/subjects/s/versions',
      payload: { schema: '"string"' },
    });
    assert.equal(post.statusCode, 503);
  });

  it('answers GET / and GET /metrics', async () => {
    const root = await server.app.inject({ method: 'GET', url: '/' });
    assert.equal(root.statusCode, 200);
    assert.deepEqual(root.json(), {});
    assert.match(root.headers['content-type'] as string, /^application\/vnd\.schemaregistry\.v1\+json/);
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /^schema_registry_ready 0$/m);
  });
});
