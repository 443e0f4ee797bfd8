import { executeSync, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Inclusion, ShapeProgram, Step, TypeShape } from './shape-compile';

/**
 * Shapes the merged subgraph answers into the response the client asked for, following the
 * compiled steps: the client's keys in the client's order, fragments by type condition, `__typename`
 * from the API schema, non-null violations nulled up to the nearest nullable parent, and values
 * that do not fit the schema reported. It follows the stock gateway's `computeResponse` rule for
 * rule (the differential test holds the two to it), over plain objects and arrays.
 */

/** The errors of the shaping, in the stock gateway's words and code. */
function shapingError(message: string, path: ReadonlyArray<string | number>): GraphQLError {
  return new GraphQLError(message, { path: [...path], extensions: { code: 'INVALID_GRAPHQL' } });
}

/**
 * A value of a JSON object by key. Values parsed from JSON are never functions, so a function
 * found is one of Object.prototype's and means "absent"; `__proto__` is the one key that is not,
 * and is only trusted as an own property.
 */
function own(object: Record<string, unknown>, key: string): unknown {
  const value = object[key];
  if (typeof value === 'function') return undefined;
  if (key === '__proto__' && !Object.prototype.hasOwnProperty.call(object, key)) return undefined;
  return value;
}

function put(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

class Shaper {
  readonly errors: GraphQLError[] = [];
  /** Steps applied: the shaping's work, which tests hold to the size of document and data. */
  visits = 0;
  private readonly path: (string | number)[] = [];
  // The two flags of the last completed value, kept here rather than in a result object per value.
  private invalid = false;
  private hasErrors = false;
  // The named fragments applied to each output object so far (see FragmentStep.spread).
  private readonly spreadsApplied = new Map<object, Set<string>>();

  constructor(
    private readonly program: ShapeProgram,
    private readonly variables: Record<string, unknown>,
    private readonly schema: GraphQLSchema,
  ) {}

  private included(inclusions: Inclusion[] | undefined): boolean {
    if (!inclusions) return true;
    for (const { variable, keepWhen } of inclusions) {
      const value = this.variables[variable];
      if (typeof value !== 'boolean') throw new Error(`Unexpected value ${String(value)} for variable $${variable}`);
      if (value !== keepWhen) return false;
    }
    return true;
  }

  private describe(type: string, parentType: string): string {
    const element = this.path[this.path.length - 1];
    return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${type} at index ${String(element)}`;
  }

  /** Applies steps to one object; true when a non-null violation must null the object itself. */
  applySteps(input: Record<string, unknown>, steps: Step[], output: Record<string, unknown>, parentType: string): boolean {
    for (const step of steps) {
      this.visits += 1;
      if (step.inclusions && !this.included(step.inclusions)) continue;
      switch (step.kind) {
        case 'field': {
          const outputValue = own(output, step.responseName);
          this.path.push(step.responseName);
          const value = this.complete(outputValue, step.type, own(input, step.responseName) ?? null, step.steps, parentType);
          this.path.pop();
          put(output, step.responseName, value);
          if (this.invalid) return true;
          break;
        }
        case 'typename': {
          if (own(output, step.responseName) !== undefined) break;
          let value = own(input, step.responseName) ?? null;
          if (value === null && step.responseName !== '__typename') value = own(input, '__typename') ?? null;
          const type = typeof value === 'string' && this.schema.getType(value) ? value : parentType;
          if (!this.program.objectTypes.has(type)) return true;
          put(output, step.responseName, type);
          break;
        }
        case 'introspection': {
          if (own(output, step.responseName) === undefined) put(output, step.responseName, this.introspect(step.document));
          break;
        }
        case 'fragment': {
          const typename = own(input, '__typename');
          if (typename !== undefined && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
          if (step.appliesTo && !step.appliesTo.has(typename || parentType)) break;
          if (step.spread !== undefined) {
            let applied = this.spreadsApplied.get(output);
            if (!applied) this.spreadsApplied.set(output, (applied = new Set()));
            if (applied.has(step.spread)) break;
            applied.add(step.spread);
          }
          if (this.applySteps(input, step.steps, output, step.typeCondition ?? parentType)) return true;
          break;
        }
      }
    }
    return false;
  }

  private introspect(document: import('graphql').DocumentNode): unknown {
    const { data, errors } = executeSync({ schema: this.schema, document, rootValue: {}, variableValues: this.variables });
    if (errors?.length) throw errors[0];
    const [value] = Object.values(data ?? {});
    return value;
  }

  /** One value: sets `invalid` (the parent must be nulled) and `hasErrors` (an error was reported below). */
  private complete(outputValue: unknown, type: TypeShape, inputValue: unknown, steps: Step[] | undefined, parentType: string): unknown {
    this.invalid = false;
    this.hasErrors = false;
    if (outputValue === null || (outputValue !== undefined && !steps)) return outputValue;
    switch (type.kind) {
      case 'nonNull': {
        const value = this.complete(outputValue, type.inner, inputValue, steps, parentType);
        if (value === null) {
          if (!this.hasErrors) this.errors.push(shapingError(`Cannot return null for non-nullable ${this.describe(type.inner.printed, parentType)}.`, this.path));
          this.invalid = true;
          this.hasErrors = true;
          return null;
        }
        this.invalid = false;
        this.hasErrors = false;
        return value;
      }
      case 'list': {
        if (inputValue === null) return null;
        if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${type.printed}`);
        const previous = outputValue as unknown[] | undefined;
        if (previous !== undefined && (!Array.isArray(previous) || previous.length !== inputValue.length)) {
          throw new Error(`Invalid list value returned by subgraph for list type ${type.printed}`);
        }
        const list = new Array<unknown>(inputValue.length);
        let nullify = false;
        let hasErrors = false;
        for (let i = 0; i < inputValue.length; i += 1) {
          this.path.push(i);
          list[i] = this.complete(previous?.[i], type.inner, inputValue[i], steps, parentType);
          this.path.pop();
          nullify ||= this.invalid;
          hasErrors ||= this.hasErrors;
        }
        this.invalid = false;
        this.hasErrors = hasErrors;
        return nullify ? null : list;
      }
      case 'composite': {
        if (inputValue === null) return null;
        if (!steps || typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.printed}`);
        const input = inputValue as Record<string, unknown>;
        const typename = own(input, '__typename');
        if (typename !== undefined && typeof typename !== 'string') throw new Error(`Invalid non-string value ${String(typename)} for __typename`);
        let objectType = type.name;
        if (typename) {
          if (!this.program.compositeTypes.has(typename)) {
            this.errors.push(shapingError(`Invalid __typename found for object at ${this.describe(type.printed, parentType)}.`, this.path));
            this.hasErrors = true;
            return null;
          }
          objectType = typename;
        }
        const output = (outputValue ?? {}) as Record<string, unknown>;
        const bubbled = this.applySteps(input, steps, output, objectType);
        this.invalid = false;
        this.hasErrors = bubbled;
        return bubbled ? null : output;
      }
      case 'leaf': {
        if (inputValue === null) return null;
        if (type.valid(inputValue)) return inputValue;
        this.errors.push(shapingError(`Invalid value found for ${this.describe(type.printed, parentType)}.`, this.path));
        this.hasErrors = true;
        return null;
      }
    }
  }
}

/** The response's data from the merged answers, and the errors the shaping found. */
export function shapeResponse(
  program: ShapeProgram,
  input: Record<string, unknown>,
  requestVariables: Record<string, unknown> | undefined,
  schema: GraphQLSchema,
): { data: Record<string, unknown> | null; errors: GraphQLError[]; visits: number } {
  const variables = program.conditional || program.steps.some((s) => s.kind === 'introspection') ? { ...program.variableDefaults, ...requestVariables } : requestVariables ?? {};
  const shaper = new Shaper(program, variables, schema);
  const data: Record<string, unknown> = {};
  const bubbled = shaper.applySteps(input, program.steps, data, program.rootType);
  return { data: bubbled ? null : data, errors: shaper.errors, visits: shaper.visits };
}
