/** Sends one message to every destination of a rule and records each result in the history. */
import type { Logger } from '../log.js';
import type { DestinationPool } from './destination-pool.js';
import type { AlertMessage, DeliveryResult } from './destinations/types.js';
import type { AlertHistory } from './history.js';
import type { AlertRule } from './rules/rule-schema.js';

export type Deliver = (rule: AlertRule, message: AlertMessage) => Promise<{ destination: string; result: DeliveryResult }[]>;

export function createDeliver(destinations: DestinationPool, history: AlertHistory, log: Logger): Deliver {
  return (rule, message) =>
    Promise.all(
      rule.destinations.map(async (config) => {
        let name: string = config.type;
        let result: DeliveryResult;
        try {
          const destination = destinations.get(config);
          name = destination.name;
          result = await destination.send(message);
        } catch (error) {
          result = { ok: false, attempts: 0, error: (error as Error).message };
        }
        if (!result.ok) log.warn({ rule: rule.id, destination: name, error: result.error, status: result.status }, 'an alert was not delivered');
        await history.record(message, name, result).catch((error) => log.error({ err: error }, 'alert history could not be written'));
        return { destination: name, result };
      }),
    );
}
