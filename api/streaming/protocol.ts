/**
 * The signalling protocol of the streaming service: GET /v1/stream/ws, subprotocol `seatstream-stream.v1`, JSON text
 * frames. Pure: parsing and encoding only (session.ts acts on the messages).
 *
 * Authentication: the handshake offers `seatstream-stream.v1` and `bearer.<access token>` (as GET /v1/ws does: a
 * browser cannot set an Authorization header on a WebSocket, and a URL would end up in logs). The access token says
 * who the peer is; the stream token of the `join` says what they may do in which event, and must be theirs.
 *
 * Requests carry an id the answer repeats:
 *   client → server  {id, method, data}
 *   server → client  {id, ok: true, data} | {id, ok: false, error: {code, message}}
 *
 *   join              {eventId, streamToken}                    → {role, eventId, routerRtpCapabilities, producers, viewers}
 *   createTransport   {direction: 'send' | 'recv'}              → {id, iceParameters, iceCandidates, dtlsParameters}
 *   connectTransport  {transportId, dtlsParameters}             → {}
 *   produce           {transportId, kind, rtpParameters}        → {producerId}             (broadcaster)
 *   closeProducer     {producerId}                              → {}                       (broadcaster)
 *   consume           {transportId, producerId, rtpCapabilities} → {consumerId, producerId, kind, rtpParameters, type}
 *                                                                  (created paused: resume once the track is wired)
 *   resumeConsumer    {consumerId}                              → {}
 *   setPreferredLayers {consumerId, spatialLayer, temporalLayer?} → {}  (a cap: below it, the layer follows bandwidth)
 *   ping              {}                                        → {}
 *
 * Notifications (server → client, no id): {notification, data}
 *   producerAdded {producerId, kind} · producerClosed {producerId} · viewerCount {viewers}
 *   layersChanged {consumerId, spatialLayer, temporalLayer} (null layers: nothing is forwarded) · consumerClosed {consumerId}
 *
 * Close codes: 4401 SS_ERR_STREAM_UNAUTHENTICATED (no valid access token), 4403 SS_ERR_STREAM_BOOKING_CANCELLED (the
 * booking behind a viewer's token was cancelled), 4408 SS_ERR_STREAM_NOT_JOINED (no `join` in time), 1001 going away,
 * 1009 message too big.
 */
import type { ErrorCode } from '../errors.js';

export const SIGNALING_PATH = '/v1/stream/ws';
export const STREAM_SUBPROTOCOL = 'seatstream-stream.v1';
/** Largest client message: an SDP-derived rtpParameters with three simulcast encodings is a few kilobytes. */
export const MAX_STREAM_MESSAGE_BYTES = 64 * 1024;

export type Direction = 'send' | 'recv';
export type MediaKind = 'audio' | 'video';
type Json = Record<string, unknown>;

export type StreamRequest =
  | { id: number | string; method: 'join'; data: { eventId: string; streamToken: string } }
  | { id: number | string; method: 'createTransport'; data: { direction: Direction } }
  | { id: number | string; method: 'connectTransport'; data: { transportId: string; dtlsParameters: Json } }
  | { id: number | string; method: 'produce'; data: { transportId: string; kind: MediaKind; rtpParameters: Json } }
  | { id: number | string; method: 'closeProducer'; data: { producerId: string } }
  | {
      id: number | string;
      method: 'consume';
      data: { transportId: string; producerId: string; rtpCapabilities: Json };
    }
  | { id: number | string; method: 'resumeConsumer'; data: { consumerId: string } }
  | {
      id: number | string;
      method: 'setPreferredLayers';
      data: { consumerId: string; spatialLayer: number; temporalLayer: number | null };
    }
  | { id: number | string; method: 'ping'; data: Record<string, never> };

export type StreamMethod = StreamRequest['method'];

/** A message that is not a request: what is wrong, and the id to answer when there was a usable one. */
export interface StreamProtocolError {
  error: string;
  id: number | string | null;
}

const eventIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const jwtPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const objectIdPattern = /^[A-Za-z0-9-]{1,64}$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number | string =>
  (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) ||
  (typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(v));

/** Fields of `data` beyond `allowed`, or null. */
const extraField = (o: Json, allowed: string[]): string | null =>
  Object.keys(o).find((k) => !allowed.includes(k)) ?? null;

