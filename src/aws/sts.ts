/** Who the credentials belong to: STS GetCallerIdentity, which needs no permission at all. */
import type { STSClient } from '@aws-sdk/client-sts';
import { callAws } from './errors.js';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export async function getCallerIdentity(
  client: STSClient,
  context: { profile?: string | undefined; region?: string } = {},
): Promise<CallerIdentity> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const output = await callAws(
    { action: 'sts:GetCallerIdentity', doing: 'checking the AWS credentials', ...context },
    () => client.send(new GetCallerIdentityCommand({})),
  );
  return { account: output.Account ?? '', arn: output.Arn ?? '', userId: output.UserId ?? '' };
}
