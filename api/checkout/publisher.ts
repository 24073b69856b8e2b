/**
 * Publishes payment-saga inputs (checkouts, verified webhooks) to payment.requests.v1, keyed by holdId (Kafka's
 * default partitioner, as the runtime's sinks), in Avro through the schema registry, with an idempotent producer
 * (acks=all), with the trace context of a producer span (child of the request's) in `traceparent`/`tracestate`
 * headers. Kafka is reached at the first publish, so an API that takes no checkout never connects.
 */
import { SpanKind } from '@opentelemetry/api';
import kafkajs from 'kafkajs';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { extractTraceContext, injectTraceHeaders } from '../../infra/telemetry/kafka-headers.js';
import { withSpan } from '../../infra/telemetry/tracing.js';
import type { SagaInput } from '../../processors/payments/model.js';
import { requestToAvro } from '../../processors/payments/codec.js';
import { createRegistryClient, type RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';

export interface PaymentRequestPublisher {
  publish(input: SagaInput, traceparent?: string | null): Promise<void>;
  close(): Promise<void>;
}

export function createPaymentRequestPublisher(
  options: { brokers?: string[]; registry?: RegistryClient } = {},
): PaymentRequestPublisher {
  const endpoints = loadEndpoints();
  const registry = options.registry ?? createRegistryClient(endpoints.schemaRegistry);
  const serde = serdeFor(topics.paymentRequests, registry, { autoRegister: false });
  const kafka = new kafkajs.Kafka({
    brokers: options.brokers ?? kafkaBrokers(endpoints),
    clientId: 'api-checkout',
    logLevel: kafkajs.logLevel.WARN,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  let connected: Promise<void> | null = null;
  return {
    async publish(input, traceparent = null) {
      const value = await serde.serialize(topics.paymentRequests.name, requestToAvro(input, traceparent));
      connected ??= producer.connect().catch((err: unknown) => {
        connected = null;
        throw err;
      });
      await connected;
      const topic = topics.paymentRequests.name;
      await withSpan(
        `${topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': topic,
          },
        },
        extractTraceContext(undefined, traceparent),
        (_span, ctx) =>
          producer.send({
            topic,
            acks: -1,
            messages: [{ key: input.holdId, value, headers: injectTraceHeaders(ctx) }],
          }),
      );
    },
    close: async () => {
      if (connected) await producer.disconnect();
    },
  };
}
