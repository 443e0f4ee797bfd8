import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { mulberry32, type Random } from './prng';

export interface GeneratorOptions {
  /** Nesting of object fields below the root fields. */
  maxDepth: number;
  /** Fields picked per selection set (fragments and `__typename` come on top). */
  maxFields: number;
  maxRootFields: number;
  /** Fields in the whole operation (fragments counted once). @default 40 */
  maxTotalFields?: number;
  /** Known-good argument values, by `Type.field.argument` or by argument name (ids that exist, say). */
  samples?: Readonly<Record<string, readonly unknown[]>>;
}

export interface GeneratedOperation {
  operationName: string;
  query: string;
  variables: Record<string, unknown>;
}

// Below the router's limits (MAX_ALIASES 30, MAX_DIRECTIVES 50), so no operation is refused for its size.
const ALIAS_BUDGET = 24;
const DIRECTIVE_BUDGET = 16;
const FRAGMENT_BUDGET = 4;

/** Argument and variable values as GraphQL literals, printed by their input type. */
function literal(type: GraphQLInputType, value: unknown): string {
  if (value === null) return 'null';
  if (isNonNullType(type)) return literal(type.ofType, value);
  if (isListType(type)) return `[${(value as unknown[]).map((item) => literal(type.ofType, item)).join(', ')}]`;
  if (isEnumType(type)) return String(value);
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${literal(fields[k]!.type, v)}`).join(', ')} }`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

class OperationBuilder {
  private aliases = 0;
  private directives = 0;
  private fields = 0;
  private counter = 0;
  private readonly fragments: { name: string; on: GraphQLCompositeType; text: string; height: number }[] = [];
  private readonly varDefs: string[] = [];
  readonly variables: Record<string, unknown> = {};
  /** Field names whose type is the same wherever they appear: only those go unaliased, so merging is always valid. */
  private readonly consistent = new Set<string>();
  private readonly fieldNames = new Set<string>();
  private readonly fieldBudget: number;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly random: Random,
    private readonly options: GeneratorOptions,
  ) {
    this.fieldBudget = options.maxTotalFields ?? 40;
    const typesByName = new Map<string, Set<string>>();
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        this.fieldNames.add(field.name);
        const seen = typesByName.get(field.name) ?? new Set<string>();
        seen.add(String(field.type));
        typesByName.set(field.name, seen);
      }
    }
    for (const [name, types] of typesByName) if (types.size === 1) this.consistent.add(name);
  }

  private fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}${++this.counter}`;
    while (this.fieldNames.has(name));
    return name;
  }

  private possible(type: GraphQLCompositeType): readonly GraphQLObjectType[] {
    return isAbstractType(type) ? this.schema.getPossibleTypes(type) : [type];
  }

  /** Type conditions valid inside `parent`: every composite type whose possible types overlap its own. */
  private conditions(parent: GraphQLCompositeType): GraphQLCompositeType[] {
    const mine = new Set(this.possible(parent).map((t) => t.name));
    return Object.values(this.schema.getTypeMap()).filter(
      (t): t is GraphQLCompositeType => isCompositeType(t) && !t.name.startsWith('__') && this.possible(t).some((p) => mine.has(p.name)),
    );
  }

  /** A JSON value of `type` (enums by name), or undefined when no valid value can be made (custom scalars). */
  private value(type: GraphQLInputType, key: string, depth = 0): { value: unknown } | undefined {
    if (isNonNullType(type)) return this.value(type.ofType, key, depth);
    const sampled = this.options.samples?.[key];
    if (sampled?.length) return { value: this.random.pick(sampled) };
    if (this.random.chance(0.05)) return { value: null };
    if (isListType(type)) {
      const items: unknown[] = [];
      for (let i = this.random.int(0, 2); i > 0; i--) {
        const item = this.value(type.ofType, key, depth + 1);
        if (!item || (item.value === null && isNonNullType(type.ofType))) return undefined;
        items.push(item.value);
      }
      return { value: items };
    }
    if (isEnumType(type)) return { value: this.random.pick(type.getValues()).name };
    if (isInputObjectType(type)) {
      if (depth > 2) return undefined;
      const out: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        const required = isNonNullType(field.type) && field.defaultValue === undefined;
        if (!required && !this.random.chance(0.5)) continue;
        const made = this.value(field.type, `${type.name}.${field.name}`, depth + 1);
        if (!made) {
          if (required) return undefined;
          continue;
        }
        out[field.name] = made.value;
      }
      return { value: out };
    }
    switch (type.name) {
      case 'Int':
        return { value: this.random.int(0, 5) };
      case 'Float':
        return { value: this.random.int(0, 50) / 10 };
      case 'Boolean':
        return { value: this.random.chance(0.5) };
      case 'String':
        return { value: this.random.pick(['a', 'Mug', 'Pro', 'oak', '']) };
      case 'ID':
        return { value: this.random.pick(['1', '2', '3', 'missing']) };
      default:
        return undefined;
    }
  }

  /**
   * `(a: 1, b: $v2)` and the variables it uses (declared by `commit` once the field is kept), or
   * undefined when a required argument cannot be made.
   */
  private args(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, eager: boolean): { text: string; commit(): void } | undefined {
    const parts: string[] = [];
    const defs: string[] = [];
    const values: Record<string, unknown> = {};
    for (const arg of field.args) {
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      if (!required && !this.random.chance(eager ? 0.8 : 0.4)) continue;
      const specific = `${parent.name}.${field.name}.${arg.name}`;
      const made = this.value(arg.type, this.options.samples?.[specific] || !this.options.samples?.[arg.name] ? specific : arg.name);
      if (!made) {
        if (required) return undefined;
        continue;
      }
      if (made.value === null && isNonNullType(arg.type)) return undefined;
      if (this.random.chance(0.25)) {
        const name = this.fresh('v');
        defs.push(`$${name}: ${String(arg.type)}`);
        // An optional variable left out: the argument counts as absent and its default applies.
        if (required || !this.random.chance(0.2)) values[name] = made.value;
        parts.push(`${arg.name}: $${name}`);
      } else parts.push(`${arg.name}: ${literal(arg.type, made.value)}`);
    }
    return {
      text: parts.length ? `(${parts.join(', ')})` : '',
      commit: () => {
        this.varDefs.push(...defs);
        Object.assign(this.variables, values);
      },
    };
  }

  private directive(): string {
    if (this.directives >= DIRECTIVE_BUDGET || !this.random.chance(0.15)) return '';
    this.directives++;
    const kind = this.random.pick(['skip', 'include']);
    const roll = this.random.next();
    if (roll < 0.4) return ` @${kind}(if: ${this.random.chance(0.5)})`;
    const name = this.fresh('b');
    if (roll < 0.8) {
      this.varDefs.push(`$${name}: Boolean!`);
      this.variables[name] = this.random.chance(0.5);
    } else this.varDefs.push(`$${name}: Boolean = ${this.random.chance(0.5)}`); // not sent: the default decides
    return ` @${kind}(if: $${name})`;
  }

  private alias(): string | undefined {
    if (this.aliases >= ALIAS_BUDGET) return undefined;
    this.aliases++;
    return this.fresh('a');
  }

  /** Zero, one or two (aliases of the same field with different arguments) selections of `field`. */
  private field(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, depth: number): { text: string; height: number }[] {
    const named = getNamedType(field.type);
    const composite = isCompositeType(named);
    if (composite && depth >= this.options.maxDepth) return [];
    const twins = field.args.length > 0 && this.aliases + 2 <= ALIAS_BUDGET && this.random.chance(0.25);
    const out: { text: string; height: number }[] = [];
    for (let i = 0; i < (twins ? 2 : 1); i++) {
      const args = this.args(parent, field, twins);
      if (args === undefined) return out;
      const bare = args.text === '' && this.consistent.has(field.name) && !twins;
      const alias = bare && !this.random.chance(0.15) ? '' : this.alias();
      if (alias === undefined) return out;
      args.commit();
      this.fields++;
      const sub = composite ? this.selectionSet(named, depth + 1) : undefined;
      out.push({
        text: `${alias ? `${alias}: ` : ''}${field.name}${args.text}${this.directive()}${sub ? ` ${sub.text}` : ''}`,
        height: sub ? sub.height + 1 : 0,
      });
    }
    return out;
  }

  private fragmentSpread(parent: GraphQLCompositeType, depth: number): { text: string; height: number } | undefined {
    const reusable = this.fragments.filter(
      (f) => depth + f.height <= this.options.maxDepth && this.conditions(parent).some((c) => c.name === f.on.name),
    );
    if (reusable.length && this.random.chance(0.4)) {
      const f = this.random.pick(reusable);
      return { text: `...${f.name}${this.directive()}`, height: f.height };
    }
    if (this.fragments.length >= FRAGMENT_BUDGET) return undefined;
    const on = this.random.pick(this.conditions(parent));
    const name = this.fresh('F');
    const body = this.selectionSet(on, depth);
    // Defined once its body is complete, so a fragment never spreads itself (no cycles).
    this.fragments.push({ name, on, text: `fragment ${name} on ${on.name} ${body.text}`, height: body.height });
    return { text: `...${name}${this.directive()}`, height: body.height };
  }

  private inlineFragment(parent: GraphQLCompositeType, depth: number): { text: string; height: number } {
    const on = this.random.chance(0.15) ? undefined : this.random.pick(this.conditions(parent));
    const body = this.selectionSet(on ?? parent, depth);
    return { text: `...${on ? ` on ${on.name}` : ''}${this.directive()} ${body.text}`, height: body.height };
  }

  selectionSet(parent: GraphQLCompositeType, depth: number, width = this.options.maxFields): { text: string; height: number } {
    const items: { text: string; height: number }[] = [];
    if (!isUnionType(parent) && this.fields < this.fieldBudget) {
      const fields = Object.values(parent.getFields());
      for (const field of this.random.sample(fields, this.random.int(1, width))) items.push(...this.field(parent, field, depth));
    }
    const abstract = isAbstractType(parent);
    if (this.fields < this.fieldBudget && this.random.chance(abstract ? 0.7 : 0.25)) items.push(this.inlineFragment(parent, depth));
    if (this.fields < this.fieldBudget && this.random.chance(abstract ? 0.4 : 0.2)) {
      const spread = this.fragmentSpread(parent, depth);
      if (spread) items.push(spread);
    }
    if (items.length === 0 || this.random.chance(abstract ? 0.5 : 0.15)) {
      const alias = this.random.chance(0.2) ? this.alias() : undefined;
      items.push({ text: `${alias ? `${alias}: ` : ''}__typename`, height: 0 });
    }
    return {
      text: `{ ${this.random.sample(items, items.length).map((i) => i.text).join(' ')} }`,
      height: Math.max(0, ...items.map((i) => i.height)),
    };
  }

  document(name: string, root: GraphQLObjectType): string {
    const body = this.selectionSet(root, 0, this.options.maxRootFields);
    const vars = this.varDefs.length ? `(${this.varDefs.join(', ')})` : '';
    return [`query ${name}${vars} ${body.text}`, ...this.fragments.map((f) => f.text)].join('\n');
  }
}

/** One random query over `schema`'s Query type; the same seed always gives the same operation. */
export function generateOperation(schema: GraphQLSchema, seed: number, options: GeneratorOptions): GeneratedOperation {
  const root = schema.getQueryType();
  if (!root) throw new Error('the schema has no Query type');
  const builder = new OperationBuilder(schema, mulberry32(seed), options);
  const operationName = `Fuzz_${seed.toString(16)}`;
  return { operationName, query: builder.document(operationName, root), variables: builder.variables };
}