/** Reads a client request; what is wrong with anything else. */
export function parseStreamRequest(text: string): StreamRequest | StreamProtocolError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not JSON', id: null };
  }
  if (!isObject(value)) return { error: 'not a JSON object', id: null };
  const { id, method } = value;
  if (!isId(id))
    return { error: 'id must be a non-negative integer or 1 to 64 characters of [A-Za-z0-9_.:-]', id: null };
  const extra = extraField(value, ['id', 'method', 'data']);
  if (extra) return { error: `unknown field ${extra}`, id };
  const data = value.data ?? {};
  if (!isObject(data)) return { error: 'data must be an object', id };
  const fail = (error: string): StreamProtocolError => ({ error, id });
  const only = (allowed: string[]): StreamProtocolError | null => {
    const x = extraField(data, allowed);
    return x ? fail(`unknown field data.${x}`) : null;
  };
  const objectId = (k: string): StreamProtocolError | null =>
    typeof data[k] === 'string' && objectIdPattern.test(data[k]) ? null : fail(`data.${k} must be an id`);
  const object = (k: string): StreamProtocolError | null =>
    isObject(data[k]) ? null : fail(`data.${k} must be an object`);

  switch (method) {
    case 'join': {
      const bad = only(['eventId', 'streamToken']);
      if (bad) return bad;
      if (typeof data.eventId !== 'string' || !eventIdPattern.test(data.eventId))
        return fail('data.eventId must be 1 to 128 characters of [A-Za-z0-9_.:-]');
      if (typeof data.streamToken !== 'string' || !jwtPattern.test(data.streamToken))
        return fail('data.streamToken must be a JWT');
      return { id, method, data: { eventId: data.eventId, streamToken: data.streamToken } };
    }
    case 'createTransport': {
      const bad = only(['direction']);
      if (bad) return bad;
      if (data.direction !== 'send' && data.direction !== 'recv')
        return fail("data.direction must be 'send' or 'recv'");
      return { id, method, data: { direction: data.direction } };
    }
    case 'connectTransport': {
      const bad = only(['transportId', 'dtlsParameters']) ?? objectId('transportId') ?? object('dtlsParameters');
      if (bad) return bad;
      return {
        id,
        method,
        data: { transportId: data.transportId as string, dtlsParameters: data.dtlsParameters as Json },
      };
    }
    case 'produce': {
      const bad = only(['transportId', 'kind', 'rtpParameters']) ?? objectId('transportId') ?? object('rtpParameters');
      if (bad) return bad;
      if (data.kind !== 'audio' && data.kind !== 'video') return fail("data.kind must be 'audio' or 'video'");
      return {
        id,
        method,
        data: { transportId: data.transportId as string, kind: data.kind, rtpParameters: data.rtpParameters as Json },
      };
    }
    case 'closeProducer': {
      const bad = only(['producerId']) ?? objectId('producerId');
      return bad ?? { id, method, data: { producerId: data.producerId as string } };
    }
    case 'consume': {
      const bad =
        only(['transportId', 'producerId', 'rtpCapabilities']) ??
        objectId('transportId') ??
        objectId('producerId') ??
        object('rtpCapabilities');
      if (bad) return bad;
      return {
        id,
        method,
        data: {
          transportId: data.transportId as string,
          producerId: data.producerId as string,
          rtpCapabilities: data.rtpCapabilities as Json,
        },
      };
    }
    case 'resumeConsumer': {
      const bad = only(['consumerId']) ?? objectId('consumerId');
      return bad ?? { id, method, data: { consumerId: data.consumerId as string } };
    }
    case 'setPreferredLayers': {
      const bad = only(['consumerId', 'spatialLayer', 'temporalLayer']) ?? objectId('consumerId');
      if (bad) return bad;
      const layer = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 3;
      if (!layer(data.spatialLayer)) return fail('data.spatialLayer must be an integer from 0 to 3');
      if (data.temporalLayer !== undefined && data.temporalLayer !== null && !layer(data.temporalLayer))
        return fail('data.temporalLayer must be an integer from 0 to 3');
      return {
        id,
        method,
        data: {
          consumerId: data.consumerId as string,
          spatialLayer: data.spatialLayer as number,
          temporalLayer: (data.temporalLayer as number | undefined) ?? null,
        },
      };
    }
    case 'ping': {
      const bad = only([]);
      return bad ?? { id, method, data: {} };
    }
    default:
      return fail(`unknown method ${typeof method === 'string' ? method.slice(0, 40) : String(method)}`);
  }
}

/** Close codes of the application range (4000-4999), by error code. */
export const streamCloseCodes = {
  SS_ERR_STREAM_UNAUTHENTICATED: 4401,
  SS_ERR_STREAM_BOOKING_CANCELLED: 4403,
  SS_ERR_STREAM_NOT_JOINED: 4408,
} as const satisfies Partial<Record<ErrorCode, number>>;

export const GOING_AWAY = 1001;

export const okFrame = (id: number | string, data: unknown): string => JSON.stringify({ id, ok: true, data });

export const errorAnswer = (id: number | string | null, code: ErrorCode, message: string): string =>
  JSON.stringify({ id, ok: false, error: { code, message } });

export type StreamNotification =
  | { notification: 'producerAdded'; data: { producerId: string; kind: MediaKind } }
  | { notification: 'producerClosed'; data: { producerId: string } }
  | { notification: 'viewerCount'; data: { viewers: number } }
  | {
      notification: 'layersChanged';
      data: { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
    }
  | { notification: 'consumerClosed'; data: { consumerId: string } };

export const notificationFrame = (n: StreamNotification): string => JSON.stringify(n);
