/**
 * The official AWS API models, as botocore ships them (`botocore/data/<service>/<version>/service-2.json.gz`),
 * and a validator of request (and response) objects against an operation's shapes: required
 * members, unknown members, enums, string lengths and patterns, number ranges, list and map sizes,
 * nested structures and unions.
 *
 * The models' patterns are Java regular expressions matched against the whole value; they are
 * anchored as `^(?:...)$` and compiled with the `u` flag (so `\p{L}` means what Java means).
 *
 * botocore lives in the machine's Python. Without it the validation is skipped with a printed
 * notice, unless `CI_TOOLS_REQUIRED=1`: then {@link loadApiModel} throws.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ciToolsRequired, findExecutable, notice, REQUIRED_HINT } from '../ci-tools';

/** The services the fault tests talk to, with the API version botocore files them under. */
export const API_VERSIONS = {
  sagemaker: '2017-07-24',
  s3: '2006-03-01',
  cloudformation: '2010-05-15',
  greengrassv2: '2020-11-30',
  stepfunctions: '2016-11-23',
  lambda: '2015-03-31',
  logs: '2014-03-28',
} as const;

export type ServiceName = keyof typeof API_VERSIONS;

interface MemberRef {
  readonly shape: string;
}

/** The parts of a botocore shape the validator reads. */
export interface Shape {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';
  readonly required?: readonly string[];
  readonly members?: Readonly<Record<string, MemberRef>>;
  readonly member?: MemberRef;
  readonly key?: MemberRef;
  readonly value?: MemberRef;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly union?: boolean;
  /** AWS leaves the value out of its validation message (`Value at '...'`). */
  readonly sensitive?: boolean;
  /** An error shape: the service answers with it under `error.code` (the shape's name when absent). */
  readonly exception?: boolean;
  readonly error?: { readonly code?: string; readonly httpStatusCode?: number };
}

interface Operation {
  readonly input?: MemberRef;
  readonly output?: MemberRef;
  readonly errors?: readonly MemberRef[];
}

interface ServiceModel {
  readonly metadata: { readonly apiVersion: string; readonly protocol: string };
  readonly operations: Readonly<Record<string, Operation>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

/** One broken rule: where (a path such as `OutputConfig.TargetDevice`) and what. */
export interface Violation {
  readonly path: string;
  readonly rule: string;
  /**
   * The rule as AWS's server-side validation words it (see {@link awsValidationMessage}), for the
   * constraints it words that way: required, length, pattern, enum, range. Absent for what AWS
   * answers otherwise (a member the shape lacks, a value of the wrong type).
   */
  readonly aws?: AwsConstraint;
}

/** `Value <value> at '<at>' failed to satisfy constraint: <constraint>`. */
export interface AwsConstraint {
  /** The member path as AWS names it: lowerCamelCase members, list items as `<list>.<n>.member` (from 1). */
  readonly at: string;
  /** The value as AWS quotes it (`'abc'`, `null`), or '' for a sensitive shape (`Value at '...'`). */
  readonly value: string;
  /** `Member must ...`. */
  readonly constraint: string;
}

export interface ValidateOptions {
  /**
   * Check `required` members (default true). Response shapes mark members required that
   * SageMaker leaves out for jobs that have not produced them (FailureReason, ModelArtifacts).
   */
  readonly checkRequired?: boolean;
}

/** Java's POSIX classes (`\p{Alnum}`...), which JavaScript has no name for, as class contents. */
const JAVA_POSIX_CLASSES: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

/**
 * The JavaScript form of a Java pattern's body: POSIX classes spelled out, and a quantifier on
 * `$` (which Java accepts, e.g. `(...)*${1,128}`, and which matches the same as `$`) dropped.
 */
function fromJava(pattern: string): string {
  let out = '';
  let classDepth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const posix = /^\\p\{(\w+)\}/.exec(pattern.slice(i));
      const contents = posix ? JAVA_POSIX_CLASSES[posix[1]] : undefined;
      if (posix && contents !== undefined) {
        out += classDepth > 0 ? contents : `[${contents}]`;
        i += posix[0].length - 1;
      } else {
        out += pattern.slice(i, i + 2);
        i += 1;
      }
      continue;
    }
    if (c === '[') {
      classDepth += 1;
    } else if (c === ']' && classDepth > 0) {
      classDepth -= 1;
    } else if (c === '$' && classDepth === 0) {
      const quantifier = /^\$\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (quantifier) i += quantifier[0].length - 1;
    }
    out += c;
  }
  return out;
}

