import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { analyticsDashboards, DashboardsSetupError } from './plugin.js';

describe('analytics dashboards plugin', () => {
  it('refuses to register without the API guard, saying what is missing', async () => {
    const app = Fastify();
    app.register(analyticsDashboards);
    await assert.rejects(
      async () => app.ready(),
      (err: unknown) => {
        assert.ok(err instanceof DashboardsSetupError);
        assert.equal(err.code, 'SS_ERR_DASHBOARDS_SETUP');
        assert.match(err.message, /register the guard \(api\/auth\/guard\.ts guardPlugin\) before/);
        return true;
      },
    );
    await app.close();
  });
});
