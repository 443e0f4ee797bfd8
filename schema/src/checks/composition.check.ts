import type { CompositionProblem, Composition } from '../compose';
import type { SubgraphSource } from '../config';
import type { CheckResult, Finding } from '../report/report';
import { statusOf } from '../report/report';

const TITLE = 'Composition';

function describe(problem: CompositionProblem): string {
  const parts = [problem.message];
  if (problem.subgraphs.length > 0) parts.push(`subgraphs: ${problem.subgraphs.join(', ')}`);
  if (problem.coordinates.length > 0) parts.push(`involves: ${problem.coordinates.join(', ')}`);
  return parts.join(' — ');
}

function toFinding(problem: CompositionProblem, severity: 'error' | 'warning'): Finding {
  return {
    severity,
    code: problem.code,
    message: describe(problem),
    coordinate: problem.coordinates[0],
    subgraphs: problem.subgraphs,
    locations: problem.locations,
    fix:
      severity === 'error'
        ? 'Make the subgraphs agree on the definitions named above (same types, shareable where shared), then run the check again.'
        : undefined,
  };
}

/** Composition errors fail the check; hints are warnings, as composition itself treats them. */
export function compositionCheck(composition: Composition, sources: readonly Pick<SubgraphSource, 'name'>[]): CheckResult {
  const names = sources.map((s) => s.name).join(', ');
  if (!composition.ok) {
    const findings = composition.errors.map((e) => toFinding(e, 'error'));
    return { id: 'composition', title: TITLE, status: 'fail', summary: `${findings.length} composition error(s) in ${names}`, findings };
  }
  const findings = composition.hints.map((h) => toFinding(h, 'warning'));
  const hints = findings.length > 0 ? ` with ${findings.length} hint(s)` : '';
  return { id: 'composition', title: TITLE, status: statusOf(findings), summary: `${sources.length} subgraphs composed (${names})${hints}`, findings };
}
