import type { GraphQLResolverMap } from '@apollo/subgraph';
import { UnauthenticatedError, isUuid, validateInput } from '@storefront/kit';
import { z } from 'zod';
import type { OrdersContext } from './order.resolvers';

/** Limits of one order: what a storefront needs, and small enough to reserve in one transaction. */
export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 100;

const placeOrderInput = z.object({
  items: z
    .array(
      z.object({
        productId: z.string().refine(isUuid, { error: (issue) => `product ${JSON.stringify(issue.input)} does not exist` }),
        quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`),
      }),
    )
    .min(1, 'must have at least 1 item')
    .max(MAX_ITEMS, `must have at most ${MAX_ITEMS} items`)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.productId)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'productId'],
            message: `product ${JSON.stringify(item.productId)} appears more than once; give each product once with its total quantity`,
          });
        }
        seen.add(item.productId);
      });
    }),
  idempotencyKey: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters'),
});

export const checkoutResolvers: GraphQLResolverMap<OrdersContext> = {
  Mutation: {
    placeOrder: (_: unknown, { input }: { input: unknown }, ctx: OrdersContext) => {
      if (!ctx.caller) throw new UnauthenticatedError('Sign in to place an order');
      const request = validateInput(placeOrderInput, input);
      return ctx.checkout.placeOrder(ctx.caller.userId, request, ctx.requestId);
    },
    cancelOrder: (_: unknown, { id }: { id: string }, ctx: OrdersContext) => {
      if (!ctx.caller) throw new UnauthenticatedError('Sign in to cancel an order');
      return ctx.checkout.cancelOrder(ctx.caller, id, ctx.requestId);
    },
  },
};