/** Anchors a Java pattern (which must match the whole value) and compiles it for JavaScript. */
export function compileJavaPattern(pattern: string): RegExp {
  const body = fromJava(pattern);
  const source = `^(?:${body})$`;
  try {
    return new RegExp(source, 'u');
  } catch (unicodeError) {
    // Without `u`, \p{...} would silently mean the letters "p{...}": never fall back for those.
    if (/\\[pP]\{/.test(body)) throw unicodeError;
    return new RegExp(source);
  }
}

function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

/** An API model and what it says about requests and responses. */
export class ApiModel {
  private readonly patterns = new Map<string, RegExp>();

  constructor(readonly service: ServiceName, private readonly model: ServiceModel) {}

  get apiVersion(): string {
    return this.model.metadata.apiVersion;
  }

  hasOperation(operation: string): boolean {
    return operation in this.model.operations;
  }

  /** The errors `operation` declares, each with the HTTP status code it is sent with. */
  errorsOf(operation: string): Map<string, number> {
    return new Map((this.operation(operation).errors ?? []).map((e) => [e.shape, this.shape(e.shape).error?.httpStatusCode ?? 400]));
  }

  /** Every rule of `operation`'s input shape that `input` breaks. */
  validateInput(operation: string, input: unknown, options: ValidateOptions = {}): Violation[] {
    return this.validate(operation, 'input', input, options);
  }

  /** Every rule of `operation`'s output shape that `output` breaks (`$metadata` aside). */
  validateOutput(operation: string, output: unknown, options: ValidateOptions = {}): Violation[] {
    const rest: Record<string, unknown> = { ...(output ?? {}) as Record<string, unknown> };
    delete rest.$metadata;
    return this.validate(operation, 'output', rest, options);
  }

  /**
   * The error shape the model declares for an error code (the name the service answers with), or
   * undefined when the model does not declare it. Declared errors reach an SDK as their own class;
   * the others only as the service's generic exception with the code inside.
   */
  declaredError(code: string): string | undefined {
    return Object.entries(this.model.shapes).find(([name, shape]) => shape.exception && (shape.error?.code ?? name) === code)?.[0];
  }

  /** The names of all the model's shapes. */
  shapeNames(): string[] {
    return Object.keys(this.model.shapes);
  }

  /** The names of the shapes reachable from the operations' inputs and outputs. */
  shapesOf(operations: readonly string[]): string[] {
    const seen = new Set<string>();
    const visit = (name: string | undefined) => {
      if (name === undefined || seen.has(name)) return;
      seen.add(name);
      const shape = this.shape(name);
      for (const member of Object.values(shape.members ?? {})) visit(member.shape);
      visit(shape.member?.shape);
      visit(shape.key?.shape);
      visit(shape.value?.shape);
    };
    for (const operation of operations) {
      const op = this.operation(operation);
      visit(op.input?.shape);
      visit(op.output?.shape);
    }
    return [...seen].sort();
  }

  /** The compiled pattern of a string shape (throws when the pattern has no JavaScript form). */
  patternOf(shapeName: string): RegExp | undefined {
    const shape = this.shape(shapeName);
    if (shape.pattern === undefined) return undefined;
    let compiled = this.patterns.get(shapeName);
    if (!compiled) {
      compiled = compileJavaPattern(shape.pattern);
      this.patterns.set(shapeName, compiled);
    }
    return compiled;
  }

  shape(name: string): Shape {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`${this.service} API model has no shape ${name}`);
    return shape;
  }

  private operation(name: string): Operation {
    const operation = this.model.operations[name];
    if (!operation) throw new Error(`${this.service} API model has no operation ${name}`);
    return operation;
  }

  private validate(operation: string, direction: 'input' | 'output', value: unknown, options: ValidateOptions): Violation[] {
    const ref = this.operation(operation)[direction];
    const violations: Violation[] = [];
    if (!ref) {
      if (isPlainObject(value) && Object.values(value).some((v) => v !== undefined)) {
        violations.push({ path: '', rule: `${operation} has no ${direction} members` });
      }
      return violations;
    }
    this.check(ref.shape, value, { path: '', at: '' }, violations, options.checkRequired ?? true);
    return violations;
  }

  private check(shapeName: string, value: unknown, where: Where, out: Violation[], checkRequired: boolean): void {
    const shape = this.shape(shapeName);
    const { path: here, at } = where;
    const quoted = shape.sensitive ? '' : awsQuote(value);
    const fail = (rule: string, constraint?: string) => {
      out.push({ path: here, rule, ...(constraint ? { aws: { at, value: quoted, constraint } } : {}) });
    };
    switch (shape.type) {
      case 'structure': {
        if (!isPlainObject(value)) return void fail(`must be a structure (${shapeName}), got ${describeValue(value)}`);
        const members = shape.members ?? {};
        const child = (name: string): Where => ({ path: here ? `${here}.${name}` : name, at: at ? `${at}.${lowerFirst(name)}` : lowerFirst(name) });
        if (checkRequired) {
          for (const name of shape.required ?? []) {
            if (value[name] === undefined || value[name] === null) {
              const w = child(name);
              out.push({ path: w.path, rule: `is required by ${shapeName}`, aws: { at: w.at, value: 'null', constraint: 'Member must not be null' } });
            }
          }
        }
        const present = Object.entries(value).filter(([, v]) => v !== undefined);
        for (const [name, memberValue] of present) {
          const member = members[name];
          if (!member) out.push({ path: child(name).path, rule: `is not a member of ${shapeName}` });
          else this.check(member.shape, memberValue, child(name), out, checkRequired);
        }
        if (shape.union && present.length !== 1) fail(`union ${shapeName} must have exactly one member, got ${present.length}`);
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) return void fail(`must be a list (${shapeName}), got ${describeValue(value)}`);
        this.checkSize(shape, value.length, 'items', 'length', fail);
        const itemShape = shape.member!.shape;
        value.forEach((item, index) => {
          const itemPath = `${here}[${index}]`;
          if (this.shape(itemShape).type === 'structure') {
            this.check(itemShape, item, { path: itemPath, at: `${at}.${index + 1}.member` }, out, checkRequired);
          } else {
            // A list of scalars: AWS names the list and nests the item's constraints.
            this.checkNested(itemShape, item, { path: itemPath, at }, quoted, 'Member must satisfy constraint', out, checkRequired);
          }
        });
        return;
      }
      case 'map': {
        if (!isPlainObject(value)) return void fail(`must be a map (${shapeName}), got ${describeValue(value)}`);
        const entries = Object.entries(value).filter(([, v]) => v !== undefined);
        this.checkSize(shape, entries.length, 'entries', 'length', fail);
        for (const [key, entry] of entries) {
          this.checkNested(shape.key!.shape, key, { path: `${here}{key ${JSON.stringify(key)}}`, at }, quoted, 'Map keys must satisfy constraint', out, checkRequired);
          if (this.shape(shape.value!.shape).type === 'structure') {
            this.check(shape.value!.shape, entry, { path: `${here}.${key}`, at: `${at}.${key}` }, out, checkRequired);
          } else {
            this.checkNested(shape.value!.shape, entry, { path: `${here}.${key}`, at }, quoted, 'Map value must satisfy constraint', out, checkRequired);
          }
        }
        return;
      }
      case 'string': {
        if (typeof value !== 'string') return void fail(`must be a string (${shapeName}), got ${describeValue(value)}`);
        if (shape.enum && !shape.enum.includes(value)) {
          fail(`${describeValue(value)} is not one of ${shapeName}'s values`, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
        }
        // Lengths count Unicode code points, as the service (and botocore's len()) does.
        this.checkSize(shape, Array.from(value).length, 'characters', 'length', fail);
        const pattern = this.patternOf(shapeName);
        if (pattern && !pattern.test(value)) {
          fail(`${describeValue(value)} does not match ${shapeName}'s pattern ${shape.pattern}`, `Member must satisfy regular expression pattern: ${shape.pattern}`);
        }
        return;
      }
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value)) return void fail(`must be an integer (${shapeName}), got ${describeValue(value)}`);
        if (shape.type === 'integer' && (value < -(2 ** 31) || value > 2 ** 31 - 1)) fail(`${value} does not fit a 32-bit integer`);
        if (shape.min !== undefined && value < shape.min) fail(`${value} is below ${shapeName}'s minimum ${shape.min}`, `Member must have value greater than or equal to ${shape.min}`);
        if (shape.max !== undefined && value > shape.max) fail(`${value} is above ${shapeName}'s maximum ${shape.max}`, `Member must have value less than or equal to ${shape.max}`);
        return;
      }
      case 'float':
      case 'double': {
        if (typeof value !== 'number' || !Number.isFinite(value)) fail(`must be a finite number (${shapeName}), got ${describeValue(value)}`);
        return;
      }
      case 'boolean': {
        if (typeof value !== 'boolean') fail(`must be a boolean (${shapeName}), got ${describeValue(value)}`);
        return;
      }
      case 'timestamp': {
        const valid = (value instanceof Date && !Number.isNaN(value.getTime())) || typeof value === 'number';
        if (!valid) fail(`must be a timestamp (${shapeName}), got ${describeValue(value)}`);
        return;
      }
      case 'blob': {
        if (typeof value !== 'string' && !(value instanceof Uint8Array)) fail(`must be a blob (${shapeName}), got ${describeValue(value)}`);
        return;
      }
      default:
        fail(`has shape type ${String((shape as { type: unknown }).type)}, which this validator does not know`);
    }
  }

  /**
   * A scalar inside a list or map: AWS reports it at the collection, quoting the whole collection,
   * e.g. `Map value must satisfy constraint: [Member must have length less than or equal to 1000]`.
   */
  private checkNested(
    shapeName: string, value: unknown, where: Where, collection: string, wording: string, out: Violation[], checkRequired: boolean,
  ): void {
    const inner: Violation[] = [];
    this.check(shapeName, value, where, inner, checkRequired);
    for (const v of inner) {
      out.push({ path: v.path, rule: v.rule, ...(v.aws ? { aws: { at: where.at, value: collection, constraint: `${wording}: [${v.aws.constraint}]` } } : {}) });
    }
  }

  private checkSize(shape: Shape, size: number, unit: string, measure: string, fail: (rule: string, constraint?: string) => void): void {
    if (shape.min !== undefined && size < shape.min) fail(`has ${size} ${unit}, fewer than the minimum ${shape.min}`, `Member must have ${measure} greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && size > shape.max) fail(`has ${size} ${unit}, more than the maximum ${shape.max}`, `Member must have ${measure} less than or equal to ${shape.max}`);
  }

  /**
   * An awsQuery request (`Action=...&StackName=...&Tags.member.1.Key=...`) as the input structure
   * of `operation`: the form the model's shapes describe (numbers and booleans converted).
   */
  fromQuery(operation: string, form: Readonly<Record<string, string>>): Record<string, unknown> {
    const ref = this.operation(operation).input;
    return ref ? this.readQuery(ref.shape, form, '') as Record<string, unknown> : {};
  }

  private readQuery(shapeName: string, form: Readonly<Record<string, string>>, prefix: string): unknown {
    const shape = this.shape(shapeName);
    const has = (p: string) => Object.keys(form).some((k) => k === p || k.startsWith(`${p}.`));
    switch (shape.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const [name, member] of Object.entries(shape.members ?? {})) {
          const key = prefix ? `${prefix}.${name}` : name;
          if (has(key)) out[name] = this.readQuery(member.shape, form, key);
        }
        return out;
      }
      case 'list': {
        const items: unknown[] = [];
        for (let i = 1; has(`${prefix}.member.${i}`); i++) items.push(this.readQuery(shape.member!.shape, form, `${prefix}.member.${i}`));
        return items;
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        for (let i = 1; has(`${prefix}.entry.${i}`); i++) {
          out[form[`${prefix}.entry.${i}.key`]] = this.readQuery(shape.value!.shape, form, `${prefix}.entry.${i}.value`);
        }
        return out;
      }
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return Number(form[prefix]);
      case 'boolean':
        return form[prefix] === 'true';
      default:
        return form[prefix];
    }
  }
}

interface Where {
  /** The validator's own path (`Tags[0].Value`). */
  readonly path: string;
  /** AWS's (`tags.1.member.value`). */
  readonly at: string;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** A value as AWS's validation quotes it: `'abc'`, `'[a, b]'`, `'{k=v}'`, or `null`. */
function awsQuote(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  const text = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(text).join(', ')}]`;
    if (v instanceof Date) return v.toISOString();
    if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${text(x)}`).join(', ')}}`;
    return String(v);
  };
  return `'${text(value)}'`;
}

