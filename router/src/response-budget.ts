import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { RouterContext } from './context';
import { LIMIT_ERROR_CODE } from './operation-limits';

/**
 * The bytes one request may pull from the subgraphs, so a small query cannot make the router hold
 * megabytes: every subgraph answer of the request is counted against it, a fetch stops reading
 * once it would go over, and the request then ends with one clear error (what was read is dropped
 * with the request). The HTTP front caps the serialized answer at the same size, which also
 * covers an answer that repeats one entity many times.
 */
export class ResponseBudget {
  private used = 0;
  exceeded = false;

  constructor(readonly limit: number) {}

  /** Bytes still allowed; Infinity when there is no limit. */
  get remaining(): number {
    return this.limit > 0 ? Math.max(0, this.limit - this.used) : Infinity;
  }

  /** Counts a subgraph answer; false (and the budget marked exceeded) when it goes over. */
  spend(bytes: number): boolean {
    this.used += bytes;
    if (this.limit > 0 && this.used > this.limit) this.exceeded = true;
    return !this.exceeded;
  }
}

/** The error a client gets for an answer over the limit: like every limit, the operation asks too much as written. */
export function responseTooLargeError(limit: number): GraphQLError {
  return new GraphQLError(
    `The answer to this operation is larger than ${limit} bytes, the most this router sends: ask for fewer items (a smaller first:) or fewer fields.`,
    { extensions: { code: LIMIT_ERROR_CODE, limit: 'responseBytes', max: limit, http: { status: 400 } } },
  );
}

/** Replaces the answer of a request that went over its budget with that one error, and no data. */
export function responseBudgetPlugin(): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const budget = contextValue.responseBudget;
          if (!budget?.exceeded || response.body.kind !== 'single') return;
          // After formatting: the error goes out as written, its HTTP status set here.
          const { http: _status, ...extensions } = responseTooLargeError(budget.limit).extensions;
          response.body.singleResult = { errors: [{ message: responseTooLargeError(budget.limit).message, extensions }] };
          response.http.status = 400;
        },
      };
    },
  };
}
