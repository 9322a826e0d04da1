/**
 * `scenario(name)`: a named chain (every chain method is available and returns a scenario), then
 * `.injectOpen(...)` or `.injectClosed(...)` to say how its users arrive.
 */
import type { InjectionStep } from '../definition.js';
import type { HttpProtocolBuilder } from './http.js';
import { chain, type ChainBuilder } from './chain.js';
import type { Step } from '../runtime/steps.js';

export interface Population {
  readonly scenario: ScenarioBuilder;
  readonly injection: InjectionStep[];
  readonly protocol?: HttpProtocolBuilder;
  /** This population's own protocol instead of the simulation's. */
  protocols(protocol: HttpProtocolBuilder): Population;
}

type Chained<F> = F extends (...args: infer A) => ChainBuilder ? (...args: A) => ScenarioBuilder : F;

export type ScenarioBuilder = { readonly name: string; readonly steps: readonly Step[] } & {
  [K in Exclude<keyof ChainBuilder, 'steps' | 'repeat'>]: Chained<ChainBuilder[K]>;
} & {
  repeat(times: Parameters<ChainBuilder['repeat']>[0], counterKey: string, chain: ChainBuilder): ScenarioBuilder;
  repeat(times: Parameters<ChainBuilder['repeat']>[0], chain: ChainBuilder): ScenarioBuilder;
  repeat(times: Parameters<ChainBuilder['repeat']>[0], counterKey?: string): (chain: ChainBuilder) => ScenarioBuilder;
  injectOpen(...steps: InjectionStep[]): Population;
  injectClosed(...steps: InjectionStep[]): Population;
};

function population(scenario: ScenarioBuilder, injection: InjectionStep[], protocol?: HttpProtocolBuilder): Population {
  return { scenario, injection, protocol, protocols: (p) => population(scenario, injection, p) };
}

function inject(scenario: ScenarioBuilder, model: 'open' | 'closed', steps: InjectionStep[]): Population {
  const wrong = steps.find((step) => step.model !== model);
  if (wrong) throw new Error(`scenario '${scenario.name}': inject${model === 'open' ? 'Open' : 'Closed'}() got ${wrong.model === 'open' ? 'an' : 'a'} ${wrong.model}-model step (${wrong.kind}); open and closed steps cannot be mixed`);
  if (steps.length === 0) throw new Error(`scenario '${scenario.name}': inject${model === 'open' ? 'Open' : 'Closed'}() needs at least one step`);
  return population(scenario, steps.map((step) => ({ ...step })));
}

function scenarioBuilder(name: string, base: ChainBuilder): ScenarioBuilder {
  const wrap = (next: ChainBuilder) => scenarioBuilder(name, next);
  const built = {
    name,
    steps: base.steps,
    exec: (...args: Parameters<ChainBuilder['exec']>) => wrap(base.exec(...args)),
    pause: (...args: Parameters<ChainBuilder['pause']>) => wrap(base.pause(...args)),
    feed: (...args: Parameters<ChainBuilder['feed']>) => wrap(base.feed(...args)),
    during: (...args: Parameters<ChainBuilder['during']>) => wrap(base.during(...args)),
    foreach: (...args: Parameters<ChainBuilder['foreach']>) => wrap(base.foreach(...args)),
    group: (...args: Parameters<ChainBuilder['group']>) => wrap(base.group(...args)),
    exitHereIfFailed: () => wrap(base.exitHereIfFailed()),
    doIf: (...args: Parameters<ChainBuilder['doIf']>) => wrap(base.doIf(...args)),
    doIfOrElse: (...args: Parameters<ChainBuilder['doIfOrElse']>) => wrap(base.doIfOrElse(...args)),
    repeat: (times: Parameters<ChainBuilder['repeat']>[0], counterOrChain?: string | ChainBuilder, body?: ChainBuilder) => {
      const result = (base.repeat as (...a: unknown[]) => ChainBuilder | ((c: ChainBuilder) => ChainBuilder))(times, counterOrChain, body);
      return typeof result === 'function' ? (inner: ChainBuilder) => wrap(result(inner)) : wrap(result);
    },
    injectOpen: (...steps: InjectionStep[]) => inject(built as ScenarioBuilder, 'open', steps),
    injectClosed: (...steps: InjectionStep[]) => inject(built as ScenarioBuilder, 'closed', steps),
  };
  return built as unknown as ScenarioBuilder;
}

export function scenario(name: string): ScenarioBuilder {
  if (!name) throw new Error('scenario() needs a name');
  return scenarioBuilder(name, chain());
}
