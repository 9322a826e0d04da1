/**
 * The load-testing DSL: what `import { … } from 'lookout/load'` gives a simulation file.
 * Reference and worked example: docs/load-testing.md.
 */
export { simulation, type SimulationOptions } from './dsl/simulation.js';
export { scenario, type ScenarioBuilder, type Population } from './dsl/scenario.js';
export { exec, pause, feed, repeat, during, foreach, group, exitHereIfFailed, doIf, doIfOrElse, type ChainBuilder, type Executable } from './dsl/chain.js';
export { http, httpProtocol, StringBody, JsonBody, FormBody, type HttpRequestBuilder, type HttpProtocolBuilder, type Body } from './dsl/http.js';
export { status, header, headerRegex, regex, bodyString, jsonPath, css, responseTimeInMillis, type Check, type CheckBuilder } from './dsl/checks.js';
export { csv, json, arrayFeeder, type Feeder, type FeederStrategy } from './runtime/feeders.js';
export {
  atOnceUsers,
  rampUsers,
  constantUsersPerSec,
  rampUsersPerSec,
  stressPeakUsers,
  nothingFor,
  constantConcurrentUsers,
  rampConcurrentUsers,
  reachRps,
  jumpToRps,
  holdFor,
} from './dsl/injection.js';
export { global, forAll, details } from './dsl/assertions.js';
export type { Session } from './runtime/session.js';
export type { Expression } from './runtime/template.js';
export type { SimulationDefinition, ScenarioDefinition, InjectionStep, ThrottleStep, AssertionSpec, UserContext } from './definition.js';
export type { RequestRecord, GroupRecord, Recorder } from './contract.js';
