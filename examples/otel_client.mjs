// An OpenTelemetry-instrumented agent sending its traces to tracecollector over OTLP/HTTP
// (POST /v1/traces): one agent turn with the spans an instrumented LLM app produces, in the three
// conventions the collector maps (OpenTelemetry GenAI, OpenInference, OpenLLMetry), plus an HTTP
// client span (no LLM convention: the collector drops it) and a span carrying a reward.
//
// Run it (Node 20.6+), with the pinned packages of tests/otlp/package.json:
//
//   mkdir otel-client && cd otel-client
//   cp /path/to/tracecollector/tests/otlp/package*.json . && npm ci   # or: npm install \
//     @opentelemetry/api@1.9.1 @opentelemetry/sdk-trace-base@2.12.1 @opentelemetry/resources@2.12.1 \
//     @opentelemetry/exporter-trace-otlp-http@0.223.1 @opentelemetry/exporter-trace-otlp-proto@0.223.1
//   cp /path/to/tracecollector/examples/otel_client.mjs . && node otel_client.mjs --session demo-1
//
// (Node resolves `import` from the script's own directory upwards: the script has to sit next to
// the node_modules it uses; NODE_PATH does not apply to ES modules.)
//
// Options (flags, or the environment variable in brackets):
//   TRACECOLLECTOR_URL          the collector (default http://127.0.0.1:4318); spans go to
//                               $TRACECOLLECTOR_URL/v1/traces
//   --protocol json|proto       OTLP/HTTP encoding [OTEL_CLIENT_PROTOCOL] (default json)
//   --gzip                      Content-Encoding: gzip [OTEL_CLIENT_GZIP=1]
//   --processor batch|simple    BatchSpanProcessor or SimpleSpanProcessor [OTEL_CLIENT_PROCESSOR]
//                               (default batch)
//   --session ID                the conversation / session id [OTEL_CLIENT_SESSION]
//                               (default otel-demo-<time>)
//
// Prints one line of JSON (the trace id, each span's id and duration, the session id, what was
// exported) and exits 0 when every export succeeded, 1 when one failed, 2 on a usage error.
// Then: sqlite3 tracecollector.db "SELECT event_type, model_name, total_tokens FROM events
//        WHERE session_id = 'demo-1'"

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';

