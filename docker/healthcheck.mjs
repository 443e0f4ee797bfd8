// The images' health probe: `node /app/healthcheck.mjs [/health|/ready]` exits 0 when the service
// answers 200 on that path, 1 otherwise. Node, because the slim runtime image has no curl or wget.
// PORT is the service's own port (set in the image, overridable like the service's).
const path = process.argv[2] ?? '/health';
const port = process.env.PORT;
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2000);

if (!port || !/^\d+$/.test(port) || !path.startsWith('/')) {
  console.error(`healthcheck: needs PORT (got ${port ?? 'nothing'}) and a path starting with / (got ${path})`);
  process.exit(1);
}

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) console.error(`healthcheck: ${path} answered ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${path} did not answer: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
