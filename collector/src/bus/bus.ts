/**
 * The in-process bus: the processor publishes what happened to issues once the events are
 * stored; alerts and the live feed subscribe. Synchronous, typed, and a failing subscriber
 * never stops the others or the publisher.
 */

/** What a subscriber learns about one error event and its issue. */
export interface IssueNotice {
  projectId: number;
  issueId: string;
  title: string;
  culprit: string;
  status: string;
  /** Where it happened: the first in-app frame (mapped when possible), original position. */
  frame: { file: string | null; line: number | null; function: string | null } | null;
  event: {
    event_id: string;
    timestamp: number;
    received_at: number;
    release: string;
    environment: string;
    url: string;
    route: string;
    user_id: string;
    browser: string;
    os: string;
    message: string;
    type: string;
    tags: Record<string, string>;
  };
}

export interface BusEvents {
  /** The first event of an issue. */
  'issue.new': IssueNotice;
  /** An event that reopened a resolved issue. */
  'issue.regression': IssueNotice;
  /** Every error event, with its issue. */
  'issue.event': IssueNotice;
}

export type BusTopic = keyof BusEvents;

export interface Bus {
  on<T extends BusTopic>(topic: T, subscriber: (payload: BusEvents[T]) => void): () => void;
  publish<T extends BusTopic>(topic: T, payload: BusEvents[T]): void;
}

export function createBus(onSubscriberError: (error: unknown, topic: BusTopic) => void = () => {}): Bus {
  const subscribers = new Map<BusTopic, Set<(payload: never) => void>>();
  return {
    on(topic, subscriber) {
      let set = subscribers.get(topic);
      if (!set) subscribers.set(topic, (set = new Set()));
      set.add(subscriber as (payload: never) => void);
      return () => void set.delete(subscriber as (payload: never) => void);
    },
    publish(topic, payload) {
      for (const subscriber of subscribers.get(topic) ?? []) {
        try {
          (subscriber as (payload: unknown) => void)(payload);
        } catch (error) {
          onSubscriberError(error, topic);
        }
      }
    },
  };
}