/**
 * The message AWS's server-side validation answers (HTTP 400) for `violations`: one clause per
 * broken constraint, `Value <value> at '<member path>' failed to satisfy constraint: Member must ...`,
 * after `1 validation error detected: ` or `N validation errors detected: ` and joined with `; `.
 * Public examples of the wording:
 * - one error, a length: `1 validation error detected: Value '...' at 'name' failed to satisfy constraint:
 *   Member must have length less than or equal to 80` (Step Functions StartExecution, getmoto/moto#6438);
 *   `... at 'roleName' ... less than or equal to 64` as an awsQuery `<Code>ValidationError</Code>` (IAM, NixOS/nixops#328);
 * - two errors on one member, a length and a pattern, joined by `; `: `2 validation errors detected: Value '...'
 *   at 'modelName' failed to satisfy constraint: Member must have length less than or equal to 63; Value '...' at
 *   'modelName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*`
 *   (SageMaker CreateModel, aws-samples/sagemaker-ml-workflow-with-apache-airflow#3);
 * - a missing member inside a list: `Value null at 'tags.1.member.value' failed to satisfy constraint: Member must
 *   not be null` (CloudFormation, serverless/serverless#2036);
 * - an enum: `... at 'elasticsearchClusterConfig.instanceType' failed to satisfy constraint: Member must satisfy
 *   enum value set` (ministryofjustice/cloud-platform-infrastructure#3651);
 * - a number: `... at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200`
 *   (boto/botocore#3337);
 * - a map's values: `Map value must satisfy constraint: [Member must have length less than or equal to 1000, ...]`
 *   (awslabs/aws-service-catalog-factory#279).
 * Undefined when a violation is not one AWS words this way (a member the shape lacks, a wrong type).
 */
