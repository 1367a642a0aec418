// Records what the stock OpenTelemetry JS SDK sends to an OTLP/HTTP trace endpoint
// (tests/data/otlp/README.md). Run it from a directory where the packages below are installed
// (not the repository):
//   npm install @opentelemetry/api@1.9.0 @opentelemetry/sdk-trace-base@2.0.1 \
//     @opentelemetry/resources@2.0.1 @opentelemetry/exporter-trace-otlp-proto@0.202.0 \
//     @opentelemetry/exporter-trace-otlp-http@0.202.0
//   node /path/to/tests/data/otlp/capture.mjs /path/to/tests/data/otlp
// One trace of three spans (an agent, a chat call under it, a failed tool call) is exported
// three times, as the same finished spans: by the protobuf exporter, by the JSON exporter and
// by the protobuf exporter with compression 'gzip', each to a local HTTP server that saves the
// raw request bodies (and the gzip one gunzipped).
import { createRequire } from 'node:module';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const api = require('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } =
  require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes, defaultResource } = require('@opentelemetry/resources');
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http');

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node capture.mjs OUTPUT_DIR');
  process.exit(2);
}

// The endpoint: saves each request's body under the name the test expects.
const received = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    received.push({ method: req.method, url: req.url, headers: req.headers,
                    body: Buffer.concat(chunks) });
    const json = (req.headers['content-type'] || '').startsWith('application/json');
    res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/v1/traces`;

// The trace, with fixed times (milliseconds since the epoch) so the test can check them.
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: defaultResource().merge(resourceFromAttributes({
    'service.name': 'capture-agent',
    'service.version': '1.2.3',
    'deployment.environment.name': 'test',
  })),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
const tracer = provider.getTracer('tracecollector-capture', '0.1.0');
const t0 = 1735732800000;  // 2025-01-01T12:00:00Z

const agent = tracer.startSpan('invoke_agent travel-agent', {
  kind: api.SpanKind.INTERNAL,
  startTime: t0,
  attributes: {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': 'travel-agent',
    'gen_ai.conversation.id': 'conv-42',
  },
});
const agentCtx = api.trace.setSpan(api.ROOT_CONTEXT, agent);

const chat = tracer.startSpan('chat gpt-4o-mini', {
  kind: api.SpanKind.CLIENT,
  startTime: t0 + 100,
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.request.temperature': 0.7,
    'gen_ai.request.top_p': 1.0,
    'gen_ai.request.max_tokens': 256,
    'gen_ai.request.stream': false,
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': 'chatcmpl-123',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 120,
    'gen_ai.usage.output_tokens': 42,
    'server.address': 'api.openai.com',
    'test.negative': -7,
    'test.int_array': [1, 2, 3],
    'test.unicode': 'héllo 🌍',
  },
}, agentCtx);
chat.addEvent('gen_ai.content.prompt', {
  'gen_ai.prompt': '[{"role":"user","content":"Weather in Paris?"}]',
}, t0 + 150);
chat.setStatus({ code: api.SpanStatusCode.OK });
chat.end(t0 + 1300);

const tool = tracer.startSpan('execute_tool get_weather', {
  kind: api.SpanKind.INTERNAL,
  startTime: t0 + 1400,
  attributes: {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'get_weather',
    'gen_ai.tool.call.id': 'call_abc',
  },
  links: [{ context: chat.spanContext(), attributes: { 'link.kind': 'caused_by' } }],
}, agentCtx);
const failure = new Error('upstream timed out');
failure.name = 'TimeoutError';
tool.recordException(failure, t0 + 1900);
tool.setStatus({ code: api.SpanStatusCode.ERROR, message: 'tool timed out' });
tool.end(t0 + 2000);

agent.end(t0 + 2100);
await provider.forceFlush();
const spans = memory.getFinishedSpans();

async function exportWith(exporter) {
  const result = await new Promise((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  if (result.code !== 0) throw new Error(`export failed: ${result.error}`);
}
await exportWith(new ProtoExporter({ url }));
await exportWith(new JsonExporter({ url }));
await exportWith(new ProtoExporter({ url, compression: 'gzip' }));
server.close();

if (received.length !== 3) throw new Error(`expected 3 requests, got ${received.length}`);
const [proto, json, gzip] = received;
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'js_sdk_chat.pb'), proto.body);
fs.writeFileSync(path.join(outDir, 'js_sdk_chat.json'), json.body);
fs.writeFileSync(path.join(outDir, 'js_sdk_chat.pb.gz'), gzip.body);
fs.writeFileSync(path.join(outDir, 'js_sdk_chat_gunzipped.pb'), zlib.gunzipSync(gzip.body));
const head = (r) => [`${r.method} ${r.url}`,
  ...['content-type', 'content-encoding', 'content-length', 'transfer-encoding', 'user-agent']
    .filter((h) => r.headers[h] !== undefined).map((h) => `${h}: ${r.headers[h]}`),
  `(body: ${r.body.length} bytes)`].join('\n');
fs.writeFileSync(path.join(outDir, 'js_sdk_requests.txt'),
  [proto, json, gzip].map(head).join('\n\n') + '\n');
for (const s of spans) {
  console.log(s.spanContext().traceId, s.spanContext().spanId, s.parentSpanContext?.spanId ?? '-',
              s.name);
}
