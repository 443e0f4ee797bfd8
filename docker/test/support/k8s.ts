import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { repo } from './services';

/** A Kubernetes object, loosely typed: tests read what they check. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

export const readManifests = (path: string): K8sObject[] => parseManifests(readFileSync(path, 'utf8'));

/** Validates objects with kubernetes-models; returns one line per invalid object. */
export function validate(objects: K8sObject[]): string[] {
  // kustomize folds long base64 values over lines; the API server's decoder skips the newlines,
  // the schema's "byte" pattern does not.
  const normalized = objects.map((o) =>
    o.kind === 'Secret' && o.data
      ? { ...o, data: Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) }
      : o,
  );
  const result = spawnSync(process.execPath, [join(__dirname, 'validate-k8s.mjs')], {
    input: JSON.stringify(normalized),
    encoding: 'utf8',
    cwd: repo(),
  });
  if (result.status !== 0) throw new Error(`validate-k8s.mjs failed: ${result.stderr}`);
  const problems = JSON.parse(result.stdout) as { kind: string; name: string; error: string }[];
  return problems.map((p) => `${p.kind} ${p.name}: ${p.error}`);
}

export const kubectlAvailable = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Renders an overlay with kubectl's built-in kustomize, in a copy of docker/ whose overlay gets
 * secrets freshly made by docker/make-secrets.mjs, as an operator would (the real secrets/ folders
 * are git-ignored and absent from a clean checkout).
 */
export function renderOverlay(overlay: string, makeSecretsArgs: string[] = []): { objects: K8sObject[]; secretsDir: string } {
  const copy = mkdtempSync(join(tmpdir(), 'storefront-k8s-'));
  cpSync(repo('docker', 'k8s'), join(copy, 'k8s'), { recursive: true, filter: (src) => !src.includes(`${join('overlays', overlay, 'secrets')}`) });
  cpSync(repo('docker', 'mysql'), join(copy, 'mysql'), { recursive: true });
  const secretsDir = join(copy, 'k8s', 'overlays', overlay, 'secrets');
  execFileSync(process.execPath, [repo('docker', 'make-secrets.mjs'), 'k8s', overlay, '--out', secretsDir, ...makeSecretsArgs], { stdio: 'ignore' });
  const output = execFileSync('kubectl', ['kustomize', join(copy, 'k8s', 'overlays', overlay)], { encoding: 'utf8' });
  return { objects: parseManifests(output), secretsDir };
}

/** The kustomizations of the setup: the base, the overlays, and the dev cluster's MySQL. */
export const KUSTOMIZATIONS = ['docker/k8s/base', 'docker/k8s/overlays/dev', 'docker/k8s/overlays/prod', 'docker/mysql'];

export interface Kustomization {
  resources?: string[];
  patches?: { path?: string; patch?: string; target?: Record<string, string> }[];
  configMapGenerator?: { name: string; files?: string[]; options?: { disableNameSuffixHash?: boolean } }[];
  secretGenerator?: { name: string; files?: string[]; envs?: string[] }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  namespace?: string;
}

export const readKustomization = (dir: string): Kustomization =>
  parse(readFileSync(repo(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;

/** The object files each kustomization lists as resources (folders are other kustomizations). */
export function resourceFiles(): string[] {
  return KUSTOMIZATIONS.flatMap((dir) =>
    (readKustomization(dir).resources ?? []).filter((r) => /\.ya?ml$/.test(r)).map((r) => repo(dir, r)),
  );
}

/** Decoded value of a Secret or ConfigMap key. */
export function valueOf(object: K8sObject, key: string): string | undefined {
  if (object.kind === 'Secret') {
    const encoded = object.data?.[key];
    return encoded === undefined ? object.stringData?.[key] : Buffer.from(encoded, 'base64').toString('utf8');
  }
  return object.data?.[key];
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
export const named = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