export function awsValidationMessage(violations: readonly Violation[]): string | undefined {
  if (violations.length === 0 || violations.some((v) => !v.aws)) return undefined;
  const clauses = [...new Set(violations.map(({ aws }) => `Value ${aws!.value ? `${aws!.value} ` : ''}at '${aws!.at}' failed to satisfy constraint: ${aws!.constraint}`))];
  return `${clauses.length} validation error${clauses.length === 1 ? '' : 's'} detected: ${clauses.join('; ')}`;
}

/** Formats violations in the validator's own words (for the harness's own failures). */
export function formatViolations(operation: string, violations: readonly Violation[]): string {
  return `${violations.length} validation error(s) detected in ${operation}: ` +
    violations.map((v) => `${v.path || '(request)'} ${v.rule}`).join('; ');
}

let located: { dir: string } | { missing: string } | undefined;

/** Where botocore is, or why it is not available (asked once per process). */
function locateBotocore(): { dir: string } | { missing: string } {
  located ??= askPython();
  return located;
}

function askPython(): { dir: string } | { missing: string } {
  const python = findExecutable('python3');
  if (!python) return { missing: 'python3 is not on PATH' };
  try {
    const dir = execFileSync(python, ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    }).trim();
    return { dir };
  } catch (error) {
    return { missing: `python3 cannot import botocore (${String((error as Error).message).split('\n')[0]})` };
  }
}

