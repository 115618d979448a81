import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { EntityAlreadyExistsException, IAMServiceException } from '@aws-sdk/client-iam';
import {
  ClusterAlreadyExistsFault,
  ClusterNotFoundFault,
  ClusterQuotaExceededFault,
  InsufficientClusterCapacityFault,
  RedshiftServiceException,
  UnauthorizedOperation,
} from '@aws-sdk/client-redshift';
import { ExpiredTokenException, STSServiceException } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import {
  awsErrorName,
  awsUserError,
  describeAwsError,
  isNetworkFailure,
  type AwsErrorContext,
} from '../../src/aws/errors.js';
import { UserError } from '../../src/errors.js';
import { AWS_SECRET } from './fakes.js';

const metadata = {
  httpStatusCode: 400,
  requestId: 'b6e1c1a0-0000-4000-8000-000000000000',
  attempts: 1,
  totalRetryDelay: 0,
};
const generic = <T>(
  Exception: new (options: { name: string; $fault: 'client' | 'server'; message: string; $metadata: object }) => T,
  name: string,
  message: string,
): T => new Exception({ name, $fault: 'client', message, $metadata: metadata });

const context: AwsErrorContext = {
  action: 'redshift:CreateCluster',
  doing: 'creating cluster dwhcluster',
  region: 'us-west-2',
  profile: 'dev',
  nodeType: 'ra3.large',
  clusterIdentifier: 'dwhcluster',
};

