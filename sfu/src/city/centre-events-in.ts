/**
 * City mode, centre side: the wards' health alerts and urgent bookmarks (docs/city.md, "Alerts and
 * urgent bookmarks"). Subscribes to `city.*.evt.alert` and `city.*.evt.bookmark.urgent` on the hub,
 * keeps the wards' open alerts (`WardAlertBook`), resyncs a ward's alerts with `alerts.list` when it
 * comes (back) online (events published while its link was down are lost), and hands every change
 * to `push` with the camera named `<ward>/<camera>`. Malformed events are dropped and counted.
 */
import type { NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import type { CityAlertInfo, CityUrgentInfo } from '@wardwall/common';
import { decodeJson, requestWard, WARD_ALERT_EVENT, WARD_ID, WARD_URGENT_EVENT, WardAlertBook, wardAlertEventSchema, wardEventSubject, wardUrgentEventSchema, type CentreDirectory } from '@wardwall/city';

const RESYNC_TIMEOUT_MS = 5000;

export interface CentreEventsIn {
  /** Every open or acknowledged alert of every ward, oldest first. */
  alerts(): CityAlertInfo[];
  /** Events refused (bad subject or body) since start. */
  readonly refused: number;
  close(): void;
}

export function installCentreEvents(deps: {
  nc: NatsConnection;
  directory: CentreDirectory;
  log: Logger;
  onAlert: (alert: CityAlertInfo) => void;
  onUrgent: (urgent: CityUrgentInfo) => void;
}): CentreEventsIn {
  const { nc, directory, log } = deps;
  const book = new WardAlertBook();
  let refused = 0;
  const emit = (changed: CityAlertInfo[]) => {
    for (const a of changed) {
      try {
        deps.onAlert(a);
      } catch (e) {
        log.error({ err: e }, 'city: ward alert push failed');
      }
    }
  };
  const wardOf = (subject: string): string | null => {
    const ward = subject.split('.')[1] ?? '';
    return WARD_ID.test(ward) ? ward : null;
  };
  const subs: Subscription[] = [
    nc.subscribe(wardEventSubject('*', WARD_ALERT_EVENT), {
      callback: (err, msg) => {
        if (err) return;
        const ward = wardOf(msg.subject);
        const event = ward ? decodeJson(msg.data, wardAlertEventSchema) : null;
        if (!ward || !event) return void refused++;
        emit(book.apply(ward, event.alert));
      },
    }),
    nc.subscribe(wardEventSubject('*', WARD_URGENT_EVENT), {
      callback: (err, msg) => {
        if (err) return;
        const ward = wardOf(msg.subject);
        const event = ward ? decodeJson(msg.data, wardUrgentEventSchema) : null;
        if (!ward || !event) return void refused++;
        const b = event.bookmark;
        log.info({ ward, bookmark: b.id, cameras: b.cameras }, 'city: urgent bookmark at a ward');
        try {
          deps.onUrgent({ ward, ...b, cameras: b.cameras.map((c) => `${ward}/${c}`) });
        } catch (e) {
          log.error({ err: e }, 'city: urgent bookmark push failed');
        }
      },
    }),
  ];
  const resync = async (ward: string) => {
    try {
      const reply = await requestWard(nc, ward, 'alerts.list', {}, RESYNC_TIMEOUT_MS);
      emit(book.replaceWard(ward, reply.alerts, Date.now()));
    } catch (e) {
      // An older ward without the op, or the link went down again: the next online resyncs.
      log.warn({ ward, err: (e as Error).message }, 'city: ward alerts not resynced');
    }
  };
  const onChange = (c: { kind: string; ward?: string }) => {
    if (c.kind === 'ward-online' && c.ward) void resync(c.ward);
  };
  directory.on('change', onChange);
  // Wards already online when the centre starts.
  for (const w of directory.view()) if (w.online) void resync(w.ward);
  return {
    alerts: () => book.list(),
    get refused() {
      return refused;
    },
    close() {
      directory.off('change', onChange);
      for (const s of subs) s.unsubscribe();
    },
  };
}