const cache = new Map<ServiceName, ApiModel | undefined>();
let noticed = false;

/**
 * The official model of `service`, or undefined (with a notice, once) when botocore is missing.
 * With `CI_TOOLS_REQUIRED=1` a missing model throws instead.
 */
export function loadApiModel(service: ServiceName): ApiModel | undefined {
  if (cache.has(service)) return cache.get(service);
  const botocore = locateBotocore();
  let model: ApiModel | undefined;
  let missing: string | undefined;
  if ('missing' in botocore) {
    missing = botocore.missing;
  } else {
    const file = path.join(botocore.dir, 'data', service, API_VERSIONS[service], 'service-2.json.gz');
    if (fs.existsSync(file)) {
      model = new ApiModel(service, JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as ServiceModel);
    } else {
      missing = `botocore has no ${file}`;
    }
  }
  if (missing !== undefined) {
    const reason = `the official ${service} API model is not available: ${missing}`;
    if (ciToolsRequired()) throw new Error(`The fault tests validate every request against botocore's API model, but ${reason}. Install it with \`pip install botocore\`.`);
    if (!noticed) {
      noticed = true;
      notice(`Fault tests (test/fault): request validation against the official API model SKIPPED: ${reason}. ` +
        `Install it with \`pip install botocore\`; ${REQUIRED_HINT}.`);
    }
  }
  cache.set(service, model);
  return model;
}
