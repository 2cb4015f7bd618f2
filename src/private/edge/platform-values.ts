import { Token } from 'aws-cdk-lib';

/*
 * What a Platform value means to the Greengrass nucleus, from its source:
 *  [RES] aws-greengrass-nucleus, config/PlatformResolver.java: a device reports `os` as 'windows',
 *        'darwin', 'linux' (or 'unknown') and `architecture` as 'amd64' (os.arch x86_64|amd64),
 *        'x86' (i386|x86), 'arm' (any os.arch containing "arm"), 'aarch64' (or 'unknown'), all lower
 *        case; custom attributes come from the nucleus's `platformOverride` (string values only).
 *  [HLP] aws-greengrass-component-common, component/common/PlatformHelper.java, testField: a value
 *        '//' matches any value the device has; '/re/' matches when the device's value matches the
 *        Java regex `re` as a whole (String.matches, case-sensitive); 'all' and 'any' match anything
 *        for `os` and `architecture` only; any other value must start with [a-zA-Z0-9] and equals
 *        the device's value exactly (case-sensitive), else it never matches. A key the device lacks
 *        matches nothing. So '*' is no wildcard to the nucleus: it matches no device.
 * Recipe reference (Manifests, Platform):
 * https://docs.aws.amazon.com/greengrass/v2/developerguide/component-recipe-reference.html#recipe-reference-manifests
 */

/** The values a device reports for the keys the nucleus sets itself [RES]. */
export const REPORTED_VALUES: Record<string, readonly string[]> = {
  os: ['linux', 'windows', 'darwin'],
  architecture: ['amd64', 'aarch64', 'arm', 'x86'],
};

/** Names users write for what the nucleus reports, by the value it reports (compared lower-cased). */
const ALIASES: Record<string, Record<string, string[]>> = {
  os: {
    linux: ['ubuntu', 'debian', 'raspbian', 'gnu_linux'],
    windows: ['win', 'win32', 'win64'],
    darwin: ['mac', 'macos', 'osx'],
  },
  architecture: {
    amd64: ['x86_64', 'x64', 'x86-64', 'intel64'],
    aarch64: ['arm64', 'armv8', 'arm64v8'],
    arm: ['armhf', 'armv7', 'armv7l', 'armv6l', 'arm32', 'arm_eabihf'],
    x86: ['i386', 'i686', 'ia32', 'x86_32'],
  },
};

/** The reported value a user most likely meant. */
function suggestionFor(key: string, value: string): string | undefined {
  const lower = value.toLowerCase();
  return Object.entries(ALIASES[key] ?? {}).find(([reported, aliases]) => reported === lower || aliases.includes(lower))?.[0];
}

/** 'all' and 'any' match every value of these keys [HLP]. */
const KEYWORD_KEYS = ['os', 'architecture'];

/** Whether a value is a regular expression between slashes ('//' included) [HLP]. */
export function isRegex(value: string): boolean {
  return value.length >= 2 && value.startsWith('/') && value.endsWith('/');
}

/** Whether a value matches every value the device has for the key [HLP]. */
export function isWildcard(key: string, value: string): boolean {
  return value === '//' || (KEYWORD_KEYS.includes(key) && (value === 'all' || value === 'any'));
}

/**
 * The JavaScript form of a Platform regular expression: the nucleus matches a Java pattern against
 * the whole value [HLP]; Java's inline `(?i)` flag, which JavaScript lacks, becomes the `i` flag.
 * Throws when the pattern does not compile.
 */
export function regexOf(value: string): RegExp {
  const body = value.slice(1, -1);
  const caseless = body.startsWith('(?i)');
  return new RegExp(`^(?:${caseless ? body.slice(4) : body})$`, caseless ? 'i' : '');
}

/** Whether a device's value satisfies a manifest's value (PlatformHelper.testField, ported). */
export function valueMatches(key: string, want: string, have: string | undefined): boolean {
  if (have === undefined) return false;
  if (isWildcard(key, want)) return true;
  if (isRegex(want)) return regexOf(want).test(have);
  return /^[a-zA-Z0-9]/.test(want) && want === have;
}

/**
 * Why a manifest's value can never match the device it is meant for, or undefined when it can.
 * Checks `os` and `architecture` against what the nucleus reports; custom attributes are free-form.
 */
export function platformValueProblem(key: string, value: string): string | undefined {
  if (Token.isUnresolved(value)) return undefined;
  if (value === '*') {
    return "'*' is no wildcard to the Greengrass nucleus, it matches no device (PlatformHelper.testField): "
      + `${KEYWORD_KEYS.includes(key) ? "leave the key out, or write 'all'" : "write '//' (any value)"}`;
  }
  if (isRegex(value)) {
    let regex: RegExp;
    try {
      regex = regexOf(value);
    } catch (e) {
      return `the regular expression ${value} does not compile: ${(e as Error).message}`;
    }
    const reported = REPORTED_VALUES[key];
    if (reported && value !== '//' && !reported.some((v) => regex.test(v))) {
      return `the regular expression ${value} matches none of the values the nucleus reports for ${key} (${reported.join(', ')})`;
    }
    return undefined;
  }
  if (isWildcard(key, value)) return undefined;
  if (!/^[a-zA-Z0-9]/.test(value)) return `'${value}' starts with neither a letter nor a digit, so the nucleus never matches it`;
  const reported = REPORTED_VALUES[key];
  if (!reported || reported.includes(value)) return undefined;
  const suggestion = suggestionFor(key, value);
  return `the nucleus reports ${key} as one of ${reported.join(', ')} (lower case, compared exactly), never '${value}'`
    + (suggestion ? `: write '${suggestion}'` : '');
}
