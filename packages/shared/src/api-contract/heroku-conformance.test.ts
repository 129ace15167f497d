// paas's response types against Heroku's published ones (`@heroku-cli/schema`, a devDependency):
// `tsc -p tsconfig.test.json` fails when a paas resource is not assignable to Heroku's type of it
// (a field Heroku's tools read with another type). The runtime half, that live answers carry the
// fields, is in apps/controller/src/api/heroku-api.int.test.ts; this file checks the schemas too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as Heroku from '@heroku-cli/schema';
import type {
  Account,
  AddonAttachment,
  AddonService,
  App,
  Dyno,
  Feature,
  FormationEntry,
  HerokuAddon,
  LogSession,
  OAuthAuthorization,
  Region,
  Release,
  SniEndpoint,
} from './index.js';
import { herokuFieldsOf } from './heroku-fields.js';

/** Compiles only when `Paas` is assignable to `Theirs`. */
type Conforms<Theirs, Paas extends Theirs> = Paas;

export type HerokuConformance = [
  Conforms<Heroku.Account, Account>,
  Conforms<Heroku.App, App>,
  Conforms<Heroku.Formation, FormationEntry>,
  Conforms<Heroku.Release, Release>,
  Conforms<Heroku.Dyno, Dyno>,
  Conforms<Heroku.SniEndpoint, SniEndpoint>,
  Conforms<Heroku.LogSession, LogSession>,
  Conforms<Heroku.AddOn, HerokuAddon>,
  Conforms<Heroku.AddOnService, AddonService>,
  Conforms<Heroku.AddOnAttachment, AddonAttachment>,
  Conforms<Heroku.Region, Region>,
  Conforms<Heroku.AppFeature, Feature>,
  Conforms<Heroku.AccountFeature, Feature>,
  Conforms<Heroku.OAuthAuthorization, OAuthAuthorization>,
];

test('the fields the live answers are checked for are fields of the paas types', () => {
  // A typo here would make the runtime check vacuous: each listed field must be one of the type's keys.
  const keys: { [K in keyof typeof herokuFieldsOf]: readonly string[] } = herokuFieldsOf;
  for (const [resource, fields] of Object.entries(keys)) assert.ok(fields.length > 0, resource);
});
