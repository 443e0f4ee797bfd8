import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { MemoryRateLimitStore, parseEnv, RateLimiter } from '@storefront/kit';
import { testKeys } from '@storefront/testing';
import type { RouterContext } from '../context';
import { envSchema } from '../env';
import { RulesBySchema } from '../operation-guard';
import { assemblePipeline, describePipeline, type Stage } from '../pipeline';
import { operationLimits } from '../server';
import { routerStages } from '../stages';

const noContext = async () => ({}) as RouterContext;

/** A stage whose every hook writes `<name>:<hook>` to `log`, after a turn of the event loop for `slow`. */
function recording(name: string, log: string[], options: { slow?: boolean; answer?: boolean } = {}): Stage {
  const wait = () => (options.slow ? new Promise((resolve) => setImmediate(resolve)) : undefined);
  const plugin: ApolloServerPlugin<RouterContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation() {
          await wait();
          log.push(`${name}:didResolveOperation`);
        },
        async responseForOperation() {
          log.push(`${name}:responseForOperation`);
          return options.answer ? { body: { kind: 'single', singleResult: { data: { from: name } } }, http: { headers: new Map(), status: undefined } } as never : null;
        },
        async willSendResponse() {
          await wait();
          log.push(`${name}:willSendResponse`);
        },
      };
    },
  };
  return {
    name,
    does: `records ${name}`,
    edge: async () => {
      await wait();
      log.push(`${name}:edge`);
    },
    plugins: [plugin],
  };
}

async function request(stages: Stage[]) {
  const pipeline = assemblePipeline(stages);
  await pipeline.preflight({} as never, {} as never, {} as never);
  const listener = (await pipeline.plugin.requestDidStart!({} as never))!;
  await listener.didResolveOperation!({} as never);
  const response = await listener.responseForOperation!({} as never);
  await listener.willSendResponse!({} as never);
  return response;
}

describe('the pipeline', () => {
  it('runs every hook stage after stage in list order, each awaited before the next starts', async () => {
    const log: string[] = [];
    const stages = [{ ...recording('first', log, { slow: true }), context: noContext }, recording('second', log)];
    await request(stages);
    expect(log).toEqual([
      'first:edge',
      'second:edge',
      'first:didResolveOperation',
      'second:didResolveOperation',
      'first:responseForOperation',
      'second:responseForOperation',
      'first:willSendResponse',
      'second:willSendResponse',
    ]);
  });

  it('moves a stage by moving its entry', async () => {
    const log: string[] = [];
    await request([recording('second', log), { ...recording('first', log), context: noContext }]);
    expect(log.filter((l) => l.endsWith(':edge'))).toEqual(['second:edge', 'first:edge']);
  });

  it('takes the first stage answer from responseForOperation and asks no later stage', async () => {
    const log: string[] = [];
    const response = await request([{ ...recording('cache', log, { answer: true }), context: noContext }, recording('later', log)]);
    expect(response).toMatchObject({ body: { singleResult: { data: { from: 'cache' } } } });
    expect(log.filter((l) => l.endsWith(':responseForOperation'))).toEqual(['cache:responseForOperation']);
  });

  it('stops at the edge hook that refuses: the stages after it do not run', async () => {
    const log: string[] = [];
    const refusing: Stage = { name: 'refusing', does: 'refuses', context: noContext, edge: () => Promise.reject(new Error('refused')) };
    await expect(request([refusing, recording('after', log)])).rejects.toThrow('refused');
    expect(log).toEqual([]);
  });

  it('refuses a list with a stage twice, no context or two, and server hooks in a stage, all at once', () => {
    const log: string[] = [];
    const serverHook: Stage = { name: 'metrics', does: '', plugins: [{ serverWillStart: async () => undefined }] };
    expect(() => assemblePipeline([recording('a', log), recording('a', log), serverHook])).toThrow(
      `The router's stage list is wrong: stage "a" is listed twice; exactly one stage builds the context; none do; stage "metrics" has server hooks (serverWillStart): register those beside the pipeline`,
    );
  });

  it('refuses a hook it would not run, rather than skip it', async () => {
    const stage: Stage = { name: 'odd', does: '', context: noContext, plugins: [{ requestDidStart: async () => ({ executionDidStart: async () => undefined }) }] };
    await expect(assemblePipeline([stage]).plugin.requestDidStart!({} as never)).rejects.toThrow(
      'stage "odd" uses executionDidStart, which the pipeline does not run',
    );
  });
});

describe("the router's stages", () => {
  const limiter = new RateLimiter(new MemoryRateLimitStore(), { limit: 0, windowMs: 1000, prefix: 't' });
  const stages = routerStages({
    publicKey: createPublicKey(testKeys().publicKeyPem),
    tokens: null,
    limiters: { client: limiter, address: limiter },
    trustedProxyHops: 0,
    limits: operationLimits(parseEnv(envSchema, {})),
    maxResponseBytes: 0,
    rules: new RulesBySchema(),
    responseCache: { requestDidStart: async () => ({}) },
  });

  it('are edge, identity, limits, authorization, cache, plan, execute, fetch, and assemble', () => {
    expect(stages.map((s) => s.name)).toEqual(['edge', 'identity', 'limits', 'authorization', 'cache', 'plan', 'execute', 'fetch']);
    expect(() => assemblePipeline(stages)).not.toThrow();
  });

  it('are listed in router/README.md as stages.ts says them', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(describePipeline(stages));
  });
});