// ---- options ----
function usage(message) {
  console.error(`otel_client.mjs: ${message}`);
  console.error('usage: node otel_client.mjs [--protocol json|proto] [--gzip] ' +
    '[--processor batch|simple] [--session ID]');
  process.exit(2);
}
const options = {
  url: (process.env.TRACECOLLECTOR_URL || 'http://127.0.0.1:4318').replace(/\/+$/, ''),
  protocol: process.env.OTEL_CLIENT_PROTOCOL || 'json',
  gzip: process.env.OTEL_CLIENT_GZIP === '1',
  processor: process.env.OTEL_CLIENT_PROCESSOR || 'batch',
  session: process.env.OTEL_CLIENT_SESSION || `otel-demo-${Date.now()}`,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${argv[i]} needs a value`));
  switch (argv[i]) {
    case '--protocol': options.protocol = value(); break;
    case '--gzip': options.gzip = true; break;
    case '--processor': options.processor = value(); break;
    case '--session': options.session = value(); break;
    default: usage(`unknown argument ${argv[i]}`);
  }
}
if (!['json', 'proto'].includes(options.protocol)) usage(`--protocol ${options.protocol}`);
if (!['batch', 'simple'].includes(options.processor)) usage(`--processor ${options.processor}`);

// ---- the SDK: resource, exporter, processor, provider ----
const Exporter = options.protocol === 'proto' ? ProtoExporter : JsonExporter;
const exporter = new Exporter({
  url: `${options.url}/v1/traces`,
  compression: options.gzip ? 'gzip' : 'none',
  timeoutMillis: 10000,
});
// Every export's outcome (the exporter reports it to the processor, which only logs a failure):
// the exit status says whether the collector accepted everything.
const exportResults = [];
const exportSpans = exporter.export.bind(exporter);
exporter.export = (spans, resultCallback) =>
  exportSpans(spans, (result) => {
    exportResults.push({ spans: spans.length, code: result.code, error: result.error?.message });
    resultCallback(result);
  });

const processor = options.processor === 'simple'
  ? new SimpleSpanProcessor(exporter)
  : new BatchSpanProcessor(exporter, { scheduledDelayMillis: 200 });
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({
    'service.name': 'weather-agent',
    'service.version': '1.0.0',
  }),
  spanProcessors: [processor],
});
const tracer = provider.getTracer('tracecollector-example', '1.0.0');

// No context manager is registered (BasicTracerProvider): parents are passed explicitly.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const under = (parent) => trace.setSpan(ROOT_CONTEXT, parent);
const sent = {};  // span name in the summary -> span
async function step(key, name, kind, attributes, parent, ms) {
  const span = tracer.startSpan(name, { kind, attributes }, parent ? under(parent) : ROOT_CONTEXT);
  sent[key] = span;
  await sleep(ms);  // the work the span times (a model call, a tool, a request)
  return span;
}

// ---- one agent turn ----
const session = options.session;
const system = [{ type: 'text', content: 'You are a weather assistant. Answer briefly.' }];
const question = { role: 'user', parts: [{ type: 'text', content: 'What is the weather in Paris?' }] };
const toolCall = {
  role: 'assistant',
  parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
};
const toolResult = {
  role: 'tool',
  parts: [{ type: 'tool_call_response', id: 'call_1', response: '{"temp_c":18,"sky":"cloudy"}' }],
};
const answer = {
  role: 'assistant',
  parts: [{ type: 'text', content: 'It is 18 °C and cloudy in Paris.' }],
  finish_reason: 'stop',
};

// The agent (GenAI invoke_agent): the turn's timestep.
const agent = tracer.startSpan('invoke_agent weather-agent', {
  kind: SpanKind.INTERNAL,
  attributes: {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': 'weather-agent',
    'gen_ai.provider.name': 'openai',
    'gen_ai.conversation.id': session,
  },
});
sent.agent = agent;

// 1. The model asks for a tool (GenAI chat span with its messages as JSON strings).
const chat1 = await step('chat1', 'chat gpt-4o-mini', SpanKind.CLIENT, {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.response.id': 'chatcmpl-weather-1',
  'gen_ai.request.temperature': 0.2,
  'gen_ai.usage.input_tokens': 42,
  'gen_ai.usage.output_tokens': 12,
  'gen_ai.response.finish_reasons': ['tool_calls'],
  'gen_ai.conversation.id': session,
  'gen_ai.system_instructions': JSON.stringify(system),
  'gen_ai.input.messages': JSON.stringify([question]),
  'gen_ai.output.messages': JSON.stringify([toolCall]),
}, agent, 25);
chat1.end();

// 2. The tool runs (GenAI execute_tool).
const tool = await step('tool', 'execute_tool get_weather', SpanKind.INTERNAL, {
  'gen_ai.operation.name': 'execute_tool',
  'gen_ai.tool.name': 'get_weather',
  'gen_ai.tool.call.id': 'call_1',
  'gen_ai.tool.call.arguments': '{"city":"Paris"}',
  'gen_ai.tool.call.result': '{"temp_c":18,"sky":"cloudy"}',
  'gen_ai.conversation.id': session,
}, agent, 10);
// Its HTTP request (no LLM convention: dropped by the collector).
const http = await step('http', 'GET', SpanKind.CLIENT, {
  'http.request.method': 'GET',
  'url.full': 'https://weather.example/v1/current?city=Paris',
  'server.address': 'weather.example',
  'http.response.status_code': 200,
}, tool, 5);
http.end();
tool.end();

// 3. The model answers, the first exchange and the tool result re-sent as its input.
const chat2 = await step('chat2', 'chat gpt-4o-mini', SpanKind.CLIENT, {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.response.id': 'chatcmpl-weather-2',
  'gen_ai.request.temperature': 0.2,
  'gen_ai.usage.input_tokens': 85,
  'gen_ai.usage.output_tokens': 14,
  'gen_ai.response.finish_reasons': ['stop'],
  'gen_ai.conversation.id': session,
  'gen_ai.system_instructions': JSON.stringify(system),
  'gen_ai.input.messages': JSON.stringify([question, toolCall, toolResult]),
  'gen_ai.output.messages': JSON.stringify([answer]),
}, agent, 20);
chat2.end();

// 4. A second model, instrumented with OpenInference (with a cost).
const summary = await step('openinference', 'ChatCompletion', SpanKind.CLIENT, {
  'openinference.span.kind': 'LLM',
  'llm.model_name': 'claude-3-5-haiku-20241022',
  'llm.provider': 'anthropic',
  'llm.token_count.prompt': 30,
  'llm.token_count.completion': 10,
  'llm.token_count.total': 40,
  'llm.cost.total': 0.00052,
  'session.id': session,
  'llm.input_messages.0.message.role': 'user',
  'llm.input_messages.0.message.content': 'Summarize the forecast in five words.',
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.content': 'Mild, cloudy, dry, calm, pleasant.',
}, agent, 15);
summary.end();

// 5. A third, instrumented with OpenLLMetry (Traceloop).
const translate = await step('openllmetry', 'openai.chat', SpanKind.CLIENT, {
  'llm.request.type': 'chat',
  'gen_ai.system': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini',
  'gen_ai.usage.prompt_tokens': 25,
  'gen_ai.usage.completion_tokens': 7,
  'llm.usage.total_tokens': 32,
  'traceloop.association.properties.session_id': session,
  'gen_ai.prompt.0.role': 'user',
  'gen_ai.prompt.0.content': 'Translate "cloudy" to French.',
  'gen_ai.completion.0.role': 'assistant',
  'gen_ai.completion.0.content': 'nuageux',
}, agent, 15);
translate.end();

// 6. The turn's reward (synth-ai's environment event).
const reward = await step('reward', 'evaluate answer', SpanKind.INTERNAL, {
  'gen_ai.conversation.id': session,
  'synth.reward': 0.75,
  'synth.terminated': true,
}, agent, 2);
reward.end();

agent.setStatus({ code: SpanStatusCode.OK });
agent.end();

// ---- flush, shut down, report ----
let flushError = null;
try {
  await provider.forceFlush();
} catch (err) {
  flushError = String(err?.message ?? err);
}
try {
  await provider.shutdown();
} catch (err) {
  flushError ??= String(err?.message ?? err);
}

const ids = {};
const durations = {};  // whole milliseconds, as the collector's latency_ms
for (const [key, span] of Object.entries(sent)) {
  ids[key] = span.spanContext().spanId;
  const [s, ns] = span.duration;
  durations[key] = Math.floor((s * 1e9 + ns) / 1e6);
}
const failed = exportResults.filter((e) => e.code !== 0);  // ExportResultCode.SUCCESS is 0
const exported = exportResults.filter((e) => e.code === 0).reduce((n, e) => n + e.spans, 0);
const ok = flushError === null && failed.length === 0 && exported === Object.keys(sent).length;
console.log(JSON.stringify({
  ok,
  trace_id: agent.spanContext().traceId,
  session_id: session,
  protocol: options.protocol,
  gzip: options.gzip,
  processor: options.processor,
  url: `${options.url}/v1/traces`,
  span_ids: ids,
  duration_ms: durations,
  exported_spans: exported,  // spans the collector accepted
  exports: exportResults.length,   // requests sent (one per span with --processor simple)
  errors: [...failed.map((e) => e.error ?? `result code ${e.code}`), ...(flushError ? [flushError] : [])],
}));
process.exit(ok ? 0 : 1);
