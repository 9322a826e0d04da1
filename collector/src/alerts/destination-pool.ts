/** One destination instance per configured destination (Slack's per-webhook queue lives in it), shared by all rules. */
import type { DestinationConfig } from './rules/rule-schema.js';
import { hostname } from 'node:os';
import { createIcinga2Destination } from './destinations/icinga2.js';
import { createSlackDestination } from './destinations/slack.js';
import type { Destination, DestinationLog } from './destinations/types.js';
import { createWebhookDestination } from './destinations/webhook.js';

export const ICINGA2_DEFAULT_TTL_SECONDS = 600;

export interface DestinationPool {
  get(config: DestinationConfig): Destination;
  close(): Promise<void>;
}

export type DestinationFactory = (config: DestinationConfig, log: DestinationLog) => Destination;

export function createDestination(config: DestinationConfig, log: DestinationLog): Destination {
  switch (config.type) {
    case 'slack':
      return createSlackDestination({ webhookUrl: config.webhook_url, log, name: config.name ? `slack:${config.name}` : undefined });
    case 'webhook':
      return createWebhookDestination({ url: config.url, secret: config.secret, log, name: config.name ? `webhook:${config.name}` : undefined });
    case 'icinga2':
      return createIcinga2Destination({
        url: config.url,
        username: config.username,
        password: config.password,
        caFile: config.ca_file,
        certFile: config.cert_file,
        keyFile: config.key_file,
        host: config.host,
        service: config.service,
        ttlSeconds: config.ttl_seconds ?? ICINGA2_DEFAULT_TTL_SECONDS,
        checkSource: `lookout@${hostname()}`,
        log,
        name: config.name ? `icinga2:${config.name}` : undefined,
      });
  }
}

export function createDestinationPool(log: DestinationLog, factory: DestinationFactory = createDestination): DestinationPool {
  const pool = new Map<string, Destination>();
  return {
    get(config) {
      const key = JSON.stringify(config);
      let destination = pool.get(key);
      if (!destination) pool.set(key, (destination = factory(config, log)));
      return destination;
    },
    async close() {
      await Promise.all([...pool.values()].map((destination) => destination.close()));
      pool.clear();
    },
  };
}
