/**
 * The TypeScript API types (src/tokens.ts) against the OpenAPI documents (docs/openapi.yaml,
 * docs/openapi-admin.yaml), which are the contract of the server extension.
 *
 * For every schema the frontend mirrors (MIRRORS), and recursively for every nested object both
 * sides spell out (inline objects, array items, `$ref`s, other interfaces of tokens.ts):
 * - every property of the TS type is in the schema, and every property of the schema in the TS
 *   type (no drift either way);
 * - a property the schema lists as `required` is not optional in the TS type.
 * Every schema of both documents is either mirrored or listed in NOT_MIRRORED with the reason, so
 * a new schema cannot be forgotten. The TS side is read with the TypeScript compiler's parser.
 */
import * as yaml from 'js-yaml';
import * as ts from 'typescript';

// Node's modules in jest (the test tsconfig has no Node types).
declare const require: (name: string) => any;
declare const __dirname: string;
const fs = require('fs');
const path = require('path');

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
};

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = {
  main: 'docs/openapi.yaml',
  admin: 'docs/openapi-admin.yaml'
} as const;
type Doc = keyof typeof DOCS;

/** TS interface -> the schema(s) it mirrors (several: the TS type is their union). */
const MIRRORS: Record<string, [Doc, string][]> = {
  IVersionInfo: [['main', 'Version']],
  IContextInfo: [
    ['main', 'Context'],
    ['main', 'NoContext']
  ],
  IJobStatus: [['main', 'JobStatus']],
  ICoverageTable: [['main', 'Coverage']],
  ITemplate: [['main', 'Template']],
  IWitness: [['main', 'Witness']],
  IWitnessAws: [['main', 'WitnessAws']],
  IAwsConfirmation: [['main', 'AwsConfirmation']],
  IExplainResult: [['main', 'Explanation']],
  IExplainCause: [['main', 'ExplainCause']],
  IScanStatus: [['main', 'TagScanStatus']],
  ITagScan: [['main', 'TagScan']],
  ITagPlan: [['main', 'TagPlan']],
  ITagChangeResult: [['admin', 'TagChangeResult']],
  IPlan: [['admin', 'Plan']],
  IPlanPolicy: [['admin', 'PlanPolicy']],
  IChangeSummary: [['admin', 'ChangeSummary']],
  IChangeRecord: [['admin', 'ChangeRecord']],
  IFlowBreaking: [['admin', 'FlowBreaking']],
  IOverviewStatus: [['main', 'OverviewStatus']],
  IOverview: [['main', 'Overview']],
  IOverviewFix: [['main', 'OverviewFix']]
};

/** Schemas with no TS mirror, and why. */
const NOT_MIRRORED: Record<string, string> = {
  'main:ExplainRequest': 'request body, built inline by ExplainModel.explain',
  'main:ReportRequest': 'request body, built by IsolationModel from ITarget',
  'main:Error': 'the error body; requestAPI reads it into ApiError',
  'main:ReportFragment':
    "the standalone page's fragment (static/standalone/page.js reads it), not the panel's",
  'admin:Error': 'the error body; requestAPI reads it into ApiError',
  'admin:FlowId': 'a string (a flow id of data/studio_flows.json)'
};

function loadDoc(doc: Doc): {
  components: { schemas: Record<string, Schema> };
} {
  const text = fs.readFileSync(path.join(ROOT, DOCS[doc]), 'utf8');
  return yaml.load(text) as { components: { schemas: Record<string, Schema> } };
}
const docs: Record<Doc, ReturnType<typeof loadDoc>> = {
  main: loadDoc('main'),
  admin: loadDoc('admin')
};

/** `$ref`, `allOf` of one, and `oneOf`/`anyOf` with null resolved to the object schema. */
function resolve(doc: Doc, schema: Schema | undefined): Schema | undefined {
  if (!schema) {
    return undefined;
  }
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(doc, docs[doc].components.schemas[name]);
  }
  const branches = (schema.oneOf ?? schema.anyOf ?? schema.allOf ?? []).filter(
    b => b.type !== 'null'
  );
  if (branches.length === 1 && !schema.properties) {
    return resolve(doc, branches[0]);
  }
  return schema;
}

const source = ts.createSourceFile(
  'tokens.ts',
  fs.readFileSync(path.join(ROOT, 'src', 'tokens.ts'), 'utf8'),
  ts.ScriptTarget.Latest,
  true
);
const interfaces = new Map<string, ts.InterfaceDeclaration>();
source.forEachChild(node => {
  if (ts.isInterfaceDeclaration(node)) {
    interfaces.set(node.name.text, node);
  }
});

/** The members of an interface (with the ones it extends) or of a type literal. */
function members(
  node: ts.InterfaceDeclaration | ts.TypeLiteralNode
): ts.PropertySignature[] {
  const own = node.members.filter(ts.isPropertySignature);
  if (!ts.isInterfaceDeclaration(node)) {
    return own;
  }
  const inherited = (node.heritageClauses ?? []).flatMap(h =>
    h.types.flatMap(t => {
      const base = ts.isIdentifier(t.expression)
        ? interfaces.get(t.expression.text)
        : undefined;
      return base ? members(base) : [];
    })
  );
  // An own member overrides the inherited one of the same name (e.g. optional made required).
  const ownNames = new Set(own.map(propName));
  return [...inherited.filter(p => !ownNames.has(propName(p))), ...own];
}

