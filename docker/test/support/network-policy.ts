import type { K8sObject } from './k8s';

/** One end of a connection: a pod (its labels and namespace) or an address outside the cluster. */
export type Endpoint =
  | { pod: Record<string, string>; namespace: string; namespaceLabels?: Record<string, string> }
  | { ip: string };

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: { port?: number; protocol?: string }[];
}

function matches(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  // Only what the manifests use is understood; anything else must not pass unnoticed.
  if (selector.matchExpressions?.length) throw new Error('matchExpressions are not modelled by this test');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

const toNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toNumber(base) / size) * size;
  return toNumber(ip) >= start && toNumber(ip) < start + size;
}

function peerMatches(peer: Peer, endpoint: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) {
    return 'ip' in endpoint && inCidr(endpoint.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(endpoint.ip, c));
  }
  if (!('pod' in endpoint)) return false;
  const namespaceLabels = endpoint.namespaceLabels ?? { 'kubernetes.io/metadata.name': endpoint.namespace };
  // Without a namespaceSelector a peer means pods of the policy's own namespace.
  const namespaceOk = peer.namespaceSelector ? matches(peer.namespaceSelector, namespaceLabels) : endpoint.namespace === policyNamespace;
  return namespaceOk && matches(peer.podSelector, endpoint.pod);
}

function ruleAllows(rule: Rule, peers: Peer[] | undefined, other: Endpoint, port: number, namespace: string): boolean {
  const portOk = !rule.ports?.length || rule.ports.some((p) => p.port === undefined || (p.port === port && (p.protocol ?? 'TCP') === 'TCP'));
  const peerOk = !peers?.length || peers.some((peer) => peerMatches(peer, other, namespace));
  return portOk && peerOk;
}

/** Whether the policies let one side of a TCP connection through, from the side of `self`. */
function sideAllows(policies: K8sObject[], self: Endpoint, other: Endpoint, port: number, direction: 'Egress' | 'Ingress'): boolean {
  if (!('pod' in self)) return true; // outside the cluster: no NetworkPolicy applies
  const selecting = policies.filter(
    (p) => (p.metadata.namespace ?? 'default') === self.namespace && p.spec.policyTypes.includes(direction) && matches(p.spec.podSelector, self.pod),
  );
  if (selecting.length === 0) return true;
  const rules = selecting.flatMap((p) => ((direction === 'Egress' ? p.spec.egress : p.spec.ingress) ?? []) as Rule[]);
  return rules.some((rule) => ruleAllows(rule, direction === 'Egress' ? rule.to : rule.from, other, port, self.namespace));
}

/** A TCP connection from → to:port is allowed when the source's egress and the target's ingress allow it. */
export function connectionAllowed(objects: K8sObject[], from: Endpoint, to: Endpoint, port: number): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  return sideAllows(policies, from, to, port, 'Egress') && sideAllows(policies, to, from, port, 'Ingress');
}

/** Whether the target's ingress policies alone admit the source (defence in depth, whatever the source's egress). */
export function ingressAllowed(objects: K8sObject[], from: Endpoint, to: Endpoint, port: number): boolean {
  return sideAllows(objects.filter((o) => o.kind === 'NetworkPolicy'), to, from, port, 'Ingress');
}
