import type { GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import pino from 'pino';
import type { RouterContext } from '../context';
import { formatRouterError, valueCompletionErrors } from '../error-masking';

describe('formatRouterError', () => {
  it.each([
    ['BAD_REQUEST', 'BAD_USER_INPUT'],
    ['OPERATION_RESOLUTION_FAILURE', 'BAD_USER_INPUT'],
    ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED'],
    ['PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_FOUND'],
  ])("answers Apollo Server's %s with the contract's %s and keeps the message", (code, contract) => {
    expect(formatRouterError({ message: 'what went wrong', extensions: { code } })).toEqual({ message: 'what went wrong', extensions: { code: contract } });
  });

  it('still masks what is not a client mistake', () => {
    expect(formatRouterError({ message: 'connect ECONNREFUSED', extensions: { code: 'INTERNAL_SERVER_ERROR' } }).message).toBe('Internal server error');
  });
});

describe('valueCompletionErrors', () => {
  async function send(singleResult: Record<string, unknown>) {
    const listener = (await valueCompletionErrors.requestDidStart!({} as never)) as GraphQLRequestListener<RouterContext>;
    const response = { body: { kind: 'single', singleResult }, http: { headers: new Map(), status: undefined } };
    await listener.willSendResponse!({ response, contextValue: { log: pino({ level: 'silent' }) } } as unknown as GraphQLRequestContextWillSendResponse<RouterContext>);
    return response.body.singleResult;
  }

  it("turns the gateway's valueCompletion extension (INVALID_GRAPHQL) into errors at their paths with a contract code", async () => {
    const result = await send({
      data: { product: null },
      extensions: { valueCompletion: [{ message: 'Cannot return null for non-nullable field Product.name.', path: ['product', 'name'], extensions: { code: 'INVALID_GRAPHQL' } }] },
    });
    expect(result).toEqual({
      data: { product: null },
      errors: [{ message: 'Cannot return null for non-nullable field Product.name.', path: ['product', 'name'], extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }],
    });
  });

  it('leaves an answer without them as it is', async () => {
    expect(await send({ data: { a: 1 }, extensions: { other: true } })).toEqual({ data: { a: 1 }, extensions: { other: true } });
  });
});
