import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { defaultSupergraphPath } from '../../router/src/supergraph';
import { dockerIgnored, parseDockerfile, readDockerignore } from './support/dockerfile';
import { defaultPort, PROBES, repo, ROOT, SERVICES, SUBGRAPHS } from './support/services';

const DOCKERFILE = repo('docker', 'Dockerfile');
const instructions = parseDockerfile(DOCKERFILE);
const inStage = (stage: string, keyword: string) =>
  instructions.filter((i) => i.stage === stage && i.keyword === keyword).map((i) => i.args);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** What docker/image.mjs declares, read from the module itself (ESM, hence a child process). */
const imageModule = JSON.parse(
  execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `import { RUNTIME_ASSETS, BUILD_FILES } from ${JSON.stringify(repo('docker', 'image.mjs'))}; console.log(JSON.stringify({ RUNTIME_ASSETS, BUILD_FILES }))`],
    { encoding: 'utf8' },
  ),
) as { RUNTIME_ASSETS: Record<string, string[]>; BUILD_FILES: string[] };

/** The build arguments compose passes per service: the one place that lists the images. */
const composeBuilds = (() => {
  const compose = parse(readFileSync(repo('docker', 'compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { build?: { context: string; dockerfile: string; args: Record<string, string> } }>;
  };
  return Object.fromEntries(
    Object.entries(compose.services).flatMap(([name, s]) => (s.build ? [[name, s.build] as const] : [])),
  );
})();

describe('docker/Dockerfile', () => {
  it('builds in three stages, prune → build → runtime, and the runtime is the final image', () => {
    const stages = [...new Set(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.stage))];
    expect(stages).toEqual(['base', 'prune', 'build', 'runtime']);
    expect(inStage('prune', 'RUN').join('\n')).toContain('node docker/image.mjs prune "${WORKSPACE}" /out');
    expect(inStage('build', 'RUN')).toEqual(expect.arrayContaining(['npm ci --ignore-scripts', 'npx turbo run build --output-logs=errors-only']));
  });

  it('runs on Node 20, the major version the root package.json engines field names', () => {
    const engines = readJson(repo('package.json')).engines.node as string;
    const image = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='))!.args.split('=')[1]!;
    expect(image).toMatch(/^node:20(\.\d+)*-(slim|alpine)/);
    expect(engines).toMatch(/^>=20\./);
  });

  it('installs only production dependencies in the runtime stage, and never runs install scripts', () => {
    expect(inStage('runtime', 'RUN').some((r) => r.startsWith('npm ci --omit=dev --ignore-scripts'))).toBe(true);
    expect(instructions.filter((i) => i.keyword === 'RUN' && i.args.includes('npm ci')).every((i) => i.args.includes('--ignore-scripts'))).toBe(true);
  });

  it('runs as the unprivileged node user, with a writable data folder for it', () => {
    expect(inStage('runtime', 'USER')).toEqual(['node']);
    expect(inStage('runtime', 'RUN').some((r) => r.includes('mkdir -p /app/.data') && r.includes('chown node:node /app/.data'))).toBe(true);
  });

  it('probes liveness with node (no curl in the slim image) on the contract path /health', () => {
    const [healthcheck] = inStage('runtime', 'HEALTHCHECK');
    expect(healthcheck).toContain(`CMD ["node", "/app/healthcheck.mjs", "${PROBES.liveness}"]`);
    expect(inStage('runtime', 'COPY')).toContain('docker/healthcheck.mjs /app/healthcheck.mjs');
  });

  it('starts the workspace the way its package.json does: node dist/index.js in the workspace folder', () => {
    expect(inStage('runtime', 'WORKDIR')).toEqual(['/app/${WORKSPACE}']);
    expect(inStage('runtime', 'CMD')).toEqual(['["node", "dist/index.js"]']);
    for (const svc of SERVICES) {
      const manifest = readJson(repo(svc.workspace, 'package.json'));
      expect(manifest.scripts.start).toBe('node dist/index.js');
      expect(manifest.scripts.build).toBe('tsc -p tsconfig.build.json');
      expect(existsSync(repo(svc.workspace, 'src', 'index.ts'))).toBe(true);
    }
  });

  it('sets the PORT env and EXPOSE from the PORT build argument, which the healthcheck reads', () => {
    expect(inStage('runtime', 'ENV').join(' ')).toContain('PORT=${PORT}');
    expect(inStage('runtime', 'EXPOSE')).toEqual(['${PORT}']);
  });

  it('copies from the build context only files that exist', () => {
    const contextCopies = instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'));
    expect(contextCopies.length).toBeGreaterThan(0);
    for (const copy of contextCopies) {
      const sources = copy.args.replace(/--\S+\s+/g, '').split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(repo(source))).toBe(true);
    }
  });

  describe.each(Object.entries(composeBuilds))('the %s image, as compose builds it', (name, build) => {
    const svc = SERVICES.find((s) => s.name === name)!;

    it('builds from the repository root with this Dockerfile', () => {
      expect(svc).toBeDefined();
      expect(join(repo('docker'), build.context)).toBe(ROOT);
      expect(join(ROOT, build.dockerfile)).toBe(DOCKERFILE);
    });

    it('names its workspace folder and the port its env schema and the contract give it', () => {
      expect(build.args.WORKSPACE).toBe(svc.workspace);
      expect(Number(build.args.PORT)).toBe(defaultPort(svc));
      expect(Number(build.args.PORT)).toBe(svc.port);
    });
  });

  it('has an image for every deployable in compose', () => {
    expect(Object.keys(composeBuilds).sort()).toEqual(SERVICES.map((s) => s.name).sort());
  });
});