/** The object type a TS type node stands for (nulls, arrays and unions with strings removed). */
function objectOf(
  type: ts.TypeNode | undefined,
  array: boolean
): ts.InterfaceDeclaration | ts.TypeLiteralNode | undefined {
  if (!type) {
    return undefined;
  }
  if (ts.isParenthesizedTypeNode(type)) {
    return objectOf(type.type, array);
  }
  if (ts.isUnionTypeNode(type)) {
    const objects = type.types
      .map(t => objectOf(t, array))
      .filter((t): t is NonNullable<typeof t> => !!t);
    return objects.length === 1 ? objects[0] : undefined;
  }
  if (array) {
    if (ts.isArrayTypeNode(type)) {
      return objectOf(type.elementType, false);
    }
    if (
      ts.isTypeReferenceNode(type) &&
      identifier(type.typeName) === 'Array' &&
      type.typeArguments?.length === 1
    ) {
      return objectOf(type.typeArguments[0], false);
    }
    return undefined;
  }
  if (ts.isTypeLiteralNode(type)) {
    return type;
  }
  if (ts.isTypeReferenceNode(type)) {
    return interfaces.get(identifier(type.typeName));
  }
  return undefined;
}

function identifier(name: ts.EntityName | ts.PropertyName): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : '';
}

function propName(p: ts.PropertySignature): string {
  return identifier(p.name);
}

/**
 * Compare a TS object type with object schemas (their union), recursing into the nested objects
 * both spell out. Appends one line per difference to `problems`.
 */
function compare(
  where: string,
  node: ts.InterfaceDeclaration | ts.TypeLiteralNode,
  schemas: [Doc, Schema][],
  problems: string[]
): void {
  const props = members(node);
  const tsNames = new Set(props.map(propName));
  const schemaProps = new Map<string, [Doc, Schema][]>();
  for (const [doc, schema] of schemas) {
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      schemaProps.set(name, [...(schemaProps.get(name) ?? []), [doc, sub]]);
    }
  }
  // Required by every schema of the union.
  const required = new Set(
    (schemas[0][1].required ?? []).filter(r =>
      schemas.every(([, s]) => (s.required ?? []).includes(r))
    )
  );
  for (const name of tsNames) {
    if (!schemaProps.has(name)) {
      problems.push(`${where}.${name}: in the TS type, not in the schema`);
    }
  }
  for (const name of schemaProps.keys()) {
    if (!tsNames.has(name)) {
      problems.push(`${where}.${name}: in the schema, not in the TS type`);
    }
  }
  for (const p of props) {
    const name = propName(p);
    const subs = schemaProps.get(name);
    if (!subs) {
      continue;
    }
    if (required.has(name) && p.questionToken) {
      problems.push(`${where}.${name}: required by the schema, optional in TS`);
    }
    const resolved = subs
      .map(([doc, s]) => [doc, resolve(doc, s)] as [Doc, Schema | undefined])
      .filter((x): x is [Doc, Schema] => !!x[1]);
    const objects = resolved.filter(([, s]) => s.properties);
    if (objects.length > 0) {
      const child = objectOf(p.type, false);
      if (child) {
        compare(`${where}.${name}`, child, objects, problems);
      }
    }
    const items = resolved
      .map(
        ([doc, s]) => [doc, resolve(doc, s.items)] as [Doc, Schema | undefined]
      )
      .filter((x): x is [Doc, Schema] => !!x[1]?.properties);
    if (items.length > 0) {
      const child = objectOf(p.type, true);
      if (child) {
        compare(`${where}.${name}[]`, child, items, problems);
      }
    }
  }
}

describe('TypeScript API types vs docs/openapi*.yaml', () => {
  it('mirrors or explains every schema of both documents', () => {
    const mirrored = new Set(
      Object.values(MIRRORS).flatMap(list => list.map(([d, n]) => `${d}:${n}`))
    );
    const all = (Object.keys(DOCS) as Doc[]).flatMap(d =>
      Object.keys(docs[d].components.schemas).map(n => `${d}:${n}`)
    );
    expect(all.filter(k => !mirrored.has(k) && !NOT_MIRRORED[k])).toEqual([]);
    expect(Object.keys(NOT_MIRRORED).filter(k => all.indexOf(k) < 0)).toEqual(
      []
    );
  });

  for (const [name, targets] of Object.entries(MIRRORS)) {
    it(`${name} has the properties of ${targets.map(t => t[1]).join(' | ')}`, () => {
      const node = interfaces.get(name);
      expect(node).toBeDefined();
      const schemas = targets.map(
        ([doc, s]) =>
          [doc, resolve(doc, docs[doc].components.schemas[s])] as [Doc, Schema]
      );
      expect(schemas.every(([, s]) => !!s)).toBe(true);
      const problems: string[] = [];
      compare(name, node!, schemas, problems);
      expect(problems).toEqual([]);
    });
  }

  it('finds drift (the comparison itself can fail)', () => {
    const probe = ts.createSourceFile(
      'probe.ts',
      'interface X { version: string; catalog: { source: string }; ' +
        'admin_enabled?: boolean; extra?: number }',
      ts.ScriptTarget.Latest,
      true
    );
    const node = probe.statements[0] as ts.InterfaceDeclaration;
    const problems: string[] = [];
    compare(
      'X',
      node,
      [['main', docs.main.components.schemas.Version]],
      problems
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'X.extra: in the TS type, not in the schema',
        'X.features: in the schema, not in the TS type',
        'X.admin_enabled: required by the schema, optional in TS',
        'X.catalog.version: in the schema, not in the TS type'
      ])
    );
  });
});
