import { IResolvable, IResolveContext, Token } from 'aws-cdk-lib';

/**
 * `value` as one `Fn::Sub` where CDK would write an `Fn::Join` of literals, `Ref`s and
 * `Fn::GetAtt`s: the same string at deploy time in a fraction of the template bytes (an ARN of
 * the partition or a bucket takes one line instead of ten). The template's size limits the jobs
 * per stack, and each job carries a few such ARNs. Anything else (`Fn::ImportValue` of another
 * stack's value, a nested function) is left as CDK wrote it.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
 */
export function compactString(value: string): string {
  if (!Token.isUnresolved(value)) return value;
  // One token per value, so that equal grants stay equal statements, which CDK merges.
  let compact = COMPACTED.get(value);
  if (compact === undefined) {
    compact = Token.asString(new CompactSub(value));
    COMPACTED.set(value, compact);
  }
  return compact;
}

/** A token's string stands for that one token in this process, so equal strings may share one. */
const COMPACTED = new Map<string, string>();

class CompactSub implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly value: string) {}

  public resolve(context: IResolveContext): any {
    // Resolved through the context, so CDK still sees the references inside (cross-stack exports).
    const resolved = context.resolve(this.value);
    return joinAsSub(resolved) ?? resolved;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** `{ 'Fn::Sub': ... }` for an `Fn::Join` of literals, `Ref`s and `Fn::GetAtt`s; otherwise undefined. */
export function joinAsSub(value: any): { 'Fn::Sub': string } | undefined {
  const join = value?.['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) return undefined;
  const parts: string[] = [];
  for (const part of join[1] as unknown[]) {
    const text = subPart(part);
    if (text === undefined) return undefined;
    parts.push(text);
  }
  return { 'Fn::Sub': parts.join(escapeLiteral(join[0])) };
}

function subPart(part: any): string | undefined {
  if (typeof part === 'string') return escapeLiteral(part);
  const keys = part !== null && typeof part === 'object' ? Object.keys(part) : [];
  if (keys.length !== 1) return undefined;
  if (keys[0] === 'Ref' && typeof part.Ref === 'string') return `\${${part.Ref}}`;
  const getAtt = part['Fn::GetAtt'];
  if (keys[0] === 'Fn::GetAtt' && Array.isArray(getAtt) && getAtt.length === 2 && getAtt.every((s) => typeof s === 'string')) {
    return `\${${getAtt[0]}.${getAtt[1]}}`;
  }
  return undefined;
}

/** A literal `${` is written `${!` in Fn::Sub. */
function escapeLiteral(text: string): string {
  return text.replace(/\$\{/g, '${!');
}
