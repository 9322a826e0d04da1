/**
 * `simulation({ protocol, scenarios, assertions, throttle, maxDuration })`: the plain
 * SimulationDefinition the runner executes. Each distinct protocol gets one HTTP client (one
 * keep-alive pool per origin) shared by all users of the scenarios using it.
 */
import type { AssertionSpec, ScenarioDefinition, SimulationDefinition } from '../definition.js';
import { createHttpClient, type HttpClient } from '../runtime/client.js';
import { createCookieJar } from '../runtime/cookies.js';
import { runChain } from '../runtime/run-chain.js';
import { createSession } from '../runtime/session.js';
import type { UserState } from '../runtime/user.js';
import type { HttpProtocolBuilder } from './http.js';
import { httpProtocol } from './http.js';
import { toThrottleSteps, type ThrottlePiece } from './injection.js';
import type { Population } from './scenario.js';

export interface SimulationOptions {
  /** The protocol of every scenario that does not set its own with `.protocols(…)`. */
  protocol?: HttpProtocolBuilder;
  scenarios: Population[];
  assertions?: AssertionSpec[];
  throttle?: ThrottlePiece[];
  /** Stops the run after this many seconds even if users are still running. */
  maxDuration?: number;
}

export function simulation(options: SimulationOptions): SimulationDefinition {
  if (!options.scenarios?.length) throw new Error('simulation() needs at least one scenario: scenarios: [scn.injectOpen(…)]');
  const names = new Set<string>();
  for (const { scenario } of options.scenarios) {
    if (names.has(scenario.name)) throw new Error(`two scenarios are named '${scenario.name}': names must be unique (reports key on them)`);
    names.add(scenario.name);
  }
  const clients = new Map<HttpProtocolBuilder, HttpClient>();
  const clientFor = (protocol: HttpProtocolBuilder) => {
    let client = clients.get(protocol);
    if (!client) clients.set(protocol, (client = createHttpClient(protocol.config)));
    return client;
  };
  const defaultProtocol = options.protocol ?? httpProtocol();
  const throttle = toThrottleSteps(options.throttle ?? []);
  const scenarios: ScenarioDefinition[] = options.scenarios.map((population) => {
    const client = clientFor(population.protocol ?? defaultProtocol);
    const { name, steps } = population.scenario;
    return {
      name,
      injection: population.injection,
      runUser: async (context) => {
        const state: UserState = {
          context,
          client,
          jar: createCookieJar(),
          session: createSession(context.userId, name),
          nextIntended: context.arrival,
          groups: [],
          throttled: throttle.length > 0,
          exited: false,
        };
        try {
          context.recorder.userStarted(name);
          await runChain(state, steps);
        } catch (error) {
          // runChain catches what it expects; this is a bug or a recorder that threw. Never reject.
          console.error(`lookout load: scenario '${name}' user ${context.userId} ended with an error:`, error);
        } finally {
          try {
            context.recorder.userEnded(name);
          } catch (error) {
            console.error('lookout load: recorder.userEnded threw:', error);
          }
        }
      },
    };
  });
  return {
    scenarios,
    assertions: options.assertions ?? [],
    throttle,
    maxDurationSeconds: options.maxDuration,
    close: async () => {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
