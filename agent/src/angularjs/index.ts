/**
 * AngularJS 1.x integration for npm users:
 *
 *     import angular from 'angular';
 *     import { init } from '@lookout/agent';
 *     import { lookoutAngularJs } from '@lookout/agent/angularjs';
 *     init({ dsn: '…' });
 *     angular.module('app', [lookoutAngularJs(angular), 'ngRoute']);
 */
import * as agent from '../index.js';
import { registerLookoutModule } from './module.js';
import type { AngularStatic } from './types.js';

export { MODULE_NAME } from './module.js';

/** Registers the `lookout` module on `angular` (default: `window.angular`) and returns its name. */
export const lookoutAngularJs = (angular: AngularStatic = (window as unknown as { angular: AngularStatic }).angular): string =>
  registerLookoutModule(angular, () => agent);
