// The image's health check: GET http://127.0.0.1:$HEALTH_PORT$HEALTH_PATH answers 2xx within 4 s. Each service
// sets HEALTH_PORT and HEALTH_PATH to its own /health, /ready or /metrics; a service without them (a plain
// consumer with no HTTP endpoint) counts as healthy while its process runs.
const port = process.env.HEALTH_PORT;
if (!port) process.exit(0);
const url = `http://127.0.0.1:${port}${process.env.HEALTH_PATH || '/health'}`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
