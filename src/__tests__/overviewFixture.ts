/**
 * An overview shaped like `sagemaker/overview.py` `build_overview` on the demo: two domains in
 * account 111122223333 us-east-1 (research is not isolated: it reaches prod and any other
 * domain), one in eu-west-1, one in account 444455556666, and an account that refused AssumeRole.
 */
import type { IWitness } from '../tokens';
import type {
  IOverview,
  IOverviewDomain,
  IOverviewFix,
  IOverviewStatus
} from '../tokens';

export const A = '111122223333';
export const B = '444455556666';
export const RESEARCH = `arn:aws:sagemaker:us-east-1:${A}:domain/d-research0001`;
export const PROD = `arn:aws:sagemaker:us-east-1:${A}:domain/d-prod00000001`;
export const EU = `arn:aws:sagemaker:eu-west-1:${A}:domain/d-eu0000000001`;
export const OTHER = `arn:aws:sagemaker:us-east-1:${B}:domain/d-other0000001`;

export function witness(action: string, to = PROD): IWitness {
  return {
    principal: `arn:aws:iam::${A}:role/research-default`,
    action,
    resource: `arn:aws:sagemaker:us-east-1:${A}:endpoint/prod-model`,
    context: { 'aws:ResourceTag/sagemaker:domain-arn': to },
    conditional_on: []
  };
}

function domain(
  arn: string,
  name: string,
  verdict: IOverviewDomain['verdict']
): IOverviewDomain {
  const [, , , region, account, rest] = arn.split(':');
  return {
    id: rest.split('/')[1],
    arn,
    name,
    region,
    account_id: account,
    experience: 'studio',
    verdict,
    roles: [
      {
        arn: `arn:aws:iam::${account}:role/${name}-default`,
        name: `${name}-default`,
        used_by: ['domain-default'],
        verdict,
        policies: [],
        counts: {}
      }
    ],
    findings:
      verdict === 'not_isolated'
        ? [
            {
              id: 'broad-allow-defeats-isolation',
              severity: 'high',
              title:
                'AmazonSageMakerFullAccess allows actions on other domains',
              role: `arn:aws:iam::${account}:role/${name}-default`
            }
          ]
        : []
  };
}

export function demoOverview(): IOverview {
  return {
    domains: [
      domain(PROD, 'prod', 'isolated'),
      domain(RESEARCH, 'research', 'not_isolated'),
      domain(EU, 'eu-analytics', 'isolated'),
      domain(OTHER, 'partner', 'unknown')
    ],
    reach: [
      {
        from: RESEARCH,
        to: PROD,
        actions: 12,
        examples: [
          witness('sagemaker:DeleteEndpoint'),
          witness('sagemaker:UpdateEndpoint')
        ]
      },
      {
        from: RESEARCH,
        to: '*',
        actions: 140,
        examples: [witness('sagemaker:StopPipelineExecution', 'd-unnamed')]
      }
    ],
    errors: [
      {
        account_id: '777788889999',
        region: null,
        operation: 'AssumeRole',
        code: 'AccessDenied',
        message: 'not authorized to assume OrganizationAccountAccessRole'
      }
    ]
  };
}

/** "Do this next" beside the overview (the route's `fixes`), in the server's order. */
export function demoFixes(): IOverviewFix[] {
  return [
    {
      kind: 'attach-template',
      title:
        'Attach StudioDomainResourceIsolationPolicy-d-research0001 (deny variant) to research-default',
      change: {
        variant: 'deny',
        policy_name: 'StudioDomainResourceIsolationPolicy-d-research0001',
        policy_arn: `arn:aws:iam::${A}:policy/StudioDomainResourceIsolationPolicy-d-research0001`
      },
      roles: [
        {
          domain: RESEARCH,
          role: `arn:aws:iam::${A}:role/research-default`,
          role_name: 'research-default'
        }
      ],
      domains: [RESEARCH],
      closes: 2,
      verdicts_after: { [RESEARCH]: 'isolated' }
    },
    {
      kind: 'replace-managed-policy',
      title:
        'Replace the AWS managed policy AmazonSageMakerFullAccess with a copy without statements AllowAll, #3 on research-default',
      change: {
        policy_arn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess',
        policy_name: 'AmazonSageMakerFullAccess',
        aws_managed: true,
        statements: [
          { sid: 'AllowAll', index: 0 },
          { sid: null, index: 3 }
        ],
        new_policy_name: 'AmazonSageMakerFullAccess-NoCrossDomain'
      },
      roles: [
        {
          domain: RESEARCH,
          role: `arn:aws:iam::${A}:role/research-default`,
          role_name: 'research-default'
        }
      ],
      domains: [RESEARCH],
      closes: 7,
      verdicts_after: { [RESEARCH]: 'isolated' }
    }
  ];
}

/** The route's answer for a job in `status`, with nothing in it yet. */
export function emptyStatus(
  status: IOverviewStatus['status'] = 'none'
): IOverviewStatus {
  return {
    status,
    key: null,
    progress: null,
    overview: null,
    fixes: null,
    summary: null,
    run: null,
    error: null,
    started_at: null,
    finished_at: null,
    other_accounts_enabled: false
  };
}

/** The route's answer for a ready job. */
export function readyStatus(): IOverviewStatus {
  return {
    status: 'ready',
    key: {
      regions: ['us-east-1'],
      all_regions: false,
      accounts: [],
      org: false,
      assume_role: 'OrganizationAccountAccessRole'
    },
    progress: null,
    overview: demoOverview(),
    fixes: demoFixes(),
    summary: {
      domains: 4,
      isolated: 2,
      not_isolated: 1,
      unknown: 1,
      errors: 1
    },
    run: { nothing_read: false },
    error: null,
    started_at: '2026-12-06T23:00:00Z',
    finished_at: '2026-12-06T23:00:09Z',
    other_accounts_enabled: false
  };
}
