/**
 * What a menu status says when asking AWS failed: the user's next move differs for a network that
 * does not answer, credentials that are missing, and credentials AWS refused, so each says its own.
 */
import { isCredentialsMissing, isNetworkFailure } from '../aws/errors.js';
import { UserError } from '../errors.js';
import type { StepStatus } from './types.js';

export function awsProblemStatus(error: unknown): StepStatus {
  if (isNetworkFailure(error)) return { state: 'unavailable', detail: 'AWS not reachable: check the network' };
  if (isCredentialsMissing(error)) return { state: 'unavailable', detail: 'sign in to AWS first' };
  if (error instanceof UserError) return { state: 'unavailable', detail: 'AWS refused: check credentials' };
  return { state: 'unavailable', detail: 'status unknown' };
}
