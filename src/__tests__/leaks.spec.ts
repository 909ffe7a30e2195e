import {
  allowingPolicies,
  allowingStatements,
  filterActions,
  formatStatementRef,
  groupByAccessLevel,
  normaliseVerdict,
  parseUsedBy,
  splitCrossDomain,
  UNKNOWN_ACCESS_LEVEL
} from '../leaks';
import { notIsolatedReport } from './reportFixture';

describe('groupByAccessLevel', () => {
  it('orders groups most dangerous first, unknown levels last, actions sorted', () => {
    const groups = groupByAccessLevel([
      { action: 'sagemaker:ListModels', access_level: 'List' },
      { action: 'sagemaker:DescribeModel', access_level: 'Read' },
      { action: 'sagemaker:UpdateDomain', access_level: 'Write' },
      { action: 'sagemaker:DeleteModel', access_level: 'Write' },
      { action: 'sagemaker:Mystery', access_level: null },
      { action: 'sagemaker:AddTags', access_level: 'Tagging' },
      { action: 'sagemaker:Odd', access_level: 'Zebra level' },
      {
        action: 'sagemaker:PutModelPackageGroupPolicy',
        access_level: 'Permissions management'
      }
    ]);
    expect(groups.map(g => g.accessLevel)).toEqual([
      'Permissions management',
      'Write',
      'Tagging',
      'Read',
      'List',
      'Zebra level',
      UNKNOWN_ACCESS_LEVEL
    ]);
    expect(groups[1].entries.map(e => e.action)).toEqual([
      'sagemaker:DeleteModel',
      'sagemaker:UpdateDomain'
    ]);
  });

  it('keeps every entry exactly once', () => {
    const entries = notIsolatedReport().roles[0].cross_domain;
    const groups = groupByAccessLevel(entries);
    const flat = groups.reduce<typeof entries>(
      (all, g) => all.concat(g.entries),
      []
    );
    expect(flat).toHaveLength(entries.length);
    expect(new Set(flat)).toEqual(new Set(entries));
  });

  it('returns no group for no entries', () => {
    expect(groupByAccessLevel([])).toEqual([]);
  });
});

describe('splitCrossDomain', () => {
  it('treats only accepted === true as accepted (missing flag is a leak)', () => {
    const { leaks, accepted } = splitCrossDomain(notIsolatedReport().roles[0]);
    expect(leaks.map(e => e.action).sort()).toEqual([
      'sagemaker:DeleteModel',
      'sagemaker:DescribeTrainingJob'
    ]);
    expect(accepted.map(e => e.action)).toEqual(['sagemaker:AddAssociation']);
  });

  it('reads a truthy non-boolean accepted flag as a leak', () => {
    const role = {
      cross_domain: [
        {
          action: 'a',
          resource_types: [],
          allowed_by: [],
          accepted: 'yes' as unknown as boolean
        }
      ]
    };
    expect(splitCrossDomain(role).leaks).toHaveLength(1);
  });
});

describe('formatting', () => {
  it('names the statement by Sid, else by 1-based position', () => {
    expect(
      formatStatementRef({
        policy: 'AmazonSageMakerFullAccess',
        sid: 'AllowAll',
        index: 0
      })
    ).toBe('AmazonSageMakerFullAccess / Sid AllowAll');
    expect(
      formatStatementRef({ policy: 'inline-x', sid: null, index: 2 })
    ).toBe('inline-x / statement #3');
  });

  it('counts allowing policies once per entry', () => {
    expect(
      allowingPolicies([
        {
          allowed_by: [
            { policy: 'A', index: 0 },
            { policy: 'A', index: 1 }
          ]
        },
        {
          allowed_by: [
            { policy: 'B', index: 0 },
            { policy: 'A', index: 0 }
          ]
        }
      ])
    ).toEqual([
      { policy: 'A', count: 2 },
      { policy: 'B', count: 1 }
    ]);
  });

  it('parses used_by values', () => {
    expect(parseUsedBy('domain-default')).toEqual({ kind: 'domain-default' });
    expect(parseUsedBy('default-space')).toEqual({ kind: 'default-space' });
    expect(parseUsedBy('user-profile:alice:x')).toEqual({
      kind: 'user-profile',
      name: 'alice:x'
    });
    expect(parseUsedBy('weird')).toEqual({ kind: 'other', value: 'weird' });
  });

  it('never normalises an unexpected verdict to isolated', () => {
    expect(normaliseVerdict('isolated')).toBe('isolated');
    expect(normaliseVerdict('not_isolated')).toBe('not_isolated');
    expect(normaliseVerdict('ISOLATED')).toBe('unknown');
    expect(normaliseVerdict(undefined)).toBe('unknown');
  });

  it('filters actions case-insensitively', () => {
    expect(
      filterActions(['sagemaker:ListTags', 'sagemaker:AddTags', 'x'], ' tags ')
    ).toEqual(['sagemaker:ListTags', 'sagemaker:AddTags']);
    expect(filterActions(undefined, 'a')).toEqual([]);
    expect(filterActions(['a', 'b'], '')).toEqual(['a', 'b']);
  });
});

describe('allowingStatements', () => {
  it('counts each distinct statement once per entry, most frequent first', () => {
    const full = {
      policy: 'AmazonSageMakerFullAccess',
      sid: 'AllowAll',
      index: 0
    };
    const iso = { policy: 'Iso', sid: null, index: 1 };
    const counts = allowingStatements([
      { allowed_by: [full, full] },
      { allowed_by: [full, iso] },
      { allowed_by: [{ policy: 'Iso', sid: null, index: 2 }] }
    ]);
    expect(counts.map(c => [c.label, c.count])).toEqual([
      ['AmazonSageMakerFullAccess / Sid AllowAll', 2],
      ['Iso / statement #2', 1],
      ['Iso / statement #3', 1]
    ]);
  });
});
