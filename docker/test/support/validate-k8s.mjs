// Validates Kubernetes objects against the API's OpenAPI schemas with kubernetes-models.
// A child process, because kubernetes-models is ESM-only and jest here runs CommonJS.
// stdin: a JSON array of objects; stdout: a JSON array of { kind, name, error } for the invalid ones
// (kinds the package does not know are reported too, so nothing passes unchecked).
const GROUPS = {
  v1: 'v1',
  'apps/v1': 'apps/v1',
  'autoscaling/v2': 'autoscaling/v2',
  'policy/v1': 'policy/v1',
  'networking.k8s.io/v1': 'networking.k8s.io/v1',
};

async function modelFor(apiVersion, kind) {
  const path = GROUPS[apiVersion];
  if (!path) return undefined;
  const module = await import(`kubernetes-models/${path}`);
  return module[kind];
}

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
}));

const problems = [];
for (const object of input) {
  const name = object?.metadata?.name ?? '(no name)';
  const Model = await modelFor(object.apiVersion, object.kind);
  if (!Model) {
    problems.push({ kind: `${object.apiVersion}/${object.kind}`, name, error: 'no schema for this kind' });
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ kind: object.kind, name, error: error.message });
  }
}
process.stdout.write(JSON.stringify(problems));
