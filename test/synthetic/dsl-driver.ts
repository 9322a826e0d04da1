/**
 * A tiny stand-in for the runner, for the DSL tests: runs virtual users of a simulation's
 * scenario directly through `runUser` with a recorder that keeps every record.
 */
import type { GroupRecord, Recorder, RequestRecord } from '../../synthetic/src/contract.js';
import type { SimulationDefinition, UserContext } from '../../synthetic/src/definition.js';

export interface Collected {
  requests: RequestRecord[];
  groups: GroupRecord[];
  started: number;
  ended: number;
  stopReasons: string[];
  recorder: Recorder;
}

export function collector(): Collected {
  const collected: Collected = {
    requests: [],
    groups: [],
    started: 0,
    ended: 0,
    stopReasons: [],
    recorder: {
      request: (record) => collected.requests.push(record),
      group: (record) => collected.groups.push(record),
      userStarted: () => collected.started++,
      userEnded: () => collected.ended++,
    },
  };
  return collected;
}

export interface DriveOptions {
  users?: number;
  /** Run the users one after the other (default) or all at once. */
  concurrent?: boolean;
  scenario?: string;
  stopping?: () => boolean;
  throttle?: () => Promise<void>;
  /** Each user's arrival (performance.now() ms); default: when it is started. */
  arrival?: (userId: number) => number;
}

/** Runs users of one scenario of `simulation` and returns what they recorded; closes the simulation's pools. */
export async function drive(simulation: SimulationDefinition, options: DriveOptions = {}): Promise<Collected> {
  const collected = collector();
  const scenario = options.scenario ? simulation.scenarios.find((s) => s.name === options.scenario)! : simulation.scenarios[0];
  let stopped = false;
  const context = (userId: number): UserContext => ({
    scenario: scenario.name,
    userId,
    arrival: options.arrival?.(userId) ?? performance.now(),
    recorder: collected.recorder,
    stopping: () => stopped || (options.stopping?.() ?? false),
    stopRun: (reason) => {
      collected.stopReasons.push(reason);
      stopped = true;
    },
    throttle: options.throttle ?? (async () => {}),
  });
  const users = options.users ?? 1;
  try {
    if (options.concurrent) {
      await Promise.all(Array.from({ length: users }, (_, i) => scenario.runUser(context(i + 1))));
    } else {
      for (let i = 1; i <= users; i++) await scenario.runUser(context(i));
    }
  } finally {
    await simulation.close();
  }
  return collected;
}

/** The failure reasons of the KO requests, in order. */
export function failures(collected: Collected): (string | undefined)[] {
  return collected.requests.filter((r) => !r.ok).map((r) => r.failure);
}
