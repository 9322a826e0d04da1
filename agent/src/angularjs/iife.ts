/**
 * The script-tag build (`lookout-angularjs.min.js`): load it after angular.js and the agent,
 * then list `'lookout'` among the app module's dependencies. It reports to the global
 * `Lookout`, read at each call, so the async loader's stub is replaced by the agent in time.
 */
import { registerLookoutModule } from './module.js';
import type { AngularStatic, LookoutApi } from './types.js';

const page = window as unknown as { angular?: AngularStatic; Lookout?: LookoutApi };

if (page.angular) registerLookoutModule(page.angular, () => page.Lookout);
