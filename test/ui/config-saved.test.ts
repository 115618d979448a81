/** The line after a write-back: "Wrote" only when dwh.cfg changed (issue 9, "Output"). */
import { expect, test } from 'vitest';
import { showConfigSaved } from '../../src/ui/config-saved.js';
import { recordingUi } from '../support/ui.js';

test('"Wrote … to dwh.cfg" when the file changed', () => {
  const ui = recordingUi();
  showConfigSaved(ui, 'dwh.cfg', true, '[CLUSTER] HOST = h.example and [IAM_ROLE] ARN');
  expect(ui.lines).toEqual([
    { kind: 'success', text: '✔ Wrote [CLUSTER] HOST = h.example and [IAM_ROLE] ARN to dwh.cfg' },
  ]);
});

test('"dwh.cfg already up to date" when nothing changed', () => {
  const ui = recordingUi();
  showConfigSaved(ui, 'dwh.cfg', false, '[CLUSTER] HOST = h.example and [IAM_ROLE] ARN');
  expect(ui.lines).toEqual([
    { kind: 'success', text: '✔ dwh.cfg already up to date ([CLUSTER] HOST = h.example and [IAM_ROLE] ARN)' },
  ]);
});