describe('describeAwsError: one line that says what to do next', () => {
  test.each([
    [
      generic(STSServiceException, 'InvalidClientTokenId', 'The security token included in the request is invalid.'),
      'AWS rejected the access key while creating cluster dwhcluster (InvalidClientTokenId): the key ID ' +
        'is wrong or deleted; check [AWS] KEY, AWS_ACCESS_KEY_ID or the profile, then run `sparkify-dwh credentials`',
    ],
    [
      generic(
        IAMServiceException,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      ),
      'AWS rejected the access key while creating cluster dwhcluster (UnrecognizedClientException): the ' +
        'key ID is wrong or deleted; check [AWS] KEY, AWS_ACCESS_KEY_ID or the profile, then run ' +
        '`sparkify-dwh credentials`',
    ],
    [
      generic(
        STSServiceException,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      ),
      'AWS rejected the request signature while creating cluster dwhcluster (SignatureDoesNotMatch): the ' +
        'secret access key does not match the key ID; check [AWS] SECRET or AWS_SECRET_ACCESS_KEY, then run ' +
        '`sparkify-dwh credentials`',
    ],
    [
      new ExpiredTokenException({
        message: 'The security token included in the request is expired',
        $metadata: metadata,
      }),
      'the AWS session token has expired while creating cluster dwhcluster (ExpiredTokenException): run ' +
        '`aws sso login --profile dev` or refresh your temporary credentials, then try again',
    ],
    [
      generic(RedshiftServiceException, 'ExpiredToken', 'The security token included in the request is expired'),
      'the AWS session token has expired while creating cluster dwhcluster (ExpiredToken): run `aws sso ' +
        'login --profile dev` or refresh your temporary credentials, then try again',
    ],
    [
      generic(
        IAMServiceException,
        'AccessDenied',
        'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: redshift:CreateCluster',
      ),
      'AWS denied redshift:CreateCluster while creating cluster dwhcluster (AccessDenied): the identity ' +
        'running the wizard needs that permission; ' +
        'see the README, "Minimal IAM policy for the user running the wizard"',
    ],
    [
      new UnauthorizedOperation({ message: 'Not authorized', $metadata: metadata }),
      'AWS denied redshift:CreateCluster while creating cluster dwhcluster (UnauthorizedOperation): the ' +
        'identity running the wizard needs that permission; ' +
        'see the README, "Minimal IAM policy for the user running the wizard"',
    ],
    [
      generic(
        EC2ServiceException,
        'UnauthorizedOperation',
        'You are not authorized to perform this operation. Encoded authorization failure message: xyz',
      ),
      'AWS denied redshift:CreateCluster while creating cluster dwhcluster (UnauthorizedOperation): the ' +
        'identity running the wizard needs that permission; ' +
        'see the README, "Minimal IAM policy for the user running the wizard"',
    ],
    [
      new ClusterAlreadyExistsFault({ message: 'Cluster already exists', $metadata: metadata }),
      'a cluster named "dwhcluster" already exists in us-west-2 but could not be reused: choose another ' +
        '[DWH] DWH_CLUSTER_IDENTIFIER or run `sparkify-dwh cluster status`',
    ],
    [
      new ClusterQuotaExceededFault({
        message: 'The request would exceed the allowed number of cluster instances for this account.',
        $metadata: metadata,
      }),
      'the account has reached its Redshift cluster or node quota in us-west-2 ' +
        '(ClusterQuotaExceededFault): delete an unused cluster or request an increase in the Service Quotas console',
    ],
    [
      new InsufficientClusterCapacityFault({ message: 'Insufficient capacity', $metadata: metadata }),
      'AWS has no spare ra3.large capacity in us-west-2 right now: try another node type ([DWH] ' +
        'DWH_NODE_TYPE), another region ([AWS] REGION) or again later',
    ],
    [
      new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: metadata }),
      'cluster "dwhcluster" does not exist in us-west-2: run `sparkify-dwh cluster create`',
    ],
    [
      generic(EC2ServiceException, 'RequestLimitExceeded', 'Request limit exceeded.'),
      'AWS kept throttling redshift:CreateCluster while creating cluster dwhcluster, even after retries: ' +
        'wait a minute and run the command again',
    ],
    [
      generic(RedshiftServiceException, 'Throttling', 'Rate exceeded'),
      'AWS kept throttling redshift:CreateCluster while creating cluster dwhcluster, even after retries: ' +
        'wait a minute and run the command again',
    ],
    [
      generic(EC2ServiceException, 'VPCIdNotSpecified', 'No default VPC for this user'),
      'there is no default VPC in us-west-2: create one with `aws ec2 create-default-vpc --region ' +
        'us-west-2` and try again',
    ],
    [
      new EntityAlreadyExistsException({ message: 'Role with name dwhRole already exists.', $metadata: metadata }),
      'AWS failed while creating cluster dwhcluster (EntityAlreadyExistsException: Role with name ' +
        'dwhRole already exists.)',
    ],
  ])('%s', (error, message) => {
    expect(describeAwsError(error, context)).toBe(message);
    const wrapped = awsUserError(error, context);
    expect(wrapped).toBeInstanceOf(UserError);
    expect(wrapped.message).toBe(message);
    expect(wrapped.message).not.toContain('\n');
  });

  test('no answer from AWS at all is a network problem, not a credentials one', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(describeAwsError(refused, context)).toBe(
      'could not reach AWS while creating cluster dwhcluster (connection refused: connect ECONNREFUSED ' +
        '127.0.0.1:9): check the network connection, a proxy, and AWS_ENDPOINT_URL if you set it, then try again',
    );
    expect(isNetworkFailure(awsUserError(refused, context))).toBe(true);
    const timeout = Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' });
    expect(describeAwsError(timeout, context)).toMatch(
      /^could not reach AWS while creating cluster dwhcluster \(no answer/,
    );
    expect(
      isNetworkFailure(new RedshiftServiceException({ name: 'Throttling', $fault: 'client', $metadata: metadata })),
    ).toBe(false);
  });

  test('InvalidPermission.Duplicate is recognised by name (the ingress wrapper treats it as "rule exists")', () => {
    const error = generic(EC2ServiceException, 'InvalidPermission.Duplicate', 'the specified rule already exists');
    expect(awsErrorName(error)).toBe('InvalidPermission.Duplicate');
  });

  test('a message that happens to carry a secret is still one line, and we add none of our own', () => {
    // AWS never echoes secrets, but the context we add holds only names: check nothing leaks in.
    const error = generic(
      STSServiceException,
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
    );
    expect(describeAwsError(error, context)).not.toContain(AWS_SECRET);
  });

  test('a UserError passes through unchanged', () => {
    const original = new UserError('already explained');
    expect(awsUserError(original, context)).toBe(original);
  });
});
