/**
 * The AWS SDK's Node-version notice, said once in our own words instead of the SDK's 8-line block.
 *
 * How the SDK emits it (installed @aws-sdk/core 3.981, dist-es/submodules/client/
 * emitWarningIfUnsupportedVersion.js): each client's getRuntimeConfig, run when a client is
 * CONSTRUCTED (not when the package is imported), calls emitWarningIfUnsupportedVersion(process.version).
 * Unless process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is exactly "true", a Node major
 * below 22 gets process.emitWarning("NodeVersionSupportWarning: … versions published after the first
 * week of January 2027 will require node >=22 …"), once per process, printed on stderr in the middle of
 * the spinners. So the variable must be set before the first client is made.
 *
 * Dates: Node 20 reached end of life on 30 April 2026, Node 18 on 30 April 2025 (nodejs.org release
 * schedule); the SDK's own text gives "the first week of January 2027" for dropping Node < 22.
 */

export const SDK_NODE_NOTICE_ENV = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** The first Node major that SDK releases after early January 2027 support (the SDK's `vv`). */
export const SDK_MIN_NODE_MAJOR = 22;

const END_OF_LIFE: Readonly<Record<number, string>> = { 18: 'April 2025', 20: 'April 2026' };

/**
 * Turns the SDK's notice off for this process. Pass `process.env`: the SDK reads the real environment
 * when a client is constructed. A value the user set themselves is left as it is.
 */
export function silenceSdkNodeNotice(env: NodeJS.ProcessEnv): void {
  if (env[SDK_NODE_NOTICE_ENV] === undefined) env[SDK_NODE_NOTICE_ENV] = 'true';
}

/** The Node major of a version string like "v20.19.2" (process.version), or undefined. */
export function nodeMajor(nodeVersion: string): number | undefined {
  const match = /^v?(\d+)\./.exec(nodeVersion.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * One line, short enough for an 80-column terminal, for Node versions that SDK releases after early
 * January 2027 no longer support, or undefined when there is nothing to say (Node 22 and later, or a
 * version string we can't read).
 * Show it once, where AWS is first used.
 */
export function nodeVersionNotice(nodeVersion: string): string | undefined {
  const major = nodeMajor(nodeVersion);
  if (major === undefined || major >= SDK_MIN_NODE_MAJOR) return undefined;
  const eol = END_OF_LIFE[major];
  const status =
    eol === undefined ? `Node ${major} is past its end of life` : `Node ${major} reached end of life in ${eol}`;
  return `${status}; new AWS SDKs (2027+) need Node ${SDK_MIN_NODE_MAJOR}+.`;
}
