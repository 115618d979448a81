/**
 * What a menu status says when asking AWS failed: the user's next move differs for a network that
 * does not answer, credentials that are missing, and credentials AWS refused, so each says its own.
 */
import { isCredentialsMissing, isNetworkFailure } from '../aws/errors.js';
import { UserError } from '../errors.js';
import type { StepStatus } from './types.js';

/** Asking AWS, or a warehouse reached through it, failed for want of credentials. */
export const SIGN_IN_FIRST: StepStatus = { state: 'unavailable', detail: 'sign in to AWS first' };

export function awsProblemStatus(error: unknown): StepStatus {
  if (isNetworkFailure(error)) return { state: 'unavailable', detail: 'AWS not reachable: check the network' };
  if (isCredentialsMissing(error)) return SIGN_IN_FIRST;
  if (error instanceof UserError) return { state: 'unavailable', detail: 'AWS refused: check credentials' };
  return { state: 'unavailable', detail: 'status unknown' };
}
