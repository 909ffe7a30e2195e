/** What the standalone-page specs share: the server's token and base URL (set by
 * playwright-standalone.config.js), the page's address, and an AccessDenied message to explain. */
export const TOKEN = process.env.STANDALONE_TOKEN || 'standalone-test-token';
export const BASE = process.env.STANDALONE_BASE_URL || '/jupyter/default/';
export const PAGE = `${BASE}sagemaker-isolation/`;

export const DENIAL =
  'An error occurred (AccessDeniedException) when calling the DescribeTrainingJob operation: ' +
  'User: arn:aws:sts::111122223333:assumed-role/StudioExecutionRole/SageMaker is not authorized ' +
  'to perform: sagemaker:DescribeTrainingJob on resource: ' +
  'arn:aws:sagemaker:us-east-1:111122223333:training-job/other-team-job because no ' +
  'identity-based policy allows the sagemaker:DescribeTrainingJob action';
