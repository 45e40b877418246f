import { parse } from 'yaml';
import type { ParseOptions, DocumentOptions, SchemaOptions, ScalarTag, CollectionTag } from 'yaml';

// CloudFormation short-form functions, parsed into their long form (`!Ref X` -> { Ref: 'X' }), so
// a test can inspect a template exactly as CloudFormation will see it.
const FUNCTIONS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Cidr: 'Fn::Cidr',
};

function cfnTags(): (ScalarTag | CollectionTag)[] {
  return Object.entries(FUNCTIONS).flatMap(([short, long]): (ScalarTag | CollectionTag)[] => [
    {
      tag: `!${short}`,
      // `!GetAtt Role.Arn` is the one scalar form CloudFormation splits itself.
      resolve: (value: string) => ({ [long]: long === 'Fn::GetAtt' ? value.split('.') : value }),
    },
    { tag: `!${short}`, collection: 'seq', resolve: (seq) => ({ [long]: seq.toJSON() }) },
    { tag: `!${short}`, collection: 'map', resolve: (map) => ({ [long]: map.toJSON() }) },
  ]);
}

type Options = ParseOptions & DocumentOptions & SchemaOptions;

export function parseCloudFormation(text: string): unknown {
  const options: Options = { customTags: cfnTags(), uniqueKeys: true };
  return parse(text, options);
}
