import type { Alert } from './parse.js';

/**
 * Alertmanager sends the whole group again whenever one alert in it changes (and every repeat interval),
 * so the same firing arrives many times. One firing is one (fingerprint, startsAt, status): only the
 * first arrival of each becomes an event. Bounded: the oldest keys are forgotten first.
 */
export class SeenAlerts {
  readonly #keys = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  static key(a: Alert): string {
    return `${a.fingerprint ?? JSON.stringify(a.labels)}\u0000${a.startsAt}\u0000${a.status}`;
  }

  has(a: Alert): boolean {
    return this.#keys.has(SeenAlerts.key(a));
  }

  /** Call once the event is on the topic: a failed emit must be retried when Alertmanager resends. */
  remember(a: Alert): void {
    this.#keys.add(SeenAlerts.key(a));
    while (this.#keys.size > this.capacity) {
      const oldest = this.#keys.values().next().value;
      if (oldest === undefined) break;
      this.#keys.delete(oldest);
    }
  }
}
