import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import {
  nodeMajor,
  nodeVersionNotice,
  SDK_MIN_NODE_MAJOR,
  SDK_NODE_NOTICE_ENV,
  silenceSdkNodeNotice,
} from '../../src/aws/node-notice.js';

const run = promisify(execFile);

describe('our one-line notice', () => {
  test('Node 20 gets one line with both dates and the way out', () => {
    const notice = nodeVersionNotice('v20.19.2');
    expect(notice).toBe('Node 20 reached end of life in April 2026; new AWS SDKs (2027+) need Node 22+.');
    expect(notice).not.toContain('\n');
    // One line in an 80-column terminal, not wrapped over the menu.
    expect(notice!.length).toBeLessThanOrEqual(80);
  });

  test('older majors say so; Node 22 and later, and unreadable versions, get nothing', () => {
    expect(nodeVersionNotice('v18.20.0')).toMatch(/^Node 18 reached end of life in April 2025;/);
    expect(nodeVersionNotice('v16.0.0')).toMatch(/^Node 16 is past its end of life;/);
    expect(nodeVersionNotice('v21.7.3')).toMatch(/^Node 21 is past its end of life;/);
    for (const version of ['v22.0.0', 'v24.11.1', '26.0.0', '', 'node', 'vX.1']) {
      expect(nodeVersionNotice(version)).toBeUndefined();
    }
  });

  test('the major of a version string', () => {
    expect(nodeMajor('v20.19.2')).toBe(20);
    expect(nodeMajor('22.1.0')).toBe(22);
    expect(nodeMajor(' v24.0.0 ')).toBe(24);
    expect(nodeMajor('v24')).toBeUndefined();
  });
});

describe('silencing the SDK block', () => {
  test('sets the variable to "true" unless the user set it', () => {
    const env: NodeJS.ProcessEnv = {};
    silenceSdkNodeNotice(env);
    expect(env).toEqual({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const chosen: NodeJS.ProcessEnv = { [SDK_NODE_NOTICE_ENV]: 'false' };
    silenceSdkNodeNotice(chosen);
    expect(chosen[SDK_NODE_NOTICE_ENV]).toBe('false');
  });

  // Against the installed SDK, in a fresh process (the SDK warns once per process): constructing a
  // client prints the block without the variable and nothing with it. Only Node < 22 gets the block.
  const warnsHere = (nodeMajor(process.version) ?? SDK_MIN_NODE_MAJOR) < SDK_MIN_NODE_MAJOR;
  test.runIf(warnsHere)('the installed SDK honours it when a client is constructed', async () => {
    const script =
      "const { RedshiftClient } = await import('@aws-sdk/client-redshift');" +
      "new RedshiftClient({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });";
    const stderrWith = async (env: NodeJS.ProcessEnv): Promise<string> => {
      const { stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: process.cwd(),
        env,
      });
      return stderr;
    };
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base[SDK_NODE_NOTICE_ENV];
    expect(await stderrWith(base)).toContain('NodeVersionSupportWarning');
    const silenced: NodeJS.ProcessEnv = { ...base };
    silenceSdkNodeNotice(silenced);
    expect(await stderrWith(silenced)).not.toContain('NodeVersionSupportWarning');
  });
});