describe('what the image build copies besides the pruned workspaces (docker/image.mjs)', () => {
  it('ships the router its default supergraph and persisted-operations safelist, where the router looks for them', () => {
    const assets = imageModule.RUNTIME_ASSETS.router!;
    expect(assets).toEqual([relative(ROOT, defaultSupergraphPath()), 'schema/persisted-operations.json']);
    for (const asset of assets) expect(existsSync(repo(asset))).toBe(true);
  });

  it('ships each subgraph the SDL file its server loads at start-up', () => {
    for (const svc of SUBGRAPHS) {
      expect(existsSync(repo(svc.workspace, 'src', 'schema.graphql'))).toBe(true);
      // stage() copies src/**/*.graphql next to dist/, so this path resolves in the image.
      expect(readFileSync(repo(svc.workspace, 'src', 'server.ts'), 'utf8')).toContain(
        "loadTypeDefs(join(__dirname, '..', 'src', 'schema.graphql'))",
      );
    }
  });

  it('adds every file outside the workspaces that their tsconfigs extend (turbo prune leaves them out)', () => {
    const needed = new Set<string>();
    const workspaces = ['packages/kit', ...SERVICES.map((s) => s.workspace)];
    for (const workspace of workspaces) {
      for (const file of ['tsconfig.json', 'tsconfig.build.json']) {
        let path = repo(workspace, file);
        while (existsSync(path)) {
          const { extends: parent } = readJson(path) as { extends?: string };
          if (!parent) break;
          path = join(dirname(path), parent);
          const fromRoot = relative(ROOT, path);
          if (!fromRoot.startsWith(workspace)) needed.add(fromRoot);
        }
      }
    }
    expect([...needed].sort()).toEqual([...imageModule.BUILD_FILES].sort());
  });
});

describe('.dockerignore', () => {
  const patterns = readDockerignore(repo('.dockerignore'));

  it.each([
    'node_modules/zod/index.js',
    'subgraphs/users/node_modules/x/index.js',
    'packages/kit/dist/index.js',
    '.data/products.sqlite',
    '.git/HEAD',
    'docker/.env',
    'docker/k8s/overlays/prod/secrets/jwt-private.pem',
    'keys/dev.pem',
  ])('keeps %s out of the build context', (path) => {
    expect(dockerIgnored(patterns, path)).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'turbo.json',
    'tsconfig.json',
    'docker/image.mjs',
    'docker/healthcheck.mjs',
    'schema/supergraph.graphql',
    'packages/kit/src/index.ts',
    'subgraphs/users/src/schema.graphql',
    'router/src/index.ts',
  ])('sends %s, which the build needs', (path) => {
    expect(existsSync(repo(path))).toBe(true);
    expect(dockerIgnored(patterns, path)).toBe(false);
  });
});
